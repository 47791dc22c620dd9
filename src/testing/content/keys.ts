/**
 * RSA key plumbing shared by the content builders: key normalisation, the card's `90`/`91`
 * public-key encoding, SHA-256 and WebCrypto PKCS#1 v1.5 signatures. Browser-safe.
 * @packageDocumentation
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2';
import { concatBytes } from '../../bytes.js';
import { decodeBase64 } from '../virtual-card/base64.js';
import { InvalidArgumentError } from '../../errors.js';
import { encodeTlv } from '../../tlv/index.js';

/**
 * An RSA-2048 private key: a private JWK (`n`, `e`, `d`, `p`, `q`, `dp`, `dq`, `qi`) or a
 * WebCrypto `CryptoKey`. A `CryptoKey` must be extractable wherever the builder needs the raw
 * key (the face AP's three-digest signature and deriving the public half).
 */
export type RsaPrivateKeyInput = JsonWebKey | CryptoKey;

/** Big-endian RSA public key parts, as the card stores them under tags `90` and `91`. */
export interface RsaPublicKeyBytes {
  /** Modulus, big-endian, exactly 256 bytes for RSA-2048. */
  readonly modulus: Uint8Array;
  /** Public exponent, big-endian, minimal (e.g. `01 00 01`). */
  readonly exponent: Uint8Array;
}

/** An RSA-2048 public key: a JWK (`n`, `e`), a WebCrypto `CryptoKey`, or raw parts. */
export type RsaPublicKeyInput = JsonWebKey | CryptoKey | RsaPublicKeyBytes;

/** RSA-2048 modulus length in bytes (card-facts §3.2: `91 82 01 00`). */
export const RSA2048_MODULUS_LENGTH = 256;

function isCryptoKey(key: unknown): key is CryptoKey {
  return (
    typeof key === 'object' &&
    key !== null &&
    'algorithm' in key &&
    'usages' in key &&
    'extractable' in key &&
    'type' in key
  );
}

function isPublicKeyBytes(key: unknown): key is RsaPublicKeyBytes {
  return (
    typeof key === 'object' &&
    key !== null &&
    (key as RsaPublicKeyBytes).modulus instanceof Uint8Array &&
    (key as RsaPublicKeyBytes).exponent instanceof Uint8Array
  );
}

function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (s === undefined) throw new InvalidArgumentError('WebCrypto (crypto.subtle) is not available');
  return s;
}

function stripLeadingZeros(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

/** The key as a JWK; a `CryptoKey` is exported (it must be extractable). */
export async function toJwk(key: RsaPrivateKeyInput | JsonWebKey | CryptoKey): Promise<JsonWebKey> {
  if (!isCryptoKey(key)) return key;
  if (!key.extractable) {
    throw new InvalidArgumentError('The RSA CryptoKey must be extractable for this builder');
  }
  return subtle().exportKey('jwk', key);
}

/**
 * The public parts of an RSA-2048 key (a private key yields its public half).
 *
 * @throws InvalidArgumentError when the key is not RSA or its modulus is not 2048 bits.
 */
export async function rsaPublicKeyBytes(
  key: RsaPublicKeyInput | RsaPrivateKeyInput,
): Promise<RsaPublicKeyBytes> {
  let modulus: Uint8Array;
  let exponent: Uint8Array;
  if (isPublicKeyBytes(key)) {
    modulus = stripLeadingZeros(key.modulus);
    exponent = stripLeadingZeros(key.exponent);
  } else {
    const jwk = await toJwk(key);
    if (jwk.kty !== 'RSA' || jwk.n === undefined || jwk.e === undefined) {
      throw new InvalidArgumentError('Expected an RSA key with a modulus and an exponent');
    }
    modulus = stripLeadingZeros(decodeBase64(jwk.n));
    exponent = stripLeadingZeros(decodeBase64(jwk.e));
  }
  if (modulus.length !== RSA2048_MODULUS_LENGTH || (modulus[0]! & 0x80) === 0) {
    throw new InvalidArgumentError('Expected an RSA-2048 key');
  }
  return { modulus: Uint8Array.from(modulus), exponent: Uint8Array.from(exponent) };
}

/**
 * The card's RSA public-key encoding: `90 <len> <exponent>` ‖ `91 82 01 00 <modulus>`
 * (card-facts §3.2 EF 0004, §3.3 DF12/DF24/DF42). 265 bytes for e = 65537.
 */
export function encodeCardPublicKey(key: RsaPublicKeyBytes): Uint8Array {
  return concatBytes(encodeTlv(0x90, key.exponent), encodeTlv(0x91, key.modulus));
}

/** SHA-256 (synchronous, @noble/hashes). */
export function sha256(data: Uint8Array): Uint8Array {
  return nobleSha256(data);
}

/**
 * RSASSA-PKCS1-v1_5 with SHA-256 over `message` through WebCrypto (deterministic, so outputs
 * are stable test vectors).
 */
export async function signPkcs1Sha256(
  key: RsaPrivateKeyInput,
  message: Uint8Array,
): Promise<Uint8Array> {
  const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
  let cryptoKey: CryptoKey;
  const alg = isCryptoKey(key) ? (key.algorithm as RsaHashedKeyAlgorithm) : undefined;
  if (
    isCryptoKey(key) &&
    alg?.name === 'RSASSA-PKCS1-v1_5' &&
    alg.hash.name === 'SHA-256' &&
    key.usages.includes('sign')
  ) {
    cryptoKey = key;
  } else {
    const jwk = { ...(await toJwk(key)) };
    delete jwk.alg;
    delete jwk.key_ops;
    delete jwk.use;
    cryptoKey = await subtle().importKey('jwk', jwk, algorithm, false, ['sign']);
  }
  const data = Uint8Array.from(message);
  return new Uint8Array(await subtle().sign(algorithm, cryptoKey, data));
}
