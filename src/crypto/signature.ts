/**
 * RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2) through WebCrypto (`globalThis.crypto.subtle`),
 * so it runs unchanged in Node 20 and in browsers.
 * @packageDocumentation
 */
import { CryptoError, InvalidArgumentError } from '../errors.js';
import type { HashAlgorithm } from '../hash/digest-info.js';
import { parseJpkiCertificate, type CertificateKind } from './parse.js';
import { decodeCertificate, isRsaKey, type DecodedCertificate } from './x509.js';

const HASHES: readonly HashAlgorithm[] = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'];

/** WebCrypto's SubtleCrypto, or a CryptoError when the platform has none. @internal */
export function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (s === undefined) throw new CryptoError('WebCrypto (crypto.subtle) is not available', { code: 'webcrypto-unavailable' });
  return s;
}

/** An ArrayBuffer-backed copy, the form WebCrypto's typings require. @internal */
export function buffer(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.slice(); // a memcpy; Uint8Array.from iterates
}

/** Most imported keys kept by SubjectPublicKeyInfo bytes (least recently used dropped first). @internal */
export const KEY_CACHE_SIZE = 64;

/**
 * Imported verification keys by SubjectPublicKeyInfo bytes and hash, so that a root, an
 * intermediate or a CMS signer seen again (even as a new array) costs no second import. A
 * Map iterates in insertion order: re-inserting on a hit keeps the most recent last. An
 * entry holds the import's promise, then the key itself once it has settled (no await).
 */
const keysBySpki = new Map<string, Promise<CryptoKey> | CryptoKey>();

/** Cache key: the hash name and the SPKI bytes as a one-byte-per-char string. */
function spkiCacheKey(spki: Uint8Array, hash: HashAlgorithm): string {
  let key = hash;
  for (let i = 0; i < spki.length; i += 4096) {
    key += String.fromCharCode.apply(null, spki.subarray(i, i + 4096) as unknown as number[]);
  }
  return key;
}

/** The same SPKI object and hash are looked up again on every chain (bundled roots). */
const lastKeyBySpki = new WeakMap<Uint8Array, { readonly hash: HashAlgorithm; readonly cacheKey: string }>();

