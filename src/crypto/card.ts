/**
 * The part of a card the signing flows need, as a structural type: a `MyNumberCard` (real or
 * over the virtual card) fits, and so does any object with the same two JPKI verbs. Written
 * without the card-session types so that trust does not depend on the card layer;
 * `test/architecture/card-shapes.test.ts` checks that `MyNumberCard` still fits.
 * @packageDocumentation
 */
import type { HashAlgorithm } from '../hash/digest-info.js';
import type { SecretInput } from '../secret.js';

/**
 * The key algorithm a signer declares: `'rsa'` (RSASSA-PKCS1-v1_5, every card issued so far) or
 * ECDSA on a named curve (`'ecdsa-p256'`, `'ecdsa-p384'`; a later card generation is reported to
 * use P-384, not confirmed by a primary source).
 */
export type JpkiKeyAlgorithm = 'rsa' | 'ecdsa-p256' | 'ecdsa-p384';

/**
 * A card with the JPKI AP (公的個人認証AP) verbs used by `authenticate` and `signCms`. A future
 * card AP with ECDSA keys only provides these two verbs and declares `keyAlgorithm`: the SDK
 * chooses the hash, converts the device's raw `r ‖ s` to DER and writes the matching algorithm
 * identifiers.
 */
export interface JpkiCard {
  /** The JPKI AP. */
  readonly jpki: {
    /**
     * The algorithm of the card's keys (both kinds). Absent means `'rsa'`, what today's cards
     * (and `MyNumberCard`) have. The certificate's key must match it (`key-algorithm-mismatch`).
     */
    readonly keyAlgorithm?: JpkiKeyAlgorithm;
    /**
     * Sign `data` with the card key of `kind`: the host hashes it with `hash`; an RSA card pads
     * and signs the DigestInfo (RSASSA-PKCS1-v1_5, card-facts §4) and returns the signature; an
     * ECDSA card signs the hash and returns raw `r ‖ s` (each the curve size, big-endian, as
     * IEEE P1363 and WebCrypto do). One VERIFY of `pin` (a value or a provider), never retried.
     * A raw signature of whatever bytes it is given: `authenticate` passes its own
     * authentication message here, never bytes chosen by a server.
     */
    sign(kind: 'auth' | 'sign', data: Uint8Array, options: { pin: SecretInput; hash?: HashAlgorithm }): Promise<Uint8Array>;
    /** Read the DER certificate of `kind` (the sign certificate needs the sign password). */
    readCertificate(kind: 'auth' | 'sign', options?: { pin?: SecretInput }): Promise<Uint8Array>;
  };
}
