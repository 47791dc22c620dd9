/**
 * Texts for people: {@link describeError} and {@link describeReason} in Japanese and English.
 * Browser-safe.
 * @packageDocumentation
 */
export { describeError, describeReason } from './describe.js';
export type { VerificationReason } from './reason-texts.js';
export type { PdfReason } from './pdf-reason-texts.js';
export type { TimestampReason } from '../crypto/timestamp.js';
export type { Description, DescribeErrorOptions, MessageLocale } from './types.js';
