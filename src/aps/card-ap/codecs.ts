/**
 * Codecs: how a card-AP file's (or a TLV member's) bytes map to a typed value. The installer
 * of a card AP owns its layout; these cover the common shapes:
 * - {@link bytesCodec} — raw bytes;
 * - {@link digitsCodec} — ASCII digits (member numbers, dates as `YYYYMMDD`);
 * - {@link textCodec} — UTF-8 or Shift_JIS text, padded to a fixed size;
 * - {@link uintCodec} — a big-endian unsigned integer;
 * - `tlvRecord` (in `tlv-record.ts`) — BER-TLV members, each with its own codec.
 *
 * A size is either a number (fixed: every value encodes to exactly that many bytes) or
 * `{ max }` (variable: up to `max` bytes; only inside a TLV record, whose length field says
 * where the value ends). Every codec checks its input and throws {@link CardApValueTooLargeError}
 * or {@link CardApCodecError} without the value in the message.
 * @packageDocumentation
 */
import { InvalidArgumentError } from '../../errors.js';
import { MAX_FILE_SIZE } from './constants.js';
import { CardApCodecError, CardApValueTooLargeError } from './errors.js';
import { decodeShiftJis, encodeShiftJis } from './shift-jis.js';

/**
 * How a codec's encoding is delimited:
 * - `'fixed'` — always {@link CardApCodec.size} bytes;
 * - `'variable'` — 0 to {@link CardApCodec.maxSize} bytes (needs an outer length: a TLV member);
 * - `'tlv'` — a BER-TLV record that delimits itself; in a file it is followed by filler.
 */
export type CardApCodecLayout = 'fixed' | 'variable' | 'tlv';

/** A codec's size argument: a number (fixed size) or `{ max }` (variable size, inside a TLV record). */
export type CardApSize =
  | number
  | {
      /** Largest encoded size in bytes. */
      readonly max: number;
    };

/** Text encodings of {@link textCodec}. */
export type CardApTextEncoding = 'utf-8' | 'shift_jis';

/** Pad bytes of {@link textCodec}: NUL, space (default) or `FF`. */
export type CardApTextPad = 0x00 | 0x20 | 0xff;

/** JSON form of a codec (see `cardApDescriptorFromJson`). */
export type CardApCodecJson =
  | {
      /** Raw bytes: {@link bytesCodec}. */
      readonly type: 'bytes';
      /** Fixed size in bytes (give this or `maxSize`). */
      readonly size?: number;
      /** Largest size in bytes, for a variable-size value inside a TLV record (give this or `size`). */
      readonly maxSize?: number;
    }
  | {
      /** ASCII digits: {@link digitsCodec}. */
      readonly type: 'digits';
      /** Fixed size in bytes (give this or `maxSize`). */
      readonly size?: number;
      /** Largest size in bytes, for a variable-size value inside a TLV record (give this or `size`). */
      readonly maxSize?: number;
    }
  | {
      /** Padded text: {@link textCodec}. */
      readonly type: 'text';
      /** Fixed size in bytes (give this or `maxSize`). */
      readonly size?: number;
      /** Largest size in bytes, for a variable-size value inside a TLV record (give this or `size`). */
      readonly maxSize?: number;
      /** Text encoding: `'utf-8'` (default) or `'shift_jis'`. */
      readonly encoding?: CardApTextEncoding;
      /** Pad byte after the text in a fixed size: `0x20` (space, default), `0x00` or `0xFF`. */
      readonly pad?: CardApTextPad;
    }
  | {
      /** Big-endian unsigned integer: {@link uintCodec}. */
      readonly type: 'uint';
      /** Fixed size in bytes (give this or `maxSize`). */
      readonly size?: number;
      /** Largest size in bytes, for a variable-size value inside a TLV record (give this or `size`). */
      readonly maxSize?: number;
    }
  | {
      /** BER-TLV record: `tlvRecord`; its size is bounded by the file. */
      readonly type: 'tlv-record';
      /** The record's members, by property name. */
      readonly members: Readonly<Record<string, CardApTlvMemberJson>>;
      /** Constructed tag wrapping the members, as hex (e.g. `"70"`, `"FF20"`); default none. */
      readonly template?: string;
      /** Filler after the record in its file: `255` (`0xFF`, default) or `0`. */
      readonly filler?: number;
    };

