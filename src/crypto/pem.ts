/**
 * PEM (RFC 7468 textual encoding) ↔ DER without `Buffer` or `node:crypto`, so a browser app can
 * read a certificate a user pastes and hand one to a server that wants PEM. Browser-safe.
 * @packageDocumentation
 */
import { InvalidArgumentError } from '../errors.js';
import { base64ToBytes, bytesToBase64 } from './base64.js';

/** Longest PEM text {@link fromPem} reads by default (characters): 1 MiB. */
export const MAX_PEM_LENGTH = 1 << 20;

/** Options of {@link fromPem}. */
export interface FromPemOptions {
  /** The label the block must have (e.g. `'CERTIFICATE'`); any valid label when absent. */
  readonly label?: string;
  /** Longest accepted text in characters; default {@link MAX_PEM_LENGTH}. */
  readonly maxLength?: number;
}

// RFC 7468 §3: printable ASCII without '-', single inner '-' or ' ' between them.
const LABEL = /^[\x21-\x2c\x2e-\x7e](?:[- ]?[\x21-\x2c\x2e-\x7e])*$/;
const LINE_LENGTH = 64;

function checkLabel(label: unknown, what: string): string {
  if (typeof label !== 'string' || label.length > 64 || (label !== '' && !LABEL.test(label))) {
    throw new InvalidArgumentError(`${what} must be an RFC 7468 label such as 'CERTIFICATE'`);
  }
  return label;
}

/**
 * Encode DER as one PEM block: `-----BEGIN <label>-----`, base64 in 64-character lines,
 * `-----END <label>-----`, each line ending in `\n` (the layout OpenSSL and `node:crypto` write).
 *
 * @param der - the bytes (e.g. a certificate DER)
 * @param label - the type label, e.g. `'CERTIFICATE'`
 * @throws InvalidArgumentError when `der` is not a non-empty Uint8Array or the label is not an
 *   RFC 7468 label
 */
export function toPem(der: Uint8Array, label: string): string {
  if (!(der instanceof Uint8Array) || der.length === 0) throw new InvalidArgumentError('der must be a non-empty Uint8Array');
  checkLabel(label, 'label');
  const body = bytesToBase64(der);
  let out = `-----BEGIN ${label}-----\n`;
  for (let i = 0; i < body.length; i += LINE_LENGTH) out += `${body.slice(i, i + LINE_LENGTH)}\n`;
  return `${out}-----END ${label}-----\n`;
}

/**
 * Decode exactly one PEM block. Strict: only whitespace may surround the block (no explanatory
 * text, no second block), BEGIN and END labels must be equal (and equal `options.label` when
 * given), the body holds only base64 lines (CRLF or LF; no headers such as `Proc-Type`) with
 * valid padding, and it is not empty.
 *
 * @returns the DER bytes
 * @throws InvalidArgumentError on anything else, or when `text` is longer than
 *   `options.maxLength` (checked before any parsing)
 */
export function fromPem(text: string, options: FromPemOptions = {}): Uint8Array {
  if (typeof text !== 'string') throw new InvalidArgumentError('PEM text must be a string');
  const max = options.maxLength ?? MAX_PEM_LENGTH;
  if (!Number.isSafeInteger(max) || max < 0) throw new InvalidArgumentError('maxLength must be a safe integer >= 0');
  if (text.length > max) throw new InvalidArgumentError(`PEM text is longer than ${max} characters`);
  const expected = options.label === undefined ? undefined : checkLabel(options.label, 'options.label');
  const lines = text.trim().split(/\r?\n/);
  const begin = /^-----BEGIN ([^\r\n]*)-----$/.exec(lines[0] ?? '');
  const end = /^-----END ([^\r\n]*)-----$/.exec(lines[lines.length - 1] ?? '');
  if (lines.length < 3 || begin === null || end === null) {
    throw new InvalidArgumentError('PEM text must be one block: -----BEGIN <label>-----, base64, -----END <label>-----');
  }
  const label = checkLabel(begin[1], 'the PEM label');
  if (end[1] !== label) throw new InvalidArgumentError('PEM BEGIN and END labels differ');
  if (expected !== undefined && label !== expected) {
    throw new InvalidArgumentError(`PEM label is not '${expected}'`);
  }
  const body = lines.slice(1, -1).map((line) => line.replace(/[ \t]+$/, ''));
  if (body.some((line) => !/^[A-Za-z0-9+/]*={0,2}$/.test(line))) {
    throw new InvalidArgumentError('PEM body must be base64 lines only');
  }
  const der = base64ToBytes(body.join(''));
  if (der.length === 0) throw new InvalidArgumentError('PEM body is empty');
  return der;
}
