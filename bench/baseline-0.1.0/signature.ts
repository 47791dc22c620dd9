/**
 * RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2) through WebCrypto (`globalThis.crypto.subtle`),
 * so it runs unchanged in Node 20 and in browsers.
 * @packageDocumentation
 */
import { CryptoError, InvalidArgumentError } from '../../src/errors.js';
import type { HashAlgorithm } from '../../src/hash/digest-info.js';
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
  return Uint8Array.from(bytes);
}

/** Imported verification keys, per SubjectPublicKeyInfo object and hash. */
const keyCache = new WeakMap<Uint8Array, Map<HashAlgorithm, Promise<CryptoKey>>>();

function importVerifyKey(spki: Uint8Array, hash: HashAlgorithm): Promise<CryptoKey> {
  let byHash = keyCache.get(spki);
  if (byHash === undefined) {
    byHash = new Map();
    keyCache.set(spki, byHash);
  }
  let key = byHash.get(hash);
  if (key === undefined) {
    key = subtle().importKey('spki', buffer(spki), { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['verify']);
    byHash.set(hash, key);
  }
  return key;
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
    cryptoKey = await importVerifyKey(certificate.spki, hash);
  } catch (error) {
    throw new CryptoError('The certificate key cannot be used for RSA verification', {
      code: 'unsupported-algorithm',
      cause: error,
    });
  }
  return subtle().verify('RSASSA-PKCS1-v1_5', cryptoKey, buffer(signature), buffer(data));
}

/** Options of {@link verifySignature}. */
export interface VerifySignatureOptions {
  /** Hash inside the signed DigestInfo; default `'SHA-256'`. */
  readonly hash?: HashAlgorithm;
}

/**
 * Check an RSASSA-PKCS1-v1_5 signature (as the JPKI `80 2A` command returns it) over `data` with
 * the public key of a certificate. Only the mathematics is checked, not the certificate's trust:
 * combine with {@link verifyJpkiChain}.
 *
 * @returns `true` when the signature is valid for `data` and `hash`; `false` otherwise.
 * @throws CryptoError `malformed-certificate` for a bad certificate, `unsupported-algorithm` for a
 *   non-RSA key. InvalidArgumentError for a bad argument.
 */
export async function verifySignature(
  certificateDer: Uint8Array,
  data: Uint8Array,
  signature: Uint8Array,
  options: VerifySignatureOptions = {},
): Promise<boolean> {
  if (!(data instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    throw new InvalidArgumentError('data and signature must be Uint8Arrays');
  }
  const hash = options.hash ?? 'SHA-256';
  if (!HASHES.includes(hash)) throw new InvalidArgumentError("hash must be 'SHA-1', 'SHA-256', 'SHA-384' or 'SHA-512'");
  return verifyWithCertificateKey(decodeCertificate(certificateDer), hash, signature, data);
}
