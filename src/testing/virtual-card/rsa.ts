/**
 * RSA private-key operation for the virtual card, in portable code (BigInt, CRT), so the
 * virtual card also runs in a browser: no `node:crypto`, no WebCrypto (which cannot do a raw
 * PKCS#1 v1.5 signature over a caller-supplied DigestInfo).
 * @packageDocumentation
 */
import { CryptoError, InvalidArgumentError } from '../../errors.js';
import { decodeBase64 } from './base64.js';

/** An RSA private key with its CRT parameters, as BigInts. */
export interface RsaPrivateKey {
  /** Modulus. */
  readonly n: bigint;
  /** Public exponent. */
  readonly e: bigint;
  /** Private exponent. */
  readonly d: bigint;
  /** First prime. */
  readonly p: bigint;
  /** Second prime. */
  readonly q: bigint;
  /** d mod (p − 1). */
  readonly dp: bigint;
  /** d mod (q − 1). */
  readonly dq: bigint;
  /** q⁻¹ mod p. */
  readonly qi: bigint;
  /** Modulus length in bytes (256 for RSA-2048). */
  readonly byteLength: number;
}

/** Big-endian unsigned bytes → BigInt. */
export function bytesToBigInt(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const b of bytes) value = (value << 8n) | BigInt(b);
  return value;
}

/** BigInt → big-endian unsigned bytes, left-padded to `length`. */
export function bigIntToBytes(value: bigint, length: number): Uint8Array {
  if (value < 0n) throw new InvalidArgumentError('Negative integer');
  const out = new Uint8Array(length);
  let v = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (v !== 0n) throw new InvalidArgumentError('Integer does not fit the requested length');
  return out;
}

/** base^exponent mod modulus by left-to-right square-and-multiply. */
export function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  if (modulus === 1n) return 0n;
  let result = 1n;
  let b = base % modulus;
  if (b < 0n) b += modulus;
  const bits = exponent.toString(2);
  for (let i = 0; i < bits.length; i++) {
    result = (result * result) % modulus;
    if (bits[i] === '1') result = (result * b) % modulus;
  }
  return result;
}

const JWK_FIELDS = ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const;

/**
 * Convert an RSA private JWK (RFC 7518 §6.3, all CRT members present) to BigInts.
 * @throws InvalidArgumentError when the JWK is not a complete RSA private key.
 */
export function rsaKeyFromJwk(jwk: JsonWebKey): RsaPrivateKey {
  if (jwk.kty !== undefined && jwk.kty !== 'RSA') throw new InvalidArgumentError('JWK is not an RSA key');
  const values: Partial<Record<(typeof JWK_FIELDS)[number], bigint>> = {};
  let byteLength = 0;
  for (const field of JWK_FIELDS) {
    const text = jwk[field];
    if (typeof text !== 'string' || text.length === 0) {
      throw new InvalidArgumentError(`RSA private JWK lacks "${field}"`);
    }
    const bytes = decodeBase64(text);
    if (field === 'n') byteLength = bytes.length - (bytes[0] === 0 ? 1 : 0);
    values[field] = bytesToBigInt(bytes);
  }
  const { n, e, d, p, q, dp, dq, qi } = values as Record<(typeof JWK_FIELDS)[number], bigint>;
  if (p * q !== n) throw new InvalidArgumentError('RSA private JWK: p·q ≠ n');
  return { n, e, d, p, q, dp, dq, qi, byteLength };
}

/** m^d mod n through the CRT (Garner's recombination). */
export function rsaPrivate(key: RsaPrivateKey, message: bigint): bigint {
  if (message < 0n || message >= key.n) throw new CryptoError('RSA input out of range');
  const m1 = modPow(message % key.p, key.dp, key.p);
  const m2 = modPow(message % key.q, key.dq, key.q);
  let h = ((m1 - m2) * key.qi) % key.p;
  if (h < 0n) h += key.p;
  return m2 + h * key.q;
}

/**
 * EMSA-PKCS1-v1_5 block type 1 (RFC 8017 §9.2 step 5): `00 01 FF…FF 00 ‖ data`, with at least
 * eight FF bytes. card-facts §4 (the card pads the DigestInfo it is given).
 * @throws CryptoError when `data` is longer than `length − 11`.
 */
export function pkcs1Type1Pad(data: Uint8Array, length: number): Uint8Array {
  if (data.length > length - 11) throw new CryptoError('Signature input too long for the key');
  const block = new Uint8Array(length);
  block[1] = 0x01;
  block.fill(0xff, 2, length - data.length - 1);
  block[length - data.length - 1] = 0x00;
  block.set(data, length - data.length);
  return block;
}

/**
 * RSASSA-PKCS1-v1_5 signature over `data` (normally a DER DigestInfo) as the card computes it:
 * pad, then the private operation. The result is checked with the public exponent, so a
 * corrupt key never yields a wrong signature silently.
 */
export function rsaSignPkcs1(key: RsaPrivateKey, data: Uint8Array): Uint8Array {
  const block = pkcs1Type1Pad(data, key.byteLength);
  const m = bytesToBigInt(block);
  const s = rsaPrivate(key, m);
  if (modPow(s, key.e, key.n) !== m) throw new CryptoError('RSA private key is inconsistent');
  return bigIntToBytes(s, key.byteLength);
}
