/**
 * The cross-reference sections written after a signed revision, read the way a viewer reads
 * them (the `/Prev` chain back from the last `startxref`), not by scanning: a later section that
 * re-points an object at bytes inside the signed revision is how shadow attacks hide content.
 * @packageDocumentation
 */
import { decodePDFRawStream, PDFArray, PDFContext, PDFDict, PDFName, PDFNumber, PDFObjectParser, PDFRawStream, type PDFObject } from 'pdf-lib';
import { latin1Text, readXrefTail } from './syntax.js';

/** One in-use entry of a later cross-reference section. @internal */
export interface LaterEntry {
  readonly number: number;
  readonly generation: number;
  /** The byte offset (type 1), or the object stream's number (type 2). */
  readonly offset: number;
  readonly inObjectStream: boolean;
}

/** What the sections after a revision say. @internal */
export interface LaterSections {
  /** In-use entries of every later section (the newest first). */
  readonly entries: readonly LaterEntry[];
  /** The `/Prev` chain reaches the signed revision's own last section. */
  readonly chained: boolean;
  /** The trailers of the later sections (the newest first). */
  readonly trailers: readonly PDFDict[];
}

const MAX_SECTIONS = 4096;

/** Parse the object whose `N G obj` header starts at `offset`. */
export function objectAt(bytes: Uint8Array, offset: number, context: PDFContext): { number: number; generation: number; object: PDFObject } | undefined {
  const header = /^(\d{1,10})\s+(\d{1,5})\s+obj\b/.exec(latin1Text(bytes, offset, Math.min(bytes.length, offset + 32)));
  if (header === null) return undefined;
  try {
    const object = PDFObjectParser.forBytes(bytes.subarray(offset + header[0].length), context).parseObject();
    return { number: Number(header[1]), generation: Number(header[2]), object };
  } catch {
    return undefined;
  }
}

/** A classic `xref` table at `offset`: its in-use entries and trailer. */
function tableAt(bytes: Uint8Array, offset: number, context: PDFContext): { entries: LaterEntry[]; trailer: PDFDict } | undefined {
  const entries: LaterEntry[] = [];
  let text = latin1Text(bytes, offset, Math.min(bytes.length, offset + 64));
  if (!/^xref\s/.test(text)) return undefined;
  let at = offset + 4;
  for (let guard = 0; guard < 1 << 20; guard++) {
    text = latin1Text(bytes, at, Math.min(bytes.length, at + 64));
    const start = /^\s*trailer/.exec(text);
    if (start !== null) {
      try {
        const trailer = PDFObjectParser.forBytes(bytes.subarray(at + start[0].length), context).parseObject();
        return trailer instanceof PDFDict ? { entries, trailer } : undefined;
      } catch {
        return undefined;
      }
    }
    const sub = /^\s*(\d{1,10})[ \t]+(\d{1,10})[ \t]*\r?\n/.exec(text);
    if (sub === null) return undefined;
    const first = Number(sub[1]);
    const count = Number(sub[2]);
    at += sub[0].length;
    const rows = latin1Text(bytes, at, Math.min(bytes.length, at + count * 20));
    for (let i = 0; i < count; i++) {
      const row = /^(\d{10}) (\d{5}) ([nf])/.exec(rows.slice(i * 20, i * 20 + 20));
      if (row === null) return undefined;
      if (row[3] === 'n') entries.push({ number: first + i, generation: Number(row[2]), offset: Number(row[1]), inObjectStream: false });
    }
    at += count * 20;
  }
  return undefined;
}

/** Undo the PNG predictors (Predictor ≥ 10) of a decoded stream: rows of `columns` bytes, each after a filter-type byte. */
function unpredict(data: Uint8Array, columns: number): Uint8Array | undefined {
  const stride = columns + 1;
  if (columns < 1 || data.length % stride !== 0) return undefined;
  const rows = data.length / stride;
  const out = new Uint8Array(rows * columns);
  for (let r = 0; r < rows; r++) {
    const type = data[r * stride]!;
    for (let c = 0; c < columns; c++) {
      const raw = data[r * stride + 1 + c]!;
      const left = c > 0 ? out[r * columns + c - 1]! : 0;
      const up = r > 0 ? out[(r - 1) * columns + c]! : 0;
      const upLeft = r > 0 && c > 0 ? out[(r - 1) * columns + c - 1]! : 0;
      let value: number;
      if (type === 0) value = raw;
      else if (type === 1) value = raw + left;
      else if (type === 2) value = raw + up;
      else if (type === 3) value = raw + ((left + up) >> 1);
      else if (type === 4) {
        const p = left + up - upLeft;
        const pa = Math.abs(p - left);
        const pb = Math.abs(p - up);
        const pc = Math.abs(p - upLeft);
        value = raw + (pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft);
      } else return undefined;
      out[r * columns + c] = value & 0xff;
    }
  }
  return out;
}

const numberOf = (dict: PDFDict, key: string): number | undefined => {
  const value = dict.get(PDFName.of(key));
  return value instanceof PDFNumber ? value.asNumber() : undefined;
};

/**
 * A cross-reference stream at `offset`: its in-use entries and dictionary. Decoded here, not by
 * pdf-lib's PDFXRefStreamParser, because pdf-lib ignores `/DecodeParms` and most writers (Acrobat,
 * qpdf) use the PNG Up predictor on xref streams.
 */
