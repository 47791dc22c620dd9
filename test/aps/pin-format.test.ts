import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PinFormatError } from '../../src/errors.js';
import { encodeSecret, isValidSecret, type SecretKind } from '../../src/aps/pin-format.js';
import { myNumberCheckDigit } from '../../src/aps/my-number.js';

const ascii = (b: Uint8Array) => String.fromCharCode(...b);

describe('secret formats (card-facts §5)', () => {
  it('4-digit PINs', () => {
    for (const kind of ['auth-pin', 'text-pin'] as const) {
      expect(ascii(encodeSecret(kind, '0123'))).toBe('0123');
      for (const bad of ['123', '12345', '12a4', ' 123', '１２３４', '', '1234\n']) {
        expect(() => encodeSecret(kind, bad)).toThrowError(PinFormatError);
      }
    }
  });

  it('signing password: 6–16 of A–Z/0–9 with a letter and a digit, upper-cased', () => {
    expect(ascii(encodeSecret('sign-password', 'abc123'))).toBe('ABC123');
    expect(ascii(encodeSecret('sign-password', 'A1B2C3D4E5F6G7H8'))).toBe('A1B2C3D4E5F6G7H8');
    for (const bad of ['ABC12', 'A1B2C3D4E5F6G7H8I', 'ABCDEF', '123456', 'ABC-123', 'ABC 123', 'ıbc123', 'ＡＢＣ１２３']) {
      expect(() => encodeSecret('sign-password', bad), bad).toThrowError(PinFormatError);
    }
  });

  it('照合番号A: 12 digits with a valid check digit', () => {
    const first11 = '12345678901';
    const valid = first11 + String(myNumberCheckDigit(first11));
    expect(ascii(encodeSecret('verification-a', valid))).toBe(valid);
    const wrongCheck = first11 + String((myNumberCheckDigit(first11) + 1) % 10);
    expect(() => encodeSecret('verification-a', wrongCheck)).toThrowError(PinFormatError);
    expect(() => encodeSecret('verification-a', valid.slice(0, 11))).toThrowError(PinFormatError);
  });

  it('照合番号B: 14 digits', () => {
    expect(ascii(encodeSecret('verification-b', '55021720304321'))).toBe('55021720304321');
    for (const bad of ['5502172030432', '550217203043210', '5502172030432a']) {
      expect(() => encodeSecret('verification-b', bad)).toThrowError(PinFormatError);
    }
  });

  it('non-strings and unknown kinds are format errors', () => {
    expect(() => encodeSecret('auth-pin', 1234)).toThrowError(PinFormatError);
    expect(() => encodeSecret('auth-pin', undefined)).toThrowError(PinFormatError);
    expect(() => encodeSecret('nope' as SecretKind, '1234')).toThrowError(PinFormatError);
  });

  it('error messages never contain the value (property)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom<SecretKind>('auth-pin', 'sign-password', 'text-pin', 'verification-a', 'verification-b'),
        // Values of 4+ characters starting with a digit: the rule texts hold no such substring.
        fc.stringMatching(/^[0-9][0-9A-Za-z ]{3,19}$/),
        (kind, value) => {
          try {
            encodeSecret(kind, value);
          } catch (error) {
            expect(error).toBeInstanceOf(PinFormatError);
            expect((error as Error).message.includes(value)).toBe(false);
          }
        },
      ),
    );
  });

  it('accepts exactly the documented sign-password language (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[A-Za-z0-9]{4,18}$/), (value) => {
        const up = value.toUpperCase();
        const expected = up.length >= 6 && up.length <= 16 && /[A-Z]/.test(up) && /[0-9]/.test(up);
        expect(isValidSecret('sign-password', value)).toBe(expected);
      }),
    );
  });
});

describe('secrets as bytes (issue 13 §3)', () => {
  const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
  const zero = (a: Uint8Array): boolean => a.every((b) => b === 0);
  const KINDS: SecretKind[] = ['auth-pin', 'sign-password', 'text-pin', 'verification-a', 'verification-b'];

  it('the same verdict and encoding as the string, for random inputs; the input bytes are wiped', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), fc.stringMatching(/^[ -~]{0,20}$/), (kind, text) => {
        const input = bytes(text);
        let fromString: string | undefined;
        let fromBytes: string | undefined;
        try {
          fromString = ascii(encodeSecret(kind, text));
        } catch (e) {
          expect(e).toBeInstanceOf(PinFormatError);
        }
        try {
          fromBytes = ascii(encodeSecret(kind, input));
        } catch (e) {
          expect(e).toBeInstanceOf(PinFormatError);
        }
        expect(fromBytes).toBe(fromString);
        expect(zero(input)).toBe(true);
      }),
    );
  });

  it('a valid 照合番号A as bytes; a wrong check digit refused; non-ASCII bytes refused', () => {
    const first11 = '12345678901';
    const good = `${first11}${myNumberCheckDigit(first11)}`;
    expect(ascii(encodeSecret('verification-a', bytes(good)))).toBe(good);
    const bad = `${first11}${(myNumberCheckDigit(first11) + 1) % 10}`;
    expect(() => encodeSecret('verification-a', bytes(bad))).toThrowError(PinFormatError);
    expect(() => encodeSecret('auth-pin', Uint8Array.of(0x31, 0x32, 0x33, 0xb4))).toThrowError(PinFormatError);
  });

  it('isValidSecret checks bytes without wiping them', () => {
    const pin = bytes('1234');
    expect(isValidSecret('auth-pin', pin)).toBe(true);
    expect(ascii(pin)).toBe('1234');
  });
});
