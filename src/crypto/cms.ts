/**
 * CMS `SignedData` (RFC 5652) with a JPKI 署名用 key: CAdES-BES signed attributes (contentType,
 * messageDigest, signingTime, ESS signingCertificateV2), written with the TLV encoder, and its
 * verification, read with the TLV core. The exact bytes that are signed or hashed are taken from
 * the input, never from a re-encoding. Browser-safe.
 * @packageDocumentation
 */
import { isSecretInput, reusableSecret, type SecretInput } from '../secret.js';
import { equalBytes } from '../bytes.js';
import { CryptoError, InvalidArgumentError } from '../errors.js';
import { hashData, type HashAlgorithm } from '../hash/digest-info.js';
import { encodeTlv, readTlvTime, type TlvNode } from '../tlv/index.js';
import type { JpkiCard } from './card.js';
import { verifyDecodedChain, type ChainReason, type JpkiChainResult, type VerifyJpkiChainOptions } from './chain.js';
import { cmsLayout, ID_DATA, ID_SIGNED_DATA, signedAttributesOf, type SignerInfoLayout } from './cms-layout.js';
import { compareDer, encodeOid, encodeTime, readOid, seq, setOf } from './der.js';
import { jpkiCertificateOf, type JpkiCertificate } from './parse.js';
import { checkCertificateSignature, type SignatureAlgorithmName } from './signature.js';
import { carriedSignature, checkSignerKey, signerScheme } from './signer.js';
import { decodeCertificate, digestAlgorithmHash, ecdsaSignatureHash, OID, rsaSignatureHash, type DecodedCertificate } from './x509.js';

/** Signed-attribute OIDs (RFC 5652 §11, RFC 5035). */
const ATTR = {
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
} as const;

const TAG_SET = 0x31;
const NULL = Uint8Array.of(0x05, 0x00);

/** Options of {@link signCms}. */
export interface SignCmsOptions {
  /**
   * 署名用電子証明書のパスワード (6–16 characters): a value, or a provider asked once (its answer
   * serves both VERIFYs). Never logged, never retried.
   */
  readonly pin: SecretInput;
  /** Leave the content out of the CMS (a detached signature). Default `false`. */
  readonly detached?: boolean;
  /** The signingTime attribute; default: the current time. */
  readonly signingTime?: Date;
  /** More certificates to embed, e.g. the 署名用 CA certificate. */
  readonly extraCertificates?: readonly Uint8Array[];
}

function attribute(type: string, value: Uint8Array): Uint8Array {
  return seq(encodeOid(type), encodeTlv(TAG_SET, value));
}

/** ESS `SigningCertificateV2 { certs { ESSCertIDv2 { certHash, issuerSerial { [4] issuer, serial } } } }` (RFC 5035). */
function signingCertificateV2(signer: DecodedCertificate): Uint8Array {
  const issuerSerial = seq(seq(encodeTlv(0xa4, signer.issuerDer)), encodeTlv(0x02, signer.serialBytes));
  return seq(seq(seq(encodeTlv(0x04, hashData('SHA-256', signer.der)), issuerSerial)));
}

/** The DER-sorted signed attributes of a CAdES-BES signature. */
function signedAttributes(content: Uint8Array, signer: DecodedCertificate, signingTime: Date, hash: HashAlgorithm): Uint8Array[] {
  return [
    attribute(ATTR.contentType, encodeOid(ID_DATA)),
    attribute(ATTR.signingTime, encodeTime(signingTime)),
    attribute(ATTR.messageDigest, encodeTlv(0x04, hashData(hash, content))),
    attribute(ATTR.signingCertificateV2, signingCertificateV2(signer)),
  ].sort(compareDer);
}

