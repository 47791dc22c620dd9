/**
 * `verifyPdf`: every signature field of a PDF checked on its own — the ByteRange (from byte 0,
 * one hole that is exactly the `/Contents` string, ending at a revision's `%%EOF`), what later
 * revisions did (only added signatures, or changed the signed objects: shadow attacks), the CMS
 * (message digest over the covered bytes, signed attributes, the signer's chain at `at`, key
 * usage, key identifiers) and the signer's 基本4情報 from the certificate. Browser-safe.
 * @packageDocumentation
 */
import { PDFArray, PDFDict, PDFHexString, PDFName, PDFNumber, PDFRef, PDFString, type PDFObject } from 'pdf-lib';
import { concatBytes } from '../bytes.js';
import { InvalidArgumentError } from '../errors.js';
import { verifyCms, type CmsReason, type CmsVerificationResult } from '../crypto/cms.js';
import type { VerifyJpkiChainOptions } from '../crypto/chain.js';
import { cmsLayout } from '../crypto/cms-layout.js';
import { readOid as readOidText } from '../crypto/der.js';
import { ID_AA_SIGNATURE_TIMESTAMP, verifyTimestampToken, type TimestampReason } from '../crypto/timestamp.js';
import { sha256 } from '@noble/hashes/sha2.js';
import type { JpkiCertificate } from '../crypto/parse.js';
import type { JpkiPerson } from '../crypto/san.js';
import type { PdfReason } from '../messages/pdf-reason-texts.js';
import { isSignatureField, onlyAddsSignature } from './changes.js';
import { loadPdf, type LoadedPdf } from './document.js';
import { PdfError } from './errors.js';
import { objectAt, sectionsAfter } from './revisions.js';
import { isRevisionEnd, latin1Text, parsePdfDate, revisionEnds } from './syntax.js';

/**
 * Options of {@link verifyPdf}: the validation date `at`, the trust anchors, the TSA trust
 * anchors, and (as for `verifyJpkiChain`) an optional `revocation` checker with
 * `requireRevocationStatus`, applied to every signature's signer.
 */
export interface VerifyPdfOptions extends VerifyJpkiChainOptions {
  /** Trust anchors (DER) of the time-stamp authorities; without them a timestamp is `timestamp-untrusted`. */
  readonly tsaRoots?: readonly Uint8Array[];
}

/** A reason a signature is not valid: a PDF-level {@link PdfReason}, a CMS/chain {@link CmsReason} or a {@link TimestampReason}. */
export type PdfSignatureReason = PdfReason | CmsReason | TimestampReason;

/** The signature timestamp of a PAdES B-T signature. */
export interface PdfTimestampVerification {
  /** `true` exactly when `reasons` is empty. */
  readonly valid: boolean;
  /** Every problem of the token. */
  readonly reasons: readonly TimestampReason[];
  /** The TSA's time (genTime). */
  readonly genTime?: Date;
}

/** What revisions after the signed one did. */
export type LaterRevisions = 'none' | 'signatures-only' | 'content-changed' | 'unreadable';

