/**
 * Real child processes: the TypeScript entry through tsx, and the CLI bundled by tsup the way
 * `npm run build` bundles it (entry `cli: src/cli/main.ts`), run with plain `node`.
 */
import { spawn } from 'node:child_process';
import { readFile, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HOLDER_NAME, TEXT_PIN } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');

interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(args: readonly string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<ProcessResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: { PATH: process.env['PATH'] ?? '', ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

describe('through tsx (src/cli/main.ts)', () => {
  const cli = (args: readonly string[], options?: { env?: Record<string, string>; input?: string }) =>
    run(['--import', 'tsx', 'src/cli/main.ts', ...args], options);

  test('--json info', async () => {
    const r = await cli(['--simulator', '--json', 'info']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'info', ok: true, exitCode: 0 });
    expect(doc.result.pins.text).toEqual({ state: 'tries', remaining: 3, max: 3, blocked: false });
  });

  test('--pin is refused with exit 2', async () => {
    const r = await cli(['--simulator', 'text', '--pin', TEXT_PIN]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.startsWith('Error: The option --pin is refused:')).toBe(true);
    expect(r.stderr).not.toContain(TEXT_PIN);
  });

  test('wrong PIN from the environment: exit 5', async () => {
    const r = await cli(['--simulator', 'text'], { env: { MYNACARD_TEXT_PIN: '0000' } });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('2 more wrong entries will lock it.');
  });

  test('--pin-stdin through a pipe', async () => {
    const r = await cli(['--simulator', '--pin-stdin', 'text'], { input: `${TEXT_PIN}\n` });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(HOLDER_NAME);
    expect(r.stdout).toContain('************');
  });
});

describe('the built CLI (tsup bundle, plain node)', () => {
  // Inside node_modules so that the bundle resolves the package's dependencies like dist/ does.
  const outDir = join(ROOT, 'node_modules', '.cache', `mynacard-cli-test-${process.pid}`);
  const cliJs = join(outDir, 'cli.js');

  beforeAll(async () => {
    await build({
      entry: { cli: 'src/cli/main.ts' },
      outDir,
      format: ['esm'],
      dts: false,
      sourcemap: false,
      clean: true,
      splitting: true,
      treeshake: true,
      target: 'es2022',
      platform: 'neutral',
      external: ['pcsc-mini', /^node:/],
      silent: true,
      config: false,
    });
  }, 120_000);

  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  test('has the shebang and is executable', async () => {
    expect((await readFile(cliJs, 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect((await stat(cliJs)).mode & 0o111).not.toBe(0);
  });

  test('demo runs with no stdin, no environment, no card', async () => {
    const r = await run([cliJs, 'demo']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('mynacard demo: the embedded virtual My Number Card');
    expect(r.stdout).toContain('  Chain          valid\n');
    expect(r.stdout).toContain("Checked against the virtual card's TEST roots (O=JPKI-TEST), NOT the J-LIS roots");
    expect(r.stdout).toContain(`  Name (氏名)            ${HOLDER_NAME}\n`);
  });

  test('LANG=ja_JP.UTF-8: Japanese output', async () => {
    const r = await run([cliJs, '--simulator', 'pin', 'status'], { env: { LANG: 'ja_JP.UTF-8' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('利用者証明用電子証明書の暗証番号  3/3\n署名用電子証明書のパスワード      5/5\n券面事項入力補助用の暗証番号      3/3\n');
  });

  test('wrong PIN through --pin-stdin: exit 5, the --json error on stdout', async () => {
    const r = await run([cliJs, '--simulator', '--json', '--pin-stdin', 'text'], { input: '0000\n' });
    expect(r.code).toBe(5);
    expect(JSON.parse(r.stdout).error).toMatchObject({ code: 'pin-incorrect', remaining: 2 });
  });
});
