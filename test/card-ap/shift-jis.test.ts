/** Shift_JIS without a bundled table: exact codes, what is refused, and round trips over the whole table. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CardApCodecError, shiftJisSupported } from '../../src/aps/card-ap/index.js';
import { decodeShiftJis, encodeShiftJis } from '../../src/aps/card-ap/shift-jis.js';
import { hex } from './helpers.js';

/** Every double-byte code the platform decoder maps, as [bytes, character]. */
function mappedPairs(): [number, string][] {
  const out: [number, string][] = [];
  for (let lead = 0x81; lead <= 0xfc; lead++) {
    if (lead > 0x9f && lead < 0xe0) continue;
    for (let trail = 0x40; trail <= 0xfc; trail++) {
      if (trail === 0x7f) continue;
      try {
        out.push([(lead << 8) | trail, decodeShiftJis(Uint8Array.of(lead, trail))]);
      } catch {
        // unmapped code
      }
    }
  }
  return out;
}

describe('Shift_JIS', () => {
  it('is available on this Node (full ICU)', () => {
    expect(shiftJisSupported()).toBe(true);
  });

  it('encodes kana, kanji, symbols, half-width katakana and ASCII to their codes', () => {
    expect(hex(encodeShiftJis('あア亜'))).toBe('82A08341889F');
    expect(hex(encodeShiftJis('図書館'))).toBe('907D8F918AD9');
    expect(hex(encodeShiftJis('ｱｲﾟ'))).toBe('B1B2DF');
    expect(hex(encodeShiftJis('A\\~'))).toBe('415C7E');
    expect(hex(encodeShiftJis('￥'))).toBe('818F');
    expect(hex(encodeShiftJis('髙'))).toBe('FBFC'); // IBM extension
  });

  it('writes a character with two codes with its first code outside ED/EE, and reads both', () => {
    expect(hex(encodeShiftJis('≒'))).toBe('81E0'); // also 8790 (NEC row 13)
    expect(decodeShiftJis(Uint8Array.of(0x87, 0x90))).toBe('≒');
    expect(hex(encodeShiftJis('纊'))).toBe('FA5C'); // also ED40 (NEC-selected IBM)
    expect(decodeShiftJis(Uint8Array.of(0xed, 0x40))).toBe('纊');
  });

  it('keeps user-defined characters (外字) as private-use code points both ways', () => {
    expect(decodeShiftJis(Uint8Array.of(0xf0, 0x40, 0xf9, 0xfc))).toBe('\ue000\ue757');
    expect(hex(encodeShiftJis('\ue000\ue757'))).toBe('F040F9FC');
  });

  it('decodes single bytes the same on every platform (WHATWG), not as ICU swaps controls', () => {
    expect(decodeShiftJis(Uint8Array.of(0x1a, 0x1c, 0x7f, 0x80))).toBe('\u001a\u001c\u007f\u0080');
    expect(hex(encodeShiftJis('\u001a\u001c\u007f\u0080'))).toBe('1A1C7F80');
  });

  it('refuses characters that would not read back, naming the index only', () => {
    for (const ch of ['¥', '‾', '€', '😀', '\ue758']) {
      const error = (() => {
        try {
          encodeShiftJis(`ab${ch}`);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error).toBeInstanceOf(CardApCodecError);
      expect((error as Error).message).toContain('index 2');
    }
  });

  it('refuses invalid bytes', () => {
    for (const bytes of [[0xa0], [0xfd], [0xff], [0x82], [0x82, 0x7f], [0x82, 0x30], [0x85, 0x40]]) {
      expect(() => decodeShiftJis(Uint8Array.from(bytes))).toThrow(CardApCodecError);
    }
  });

  it('the whole table round-trips: every mapped character encodes to a code that decodes to it', () => {
    const pairs = mappedPairs();
    expect(pairs.length).toBeGreaterThan(9000);
    let sameBytes = 0;
    for (const [code, ch] of pairs) {
      const encoded = encodeShiftJis(ch);
      expect(decodeShiftJis(encoded)).toBe(ch);
      if (((encoded[0]! << 8) | encoded[1]!) === code) sameBytes++;
    }
    // Only the duplicate codes (ED/EE rows and NEC row-13 repeats) encode elsewhere.
    expect(pairs.length - sameBytes).toBeLessThan(400);
  });

  it('round-trips random text drawn from the table (property)', () => {
    const chars = [...mappedPairs().map(([, ch]) => ch), ...Array.from({ length: 0x81 }, (_, i) => String.fromCharCode(i))];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...chars), { maxLength: 40 }), (list) => {
        const text = list.join('');
        expect(decodeShiftJis(encodeShiftJis(text))).toBe(text);
      }),
    );
  });
});
