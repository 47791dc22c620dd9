/** Test-only helpers for the content builder tests (node:crypto verification). */
import { createHash, createPublicKey, publicDecrypt, verify, constants, type KeyObject } from 'node:crypto';
import { TEST_PKI_DATA } from '../../src/testing/test-pki-data.js';

export const HOLDER = TEST_PKI_DATA.holder;
export const CARD_KEY = TEST_PKI_DATA.cardVerifiable.privateKey;
export const ISSUER_KEY = TEST_PKI_DATA.cardVerifiable.issuerPrivateKey;

/** Public KeyObject of a private JWK. */
export function publicOf(jwk: JsonWebKey): KeyObject {
  return createPublicKey({ key: { kty: jwk.kty, n: jwk.n, e: jwk.e } as never, format: 'jwk' });
}

/** Big-endian modulus bytes of a JWK. */
export function modulusOf(jwk: JsonWebKey): Buffer {
  return Buffer.from(jwk.n!, 'base64url');
}

export function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

/** RSASSA-PKCS1-v1_5 / SHA-256 verification with node:crypto. */
export function verifiesSha256(jwk: JsonWebKey, message: Uint8Array, signature: Uint8Array): boolean {
  return verify('sha256', message, publicOf(jwk), signature);
}

/** The PKCS#1 v1.5 type-1 payload of a signature (the signed DigestInfo). */
export function recoverPayload(jwk: JsonWebKey, signature: Uint8Array): Buffer {
  return publicDecrypt({ key: publicOf(jwk), padding: constants.RSA_PKCS1_PADDING }, signature);
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** `90 03 01 00 01 91 82 01 00 <modulus>` of a JWK, built independently of the SDK. */
export function cardKeyEncoding(jwk: JsonWebKey): Buffer {
  return Buffer.concat([Buffer.from('900301000191820100', 'hex'), modulusOf(jwk)]);
}

/** Parse one TLV with a 1- or 2-byte tag at `offset` (BER definite lengths up to 3 bytes). */
export function tlvAt(
  bytes: Uint8Array,
  offset: number,
): { tag: number; header: number; length: number; end: number; value: Uint8Array } {
  let p = offset;
  let tag = bytes[p++]!;
  if ((tag & 0x1f) === 0x1f) tag = (tag << 8) | bytes[p++]!;
  let length = bytes[p++]!;
  if (length & 0x80) {
    const n = length & 0x7f;
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + bytes[p++]!;
  }
  const header = p - offset;
  return { tag, header, length, end: p + length, value: bytes.slice(p, p + length) };
}

/** Children of a constructed TLV value (stopping at 00/FF filler). */
export function children(value: Uint8Array, base = 0): { tag: number; start: number; tlv: Uint8Array; value: Uint8Array }[] {
  const out: { tag: number; start: number; tlv: Uint8Array; value: Uint8Array }[] = [];
  let p = 0;
  while (p < value.length && value[p] !== 0x00 && value[p] !== 0xff) {
    const t = tlvAt(value, p);
    out.push({ tag: t.tag, start: base + p, tlv: value.slice(p, t.end), value: t.value });
    p = t.end;
  }
  return out;
}
