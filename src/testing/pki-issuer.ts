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
import { OID } from '../crypto/oid.js';
import {
  TAG,
  oid,
  printableString,
  sequence,
  tlv,
  utf8String,
} from './pki-der.js';
import { jpkiSanValues, type TestHolder } from './pki-holder.js';
import {
  AUTH_POLICY_OID,
  certificatePolicies,
  crlDistributionPoints,
  directoryName,
  encodeName,
  japaneseName,
  JPKI_SAN_OID,
  leafCrlName,
  rootName,
  SIGN_POLICY_OID,
  TEST_OCSP_URL,
  type TestPurpose,
} from './pki-names.js';
import {
  authorityKeyIdentifier,
  BASIC_CONSTRAINTS_CA,
  checkAscii,
  checkValidity,
  extension,
  KEY_USAGE_AUTH,
  KEY_USAGE_CA,
  KEY_USAGE_SIGN,
  publicKeyInfo,
  readIssuerInfo,
  signCertificate,
} from './pki-x509.js';

export { eraCode, fifthBirthdayAfter, jpkiSanValues, sanBirthDate, type EraCode, type JpkiSanValues, type TestHolder, type TestSex } from './pki-holder.js';
export { AUTH_POLICY_OID, JPKI_CPS_URL, JPKI_SAN_OID, SIGN_POLICY_OID, TEST_OCSP_URL, TEST_PKI_ORGANIZATION, TEST_PKI_ORGANIZATION_JA, type TestPurpose } from './pki-names.js';
export { TEST_KEY_ALGORITHM } from './pki-x509.js';

/** The certificate and key of the CA that signs a leaf. */
export interface TestIssuer {
  /** DER of the issuing (root) certificate: its subject, SKI and serial go into the leaf. */
  readonly certificate: Uint8Array;
  /** Its RSASSA-PKCS1-v1_5 / SHA-256 private key (or ECDSA P-256 / P-384 for the hypothetical profile). */
  readonly privateKey: CryptoKey;
}

/** Parameters of {@link issueTestRoot}. */
export interface IssueTestRootParams {
  /** Which hierarchy the root anchors. */
  readonly purpose: TestPurpose;
  /** RSA key pair, the private key RSASSA-PKCS1-v1_5 with SHA-256 (or ECDSA P-256 / P-384: `gen2-hypothetical`). */
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
  /** AIA OCSP address; default {@link TEST_OCSP_URL} (tests point it at a local responder). */
  readonly ocspUrl?: string;
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
  const ocspUrl = params.ocspUrl ?? TEST_OCSP_URL;
  checkAscii(ocspUrl, 'ocspUrl');
  const accessDescription = sequence(oid(OID.ocsp), tlv(0x86, new TextEncoder().encode(ocspUrl)));
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