/** The verification key of `spki` for `hash`, imported once (see `keysBySpki`). @internal */
export function importVerifyKey(spki: Uint8Array, hash: HashAlgorithm): Promise<CryptoKey> | CryptoKey {
  const last = lastKeyBySpki.get(spki);
  const cacheKey = last !== undefined && last.hash === hash ? last.cacheKey : spkiCacheKey(spki, hash);
  if (last === undefined) lastKeyBySpki.set(spki, { hash, cacheKey });
  const cached = keysBySpki.get(cacheKey);
  if (cached !== undefined) {
    keysBySpki.delete(cacheKey);
    keysBySpki.set(cacheKey, cached);
    return cached;
  }
  const pending = subtle().importKey('spki', buffer(spki), { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['verify']);
  keysBySpki.set(cacheKey, pending);
  if (keysBySpki.size > KEY_CACHE_SIZE) keysBySpki.delete(keysBySpki.keys().next().value!);
  pending.then(
    (key) => {
      if (keysBySpki.get(cacheKey) === pending) keysBySpki.set(cacheKey, key);
    },
    () => {
      if (keysBySpki.get(cacheKey) === pending) keysBySpki.delete(cacheKey); // retried next time
    },
  );
  return pending;
}

/** Number of keys in the import cache (for tests). @internal */
export function importedKeyCount(): number {
  return keysBySpki.size;
}

/**
 * `bytes` as WebCrypto's typings want it. WebCrypto copies its inputs when called (spec:
 * "get a copy of the bytes held by"), so an ArrayBuffer-backed view is passed as is.
 */
function bufferSource(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes.buffer instanceof ArrayBuffer ? (bytes as Uint8Array<ArrayBuffer>) : buffer(bytes);
}

/**
 * Verify an RSASSA-PKCS1-v1_5 signature with the RSA key of a decoded certificate.
 * `false` for a wrong signature or one whose length differs from the modulus. @internal
 */
export async function verifyWithCertificateKey(
  certificate: DecodedCertificate,
  hash: HashAlgorithm,
  signature: Uint8Array,
  data: Uint8Array,
): Promise<boolean> {
  const key = certificate.publicKey;
  if (!isRsaKey(key)) {
    throw new CryptoError('The certificate key is not an RSA key', { code: 'unsupported-algorithm' });
  }
  if (signature.length !== key.modulus.length) return false;
  let cryptoKey: CryptoKey;
  try {
    const imported = importVerifyKey(certificate.spki, hash);
    cryptoKey = imported instanceof Promise ? await imported : imported;
  } catch (error) {
    throw new CryptoError('The certificate key cannot be used for RSA verification', {
      code: 'unsupported-algorithm',
      cause: error,
    });
  }
  return subtle().verify('RSASSA-PKCS1-v1_5', cryptoKey, bufferSource(signature), bufferSource(data));
}

/** Options of {@link verifyRawSignature}. */
export interface VerifySignatureOptions {
  /** Hash inside the signed DigestInfo; default `'SHA-256'`. */
  readonly hash?: HashAlgorithm;
  /**
   * Accept a signature made with the 利用者証明用 key (default `false`). That key signs logins:
   * a raw signature by it proves only that the card signed these bytes, and is refused unless
   * the caller asks for it. Logins are checked with `verifyAuthentication`.
   */
  readonly allowAuthKey?: boolean;
  /** Accept a signature over a SHA-1 DigestInfo (default `false`, as every other verifier). */
  readonly allowSha1?: boolean;
}

/**
 * Why a raw signature is not accepted:
 * - `data-signature-invalid`: the signature does not verify `data` with the certificate key;
 * - `auth-key-not-allowed`: the certificate is a 利用者証明用 certificate and `allowAuthKey` is not set;
 * - `not-signing-certificate`: the certificate is neither a 署名用 nor a 利用者証明用 certificate
 *   (a CA, or not a JPKI certificate);
 * - `sha1-signature`: the hash is SHA-1 and `allowSha1` is not set.
 */
export type RawSignatureReason = 'data-signature-invalid' | 'auth-key-not-allowed' | 'not-signing-certificate' | 'sha1-signature';

/** Result of {@link verifyRawSignature}. */
export interface RawSignatureResult {
  /** `true` exactly when `reasons` is empty. */
  readonly valid: boolean;
  /** Every problem found. */
  readonly reasons: readonly RawSignatureReason[];
  /** The certificate's kind; `undefined` when it is not a JPKI certificate. */
  readonly kind: CertificateKind | undefined;
}

/** The JPKI kind of a certificate, `undefined` when nothing identifies it. */
function kindOf(der: Uint8Array): CertificateKind | undefined {
  try {
    return parseJpkiCertificate(der).kind;
  } catch (error) {
    if (error instanceof CryptoError && error.code === 'kind-unknown') return undefined;
    throw error;
  }
}

/**
 * Check a raw RSASSA-PKCS1-v1_5 signature (as the JPKI `80 2A` command returns it) over `data`
 * with the public key of a 署名用 certificate. A 利用者証明用 certificate is accepted only with
 * `allowAuthKey`, SHA-1 only with `allowSha1`. Only the mathematics and these rules are checked,
 * not the certificate's trust: combine with {@link verifyJpkiChain}.
 *
 * @returns `valid` with an empty `reasons` list, or every reason found.
 * @throws CryptoError `malformed-certificate` for a bad certificate, `unsupported-algorithm` for a
 *   non-RSA key. InvalidArgumentError for a bad argument.
 */
export async function verifyRawSignature(
  certificateDer: Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
  options: VerifySignatureOptions = {},
): Promise<RawSignatureResult> {
  if (!(data instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    throw new InvalidArgumentError('data and signature must be Uint8Arrays');
  }
  const hash = options.hash ?? 'SHA-256';
  if (!HASHES.includes(hash)) throw new InvalidArgumentError("hash must be 'SHA-1', 'SHA-256', 'SHA-384' or 'SHA-512'");
  const decoded = decodeCertificate(certificateDer);
  const kind = kindOf(certificateDer);
  const reasons: RawSignatureReason[] = [];
  if (kind === 'auth') {
    if (options.allowAuthKey !== true) reasons.push('auth-key-not-allowed');
  } else if (kind !== 'sign') {
    reasons.push('not-signing-certificate');
  }
  if (hash === 'SHA-1' && options.allowSha1 !== true) reasons.push('sha1-signature');
  if (!(await verifyWithCertificateKey(decoded, hash, signature, data))) reasons.push('data-signature-invalid');
  return { valid: reasons.length === 0, reasons, kind };
}
