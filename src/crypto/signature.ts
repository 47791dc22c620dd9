/**
 * Signature verification with a certificate key through WebCrypto (`globalThis.crypto.subtle`),
 * so it runs unchanged in Node 20 and in browsers: RSASSA-PKCS1-v1_5 (RFC 8017 §8.2), and ECDSA
 * on P-256 / P-384 (FIPS 186-4, DER signatures converted by `ecdsa.ts`).
 * @packageDocumentation
 */
import { CryptoError, InvalidArgumentError } from '../errors.js';
import type { HashAlgorithm } from '../hash/digest-info.js';
import { EC_CURVES, ecdsaSignatureFromRaw, ecdsaSignatureToRaw, type EcCurveName } from './ecdsa.js';
import { parseJpkiCertificate, type CertificateKind } from './parse.js';
import { decodeCertificate, isEcKey, isRsaKey, OID, type DecodedCertificate } from './x509.js';

/**
 * A signature algorithm as verified: the scheme, the curve for ECDSA, and the hash. ECDSA is
 * accepted only with the hash of its curve's strength (P-256 with SHA-256, P-384 with SHA-384).
 */
export type SignatureAlgorithmName =
  | 'rsa-pkcs1-sha1'
  | 'rsa-pkcs1-sha256'
  | 'rsa-pkcs1-sha384'
  | 'rsa-pkcs1-sha512'
  | 'ecdsa-p256-sha256'
  | 'ecdsa-p384-sha384';

/** RSASSA-PKCS1-v1_5 algorithm names by hash. @internal */
export const RSA_NAMES: Readonly<Record<HashAlgorithm, SignatureAlgorithmName>> = {
  'SHA-1': 'rsa-pkcs1-sha1',
  'SHA-256': 'rsa-pkcs1-sha256',
  'SHA-384': 'rsa-pkcs1-sha384',
  'SHA-512': 'rsa-pkcs1-sha512',
};
/** ECDSA algorithm names by curve (the hash is the curve's). @internal */
export const ECDSA_NAMES: Readonly<Record<EcCurveName, SignatureAlgorithmName>> = {
  'P-256': 'ecdsa-p256-sha256',
  'P-384': 'ecdsa-p384-sha384',
};

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

/** Cache key: the hash (or curve) name and the SPKI bytes as a one-byte-per-char string. */
function spkiCacheKey(spki: Uint8Array, hash: string): string {
  let key = hash;
  for (let i = 0; i < spki.length; i += 4096) {
    key += String.fromCharCode.apply(null, spki.subarray(i, i + 4096) as unknown as number[]);
  }
  return key;
}

/** The same SPKI object and hash are looked up again on every chain (bundled roots). */
const lastKeyBySpki = new WeakMap<Uint8Array, { readonly hash: string; readonly cacheKey: string }>();

/**
 * The verification key of `spki` for `hash` (RSA), or for the named curve (ECDSA, whose hash is
 * chosen at verification), imported once (see `keysBySpki`). @internal
 */