/** JSON form of a TLV record member: a tag (hex string such as `"DF01"`, raw bytes), or a tag with a codec. */
export type CardApTlvMemberJson =
  | string
  | {
      /** The BER tag as hex, all tag bytes (e.g. `"DF01"`, `"5F20"`, `"80"`). */
      readonly tag: string;
      /** How the member's value is encoded; default raw bytes. */
      readonly codec?: CardApCodecJson;
      /** The member may be absent from the record. */
      readonly optional?: boolean;
    };

/**
 * Maps bytes to a value of type `T` and back. `encode` and `decode` are inverse on every value
 * `encode` accepts (property-tested).
 */
export interface CardApCodec<T> {
  /** Codec name (`'bytes'`, `'digits'`, `'text'`, `'uint'`, `'tlv-record'`). */
  readonly type: CardApCodecJson['type'];
  /** How the encoding is delimited. */
  readonly layout: CardApCodecLayout;
  /** The encoded size for `'fixed'`; `undefined` otherwise. */
  readonly size: number | undefined;
  /** The largest encoded size (`undefined` for a TLV record: bounded by its file). */
  readonly maxSize: number | undefined;
  /**
   * Encode a value.
   * @throws CardApValueTooLargeError when it does not fit; CardApCodecError when it is invalid
   */
  encode(value: T): Uint8Array;
  /**
   * Decode bytes: exactly `size` bytes (fixed), up to `maxSize` (variable), or a file image
   * with filler (TLV record).
   * @throws CardApCodecError when the bytes are not a valid encoding
   */
  decode(bytes: Uint8Array): T;
  /** The JSON form (for `cardApDescriptorToJson`). */
  toJSON(): CardApCodecJson;
}

/** The value type a codec encodes. */
export type CardApCodecValue<C> = C extends CardApCodec<infer T> ? T : never;

interface ResolvedSize {
  readonly layout: 'fixed' | 'variable';
  readonly size: number | undefined;
  readonly max: number;
}

/** Check a size argument; `limit` is the largest allowed. */
function resolveSize(size: CardApSize, what: string, limit = MAX_FILE_SIZE): ResolvedSize {
  if (typeof size === 'number') {
    if (!Number.isInteger(size) || size < 1 || size > limit) {
      throw new InvalidArgumentError(`${what} size must be an integer 1..${limit}`);
    }
    return { layout: 'fixed', size, max: size };
  }
  if (typeof size === 'object' && size !== null && typeof size.max === 'number') {
    if (!Number.isInteger(size.max) || size.max < 1 || size.max > limit) {
      throw new InvalidArgumentError(`${what} max size must be an integer 1..${limit}`);
    }
    return { layout: 'variable', size: undefined, max: size.max };
  }
  throw new InvalidArgumentError(`${what} size must be a number or { max: number }`);
}

function sizeJson(s: ResolvedSize): { size: number } | { maxSize: number } {
  return s.layout === 'fixed' ? { size: s.max } : { maxSize: s.max };
}

/** Check an encoded length against the size rules. */
function checkEncodedLength(s: ResolvedSize, length: number, unit = 'bytes'): void {
  if (length > s.max) throw new CardApValueTooLargeError(s.max, length);
  if (s.layout === 'fixed' && length !== s.max) {
    throw new CardApCodecError('encode', `the value must be exactly ${s.max} ${unit}, got ${length}`);
  }
}

