/** Codecs of card-AP files: exact encodings, typed errors and round-trip properties. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import {
  CardApCodecError,
  CardApValueTooLargeError,
  bytesCodec,
  digitsCodec,
  textCodec,
  uintCodec,
  type CardApCodec,
} from '../../src/aps/card-ap/index.js';
import { hex } from './helpers.js';

function thrown(fn: () => unknown): Error & { code?: string } {
  try {
    fn();
  } catch (error) {
    return error as Error & { code?: string };
  }
  throw new Error('expected a throw');
}

describe('bytesCodec', () => {
  it('copies exactly `size` bytes both ways', () => {
    const codec = bytesCodec(4);
    const value = Uint8Array.of(1, 2, 3, 4);
    const encoded = codec.encode(value);
    expect(hex(encoded)).toBe('01020304');
    value[0] = 9;
    expect(encoded[0]).toBe(1);
    expect(codec).toMatchObject({ type: 'bytes', layout: 'fixed', size: 4, maxSize: 4 });
    expect(codec.toJSON()).toEqual({ type: 'bytes', size: 4 });
  });

  it('throws too-large above the size and a codec error below it or for a non-Uint8Array', () => {
    const codec = bytesCodec(4);
    expect(thrown(() => codec.encode(new Uint8Array(5)))).toMatchObject({ code: 'card-ap-value-too-large', limit: 4, actual: 5 });
    expect(thrown(() => codec.encode(new Uint8Array(3)))).toBeInstanceOf(CardApCodecError);
    expect(thrown(() => codec.encode([1, 2, 3, 4] as unknown as Uint8Array))).toBeInstanceOf(CardApCodecError);
    expect(thrown(() => codec.decode(new Uint8Array(3)))).toMatchObject({ direction: 'decode' });
  });

  it('variable sizes accept 0..max bytes', () => {
    const codec = bytesCodec({ max: 3 });
    expect(codec).toMatchObject({ layout: 'variable', size: undefined, maxSize: 3 });
    expect(hex(codec.encode(new Uint8Array(0)))).toBe('');
    expect(thrown(() => codec.encode(new Uint8Array(4)))).toBeInstanceOf(CardApValueTooLargeError);
    expect(codec.toJSON()).toEqual({ type: 'bytes', maxSize: 3 });
  });

  it('rejects bad sizes', () => {
    for (const size of [0, -1, 1.5, 32769, Number.NaN]) expect(() => bytesCodec(size)).toThrow(InvalidArgumentError);
    expect(() => bytesCodec({ max: 0 })).toThrow(InvalidArgumentError);
    expect(() => bytesCodec('4' as unknown as number)).toThrow(InvalidArgumentError);
  });
});

describe('digitsCodec', () => {
  it('encodes ASCII digits', () => {
    expect(hex(digitsCodec(4).encode('0129'))).toBe('30313239');
    expect(digitsCodec(4).decode(Uint8Array.of(0x30, 0x31, 0x32, 0x39))).toBe('0129');
  });

  it('rejects non-digits both ways, without the value in the message', () => {
    const e = thrown(() => digitsCodec(4).encode('12a4'));
    expect(e).toMatchObject({ code: 'card-ap-codec', direction: 'encode' });
    expect(e.message).not.toContain('12a4');
    expect(thrown(() => digitsCodec(4).encode('١٢٣٤'))).toBeInstanceOf(CardApCodecError); // Arabic-Indic digits
    expect(thrown(() => digitsCodec(2).decode(Uint8Array.of(0x30, 0x2f)))).toMatchObject({ direction: 'decode' });
    expect(thrown(() => digitsCodec(4).encode('123'))).toBeInstanceOf(CardApCodecError);
    expect(thrown(() => digitsCodec(4).encode('12345'))).toMatchObject({ code: 'card-ap-value-too-large', actual: 5 });
  });
});

describe('textCodec', () => {
  it('pads UTF-8 text with spaces by default and strips them when reading', () => {
    const codec = textCodec(8);
    expect(hex(codec.encode('図書'))).toBe('E59BB3E69BB82020');
    expect(codec.decode(codec.encode('図書'))).toBe('図書');
    expect(codec.toJSON()).toEqual({ type: 'text', size: 8, encoding: 'utf-8', pad: 0x20 });
  });

  it('never splits a multi-byte character: a text that does not fit is too large', () => {
    expect(thrown(() => textCodec(5).encode('図書'))).toMatchObject({ code: 'card-ap-value-too-large', limit: 5, actual: 6 });
  });

  it('refuses a text ending with the pad character (it could not be read back)', () => {
    expect(thrown(() => textCodec(8).encode('ab '))).toBeInstanceOf(CardApCodecError);
    expect(hex(textCodec(4, { pad: 0x00 }).encode('ab '))).toBe('61622000');
    expect(thrown(() => textCodec(4, { pad: 0x00 }).encode('ab\u0000'))).toBeInstanceOf(CardApCodecError);
  });

  it('rejects lone surrogates and invalid UTF-8', () => {
    expect(thrown(() => textCodec(8).encode('a\ud800'))).toBeInstanceOf(CardApCodecError);
    expect(thrown(() => textCodec(8).encode('\udc00b'))).toBeInstanceOf(CardApCodecError);
    expect(thrown(() => textCodec(2).decode(Uint8Array.of(0xc3, 0x28)))).toMatchObject({ direction: 'decode' });
  });

  it('keeps a leading byte-order mark', () => {
    const codec = textCodec({ max: 8 });
    expect(codec.decode(codec.encode('\ufeffa'))).toBe('\ufeffa');
  });

  it('encodes Shift_JIS with the chosen pad', () => {
    const codec = textCodec(10, { encoding: 'shift_jis', pad: 0xff });
    expect(hex(codec.encode('図書館ｶ'))).toBe('907D8F918AD9B6FFFFFF');
    expect(codec.decode(codec.encode('図書館ｶ'))).toBe('図書館ｶ');
  });

  it('rejects bad options', () => {
    expect(() => textCodec(4, { encoding: 'latin1' as 'utf-8' })).toThrow(InvalidArgumentError);
    expect(() => textCodec(4, { pad: 0x2e as 0x20 })).toThrow(InvalidArgumentError);
  });
});

describe('uintCodec', () => {
  it('writes fixed-size big-endian integers', () => {
    expect(hex(uintCodec(2).encode(0x1234))).toBe('1234');
    expect(hex(uintCodec(3).encode(5))).toBe('000005');
    expect(uintCodec(2).decode(Uint8Array.of(0xff, 0xfe))).toBe(0xfffe);
  });

  it('writes the fewest bytes with a variable size and rejects non-minimal input', () => {
    const codec = uintCodec({ max: 4 });
    expect(hex(codec.encode(0))).toBe('00');
    expect(hex(codec.encode(256))).toBe('0100');
    expect(thrown(() => codec.decode(Uint8Array.of(0, 1)))).toBeInstanceOf(CardApCodecError);
    expect(thrown(() => codec.decode(new Uint8Array(0)))).toBeInstanceOf(CardApCodecError);
  });

  it('range and type errors', () => {
    expect(thrown(() => uintCodec(1).encode(256))).toMatchObject({ code: 'card-ap-value-too-large', limit: 1, actual: 2 });
    expect(thrown(() => uintCodec(1).encode(-1))).toBeInstanceOf(CardApCodecError);
    expect(thrown(() => uintCodec(1).encode(1.5))).toBeInstanceOf(CardApCodecError);
    expect(() => uintCodec(7)).toThrow(InvalidArgumentError);
    expect(hex(uintCodec(6).encode(2 ** 48 - 1))).toBe('FFFFFFFFFFFF');
  });
});

describe('round trips (property)', () => {
  function roundTrip<T>(codec: CardApCodec<T>, value: T): T {
    return codec.decode(codec.encode(value));
  }

  it('bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), (value) => {
        expect(hex(roundTrip(bytesCodec({ max: 64 }), value))).toBe(hex(value));
        if (value.length > 0) expect(hex(roundTrip(bytesCodec(value.length), value))).toBe(hex(value));
      }),
    );
  });

  it('digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{1,20}$/), (value) => {
        expect(roundTrip(digitsCodec(value.length), value)).toBe(value);
        expect(roundTrip(digitsCodec({ max: 20 }), value)).toBe(value);
      }),
    );
  });

  it('UTF-8 text, fixed and variable, with every pad', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 30 }),
        fc.constantFrom(0x00 as const, 0x20 as const, 0xff as const),
        (value, pad) => {
          const bytes = new TextEncoder().encode(value);
          const fixed = textCodec(128, { pad });
          if (bytes.length > 0 && bytes[bytes.length - 1] === pad) {
            expect(() => fixed.encode(value)).toThrow(CardApCodecError);
          } else {
            expect(roundTrip(fixed, value)).toBe(value);
          }
          expect(roundTrip(textCodec({ max: 128 }), value)).toBe(value);
        },
      ),
    );
  });

  it('uint', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.double({ min: 0, max: 1, noNaN: true }), (size, f) => {
        const value = Math.floor(f * (2 ** (8 * size) - 1));
        expect(roundTrip(uintCodec(size), value)).toBe(value);
        expect(roundTrip(uintCodec({ max: size }), value)).toBe(value);
      }),
    );
  });

  it('decoding arbitrary bytes either yields a value that re-encodes to them or throws CardApCodecError', () => {
    const codecs: CardApCodec<unknown>[] = [digitsCodec(4), textCodec(4), textCodec(4, { encoding: 'shift_jis' }), uintCodec(4)];
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.nat(codecs.length - 1), (bytes, i) => {
        const codec = codecs[i]!;
        let value: unknown;
        try {
          value = codec.decode(bytes);
        } catch (error) {
          expect(error).toBeInstanceOf(CardApCodecError);
          return;
        }
        // Text decoding strips padding and Shift_JIS has duplicate codes: compare values, not bytes.
        expect(codec.decode(codec.encode(value))).toEqual(value);
      }),
    );
  });
});
