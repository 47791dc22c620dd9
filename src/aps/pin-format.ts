/**
 * The secrets the card checks and their formats. Every secret is validated here **before**
 * anything is sent, so a typo never spends a try (card-facts §5).
 * @packageDocumentation
 */
import { PinFormatError } from '../errors.js';
import { isValidMyNumber } from './my-number.js';

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

// card-facts §5: formats of every secret.
const FOUR_DIGITS = /^[0-9]{4}$/;
const SIGN_PASSWORD = /^[A-Z0-9]{6,16}$/;
const FOURTEEN_DIGITS = /^[0-9]{14}$/;

/**
 * Check `value` against the format of `kind` and return its ASCII bytes (the signing password
 * upper-cased). The caller owns the returned array and must wipe it once it has been sent.
 *
 * @throws PinFormatError when the value is not a string of the right format (nothing is sent)
 */
export function encodeSecret(kind: SecretKind, value: unknown): Uint8Array {
  if (!Object.hasOwn(SECRET_RULES, kind)) throw new PinFormatError('Unknown secret kind');
  if (typeof value !== 'string') throw new PinFormatError(`${SECRET_RULES[kind]} (a string was expected)`);
  const text = kind === 'sign-password' ? value.toUpperCase() : value;
  let ok: boolean;
  switch (kind) {
    case 'auth-pin':
    case 'text-pin':
      ok = FOUR_DIGITS.test(text);
      break;
    case 'sign-password':
      // toUpperCase of non-ASCII can produce ASCII (e.g. 'ı' → 'I'): require ASCII input too.
      ok = SIGN_PASSWORD.test(text) && /^[A-Za-z0-9]+$/.test(value) && /[A-Z]/.test(text) && /[0-9]/.test(text);
      break;
    case 'verification-a':
      ok = isValidMyNumber(text);
      break;
    case 'verification-b':
      ok = FOURTEEN_DIGITS.test(text);
      break;
  }
  if (!ok) throw new PinFormatError(SECRET_RULES[kind]);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

/** Whether `value` has the format of `kind` (never throws). */
export function isValidSecret(kind: SecretKind, value: unknown): boolean {
  try {
    encodeSecret(kind, value).fill(0);
    return true;
  } catch {
    return false;
  }
}
