/**
 * Issue JPKI-shaped TEST certificates (`O=JPKI-TEST`) that follow `docs/cert-profile.md` byte for
 * byte: string types, extension order and criticality are copied from the real J-LIS certificates
 * in `test/vectors/real/` and `test/vectors/jlis-roots/`.
 *
 * Pure and deterministic: RSASSA-PKCS1-v1_5 signatures are deterministic, so the same keys and
 * parameters always give the same DER. Browser-safe: WebCrypto via `globalThis.crypto.subtle`.
 *
 * These certificates are for tests only; nothing here must ever be trusted.
 * @packageDocumentation
 */
import { eraOf, type JapaneseEraCode } from '../calendar/japanese-era.js';
import { OID } from '../crypto/oid.js';
import { JPKI_AUTH_POLICY, JPKI_SIGN_POLICY } from '../crypto/parse.js';
import { JPKI_PERSON_OID } from '../crypto/san.js';
import { CryptoError, InvalidArgumentError } from '../errors.js';
import {
  BOOLEAN_TRUE,
  NULL,
  TAG,
  children,
  contentBytes,
  elementBytes,
  ia5String,
  oid,
  positiveIntegerFromHex,
  printableString,
  readElement,
  sequence,
  time,
  tlv,
  utf8String,
} from './pki-der.js';

/** Which of the two JPKI hierarchies: 利用者証明用 (`auth`) or 署名用 (`sign`). */
export type TestPurpose = 'auth' | 'sign';

/** 性別 code in the JPKI SAN (cert-profile §3, [claim]: 1 男, 2 女, 3 不明). */
export type TestSex = '1' | '2' | '3';

/** Era digit of the SAN 生年月日 (cert-profile §3): 1 明治, 2 大正, 3 昭和, 4 平成, 5 令和. */
export type EraCode = JapaneseEraCode;

/** A fictional card holder (基本4情報 plus 個人番号) for test cards. */
export interface TestHolder {
  /** 氏名: family and given name separated by U+3000 (ideographic space), e.g. `由利　花子`. */
  readonly name: string;
  /** 氏名代替文字 flags, one `0`/`1` per character of `name`; all `0` when omitted. */
  readonly nameSubstitutionFlags?: string;
  /** 住所 from the prefecture, no postal code, full-width digits, e.g. `秋田県由利本荘市尾崎１７番地`. */
  readonly address: string;
  /** 住所代替文字 flags, one `0`/`1` per character of `address`; all `0` when omitted. */
  readonly addressSubstitutionFlags?: string;
  /** 生年月日, Gregorian `YYYY-MM-DD`. */
  readonly birthDate: string;
  /** 性別 code. */
  readonly sex: TestSex;
  /** 個人番号: 12 digits with a valid check digit (fictional). Not put in any certificate. */
  readonly myNumber: string;
}

/** The certificate and key of the CA that signs a leaf. */
export interface TestIssuer {
  /** DER of the issuing (root) certificate: its subject, SKI and serial go into the leaf. */
  readonly certificate: Uint8Array;
  /** Its RSASSA-PKCS1-v1_5 / SHA-256 private key. */
  readonly privateKey: CryptoKey;
}

/** Parameters of {@link issueTestRoot}. */
export interface IssueTestRootParams {
  /** Which hierarchy the root anchors. */
  readonly purpose: TestPurpose;
  /** RSA key pair; the private key must be RSASSA-PKCS1-v1_5 with SHA-256. */
  readonly keys: CryptoKeyPair;
  /** Serial number, big-endian hex. */
  readonly serial: string;
  /** Start of validity (whole seconds). */
  readonly notBefore: Date;
  /** End of validity; must be 14:59:59Z (23:59:59 JST) like every JPKI certificate. */
  readonly notAfter: Date;
}

/** Parameters shared by both leaf issuers. */
export interface IssueTestLeafParams {
  /** The root that signs the leaf. */
  readonly issuer: TestIssuer;
  /** The leaf (card) public key. */
  readonly publicKey: CryptoKey;
  /** Serial number, big-endian hex. */
  readonly serial: string;
  /** Start of validity (whole seconds). */
  readonly notBefore: Date;
  /** End of validity; must be 14:59:59Z (the holder's certificate expiry date, 23:59:59 JST). */
  readonly notAfter: Date;
  /** Subject CN (auth: an opaque 23-character ID; sign: 28 characters, request time + sequence + window). */
  readonly cn: string;
}

