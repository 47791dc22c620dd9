/**
 * Simple-TLV (ISO/IEC 7816-4 §5.2.1, シンプルTLV): one tag byte `01`..`FE`; a length byte
 * `00`..`FE`, or `FF` followed by two big-endian bytes for 0..65535. Used in record data such
 * as the common AP's record (`01 1C` + 28 digits).
 * @packageDocumentation
 */
import { InvalidArgumentError } from '../errors.js';
import { TlvError } from './errors.js';

/** One Simple-TLV object. */
export interface SimpleTlv {
  /** The tag byte (`0x01`..`0xFE`). */
  readonly tag: number;
  /** The value as a view of the decoded input (no copy). */
  readonly value: Uint8Array;
  /** Offset of the tag byte in the input. */
  readonly offset: number;
}

/**
 * Decode consecutive Simple-TLV objects filling all of `bytes`.
 *
 * @throws TlvError `bad-tag` for tag `00` or `FF`, `truncated` when an object runs past the end.
 */
export function decodeSimpleTlv(bytes: Uint8Array): SimpleTlv[] {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('decodeSimpleTlv expects a Uint8Array');
  const out: SimpleTlv[] = [];
  const n = bytes.length;
  let pos = 0;
  while (pos < n) {
    const tag = bytes[pos]!;
    if (tag === 0x00 || tag === 0xff) throw new TlvError('bad-tag', pos);
    if (pos + 1 >= n) throw new TlvError('truncated', pos);
    let length = bytes[pos + 1]!;
    let p = pos + 2;
    if (length === 0xff) {
      if (p + 2 > n) throw new TlvError('truncated', pos);
      length = (bytes[p]! << 8) | bytes[p + 1]!;
      p += 2;
    }
    if (p + length > n) throw new TlvError('truncated', pos);
    out.push({ tag, value: new Uint8Array(bytes.buffer, bytes.byteOffset + p, length), offset: pos });
    pos = p + length;
  }
  return out;
}

/**
 * Encode one Simple-TLV object (one-byte length below 255, else `FF` + two bytes).
 *
 * @throws InvalidArgumentError when the tag is not `01`..`FE` or the value exceeds 65535 bytes.
 */
export function encodeSimpleTlv(tag: number, value: Uint8Array): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(tag) || tag < 0x01 || tag > 0xfe) {
    throw new InvalidArgumentError('Simple-TLV tag must be 0x01..0xFE');
  }
  const length = value.length;
  if (length > 0xffff) throw new InvalidArgumentError('Simple-TLV value is limited to 65535 bytes');
  const head = length < 0xff ? 2 : 4;
  const out = new Uint8Array(head + length);
  out[0] = tag;
  if (length < 0xff) out[1] = length;
  else {
    out[1] = 0xff;
    out[2] = length >> 8;
    out[3] = length & 0xff;
  }
  out.set(value, head);
  return out;
}
