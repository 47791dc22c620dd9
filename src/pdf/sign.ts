/**
 * `signPdf`: a signature added to a PDF as one incremental update — a signature field (an
 * invisible widget on the first page), its `/Sig` value with a ByteRange over every byte except
 * the `/Contents` hole, and a detached CMS from the SDK's own CMS writer. Earlier bytes, and so
 * earlier signatures, are left exactly as they were. Browser-safe.
 * @packageDocumentation
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { PDFArray, PDFDict, PDFName, PDFNumber, PDFRef, PDFString, PDFHexString, type PDFContext } from 'pdf-lib';
import { concatBytes, equalBytes } from '../bytes.js';
import { InvalidArgumentError } from '../errors.js';
import { isSecretInput, reusableSecret } from '../secret.js';
import { signCmsDigest } from '../crypto/cms-digest.js';
import { parseJpkiCertificate } from '../crypto/parse.js';
import { appearanceObjects, checkVisible, pageAt, type PdfVisibleSignature } from './appearance.js';
import { cardSigner, type PdfCardOptions } from './card-signer.js';
import { fetchTimestamp, type PdfTimestampOptions } from './timestamp-client.js';
import { loadPdf, type LoadedPdf } from './document.js';
import { objectAt } from './revisions.js';
import { PdfError } from './errors.js';
import { PDF_SUBFILTERS, type PdfProfile, type PdfSigner } from './signer.js';
import { latin1, pdfDate, pdfTextString } from './syntax.js';
import { objectBytes, writeUpdate, type UpdateObject } from './update-writer.js';

/** Default room for the CMS in `/Contents`, in bytes. */
export const DEFAULT_CONTENTS_SIZE = 16_384;
/** Largest `/Contents` room accepted, in bytes. */
export const MAX_CONTENTS_SIZE = 1 << 20;

/** Options of {@link signPdf} shared by both forms. */
export interface SignPdfBaseOptions {
  /** Default `'registry'`. */
  readonly profile?: PdfProfile;
  /** The claimed signing time (`/M`, and the registry profile's signingTime attribute). Default: now. */
  readonly signingTime?: Date;
  /** `/Name`. Default: 氏名 from the certificate's SAN, else `'unknown'`. */
  readonly name?: string;
  /** `/Reason`, when given. */
  readonly reason?: string;
  /** `/Location`, when given. */
  readonly location?: string;
  /** Bytes reserved for the CMS (default {@link DEFAULT_CONTENTS_SIZE}). */
  readonly contentsSize?: number;
  /** The TSA of the `'pades-b-t'` profile (required there, refused otherwise). */
  readonly timestamp?: PdfTimestampOptions;
  /** A visible signature box; default: an invisible signature (on the first page). */
  readonly visible?: PdfVisibleSignature;
}

/** {@link signPdf} with any signer (tests, HSMs). */
export interface SignPdfWithSignerOptions extends SignPdfBaseOptions {
  /** Who signs. */
  readonly signer: PdfSigner;
}

/** {@link signPdf} with the card's 署名用 key. */
export interface SignPdfWithCardOptions extends SignPdfBaseOptions, PdfCardOptions {}

/** Options of {@link signPdf}: a `signer`, or a `card` and its `pin`. */
export type SignPdfOptions = SignPdfWithSignerOptions | SignPdfWithCardOptions;

const BYTE_RANGE_WIDTH = 10;
const BYTE_RANGE_PLACEHOLDER = `[0 ${'0'.repeat(BYTE_RANGE_WIDTH)} ${'0'.repeat(BYTE_RANGE_WIDTH)} ${'0'.repeat(BYTE_RANGE_WIDTH)}]`;

function checkOptions(options: SignPdfOptions): { profile: PdfProfile; signingTime: Date; contentsSize: number } {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('signPdf needs options');
  const profile = options.profile ?? 'registry';
  if (!(profile in PDF_SUBFILTERS)) throw new InvalidArgumentError(`Unknown profile: ${String(profile)}`);
  const signingTime = options.signingTime ?? new Date();
  if (!(signingTime instanceof Date) || Number.isNaN(signingTime.getTime())) throw new InvalidArgumentError('signingTime must be a valid Date');
  const contentsSize = options.contentsSize ?? DEFAULT_CONTENTS_SIZE;
  if (!Number.isSafeInteger(contentsSize) || contentsSize < 1024 || contentsSize > MAX_CONTENTS_SIZE) {
    throw new InvalidArgumentError(`contentsSize must be an integer from 1024 to ${MAX_CONTENTS_SIZE}`);
  }
  for (const key of ['name', 'reason', 'location'] as const) {
    const value = options[key];
    if (value !== undefined && (typeof value !== 'string' || value.length > 1000)) throw new InvalidArgumentError(`${key} must be a string`);
  }
  if (!('signer' in options) && !('card' in options)) throw new InvalidArgumentError('signPdf needs options.signer or options.card');
  if (options.visible !== undefined) checkVisible(options.visible);
  if ((profile === 'pades-b-t') !== (options.timestamp !== undefined)) {
    throw new InvalidArgumentError("options.timestamp is required by the 'pades-b-t' profile and only there");
  }
  return { profile, signingTime, contentsSize };
}