/** Parameters of {@link issueTestAuthLeaf}. */
export interface IssueTestAuthLeafParams extends IssueTestLeafParams {
  /** Prefecture in romaji as in the real CRLDP (e.g. `Akita-ken`). */
  readonly prefecture: string;
  /** Municipality in romaji as in the real CRLDP (e.g. `Yurihonjo-shi`). */
  readonly municipality: string;
}

/** Parameters of {@link issueTestSignLeaf}. */
export interface IssueTestSignLeafParams extends IssueTestLeafParams {
  /** The holder whose 基本4情報 go into the JPKI SAN. */
  readonly holder: TestHolder;
  /** Prefecture in romaji (subject L and CRLDP), e.g. `Akita-ken`. */
  readonly prefectureRomaji: string;
  /** Municipality in romaji (subject L and CRLDP), e.g. `Yurihonjo-shi`. */
  readonly municipalityRomaji: string;
}

/** `O=` of the test hierarchy (card-facts §6.1: test cards chain to `O=JPKI-TEST`). */
export const TEST_PKI_ORGANIZATION = 'JPKI-TEST';

/**
 * Japanese `O=` of the test roots' SAN and the leaves' IAN. The real value is
 * `公的個人認証サービス` (cert-profile §2); the `（テスト）` suffix marks these as test-only.
 */
export const TEST_PKI_ORGANIZATION_JA = '公的個人認証サービス（テスト）';

/**
 * OCSP responder in test auth leaves. Real leaves carry `http://ocspauthnorm.jpki.go.jp`
 * (cert-profile §2); test leaves use the reserved `.test` TLD (RFC 6761) so that no test can
 * ever query J-LIS with a fake certificate.
 */
export const TEST_OCSP_URL = 'http://ocspauthnorm.jpki.test';

/** CPS qualifier of both leaf policies (cert-profile §2, observed). */
export const JPKI_CPS_URL = 'http://www.jpki.go.jp/cps.html';

/**
 * Policy of 署名用 leaves (cert-profile §2). Test cards are claimed to use `…8.5.1.0.20`; the test
 * PKI uses the production OID so that the SDK's policy check is exercised. The verifier's
 * constant, under the name the test PKI has always exported.
 */
export const SIGN_POLICY_OID = JPKI_SIGN_POLICY;

/** Policy of 利用者証明用 leaves (cert-profile §2, production OID; see {@link SIGN_POLICY_OID}). */
export const AUTH_POLICY_OID = JPKI_AUTH_POLICY;

/** JPKI SAN otherName type-ids (cert-profile §3; card-facts §6.2): the verifier's table. */
export const JPKI_SAN_OID = JPKI_PERSON_OID;

// Exact extension values observed in real J-LIS certificates (cert-profile §2).
const KEY_USAGE_CA = Uint8Array.of(0x03, 0x02, 0x01, 0x06); // keyCertSign | cRLSign
const KEY_USAGE_AUTH = Uint8Array.of(0x03, 0x02, 0x07, 0x80); // digitalSignature
const KEY_USAGE_SIGN = Uint8Array.of(0x03, 0x02, 0x06, 0xc0); // digitalSignature | nonRepudiation
const BASIC_CONSTRAINTS_CA = Uint8Array.of(0x30, 0x03, 0x01, 0x01, 0xff); // CA:TRUE, no pathLen


/** English OU naming each hierarchy (cert-profile §1). */
const PURPOSE_OU: Readonly<Record<TestPurpose, string>> = {
  auth: 'JPKI for user authentication',
  sign: 'JPKI for digital signature',
};
/** Japanese OU naming each hierarchy in SAN/IAN (cert-profile §2). */
const PURPOSE_OU_JA: Readonly<Record<TestPurpose, string>> = {
  auth: '公的個人認証サービス利用者証明用',
  sign: '公的個人認証サービス署名用',
};
const JLIS_OU = 'Japan Agency for Local Authority Information Systems';
const JLIS_OU_JA = '地方公共団体情報システム機構';

type NameAttribute = readonly [type: string, value: Uint8Array];

