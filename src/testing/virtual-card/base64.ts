/**
 * Portable base64 / base64url decoding (no `Buffer`, no `atob`), for the JWK keys and the
 * base64 DER certificates of the committed test PKI.
 * @packageDocumentation
 */
import { InvalidArgumentError } from '../../errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const VALUES: Readonly<Record<string, number>> = (() => {
  const table: Record<string, number> = {};
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET[i]!] = i;
  // Both alphabets: '+' '/' (RFC 4648 §4) and '-' '_' (RFC 4648 §5, JWK).
  table['+'] = 62;
  table['/'] = 63;
  table['-'] = 62;
  table['_'] = 63;
  return table;
})();

/**
 * Decode base64 or base64url text. Padding (`=`) and whitespace are optional and ignored.
 * @throws InvalidArgumentError on a character outside both alphabets or an impossible length.
 */
export function decodeBase64(text: string): Uint8Array {
  const clean = text.replace(/[\s=]/g, '');
  if (clean.length % 4 === 1) throw new InvalidArgumentError('Invalid base64 length');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let bitCount = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    const v = VALUES[clean[i]!];
    if (v === undefined) throw new InvalidArgumentError('Invalid base64 character');
    bits = ((bits << 6) | v) & 0xffffff;
    bitCount += 6;
    if (bitCount >= 8) {
      bitCount -= 8;
      out[o++] = (bits >> bitCount) & 0xff;
    }
  }
  return out;
}
