/**
 * CMS `SignedData` (RFC 5652) with a JPKI 署名用 key: CAdES-BES signed attributes (contentType,
 * messageDigest, signingTime, ESS signingCertificateV2), built with `@peculiar/asn1-cms`, and
 * its verification. The exact bytes that are signed or hashed are taken with the TLV core, never
 * from a re-encoding. Browser-safe.
 * @packageDocumentation
 */
import { AsnArray, AsnConvert, AsnObjectIdentifierConverter, AsnType, AsnTypeTypes, OctetString } from '@peculiar/asn1-schema';
import {
  Attribute,
  CertificateChoices,
  CertificateSet,
  CMSVersion,
  ContentInfo,
  DigestAlgorithmIdentifier,
  DigestAlgorithmIdentifiers,
  EncapsulatedContent,
  EncapsulatedContentInfo,
  id_data,
  id_signedData,
  IssuerAndSerialNumber,
  SignatureAlgorithmIdentifier,
  SignedData,
  SignerIdentifier,
  SignerInfo,
  SignerInfos,
} from '@peculiar/asn1-cms';
import { Certificate, GeneralName, Time } from '@peculiar/asn1-x509';
import { concatBytes, equalBytes } from '../../src/bytes.js';
import { CryptoError, InvalidArgumentError } from '../../src/errors.js';
import { hashData, type HashAlgorithm } from '../../src/hash/digest-info.js';
import { decodeTlv, encodeTlv, type TlvNode } from '../../src/tlv/index.js';
import type { JpkiCard } from '../../src/crypto/card.js';
import { verifyJpkiChain, type ChainReason, type JpkiChainResult, type VerifyJpkiChainOptions } from './chain.js';
import { EssCertIdV2, ID_AA_SIGNING_CERTIFICATE_V2, IssuerSerial, SigningCertificateV2 } from './ess.js';
import { jpkiCertificateOf, type JpkiCertificate } from './parse.js';
import { buffer, verifyWithCertificateKey } from './signature.js';
import { decodeCertificate, digestAlgorithmHash, OID, rsaSignatureHash, type DecodedCertificate } from './x509.js';

/** Signed-attribute OIDs (RFC 5652 §11, RFC 5035). */
const ATTR = {
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: ID_AA_SIGNING_CERTIFICATE_V2,
} as const;

/** `SET OF Attribute`: the signed attributes decoded from exactly the bytes that were signed. */
@AsnType({ type: AsnTypeTypes.Set, itemType: Attribute })
class SignedAttributeSet extends AsnArray<Attribute> {}

const TAG_SET = 0x31;
const TAG_CONTEXT_0 = 0xa0;

const serialize = (value: unknown): Uint8Array => new Uint8Array(AsnConvert.serialize(value));

/**
 * Re-encode a value parsed from untrusted input; `undefined` when the ASN.1 library cannot (it
 * throws plain `Error`s, e.g. for a PrintableString retagged as UTCTime inside a Name).
 */
function reencode(value: unknown): Uint8Array | undefined {
  try {
    return serialize(value);
  } catch {
    return undefined;
  }
}
const oidDer = (oid: string): Uint8Array => new Uint8Array(AsnObjectIdentifierConverter.toASN(oid).toBER());
const arrayBuffer = (bytes: Uint8Array): ArrayBuffer => buffer(bytes).buffer;

