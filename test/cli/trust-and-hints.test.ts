/**
 * Trust: --simulator never changes the roots verify / verify-cert trust; --trust-test-roots does
 * and says so. Hints: a test certificate names the flag; a detached CMS without --content says
 * so; --help lists the simulator's test secrets. Did-you-mean for commands and options.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { messages } from '../../src/cli/i18n.js';
import { editDistance, parseArgs, suggest } from '../../src/cli/args.js';
import { DEFAULT_AUTH_PIN, DEFAULT_SIGN_PASSWORD, DEFAULT_TEXT_PIN, VirtualMyNumberCard } from '../../src/testing/index.js';
import { SIGN_PASSWORD, runWith, tempDir } from './helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  await writeFile(join(dir, 'doc.txt'), 'document');
});
afterEach(async () => cleanup());

/** A CMS signed by a virtual card minted for any name. */
async function signedByAnyone(detached = false): Promise<void> {
  const vc = await VirtualMyNumberCard.create({ holder: { name: '偽造　太郎' } });
  const r = await runWith(['--simulator', 'sign', '--key', 'sign', '--cms', ...(detached ? ['--detached'] : []), '--in', 'doc.txt', '--out', 'doc.p7s'], {
    card: vc,
    cwd: dir,
    env: { MYNACARD_SIGN_PASSWORD: SIGN_PASSWORD },
  });
  expect(r.code).toBe(0);
}

describe('trust', () => {
  test('a CMS signed by a virtual card verifies (exit 0) only with --trust-test-roots, which the output names', async () => {
    await signedByAnyone();
    for (const argv of [['verify', '--cms', 'doc.p7s'], ['--simulator', 'verify', '--cms', 'doc.p7s']]) {
      const r = await runWith(argv, { cwd: dir });
      expect(r.code, argv.join(' ')).toBe(8);
      expect(r.stdout).toContain('Chain                   INVALID\n');
      expect(r.stdout).toContain('Checked against the bundled J-LIS roots');
      expect(r.stdout).toContain('pass --trust-test-roots');
      const json = JSON.parse((await runWith(['--json', ...argv], { cwd: dir })).stdout);
      expect(json.result).toMatchObject({ valid: false, reasons: ['no-issuer-found'], chain: { trust: 'jlis' } });
    }
    const trusted = await runWith(['verify', '--trust-test-roots', '--cms', 'doc.p7s'], { cwd: dir });
    expect(trusted.code).toBe(0);
    expect(trusted.stdout).toContain("Checked against the virtual card's TEST roots (O=JPKI-TEST), NOT the J-LIS roots");
    expect(trusted.stdout).not.toContain('pass --trust-test-roots');
    const json = JSON.parse((await runWith(['--json', 'verify', '--trust-test-roots', '--cms', 'doc.p7s'], { cwd: dir })).stdout);
    expect(json.result.chain.trust).toBe('test');
    const both = await runWith(['verify', '--trust-test-roots', '--roots', 'doc.txt', '--cms', 'doc.p7s'], { cwd: dir });
    expect(both.code).toBe(2);
  });

  test('reasons are localized in the human output and kept as codes in --json', async () => {
    await signedByAnyone(true);
    const ja = await runWith(['--lang', 'ja', 'verify', '--trust-test-roots', '--cms', 'doc.p7s'], { cwd: dir });
    expect(ja.code).toBe(8);
    expect(ja.stdout).toContain(
      '署名の対象のデータが含まれていません（署名とデータが別のファイルになっています）。署名されたデータのファイルも一緒に指定してください。 [content-missing]',
    );
    expect(ja.stdout).toContain('分離署名です。署名されたデータは別のファイルにあります。--content <ファイル> で指定してください。\n');
    const en = await runWith(['verify', '--trust-test-roots', '--cms', 'doc.p7s'], { cwd: dir });
    expect(en.stdout).toContain('This is a detached signature: the signed data is a separate file. Pass it with --content <file>.\n');
    const json = JSON.parse((await runWith(['--json', 'verify', '--trust-test-roots', '--cms', 'doc.p7s'], { cwd: dir })).stdout);
    expect(json.result.reasons).toEqual(['content-missing']);
    const withContent = await runWith(['verify', '--trust-test-roots', '--cms', 'doc.p7s', '--content', 'doc.txt'], { cwd: dir });
    expect(withContent.code).toBe(0);
    expect(withContent.stdout).not.toContain('detached');
  });

  test('demo trusts the test roots explicitly and says so', async () => {
    const r = await runWith(['demo']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("  The demo trusts the virtual card's TEST roots explicitly (verify and verify-cert need --trust-test-roots for that).\n");
  });
});

describe('--help', () => {
  test('lists the simulator test secrets from mynacard/testing, and the new options and exit code', async () => {
    for (const lang of ['en', 'ja'] as const) {
      const help = (await runWith(['--lang', lang, '--help'])).stdout;
      for (const value of [DEFAULT_AUTH_PIN, DEFAULT_SIGN_PASSWORD, DEFAULT_TEXT_PIN]) expect(help).toContain(value);
      expect(help).toContain('DEFAULT_TEXT_PIN');
      expect(help).toContain('--trust-test-roots');
      expect(help).toContain('--force');
      expect(help).toMatch(/13 /);
    }
    expect(messages('en').help).toContain(`auth PIN ${DEFAULT_AUTH_PIN}, signing password ${DEFAULT_SIGN_PASSWORD}, text PIN ${DEFAULT_TEXT_PIN}.`);
  });

  test('the README exit-code tables list 13', async () => {
    for (const file of ['README.md', 'README.ja.md']) {
      const text = await readFile(join(import.meta.dirname, '../..', file), 'utf8');
      expect(text, file).toMatch(/\|\s*13\s*\|/);
    }
  });
});

describe('did you mean', () => {
  const msg = messages('en');
  const usage = (argv: string[]): string => {
    try {
      parseArgs(argv, msg);
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('no error');
  };

  test('edit distance', () => {
    expect(editDistance('verfy', 'verify')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(suggest('--jsno', ['--json', '--lang'])).toBe('--json');
    expect(suggest('zzzzzz', ['verify', 'sign'])).toBeUndefined();
  });

  test('commands, sub-commands and options', () => {
    expect(usage(['verfy'])).toBe('Unknown command "verfy". Did you mean "verify"? Run "mynacard --help".');
    expect(usage(['verify-cret', 'x'])).toBe('Unknown command "verify-cret". Did you mean "verify-cert"? Run "mynacard --help".');
    expect(usage(['pin', 'stauts'])).toBe('Missing argument: status | change. Did you mean "pin status"?');
    expect(usage(['sign', '--detach'])).toBe('Unknown option --detach for "sign". Did you mean --detached? Run "mynacard sign --help".');
    expect(usage(['verify', '--trust-test-root'])).toBe(
      'Unknown option --trust-test-root for "verify". Did you mean --trust-test-roots? Run "mynacard verify --help".',
    );
    expect(usage(['info', '--jsno'])).toBe('Unknown option --jsno for "info". Did you mean --json? Run "mynacard info --help".');
    expect(usage(['frobnicate'])).toBe('Unknown command "frobnicate". Run "mynacard --help".');
    // A word that is not shown is not matched either (it may be a mistyped secret).
    expect(usage(['12345'])).toBe('Unknown command "(not shown)". Run "mynacard --help".');
    expect(messages('ja').unknownCommand('verfy', 'verify')).toBe('不明なコマンド「verfy」です。「verify」のことですか？「mynacard --help」を参照してください。');
  });
});
