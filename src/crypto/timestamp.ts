/**
 * RFC 3161 time-stamp tokens for signature timestamps (CAdES / PAdES B-T): the request, the
 * token out of a TSA's reply, and its verification — TSTInfo imprint and nonce, the CMS
 * signature of the TSA, its certificate's critical timeStamping EKU and validity at genTime,
 * and (given TSA trust anchors) its issuer. Browser-safe.
 * @packageDocumentation
 */
import { equalBytes } from '../bytes.js';
import { CryptoError } from '../errors.js';
import { hashData } from '../hash/digest-info.js';
import { decodeTlv, encodeTlv, readTlvTime, TlvError, type TlvNode } from '../tlv/index.js';
import { cmsLayout, signedAttributesOf } from './cms-layout.js';
import { encodeOid, readOid, seq } from './der.js';
import { verifyWithCertificateKey } from './signature.js';
import { decodeCertificate, digestAlgorithmHash, OID, rsaSignatureHash, type DecodedCertificate } from './x509.js';

/** id-ct-TSTInfo (RFC 3161 §2.4.2). */
export const ID_CT_TST_INFO = '1.2.840.113549.1.9.16.1.4';
/** id-aa-signatureTimeStampToken: the unsigned attribute that carries it (RFC 3161 Appendix A). */
export const ID_AA_SIGNATURE_TIMESTAMP = '1.2.840.113549.1.9.16.2.14';
const ID_KP_TIME_STAMPING = '1.3.6.1.5.5.7.3.8';
const ATTR_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const ATTR_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';

/**
 * Why a time-stamp token is not valid (stable strings): `timestamp-malformed`,
 * `timestamp-imprint-mismatch` (it stamps other data), `timestamp-nonce-mismatch`,
 * `timestamp-signature-invalid`, `timestamp-certificate-invalid` (no critical timeStamping EKU,
 * or outside its validity at genTime), `timestamp-untrusted` (no TSA trust anchor issued it).
 */
export type TimestampReason =
  | 'timestamp-malformed'
  | 'timestamp-imprint-mismatch'
  | 'timestamp-nonce-mismatch'
  | 'timestamp-signature-invalid'
  | 'timestamp-certificate-invalid'
  | 'timestamp-untrusted';

/** The verification of a time-stamp token. @internal */
export interface TimestampVerification {
  readonly valid: boolean;
  readonly reasons: readonly TimestampReason[];
  /** genTime of the TSTInfo: the TSA's time. */
  readonly genTime?: Date;
  /** The TSA certificate (DER). */
  readonly tsaCertificate?: Uint8Array;
}

/** A DER TimeStampReq for a SHA-256 `imprint`, with `nonce` and certReq TRUE. @internal */
export function timestampRequest(imprint: Uint8Array, nonce: Uint8Array): Uint8Array {
  const positiveNonce = nonce[0]! & 0x80 ? Uint8Array.of(0, ...nonce) : nonce;
  return seq(
    encodeTlv(0x02, Uint8Array.of(1)),
    seq(seq(encodeOid(OID.sha256)), encodeTlv(0x04, imprint)),
    encodeTlv(0x02, positiveNonce),
    encodeTlv(0x01, Uint8Array.of(0xff)),
  );
}

/**
 * The token of a DER TimeStampResp whose status is granted (0) or grantedWithMods (1).
 * @throws CryptoError `malformed-cms` for anything else.
 * @internal
 */
export function timestampTokenOf(response: Uint8Array): Uint8Array {
  try {
    const [resp] = decodeTlv(response);
    const status = resp?.children[0]?.children[0];
    const token = resp?.children[1];
    if (resp?.tag !== 0x30 || status?.tag !== 0x02 || status.value.length !== 1 || status.value[0]! > 1 || token?.tag !== 0x30) {
      throw new CryptoError('The TSA did not grant a time-stamp token', { code: 'malformed-cms' });
    }
    return token.encoded.slice();
  } catch (error) {
    if (error instanceof TlvError) throw new CryptoError('Malformed time-stamp response', { code: 'malformed-cms', cause: error });
    throw error;
  }
}

