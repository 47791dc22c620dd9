/**
 * Helpers for the PDF tests: small PDFs made with pdf-lib (classic xref tables or object/xref
 * streams), the external tools (pdfsig, qpdf, openssl) and an independent reader of the last
 * signature's ByteRange and Contents (regular expressions, not the SDK's parser).
 */
import { spawnSync } from 'node:child_process';
import { PDFDocument, StandardFonts } from 'pdf-lib';

/** A one- or more-page PDF; `objectStreams` writes PDF 1.5 xref and object streams. */
export async function makePdf(options: { objectStreams: boolean; pages?: number; text?: string; padding?: number }): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < (options.pages ?? 1); i++) {
    const page = doc.addPage([595, 842]);
    page.drawText(options.text ?? `Application form, page ${i + 1}`, { x: 50, y: 780, size: 14, font });
    if (options.padding !== undefined) page.drawText('x'.repeat(options.padding), { x: 50, y: 700, size: 1, font });
  }
  doc.setCreationDate(new Date('2026-05-01T00:00:00Z'));
  doc.setModificationDate(new Date('2026-05-01T00:00:00Z'));
  return doc.save({ useObjectStreams: options.objectStreams });
}

/** Run a tool; exit status and combined output. */
export function run(tool: string, args: readonly string[]): { status: number; output: string } {
  const result = spawnSync(tool, [...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

/** Latin-1 text of a PDF (for regular expressions over its syntax). */
export function text(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('latin1');
}

/** Every `/ByteRange [...]` with the `/Contents <hex>` of the same dictionary, in file order. */
export function signaturesOf(bytes: Uint8Array): { range: number[]; cms: Uint8Array; contentsAt: number }[] {
  const all = text(bytes);
  const out: { range: number[]; cms: Uint8Array; contentsAt: number }[] = [];
  for (const m of all.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]\s*\/Contents\s*<([0-9A-Fa-f]*)>/g)) {
    const hex = m[5]!.replace(/(00)+$/, '');
    out.push({
      range: [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4])],
      cms: Uint8Array.from(Buffer.from(hex.length % 2 === 0 ? hex : `${hex}0`, 'hex')),
      contentsAt: m.index! + m[0].indexOf('<'),
    });
  }
  return out;
}

/** The bytes a ByteRange covers. */
export function covered(bytes: Uint8Array, range: readonly number[]): Uint8Array {
  return Buffer.concat([bytes.subarray(range[0]!, range[0]! + range[1]!), bytes.subarray(range[2]!, range[2]! + range[3]!)]);
}

/** The last `startxref` value and the last trailer's `/Root` and `/Size` (classic tables). */
export function lastTrailer(bytes: Uint8Array): { startxref: number; root: string; size: number } {
  const all = text(bytes);
  const startxref = Number(/startxref\s+(\d+)\s+%%EOF\s*$/.exec(all)![1]);
  const trailer = all.slice(all.lastIndexOf('trailer'));
  return { startxref, root: /\/Root (\d+ \d+ R)/.exec(trailer)![1]!, size: Number(/\/Size (\d+)/.exec(trailer)![1]) };
}

/**
 * Append a hand-written incremental update (classic table) redefining or adding `objects`;
 * `pointers` adds xref entries that point at given offsets without writing an object.
 */
export function appendUpdate(
  bytes: Uint8Array,
  objects: readonly { number: number; body: string }[],
  pointers: readonly { number: number; offset: number }[] = [],
): Uint8Array {
  const { startxref, root, size } = lastTrailer(bytes);
  let body = '\n';
  const entries = new Map<number, number>();
  for (const object of objects) {
    entries.set(object.number, bytes.length + Buffer.byteLength(body, 'latin1'));
    body += `${object.number} 0 obj\n${object.body}\nendobj\n`;
  }
  for (const p of pointers) entries.set(p.number, p.offset);
  const xrefAt = bytes.length + Buffer.byteLength(body, 'latin1');
  body += 'xref\n';
  for (const [n, offset] of [...entries].sort((a, b) => a[0] - b[0])) body += `${n} 1\n${String(offset).padStart(10, '0')} 00000 n\r\n`;
  const newSize = Math.max(size, ...[...entries.keys()].map((n) => n + 1));
  body += `trailer\n<< /Size ${newSize} /Root ${root} /Prev ${startxref} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
  return Buffer.concat([bytes, Buffer.from(body, 'latin1')]);
}

/** Replace `from` (first occurrence at or after `at`) by `to` of the same length. */
export function patch(bytes: Uint8Array, from: string, to: string, at = 0): Uint8Array {
  if (from.length !== to.length) throw new Error('patch must keep the length');
  const i = text(bytes).indexOf(from, at);
  if (i < 0) throw new Error(`not found: ${from}`);
  const out = Uint8Array.from(bytes);
  out.set(Buffer.from(to, 'latin1'), i);
  return out;
}