/**
 * The object pdf-lib read for `ref` (the last copy in the file) is the one the cross-reference
 * entry points at (what viewers read).
 * @throws PdfError `pdf-malformed` when the file holds another copy
 */
function checkXrefView(pdf: LoadedPdf, ref: PDFRef): void {
  const entry = pdf.xref?.get(ref.objectNumber);
  if (entry === undefined || entry.inObjectStream) return;
  const atOffset = objectAt(pdf.bytes, entry.offset, pdf.context)?.object;
  const parsed = pdf.context.lookup(ref);
  if (atOffset === undefined || parsed === undefined || !equalBytes(objectBytes(atOffset), objectBytes(parsed))) {
    throw new PdfError('pdf-malformed', `Object ${ref.objectNumber} is defined twice: its cross-reference entry names another copy`);
  }
}

/** Field names at the top of the AcroForm, to pick a new unique one. */
function fieldNames(context: PDFContext, fields: PDFArray | undefined): Set<string> {
  const names = new Set<string>();
  for (const item of fields?.asArray() ?? []) {
    const field = context.lookup(item);
    const name = field instanceof PDFDict ? field.lookup(PDFName.of('T')) : undefined;
    if (name instanceof PDFString || name instanceof PDFHexString) names.add(name.decodeText());
  }
  return names;
}

/** Changed objects (catalog/AcroForm/Fields/page/Annots) that link in the new field. */
function linkField(pdf: LoadedPdf, fieldRef: PDFRef, pageIndex: number): { changed: Map<number, UpdateObject>; pageRef: PDFRef; fieldName: string } {
  const { context, rootRef } = pdf;
  const changed = new Map<number, UpdateObject>();
  const rewrite = (ref: PDFRef): void => {
    changed.set(ref.objectNumber, { number: ref.objectNumber, generation: ref.generationNumber, body: objectBytes(context.lookup(ref)!) });
  };
  const catalog = context.lookup(rootRef, PDFDict);
  const { ref: pageRef, page } = pageAt(context, catalog, pageIndex);
  // The objects rewritten below must be the ones viewers read (the xref's), not another copy in the file.
  const currentForm = context.lookup(catalog.get(PDFName.of('AcroForm')));
  const fieldsRef = currentForm instanceof PDFDict ? currentForm.get(PDFName.of('Fields')) : undefined;
  for (const ref of [rootRef, catalog.get(PDFName.of('AcroForm')), fieldsRef, pageRef, page.get(PDFName.of('Annots'))]) {
    if (ref instanceof PDFRef) checkXrefView(pdf, ref);
  }
  const AcroForm = PDFName.of('AcroForm');
  const Fields = PDFName.of('Fields');

  const formEntry = catalog.get(AcroForm);
  const existing = context.lookup(formEntry);
  const form = existing instanceof PDFDict ? existing : context.obj({});
  if (form !== existing) catalog.set(AcroForm, form);
  const formRef = existing instanceof PDFDict && formEntry instanceof PDFRef ? formEntry : rootRef;
  const fieldsEntry = form.get(Fields);
  const fields = context.lookup(fieldsEntry);
  const names = fieldNames(context, fields instanceof PDFArray ? fields : undefined);
  let n = names.size + 1;
  while (names.has(`Signature${n}`)) n++;
  if (fields instanceof PDFArray) {
    fields.push(fieldRef);
    if (fieldsEntry instanceof PDFRef) rewrite(fieldsEntry);
  } else {
    form.set(Fields, context.obj([fieldRef]));
  }
  const flags = form.lookup(PDFName.of('SigFlags'));
  form.set(PDFName.of('SigFlags'), PDFNumber.of((flags instanceof PDFNumber ? flags.asNumber() : 0) | 3));
  rewrite(formRef);

  const Annots = PDFName.of('Annots');
  const annotsEntry = page.get(Annots);
  const annots = context.lookup(annotsEntry);
  if (annots instanceof PDFArray) {
    annots.push(fieldRef);
    rewrite(annotsEntry instanceof PDFRef ? annotsEntry : pageRef);
  } else {
    page.set(Annots, context.obj([fieldRef]));
    rewrite(pageRef);
  }
  return { changed, pageRef, fieldName: `Signature${n}` };
}

