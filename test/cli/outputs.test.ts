/**
 * Output files: never replaced without --force, never written through a symbolic link, never
 * an input, always a new 0600 file renamed into place; a write that fails after the card has
 * signed exits 13. Every refusal happens before the card is used.
 */
import { chmod, lstat, mkdir, readFile, readdir, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { runCli } from '../../src/cli/run.js';
import { checkOutput, writeFileAtomic } from '../../src/cli/files.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import { AUTH_PIN, TEXT_PIN, makeIo, runWith, sharedTransport, tempDir } from './helpers.js';

/** VERIFYs that carried a secret (a try may have been spent). */
function verifies(card: VirtualMyNumberCard | undefined): number {
  return card?.log.filter((e) => e.verifyWithData === true).length ?? 0;
}

/** Signature commands (INS 2A) the card answered. */
function signatures(card: VirtualMyNumberCard): number {
  return card.log.filter((e) => e.ins === 0x2a).length;
}

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => cleanup());

describe('face --photo', () => {
  test('an existing 0644 photo.jp2 is kept without --force; with --force it is replaced by a new 0600 file', async () => {
    const photo = join(dir, 'photo.jp2');
    await writeFile(photo, 'old photo');
    await chmod(photo, 0o644);
    const env = { MYNACARD_TEXT_PIN: TEXT_PIN };

    const refused = await runWith(['--simulator', 'face', '--photo', 'photo.jp2'], { cwd: dir, env });
    expect(refused.code).toBe(2);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe('Error: The file photo.jp2 already exists: nothing was done. Pass --force to replace it.\n');
    expect(refused.card).toBeUndefined(); // refused before the card was opened
    expect(await readFile(photo, 'utf8')).toBe('old photo');
    expect((await stat(photo)).mode & 0o777).toBe(0o644);

    const json = await runWith(['--simulator', '--json', 'face', '--photo', 'photo.jp2'], { cwd: dir, env });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout).error.code).toBe('output-exists');

    const vc = await VirtualMyNumberCard.create();
    const forced = await runWith(['--simulator', 'face', '--photo', 'photo.jp2', '--force'], { cwd: dir, env, card: vc });
    expect(forced.code).toBe(0);
    const written = await readFile(photo);
    expect(written.length).toBeGreaterThan(100);
    expect([...written.subarray(0, 12)]).toEqual([0, 0, 0, 0x0c, 0x6a, 0x50, 0x20, 0x20, 0x0d, 0x0a, 0x87, 0x0a]); // JP2 signature box
    expect((await stat(photo)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['photo.jp2']); // no temporary file left
  });

  test('a planted symbolic link is refused, even with --force, and its target is untouched', async () => {
    const target = join(dir, 'target.txt');
    await writeFile(target, 'keep me');
    await chmod(target, 0o644);
    await symlink(target, join(dir, 'photo.jp2'));
    for (const force of [[], ['--force']]) {
      const r = await runWith(['--simulator', 'face', '--photo', 'photo.jp2', ...force], { cwd: dir, env: { MYNACARD_TEXT_PIN: TEXT_PIN } });
      expect(r.code).toBe(2);
      expect(r.stderr).toBe('Error: photo.jp2 is a symbolic link: refusing to write through it (nothing was done).\n');
      expect(verifies(r.card)).toBe(0);
    }
    expect(await readFile(target, 'utf8')).toBe('keep me');
    expect((await stat(target)).mode & 0o777).toBe(0o644);
    expect((await lstat(join(dir, 'photo.jp2'))).isSymbolicLink()).toBe(true);
    expect(await readlink(join(dir, 'photo.jp2'))).toBe(target);
    // A dangling link too (the file it names would be created).
    await rm(target);
    const dangling = await runWith(['--simulator', 'face', '--photo', 'photo.jp2'], { cwd: dir, env: { MYNACARD_TEXT_PIN: TEXT_PIN } });
    expect(dangling.code).toBe(2);
    await expect(stat(target)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('a folder that does not exist is refused before the card is used', async () => {
    const r = await runWith(['--simulator', 'face', '--photo', 'nope/photo.jp2'], { cwd: dir, env: { MYNACARD_TEXT_PIN: TEXT_PIN } });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('Error: The folder of nope/photo.jp2 does not exist: nothing was done.\n');
    expect(r.card).toBeUndefined();
  });
});

describe('sign --out', () => {
  test('--out equal to --in (by real path) is refused before the card is asked for anything', async () => {
    await writeFile(join(dir, 'doc.txt'), 'document');
    await mkdir(join(dir, 'sub'));
    await symlink(dir, join(dir, 'alias'));
    for (const out of ['doc.txt', './doc.txt', 'sub/../doc.txt', join(dir, 'doc.txt'), 'alias/doc.txt']) {
      const r = await runWith(['--simulator', 'sign', '--key', 'auth', '--in', 'doc.txt', '--out', out, '--force'], {
        cwd: dir,
        env: { MYNACARD_AUTH_PIN: AUTH_PIN },
      });
      expect(r.code, out).toBe(2);
      expect(r.stderr, out).toBe(`Error: The output ${out} is also an input file: choose another output file (nothing was done).\n`);
      expect(r.card, out).toBeUndefined();
    }
    expect(await readFile(join(dir, 'doc.txt'), 'utf8')).toBe('document');
  });

  test('a write that fails after the card has signed: exit 13, its own code, one signature made', async () => {
    await writeFile(join(dir, 'doc.txt'), 'document');
    await mkdir(join(dir, 'out'));
    const vc = await VirtualMyNumberCard.create();
    const inner = sharedTransport(vc);
    // The output folder vanishes while the card signs (after every check passed).
    const transport = {
      ...inner,
      transmit: async (command: Uint8Array) => {
        if (command[1] === 0x2a) await rm(join(dir, 'out'), { recursive: true });
        return inner.transmit(command);
      },
    };
    for (const json of [false, true]) {
      await mkdir(join(dir, 'out'), { recursive: true });
      const test = makeIo({ cwd: dir, env: { MYNACARD_AUTH_PIN: AUTH_PIN } });
      const io = { ...test.io, simulator: async () => transport };
      const code = await runCli(['--simulator', ...(json ? ['--json'] : []), 'sign', '--key', 'auth', '--in', 'doc.txt', '--out', 'out/doc.sig'], io);
      expect(code).toBe(13);
      if (json) {
        expect(JSON.parse(test.stdout.text)).toMatchObject({ ok: false, exitCode: 13, error: { code: 'signature-not-written' } });
      } else {
        expect(test.stderr.text).toContain(
          'Error: The card has signed, but the result could not be written to out/doc.sig: its folder does not exist. The signature is lost; sign again to get one.\n',
        );
      }
    }
    expect(signatures(vc)).toBe(2);
  });
});

describe('the file helpers', () => {
  test('checkOutput and writeFileAtomic', async () => {
    const file = join(dir, 'a.bin');
    const inputs = new Set<string>();
    expect(await checkOutput(file, { force: false, inputs })).toBeUndefined();
    await writeFileAtomic(file, Uint8Array.of(1, 2, 3));
    expect([...(await readFile(file))]).toEqual([1, 2, 3]);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await checkOutput(file, { force: false, inputs })).toBe('exists');
    expect(await checkOutput(file, { force: true, inputs })).toBeUndefined();
    expect(await checkOutput(file, { force: true, inputs: new Set([file]) })).toBe('is-input');
    expect(await checkOutput(dir, { force: true, inputs })).toBe('not-file');
    expect(await checkOutput(join(dir, 'x', 'y'), { force: true, inputs })).toBe('dir-missing');
    await chmod(file, 0o644);
    await writeFileAtomic(file, 'new');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['a.bin']);
    // A failed write leaves no temporary file behind.
    await expect(writeFileAtomic(join(dir, 'missing', 'b.bin'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await readdir(dir)).toEqual(['a.bin']);
  });
});

describe('file errors say why', () => {
  test('ENOENT, EACCES, EISDIR and an unknown code, in English and Japanese', async () => {
    const en = (await import('../../src/cli/i18n.js')).messages('en');
    const ja = (await import('../../src/cli/i18n.js')).messages('ja');
    expect(en.fileRead('a.pem', 'EACCES')).toBe('Cannot read the file a.pem: permission denied.');
    expect(ja.fileRead('a.pem', 'EACCES')).toBe('ファイル a.pem を読めません（アクセス権がありません）。');
    expect(en.fileRead('a.pem', 'ENOENT')).toBe('Cannot read the file a.pem: it does not exist.');
    expect(en.fileWrite('a.pem', en.fileProblem('ENOSPC'))).toBe('Cannot write the file a.pem: no space left on the device.');
    expect(en.fileRead('a.pem', 'EIO')).toBe('Cannot read the file a.pem: system error EIO.');
    expect(ja.fileRead('a.pem', undefined)).toBe('ファイル a.pem を読めません（システムエラー 不明）。');
  });

  test.skipIf(process.getuid?.() === 0)('a file without read permission: exit 2, permission denied', async () => {
    await writeFile(join(dir, 'secret.pem'), 'x');
    await chmod(join(dir, 'secret.pem'), 0o000);
    const r = await runWith(['verify-cert', 'secret.pem'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('Error: Cannot read the file secret.pem: permission denied.\n');
  });
});
