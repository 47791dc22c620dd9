/**
 * Card-verifiable certificate (EF 0004 of the text and face APs).
 * @packageDocumentation
 */
import { concatBytes } from '../../bytes.js';
import { InvalidArgumentError } from '../../errors.js';
import { encodeTlv } from '../../tlv/index.js';
import { keyId } from './fields.js';
import {
  encodeCardPublicKey,
  rsaPublicKeyBytes,
  signPkcs1Sha256,
  type RsaPrivateKeyInput,
  type RsaPublicKeyInput,
} from './keys.js';

/** Total size of EF 0004 (card-facts §3.2: `7F21 82 02 33` = 568 bytes). */
export const CV_CERTIFICATE_LENGTH = 568;
/** Length of the `5F4E` body: two key IDs and an RSA-2048 key (card-facts §3.2: `5F4E 82 01 29`). */
export const CV_CERTIFICATE_BODY_LENGTH = 0x129;

/**
 * What the `5F37` signature covers. [S]: card-facts §3.2 does not say.
 * - `'body-value'` (default): the 297 bytes of the `5F4E` value, without its header. This is
 *   what soltia48/myna-card verifies real production certificates against (MC data.rs).
 * - `'body-tlv'`: the whole `5F4E` TLV, header included.
 */
export type CvSignatureCoverage = 'body-value' | 'body-tlv';

/** Input of {@link buildCvCertificate}. */
export interface CvCertificateInput {
  /** 証明者鍵ID: 16 bytes naming the key that signs this certificate. */
  readonly issuerKeyId: Uint8Array;
  /** 被証明者鍵ID: 16 bytes naming the certified key. */
  readonly subjectKeyId: Uint8Array;
  /** The certified RSA-2048 public key (a private key is accepted; its public half is used). */
  readonly publicKey: RsaPublicKeyInput | RsaPrivateKeyInput;
  /** The issuer's RSA private key; signs with PKCS#1 v1.5 / SHA-256. */
  readonly issuerKey: RsaPrivateKeyInput;
  /** What the signature covers; default `'body-value'`. */
  readonly signatureCoverage?: CvSignatureCoverage;
}

/**
 * Build a card-verifiable certificate (カード検証可能証明書), card-facts §3.2 EF 0004:
 * `7F21 82 02 33` { `5F4E 82 01 29` 証明者鍵ID ‖ 被証明者鍵ID ‖ `90 03 01 00 01` ‖
 * `91 82 01 00` modulus; `5F37 82 01 00` signature } — 568 bytes.
 *
 * @throws InvalidArgumentError on a wrong key-ID length or a key that is not RSA-2048 / e=65537.
 */
export async function buildCvCertificate(input: CvCertificateInput): Promise<Uint8Array> {
  const publicKey = await rsaPublicKeyBytes(input.publicKey);
  const value = concatBytes(
    keyId(input.issuerKeyId, 'issuerKeyId'),
    keyId(input.subjectKeyId, 'subjectKeyId'),
    encodeCardPublicKey(publicKey),
  );
  const body = encodeTlv(0x5f4e, value);
  const coverage = input.signatureCoverage ?? 'body-value';
  const signature = await signPkcs1Sha256(input.issuerKey, coverage === 'body-value' ? value : body);
  const cert = encodeTlv(0x7f21, [body, encodeTlv(0x5f37, signature)]);
  if (value.length !== CV_CERTIFICATE_BODY_LENGTH || cert.length !== CV_CERTIFICATE_LENGTH) {
    // Only reachable with an exponent other than 65537 or a non-2048-bit issuer key.
    throw new InvalidArgumentError(
      `CV certificate is ${cert.length} bytes, expected ${CV_CERTIFICATE_LENGTH} (RSA-2048, e=65537)`,
    );
  }
  return cert;
}
