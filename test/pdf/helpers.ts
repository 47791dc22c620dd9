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