/** Name: one attribute per RDN, in order. C is PrintableString, the rest UTF8String (cert-profile §2). */
function encodeName(attributes: readonly NameAttribute[]): Uint8Array {
  return sequence(...attributes.map(([type, value]) => tlv(TAG.set, sequence(oid(type), value))));
}

/** `C=JP, O=JPKI-TEST, OU=JPKI for …, OU=Japan Agency for Local Authority Information Systems`. */
function rootName(purpose: TestPurpose): Uint8Array {
  return encodeName([
    [OID.countryName, printableString('JP')],
    [OID.organizationName, utf8String(TEST_PKI_ORGANIZATION)],
    [OID.organizationalUnitName, utf8String(PURPOSE_OU[purpose])],
    [OID.organizationalUnitName, utf8String(JLIS_OU)],
  ]);
}

/** The Japanese DirName of the root SAN and leaf IAN. */
function japaneseName(purpose: TestPurpose): Uint8Array {
  return encodeName([
    [OID.countryName, printableString('JP')],
    [OID.organizationName, utf8String(TEST_PKI_ORGANIZATION_JA)],
    [OID.organizationalUnitName, utf8String(PURPOSE_OU_JA[purpose])],
    [OID.organizationalUnitName, utf8String(JLIS_OU_JA)],
  ]);
}

/** GeneralName.directoryName: `[4] EXPLICIT Name`. */
function directoryName(name: Uint8Array): Uint8Array {
  return tlv(0xa4, name);
}

/** CRLDistributionPoints with one DistributionPoint whose fullName is one DirName (never a URI). */
function crlDistributionPoints(name: Uint8Array): Uint8Array {
  return sequence(sequence(tlv(0xa0, tlv(0xa0, directoryName(name)))));
}

/** A leaf CRLDP DirName: `C=JP,O=JPKI-TEST,OU=JPKI for …,OU=CRL Distribution Points,OU=<pref>,CN=<muni> CRLDP`. */
function leafCrlName(purpose: TestPurpose, prefecture: string, municipality: string): Uint8Array {
  return encodeName([
    [OID.countryName, printableString('JP')],
    [OID.organizationName, utf8String(TEST_PKI_ORGANIZATION)],
    [OID.organizationalUnitName, utf8String(PURPOSE_OU[purpose])],
    [OID.organizationalUnitName, utf8String('CRL Distribution Points')],
    [OID.organizationalUnitName, utf8String(prefecture)],
    [OID.commonName, utf8String(`${municipality} CRLDP`)],
  ]);
}

/** certificatePolicies: one policy with one CPS qualifier (IA5String). */
function certificatePolicies(policy: string): Uint8Array {
  return sequence(sequence(oid(policy), sequence(sequence(oid(OID.cpsQualifier), ia5String(JPKI_CPS_URL)))));
}

/** One Extension; `critical` is encoded only when true (DER DEFAULT FALSE). */
function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical
    ? sequence(oid(id), BOOLEAN_TRUE, tlv(TAG.octetString, value))
    : sequence(oid(id), tlv(TAG.octetString, value));
}

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (s === undefined) throw new CryptoError('WebCrypto (crypto.subtle) is not available');
  return s;
}

/** A copy backed by a plain ArrayBuffer, as WebCrypto wants. */
function arrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}

/** SubjectPublicKeyInfo DER of an RSA public key, and its SKI = SHA-1 of the RSAPublicKey bits (RFC 5280 method 1, as J-LIS does). */
async function publicKeyInfo(publicKey: CryptoKey): Promise<{ spki: Uint8Array; keyId: Uint8Array }> {
  if (publicKey.type !== 'public' || !publicKey.algorithm.name.startsWith('RS')) {
    throw new InvalidArgumentError('Expected an RSA public key');
  }
  const spki = new Uint8Array(await subtle().exportKey('spki', publicKey));
  const top = readElement(spki, 0);
  const bitString = children(spki, top)[1];
  if (bitString === undefined || bitString.tag !== TAG.bitString) {
    throw new CryptoError('Unexpected SubjectPublicKeyInfo layout');
  }
  const keyBits = contentBytes(spki, bitString).subarray(1); // skip the unused-bits octet
  const keyId = new Uint8Array(await subtle().digest('SHA-1', arrayBuffer(keyBits)));
  return { spki, keyId };
}