/**
 * Sign `content` with the card's 署名用 key and return a DER CMS `ContentInfo` holding a
 * `SignedData` (RFC 5652): version 1, SHA-256 (RSA and P-256; SHA-384 for a P-384 key, as
 * declared by {@link JpkiCard}'s `keyAlgorithm`), encapsulated id-data (absent when detached), one
 * SignerInfo identified by issuerAndSerialNumber, signed attributes contentType, messageDigest,
 * signingTime and ESS signingCertificateV2 (CAdES-BES) in DER order, and the signer certificate.
 *
 * The card is asked twice with the same password (READ of the sign certificate, then the
 * signature); a wrong password fails the first call, so only one try is spent.
 *
 * With an ECDSA signer the card's raw `r ‖ s` becomes a DER `ECDSA-Sig-Value` and the
 * SignerInfo names ecdsa-with-SHA256 / ecdsa-with-SHA384 (RFC 5753); with RSA it names
 * rsaEncryption, as before.
 *
 * @throws InvalidArgumentError for bad arguments; CryptoError when the card's certificate is not
 *   a 署名用 certificate (`kind-mismatch`), its key is not of the declared algorithm
 *   (`key-algorithm-mismatch`), the ECDSA signature is unusable (`malformed-signature`) or a
 *   certificate is not canonical DER; card errors as the card raises them.
 */
export async function signCms(card: JpkiCard, content: Uint8Array, options: SignCmsOptions): Promise<Uint8Array> {
  if (!(content instanceof Uint8Array)) throw new InvalidArgumentError('content must be a Uint8Array');
  if (!isSecretInput(options?.pin)) throw new InvalidArgumentError('options.pin is required');
  const signingTime = options.signingTime ?? new Date();
  if (!(signingTime instanceof Date) || Number.isNaN(signingTime.getTime())) {
    throw new InvalidArgumentError('signingTime must be a valid Date');
  }
  const pin = reusableSecret(options.pin);
  try {
    return await signWith(card, content, pin.use, signingTime, options);
  } finally {
    pin.wipe();
  }
}