/** Check a decoded length against the size rules. */
function checkDecodedLength(s: ResolvedSize, bytes: Uint8Array): void {
  if (!(bytes instanceof Uint8Array)) throw new CardApCodecError('decode', 'expected bytes');
  if (s.layout === 'fixed' ? bytes.length !== s.max : bytes.length > s.max) {
    throw new CardApCodecError(
      'decode',
      `expected ${s.layout === 'fixed' ? 'exactly' : 'at most'} ${s.max} bytes, got ${bytes.length}`,
    );
  }
}

/**
 * Raw bytes (`Uint8Array`), copied in both directions.
 *
 * @param size - a fixed size (the value must have exactly this length), or `{ max }`
 * @throws InvalidArgumentError for a bad size
 */
export function bytesCodec(size: CardApSize): CardApCodec<Uint8Array> {
  const s = resolveSize(size, 'bytesCodec');
  return {
    type: 'bytes',
    layout: s.layout,
    size: s.size,
    maxSize: s.max,
    encode(value) {
      if (!(value instanceof Uint8Array)) throw new CardApCodecError('encode', 'expected a Uint8Array');
      checkEncodedLength(s, value.length);
      return value.slice();
    },
    decode(bytes) {
      checkDecodedLength(s, bytes);
      return bytes.slice();
    },
    toJSON: () => ({ type: 'bytes', ...sizeJson(s) }),
  };
}

/**
 * A string of ASCII digits `0`–`9` (a member number, a date as `YYYYMMDD`), one byte per digit.
 * A fixed size means exactly that many digits (pad with leading zeros yourself).
 *
 * @throws InvalidArgumentError for a bad size
 */
export function digitsCodec(size: CardApSize): CardApCodec<string> {
  const s = resolveSize(size, 'digitsCodec');
  return {
    type: 'digits',
    layout: s.layout,
    size: s.size,
    maxSize: s.max,
    encode(value) {
      if (typeof value !== 'string') throw new CardApCodecError('encode', 'expected a string of digits');
      if (!/^[0-9]*$/.test(value)) throw new CardApCodecError('encode', 'only the digits 0-9 are allowed');
      checkEncodedLength(s, value.length, 'digits');
      const out = new Uint8Array(value.length);
      for (let i = 0; i < value.length; i++) out[i] = value.charCodeAt(i);
      return out;
    },
    decode(bytes) {
      checkDecodedLength(s, bytes);
      let text = '';
      for (const b of bytes) {
        if (b < 0x30 || b > 0x39) throw new CardApCodecError('decode', 'the file holds a byte that is not an ASCII digit');
        text += String.fromCharCode(b);
      }
      return text;
    },
    toJSON: () => ({ type: 'digits', ...sizeJson(s) }),
  };
}

/** Options of {@link textCodec}. */
export interface CardApTextOptions {
  /** `'utf-8'` (default) or `'shift_jis'` (see `shift-jis.ts` for what is encodable). */
  readonly encoding?: CardApTextEncoding | undefined;
  /**
   * Byte that fills a fixed-size field after the text, stripped when decoding: `0x20` (space,
   * default), `0x00` or `0xFF`. A text whose encoding ends with the pad byte is refused, as it
   * could not be read back unchanged. Not used by variable sizes.
   */
  readonly pad?: CardApTextPad | undefined;
}

const PADS: readonly number[] = [0x00, 0x20, 0xff];

