/**
 * What `signCms` and `authenticate` derive from a card's declared key algorithm: the hash, the
 * curve, the check that the certificate's key is of that algorithm, and the conversion of an
 * ECDSA device's raw `r ‖ s` to the DER that CMS and the verifiers carry. Browser-safe.
 * @packageDocumentation
 */
import { CryptoError, InvalidArgumentError } from '../errors.js';
import type { HashAlgorithm } from '../hash/digest-info.js';
import type { JpkiCard, JpkiKeyAlgorithm } from './card.js';
import { EC_CURVES, ecdsaSignatureFromRaw, type EcCurveName } from './ecdsa.js';
import { isEcKey, isRsaKey, type DecodedCertificate } from './x509.js';

/** A signer's algorithm resolved. @internal */
export interface SignerScheme {
  /** The declared algorithm. */
  readonly algorithm: JpkiKeyAlgorithm;
  /** The curve of an ECDSA signer. */
  readonly curve: EcCurveName | undefined;
  /** The hash an ECDSA signer must use (its curve's); `undefined` for RSA (caller's choice). */
  readonly hash: HashAlgorithm | undefined;
}

const CURVES: Readonly<Record<Exclude<JpkiKeyAlgorithm, 'rsa'>, EcCurveName>> = { 'ecdsa-p256': 'P-256', 'ecdsa-p384': 'P-384' };

/** The scheme a card declares (absent: RSA). @internal */
export function signerScheme(card: JpkiCard): SignerScheme {
  const algorithm = card?.jpki?.keyAlgorithm ?? 'rsa';
  if (algorithm === 'rsa') return { algorithm, curve: undefined, hash: undefined };
  if (algorithm !== 'ecdsa-p256' && algorithm !== 'ecdsa-p384') {
    throw new InvalidArgumentError("card.jpki.keyAlgorithm must be 'rsa', 'ecdsa-p256' or 'ecdsa-p384'");
  }
  const curve = CURVES[algorithm];
  return { algorithm, curve, hash: EC_CURVES[curve].hash };
}

/**
 * The certificate's key must be of the declared algorithm (and curve).
 * @throws CryptoError `key-algorithm-mismatch`. @internal
 */
export function checkSignerKey(scheme: SignerScheme, certificate: DecodedCertificate): void {
  const key = certificate.publicKey;
  const fits = scheme.curve === undefined ? isRsaKey(key) : isEcKey(key) && key.curve === scheme.curve;
  if (!fits) {
    throw new CryptoError(`The certificate key does not match the signer's declared algorithm (${scheme.algorithm})`, {
      code: 'key-algorithm-mismatch',
    });
  }
}

/**
 * The signature as carried: RSA as returned, ECDSA raw `r ‖ s` converted to DER.
 * @throws CryptoError `malformed-signature` when the device's raw signature has the wrong length
 *   or `r`, `s` out of range. @internal
 */
export function carriedSignature(scheme: SignerScheme, signature: Uint8Array): Uint8Array {
  if (scheme.curve === undefined) return signature;
  if (!(signature instanceof Uint8Array)) throw new CryptoError('The signer returned no signature bytes', { code: 'malformed-signature' });
  return ecdsaSignatureFromRaw(signature, scheme.curve);
}
