/**
 * DER `DigestInfo` (PKCS #1 v2.2 §9.2) — the input of the JPKI signature command `80 2A 00 80`:
 * the card adds PKCS #1 v1.5 type-1 padding itself (card-facts §4).
 * A leaf: the card sessions (`aps`) and trust (`crypto`) both import it, and it imports neither.
 * @packageDocumentation
 */
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { concatBytes } from '../bytes.js';
import { InvalidArgumentError } from '../errors.js';

/** Hash algorithms the SDK can put into a DigestInfo for the JPKI keys. */
export type HashAlgorithm = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

/** The default hash of {@link JpkiAp.sign}. */
export const DEFAULT_HASH: HashAlgorithm = 'SHA-256';

interface HashSpec {
  readonly length: number;
  readonly prefix: Uint8Array;
  readonly hash: (data: Uint8Array) => Uint8Array;
}

// DER prefixes: SEQUENCE { SEQUENCE { OID, NULL }, OCTET STRING <len> } (RFC 8017 §9.2 note 1).
const SPECS: Readonly<Record<HashAlgorithm, HashSpec>> = {
  'SHA-1': {
    length: 20,
    prefix: Uint8Array.of(0x30, 0x21, 0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00, 0x04, 0x14),
    hash: (d) => sha1(d),
  },
  'SHA-256': {
    length: 32,
    prefix: Uint8Array.of(
      0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
    ),
    hash: (d) => sha256(d),
  },
  'SHA-384': {
    length: 48,
    prefix: Uint8Array.of(
      0x30, 0x41, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x02, 0x05, 0x00, 0x04, 0x30,
    ),
    hash: (d) => sha384(d),
  },
  'SHA-512': {
    length: 64,
    prefix: Uint8Array.of(
      0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40,
    ),
    hash: (d) => sha512(d),
  },
};

function spec(hash: unknown): HashSpec {
  if (typeof hash !== 'string' || !Object.hasOwn(SPECS, hash)) {
    throw new InvalidArgumentError("hash must be 'SHA-1', 'SHA-256', 'SHA-384' or 'SHA-512'");
  }
  return SPECS[hash as HashAlgorithm];
}

/** Throws InvalidArgumentError unless `hash` is a supported {@link HashAlgorithm}. */
export function assertHashAlgorithm(hash: unknown): asserts hash is HashAlgorithm {
  spec(hash);
}

/** Digest length in bytes of `hash`. */
export function digestLength(hash: HashAlgorithm): number {
  return spec(hash).length;
}

/** Hash `data` with `hash` (`@noble/hashes`). */
export function hashData(hash: HashAlgorithm, data: Uint8Array): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new InvalidArgumentError('data to sign must be a Uint8Array');
  return spec(hash).hash(data);
}

/**
 * DER DigestInfo `SEQUENCE { AlgorithmIdentifier { OID, NULL }, OCTET STRING digest }`.
 *
 * @throws InvalidArgumentError when the digest length does not match `hash`
 */
export function encodeDigestInfo(hash: HashAlgorithm, digest: Uint8Array): Uint8Array {
  const s = spec(hash);
  if (!(digest instanceof Uint8Array) || digest.length !== s.length) {
    throw new InvalidArgumentError(`A ${hash} digest is ${s.length} bytes`);
  }
  return concatBytes(s.prefix, digest);
}

/** DigestInfo of `hash(data)`: what {@link JpkiAp.sign} sends to the card. */
export function digestInfoOf(hash: HashAlgorithm, data: Uint8Array): Uint8Array {
  return encodeDigestInfo(hash, hashData(hash, data));
}

/**
 * Which hash a DER DigestInfo names, or `undefined` when `bytes` is not exactly one of the four
 * supported DigestInfo encodings. Used to check input handed to `signDigestInfo`.
 */
export function digestInfoHash(bytes: Uint8Array): HashAlgorithm | undefined {
  for (const name of Object.keys(SPECS) as HashAlgorithm[]) {
    const s = SPECS[name];
    if (bytes.length !== s.prefix.length + s.length) continue;
    let match = true;
    for (let i = 0; i < s.prefix.length; i++) {
      if (bytes[i] !== s.prefix[i]) {
        match = false;
        break;
      }
    }
    if (match) return name;
  }
  return undefined;
}