function checkSigningKey(privateKey: CryptoKey): void {
  const algorithm = privateKey.algorithm as RsaHashedKeyAlgorithm;
  if (
    privateKey.type !== 'private' ||
    algorithm.name !== 'RSASSA-PKCS1-v1_5' ||
    algorithm.hash?.name !== 'SHA-256' ||
    !privateKey.usages.includes('sign')
  ) {
    throw new InvalidArgumentError('The signing key must be an RSASSA-PKCS1-v1_5 / SHA-256 private key');
  }
}

/** Certificates end at 23:59:59 JST = 14:59:59Z (cert-profile §2). */
function checkValidity(notBefore: Date, notAfter: Date): void {
  if (!(notBefore.getTime() < notAfter.getTime())) {
    throw new InvalidArgumentError('notBefore must precede notAfter');
  }
  if (notAfter.getUTCHours() !== 14 || notAfter.getUTCMinutes() !== 59 || notAfter.getUTCSeconds() !== 59) {
    throw new InvalidArgumentError('notAfter must be 14:59:59Z (23:59:59 JST) as on real JPKI certificates');
  }
}

function checkAscii(value: string, what: string): void {
  if (!/^[\x20-\x7e]+$/.test(value)) throw new InvalidArgumentError(`${what} must be non-empty printable ASCII`);
}

const SHA256_WITH_RSA = sequence(oid(OID.sha256WithRSAEncryption), NULL);

/** Assemble the TBSCertificate, sign it with SHA-256/RSA and wrap it. */
async function signCertificate(fields: {
  serial: string;
  issuer: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  subject: Uint8Array;
  spki: Uint8Array;
  extensions: readonly Uint8Array[];
  signingKey: CryptoKey;
}): Promise<Uint8Array> {
  checkSigningKey(fields.signingKey);
  const tbs = sequence(
    tlv(0xa0, Uint8Array.of(TAG.integer, 0x01, 0x02)), // v3
    positiveIntegerFromHex(fields.serial),
    SHA256_WITH_RSA,
    fields.issuer,
    sequence(time(fields.notBefore), time(fields.notAfter)),
    fields.subject,
    fields.spki,
    tlv(0xa3, sequence(...fields.extensions)),
  );
  const signature = new Uint8Array(
    await subtle().sign({ name: 'RSASSA-PKCS1-v1_5' }, fields.signingKey, arrayBuffer(tbs)),
  );
  return sequence(tbs, SHA256_WITH_RSA, tlv(TAG.bitString, Uint8Array.of(0), signature));
}

/** What a leaf needs from its issuer's certificate: raw subject, issuer, serial and SKI. */
interface IssuerInfo {
  readonly subject: Uint8Array;
  readonly issuer: Uint8Array;
  readonly serial: Uint8Array; // whole INTEGER TLV
  readonly keyId: Uint8Array;
}

function readIssuerInfo(certificate: Uint8Array): IssuerInfo {
  try {
    const cert = readElement(certificate, 0);
    const tbsElement = children(certificate, cert)[0];
    if (tbsElement === undefined) throw new CryptoError('Missing TBSCertificate');
    const tbs = children(certificate, tbsElement);
    const hasVersion = tbs[0]?.tag === 0xa0;
    const at = (i: number) => {
      const e = tbs[hasVersion ? i : i - 1];
      if (e === undefined) throw new CryptoError('Truncated TBSCertificate');
      return e;
    };
    const serial = at(1);
    const issuer = at(3);
    const subject = at(5);
    const extensionsWrapper = tbs.find((e) => e.tag === 0xa3);
    let keyId: Uint8Array | undefined;
    if (extensionsWrapper !== undefined) {
      const list = children(certificate, extensionsWrapper)[0];
      for (const ext of list === undefined ? [] : children(certificate, list)) {
        const parts = children(certificate, ext);
        const id = parts[0];
        const value = parts[parts.length - 1];
        if (id === undefined || value === undefined) continue;
        if (bytesEqualOid(contentBytes(certificate, id), OID.subjectKeyIdentifier)) {
          const inner = readElement(contentBytes(certificate, value), 0);
          keyId = contentBytes(contentBytes(certificate, value), inner);
        }
      }
    }
    if (keyId === undefined) throw new CryptoError('The issuer certificate has no subjectKeyIdentifier');
    return {
      subject: elementBytes(certificate, subject),
      issuer: elementBytes(certificate, issuer),
      serial: elementBytes(certificate, serial),
      keyId,
    };
  } catch (error) {
    if (error instanceof CryptoError) throw error;
    throw new CryptoError('The issuer certificate could not be parsed', { cause: error });
  }
}

