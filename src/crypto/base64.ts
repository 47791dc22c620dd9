/**
 * Standard base64 (RFC 4648 §4, padded) without `Buffer` or `atob`, for browser-safe data modules.
 * @packageDocumentation
 */
import { InvalidArgumentError } from '../errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LOOKUP = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) LOOKUP[ALPHABET.charCodeAt(i)] = i;

/**
 * Decode padded standard base64. Whitespace is ignored (so PEM bodies may be passed as they are).
 *
 * @throws InvalidArgumentError on a character outside the alphabet, bad padding or bad length
 */
export function base64ToBytes(text: string): Uint8Array {
  const clean = text.replace(/\s+/g, '');
  if (clean.length % 4 !== 0) throw new InvalidArgumentError('Base64 length must be a multiple of 4');
  const padding = clean.endsWith('==') ? 2 : clean.endsWith('=') ? 1 : 0;
  const out = new Uint8Array((clean.length / 4) * 3 - padding);
  let o = 0;
  for (let i = 0; i < clean.length; i += 4) {
    let chunk = 0;
    for (let j = 0; j < 4; j++) {
      const c = clean.charCodeAt(i + j);
      const isPad = c === 0x3d && i + j >= clean.length - padding;
      const v = isPad ? 0 : c < 128 ? LOOKUP[c]! : -1;
      if (v < 0) throw new InvalidArgumentError('Invalid base64 character');
      chunk = (chunk << 6) | v;
    }
    if (o < out.length) out[o++] = (chunk >> 16) & 0xff;
    if (o < out.length) out[o++] = (chunk >> 8) & 0xff;
    if (o < out.length) out[o++] = chunk & 0xff;
  }
  return out;
}

/** Encode bytes as padded standard base64. */
export function bytesToBase64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i]!;
    const b1 = bytes[i + 1];
    const b2 = bytes[i + 2];
    const chunk = (b0 << 16) | ((b1 ?? 0) << 8) | (b2 ?? 0);
    out += ALPHABET[(chunk >> 18) & 63]! + ALPHABET[(chunk >> 12) & 63]!;
    out += b1 === undefined ? '=' : ALPHABET[(chunk >> 6) & 63]!;
    out += b2 === undefined ? '=' : ALPHABET[chunk & 63]!;
  }
  return out;
}

/** Encode bytes as base64url without padding (RFC 4648 §5), the form JSON wire formats use. */
export function bytesToBase64url(bytes: Uint8Array): string {
  return bytesToBase64(bytes).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/**
 * Decode unpadded base64url (RFC 4648 §5). Strict: no padding, no whitespace, no `+` or `/`,
 * and no length that cannot come from {@link bytesToBase64url}.
 *
 * @throws InvalidArgumentError on anything else
 */
export function base64urlToBytes(text: string): Uint8Array {
  if (typeof text !== 'string' || !/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) {
    throw new InvalidArgumentError('Invalid base64url (unpadded RFC 4648 §5 expected)');
  }
  const bytes = base64ToBytes(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  // Non-canonical trailing bits (e.g. `AB` instead of `AA`) would let two strings name one value.
  if (bytesToBase64url(bytes) !== text) throw new InvalidArgumentError('Invalid base64url (non-canonical trailing bits)');
  return bytes;
}
