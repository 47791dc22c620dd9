/**
 * Byte-level PDF syntax the signer and the verifier share (ISO 32000-1 §7): Latin-1 text, the
 * `startxref` tail, `%%EOF` revision ends, PDF dates and text strings. Browser-safe.
 * @packageDocumentation
 */
import { PdfError } from './errors.js';

/** ASCII/Latin-1 bytes of `text` (PDF syntax is bytes; every char here is < 0x100). */
export function latin1(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

/** `bytes[from, to)` as Latin-1 text. */
export function latin1Text(bytes: Uint8Array, from = 0, to = bytes.length): string {
  let text = '';
  for (let i = from; i < to; i += 8192) text += String.fromCharCode(...bytes.subarray(i, Math.min(to, i + 8192)));
  return text;
}

/** Last index of `needle` in `bytes` at or before `before - needle.length` and at or after `from`, or -1. */
export function lastIndexOf(bytes: Uint8Array, needle: Uint8Array, before = bytes.length, from = 0): number {
  outer: for (let i = Math.min(before, bytes.length) - needle.length; i >= from; i--) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

/** First index of `needle` in `bytes` at or after `from`, or -1. */
export function indexOf(bytes: Uint8Array, needle: Uint8Array, from = 0, to = bytes.length): number {
  const first = needle[0];
  outer: for (let i = bytes.indexOf(first!, from); i !== -1 && i + needle.length <= to; i = bytes.indexOf(first!, i + 1)) {
    for (let j = 1; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

const STARTXREF = latin1('startxref');
const EOF_MARK = latin1('%%EOF');

/** The tail of a revision: where its last cross-reference section starts, and its kind. */
export interface XrefTail {
  /** The `startxref` value. */
  readonly offset: number;
  /** `'table'` for `xref … trailer`, `'stream'` for a cross-reference stream (PDF 1.5). */
  readonly kind: 'table' | 'stream';
}

/**
 * Read the `startxref` of the revision that ends at `end` (the file length for the last one).
 * @throws PdfError `pdf-malformed` when there is none or it points nowhere sensible.
 */
export function readXrefTail(bytes: Uint8Array, end = bytes.length): XrefTail {
  const at = lastIndexOf(bytes, STARTXREF, end, Math.max(0, end - 4096));
  if (at < 0) throw new PdfError('pdf-malformed', 'No startxref at the end of the PDF');
  const match = /^startxref\s+(\d{1,15})\s+%%EOF/.exec(latin1Text(bytes, at, Math.min(end, at + 64)));
  const offset = match === null ? NaN : Number(match[1]);
  if (!Number.isSafeInteger(offset) || offset <= 0 || offset >= at) throw new PdfError('pdf-malformed', 'Bad startxref offset');
  const head = latin1Text(bytes, offset, Math.min(at, offset + 32));
  if (/^xref\s/.test(head)) return { offset, kind: 'table' };
  if (/^\d+\s+\d+\s+obj\b/.test(head)) return { offset, kind: 'stream' };
  throw new PdfError('pdf-malformed', 'startxref does not point at a cross-reference section');
}

/** Whether `end` is the end of a revision: `%%EOF` and at most one EOL before it. */
export function isRevisionEnd(bytes: Uint8Array, end: number): boolean {
  let i = end;
  if (i > 0 && bytes[i - 1] === 0x0a) i--;
  if (i > 0 && bytes[i - 1] === 0x0d) i--;
  if (i < EOF_MARK.length) return false;
  for (let j = 0; j < EOF_MARK.length; j++) if (bytes[i - EOF_MARK.length + j] !== EOF_MARK[j]) return false;
  return true;
}

/** The ends of every revision in the file: after each `%%EOF` and its EOL. */
export function revisionEnds(bytes: Uint8Array): number[] {
  const ends: number[] = [];
  for (let at = indexOf(bytes, EOF_MARK); at !== -1; at = indexOf(bytes, EOF_MARK, at + EOF_MARK.length)) {
    let end = at + EOF_MARK.length;
    if (bytes[end] === 0x0d) end++;
    if (bytes[end] === 0x0a) end++;
    ends.push(end);
  }
  return ends;
}

/** A PDF date `D:YYYYMMDDHHmmSSZ` (UTC; ISO 32000-1 §7.9.4). */
export function pdfDate(date: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return (
    `D:${String(date.getUTCFullYear()).padStart(4, '0')}${two(date.getUTCMonth() + 1)}${two(date.getUTCDate())}` +
    `${two(date.getUTCHours())}${two(date.getUTCMinutes())}${two(date.getUTCSeconds())}Z`
  );
}

/**
 * A PDF text string (§7.9.2.2): a literal `( … )` for printable ASCII, else UTF-16BE with a BOM
 * as a hex string (Japanese names).
 */
export function pdfTextString(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return `(${text.replace(/[\\()]/g, (c) => `\\${c}`)})`;
  let hex = 'FEFF';
  for (let i = 0; i < text.length; i++) hex += text.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0');
  return `<${hex}>`;
}

/** A PDF date (`D:YYYYMMDDHHmmSS` with `Z` or `±HH'mm'`; missing parts default), or `undefined`. */
export function parsePdfDate(text: string): Date | undefined {
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(?:(Z)|([+-])(\d{2})'?(\d{2})?'?)?$/.exec(text);
  if (m === null) return undefined;
  const n = (i: number, d: number): number => (m[i] === undefined ? d : Number(m[i]));
  let ms = Date.UTC(n(1, 0), n(2, 1) - 1, n(3, 1), n(4, 0), n(5, 0), n(6, 0));
  if (m[8] !== undefined) ms -= (m[8] === '-' ? -1 : 1) * (n(9, 0) * 60 + n(10, 0)) * 60_000;
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