function trimInteger(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

/** TSTInfo fields: the imprint (SHA-256 only), nonce and genTime. */
function tstInfo(eContent: Uint8Array): { imprint: Uint8Array; nonce?: Uint8Array; genTime: Date } | undefined {
  const [info] = decodeTlv(eContent);
  const parts = info?.children ?? [];
  const imprint = parts[2];
  const genTime = parts[4];
  if (info?.tag !== 0x30 || imprint?.tag !== 0x30 || genTime?.tag !== 0x18) return undefined;
  const algorithm = imprint.children[0]?.children[0];
  const digest = imprint.children[1];
  if (algorithm?.tag !== 0x06 || readOid(algorithm) !== OID.sha256 || digest?.tag !== 0x04) return undefined;
  const nonce = parts.slice(5).find((n: TlvNode) => n.tag === 0x02);
  return { imprint: digest.value, ...(nonce === undefined ? {} : { nonce: nonce.value }), genTime: readTlvTime(genTime) };
}

/** Critical extKeyUsage that is exactly id-kp-timeStamping (RFC 3161 §2.3). */
function isTsaCertificate(certificate: DecodedCertificate): boolean {
  const eku = certificate.extensions.get(OID.extKeyUsage);
  if (eku === undefined || !eku.critical) return false;
  const [list] = decodeTlv(eku.value);
  return list?.tag === 0x30 && list.children.length === 1 && readOid(list.children[0]!) === ID_KP_TIME_STAMPING;
}

/** `certificate` is one of `roots` or is signed by one of them. */
async function issuedByRoot(certificate: DecodedCertificate, roots: readonly Uint8Array[]): Promise<boolean> {
  for (const der of roots) {
    const root = decodeCertificate(der);
    if (equalBytes(root.der, certificate.der)) return true;
    const hash = rsaSignatureHash(certificate.signatureAlgorithm);
    if (hash === undefined || !equalBytes(root.subjectDer, certificate.issuerDer)) continue;
    if (await verifyWithCertificateKey(root, hash, certificate.signature, certificate.tbs).catch(() => false)) return true;
  }
  return false;
}

/**
 * Verify a time-stamp token for a SHA-256 `imprint` (and `nonce` when the caller sent one).
 * Without `roots` the TSA is not trusted (`timestamp-untrusted`). Malformed input is reported.
 * @internal
 */
export async function verifyTimestampToken(
  token: Uint8Array,
  options: { readonly imprint: Uint8Array; readonly nonce?: Uint8Array; readonly roots?: readonly Uint8Array[] },
): Promise<TimestampVerification> {
  const reasons = new Set<TimestampReason>();
  const done = (extra: Partial<TimestampVerification> = {}): TimestampVerification => ({ valid: reasons.size === 0, reasons: [...reasons], ...extra });
  try {
    const layout = cmsLayout(token.slice(), 'ber');
    const info = layout.eContent === undefined ? undefined : tstInfo(layout.eContent);
    const signerInfo = layout.signerInfo;
    const hash = signerInfo === undefined ? undefined : digestAlgorithmHash(signerInfo.digestAlgorithm);
    const attributes = signerInfo?.signedAttrs === undefined ? undefined : signedAttributesOf(signerInfo.signedAttrs);
    if (layout.eContentType !== ID_CT_TST_INFO || info === undefined || layout.signerCount !== 1 || hash === undefined || attributes === undefined) {
      reasons.add('timestamp-malformed');
      return done();
    }
    if (!equalBytes(info.imprint, options.imprint)) reasons.add('timestamp-imprint-mismatch');
    if (options.nonce !== undefined && (info.nonce === undefined || !equalBytes(trimInteger(info.nonce), trimInteger(options.nonce)))) {
      reasons.add('timestamp-nonce-mismatch');
    }
    const contentType = attributes.values.get(ATTR_CONTENT_TYPE);
    const digest = attributes.values.get(ATTR_MESSAGE_DIGEST);
    const digestOk = digest?.tag === 0x04 && equalBytes(digest.value, hashData(hash, layout.eContent!));
    const typeOk = contentType?.tag === 0x06 && readOid(contentType) === ID_CT_TST_INFO;
    const sid = signerInfo!.sid;
    const signer = layout.certificates
      .map((der) => decodeCertificate(der))
      .find((c) =>
        sid.tag === 0x30
          ? equalBytes(sid.children[0]!.encoded, c.issuerDer) && equalBytes(sid.children[1]!.value, c.serialBytes)
          : equalBytes(encodeTlv(0x04, sid.value), c.extensions.get(OID.subjectKeyIdentifier)?.value ?? new Uint8Array(0)),
      );
    const signatureOk =
      signer !== undefined &&
      (await verifyWithCertificateKey(signer, hash, signerInfo!.signature, signerInfo!.signedAttrs!).catch(() => false));
    if (!digestOk || !typeOk || !signatureOk) reasons.add('timestamp-signature-invalid');
    if (signer !== undefined) {
      if (!isTsaCertificate(signer) || info.genTime < signer.notBefore || info.genTime > signer.notAfter) reasons.add('timestamp-certificate-invalid');
      if (options.roots === undefined || !(await issuedByRoot(signer, options.roots))) reasons.add('timestamp-untrusted');
    }
    return done({ genTime: info.genTime, ...(signer === undefined ? {} : { tsaCertificate: signer.der.slice() }) });
  } catch (error) {
    if (!(error instanceof CryptoError || error instanceof TlvError)) throw error;
    reasons.add('timestamp-malformed');
    return done();
  }
}