/** Whether `text` has no lone surrogate (so UTF-8 round-trips it). */
function isWellFormed(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const utf8Encoder = new TextEncoder();

/**
 * Text in UTF-8 or Shift_JIS. A fixed size is padded with `pad` after the text; decoding strips
 * trailing pad bytes. Multi-byte characters are never split: a text that does not fit throws
 * {@link CardApValueTooLargeError}.
 *
 * @throws InvalidArgumentError for a bad size, encoding or pad
 */
export function textCodec(size: CardApSize, options: CardApTextOptions = {}): CardApCodec<string> {
  const s = resolveSize(size, 'textCodec');
  const encoding = options.encoding ?? 'utf-8';
  if (encoding !== 'utf-8' && encoding !== 'shift_jis') {
    throw new InvalidArgumentError("textCodec encoding must be 'utf-8' or 'shift_jis'");
  }
  const pad = options.pad ?? 0x20;
  if (!PADS.includes(pad)) throw new InvalidArgumentError('textCodec pad must be 0x00, 0x20 or 0xFF');
  const fixed = s.layout === 'fixed';
  return {
    type: 'text',
    layout: s.layout,
    size: s.size,
    maxSize: s.max,
    encode(value) {
      if (typeof value !== 'string') throw new CardApCodecError('encode', 'expected a string');
      let bytes: Uint8Array;
      if (encoding === 'utf-8') {
        if (!isWellFormed(value)) throw new CardApCodecError('encode', 'the text holds a lone UTF-16 surrogate');
        bytes = utf8Encoder.encode(value);
      } else {
        bytes = encodeShiftJis(value);
      }
      if (bytes.length > s.max) throw new CardApValueTooLargeError(s.max, bytes.length);
      if (!fixed) return bytes;
      if (bytes.length > 0 && bytes[bytes.length - 1] === pad) {
        throw new CardApCodecError('encode', 'the text ends with the pad character, which would be lost when read back');
      }
      const out = new Uint8Array(s.max).fill(pad);
      out.set(bytes);
      return out;
    },
    decode(bytes) {
      checkDecodedLength(s, bytes);
      let end = bytes.length;
      if (fixed) while (end > 0 && bytes[end - 1] === pad) end--;
      const body = bytes.subarray(0, end);
      if (encoding === 'shift_jis') return decodeShiftJis(body);
      try {
        return utf8Decoder.decode(body);
      } catch (error) {
        throw new CardApCodecError('decode', 'the bytes are not valid UTF-8', { cause: error });
      }
    },
    toJSON: () => ({
      type: 'text',
      ...sizeJson(s),
      encoding,
      ...(fixed ? { pad } : {}),
    }),
  };
}

/** Largest byte length of {@link uintCodec}: 6 bytes stay within `Number.MAX_SAFE_INTEGER`. */
const MAX_UINT_BYTES = 6;

/**
 * A big-endian unsigned integer (a borrowing limit, a counter). A fixed size always writes that
 * many bytes; `{ max }` writes the fewest bytes (at least one).
 *
 * @param size - 1–6 bytes, or `{ max }` with max 1–6
 * @throws InvalidArgumentError for a bad size
 */
export function uintCodec(size: CardApSize): CardApCodec<number> {
  const s = resolveSize(size, 'uintCodec', MAX_UINT_BYTES);
  const limit = 2 ** (8 * s.max);
  return {
    type: 'uint',
    layout: s.layout,
    size: s.size,
    maxSize: s.max,
    encode(value) {
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
        throw new CardApCodecError('encode', 'expected a non-negative integer');
      }
      let length = 1;
      while (length < MAX_UINT_BYTES + 1 && value >= 2 ** (8 * length)) length++;
      if (value >= limit) throw new CardApValueTooLargeError(s.max, length);
      const n = s.layout === 'fixed' ? s.max : length;
      const out = new Uint8Array(n);
      let v = value;
      for (let i = n - 1; i >= 0; i--) {
        out[i] = v % 256;
        v = Math.floor(v / 256);
      }
      return out;
    },
    decode(bytes) {
      checkDecodedLength(s, bytes);
      if (bytes.length === 0) throw new CardApCodecError('decode', 'an integer needs at least one byte');
      if (s.layout === 'variable' && bytes.length > 1 && bytes[0] === 0) {
        throw new CardApCodecError('decode', 'the integer is not minimally encoded');
      }
      let v = 0;
      for (const b of bytes) v = v * 256 + b;
      return v;
    },
    toJSON: () => ({ type: 'uint', ...sizeJson(s) }),
  };
}
