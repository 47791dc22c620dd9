/**
 * Shift_JIS for fixed-size text fields, without shipping a JIS X 0208 table.
 *
 * Decoding uses the platform's WHATWG `TextDecoder('shift_jis')` (browsers; Node built with
 * full ICU, the default of the official builds). Encoding uses the inverse of that decoder,
 * built once on first use by decoding the whole double-byte code space in one call (~11,000
 * pairs). Only characters that decode back to themselves are encodable, so
 * `decode(encode(s)) === s` always holds:
 * - ASCII U+0000–U+007F (including `\` 0x5C and `~` 0x7E, as WHATWG decodes them) and U+0080;
 * - half-width katakana U+FF61–U+FF9F (0xA1–0xDF);
 * - JIS X 0208 with the NEC and IBM extensions (lead bytes 81–9F, E0–FC).
 *
 * Not encodable: `¥` U+00A5 and `‾` U+203E (WHATWG's encoder maps them to 0x5C / 0x7E, which
 * decode to `\` / `~`; write `￥` U+FFE5 instead), the duplicate NEC-selected IBM rows
 * (lead ED/EE; their characters are written with their IBM codes FA–FC, as WHATWG does), and
 * the user-defined area (lead F0–F9).
 * @packageDocumentation
 */
import { CardApCodecError } from './errors.js';

let decoder: TextDecoder | null | undefined;
let encodeMap: Map<number, number> | undefined;

/** The fatal WHATWG Shift_JIS decoder, or `null` when the platform has none. */
function shiftJisDecoder(): TextDecoder | null {
  if (decoder === undefined) {
    try {
      decoder = new TextDecoder('shift_jis', { fatal: true });
    } catch {
      decoder = null; // small-ICU runtimes
    }
  }
  return decoder;
}

function unsupported(direction: 'encode' | 'decode'): CardApCodecError {
  return new CardApCodecError(
    direction,
    "this runtime's TextDecoder has no Shift_JIS (Node needs full ICU, the default of the official builds)",
  );
}

/** Whether the runtime can decode (and therefore encode) Shift_JIS. */
export function shiftJisSupported(): boolean {
  return shiftJisDecoder() !== null;
}

function isLead(b: number): boolean {
  // Lead bytes of double-byte characters: 81–9F and E0–FC.
  return (b >= 0x81 && b <= 0x9f) || (b >= 0xe0 && b <= 0xfc);
}

/** Code point → two bytes (`lead << 8 | trail`), from the decoder itself. */
function doubleByteMap(): Map<number, number> {
  if (encodeMap !== undefined) return encodeMap;
  const lenient = new TextDecoder('shift_jis'); // replacement instead of throwing, one call for all pairs
  const pairs: number[] = [];
  for (let lead = 0x81; lead <= 0xfc; lead++) {
    // ED/EE: NEC-selected IBM extensions, duplicates of FA–FC; F0–F9: user-defined area.
    if (!isLead(lead) || lead === 0xed || lead === 0xee || (lead >= 0xf0 && lead <= 0xf9)) continue;
    for (let trail = 0x40; trail <= 0xfc; trail++) {
      if (trail !== 0x7f) pairs.push((lead << 8) | trail);
    }
  }
  // Each pair is followed by a line feed, so an unmapped pair (decoded as U+FFFD, plus the
  // trail byte when it is ASCII) cannot shift the next one.
  const bytes = new Uint8Array(pairs.length * 3);
  pairs.forEach((pair, i) => {
    bytes[3 * i] = pair >> 8;
    bytes[3 * i + 1] = pair & 0xff;
    bytes[3 * i + 2] = 0x0a;
  });
  const pieces = lenient.decode(bytes).split('\n');
  const map = new Map<number, number>();
  pairs.forEach((pair, i) => {
    const piece = pieces[i]!;
    if (piece.length !== 1 || piece === '\ufffd') return;
    const cp = piece.charCodeAt(0);
    if (!map.has(cp)) map.set(cp, pair); // first code wins (JIS X 0208 row 2 before NEC row 13)
  });
  encodeMap = map;
  return map;
}

/**
 * Encode `text` as Shift_JIS.
 * @throws CardApCodecError for a character that has no round-tripping Shift_JIS code, or when
 *   the runtime lacks a Shift_JIS decoder
 */
export function encodeShiftJis(text: string): Uint8Array {
  if (shiftJisDecoder() === null) throw unsupported('encode');
  const out = new Uint8Array(text.length * 2);
  let n = 0;
  let map: Map<number, number> | undefined;
  for (let i = 0; i < text.length; i++) {
    const cp = text.charCodeAt(i);
    if (cp <= 0x80) {
      out[n++] = cp;
    } else if (cp >= 0xff61 && cp <= 0xff9f) {
      out[n++] = cp - 0xff61 + 0xa1;
    } else {
      map ??= doubleByteMap();
      const pair = map.get(cp);
      if (pair === undefined) {
        throw new CardApCodecError('encode', `the character at index ${i} has no Shift_JIS code`);
      }
      out[n++] = pair >> 8;
      out[n++] = pair & 0xff;
    }
  }
  return out.slice(0, n);
}

/**
 * Decode Shift_JIS bytes (WHATWG decoder, fatal).
 * @throws CardApCodecError for bytes that are not valid Shift_JIS, or when the runtime lacks a
 *   Shift_JIS decoder
 */
export function decodeShiftJis(bytes: Uint8Array): string {
  const d = shiftJisDecoder();
  if (d === null) throw unsupported('decode');
  try {
    return d.decode(bytes);
  } catch (error) {
    throw new CardApCodecError('decode', 'the bytes are not valid Shift_JIS', { cause: error });
  }
}
