import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { isValidMyNumber, MY_NUMBER_LENGTH, myNumberCheckDigit } from '../../src/aps/my-number.js';
import { InvalidArgumentError } from '../../src/errors.js';

describe('myNumberCheckDigit', () => {
  it('matches hand-computed values', () => {
    // Σ Pn·Qn with n counted from the right: 1·2 = 2 → 11 − 2 = 9
    expect(myNumberCheckDigit('00000000001')).toBe(9);
    // n = 5 (Q = 6): r = 6 → 5
    expect(myNumberCheckDigit('00000010000')).toBe(5);
    // n = 7 (Q = 2): r = 2 → 9
    expect(myNumberCheckDigit('00001000000')).toBe(9);
    // n = 11 (Q = 6): r = 6 → 5
    expect(myNumberCheckDigit('10000000000')).toBe(5);
    // r = 0 → 0
    expect(myNumberCheckDigit('00000000000')).toBe(0);
    // 6·2 = 12, r = 1 → 0 (the r ≤ 1 branch)
    expect(myNumberCheckDigit('00000000006')).toBe(0);
    // 1·6+2·5+3·4+4·3+5·2+6·7+7·6+8·5+9·4+0·3+1·2 = 212, r = 3 → 8 (the widely quoted sample)
    expect(myNumberCheckDigit('12345678901')).toBe(8);
  });

  it('rejects anything but 11 ASCII digits, without echoing the input', () => {
    for (const bad of ['', '1234567890', '123456789012', '1234567890a', '１２３４５６７８９０１', ' 2345678901']) {
      expect(() => myNumberCheckDigit(bad)).toThrow(InvalidArgumentError);
    }
    try {
      myNumberCheckDigit('9876543210');
    } catch (error) {
      expect((error as Error).message).not.toContain('9876543210');
    }
  });

  it('agrees with an independent weighted-sum formulation (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{11}$/), (first11) => {
        // Left-to-right weights: 6 5 4 3 2 7 6 5 4 3 2
        const weights = [6, 5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
        const sum = [...first11].reduce((acc, c, i) => acc + Number(c) * weights[i]!, 0);
        const expected = sum % 11 <= 1 ? 0 : 11 - (sum % 11);
        expect(myNumberCheckDigit(first11)).toBe(expected);
      }),
    );
  });
});

describe('isValidMyNumber', () => {
  it('accepts a number with its check digit and rejects every other last digit', () => {
    expect(MY_NUMBER_LENGTH).toBe(12);
    expect(isValidMyNumber('123456789018')).toBe(true);
    for (let d = 0; d <= 9; d++) {
      if (d !== 8) expect(isValidMyNumber(`12345678901${d}`)).toBe(false);
    }
  });

  it('rejects malformed input without throwing', () => {
    for (const bad of ['', '12345678901', '1234567890180', '12345678901８', '1234-5678-9018', 'abcdefghijkl']) {
      expect(isValidMyNumber(bad)).toBe(false);
    }
    expect(isValidMyNumber(123456789018 as unknown as string)).toBe(false);
  });

  it('validates first11 + its check digit, and rejects any other check digit (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{11}$/), fc.integer({ min: 1, max: 9 }), (first11, shift) => {
        const check = myNumberCheckDigit(first11);
        expect(isValidMyNumber(`${first11}${check}`)).toBe(true);
        expect(isValidMyNumber(`${first11}${(check + shift) % 10}`)).toBe(false);
      }),
    );
  });
});