function bytesEqualOid(content: Uint8Array, dotted: string): boolean {
  const encoded = oid(dotted);
  const expected = encoded.subarray(2);
  return content.length === expected.length && content.every((b, i) => b === expected[i]);
}

/** AKI: keyIdentifier [0], authorityCertIssuer [1] (a DirName), authorityCertSerialNumber [2]. */
function authorityKeyIdentifier(info: IssuerInfo): Uint8Array {
  const serialContent = info.serial.subarray(readElement(info.serial, 0).contentStart);
  return sequence(tlv(0x80, info.keyId), tlv(0xa1, directoryName(info.issuer)), tlv(0x82, serialContent));
}

/**
 * Issue a self-signed test root mirroring the real J-LIS roots (cert-profile §1, card-facts §6.1):
 * subject = issuer = `C=JP, O=JPKI-TEST, OU=JPKI for …, OU=Japan Agency for Local Authority
 * Information Systems`; extensions in the real order: keyUsage (critical, keyCertSign+cRLSign),
 * subjectAltName (Japanese DirName), basicConstraints (critical, CA:TRUE), CRLDP (DirName =
 * subject), subjectKeyIdentifier. No AKI, like the real roots.
 *
 * @returns the certificate DER
 */
export async function issueTestRoot(params: IssueTestRootParams): Promise<Uint8Array> {
  checkValidity(params.notBefore, params.notAfter);
  const name = rootName(params.purpose);
  const { spki, keyId } = await publicKeyInfo(params.keys.publicKey);
  return signCertificate({
    serial: params.serial,
    issuer: name,
    notBefore: params.notBefore,
    notAfter: params.notAfter,
    subject: name,
    spki,
    extensions: [
      extension(OID.keyUsage, true, KEY_USAGE_CA),
      extension(OID.subjectAltName, false, sequence(directoryName(japaneseName(params.purpose)))),
      extension(OID.basicConstraints, true, BASIC_CONSTRAINTS_CA),
      extension(OID.cRLDistributionPoints, false, crlDistributionPoints(name)),
      extension(OID.subjectKeyIdentifier, false, tlv(TAG.octetString, keyId)),
    ],
    signingKey: params.keys.privateKey,
  });
}

/**
 * Issue a 利用者証明用 (user authentication) test leaf mirroring the real ones: subject
 * `C=JP, CN=<opaque>`; extensions in the real order: keyUsage (critical, `03 02 07 80`), EKU
 * clientAuth, certificatePolicies (critical, {@link AUTH_POLICY_OID} + CPS), issuerAltName
 * (Japanese DirName), CRLDP (DirName naming the municipality), AIA OCSP ({@link TEST_OCSP_URL}),
 * AKI (keyid + issuer + serial), SKI.
 *
 * @returns the certificate DER
 */
export async function issueTestAuthLeaf(params: IssueTestAuthLeafParams): Promise<Uint8Array> {
  checkValidity(params.notBefore, params.notAfter);
  checkAscii(params.cn, 'cn');
  checkAscii(params.prefecture, 'prefecture');
  checkAscii(params.municipality, 'municipality');
  const info = readIssuerInfo(params.issuer.certificate);
  const { spki, keyId } = await publicKeyInfo(params.publicKey);
  const subject = encodeName([
    [OID.countryName, printableString('JP')],
    [OID.commonName, utf8String(params.cn)],
  ]);
  const accessDescription = sequence(oid(OID.ocsp), tlv(0x86, new TextEncoder().encode(TEST_OCSP_URL)));
  return signCertificate({
    serial: params.serial,
    issuer: info.subject,
    notBefore: params.notBefore,
    notAfter: params.notAfter,
    subject,
    spki,
    extensions: [
      extension(OID.keyUsage, true, KEY_USAGE_AUTH),
      extension(OID.extKeyUsage, false, sequence(oid(OID.clientAuth))),
      extension(OID.certificatePolicies, true, certificatePolicies(AUTH_POLICY_OID)),
      extension(OID.issuerAltName, false, sequence(directoryName(japaneseName('auth')))),
      extension(
        OID.cRLDistributionPoints,
        false,
        crlDistributionPoints(leafCrlName('auth', params.prefecture, params.municipality)),
      ),
      extension(OID.authorityInfoAccess, false, sequence(accessDescription)),
      extension(OID.authorityKeyIdentifier, false, authorityKeyIdentifier(info)),
      extension(OID.subjectKeyIdentifier, false, tlv(TAG.octetString, keyId)),
    ],
    signingKey: params.issuer.privateKey,
  });
}

