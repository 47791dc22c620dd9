/** examples/pdf-application against the virtual card: made, signed, verified; a changed file is rejected. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cityVerifies, main } from '../../examples/pdf-application/index.js';
import { SIGN_PASSWORD } from '../cli/helpers.js';

describe('examples/pdf-application', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mynacard-pdf-example-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the resident signs, the city verifies; an edited copy is rejected', async () => {
    const lines: string[] = [];
    process.env['MYNACARD_SIGN_PASSWORD'] = SIGN_PASSWORD;
    try {
      expect(await main(['--simulator', '--out', join(dir, 'signed.pdf')], (l) => lines.push(l))).toBe(0);
    } finally {
      delete process.env['MYNACARD_SIGN_PASSWORD'];
    }
    expect(lines).toEqual([
      'Signature1: valid — 由利　花子, 秋田県由利本荘市尾崎１７番地',
      '(checked against the virtual card TEST roots, not the J-LIS roots)',
    ]);
    const signed = new Uint8Array(readFileSync(join(dir, 'signed.pdf')));
    const edited = Uint8Array.from(signed);
    const at = Buffer.from(signed).indexOf('/Helvetica');
    expect(at).toBeGreaterThan(0);
    edited.set(Buffer.from('/Helvetixa'), at); // another font: the page looks different
    const verdict = await cityVerifies(edited, new Date());
    expect(verdict.valid).toBe(false);
    expect(verdict.lines[0]).toMatch(/^Signature1: INVALID/);
    expect(verdict.lines.some((l) => l.endsWith('[message-digest-mismatch]'))).toBe(true);
  });

  it('refuses to run without the password in the environment', async () => {
    const lines: string[] = [];
    expect(await main(['--simulator', '--out', join(dir, 'x.pdf')], (l) => lines.push(l))).toBe(2);
  });
});
