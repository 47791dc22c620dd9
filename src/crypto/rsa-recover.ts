/**
 * Raw RSA public-key operations for the card-verifiable objects (RFC 8017 §8.2.2 steps 1–3, in
 * BigInt, since WebCrypto has no "recover" for signatures over card-specific encodings), with the
 * key bounds checked before any arithmetic. Browser-safe.
 * @packageDocumentation
 */

/** An RSA public key as big-endian bytes (structurally `RsaPublicKeyParts` of `integrity.ts`). */
interface RsaPublicKeyParts {
  readonly modulus: Uint8Array;
  readonly exponent: Uint8Array;
}

function toBigInt(bytes: Uint8Array): bigint {
  let x = 0n;
  for (const b of bytes) x = (x << 8n) | BigInt(b);
  return x;
}

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  for (let e = exponent; e > 0n; e >>= 1n) {
    if ((e & 1n) === 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
  }
  return result;
}

/** The card's CV keys are RSA-2048 (card-facts §3.2); the issuer key may be larger, up to this. */
export const CARD_KEY_BITS = 2048;
/** Largest accepted CV issuer key. */
export const MAX_ISSUER_KEY_BITS = 4096;
/** Public exponents longer than this are refused (65537 takes 3 bytes). */
const MAX_EXPONENT_BYTES = 4;

/** Bit length of a big-endian unsigned integer (leading zero bytes allowed). */
function bitLength(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  return i === bytes.length ? 0 : (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}

/**
 * Whether an RSA key is within bounds before any arithmetic: modulus of `minBits`..`maxBits`
 * bits, exponent of 1..4 significant bytes. A card-supplied 32 768-bit key would otherwise make
 * the BigInt modular exponentiation block the event loop for seconds.
 */
export function keyInBounds(key: RsaPublicKeyParts, minBits: number, maxBits: number): boolean {
  const bits = bitLength(key.modulus);
  const e = bitLength(key.exponent);
  return bits >= minBits && bits <= maxBits && e > 0 && e <= MAX_EXPONENT_BYTES * 8;
}

/**
 * The DigestInfo inside an RSASSA-PKCS1-v1_5 signature (RFC 8017 §8.2.2 steps 2 and 3:
 * `00 01 FF…FF 00 T` with at least 8 `FF`), or `undefined` when the padding is wrong.
 */
export function recoverDigestInfo(key: RsaPublicKeyParts, signature: Uint8Array): Uint8Array | undefined {
  if (!keyInBounds(key, CARD_KEY_BITS, MAX_ISSUER_KEY_BITS)) return undefined;
  const n = toBigInt(key.modulus);
  const k = key.modulus.length - (key.modulus[0] === 0 ? 1 : 0);
  const s = toBigInt(signature);
  if (signature.length !== k || n === 0n || s >= n) return undefined;
  let m = modPow(s, toBigInt(key.exponent), n);
  const em = new Uint8Array(k);
  for (let i = k - 1; i >= 0; i--) {
    em[i] = Number(m & 0xffn);
    m >>= 8n;
  }
  if (em[0] !== 0x00 || em[1] !== 0x01) return undefined;
  let i = 2;
  while (i < k && em[i] === 0xff) i++;
  if (i < 10 || i >= k || em[i] !== 0x00) return undefined;
  return em.subarray(i + 1);
}