/**
 * Issue a 署名用 (digital signature) test leaf mirroring the real one: subject
 * `C=JP, L=<prefecture>, L=<municipality>, CN=<28 chars>`; extensions in the real order:
 * keyUsage (critical, `03 02 06 C0`), subjectAltName (the six JPKI otherNames in the real order
 * 5.5.1, 5.5.4, 5.5.3, 5.5.5, 5.5.2, 5.5.6, each `[0] EXPLICIT UTF8String`), certificatePolicies
 * (critical, {@link SIGN_POLICY_OID} + CPS), issuerAltName, CRLDP (DirName), AKI, SKI. No EKU, no AIA.
 *
 * @returns the certificate DER
 */
export async function issueTestSignLeaf(params: IssueTestSignLeafParams): Promise<Uint8Array> {
  checkValidity(params.notBefore, params.notAfter);
  checkAscii(params.cn, 'cn');
  checkAscii(params.prefectureRomaji, 'prefectureRomaji');
  checkAscii(params.municipalityRomaji, 'municipalityRomaji');
  const san = jpkiSanValues(params.holder);
  const info = readIssuerInfo(params.issuer.certificate);
  const { spki, keyId } = await publicKeyInfo(params.publicKey);
  const subject = encodeName([
    [OID.countryName, printableString('JP')],
    [OID.localityName, utf8String(params.prefectureRomaji)],
    [OID.localityName, utf8String(params.municipalityRomaji)],
    [OID.commonName, utf8String(params.cn)],
  ]);
  const otherName = (typeId: string, value: string): Uint8Array =>
    tlv(0xa0, oid(typeId), tlv(0xa0, utf8String(value)));
  const subjectAltName = sequence(
    otherName(JPKI_SAN_OID.name, san.name),
    otherName(JPKI_SAN_OID.birthDate, san.birthDate),
    otherName(JPKI_SAN_OID.sex, san.sex),
    otherName(JPKI_SAN_OID.address, san.address),
    otherName(JPKI_SAN_OID.nameSubstitutionFlags, san.nameSubstitutionFlags),
    otherName(JPKI_SAN_OID.addressSubstitutionFlags, san.addressSubstitutionFlags),
  );
  return signCertificate({
    serial: params.serial,
    issuer: info.subject,
    notBefore: params.notBefore,
    notAfter: params.notAfter,
    subject,
    spki,
    extensions: [
      extension(OID.keyUsage, true, KEY_USAGE_SIGN),
      extension(OID.subjectAltName, false, subjectAltName),
      extension(OID.certificatePolicies, true, certificatePolicies(SIGN_POLICY_OID)),
      extension(OID.issuerAltName, false, sequence(directoryName(japaneseName('sign')))),
      extension(
        OID.cRLDistributionPoints,
        false,
        crlDistributionPoints(leafCrlName('sign', params.prefectureRomaji, params.municipalityRomaji)),
      ),
      extension(OID.authorityKeyIdentifier, false, authorityKeyIdentifier(info)),
      extension(OID.subjectKeyIdentifier, false, tlv(TAG.octetString, keyId)),
    ],
    signingKey: params.issuer.privateKey,
  });
}

/** The six JPKI SAN string values of a holder, exactly as they go into the certificate. */
export interface JpkiSanValues {
  /** 5.5.1 氏名 */
  readonly name: string;
  /** 5.5.2 氏名代替文字 flags (one per character of `name`) */
  readonly nameSubstitutionFlags: string;
  /** 5.5.3 性別 */
  readonly sex: TestSex;
  /** 5.5.4 生年月日: era digit + Gregorian `YYYYMMDD` */
  readonly birthDate: string;
  /** 5.5.5 住所 */
  readonly address: string;
  /** 5.5.6 住所代替文字 flags (one per character of `address`) */
  readonly addressSubstitutionFlags: string;
}

