import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { defaultFaceImages, FACE_IMAGE_FIXTURE_INFO } from '../../src/testing/content/index.js';

const VECTORS = join(import.meta.dirname, '../vectors/face');
const PNG_SIGNATURE = '89504e470d0a1a0a';
const JP2_SIGNATURE_BOX = '0000000c6a5020200d0a870a';

function hasBinary(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** PNG chunks (type, data) after the signature; every chunk CRC is checked. */
function pngChunks(png: Buffer): { type: string; data: Buffer }[] {
  const chunks: { type: string; data: Buffer }[] = [];
  let p = 8;
  while (p < png.length) {
    const length = png.readUInt32BE(p);
    chunks.push({ type: png.toString('latin1', p + 4, p + 8), data: png.subarray(p + 8, p + 8 + length) });
    expect(crc32(png.subarray(p + 4, p + 8 + length))).toBe(png.readUInt32BE(p + 8 + length));
    p += 12 + length;
  }
  expect(p).toBe(png.length);
  return chunks;
}

const pngKeys = ['name', 'address', 'securityCode', 'myNumber'] as const;

describe('face image fixtures', () => {
  it('the TS data module matches test/vectors/face byte for byte', () => {
    const images = defaultFaceImages();
    for (const key of [...pngKeys, 'photo'] as const) {
      const info = FACE_IMAGE_FIXTURE_INFO[key];
      const file = readFileSync(join(VECTORS, info.file));
      expect(Buffer.from(images[key]).equals(file)).toBe(true);
      expect(file.length).toBe(info.byteLength);
    }
  });

  it.each(pngKeys)('%s is a valid 1-bit greyscale PNG of the stated size', (key) => {
    const info = FACE_IMAGE_FIXTURE_INFO[key];
    const png = Buffer.from(defaultFaceImages()[key]);
    expect(png.subarray(0, 8).toString('hex')).toBe(PNG_SIGNATURE);
    const chunks = pngChunks(png);
    expect(chunks[0]!.type).toBe('IHDR');
    const ihdr = chunks[0]!.data;
    expect(ihdr.readUInt32BE(0)).toBe(info.width);
    expect(ihdr.readUInt32BE(4)).toBe(info.height);
    expect(ihdr[8]).toBe(1); // bit depth
    expect(ihdr[9]).toBe(0); // colour type: greyscale
    expect(chunks.at(-1)!.type).toBe('IEND');
    // Decode the pixel data: one filter byte + ceil(width / 8) bytes per row.
    const idat = Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data));
    const raw = inflateSync(idat);
    expect(raw.length).toBe(info.height * (1 + Math.ceil(info.width / 8)));
    // Black text on white: some pixels are 0 and some are 1.
    const rows = Array.from({ length: info.height }, (_, y) => raw.subarray(y * (1 + Math.ceil(info.width / 8)) + 1, (y + 1) * (1 + Math.ceil(info.width / 8))));
    expect(rows.some((r) => r.some((b) => b !== 0xff))).toBe(true);
  });

  it('the 個人番号 image is 72×12 as on a real card', () => {
    expect(FACE_IMAGE_FIXTURE_INFO.myNumber.width).toBe(72);
    expect(FACE_IMAGE_FIXTURE_INFO.myNumber.height).toBe(12);
  });

  it('the photo is a JP2 under 2 KB, starting with the JP2 signature box and ftyp jp2', () => {
    const jp2 = Buffer.from(defaultFaceImages().photo);
    expect(jp2.subarray(0, 12).toString('hex')).toBe(JP2_SIGNATURE_BOX);
    expect(jp2.toString('latin1', 16, 24)).toBe('ftypjp2 ');
    expect(jp2.length).toBeLessThan(2048);
  });

  it('the photo decodes with opj_decompress to a 48×60 8-bit greyscale image', (context) => {
    if (!hasBinary('opj_decompress')) {
      // .ci/run installs it (scripts/pcscd/install-deps.sh): in CI a missing decoder is a failure.
      if (process.env['CI'] === 'true') throw new Error('opj_decompress is missing in CI (install libopenjp2-tools)');
      context.skip('opj_decompress (Debian libopenjp2-tools) is not installed: JP2 decode check not run');
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'mynacard-jp2-'));
    try {
      const out = join(dir, 'photo.pgm');
      execFileSync('opj_decompress', ['-i', join(VECTORS, 'photo.jp2'), '-o', out], { stdio: 'ignore' });
      const pgm = readFileSync(out);
      const header = pgm
        .toString('latin1', 0, 64)
        .split('\n')
        .filter((line) => !line.startsWith('#'))
        .join(' ')
        .split(/\s+/);
      expect(header.slice(0, 4)).toEqual(['P5', '48', '60', '255']);
      const pixels = pgm.subarray(pgm.length - 48 * 60);
      // Silhouette darker than the background: top-left corner vs the head centre (24, 22).
      expect(pixels[0]!).toBeGreaterThan(pixels[22 * 48 + 24]! + 60);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('every call returns fresh copies', () => {
    const a = defaultFaceImages();
    a.photo[0] = 0xee;
    expect(defaultFaceImages().photo[0]).toBe(0);
  });
});