export function importVerifyKey(spki: Uint8Array, hash: HashAlgorithm, curve?: EcCurveName): Promise<CryptoKey> | CryptoKey {
  const tag = curve ?? hash; // 'P-384' never equals a hash name: one cache for both kinds
  const last = lastKeyBySpki.get(spki);
  const cacheKey = last !== undefined && last.hash === tag ? last.cacheKey : spkiCacheKey(spki, tag);
  if (last === undefined) lastKeyBySpki.set(spki, { hash: tag, cacheKey });
  const cached = keysBySpki.get(cacheKey);
  if (cached !== undefined) {
    keysBySpki.delete(cacheKey);
    keysBySpki.set(cacheKey, cached);
    return cached;
  }
  const algorithm = curve === undefined ? { name: 'RSASSA-PKCS1-v1_5', hash } : { name: 'ECDSA', namedCurve: curve };
  const pending = subtle().importKey('spki', buffer(spki), algorithm, false, ['verify']);
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

/** Why a signature could not be checked at all with a certificate key. @internal */
export type SignatureProblem = 'unsupported-algorithm' | 'unsupported-curve' | 'hash-curve-mismatch' | 'malformed-signature';

/** The outcome of {@link checkCertificateSignature}. @internal */
export interface SignatureCheck {
  /** Whether the signature verifies. */
  readonly valid: boolean;
  /** The algorithm, when the key, the scheme and the hash form an accepted combination. */
  readonly algorithm?: SignatureAlgorithmName;
  /** Why it could not be checked, when it could not. */
  readonly problem?: SignatureProblem;
}

const ECDSA_SIGNATURE_FAILED: SignatureCheck = { valid: false, problem: 'malformed-signature' };

/**
 * Check `signature` over `data` with the key of `certificate`, for a signature `scheme` named by
 * an algorithm identifier (`'any'`: whatever the key is). ECDSA signatures are DER
 * `ECDSA-Sig-Value` unless `ecdsaFormat` is `'raw'` (`r ‖ s`). A key or pairing the SDK does
 * not accept gives `problem` and `valid: false`; a wrong signature gives `valid: false`. @internal
 */
export async function checkCertificateSignature(
  certificate: DecodedCertificate,
  scheme: 'rsa' | 'ecdsa' | 'any',
  hash: HashAlgorithm,
  signature: Uint8Array,
  data: Uint8Array,
  ecdsaFormat: 'der' | 'raw' = 'der',
): Promise<SignatureCheck> {
  const key = certificate.publicKey;
  if (isRsaKey(key)) {
    if (scheme === 'ecdsa') return { valid: false, problem: 'unsupported-algorithm' };
    const valid = await verifyWithCertificateKey(certificate, hash, signature, data).catch((error: unknown) => {
      if (error instanceof CryptoError) return false;
      throw error;
    });
    return { valid, algorithm: RSA_NAMES[hash] };
  }
  if (!isEcKey(key)) {
    return { valid: false, problem: key.algorithm === OID.ecPublicKey ? 'unsupported-curve' : 'unsupported-algorithm' };
  }
  if (scheme === 'rsa') return { valid: false, problem: 'unsupported-algorithm' };
  const curve = EC_CURVES[key.curve];
  if (hash !== curve.hash) return { valid: false, problem: 'hash-curve-mismatch' };
  let raw: Uint8Array;
  try {
    // The raw form is range-checked the same way (the DER form it converts to is discarded).
    if (ecdsaFormat === 'raw') ecdsaSignatureFromRaw(signature, key.curve);
    raw = ecdsaFormat === 'raw' ? signature : ecdsaSignatureToRaw(signature, key.curve);
  } catch (error) {
    if (error instanceof CryptoError) return ECDSA_SIGNATURE_FAILED;
    throw error;
  }
  let cryptoKey: CryptoKey;
  try {
    const imported = importVerifyKey(certificate.spki, hash, key.curve);
    cryptoKey = imported instanceof Promise ? await imported : imported;
  } catch {
    return { valid: false, problem: 'unsupported-curve' }; // WebCrypto refused the key (e.g. a point off the curve)
  }
  const valid = await subtle().verify({ name: 'ECDSA', hash }, cryptoKey, bufferSource(raw), bufferSource(data));
  return { valid, algorithm: ECDSA_NAMES[key.curve] };
}

/** Options of {@link verifyRawSignature}. */
export interface VerifySignatureOptions {
  /**
   * Hash inside the signed DigestInfo (RSA) or hashed by ECDSA; default `'SHA-256'` for RSA and
   * the curve's hash for ECDSA (`'SHA-384'` on P-384).
   */
  readonly hash?: HashAlgorithm;
  /**
   * Form of an ECDSA signature: `'der'` (default, an `ECDSA-Sig-Value` as in X.509 and CMS) or
   * `'raw'` (`r ‖ s`, each the curve size, as a device returns it). Ignored for RSA.
   */
  readonly ecdsaFormat?: 'der' | 'raw';
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
 * - `sha1-signature`: the hash is SHA-1 and `allowSha1` is not set;
 * - `hash-curve-mismatch`: an ECDSA key with another hash than its curve's (P-256 needs SHA-256,
 *   P-384 needs SHA-384);
 * - `malformed-signature`: an ECDSA signature that is not a minimal DER `ECDSA-Sig-Value` (or
 *   raw `r ‖ s` of the curve size) with `1 ≤ r, s < n`.
 */
export type RawSignatureReason =
  | 'data-signature-invalid'
  | 'auth-key-not-allowed'
  | 'not-signing-certificate'
  | 'sha1-signature'
  | 'hash-curve-mismatch'
  | 'malformed-signature';

/** Result of {@link verifyRawSignature}. */
export interface RawSignatureResult {
  /** `true` exactly when `reasons` is empty. */
  readonly valid: boolean;
  /** Every problem found. */
  readonly reasons: readonly RawSignatureReason[];
  /** The certificate's kind; `undefined` when it is not a JPKI certificate. */
  readonly kind: CertificateKind | undefined;
  /** The algorithm checked; absent when the key and hash are not an accepted pairing. */
  readonly signatureAlgorithm?: SignatureAlgorithmName;
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
 * Check a raw RSASSA-PKCS1-v1_5 signature (as the JPKI `80 2A` command returns it), or an ECDSA
 * signature on P-256 / P-384 (see {@link VerifySignatureOptions.ecdsaFormat}), over `data`
 * with the public key of a 署名用 certificate. A 利用者証明用 certificate is accepted only with
 * `allowAuthKey`, SHA-1 only with `allowSha1`. Only the mathematics and these rules are checked,
 * not the certificate's trust: combine with {@link verifyJpkiChain}.
 *
 * @returns `valid` with an empty `reasons` list, or every reason found.
 * @throws CryptoError `malformed-certificate` for a bad certificate, `unsupported-algorithm` for a
 *   key that is neither RSA nor EC on P-256 / P-384. InvalidArgumentError for a bad argument.
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
  const ecdsaFormat = options.ecdsaFormat ?? 'der';
  if (ecdsaFormat !== 'der' && ecdsaFormat !== 'raw') throw new InvalidArgumentError("ecdsaFormat must be 'der' or 'raw'");
  const decoded = decodeCertificate(certificateDer);
  const key = decoded.publicKey;
  if (!isRsaKey(key) && !isEcKey(key)) {
    throw new CryptoError('The certificate key is neither RSA nor EC on P-256 / P-384', { code: 'unsupported-algorithm' });
  }
  const hash = options.hash ?? (isEcKey(key) ? EC_CURVES[key.curve].hash : 'SHA-256');
  if (!HASHES.includes(hash)) throw new InvalidArgumentError("hash must be 'SHA-1', 'SHA-256', 'SHA-384' or 'SHA-512'");
  const kind = kindOf(certificateDer);
  const reasons: RawSignatureReason[] = [];
  if (kind === 'auth') {
    if (options.allowAuthKey !== true) reasons.push('auth-key-not-allowed');
  } else if (kind !== 'sign') {
    reasons.push('not-signing-certificate');
  }
  if (hash === 'SHA-1' && options.allowSha1 !== true) reasons.push('sha1-signature');
  if (isRsaKey(key)) {
    if (!(await verifyWithCertificateKey(decoded, hash, signature, data))) reasons.push('data-signature-invalid');
    return { valid: reasons.length === 0, reasons, kind, signatureAlgorithm: RSA_NAMES[hash] };
  }
  const check = await checkCertificateSignature(decoded, 'ecdsa', hash, signature, data, ecdsaFormat);
  if (check.problem === 'hash-curve-mismatch' || check.problem === 'malformed-signature') reasons.push(check.problem);
  else if (!check.valid) reasons.push('data-signature-invalid');
  return { valid: reasons.length === 0, reasons, kind, ...(check.algorithm === undefined ? {} : { signatureAlgorithm: check.algorithm }) };
}