function streamAt(bytes: Uint8Array, offset: number): { entries: LaterEntry[]; trailer: PDFDict } | undefined {
  const parsed = objectAt(bytes, offset, PDFContext.create());
  if (!(parsed?.object instanceof PDFRawStream) || parsed.object.dict.get(PDFName.of('Type')) !== PDFName.of('XRef')) return undefined;
  const dict = parsed.object.dict;
  try {
    let data = parsed.object.dict.has(PDFName.of('Filter')) ? decodePDFRawStream(parsed.object).decode() : parsed.object.contents;
    const widths = dict.lookup(PDFName.of('W'));
    const w = widths instanceof PDFArray ? widths.asArray().map((n) => (n instanceof PDFNumber ? n.asNumber() : -1)) : [];
    if (w.length !== 3 || w.some((n) => !Number.isInteger(n) || n < 0 || n > 8)) return undefined;
    const rowLength = w[0]! + w[1]! + w[2]!;
    const parms = dict.lookup(PDFName.of('DecodeParms'));
    const predictor = parms instanceof PDFDict ? numberOf(parms, 'Predictor') ?? 1 : 1;
    if (predictor >= 10) {
      const columns = parms instanceof PDFDict ? numberOf(parms, 'Columns') ?? 1 : 1;
      const undone = unpredict(data, columns);
      if (undone === undefined) return undefined;
      data = undone;
    } else if (predictor !== 1) {
      return undefined;
    }
    const size = numberOf(dict, 'Size') ?? 0;
    const index = dict.lookup(PDFName.of('Index'));
    const ranges = index instanceof PDFArray ? index.asArray().map((n) => (n instanceof PDFNumber ? n.asNumber() : -1)) : [0, size];
    if (ranges.length % 2 !== 0 || ranges.some((n) => !Number.isSafeInteger(n) || n < 0)) return undefined;
    const entries: LaterEntry[] = [];
    let at = 0;
    const field = (width: number, fallback: number): number => {
      if (width === 0) return fallback;
      let value = 0;
      for (let i = 0; i < width; i++) value = value * 256 + data[at++]!;
      return value;
    };
    for (let r = 0; r < ranges.length; r += 2) {
      for (let i = 0; i < ranges[r + 1]!; i++) {
        if (at + rowLength > data.length) return undefined;
        const type = field(w[0]!, 1);
        const second = field(w[1]!, 0);
        const third = field(w[2]!, 0);
        if (type === 1) entries.push({ number: ranges[r]! + i, generation: third, offset: second, inObjectStream: false });
        else if (type === 2) entries.push({ number: ranges[r]! + i, generation: 0, offset: second, inObjectStream: true });
      }
    }
    return { entries, trailer: dict };
  } catch {
    return undefined;
  }
}

/**
 * The sections between the end of the file and the revision ending at `end`, following `/Prev`
 * (and `/XRefStm` of hybrid files). `undefined` when a section cannot be read.
 * @internal
 */
export function sectionsAfter(bytes: Uint8Array, end: number): LaterSections | undefined {
  let signedTail: number;
  let offset: number;
  try {
    signedTail = end === 0 ? -1 : readXrefTail(bytes, end).offset;
    offset = readXrefTail(bytes).offset;
  } catch {
    return undefined;
  }
  const entries: LaterEntry[] = [];
  const trailers: PDFDict[] = [];
  const context = PDFContext.create();
  const visited = new Set<number>();
  for (let n = 0; n < MAX_SECTIONS; n++) {
    if (visited.has(offset)) return undefined;
    visited.add(offset);
    if (offset < end) return { entries, trailers, chained: offset === signedTail };
    const section = /^xref\s/.test(latin1Text(bytes, offset, offset + 5)) ? tableAt(bytes, offset, context) : streamAt(bytes, offset);
    if (section === undefined) return undefined;
    entries.push(...section.entries);
    trailers.push(section.trailer);
    const hybrid = section.trailer.get(PDFName.of('XRefStm'));
    if (hybrid instanceof PDFNumber) {
      const extra = streamAt(bytes, hybrid.asNumber());
      if (extra === undefined) return undefined;
      entries.push(...extra.entries);
    }
    const prev = section.trailer.get(PDFName.of('Prev'));
    if (!(prev instanceof PDFNumber)) return { entries, trailers, chained: false };
    const next = prev.asNumber();
    // Linearized files (ISO 32000-1 Annex F): the first-page section's /Prev points forward.
    if (!Number.isSafeInteger(next) || next < 0 || next >= bytes.length) return undefined;
    offset = next;
  }
  return undefined;
}

/**
 * Whether every in-use entry of every cross-reference section (the whole `/Prev` chain) points
 * at the header of the object it names (`N G obj`, after at most 8 whitespace bytes), and every
 * object-stream entry at an object stream that has such an entry. A file whose sections do not
 * match its objects is damaged: an update appended to it would be read differently by viewers.
 * @returns the newest entry of each object number, or `undefined` when they do not match
 * @internal
 */
export function crossReferenceMatches(bytes: Uint8Array): ReadonlyMap<number, LaterEntry> | undefined {
  const all = sectionsAfter(bytes, 0);
  if (all === undefined) return undefined;
  const newest = new Map<number, LaterEntry>();
  for (const entry of all.entries) {
    if (newest.has(entry.number)) continue;
    newest.set(entry.number, entry);
    if (entry.inObjectStream) continue;
    if (entry.offset >= bytes.length) return undefined;
    const head = /^[\x00\t\n\f\r ]{0,8}(\d{1,10})\s+(\d{1,5})\s+obj\b/.exec(latin1Text(bytes, entry.offset, Math.min(bytes.length, entry.offset + 40)));
    if (head === null || Number(head[1]) !== entry.number || Number(head[2]) !== entry.generation) return undefined;
  }
  const direct = new Set([...newest.values()].filter((e) => !e.inObjectStream).map((e) => e.number));
  return all.entries.every((e) => !e.inObjectStream || direct.has(e.offset)) ? newest : undefined;
}