/**
 * The SAN values for a holder: flags default to all `0`, one per character (code point) of the
 * name / address (cert-profile §3); the birth date gets its era digit.
 *
 * @throws InvalidArgumentError on an empty name/address, flags of the wrong length or alphabet,
 *   a bad date or a sex code other than 1/2/3
 */
export function jpkiSanValues(holder: TestHolder): JpkiSanValues {
  if (holder.name.length === 0 || holder.address.length === 0) {
    throw new InvalidArgumentError('Holder name and address must not be empty');
  }
  if (holder.sex !== '1' && holder.sex !== '2' && holder.sex !== '3') {
    throw new InvalidArgumentError('Holder sex must be 1, 2 or 3');
  }
  const flags = (text: string, given: string | undefined, what: string): string => {
    const count = Array.from(text).length;
    if (given === undefined) return '0'.repeat(count);
    if (!/^[01]*$/.test(given) || given.length !== count) {
      throw new InvalidArgumentError(`${what} must hold one 0/1 per character`);
    }
    return given;
  };
  return {
    name: holder.name,
    nameSubstitutionFlags: flags(holder.name, holder.nameSubstitutionFlags, 'nameSubstitutionFlags'),
    sex: holder.sex,
    birthDate: sanBirthDate(holder.birthDate),
    address: holder.address,
    addressSubstitutionFlags: flags(holder.address, holder.addressSubstitutionFlags, 'addressSubstitutionFlags'),
  };
}

interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

function parseDate(text: string): CalendarDate {
  const match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(text);
  if (match === null) throw new InvalidArgumentError('Dates must be YYYY-MM-DD');
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    throw new InvalidArgumentError('Not a calendar date');
  }
  return { year, month, day };
}

const ordinal = (d: CalendarDate): number => d.year * 10000 + d.month * 100 + d.day;

/**
 * The era digit of a Gregorian date for the SAN 生年月日 (cert-profile §3): 1 明治 from 1868-10-23,
 * 2 大正 from 1912-07-30, 3 昭和 from 1926-12-25, 4 平成 from 1989-01-08, 5 令和 from 2019-05-01.
 *
 * @param date - `YYYY-MM-DD`
 * @throws InvalidArgumentError for a malformed date or one before 明治
 */
export function eraCode(date: string): EraCode {
  parseDate(date);
  const era = eraOf(date.replace(/-/g, ''));
  if (era === undefined) throw new InvalidArgumentError('Dates before the Meiji era have no era code');
  return era.code;
}

/** The 9-character SAN 生年月日: era digit + Gregorian `YYYYMMDD` (e.g. `1990-01-02` → `419900102`). */
export function sanBirthDate(birthDate: string): string {
  return eraCode(birthDate) + birthDate.replace(/-/g, '');
}

/**
 * The end of a leaf's validity: the holder's 5th birthday after issuance, at 23:59:59 JST
 * (14:59:59Z) (card-facts §6.2; cert-profile §2). Birthdays and the issue day are JST calendar
 * days; a 29 February birthday falls on 28 February in common years (an assumption).
 *
 * @param birthDate - `YYYY-MM-DD`
 * @param issuedAt - the issuance instant (the leaf's notBefore)
 */
export function fifthBirthdayAfter(birthDate: string, issuedAt: Date): Date {
  const birth = parseDate(birthDate);
  const jst = new Date(issuedAt.getTime() + 9 * 3600_000);
  const issued = { year: jst.getUTCFullYear(), month: jst.getUTCMonth() + 1, day: jst.getUTCDate() };
  const birthdayIn = (year: number): CalendarDate => {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return { year, month: birth.month, day: birth.month === 2 && birth.day === 29 && !leap ? 28 : birth.day };
  };
  let year = issued.year;
  if (ordinal(birthdayIn(year)) <= ordinal(issued)) year++;
  const fifth = birthdayIn(year + 4);
  return new Date(Date.UTC(fifth.year, fifth.month - 1, fifth.day, 14, 59, 59));
}

/** The WebCrypto algorithm of every test key (RSASSA-PKCS1-v1_5 with SHA-256). */
export const TEST_KEY_ALGORITHM: Readonly<RsaHashedImportParams> = Object.freeze({
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
});
