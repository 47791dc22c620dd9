/**
 * PDF signing benchmark (issue 17): `signPdf` and `verifyPdf` on PDFs of about 100 KB, 10 MB and
 * (with `BENCH_PDF_LARGE=1`) 100 MB, each case in a fresh process (bench/pdf-case.ts) so that its
 * peak RSS is measured alone. The card is left out (a WebCrypto key signs). Targets: time grows
 * about linearly with the size, and the memory a case adds (peak RSS − RSS after reading the
 * file) is at most 3× the file size, with 64 MB allowance for the runtime.
 * @packageDocumentation
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, PDFName, StandardFonts } from 'pdf-lib';
import { formatTable, type BenchOutcome } from './harness.js';

/** A PDF of about `bytes`: one page plus an unreferenced incompressible stream. */
async function pdfOfSize(bytes: number): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const page = doc.addPage([595, 842]);
  page.drawText('Benchmark form', { x: 50, y: 780, size: 14, font: await doc.embedFont(StandardFonts.Helvetica) });
  const filler = new Uint8Array(Math.max(0, bytes - 2_000));
  for (let i = 0; i < filler.length; i += 65_536) crypto.getRandomValues(filler.subarray(i, Math.min(filler.length, i + 65_536)));
  const stream = doc.context.stream(filler, { Type: PDFName.of('EmbeddedFile') });
  doc.context.register(stream);
  return doc.save({ useObjectStreams: false });
}

/** Run the PDF benchmark and print its table. */
export async function runPdfBench(): Promise<BenchOutcome> {
  const sizes = [100_000, 10_000_000, ...(process.env['BENCH_PDF_LARGE'] === '1' ? [100_000_000] : [])];
  const dir = mkdtempSync(join(tmpdir(), 'mynacard-pdf-bench-'));
  const rows: string[][] = [];
  let passed = true;
  try {
    for (const size of sizes) {
      const file = join(dir, `${size}.pdf`);
      writeFileSync(file, await pdfOfSize(size));
      const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/pdf-case.ts', file], { encoding: 'utf8', maxBuffer: 1 << 20 });
      const r = JSON.parse(out.trim().split('\n').pop()!) as { bytes: number; signMs: number; verifyMs: number; baseRssMb: number; peakRssMb: number };
      const addedMb = r.peakRssMb - r.baseRssMb;
      const fileMb = r.bytes / 1_048_576;
      const ok = addedMb <= 3 * fileMb + 64;
      passed &&= ok;
      rows.push([fileMb.toFixed(2), r.signMs.toFixed(0), r.verifyMs.toFixed(0), r.baseRssMb.toFixed(0), r.peakRssMb.toFixed(0), (addedMb / fileMb).toFixed(2), ok ? 'ok' : 'MISSED']);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(formatTable(['file MB', 'sign ms', 'verify ms', 'RSS after read MB', 'peak RSS MB', 'added / file', 'memory ≤ 3× + 64 MB'], rows));
  return { name: 'pdf', passed };
}