async function signWith(
  card: JpkiCard,
  content: Uint8Array,
  pin: () => SecretInput,
  signingTime: Date,
  options: SignCmsOptions,
): Promise<Uint8Array> {
  const scheme = signerScheme(card);
  const signerDer = await card.jpki.readCertificate('sign', { pin: pin() });
  const signer = decodeCertificate(signerDer);
  if (jpkiCertificateOf(signer).kind !== 'sign') {
    throw new CryptoError('The card certificate is not a 署名用 certificate', { code: 'kind-mismatch' });
  }
  checkSignerKey(scheme, signer);
  const hash = scheme.hash ?? 'SHA-256';
  const attributes = signedAttributes(content, signer, signingTime, hash);
  const signedAttrsDer = encodeTlv(TAG_SET, attributes);
  const signature = carriedSignature(scheme, await card.jpki.sign('sign', signedAttrsDer, { pin: pin(), hash }));

  const certificates = [signer.der, ...(options.extraCertificates ?? []).map((der) => decodeCertificate(der).der)].sort(compareDer);
  const digestAlgorithm = seq(encodeOid(hash === 'SHA-384' ? OID.sha384 : OID.sha256));
  // RSA: rsaEncryption with NULL (RFC 3370 §3.2); ECDSA: ecdsa-with-SHA*, no parameters (RFC 5753 §2.1.1, RFC 5758 §3.2).
  const signatureAlgorithm =
    scheme.curve === undefined
      ? seq(encodeOid(OID.rsaEncryption), NULL)
      : seq(encodeOid(hash === 'SHA-384' ? OID.ecdsaWithSha384 : OID.ecdsaWithSha256));
  const signerInfo = seq(
    encodeTlv(0x02, Uint8Array.of(1)),
    seq(signer.issuerDer, encodeTlv(0x02, signer.serialBytes)),
    digestAlgorithm,
    encodeTlv(0xa0, attributes),
    signatureAlgorithm,
    encodeTlv(0x04, signature),
  );
  const encapsulated =
    options.detached === true ? seq(encodeOid(ID_DATA)) : seq(encodeOid(ID_DATA), encodeTlv(0xa0, encodeTlv(0x04, content)));
  const signedData = seq(
    encodeTlv(0x02, Uint8Array.of(1)),
    setOf([digestAlgorithm]),
    encapsulated,
    encodeTlv(0xa0, certificates),
    encodeTlv(TAG_SET, signerInfo),
  );
  const cms = seq(encodeOid(ID_SIGNED_DATA), encodeTlv(0xa0, signedData));

  // Every embedded certificate must be one canonical DER object, as signed and hashed.
  const layout = cmsLayout(cms, 'der');
  if (
    layout.signerInfo?.signedAttrs === undefined ||
    !equalBytes(layout.signerInfo.signedAttrs, signedAttrsDer) ||
    layout.certificates.length !== certificates.length
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
  | 'signed-attributes-not-der'
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
  /** The SignerInfo's signature algorithm, when the signer's key and the algorithm fit together. */
  readonly signatureAlgorithm?: SignatureAlgorithmName;
}

/** The certificate named by the SignerIdentifier (issuerAndSerialNumber or `[0]` subjectKeyIdentifier). */
function findSigner(sid: TlvNode, certificates: readonly Uint8Array[]): DecodedCertificate | undefined {
  for (const der of certificates) {
    let certificate: DecodedCertificate;
    try {
      certificate = decodeCertificate(der);
    } catch {
      continue;
    }
    if (sid.tag === 0x30) {
      const [issuer, serial] = sid.children as [TlvNode, TlvNode];
      if (equalBytes(issuer.encoded, certificate.issuerDer) && equalBytes(serial.value, certificate.serialBytes)) return certificate;
    } else {
      const ski = certificate.extensions.get(OID.subjectKeyIdentifier)?.value;
      if (ski !== undefined && equalBytes(encodeTlv(0x04, sid.value), ski)) return certificate;
    }
  }
  return undefined;
}

/** ESS signingCertificateV2 names `signer` (hash, and issuer/serial when present). */
function essMatches(value: TlvNode, signer: DecodedCertificate, allowSha1: boolean): boolean {
  const certs = value.tag === 0x30 ? value.children[0] : undefined;
  const first = certs?.tag === 0x30 ? certs.children[0] : undefined;
  const parts = first?.tag === 0x30 ? first.children : [];
  let i = 0;
  let hash: HashAlgorithm | undefined = 'SHA-256';
  if (parts[0]?.tag === 0x30) {
    const oid = parts[0].children[0];
    hash = oid?.tag === 0x06 ? digestAlgorithmHash(readOid(oid)) : undefined;
    i = 1;
  }
  const certHash = parts[i];
  if (certHash?.tag !== 0x04 || hash === undefined || (hash === 'SHA-1' && !allowSha1)) return false;
  if (!equalBytes(certHash.value, hashData(hash, signer.der))) return false;
  const issuerSerial = parts[i + 1];
  if (issuerSerial === undefined) return true;
  const [names, serial] = issuerSerial.children;
  if (issuerSerial.tag !== 0x30 || names?.tag !== 0x30 || serial?.tag !== 0x02) return false;
  return (
    equalBytes(serial.value, signer.serialBytes) &&
    names.children.some((n) => n.tag === 0xa4 && n.children.length === 1 && equalBytes(n.children[0]!.encoded, signer.issuerDer))
  );
}

/**
 * Hash of the signature: the digest algorithm, which a `…WithRSAEncryption` or
 * `ecdsa-with-…` OID must agree with.
 */
function signatureHash(info: SignerInfoLayout, reasons: Set<CmsReason>, allowSha1: boolean): HashAlgorithm | undefined {
  const hash = digestAlgorithmHash(info.digestAlgorithm);
  const algorithm = info.signatureAlgorithm;
  const named = rsaSignatureHash(algorithm) ?? ecdsaSignatureHash(algorithm);
  if (hash === undefined || (algorithm !== OID.rsaEncryption && named !== hash)) {
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
  attributes: ReadonlyMap<string, TlvNode>,
  eContentType: string,
  hash: HashAlgorithm | undefined,
  content: Uint8Array | undefined,
  reasons: Set<CmsReason>,
): Date | undefined {
  const contentType = attributes.get(ATTR.contentType);
  if (contentType === undefined || contentType.tag !== 0x06 || readOid(contentType) !== eContentType) {
    reasons.add('content-type-mismatch');
  }
  const digest = attributes.get(ATTR.messageDigest);
  if (digest === undefined) {
    reasons.add('message-digest-mismatch');
  } else {
    if (digest.tag !== 0x04) throw new CryptoError('messageDigest is not an OCTET STRING', { code: 'malformed-cms' });
    if (hash !== undefined && content !== undefined && !equalBytes(digest.value, hashData(hash, content))) {
      reasons.add('message-digest-mismatch');
    }
  }
  const time = attributes.get(ATTR.signingTime);
  return time === undefined ? undefined : readTlvTime(time);
}

/**
 * Verify a CMS SignedData made with a JPKI 署名用 certificate: message digest, the signature over
 * the signed attributes, the ESS signingCertificateV2 binding (no certificate swap), and the
 * signer's chain at `options.at` (see {@link verifyJpkiChain}, also for the `revocation` option);
 * the signer must be a 署名用 certificate. Exactly one SignerInfo is supported. Malformed input
 * is reported, not thrown.
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
  let layout: ReturnType<typeof cmsLayout>;
  try {
    layout = cmsLayout(cms.slice(), 'ber');
  } catch (error) {
    if (!(error instanceof CryptoError)) throw error;
    reasons.add('malformed-cms');
    return done();
  }
  const signerInfo = layout.signerInfo;
  if (signerInfo === undefined || layout.signerCount !== 1) {
    reasons.add('unsupported-signer-count');
    return done();
  }
  const encapsulated = layout.eContent;
  const content = encapsulated ?? options.content;
  if (content === undefined) reasons.add('content-missing');
  if (encapsulated !== undefined && options.content !== undefined && !equalBytes(encapsulated, options.content)) {
    reasons.add('content-mismatch');
  }
  const hash = signatureHash(signerInfo, reasons, allowSha1);

  // Attribute values come from the very bytes the signature covers (no second parser involved).
  const signedAttrs = signerInfo.signedAttrs;
  const attributes = signedAttrs === undefined ? undefined : signedAttributesOf(signedAttrs);
  let signingTime: Date | undefined;
  if (signedAttrs === undefined) {
    reasons.add('signed-attributes-missing');
  } else if (attributes === undefined) {
    reasons.add('malformed-cms');
  } else {
    if (!attributes.derOrder) reasons.add('signed-attributes-not-der');
    try {
      signingTime = checkAttributes(attributes.values, layout.eContentType, hash, content, reasons);
    } catch {
      reasons.add('malformed-cms');
    }
  }

  const signer = findSigner(signerInfo.sid, layout.certificates);
  let chain: JpkiChainResult | undefined;
  let signatureAlgorithm: SignatureAlgorithmName | undefined;
  if (signer === undefined) {
    reasons.add('signer-certificate-missing');
  } else {
    if (hash !== undefined && signedAttrs !== undefined) {
      const scheme = ecdsaSignatureHash(signerInfo.signatureAlgorithm) === undefined ? 'rsa' : 'ecdsa';
      const check = await checkCertificateSignature(signer, scheme, hash, signerInfo.signature, signedAttrs);
      signatureAlgorithm = check.algorithm;
      if (check.problem === 'malformed-signature' || check.problem === 'hash-curve-mismatch') reasons.add(check.problem);
      else if (!check.valid) reasons.add('cms-signature-invalid');
    }
    const ess = attributes?.values.get(ATTR.signingCertificateV2);
    if (attributes !== undefined && ess === undefined) reasons.add('signing-certificate-missing');
    else if (ess !== undefined && !essMatches(ess, signer, allowSha1)) reasons.add('signing-certificate-mismatch');
    chain = await verifyDecodedChain(signer, options);
    for (const reason of chain.reasons) reasons.add(reason);
    if (chain.certificate !== undefined && chain.certificate.kind !== 'sign') reasons.add('kind-mismatch');
  }
  return done({
    ...(chain?.certificate === undefined ? {} : { signer: chain.certificate }),
    ...(signingTime === undefined ? {} : { signingTime }),
    ...(content === undefined ? {} : { content: content.slice() }),
    ...(chain === undefined ? {} : { chain }),
    ...(signatureAlgorithm === undefined ? {} : { signatureAlgorithm }),
  });
}
