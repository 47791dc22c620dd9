/**
 * The one place `mynacard/pdf` touches the card API: a {@link PdfSigner} over the card's 署名用
 * key (JPKI AP). Kept small so that changes of the card sessions' secret passing stay local.
 * @packageDocumentation
 */
import { CryptoError, InvalidArgumentError } from '../errors.js';
import type { JpkiCard } from '../crypto/card.js';
import { parseJpkiCertificate } from '../crypto/parse.js';
import type { SecretInput } from '../secret.js';
import type { PdfSigner } from './signer.js';

/** How `signPdf` reaches the card: the session and the 署名用電子証明書のパスワード. */
export interface PdfCardOptions {
  /** An open card session (`MyNumberCard`, real or over the virtual card). */
  readonly card: JpkiCard;
  /**
   * 署名用電子証明書のパスワード (6–16 characters): a string, bytes (wiped after use) or a
   * provider the SDK asks after reading the tries left (asked once; the answer serves both
   * VERIFYs). Never logged, never retried.
   */
  readonly pin: SecretInput;
}

/**
 * Read the 署名用 certificate (one VERIFY of the password; a wrong password fails here, before
 * any signature) and return a signer over the card's 署名用 key. `pin` hands out the secret for
 * each VERIFY (see `reusableSecret`).
 * @throws CryptoError `kind-mismatch` when the card's certificate is not a 署名用 certificate.
 * @internal
 */
export async function cardSigner(card: JpkiCard, pin: () => SecretInput): Promise<PdfSigner> {
  if (typeof card?.jpki?.sign !== 'function') throw new InvalidArgumentError('options.card must be a card session');
  const certificate = await card.jpki.readCertificate('sign', { pin: pin() });
  if (parseJpkiCertificate(certificate).kind !== 'sign') {
    throw new CryptoError('The card certificate is not a 署名用 certificate', { code: 'kind-mismatch' });
  }
  return { certificate, sign: (data) => card.jpki.sign('sign', data, { pin: pin(), hash: 'SHA-256' }) };
}
