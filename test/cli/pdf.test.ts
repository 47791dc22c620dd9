/** `mynacard pdf sign` / `mynacard pdf verify` against the embedded virtual card. */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { makePdf, run } from '../pdf/helpers.js';
import { startLocalTsa } from '../pdf/local-tsa.js';
import { HOLDER_NAME, SIGN_PASSWORD, runWith, tempDir } from './helpers.js';

describe('pdf sign / pdf verify', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    await writeFile(join(dir, 'form.pdf'), await makePdf({ objectStreams: false }));
  });
  afterEach(async () => cleanup());

  test('signs with the password from the secret source (never argv), verifies, refuses to overwrite', async () => {
    const env = { MYNACARD_SIGN_PASSWORD: SIGN_PASSWORD };
    const signed = await runWith(['--simulator', 'pdf', 'sign', '--in', 'form.pdf', '--out', 'signed.pdf', '--profile', 'pades-b-b'], { cwd: dir, env });
    expect(signed.stderr).toBe('signing password (署名用電子証明書 パスワード, 6–16 characters): 5 of 5 tries left (using MYNACARD_SIGN_PASSWORD)\n');
    expect(signed.code).toBe(0);
    expect(signed.stdout).toBe('Signed form.pdf with the signing key (署名用), profile pades-b-b; written to signed.pdf.\n');
    const bytes = new Uint8Array(await readFile(join(dir, 'signed.pdf')));
    expect(run('pdfsig', [join(dir, 'signed.pdf')]).output).toContain('Signature Type: ETSI.CAdES.detached');

    const again = await runWith(['--simulator', 'pdf', 'sign', '--in', 'form.pdf', '--out', 'signed.pdf'], { cwd: dir, env });
    expect(again.code).not.toBe(0);
    expect(new Uint8Array(await readFile(join(dir, 'signed.pdf')))).toEqual(bytes);

    const verified = await runWith(['--simulator', '--json', 'pdf', 'verify', 'signed.pdf', '--trust-test-roots', '--show-signer'], { cwd: dir });
    expect(verified.code).toBe(0);
    const result = JSON.parse(verified.stdout).result;
    expect(result.valid).toBe(true);
    expect(result.signatures).toHaveLength(1);
    expect(result.signatures[0]).toMatchObject({ field: 'Signature1', valid: true, reasons: [], subFilter: 'ETSI.CAdES.detached', coversWholeFile: true });
    expect(result.signatures[0].signerPerson.name).toBe(HOLDER_NAME);

    const human = await runWith(['--simulator', 'pdf', 'verify', 'signed.pdf', '--trust-test-roots'], { cwd: dir });
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('Signature field Signature1:');
    expect(human.stdout).not.toContain(HOLDER_NAME);

    // Content appended after signing: exit code 8 and the reason code.
    await writeFile(join(dir, 'tampered.pdf'), Buffer.concat([bytes, Buffer.from('\n1 0 obj\n(x)\nendobj\n')]));
    const tampered = await runWith(['--simulator', '--json', 'pdf', 'verify', 'tampered.pdf', '--trust-test-roots'], { cwd: dir });
    expect(tampered.code).toBe(8);
    expect(JSON.parse(tampered.stdout).result.signatures[0].reasons).toEqual(['appended-unknown-data']);
  });

  test('pades-b-t with --tsa (a local openssl-ts TSA) and --tsa-roots; verify reports the timestamp', async () => {
    const tsa = await startLocalTsa();
    try {
      await writeFile(join(dir, 'tsa-root.der'), tsa.root);
      const env = { MYNACARD_SIGN_PASSWORD: SIGN_PASSWORD };
      const missing = await runWith(['--simulator', 'pdf', 'sign', '--in', 'form.pdf', '--out', 'bt.pdf', '--profile', 'pades-b-t'], { cwd: dir, env });
      expect(missing.code).toBe(2);
      const signed = await runWith(['--simulator', 'pdf', 'sign', '--in', 'form.pdf', '--out', 'bt.pdf', '--profile', 'pades-b-t', '--tsa', tsa.url, '--tsa-roots', 'tsa-root.der'], { cwd: dir, env });
      expect(signed.code).toBe(0);
      const verified = await runWith(['--simulator', '--json', 'pdf', 'verify', 'bt.pdf', '--trust-test-roots', '--tsa-roots', 'tsa-root.der'], { cwd: dir });
      const sig = JSON.parse(verified.stdout).result.signatures[0];
      expect(sig).toMatchObject({ valid: true, reasons: [], timestamp: { valid: true, reasons: [] } });
      expect(verified.code).toBe(0);
    } finally {
      await tsa.stop();
    }
  }, 60_000);

  test('--visible draws the box on --page; a bad box is a usage error before the card is used', async () => {
    const env = { MYNACARD_SIGN_PASSWORD: SIGN_PASSWORD };
    const bad = await runWith(['--simulator', 'pdf', 'sign', '--in', 'form.pdf', '--out', 'v.pdf', '--visible', '1,2,3'], { cwd: dir, env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--visible needs x1,y1,x2,y2');
    const ok = await runWith(['--simulator', 'pdf', 'sign', '--in', 'form.pdf', '--out', 'v.pdf', '--visible', '300,60,560,110', '--page', '1'], { cwd: dir, env });
    expect(ok.code).toBe(0);
    expect(run('pdftotext', [join(dir, 'v.pdf'), '-']).output).toContain(`電子署名 ${HOLDER_NAME.replace(/\u3000/g, ' ')}`);
  });

  test('a password on the command line is refused before anything runs', async () => {
    const r = await runWith(['--simulator', 'pdf', 'sign', '--in', 'form.pdf', '--out', 'x.pdf', `--pin=${SIGN_PASSWORD}`], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toContain(SIGN_PASSWORD);
  });

  test('a damaged PDF: a typed error and no output file', async () => {
    await writeFile(join(dir, 'bad.pdf'), '%PDF-1.7\nnot really\n');
    const r = await runWith(['--simulator', 'pdf', 'sign', '--in', 'bad.pdf', '--out', 'x.pdf'], { cwd: dir, env: { MYNACARD_SIGN_PASSWORD: SIGN_PASSWORD } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('The PDF file is damaged or is not a PDF.');
    await expect(readFile(join(dir, 'x.pdf'))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