/** DER SET OF order (X.690 §11.6): ascending encodings, a prefix sorting first. */
function compareDer(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** Options of {@link signCms}. */
export interface SignCmsOptions {
  /** 署名用電子証明書のパスワード (6–16 characters). Never logged, never retried. */
  readonly pin: string;
  /** Leave the content out of the CMS (a detached signature). Default `false`. */
  readonly detached?: boolean;
  /** The signingTime attribute; default: the current time. */
  readonly signingTime?: Date;
  /** More certificates to embed, e.g. the 署名用 CA certificate. */
  readonly extraCertificates?: readonly Uint8Array[];
}

/** `signingTime` as UTCTime for 1950–2049 and GeneralizedTime otherwise (RFC 5652 §11.3). */
function encodeSigningTime(date: Date): Uint8Array {
  const time = new Time();
  const whole = new Date(Math.floor(date.getTime() / 1000) * 1000);
  const year = whole.getUTCFullYear();
  if (year >= 1950 && year < 2050) time.utcTime = whole;
  else time.generalTime = whole;
  return serialize(time);
}

function attribute(type: string, value: Uint8Array): Uint8Array {
  return serialize(new Attribute({ attrType: type, attrValues: [arrayBuffer(value)] }));
}

/** The DER-sorted signed attributes of a CAdES-BES signature. */
function signedAttributes(content: Uint8Array, signer: DecodedCertificate, signingTime: Date): Uint8Array[] {
  const essCertId = new EssCertIdV2({
    certHash: new OctetString(arrayBuffer(hashData('SHA-256', signer.der))),
    issuerSerial: new IssuerSerial({
      issuer: [new GeneralName({ directoryName: signer.asn.tbsCertificate.issuer })],
      serialNumber: arrayBuffer(signer.serialBytes),
    }),
  });
  return [
    attribute(ATTR.contentType, oidDer(id_data)),
    attribute(ATTR.signingTime, encodeSigningTime(signingTime)),
    attribute(ATTR.messageDigest, serialize(new OctetString(arrayBuffer(hashData('SHA-256', content))))),
    attribute(ATTR.signingCertificateV2, serialize(new SigningCertificateV2({ certs: [essCertId] }))),
  ].sort(compareDer);
}

/** The certificates of a SignedData as exact DER, from the TLV layout. */
function certificatesOf(signedData: TlvNode): Uint8Array[] {
  const set = signedData.children.find((n) => n.tag === TAG_CONTEXT_0);
  return set === undefined ? [] : set.children.map((n) => Uint8Array.from(n.encoded));
}

/**
 * Sign `content` with the card's 署名用 key and return a DER CMS `ContentInfo` holding a
 * `SignedData` (RFC 5652): version 1, SHA-256, encapsulated id-data (absent when detached), one
 * SignerInfo identified by issuerAndSerialNumber, signed attributes contentType, messageDigest,
 * signingTime and ESS signingCertificateV2 (CAdES-BES) in DER order, and the signer certificate.
 *
 * The card is asked twice with the same password (READ of the sign certificate, then the
 * signature); a wrong password fails the first call, so only one try is spent.
 *
 * @throws InvalidArgumentError for bad arguments; CryptoError when the card's certificate is not
 *   a 署名用 certificate (`kind-mismatch`) or is not canonical DER; card errors as the card raises them.
 */
export async function signCms(card: JpkiCard, content: Uint8Array, options: SignCmsOptions): Promise<Uint8Array> {
  if (!(content instanceof Uint8Array)) throw new InvalidArgumentError('content must be a Uint8Array');
  if (typeof options?.pin !== 'string') throw new InvalidArgumentError('options.pin is required');
  const signingTime = options.signingTime ?? new Date();
  if (!(signingTime instanceof Date) || Number.isNaN(signingTime.getTime())) {
    throw new InvalidArgumentError('signingTime must be a valid Date');
  }
  const signerDer = await card.jpki.readCertificate('sign', { pin: options.pin });
  const signer = decodeCertificate(signerDer);
  if (jpkiCertificateOf(signer).kind !== 'sign') {
    throw new CryptoError('The card certificate is not a 署名用 certificate', { code: 'kind-mismatch' });
  }
  const attributes = signedAttributes(content, signer, signingTime);
  const signedAttrsDer = encodeTlv(TAG_SET, attributes);
  const signature = await card.jpki.sign('sign', signedAttrsDer, { pin: options.pin, hash: 'SHA-256' });

  const certificates = [signer.der, ...(options.extraCertificates ?? []).map((der) => decodeCertificate(der).der)].sort(compareDer);
  const signerInfo = new SignerInfo({
    version: CMSVersion.v1,
    sid: new SignerIdentifier({
      issuerAndSerialNumber: new IssuerAndSerialNumber({
        issuer: signer.asn.tbsCertificate.issuer,
        serialNumber: arrayBuffer(signer.serialBytes),
      }),
    }),
    digestAlgorithm: new DigestAlgorithmIdentifier({ algorithm: OID.sha256 }),
    signedAttrs: attributes.map((a) => AsnConvert.parse(a, Attribute)),
    signatureAlgorithm: new SignatureAlgorithmIdentifier({ algorithm: OID.rsaEncryption, parameters: null }),
    signature: new OctetString(arrayBuffer(signature)),
  });
  const signedData = new SignedData({
    version: CMSVersion.v1,
    digestAlgorithms: new DigestAlgorithmIdentifiers([new DigestAlgorithmIdentifier({ algorithm: OID.sha256 })]),
    encapContentInfo: new EncapsulatedContentInfo({
      eContentType: id_data,
      ...(options.detached === true ? {} : { eContent: new EncapsulatedContent({ single: new OctetString(arrayBuffer(content)) }) }),
    }),
    certificates: new CertificateSet(
      certificates.map((der) => new CertificateChoices({ certificate: AsnConvert.parse(der, Certificate) })),
    ),
    signerInfos: new SignerInfos([signerInfo]),
  });
  const cms = serialize(new ContentInfo({ contentType: id_signedData, content: AsnConvert.serialize(signedData) }));

  // The encoder must have written exactly the bytes that were signed and hashed.
  const layout = cmsLayout(cms, 'der');
  const embedded = certificatesOf(layout.signedData);
  if (
    layout.signedAttrs === undefined ||
    !equalBytes(layout.signedAttrs, signedAttrsDer) ||
    embedded.length !== certificates.length ||
    !embedded.every((der, i) => equalBytes(der, certificates[i]!))
  ) {
    throw new CryptoError('CMS encoding changed signed bytes (a certificate is not canonical DER)', {
      code: 'cms-encoding',
    });
  }
  return cms;
}

/** Why a CMS signature is not valid (stable strings): chain reasons plus the CMS-level ones. */
export type CmsReason =
  | ChainReason
  | 'malformed-cms'
  | 'unsupported-signer-count'
  | 'signed-attributes-missing'
  | 'content-missing'
  | 'content-mismatch'
  | 'content-type-mismatch'
  | 'message-digest-mismatch'
  | 'signer-certificate-missing'
  | 'cms-signature-invalid'
  | 'signing-certificate-missing'
  | 'signing-certificate-mismatch'
  | 'kind-mismatch';

/** Options of {@link verifyCms}. */
export interface VerifyCmsOptions extends VerifyJpkiChainOptions {
  /** The signed content, required for a detached signature. */
  readonly content?: Uint8Array;
}

/** Result of {@link verifyCms}. */
export interface CmsVerificationResult {
  /** `true` exactly when `reasons` is empty. */
  readonly valid: boolean;
  /** Every problem found (see {@link CmsReason}). */
  readonly reasons: readonly CmsReason[];
  /** The signer's certificate, parsed. */
  readonly signer?: JpkiCertificate;
  /** The signingTime attribute as claimed by the signer (not a trusted time). */
  readonly signingTime?: Date;
  /** The signed content (encapsulated, or the one passed in for a detached signature). */
  readonly content?: Uint8Array;
  /** The chain validation of the signer certificate. */
  readonly chain?: JpkiChainResult;
}

interface CmsLayout {
  /** The SignedData SEQUENCE node. */
  readonly signedData: TlvNode;
  /** The exact signed attributes of the (first) SignerInfo, re-tagged as SET (RFC 5652 §5.4). */
  readonly signedAttrs: Uint8Array | undefined;
}

/** Locate SignedData and the signed attributes with the TLV core. */
function cmsLayout(cms: Uint8Array, mode: 'der' | 'ber'): CmsLayout {
  const nodes = decodeTlv(cms, { mode });
  const contentInfo = nodes.length === 1 ? nodes[0] : undefined;
  const signedData = contentInfo?.children[1]?.children[0];
  const signerInfos = signedData?.children.at(-1);
  if (signedData === undefined || signerInfos?.tag !== TAG_SET) throw new CryptoError('Malformed CMS', { code: 'malformed-cms' });
  const attrs = signerInfos.children[0]?.children.find((n) => n.tag === TAG_CONTEXT_0);
  return {
    signedData,
    signedAttrs: attrs === undefined ? undefined : concatBytes(Uint8Array.of(TAG_SET), attrs.encoded.subarray(1)),
  };
}

function bytesOf(value: ArrayBuffer | ArrayBufferView): Uint8Array {
  return value instanceof ArrayBuffer
    ? new Uint8Array(value)
    : new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
}

interface ParsedSigned {
  readonly signedData: SignedData;
  readonly signerInfo: SignerInfo | undefined;
  readonly signerCount: number;
  readonly layout: CmsLayout;
  readonly certificates: readonly Uint8Array[];
}

function parseCms(cms: Uint8Array): ParsedSigned {
  try {
    const layout = cmsLayout(cms, 'ber');
    const contentInfo = AsnConvert.parse(cms, ContentInfo);
    if (contentInfo.contentType !== id_signedData) throw new CryptoError('Not SignedData', { code: 'malformed-cms' });
    const signedData = AsnConvert.parse(contentInfo.content, SignedData);
    return {
      signedData,
      signerInfo: signedData.signerInfos[0],
      signerCount: signedData.signerInfos.length,
      layout,
      certificates: certificatesOf(layout.signedData),
    };
  } catch (error) {
    throw new CryptoError('Malformed CMS', { code: 'malformed-cms', cause: error });
  }
}

/**
 * Single-valued signed attributes by type, decoded from the signed `SET OF` bytes; `undefined`
 * when they do not decode, or an attribute repeats or has several values (RFC 5652 §11).
 */
function signedAttributesOf(signedAttrs: Uint8Array): Map<string, Uint8Array> | undefined {
  let attributes: SignedAttributeSet;
  try {
    attributes = AsnConvert.parse(signedAttrs, SignedAttributeSet);
  } catch {
    return undefined;
  }
  const map = new Map<string, Uint8Array>();
  for (const a of attributes) {
    if (map.has(a.attrType) || a.attrValues.length !== 1) return undefined;
    map.set(a.attrType, new Uint8Array(a.attrValues[0]!));
  }
  return map;
}

/** The certificate named by the SignerIdentifier. */
function findSigner(sid: SignerIdentifier, certificates: readonly Uint8Array[]): DecodedCertificate | undefined {
  for (const der of certificates) {
    let certificate: DecodedCertificate;
    try {
      certificate = decodeCertificate(der);
    } catch {
      continue;
    }
    const ias = sid.issuerAndSerialNumber;
    const issuerDer = ias === undefined ? undefined : reencode(ias.issuer);
    if (ias !== undefined && issuerDer === undefined) {
      throw new CryptoError('The SignerInfo issuer name cannot be encoded', { code: 'malformed-cms' });
    }
    if (
      ias !== undefined &&
      issuerDer !== undefined &&
      equalBytes(issuerDer, certificate.issuerDer) &&
      equalBytes(bytesOf(ias.serialNumber), certificate.serialBytes)
    ) {
      return certificate;
    }
    const ski = sid.subjectKeyIdentifier;
    const certificateSki = certificate.extensions.get(OID.subjectKeyIdentifier)?.value;
    if (ski !== undefined && certificateSki !== undefined && equalBytes(encodeTlv(0x04, bytesOf(ski)), certificateSki)) {
      return certificate;
    }
  }
  return undefined;
}

/** ESS signingCertificateV2 names `signer` (hash, and issuer/serial when present). */
function essMatches(value: Uint8Array, signer: DecodedCertificate, allowSha1: boolean): boolean {
  let ess: SigningCertificateV2;
  try {
    ess = AsnConvert.parse(value, SigningCertificateV2);
  } catch {
    return false;
  }
  const first = ess.certs[0];
  if (first === undefined) return false;
  const hash = first.hashAlgorithm === undefined ? 'SHA-256' : digestAlgorithmHash(first.hashAlgorithm.algorithm);
  if (hash === undefined || (hash === 'SHA-1' && !allowSha1)) return false;
  if (!equalBytes(bytesOf(first.certHash), hashData(hash, signer.der))) return false;
  const issuerSerial = first.issuerSerial;
  if (issuerSerial === undefined) return true;
  return (
    equalBytes(bytesOf(issuerSerial.serialNumber), signer.serialBytes) &&
    issuerSerial.issuer.some((n) => n.directoryName !== undefined && equalBytes(reencode(n.directoryName) ?? new Uint8Array(0), signer.issuerDer))
  );
}

/** Hash of the signature: the digest algorithm, which a `…WithRSAEncryption` OID must agree with. */
function signatureHash(info: SignerInfo, reasons: Set<CmsReason>, allowSha1: boolean): HashAlgorithm | undefined {
  const hash = digestAlgorithmHash(info.digestAlgorithm.algorithm);
  const algorithm = info.signatureAlgorithm.algorithm;
  if (hash === undefined || (algorithm !== OID.rsaEncryption && rsaSignatureHash(algorithm) !== hash)) {
    reasons.add('unsupported-algorithm');
    return undefined;
  }
  if (hash === 'SHA-1' && !allowSha1) reasons.add('sha1-signature');
  return hash;
}

/**
 * Check contentType and messageDigest; return the claimed signingTime.
 * @throws on an undecodable attribute value (reported as `malformed-cms`).
 */
function checkAttributes(
  attributes: ReadonlyMap<string, Uint8Array>,
  eContentType: string,
  hash: HashAlgorithm | undefined,
  content: Uint8Array | undefined,
  reasons: Set<CmsReason>,
): Date | undefined {
  const contentType = attributes.get(ATTR.contentType);
  if (contentType === undefined || !equalBytes(contentType, oidDer(eContentType))) reasons.add('content-type-mismatch');
  const digest = attributes.get(ATTR.messageDigest);
  if (digest === undefined) {
    reasons.add('message-digest-mismatch');
  } else if (hash !== undefined && content !== undefined) {
    const claimed = bytesOf(AsnConvert.parse(digest, OctetString));
    if (!equalBytes(claimed, hashData(hash, content))) reasons.add('message-digest-mismatch');
  }
  const time = attributes.get(ATTR.signingTime);
  return time === undefined ? undefined : AsnConvert.parse(time, Time).getTime();
}

/**
 * Verify a CMS SignedData made with a JPKI 署名用 certificate: message digest, the signature over
 * the signed attributes, the ESS signingCertificateV2 binding (no certificate swap), and the
 * signer's chain at `options.at` (see {@link verifyJpkiChain}); the signer must be a 署名用
 * certificate. Exactly one SignerInfo is supported. Malformed input is reported, not thrown.
 *
 * @throws InvalidArgumentError for a missing/invalid `at` or a non-Uint8Array input.
 */
export async function verifyCms(cms: Uint8Array, options: VerifyCmsOptions): Promise<CmsVerificationResult> {
  if (!(cms instanceof Uint8Array)) throw new InvalidArgumentError('cms must be a Uint8Array');
  if (!(options?.at instanceof Date) || Number.isNaN(options.at.getTime())) {
    throw new InvalidArgumentError('verifyCms needs options.at, a valid Date');
  }
  if (options.content !== undefined && !(options.content instanceof Uint8Array)) {
    throw new InvalidArgumentError('content must be a Uint8Array');
  }
  const allowSha1 = options.allowSha1 === true;
  const reasons = new Set<CmsReason>();
  const done = (extra: Partial<CmsVerificationResult> = {}): CmsVerificationResult => ({
    valid: reasons.size === 0,
    reasons: [...reasons],
    ...extra,
  });
  let parsed: ParsedSigned;
  try {
    parsed = parseCms(cms);
  } catch (error) {
    if (!(error instanceof CryptoError)) throw error;
    reasons.add('malformed-cms');
    return done();
  }
  const { signedData, signerInfo, layout } = parsed;
  if (signerInfo === undefined || parsed.signerCount !== 1) {
    reasons.add('unsupported-signer-count');
    return done();
  }
  const encapsulated = signedData.encapContentInfo.eContent?.single;
  const content = encapsulated === undefined ? options.content : bytesOf(encapsulated);
  if (content === undefined) reasons.add('content-missing');
  if (encapsulated !== undefined && options.content !== undefined && !equalBytes(bytesOf(encapsulated), options.content)) {
    reasons.add('content-mismatch');
  }
  const hash = signatureHash(signerInfo, reasons, allowSha1);

  // Attribute values come from the very bytes the signature covers (no second parser involved).
  const attributes = layout.signedAttrs === undefined ? undefined : signedAttributesOf(layout.signedAttrs);
  let signingTime: Date | undefined;
  if (layout.signedAttrs === undefined) {
    reasons.add('signed-attributes-missing');
  } else if (attributes === undefined) {
    reasons.add('malformed-cms');
  } else {
    try {
      signingTime = checkAttributes(attributes, signedData.encapContentInfo.eContentType, hash, content, reasons);
    } catch {
      reasons.add('malformed-cms');
    }
  }

  let signer: DecodedCertificate | undefined;
  try {
    signer = findSigner(signerInfo.sid, parsed.certificates);
  } catch (error) {
    if (!(error instanceof CryptoError)) throw error;
    reasons.add('malformed-cms');
    return done();
  }
  let chain: JpkiChainResult | undefined;
  if (signer === undefined) {
    reasons.add('signer-certificate-missing');
  } else {
    if (hash !== undefined && layout.signedAttrs !== undefined) {
      const ok = await verifyWithCertificateKey(signer, hash, bytesOf(signerInfo.signature), layout.signedAttrs).catch(
        (error: unknown) => {
          if (error instanceof CryptoError) return false;
          throw error;
        },
      );
      if (!ok) reasons.add('cms-signature-invalid');
    }
    const ess = attributes?.get(ATTR.signingCertificateV2);
    if (attributes !== undefined && ess === undefined) reasons.add('signing-certificate-missing');
    else if (ess !== undefined && !essMatches(ess, signer, allowSha1)) reasons.add('signing-certificate-mismatch');
    chain = await verifyJpkiChain(signer.der, options);
    for (const reason of chain.reasons) reasons.add(reason);
    if (chain.certificate !== undefined && chain.certificate.kind !== 'sign') reasons.add('kind-mismatch');
  }
  return done({
    ...(chain?.certificate === undefined ? {} : { signer: chain.certificate }),
    ...(signingTime === undefined ? {} : { signingTime }),
    ...(content === undefined ? {} : { content: Uint8Array.from(content) }),
    ...(chain === undefined ? {} : { chain }),
  });
}
