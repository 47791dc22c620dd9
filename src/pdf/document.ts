/**
 * Reading a PDF with pdf-lib (its object parser handles object streams and cross-reference
 * streams) plus the facts an incremental update needs that pdf-lib does not keep: the last
 * section's trailer, its kind and offset. Encrypted and damaged files become typed errors.
 * @packageDocumentation
 */
import { PDFContext, PDFDict, PDFName, PDFNumber, PDFObjectParser, PDFParser, PDFRawStream, PDFRef, type PDFObject } from 'pdf-lib';
import { PdfError } from './errors.js';
import { crossReferenceMatches, type LaterEntry } from './revisions.js';
import { indexOf, latin1, latin1Text, readXrefTail, type XrefTail } from './syntax.js';

/** A parsed PDF revision. @internal */
export interface LoadedPdf {
  /** The bytes parsed. */
  readonly bytes: Uint8Array;
  /** Every indirect object as the last revision defines it. */
  readonly context: PDFContext;
  /** The last cross-reference section. */
  readonly tail: XrefTail;
  /** Its trailer dictionary (the xref stream's dictionary for a stream). */
  readonly trailer: PDFDict;
  /** The document catalog's reference. */
  readonly rootRef: PDFRef;
  /** The first free object number (trailer `/Size`, or past the largest object seen). */
  readonly size: number;
  /** The newest cross-reference entry of each object (strict loads only). */
  readonly xref?: ReadonlyMap<number, LaterEntry>;
}

const TRAILER = latin1('trailer');

function malformed(message: string, cause?: unknown): PdfError {
  return new PdfError('pdf-malformed', message, cause === undefined ? undefined : { cause });
}

/** The trailer dictionary of the section at `tail`. */
function readTrailer(bytes: Uint8Array, tail: XrefTail, context: PDFContext): PDFDict {
  let at = tail.offset;
  if (tail.kind === 'table') {
    at = indexOf(bytes, TRAILER, tail.offset);
    if (at < 0) throw malformed('No trailer after the cross-reference table');
    at += TRAILER.length;
  } else {
    const header = /^\d+\s+\d+\s+obj/.exec(latin1Text(bytes, at, at + 32));
    at += header![0].length;
  }
  let object: PDFObject;
  try {
    object = PDFObjectParser.forBytes(bytes.subarray(at), context).parseObject();
  } catch (error) {
    throw malformed('Unreadable trailer', error);
  }
  const dict = object instanceof PDFRawStream ? object.dict : object;
  if (!(dict instanceof PDFDict)) throw malformed('The trailer is not a dictionary');
  if (tail.kind === 'stream' && dict.get(PDFName.of('Type')) !== PDFName.of('XRef')) throw malformed('startxref does not point at an XRef stream');
  return dict;
}

/**
 * Parse `bytes` (the whole file, or a prefix that ends a revision). `strict` (for signing) also
 * requires every cross-reference entry to point at its object: an update appended to a file
 * whose sections do not match would be read differently by different viewers.
 * @throws PdfError `pdf-encrypted` for an encrypted file, `pdf-malformed` for anything unreadable.
 */
export async function loadPdf(bytes: Uint8Array, options: { readonly strict?: boolean } = {}): Promise<LoadedPdf> {
  if (!(bytes instanceof Uint8Array)) throw malformed('pdfBytes must be a Uint8Array');
  if (latin1Text(bytes, 0, Math.min(bytes.length, 1024)).indexOf('%PDF-') < 0) throw malformed('Not a PDF (no %PDF- header)');
  const tail = readXrefTail(bytes);
  let context: PDFContext;
  try {
    context = await PDFParser.forBytesWithOptions(bytes, Infinity, true, false).parseDocument();
  } catch (error) {
    throw malformed('The PDF could not be parsed', error);
  }
  const trailer = readTrailer(bytes, tail, context);
  if (trailer.get(PDFName.of('Encrypt')) !== undefined || context.trailerInfo.Encrypt !== undefined) {
    throw new PdfError('pdf-encrypted', 'The PDF is encrypted');
  }
  const root = trailer.get(PDFName.of('Root'));
  if (!(root instanceof PDFRef)) throw malformed('The trailer has no /Root');
  const catalog = context.lookup(root);
  if (!(catalog instanceof PDFDict) || catalog.get(PDFName.of('Type')) !== PDFName.of('Catalog')) throw malformed('/Root is not a catalog');
  const declared = trailer.get(PDFName.of('Size'));
  if (!(declared instanceof PDFNumber) || !Number.isSafeInteger(declared.asNumber()) || declared.asNumber() < 1) {
    throw malformed('The trailer has no valid /Size');
  }
  const xref = options.strict === true ? crossReferenceMatches(bytes) : undefined;
  if (options.strict === true && xref === undefined) throw malformed('The cross-reference sections do not match the objects');
  const size = Math.max(declared.asNumber(), context.largestObjectNumber + 1);
  return { bytes, context, tail, trailer, rootRef: root, size, ...(xref === undefined ? {} : { xref }) };
}