/** The verification of one signature field. */
export interface PdfSignatureVerification {
  /** The field's full name (`/T` of it and its parents, joined with `.`). */
  readonly field: string;
  /** `true` exactly when `reasons` is empty. */
  readonly valid: boolean;
  /** Every problem found. */
  readonly reasons: readonly PdfSignatureReason[];
  /** `/SubFilter`, e.g. `adbe.pkcs7.detached` or `ETSI.CAdES.detached`. */
  readonly subFilter?: string;
  /** `/ByteRange` as written. */
  readonly byteRange?: readonly number[];
  /** The end of the revision the signature covers (`byteRange[2] + byteRange[3]`). */
  readonly revisionEnd?: number;
  /** The signature covers the file up to its last byte (nothing appended after it). */
  readonly coversWholeFile: boolean;
  /** What the revisions after the signed one did (`'none'` when there are none). */
  readonly laterRevisions: LaterRevisions;
  /** Objects of the signed revision that later revisions redefine (object numbers). */
  readonly changedObjects: readonly number[];
  /**
   * The signature has the form the registry (登記・供託オンライン申請) accepts: SubFilter
   * `adbe.pkcs7.detached`, `/Name` and `/M` present, nothing appended after it.
   */
  readonly registryProfile: boolean;
  /** `/Name` as written by the signer (not verified). */
  readonly name?: string;
  /** The claimed signing time: the signingTime attribute, else `/M` (not a trusted time). */
  readonly signingTime?: Date;
  /** The signature timestamp (unsigned attribute id-aa-signatureTimeStampToken), when present. */
  readonly timestamp?: PdfTimestampVerification;
  /** The CMS verification: message digest, signed attributes, ESS binding, chain at `at`. */
  readonly cms?: CmsVerificationResult;
  /** The signer's certificate, parsed (key usage, SKI/AKI, validity). */
  readonly signer?: JpkiCertificate;
  /** 氏名・住所・生年月日・性別 from the signer certificate's SAN. */
  readonly person?: JpkiPerson;
}

/** Result of {@link verifyPdf}. */
export interface PdfVerificationResult {
  /** At least one signature, every field signed and every signature valid. */
  readonly valid: boolean;
  /** Document-level problems (`document-malformed`, `document-encrypted`, `no-signatures`, `too-many-signature-fields`). */
  readonly reasons: readonly PdfReason[];
  /** Every signature field, in the order of the revisions they sign. */
  readonly signatures: readonly PdfSignatureVerification[];
}

const SUB_FILTERS = ['adbe.pkcs7.detached', 'ETSI.CAdES.detached'];

/** Most signature fields checked in one document (each may need its revision parsed). */
export const MAX_SIGNATURE_FIELDS = 256;

function textOf(object: PDFObject | undefined): string | undefined {
  return object instanceof PDFString || object instanceof PDFHexString ? object.decodeText() : undefined;
}

/** Terminal signature fields: `/FT /Sig` (own or inherited), no `/Kids`, and a `/T`, `/FT` or `/V` of their own. */
function signatureFields(pdf: LoadedPdf): { name: string; field: PDFDict }[] {
  const out: { name: string; field: PDFDict }[] = [];
  for (const [, object] of pdf.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFDict) || object.has(PDFName.of('Kids')) || !isSignatureField(pdf.context, object)) continue;
    if (!object.has(PDFName.of('T')) && !object.has(PDFName.of('FT')) && !object.has(PDFName.of('V'))) continue;
    const parts: string[] = [];
    let node: PDFObject | undefined = object;
    for (let depth = 0; depth < 32 && node instanceof PDFDict; depth++) {
      const t = textOf(node.lookup(PDFName.of('T')));
      if (t !== undefined) parts.unshift(t);
      node = node.lookup(PDFName.of('Parent'));
    }
    out.push({ name: parts.join('.'), field: object });
  }
  return out;
}

/** The DER object at the start of `contents` (the rest is the zero padding), or `undefined`. */
function derPrefix(contents: Uint8Array): Uint8Array | undefined {
  if (contents[0] !== 0x30 || contents.length < 2) return undefined;
  let length = contents[1]!;
  let header = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count < 1 || count > 4 || contents.length < 2 + count) return undefined;
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + contents[2 + i]!;
    header += count;
  }
  return header + length <= contents.length ? contents.subarray(0, header + length) : undefined;
}

