/**
 * Shift_JIS for fixed-size text fields, without shipping a JIS X 0208 table.
 *
 * Double-byte characters come from the platform's `TextDecoder('shift_jis')` (browsers;
 * Node built with full ICU, the default of the official builds): on first use the whole
 * double-byte code space (~11,000 pairs) is decoded in one call into a table and its inverse.
 * Single bytes are handled here. Only characters that decode back to themselves are
 * encodable, so `decode(encode(s)) === s` always holds:
 * - ASCII U+0000–U+007F (including `\` 0x5C and `~` 0x7E, as WHATWG decodes them) and U+0080;
 * - half-width katakana U+FF61–U+FF9F (0xA1–0xDF);
 * - JIS X 0208 with the NEC and IBM extensions (lead bytes 81–9F, E0–EF, FA–FC);
 * - the user-defined area (外字, lead F0–F9), which the decoder maps to the private-use code
 *   points U+E000–U+E757: encoded back to the same bytes, so an installer's own 外字 survive a
 *   read-modify-write (WHATWG's encoder refuses them; the installer's 外字 table gives them meaning).
 *
 * Not encodable: `¥` U+00A5 and `‾` U+203E (WHATWG's encoder maps them to 0x5C / 0x7E, which
 * decode to `\` / `~`; write `￥` U+FFE5 instead). Characters with two codes (the NEC-selected
 * IBM rows, lead ED/EE, repeat FA–FC; NEC row 13 repeats some row-2 symbols) are written with
 * their first code outside ED/EE, as WHATWG does; reading either code gives the same character.
 * @packageDocumentation
 */
import { CardApCodecError } from './errors.js';

interface Tables {
  /** Two bytes (`lead << 8 | trail`) → character. */
  readonly decode: ReadonlyMap<number, string>;
  /** Character → two bytes; ED/EE codes are left out (their characters have FA–FC codes). */
  readonly encode: ReadonlyMap<number, number>;
}

let tables: Tables | null | undefined;

/** Lead bytes of double-byte characters: 81–9F and E0–FC. */
function isLead(b: number): boolean {
  return (b >= 0x81 && b <= 0x9f) || (b >= 0xe0 && b <= 0xfc);
}

/** Trail bytes: 40–7E and 80–FC. */
function isTrail(b: number): boolean {
  return b >= 0x40 && b <= 0xfc && b !== 0x7f;
}

/**
 * Both tables, from the platform decoder (one `decode` call over the whole double-byte code
 * space); `null` when the platform has no Shift_JIS decoder.
 */
function doubleByteTables(): Tables | null {
  if (tables !== undefined) return tables;
  let lenient: TextDecoder;
  try {
    lenient = new TextDecoder('shift_jis'); // replacement instead of throwing: one call for all pairs
  } catch {
    return (tables = null); // small-ICU runtimes
  }
  const pairs: number[] = [];
  for (let lead = 0x81; lead <= 0xfc; lead++) {
    if (!isLead(lead)) continue;
    for (let trail = 0x40; trail <= 0xfc; trail++) if (isTrail(trail)) pairs.push((lead << 8) | trail);
  }
  // Each pair is followed by a line feed, so an unmapped pair (U+FFFD, plus the trail byte when
  // it is ASCII) cannot shift the next one.
  const bytes = new Uint8Array(pairs.length * 3);
  pairs.forEach((pair, i) => {
    bytes[3 * i] = pair >> 8;
    bytes[3 * i + 1] = pair & 0xff;
    bytes[3 * i + 2] = 0x0a;
  });
  const pieces = lenient.decode(bytes).split('\n');
  const decode = new Map<number, string>();
  const encode = new Map<number, number>();
  pairs.forEach((pair, i) => {
    const piece = pieces[i]!;
    if (piece.length !== 1 || piece === '\ufffd') return;
    decode.set(pair, piece);
    const lead = pair >> 8;
    // First code wins (JIS X 0208 row 2 before NEC row 13); never ED/EE (duplicates of FA–FC).
    const cp = piece.charCodeAt(0);
    if (lead !== 0xed && lead !== 0xee && !encode.has(cp)) encode.set(cp, pair);
  });
  return (tables = { decode, encode });
}

function unsupported(direction: 'encode' | 'decode'): CardApCodecError {
  return new CardApCodecError(
    direction,
    "this runtime's TextDecoder has no Shift_JIS (Node needs full ICU, the default of the official builds)",
  );
}

/** Whether the runtime can decode (and therefore encode) double-byte Shift_JIS. */
export function shiftJisSupported(): boolean {
  return doubleByteTables() !== null;
}

/**
 * Encode `text` as Shift_JIS.
 * @throws CardApCodecError for a character that has no round-tripping Shift_JIS code, or when
 *   a double-byte character is needed and the runtime lacks a Shift_JIS decoder
 */
export function encodeShiftJis(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 2);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const cp = text.charCodeAt(i);
    if (cp <= 0x80) {
      out[n++] = cp;
    } else if (cp >= 0xff61 && cp <= 0xff9f) {
      out[n++] = cp - 0xff61 + 0xa1;
    } else {
      const t = doubleByteTables();
      if (t === null) throw unsupported('encode');
      const pair = t.encode.get(cp);
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
 * Decode Shift_JIS bytes. Single bytes are decoded here, as WHATWG specifies (ASCII, `80` →
 * U+0080, A1–DF → half-width katakana), the same on every platform (ICU's converter swaps some
 * control codes); double-byte characters come from the platform decoder's table.
 * @throws CardApCodecError for bytes that are not valid Shift_JIS, or when a double-byte
 *   character occurs and the runtime lacks a Shift_JIS decoder
 */
export function decodeShiftJis(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b <= 0x80) {
      text += String.fromCharCode(b);
    } else if (b >= 0xa1 && b <= 0xdf) {
      text += String.fromCharCode(0xff61 + b - 0xa1);
    } else {
      const trail = bytes[i + 1];
      if (!isLead(b) || trail === undefined || !isTrail(trail)) {
        throw new CardApCodecError('decode', `the byte at offset ${i} does not start a Shift_JIS character`);
      }
      const t = doubleByteTables();
      if (t === null) throw unsupported('decode');
      const ch = t.decode.get((b << 8) | trail);
      if (ch === undefined) throw new CardApCodecError('decode', `the bytes at offset ${i} are not a Shift_JIS character`);
      text += ch;
      i++;
    }
  }
  return text;
}
