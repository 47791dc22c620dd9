/**
 * A detached CMS `SignedData` (RFC 5652) over a digest computed elsewhere — the form PDF
 * signatures need, where the signed bytes are the two ByteRange parts of a file and never exist
 * as one buffer. The signer is a callback (the card's 署名用 key, or an HSM), so the structure is
 * the same for both. Signed attributes are written in DER `SET OF` order (X.690 §11.6), the order
 * PAdES validators and OpenSSL require. Browser-safe.
 * @packageDocumentation
 */
import { equalBytes } from '../bytes.js';
import { CryptoError, InvalidArgumentError } from '../errors.js';
import { hashData } from '../hash/digest-info.js';
import { encodeTlv } from '../tlv/index.js';
import { cmsLayout, ID_DATA, ID_SIGNED_DATA } from './cms-layout.js';
import { compareDer, encodeOid, encodeTime, seq, setOf } from './der.js';
import { ID_AA_SIGNATURE_TIMESTAMP } from './timestamp.js';
import { decodeCertificate, OID, type DecodedCertificate } from './x509.js';

/** Signed-attribute OIDs (RFC 5652 §11, RFC 5035). */
const ATTR = {
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
} as const;

const TAG_SET = 0x31;
const NULL = Uint8Array.of(0x05, 0x00);

/** Who signs: the certificate and an RSASSA-PKCS1-v1_5 / SHA-256 signature over given bytes. @internal */
export interface DigestSigner {
  /** DER signer certificate. */
  readonly certificate: Uint8Array;
  /** More DER certificates to embed (e.g. the issuing CA). */
  readonly extraCertificates?: readonly Uint8Array[];
  /** Sign `data` (the host hashes it with SHA-256; PKCS #1 v1.5). */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/** Options of {@link signCmsDigest}. @internal */
export interface SignCmsDigestOptions {
  /** A signingTime attribute; absent when undefined (PAdES puts the time in the PDF's `/M`). */
  readonly signingTime?: Date;
  /**
   * Fetch a signature time-stamp token for the signature value (RFC 3161 Appendix A); it is
   * embedded as the unsigned attribute id-aa-signatureTimeStampToken.
   */
  readonly timestamp?: (signature: Uint8Array) => Promise<Uint8Array>;
}

function attribute(type: string, value: Uint8Array): Uint8Array {
  return seq(encodeOid(type), encodeTlv(TAG_SET, value));
}

/** ESS `SigningCertificateV2 { certs { ESSCertIDv2 { certHash, issuerSerial } } }` (RFC 5035). */
function signingCertificateV2(signer: DecodedCertificate): Uint8Array {
  const issuerSerial = seq(seq(encodeTlv(0xa4, signer.issuerDer)), encodeTlv(0x02, signer.serialBytes));
  return seq(seq(seq(encodeTlv(0x04, hashData('SHA-256', signer.der)), issuerSerial)));
}

/**
 * A detached DER CMS ContentInfo/SignedData whose messageDigest is `digest` (SHA-256 of the
 * content): signed attributes contentType id-data, messageDigest, ESS signingCertificateV2 and,
 * when asked, signingTime — in DER order — one SignerInfo by issuerAndSerialNumber, the signer
 * certificate and the extra certificates embedded.
 * @throws InvalidArgumentError for a digest that is not 32 bytes; CryptoError for an undecodable
 *   or non-canonical certificate.
 * @internal
 */
export async function signCmsDigest(signer: DigestSigner, digest: Uint8Array, options: SignCmsDigestOptions = {}): Promise<Uint8Array> {
  if (!(digest instanceof Uint8Array) || digest.length !== 32) throw new InvalidArgumentError('digest must be 32 bytes (SHA-256)');
  const certificate = decodeCertificate(signer.certificate);
  const attributes = [
    attribute(ATTR.contentType, encodeOid(ID_DATA)),
    attribute(ATTR.messageDigest, encodeTlv(0x04, digest)),
    attribute(ATTR.signingCertificateV2, signingCertificateV2(certificate)),
    ...(options.signingTime === undefined ? [] : [attribute(ATTR.signingTime, encodeTime(options.signingTime))]),
  ].sort(compareDer);
  const signedAttrsDer = encodeTlv(TAG_SET, attributes);
  const signature = await signer.sign(signedAttrsDer);
  if (!(signature instanceof Uint8Array) || signature.length === 0) throw new CryptoError('The signer returned no signature');

  const extra = (signer.extraCertificates ?? []).map((der) => decodeCertificate(der).der);
  const certificates = [certificate.der, ...extra].sort(compareDer);
  const sha256 = seq(encodeOid(OID.sha256));
  const token = options.timestamp === undefined ? undefined : await options.timestamp(signature);
  const signerInfo = seq(
    encodeTlv(0x02, Uint8Array.of(1)),
    seq(certificate.issuerDer, encodeTlv(0x02, certificate.serialBytes)),
    sha256,
    encodeTlv(0xa0, attributes),
    seq(encodeOid(OID.rsaEncryption), NULL),
    encodeTlv(0x04, signature),
    ...(token === undefined ? [] : [encodeTlv(0xa1, attribute(ID_AA_SIGNATURE_TIMESTAMP, token))]),
  );
  const signedData = seq(
    encodeTlv(0x02, Uint8Array.of(1)),
    setOf([sha256]),
    seq(encodeOid(ID_DATA)),
    encodeTlv(0xa0, certificates),
    encodeTlv(TAG_SET, signerInfo),
  );
  const cms = seq(encodeOid(ID_SIGNED_DATA), encodeTlv(0xa0, signedData));
  const layout = cmsLayout(cms, 'der');
  if (layout.signerInfo?.signedAttrs === undefined || !equalBytes(layout.signerInfo.signedAttrs, signedAttrsDer)) {
    throw new CryptoError('CMS encoding changed signed bytes (a certificate is not canonical DER)', { code: 'cms-encoding' });
  }
  return cms;
}