/** Hex digits of the hole `[from, to)`, decoded, when it is exactly one `< … >` hex string. */
function holeContents(bytes: Uint8Array, from: number, to: number): Uint8Array | undefined {
  if (to - from < 2 || bytes[from] !== 0x3c || bytes[to - 1] !== 0x3e) return undefined;
  const hex = latin1Text(bytes, from + 1, to - 1);
  if (!/^[0-9A-Fa-f]*$/.test(hex) || hex.length % 2 !== 0) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Bytes after the last `%%EOF` other than whitespace. */
function trailingData(bytes: Uint8Array): boolean {
  const ends = revisionEnds(bytes);
  const last = ends[ends.length - 1] ?? 0;
  for (let i = last; i < bytes.length; i++) if (![0x00, 0x09, 0x0a, 0x0c, 0x0d, 0x20].includes(bytes[i]!)) return true;
  return false;
}

/** What the revisions after one end say (shared by the signatures of that revision). */
interface LaterAnalysis {
  readonly later: LaterRevisions;
  readonly changed: number[];
  readonly reasons: readonly PdfSignatureReason[];
}

/** {@link laterRevisions}, once per revision end. */
function laterRevisionsOnce(cache: Map<number, Promise<LaterAnalysis>>, bytes: Uint8Array, end: number, full: LoadedPdf): Promise<LaterAnalysis> {
  let analysis = cache.get(end);
  if (analysis === undefined) {
    analysis = laterRevisions(bytes, end, full);
    cache.set(end, analysis);
  }
  return analysis;
}

/** Later revisions after `end`: reasons, verdict and the redefined objects. */
async function laterRevisions(bytes: Uint8Array, end: number, full: LoadedPdf): Promise<LaterAnalysis> {
  const reasons = new Set<PdfSignatureReason>();
  const later = sectionsAfter(bytes, end);
  let signed: LoadedPdf | undefined;
  try {
    signed = await loadPdf(bytes.subarray(0, end));
  } catch {
    signed = undefined;
  }
  if (later === undefined || signed === undefined) {
    return { later: 'unreadable', changed: [], reasons: ['appended-unknown-data'] };
  }
  if (!later.chained) reasons.add('revision-chain-broken');
  const laterStart = new Map(later.entries.filter((e) => !e.inObjectStream && e.offset >= end).map((e) => [e.number, e.offset]));
  const seen = new Set<number>();
  const changed: number[] = [];
  let content = false;
  for (const entry of later.entries) {
    if (seen.has(entry.number)) continue;
    seen.add(entry.number);
    if (entry.inObjectStream ? !laterStart.has(entry.offset) : entry.offset < end) {
      reasons.add('xref-points-into-signed-revision');
      content = true;
      continue;
    }
    const before = signed.context.lookup(PDFRef.of(entry.number, entry.generation));
    if (before === undefined) continue;
    changed.push(entry.number);
    let after: PDFObject | undefined;
    if (entry.inObjectStream) {
      after = full.context.lookup(PDFRef.of(entry.number, entry.generation));
    } else {
      const parsed = objectAt(bytes, entry.offset, full.context);
      after = parsed?.number === entry.number ? parsed.object : undefined;
    }
    if (!onlyAddsSignature(before, after, full.context)) content = true;
  }
  const root = later.trailers[0]?.get(PDFName.of('Root'));
  if (later.trailers.length > 0 && (!(root instanceof PDFRef) || root !== signed.rootRef)) content = true;
  if (content) reasons.add('changed-after-signing');
  return {
    later: content ? 'content-changed' : later.entries.length === 0 ? 'none' : 'signatures-only',
    changed: changed.sort((a, b) => a - b),
    reasons: [...reasons],
  };
}

/** The CMS result without the (possibly huge) covered bytes. */
function withoutContent(cms: CmsVerificationResult): CmsVerificationResult {
  const { content: _content, ...rest } = cms;
  return rest;
}

/** The signature timestamp of a CMS, verified over SHA-256 of its signature value. */
async function signatureTimestamp(cms: Uint8Array, roots: readonly Uint8Array[] | undefined): Promise<PdfTimestampVerification | undefined> {
  let info: ReturnType<typeof cmsLayout>['signerInfo'];
  try {
    info = cmsLayout(cms.slice(), 'ber').signerInfo;
  } catch {
    return undefined;
  }
  const attribute = info?.unsignedAttrs?.children.find((a) => a.tag === 0x30 && a.children[0]?.tag === 0x06 && readOidText(a.children[0]) === ID_AA_SIGNATURE_TIMESTAMP);
  if (info === undefined || attribute === undefined) return undefined;
  const token = attribute.children[1]?.children[0];
  if (token === undefined || attribute.children[1]!.children.length !== 1) return { valid: false, reasons: ['timestamp-malformed'] };
  const result = await verifyTimestampToken(token.encoded, { imprint: sha256(info.signature), ...(roots === undefined ? {} : { roots }) });
  return { valid: result.valid, reasons: result.reasons, ...(result.genTime === undefined ? {} : { genTime: result.genTime }) };
}

/** Four non-negative safe integers, or `undefined`. */
function byteRangeOf(value: PDFObject | undefined): number[] | undefined {
  if (!(value instanceof PDFArray) || value.size() !== 4) return undefined;
  const numbers = value.asArray().map((n) => (n instanceof PDFNumber ? n.asNumber() : NaN));
  return numbers.every((n) => Number.isSafeInteger(n) && n >= 0) ? numbers : undefined;
}

async function verifySignature(
  bytes: Uint8Array,
  full: LoadedPdf,
  name: string,
  field: PDFDict,
  options: VerifyPdfOptions,
  junk: boolean,
  cache: Map<number, Promise<LaterAnalysis>>,
): Promise<PdfSignatureVerification> {
  const reasons = new Set<PdfSignatureReason>();
  const done = (extra: Partial<PdfSignatureVerification> = {}): PdfSignatureVerification => ({
    field: name,
    valid: reasons.size === 0,
    reasons: [...reasons],
    coversWholeFile: false,
    laterRevisions: 'none',
    changedObjects: [],
    registryProfile: false,
    ...extra,
  });
  const value = field.lookup(PDFName.of('V'));
  if (value === undefined) {
    reasons.add('unsigned-field');
    return done();
  }
  const range = value instanceof PDFDict ? byteRangeOf(value.lookup(PDFName.of('ByteRange'))) : undefined;
  const contentsObject = value instanceof PDFDict ? value.lookup(PDFName.of('Contents')) : undefined;
  if (!(value instanceof PDFDict) || !(contentsObject instanceof PDFHexString || contentsObject instanceof PDFString)) {
    reasons.add('signature-dictionary-malformed');
    return done();
  }
  const subFilterName = value.lookup(PDFName.of('SubFilter'));
  const subFilter = subFilterName instanceof PDFName ? subFilterName.decodeText() : undefined;
  if (subFilter === undefined || !SUB_FILTERS.includes(subFilter)) reasons.add('unsupported-sub-filter');
  const signerName = textOf(value.lookup(PDFName.of('Name')));
  const m = textOf(value.lookup(PDFName.of('M')));
  const contents = contentsObject.asBytes();
  const cmsBytes = derPrefix(contents);
  if (cmsBytes === undefined && contents.every((b) => b === 0)) reasons.add('signature-empty');
  const base = { ...(subFilter === undefined ? {} : { subFilter }), ...(signerName === undefined ? {} : { name: signerName }) };
  if (range === undefined || range[0]! + range[1]! > bytes.length || range[2]! + range[3]! > bytes.length) {
    reasons.add('byte-range-malformed');
    return done(base);
  }
  const [start, firstLength, second, secondLength] = range as [number, number, number, number];
  const holeStart = start + firstLength;
  const end = second + secondLength;
  if (start !== 0) reasons.add('byte-range-not-from-start');
  if (second < holeStart) reasons.add('byte-range-overlap');
  else {
    const hole = holeContents(bytes, holeStart, second);
    if (hole === undefined || hole.length !== contents.length || !hole.every((b, i) => b === contents[i])) reasons.add('byte-range-gap');
  }
  if (!isRevisionEnd(bytes, end)) reasons.add('byte-range-not-revision-end');
  let later: LaterAnalysis = { later: 'none', changed: [], reasons: [] };
  if (end < bytes.length && isRevisionEnd(bytes, end)) later = await laterRevisionsOnce(cache, bytes, end, full);
  for (const reason of later.reasons) reasons.add(reason);
  if (junk) reasons.add('appended-unknown-data');

  let cms: CmsVerificationResult | undefined;
  if (cmsBytes === undefined) {
    if (!reasons.has('signature-empty')) reasons.add('malformed-cms');
  } else {
    const content = concatBytes(bytes.subarray(start, holeStart), bytes.subarray(second, end));
    cms = await verifyCms(cmsBytes, { ...options, content });
    for (const reason of cms.reasons) reasons.add(reason);
  }
  const timestamp = cmsBytes === undefined ? undefined : await signatureTimestamp(cmsBytes, options.tsaRoots);
  for (const reason of timestamp?.reasons ?? []) reasons.add(reason);
  const claimed = cms?.signingTime ?? (m === undefined ? undefined : parsePdfDate(m));
  const signingTime = timestamp?.valid === true && timestamp.genTime !== undefined ? timestamp.genTime : claimed;
  const signer = cms?.signer;
  if (signer !== undefined && signingTime !== undefined && (signingTime < signer.notBefore || signingTime > signer.notAfter)) {
    reasons.add('signing-time-outside-validity');
  }
  return done({
    ...base,
    byteRange: range,
    revisionEnd: end,
    coversWholeFile: end === bytes.length,
    registryProfile: subFilter === 'adbe.pkcs7.detached' && signerName !== undefined && m !== undefined && end === bytes.length,
    laterRevisions: later.later,
    changedObjects: later.changed,
    ...(signingTime === undefined ? {} : { signingTime }),
    ...(timestamp === undefined ? {} : { timestamp }),
    ...(cms === undefined ? {} : { cms: withoutContent(cms) }),
    ...(signer === undefined ? {} : { signer }),
    ...(signer?.person === undefined ? {} : { person: signer.person }),
  });
}

/**
 * Verify every signature field of a PDF. A document is valid when it has at least one signature
 * field, every field is signed and every signature is valid: its ByteRange covers exactly one
 * whole revision but the `/Contents` hole, later revisions only add signatures, the CMS verifies
 * over the covered bytes and the signer's chain is valid at `options.at`. Damaged and encrypted
 * files are reported (`document-malformed`, `document-encrypted`), not thrown.
 *
 * @throws InvalidArgumentError for a non-Uint8Array input or a missing/invalid `at`.
 */
export async function verifyPdf(pdfBytes: Uint8Array, options: VerifyPdfOptions): Promise<PdfVerificationResult> {
  if (!(pdfBytes instanceof Uint8Array)) throw new InvalidArgumentError('pdfBytes must be a Uint8Array');
  if (!(options?.at instanceof Date) || Number.isNaN(options.at.getTime())) throw new InvalidArgumentError('verifyPdf needs options.at, a valid Date');
  let full: LoadedPdf;
  try {
    full = await loadPdf(pdfBytes);
  } catch (error) {
    if (!(error instanceof PdfError)) throw error;
    return { valid: false, reasons: [error.code === 'pdf-encrypted' ? 'document-encrypted' : 'document-malformed'], signatures: [] };
  }
  const junk = trailingData(pdfBytes);
  const fields = signatureFields(full);
  if (fields.length > MAX_SIGNATURE_FIELDS) return { valid: false, reasons: ['too-many-signature-fields'], signatures: [] };
  const cache = new Map<number, Promise<LaterAnalysis>>();
  const signatures: PdfSignatureVerification[] = [];
  for (const { name, field } of fields) {
    signatures.push(await verifySignature(pdfBytes, full, name, field, options, junk, cache));
  }
  signatures.sort((a, b) => (a.revisionEnd ?? Infinity) - (b.revisionEnd ?? Infinity) || a.field.localeCompare(b.field));
  const reasons: PdfReason[] = signatures.length === 0 ? ['no-signatures'] : [];
  return { valid: reasons.length === 0 && signatures.every((s) => s.valid), reasons, signatures };
}
