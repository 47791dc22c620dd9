/**
 * The part of a card the signing flows need, as a structural type: a `MyNumberCard` (real or
 * over the virtual card) fits, and so does any object with the same two JPKI verbs. Written
 * without the card-session types so that trust does not depend on the card layer;
 * `test/architecture/card-shapes.test.ts` checks that `MyNumberCard` still fits.
 * @packageDocumentation
 */
import type { HashAlgorithm } from '../hash/digest-info.js';
import type { SecretInput } from '../secret.js';

/** A card with the JPKI AP (公的個人認証AP) verbs used by `authenticate` and `signCms`. */
export interface JpkiCard {
  /** The JPKI AP. */
  readonly jpki: {
    /**
     * Sign `data` with the card key of `kind`: the host hashes it, the card pads and signs the
     * DigestInfo (RSASSA-PKCS1-v1_5, card-facts §4). One VERIFY of `pin` (a value or a provider), never retried.
     * A raw signature of whatever bytes it is given: `authenticate` passes its own
     * authentication message here, never bytes chosen by a server.
     */
    sign(kind: 'auth' | 'sign', data: Uint8Array, options: { pin: SecretInput; hash?: HashAlgorithm }): Promise<Uint8Array>;
    /** Read the DER certificate of `kind` (the sign certificate needs the sign password). */
    readCertificate(kind: 'auth' | 'sign', options?: { pin?: SecretInput }): Promise<Uint8Array>;
  };
}
