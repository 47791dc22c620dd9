/**
 * Holder pseudonyms (仮名化した利用者識別子): a stable identifier of a card holder for one relying
 * party, derived from the 利用者証明用電子証明書 and carrying no personal data. Browser-safe.
 *
 * What it is: base64url(HMAC-SHA-256(key, "mynacard-holder-pseudonym/v1" ‖ 0x00 ‖
 * relyingParty ‖ 0x00 ‖ SubjectPublicKeyInfo DER)).
 *
 * - **Per relying party**: keyed by the relying party's own secret, so a pseudonym says nothing
 *   to anyone without that key, and two services (two keys, or two `relyingParty` names under
 *   one key) get unlinkable values for the same holder. An unkeyed hash would not do: the auth
 *   certificate is not secret (every service it logs in to receives it), so anyone could
 *   compute and match the values of other services.
 * - **Stable across** logins and certificate re-reads for as long as the holder uses the same
 *   key pair, i.e. the same 利用者証明用電子証明書.
 * - **Not stable across** certificate renewal (更新, at the latest every five years), card
 *   renewal or re-issue, or revocation and re-issue: each of these makes a new key pair on the
 *   card, hence a new pseudonym. A service keeps a way to link the new one (e.g. a login with
 *   the old account, or an in-person check) and must not treat an unknown pseudonym as proof
 *   that the person is new.
 * - **No personal data**: the input is the public key only (JPKI auth certificates hold no
 *   name, address, birth date or 個人番号 anyway); the serial number and dates are not used.
 * @packageDocumentation
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { InvalidArgumentError } from '../errors.js';
import { bytesToBase64url } from './base64.js';
import { decodeCertificate } from './x509.js';

/** Shortest accepted {@link HolderPseudonymOptions.key} (bytes). */
export const MIN_PSEUDONYM_KEY_LENGTH = 32;
/** Longest accepted {@link HolderPseudonymOptions.relyingParty} (UTF-8 bytes). */
export const MAX_RELYING_PARTY_LENGTH = 1024;
/** Longest accepted certificate (bytes): JPKI certificates are under 2 KiB. */
const MAX_CERTIFICATE_LENGTH = 65_536;
const DOMAIN = new TextEncoder().encode('mynacard-holder-pseudonym/v1');

/** Options of {@link holderPseudonym}. */
export interface HolderPseudonymOptions {
  /**
   * The relying party's secret key, at least {@link MIN_PSEUDONYM_KEY_LENGTH} random bytes,
   * kept on the server (never in a browser). Changing it changes every pseudonym.
   */
  readonly key: Uint8Array;
  /**
   * The relying party's identifier (e.g. its origin `https://points.example.lg.jp`), so one key
   * may serve several services with unlinkable pseudonyms. 1–{@link MAX_RELYING_PARTY_LENGTH}
   * UTF-8 bytes, no NUL.
   */
  readonly relyingParty: string;
}

/**
 * The pseudonym of the holder of a 利用者証明用電子証明書 for one relying party: 43 base64url
 * characters (256 bits), stable for this certificate's key pair and this relying party. See the
 * module documentation for what it is stable across — **a renewed certificate gives a new
 * pseudonym**.
 *
 * Call it only with a certificate that {@link verifyAuthentication} accepted (`chain.certificate`
 * of a valid result, or the `certificate` of the verified response): the pseudonym identifies a
 * key, and only a verified signature proves the holder has that key.
 *
 * @example
 * ```ts
 * const result = await verifyAuthentication(response, { expectedOrigin, expectedChallenge, at: new Date() });
 * if (result.valid) {
 *   const sub = holderPseudonym(response.certificate, { key: serviceKey, relyingParty: expectedOrigin });
 * }
 * ```
 *
 * @throws InvalidArgumentError for a key shorter than {@link MIN_PSEUDONYM_KEY_LENGTH} bytes, a
 *   bad `relyingParty`, or a certificate that is not a Uint8Array of at most 64 KiB
 * @throws CryptoError `malformed-certificate` when the certificate cannot be decoded
 */
export function holderPseudonym(certificate: Uint8Array, options: HolderPseudonymOptions): string {
  const key = options?.key;
  if (!(key instanceof Uint8Array) || key.length < MIN_PSEUDONYM_KEY_LENGTH) {
    throw new InvalidArgumentError(`key must be a Uint8Array of at least ${MIN_PSEUDONYM_KEY_LENGTH} bytes`);
  }
  const relyingParty = options.relyingParty;
  if (typeof relyingParty !== 'string') throw new InvalidArgumentError('relyingParty must be a string');
  const party = new TextEncoder().encode(relyingParty);
  if (party.length === 0 || party.length > MAX_RELYING_PARTY_LENGTH || party.includes(0)) {
    throw new InvalidArgumentError(`relyingParty must be 1-${MAX_RELYING_PARTY_LENGTH} UTF-8 bytes without NUL`);
  }
  if (!(certificate instanceof Uint8Array) || certificate.length > MAX_CERTIFICATE_LENGTH) {
    throw new InvalidArgumentError('certificate must be a Uint8Array of at most 64 KiB');
  }
  const spki = decodeCertificate(certificate).spki;
  const input = new Uint8Array(DOMAIN.length + 1 + party.length + 1 + spki.length);
  input.set(DOMAIN, 0);
  input.set(party, DOMAIN.length + 1);
  input.set(spki, DOMAIN.length + 2 + party.length);
  return bytesToBase64url(hmac(sha256, key, input));
}
