/**
 * 個人番号 (My Number) check digit: the 12th digit is computed from the first 11.
 *
 * Rule (検査用数字の算式, set by ministerial ordinance under the My Number Act; brief of this task):
 * for n = 1..11 counted from the right of the 11 digits, weight Qn = n + 1 when n ≤ 6 and
 * n − 5 when n ≥ 7; r = Σ Pn·Qn mod 11; the check digit is 0 when r ≤ 1, otherwise 11 − r.
 *
 * Browser-safe. Error messages never contain the number itself.
 * @packageDocumentation
 */
import { InvalidArgumentError } from '../errors.js';

/** Digits in a 個人番号 including its check digit. */
export const MY_NUMBER_LENGTH = 12;

const ELEVEN_DIGITS = /^[0-9]{11}$/;
const TWELVE_DIGITS = /^[0-9]{12}$/;

/**
 * The check digit (検査用数字) of a 個人番号 from its first 11 digits.
 *
 * @param first11 - exactly 11 ASCII digits
 * @returns the check digit, 0–9
 * @throws InvalidArgumentError when `first11` is not 11 ASCII digits
 */
export function myNumberCheckDigit(first11: string): number {
  if (!ELEVEN_DIGITS.test(first11)) {
    throw new InvalidArgumentError('A My Number check digit needs exactly 11 ASCII digits');
  }
  let sum = 0;
  for (let n = 1; n <= 11; n++) {
    const p = first11.charCodeAt(11 - n) - 0x30;
    const q = n <= 6 ? n + 1 : n - 5;
    sum += p * q;
  }
  const remainder = sum % 11;
  return remainder <= 1 ? 0 : 11 - remainder;
}

/**
 * Whether `value` is a well-formed 個人番号: 12 ASCII digits whose last digit is the check digit.
 * Never throws.
 */
export function isValidMyNumber(value: string): boolean {
  if (typeof value !== 'string' || !TWELVE_DIGITS.test(value)) return false;
  return myNumberCheckDigit(value.slice(0, 11)) === value.charCodeAt(11) - 0x30;
}