function signerName(signer: PdfSigner, name: string | undefined): string {
  if (name !== undefined) return name;
  try {
    return parseJpkiCertificate(signer.certificate).person?.name ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Sign a PDF: one incremental update holding an invisible signature field and its signature.
 * Everything before it is kept byte for byte, so earlier signatures stay valid and another
 * signer can sign the result. Works for classic cross-reference tables and for
 * cross-reference/object streams (the update uses the form of the file's last section).
 *
 * With `{ card, pin }` the card's 署名用 key signs (the password is used for READ of the
 * certificate and for the signature, never retried); with `{ signer }` the callback does.
 * The PDF is parsed before the card is touched, so a damaged PDF spends no password try.
 *
 * @returns the signed PDF (the input bytes followed by the update).
 * @throws PdfError `pdf-encrypted`, `pdf-malformed` (nothing is produced), or
 *   `pdf-signature-too-large`; InvalidArgumentError for bad options; card errors as raised.
 */
export async function signPdf(pdfBytes: Uint8Array, options: SignPdfOptions): Promise<Uint8Array> {
  const checked = checkOptions(options);
  if (!('signer' in options) && !isSecretInput(options.pin)) throw new InvalidArgumentError('options.pin is required');
  // Parsed before the card is touched: a bad file spends no password try.
  const pdf = await loadPdf(pdfBytes, { strict: true });
  if ('signer' in options) return signLoaded(pdfBytes, pdf, options, checked, options.signer);
  const pin = reusableSecret(options.pin);
  try {
    return await signLoaded(pdfBytes, pdf, options, checked, await cardSigner(options.card, pin.use));
  } finally {
    pin.wipe();
  }
}

async function signLoaded(
  pdfBytes: Uint8Array,
  pdf: LoadedPdf,
  options: SignPdfOptions,
  { profile, signingTime, contentsSize }: ReturnType<typeof checkOptions>,
  signer: PdfSigner,
): Promise<Uint8Array> {
  if (!(signer?.certificate instanceof Uint8Array) || typeof signer.sign !== 'function') throw new InvalidArgumentError('signer needs certificate and sign');

  const sigNumber = pdf.size;
  const fieldRef = PDFRef.of(sigNumber + 1);
  const { changed, pageRef, fieldName } = linkField(pdf, fieldRef, options.visible?.page ?? 0);
  const name = signerName(signer, options.name);
  const visible = options.visible;
  const look =
    visible === undefined
      ? undefined
      : appearanceObjects(sigNumber + 2, visible.rect, visible.lines ?? [`電子署名 ${name}`, signingTime.toISOString().replace(/\.\d{3}Z$/, 'Z')]);
  const optional = (key: string, value: string | undefined): string => (value === undefined ? '' : ` /${key} ${pdfTextString(value)}`);
  const sigBody =
    `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /${PDF_SUBFILTERS[profile]} /ByteRange ${BYTE_RANGE_PLACEHOLDER}` +
    ` /Contents <${'0'.repeat(contentsSize * 2)}> /M ${pdfTextString(pdfDate(signingTime))}` +
    ` /Name ${pdfTextString(name)}${optional('Reason', options.reason)}${optional('Location', options.location)} >>`;
  const fieldBody =
    `<< /Type /Annot /Subtype /Widget /FT /Sig /F 132 /T ${pdfTextString(fieldName)} /V ${sigNumber} 0 R` +
    ` /P ${pageRef.objectNumber} ${pageRef.generationNumber} R /Rect [${visible === undefined ? '0 0 0 0' : visible.rect.join(' ')}]` +
    `${look === undefined ? '' : ` /AP << /N ${look.appearance} 0 R >>`} >>`;
  const objects: UpdateObject[] = [
    { number: sigNumber, generation: 0, body: latin1(sigBody) },
    { number: sigNumber + 1, generation: 0, body: latin1(fieldBody) },
    ...(look?.objects ?? []),
    ...changed.values(),
  ];
  const { update, positions } = writeUpdate(pdfBytes, pdf, objects);
  const out = concatBytes(pdfBytes, update);

  const sigAt = positions.get(sigNumber)!;
  const byteRangeAt = sigAt + sigBody.indexOf('/ByteRange ') + '/ByteRange '.length;
  const holeStart = sigAt + sigBody.indexOf('/Contents <') + '/Contents '.length;
  const holeEnd = holeStart + contentsSize * 2 + 2;
  const range = [0, holeStart, holeEnd, out.length - holeEnd];
  out.set(latin1(fixWidth(range, BYTE_RANGE_PLACEHOLDER.length)), byteRangeAt);

  const digest = sha256.create().update(out.subarray(0, holeStart)).update(out.subarray(holeEnd)).digest();
  const timestamp = options.timestamp;
  const cms = await signCmsDigest(signer, digest, {
    ...(profile === 'registry' ? { signingTime } : {}),
    ...(timestamp === undefined ? {} : { timestamp: (signature: Uint8Array) => fetchTimestamp(timestamp, signature) }),
  });
  if (cms.length > contentsSize) {
    throw new PdfError('pdf-signature-too-large', `The signature (${cms.length} bytes) does not fit in contentsSize ${contentsSize}`);
  }
  let hex = '';
  for (const byte of cms) hex += byte.toString(16).padStart(2, '0').toUpperCase();
  out.set(latin1(hex), holeStart + 1);
  return out;
}

/** `[a b c d]` padded with spaces before `]` to exactly `width` characters (10 digits each fit). */
function fixWidth(range: readonly number[], width: number): string {
  return `[${range.join(' ')}`.padEnd(width - 1, ' ') + ']';
}
