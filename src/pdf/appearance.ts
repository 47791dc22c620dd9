/**
 * The optional visible signature box: a page lookup and the appearance stream of the widget — a
 * thin border and text lines (the signer's 氏名 from the certificate, the time) in a Japanese
 * font that is referenced, not embedded (KozMinPr6N-Regular with the predefined CMap
 * UniJIS-UCS2-H, Adobe-Japan1: viewers substitute a Mincho font), so the file stays small.
 * @packageDocumentation
 */
import { PDFArray, PDFDict, PDFName, PDFRef, type PDFContext } from 'pdf-lib';
import { InvalidArgumentError } from '../errors.js';
import { PdfError } from './errors.js';
import { latin1 } from './syntax.js';
import type { UpdateObject } from './update-writer.js';

/** Where and what the visible signature shows. */
export interface PdfVisibleSignature {
  /** Page index, 0-based (default 0). */
  readonly page?: number;
  /** The box `[x1, y1, x2, y2]` in default user space units (1/72 inch), origin bottom left. */
  readonly rect: readonly [number, number, number, number];
  /** Text lines; default: the signer's name and the signing time. BMP characters only. */
  readonly lines?: readonly string[];
}

/** The page with index `index` (depth first through the page tree) and its reference. */
export function pageAt(context: PDFContext, catalog: PDFDict, index: number): { ref: PDFRef; page: PDFDict } {
  let remaining = index;
  let budget = 100_000;
  const walk = (ref: unknown, depth: number): { ref: PDFRef; page: PDFDict } | undefined => {
    if (!(ref instanceof PDFRef) || depth > 64 || --budget < 0) return undefined;
    const node = context.lookup(ref);
    if (!(node instanceof PDFDict)) return undefined;
    if (node.get(PDFName.of('Type')) === PDFName.of('Page')) return remaining-- === 0 ? { ref, page: node } : undefined;
    const kids = node.lookup(PDFName.of('Kids'));
    for (const kid of kids instanceof PDFArray ? kids.asArray() : []) {
      const found = walk(kid, depth + 1);
      if (found !== undefined || remaining < 0) return found;
    }
    return undefined;
  };
  const found = walk(catalog.get(PDFName.of('Pages')), 0);
  if (found === undefined) throw new PdfError('pdf-malformed', index === 0 ? 'The PDF has no page' : `The PDF has no page ${index}`);
  return found;
}

/** Check a visible-signature option. @throws InvalidArgumentError */
export function checkVisible(visible: PdfVisibleSignature): void {
  const r = visible?.rect;
  if (!Array.isArray(r) || r.length !== 4 || !r.every((n) => Number.isFinite(n)) || r[2]! <= r[0]! || r[3]! <= r[1]!) {
    throw new InvalidArgumentError('visible.rect must be [x1, y1, x2, y2] with x2 > x1 and y2 > y1');
  }
  const page = visible.page ?? 0;
  if (!Number.isSafeInteger(page) || page < 0) throw new InvalidArgumentError('visible.page must be a page index');
  if (visible.lines !== undefined && (!Array.isArray(visible.lines) || visible.lines.length > 8 || !visible.lines.every((l) => typeof l === 'string' && l.length <= 200))) {
    throw new InvalidArgumentError('visible.lines must be at most 8 strings of at most 200 characters');
  }
}

const FONT = 'KozMinPr6N-Regular';
const n = (x: number): string => String(Math.round(x * 100) / 100);

/** UCS-2 big-endian hex of `text` (characters outside the BMP become U+3013 〓). */
function ucs2(text: string): string {
  let hex = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    hex += (code > 0xffff ? 0x3013 : code).toString(16).toUpperCase().padStart(4, '0');
  }
  return hex;
}

/**
 * The appearance objects, numbered from `first`: the form XObject (returned as `appearance`),
 * the Type0 font, its CIDFont and font descriptor.
 */
export function appearanceObjects(first: number, rect: readonly [number, number, number, number], lines: readonly string[]): { objects: UpdateObject[]; appearance: number } {
  const [x1, y1, x2, y2] = rect;
  const w = x2 - x1;
  const h = y2 - y1;
  const size = Math.max(4, Math.min(12, (h - 4) / Math.max(1, lines.length) / 1.25));
  let content = `q 0 0 0 RG 0.5 w 0.25 0.25 ${n(w - 0.5)} ${n(h - 0.5)} re S Q\nBT /F1 ${n(size)} Tf 0 g\n`;
  lines.forEach((line, i) => {
    content += `1 0 0 1 ${n(3)} ${n(h - 2 - size * 1.2 * (i + 1))} Tm <${ucs2(line)}> Tj\n`;
  });
  content += 'ET';
  const [ap, font, cid, descriptor] = [first, first + 1, first + 2, first + 3];
  const body = (text: string): Uint8Array => latin1(text);
  return {
    appearance: ap,
    objects: [
      {
        number: ap,
        generation: 0,
        body: body(
          `<< /Type /XObject /Subtype /Form /BBox [0 0 ${n(w)} ${n(h)}] /Resources << /Font << /F1 ${font} 0 R >> >> /Length ${content.length} >>\nstream\n${content}\nendstream`,
        ),
      },
      { number: font, generation: 0, body: body(`<< /Type /Font /Subtype /Type0 /BaseFont /${FONT} /Encoding /UniJIS-UCS2-H /DescendantFonts [${cid} 0 R] >>`) },
      {
        number: cid,
        generation: 0,
        body: body(`<< /Type /Font /Subtype /CIDFontType0 /BaseFont /${FONT} /CIDSystemInfo << /Registry (Adobe) /Ordering (Japan1) /Supplement 6 >> /FontDescriptor ${descriptor} 0 R /DW 1000 >>`),
      },
      {
        number: descriptor,
        generation: 0,
        body: body(`<< /Type /FontDescriptor /FontName /${FONT} /Flags 6 /FontBBox [-437 -340 1147 1317] /ItalicAngle 0 /Ascent 1317 /Descent -349 /CapHeight 742 /StemV 80 >>`),
      },
    ],
  };
}
