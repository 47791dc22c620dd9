/**
 * `describeError` and `describeReason`: plain Japanese or English text that a counter clerk
 * (窓口の職員) can read to a resident. Built from the code and numeric fields only, never from
 * an error's `message` (which may name files or operations), so no PIN, My Number or other
 * card data can appear in it.
 * @packageDocumentation
 */
import { MynacardError, type MynacardErrorCode } from '../errors.js';
import { ERROR_TEXTS, UNKNOWN_ERROR_TEXT } from './error-texts.js';
import { REASON_TEXTS, UNKNOWN_REASON_TEXT, type VerificationReason } from './reason-texts.js';
import type { Description, DescribeErrorOptions, LocalizedText, MessageLocale, TextParams } from './types.js';

/** What a code looks like: lower-case words joined by `-`. */
const CODE_SHAPE = /^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/;

/** Sentences are joined without a space in Japanese, with one in English. */
function build(code: string, entry: LocalizedText, locale: MessageLocale, params: TextParams): Description {
  const text = locale === 'ja' ? entry.ja : entry.en;
  const [message, action] = typeof text === 'function' ? text(params) : text;
  const joined = action === '' ? message : locale === 'ja' ? `${message}${action}` : `${message} ${action}`;
  return { code, message, action, text: joined };
}

/** A small non-negative integer field of `error`, else `undefined` (nothing else is read). */
function count(error: object, field: string): number | undefined {
  const value = (error as Record<string, unknown>)[field];
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 0xffffff ? value : undefined;
}

/**
 * Describe an error for a resident: what happened and what to do next (e.g. for a
 * `PinIncorrectError` with 2 tries left, "暗証番号が違います。あと2回間違えるとロックされます。
 * ロックの解除はお住まいの市区町村の窓口で行います。").
 *
 * The text depends only on `error.code` and on the numeric fields `remaining`, `limit`,
 * `actual` and the `area` of card-AP errors; an unknown code or a value that is not a
 * {@link MynacardError} gets a generic "unexpected error" text. `code` is the error's code, or
 * `'internal'` for a value that is not a {@link MynacardError} or whose code is not shaped like
 * one (lower-case words joined by `-`).
 *
 * @param error - anything caught
 * @param locale - `'ja'` or `'en'`
 * @param options - the display name of the secret for PIN errors
 */
export function describeError(error: unknown, locale: MessageLocale, options: DescribeErrorOptions = {}): Description {
  if (!(error instanceof MynacardError)) return build('internal', UNKNOWN_ERROR_TEXT, locale, {});
  const known = Object.hasOwn(ERROR_TEXTS, error.code);
  // A custom code is passed on only when it looks like one (it could hold anything).
  const code = known || CODE_SHAPE.test(error.code) ? error.code : 'internal';
  const entry = known ? ERROR_TEXTS[error.code as keyof typeof ERROR_TEXTS] : UNKNOWN_ERROR_TEXT;
  const area = (error as { area?: unknown }).area;
  return build(code, entry, locale, {
    secret: options.secret,
    remaining: count(error, 'remaining'),
    limit: count(error, 'limit'),
    actual: count(error, 'actual'),
    area: area === 'regional' || area === 'extension' ? area : undefined,
  });
}

/**
 * The text of a known error code with explicit parameters (for callers such as the CLI that
 * report a PIN error they raised themselves). Not part of the public API.
 * @internal
 */
export function describeCode(code: MynacardErrorCode, locale: MessageLocale, params: TextParams = {}): Description {
  return build(code, ERROR_TEXTS[code], locale, params);
}

/**
 * Describe a verification reason (of `verifyJpkiChain`, `verifyCms`, `verifyAuthentication`,
 * `verifyRawSignature` or the integrity checks) for a resident: e.g. `'leaf-expired'` →
 * "電子証明書の有効期限が切れています。電子証明書の更新は、お住まいの市区町村の窓口で行います。".
 * An unknown code gets a generic "the verification failed" text (and `code` `'unknown'` when it
 * is not shaped like a code).
 */
export function describeReason(code: VerificationReason | (string & {}), locale: MessageLocale): Description {
  const known = Object.hasOwn(REASON_TEXTS, code);
  const entry = known ? REASON_TEXTS[code as VerificationReason] : UNKNOWN_REASON_TEXT;
  return build(known || CODE_SHAPE.test(code) ? code : 'unknown', entry, locale, {});
}
