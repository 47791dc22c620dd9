/**
 * The secrets the card checks and their formats. Every secret is validated here **before**
 * anything is sent, so a typo never spends a try (card-facts §5).
 * @packageDocumentation
 */
import { PinFormatError } from '../errors.js';

/**
 * A secret the card verifies:
 * - `'auth-pin'` — 利用者証明用電子証明書 暗証番号 (JPKI EF 0018): 4 digits;
 * - `'sign-password'` — 署名用電子証明書 パスワード (JPKI EF 001B): 6–16 of A–Z and 0–9 with at
 *   least one letter and one digit (lower-case letters are upper-cased);
 * - `'text-pin'` — 券面事項入力補助用 暗証番号 (text AP EF 0011): 4 digits;
 * - `'verification-a'` — 照合番号A: the 12-digit 個人番号 with a valid check digit;
 * - `'verification-b'` — 照合番号B: 14 digits (生年月日 YYMMDD + 有効期限の年 YYYY + セキュリティコード 4 digits).
 */
export type SecretKind = 'auth-pin' | 'sign-password' | 'text-pin' | 'verification-a' | 'verification-b';

/** Human-readable rule of each kind (used in error messages; never contains the value). */
export const SECRET_RULES: Readonly<Record<SecretKind, string>> = {
  'auth-pin': 'The 利用者証明用 auth PIN must be exactly 4 digits',
  'sign-password':
    'The 署名用 signing password must be 6–16 characters of A–Z and 0–9 with at least one letter and one digit',
  'text-pin': 'The 券面事項入力補助用 PIN must be exactly 4 digits',
  'verification-a': '照合番号A must be the 12-digit 個人番号 with a valid check digit',
  'verification-b': '照合番号B must be exactly 14 digits',
};

/**
 * A PIN, password or 照合番号 as the SDK accepts it: a string, or its ASCII bytes. A
 * `Uint8Array` is wiped (filled with zeros) by the SDK once the call has taken its copy,
 * whatever the outcome, so that the caller's buffer does not keep the secret either.
 *
 * Wiping is best effort in JavaScript: a string cannot be wiped at all, and the engine, a
 * transport's native layer or the operating system may hold copies the SDK cannot reach.
 * Prefer bytes when the secret never needs to be a string.
 */
export type SecretValue = string | Uint8Array;

/**
 * Check `value` against the format of `kind` and return its ASCII bytes (the signing password
 * upper-cased). The caller owns the returned array and must wipe it once it has been sent. A
 * `Uint8Array` value is wiped here, valid or not (see {@link SecretValue}).
 *
 * @throws PinFormatError when the value is not a string or bytes of the right format (nothing is sent)
 */
export function encodeSecret(kind: SecretKind, value: unknown): Uint8Array {
  const bytes = secretBytes(value);
  if (bytes === undefined) {
    if (!Object.hasOwn(SECRET_RULES, kind)) throw new PinFormatError('Unknown secret kind');
    throw new PinFormatError(`${SECRET_RULES[kind]} (a string or bytes were expected)`);
  }
  if (!Object.hasOwn(SECRET_RULES, kind)) {
    bytes.fill(0);
    throw new PinFormatError('Unknown secret kind');
  }
  if (!normalise(kind, bytes)) {
    bytes.fill(0);
    throw new PinFormatError(SECRET_RULES[kind]);
  }
  return bytes;
}

/**
 * A copy of a secret's bytes to check and send: a `Uint8Array` is copied and wiped (valid or
 * not, best effort, see {@link SecretValue}); a string becomes its ASCII bytes, any other
 * character `00`, which no format allows. `undefined` for anything else.
 */
export function secretBytes(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) {
    const bytes = value.slice();
    value.fill(0);
    return bytes;
  }
  if (typeof value !== 'string') return undefined;
  const bytes = new Uint8Array(value.length);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    bytes[i] = c < 0x7f ? c : 0;
  }
  return bytes;
}

const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;
const isUpper = (b: number): boolean => b >= 0x41 && b <= 0x5a;
const isLower = (b: number): boolean => b >= 0x61 && b <= 0x7a;

// card-facts §5: formats of every secret.
/** Check the format of `kind` on the bytes themselves (no string copy); upper-case a password in place. */
function normalise(kind: SecretKind, bytes: Uint8Array): boolean {
  switch (kind) {
    case 'auth-pin':
    case 'text-pin':
      return bytes.length === 4 && bytes.every(isDigit);
    case 'sign-password': {
      if (bytes.length < 6 || bytes.length > 16) return false;
      if (!bytes.every((b) => isDigit(b) || isUpper(b) || isLower(b))) return false;
      for (let i = 0; i < bytes.length; i++) if (isLower(bytes[i]!)) bytes[i]! -= 0x20;
      return bytes.some(isUpper) && bytes.some(isDigit);
    }
    case 'verification-a':
      return bytes.length === 12 && bytes.every(isDigit) && myNumberCheckDigitOf(bytes) === bytes[11]! - 0x30;
    case 'verification-b':
      return bytes.length === 14 && bytes.every(isDigit);
  }
}

/** The 個人番号 check digit of the first 11 digits (same rule as `myNumberCheckDigit`, on bytes). */
function myNumberCheckDigitOf(bytes: Uint8Array): number {
  let sum = 0;
  for (let n = 1; n <= 11; n++) {
    const p = bytes[11 - n]! - 0x30;
    const q = n <= 6 ? n + 1 : n - 5;
    sum += p * q;
  }
  const remainder = sum % 11;
  return remainder <= 1 ? 0 : 11 - remainder;
}

/** Whether `value` has the format of `kind` (never throws). */
export function isValidSecret(kind: SecretKind, value: unknown): boolean {
  try {
    // A check only: the caller's bytes are not wiped here.
    encodeSecret(kind, value instanceof Uint8Array ? value.slice() : value).fill(0);
    return true;
  } catch {
    return false;
  }
}
