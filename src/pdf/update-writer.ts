/**
 * The incremental update writer (ISO 32000-1 §7.5.6): new and changed objects appended after the
 * last byte of the file, then a cross-reference section in the same form as the file's last one
 * (an `xref` table, or a cross-reference stream for PDF 1.5 files) whose `/Prev` points at it.
 * The original bytes are never touched. pdf-lib cannot do this (it rewrites whole files).
 * @packageDocumentation
 */
import { concatBytes } from '../bytes.js';
import { PDFName, type PDFDict, type PDFObject } from 'pdf-lib';
import type { LoadedPdf } from './document.js';
import { latin1, latin1Text } from './syntax.js';

/** One object of the update: its number, generation and serialized body. @internal */
export interface UpdateObject {
  readonly number: number;
  readonly generation: number;
  readonly body: Uint8Array;
}

/** The bytes of a pdf-lib object in PDF syntax. @internal */
export function objectBytes(object: PDFObject): Uint8Array {
  const out = new Uint8Array(object.sizeInBytes());
  object.copyBytesInto(out, 0);
  return out;
}

/** The trailer entries an update repeats from the previous trailer (§7.5.5). */
function carried(trailer: PDFDict): string {
  let text = '';
  for (const key of ['Root', 'Info', 'ID']) {
    const value = trailer.get(PDFName.of(key));
    if (value !== undefined) text += ` /${key} ${latin1Text(objectBytes(value))}`;
  }
  return text;
}

/** Consecutive runs of object numbers: `[[first, count], …]`. */
function runs(numbers: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const n of numbers) {
    const last = out[out.length - 1];
    if (last !== undefined && last[0] + last[1] === n) last[1]++;
    else out.push([n, 1]);
  }
  return out;
}

/**
 * The update appended to `original`; `positions` gives the absolute offset of each object's
 * body (after `N G obj\n`). Objects must have distinct numbers.
 * @internal
 */
export function writeUpdate(
  original: Uint8Array,
  pdf: LoadedPdf,
  objects: readonly UpdateObject[],
): { readonly update: Uint8Array; readonly positions: ReadonlyMap<number, number> } {
  const parts: Uint8Array[] = [];
  let offset = original.length;
  const push = (bytes: Uint8Array): void => {
    parts.push(bytes);
    offset += bytes.length;
  };
  const last = original[original.length - 1];
  if (last !== 0x0a && last !== 0x0d) push(latin1('\n'));
  const offsets = new Map<number, { offset: number; generation: number }>();
  const positions = new Map<number, number>();
  for (const object of objects) {
    offsets.set(object.number, { offset, generation: object.generation });
    const header = latin1(`${object.number} ${object.generation} obj\n`);
    push(header);
    positions.set(object.number, offset);
    push(object.body);
    push(latin1('\nendobj\n'));
  }
  const prev = pdf.tail.offset;
  const xrefOffset = offset;
  if (pdf.tail.kind === 'table') {
    const numbers = [...offsets.keys()].sort((a, b) => a - b);
    let text = 'xref\n';
    for (const [first, count] of runs(numbers)) {
      text += `${first} ${count}\n`;
      for (let n = first; n < first + count; n++) {
        const entry = offsets.get(n)!;
        text += `${String(entry.offset).padStart(10, '0')} ${String(entry.generation).padStart(5, '0')} n\r\n`;
      }
    }
    const size = Math.max(pdf.size, numbers[numbers.length - 1]! + 1);
    text += `trailer\n<< /Size ${size}${carried(pdf.trailer)} /Prev ${prev} >>\nstartxref\n${xrefOffset}\n%%EOF\n`;
    push(latin1(text));
  } else {
    // The xref stream is an object too, with the next free number; entries `1 offset(4) gen(2)`.
    const streamNumber = Math.max(pdf.size, ...[...offsets.keys()].map((n) => n + 1));
    offsets.set(streamNumber, { offset: xrefOffset, generation: 0 });
    const numbers = [...offsets.keys()].sort((a, b) => a - b);
    const data = new Uint8Array(numbers.length * 7);
    numbers.forEach((n, i) => {
      const { offset: at, generation } = offsets.get(n)!;
      data.set([1, (at >>> 24) & 0xff, (at >>> 16) & 0xff, (at >>> 8) & 0xff, at & 0xff, (generation >>> 8) & 0xff, generation & 0xff], i * 7);
    });
    const index = runs(numbers).flat().join(' ');
    const dict =
      `${streamNumber} 0 obj\n<< /Type /XRef /Size ${streamNumber + 1} /W [1 4 2] /Index [${index}]` +
      `${carried(pdf.trailer)} /Prev ${prev} /Length ${data.length} >>\nstream\n`;
    push(concatBytes(latin1(dict), data, latin1(`\nendstream\nendobj\nstartxref\n${xrefOffset}\n%%EOF\n`)));
  }
  return { update: concatBytes(...parts), positions };
}
