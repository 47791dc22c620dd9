/**
 * Reading one TLV header on its own, for streaming reads (learn an object's size from its first
 * bytes, e.g. a certificate EF starting `30 82 LL LL`, then read exactly that many bytes).
 * @packageDocumentation
 */
import { InvalidArgumentError } from '../errors.js';
import { TlvError } from './errors.js';
import { tlvTagClassOf, type TlvTagClass } from './node.js';

/** A parsed TLV header (tag and length fields only). */
export interface TlvHeader {
  /** All tag bytes as one unsigned integer (`0x30`, `0xFF20`, …). */
  readonly tag: number;
  /** Tag class from the first tag byte. */
  readonly tagClass: TlvTagClass;
  /** Whether the constructed bit is set. */
  readonly constructed: boolean;
  /** Offset of the header in the input. */
  readonly offset: number;
  /** Bytes of tag plus length field. */
  readonly headerLength: number;
  /** Content length, or `null` for an indefinite length (BER). */
  readonly length: number | null;
  /** `headerLength + length`: the bytes the whole object takes, or `null` for an indefinite length. */
  readonly totalLength: number | null;
}

/**
 * Parse the header at `offset`. Only the header bytes need to be present: `30 82 06 1F` alone
 * gives `totalLength` 1571, `FF 20 81 9A` gives 158.
 *
 * The default `mode` is `'ber'` (lenient, because this only sizes an object: the card's
 * 個人番号 EF starts `FF 10 0C`, a tag DER calls non-minimal); `'der'` applies the DER rules of
 * {@link decodeTlv}. An indefinite length (BER) gives `length` and `totalLength` `null`.
 *
 * @throws TlvError `truncated` when the header itself is incomplete, or another framing code.
 */
export function readTlvHeader(
  bytes: Uint8Array,
  offset = 0,
  options?: { readonly mode?: 'der' | 'ber' },
): TlvHeader {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('readTlvHeader expects a Uint8Array');
  if (!Number.isInteger(offset) || offset < 0) throw new InvalidArgumentError('offset must be a non-negative integer');
  const der = options?.mode === 'der';
  const n = bytes.length;
  if (offset >= n) throw new TlvError('truncated', offset);
  const b0 = bytes[offset]!;
  let p = offset + 1;
  let tag = b0;
  if ((b0 & 0x1f) === 0x1f) {
    for (let i = 1; ; i++) {
      if (i > 3) throw new TlvError('bad-tag', offset);
      if (p >= n) throw new TlvError('truncated', offset);
      const b = bytes[p++]!;
      if (i === 1 && der && (b < 0x1f || b === 0x80)) throw new TlvError('bad-tag', offset);
      tag = tag * 256 + b;
      if ((b & 0x80) === 0) break;
    }
  } else if (b0 === 0) {
    throw new TlvError('bad-tag', offset);
  }
  if (p >= n) throw new TlvError('truncated', offset);
  const first = bytes[p++]!;
  let length: number | null = first;
  if (first === 0x80) {
    if (der) throw new TlvError('indefinite-in-der', offset);
    if ((b0 & 0x20) === 0) throw new TlvError('bad-tag', offset);
    length = null;
  } else if (first > 0x80) {
    let k = first & 0x7f;
    if (k === 0x7f) throw new TlvError('length-overflow', offset);
    if (p + k > n) throw new TlvError('truncated', offset);
    if (der && bytes[p] === 0) throw new TlvError('non-minimal-length', offset);
    let v = 0;
    while (k-- > 0) {
      v = v * 256 + bytes[p++]!;
      if (v > 0x7fffffff) throw new TlvError('length-overflow', offset);
    }
    if (der && v < 0x80) throw new TlvError('non-minimal-length', offset);
    length = v;
  }
  const headerLength = p - offset;
  return {
    tag,
    tagClass: tlvTagClassOf(b0),
    constructed: (b0 & 0x20) !== 0,
    offset,
    headerLength,
    length,
    totalLength: length === null ? null : headerLength + length,
  };
}
