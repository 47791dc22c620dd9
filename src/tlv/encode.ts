/**
 * A small BER-TLV encoder with minimal (DER) definite lengths, used by the virtual card and tests.
 * @packageDocumentation
 */
import { InvalidArgumentError } from '../errors.js';

/**
 * Number of bytes of `tag` (all tag bytes as one integer) after checking that they form one
 * well-formed BER tag: the first byte's low five bits are `1F` exactly when subsequent bytes
 * follow, every subsequent byte but the last has bit 8 set. `0x00` (end-of-contents) is allowed.
 */
export function tlvTagByteLength(tag: number): number {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xffffffff) {
    throw new InvalidArgumentError('TLV tag must be an integer in 0..0xFFFFFFFF');
  }
  const n = tag > 0xffffff ? 4 : tag > 0xffff ? 3 : tag > 0xff ? 2 : 1;
  const first = Math.floor(tag / 2 ** (8 * (n - 1))) & 0xff;
  const multi = (first & 0x1f) === 0x1f;
  if (multi !== n > 1) throw new InvalidArgumentError('TLV tag bytes are not one well-formed tag');
  for (let i = n - 2; i >= 0; i--) {
    const b = Math.floor(tag / 2 ** (8 * i)) & 0xff;
    if (((b & 0x80) !== 0) !== i > 0) {
      throw new InvalidArgumentError('TLV tag bytes are not one well-formed tag');
    }
  }
  return n;
}

/**
 * Minimal DER definite length field: short form below `0x80`, else `81`..`84` and big-endian
 * length bytes.
 */
export function encodeTlvLength(length: number): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(length) || length < 0 || length > 0xffffffff) {
    throw new InvalidArgumentError('TLV length must be an integer in 0..0xFFFFFFFF');
  }
  if (length < 0x80) return Uint8Array.of(length);
  const n = length > 0xffffff ? 4 : length > 0xffff ? 3 : length > 0xff ? 2 : 1;
  const out = new Uint8Array(1 + n);
  out[0] = 0x80 | n;
  for (let i = 0; i < n; i++) out[n - i] = Math.floor(length / 2 ** (8 * i)) & 0xff;
  return out;
}

/**
 * Encode one TLV object: the tag bytes of `tag` (e.g. `0x30`, `0xDF21`, `0x7F21`, `0xFF20`,
 * `0x5F4E`), a minimal definite length, then `value` (an array of parts is concatenated, which
 * is how constructed objects are built from encoded children).
 *
 * @throws InvalidArgumentError when `tag` is not one well-formed tag or the value is too long.
 */
export function encodeTlv(tag: number, value: Uint8Array | readonly Uint8Array[]): Uint8Array<ArrayBuffer> {
  const tagLength = tlvTagByteLength(tag);
  let valueLength = 0;
  if (value instanceof Uint8Array) valueLength = value.length;
  else for (const part of value) valueLength += part.length;
  const lengthField = encodeTlvLength(valueLength);
  const out = new Uint8Array(tagLength + lengthField.length + valueLength);
  for (let i = 0; i < tagLength; i++) {
    out[i] = Math.floor(tag / 2 ** (8 * (tagLength - 1 - i))) & 0xff;
  }
  out.set(lengthField, tagLength);
  let offset = tagLength + lengthField.length;
  if (value instanceof Uint8Array) out.set(value, offset);
  else {
    for (const part of value) {
      out.set(part, offset);
      offset += part.length;
    }
  }
  return out;
}
