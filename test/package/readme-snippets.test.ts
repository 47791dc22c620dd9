/**
 * The README quick start runs as written (en and ja): every TypeScript block of both READMEs is
 * type-checked against the package as tsup builds it (declarations included), resolved through
 * `node_modules/mynacard` and its `exports` the way an app resolves it, and the blocks marked
 * runnable are run with node against the virtual card. The same checks run in CI against the
 * packed tarball installed in an empty project (scripts/ci/quickstart.sh).
 */
import { copyFileSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import tsupConfig from '../../tsup.config.js';
// @ts-expect-error -- a plain .mjs script, shared with scripts/ci/quickstart.sh
import { extractSnippets, readmeSnippets, runSnippet, typecheckProject, writeSnippetProject } from '../../scripts/readme/snippets.mjs';

interface Snippet {
  readonly source: string;
  readonly line: number;
  readonly code: string;
  readonly run: boolean;
  readonly stdout: RegExp | undefined;
  readonly external: string[];
  readonly name: string;
}

const ROOT = resolve(import.meta.dirname, '../..');
const snippets = (readmeSnippets as (root: string) => Snippet[])(ROOT);

describe('extracting the blocks', () => {
  const extract = extractSnippets as (markdown: string, source: string) => Snippet[];

  test('ts blocks only, with their line and directive; other fences are skipped whole', () => {
    const md = [
      '# t', // 1
      '```sh', // 2
      '```ts inside sh is not a block', // 3
      '```', // 4
      '<!-- readme-test: run stdout=/^true\\n$/ external=usb,ws -->', // 5
      '```ts', // 6
      "import 'mynacard';", // 7
      '```', // 8
      '```typescript', // 9
      'const x = 1;', // 10
      '```', // 11
    ].join('\n');
    const found = extract(md, 'R.md');
    expect(found.map((s) => [s.line, s.code, s.run, s.external, s.name])).toEqual([
      [6, "import 'mynacard';\n", true, ['usb', 'ws'], 'R.md-6.ts'],
      [9, 'const x = 1;\n', false, [], 'R.md-9.ts'],
    ]);
    expect(found[0]!.stdout?.test('true\n')).toBe(true);
    expect(found[0]!.stdout?.test('false\n')).toBe(false);
  });

  test('an unknown directive or an unterminated block is an error, not a skipped check', () => {
    expect(() => extract('<!-- readme-test: runn -->\n```ts\nx\n```\n', 'R.md')).toThrow(/unknown readme-test directive 'runn'/);
    expect(() => extract('```ts\nx\n', 'R.md')).toThrow(/unterminated/);
  });

  test('both READMEs have blocks, and each has a runnable quick start on the virtual card', () => {
    for (const file of ['README.md', 'README.ja.md']) {
      const mine = snippets.filter((s) => s.source === file);
      expect(mine.length, file).toBeGreaterThanOrEqual(5);
      const runnable = mine.filter((s) => s.run);
      expect(runnable.length, file).toBeGreaterThanOrEqual(1);
      expect(runnable.some((s) => s.code.includes('VirtualMyNumberCard') && s.stdout !== undefined), file).toBe(true);
    }
  });
});

describe('the blocks against the built package', () => {
  const work = join(ROOT, 'node_modules', '.cache', `mynacard-readme-test-${process.pid}`);
  const pkg = join(work, 'pkg');
  const app = join(work, 'app');
  let typecheck: { ok: boolean; output: string };

  beforeAll(async () => {
    rmSync(work, { recursive: true, force: true });
    mkdirSync(pkg, { recursive: true });
    const config = tsupConfig as Record<string, unknown>;
    await build({ ...config, outDir: join(pkg, 'dist'), sourcemap: false, silent: true, config: false });
    copyFileSync(join(ROOT, 'package.json'), join(pkg, 'package.json'));
    // The package's own dependencies, and the app's toolchain, from this checkout.
    symlinkSync(join(ROOT, 'node_modules'), join(pkg, 'node_modules'));
    mkdirSync(join(app, 'node_modules', '@types'), { recursive: true });
    symlinkSync(pkg, join(app, 'node_modules', 'mynacard'));
    symlinkSync(join(ROOT, 'node_modules', 'typescript'), join(app, 'node_modules', 'typescript'));
    symlinkSync(join(ROOT, 'node_modules', '@types', 'node'), join(app, 'node_modules', '@types', 'node'));
    (writeSnippetProject as (dir: string, s: Snippet[]) => void)(app, snippets);
    typecheck = (typecheckProject as (dir: string) => { ok: boolean; output: string })(app);
  }, 300_000);

  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  test('every TypeScript block type-checks (strict) against dist/*.d.ts', () => {
    expect(typecheck.output).toBe('');
    expect(typecheck.ok).toBe(true);
  });

  for (const snippet of snippets.filter((s) => s.run)) {
    test(`${snippet.source}:${snippet.line} runs as written`, () => {
      expect(typecheck.ok).toBe(true);
      const r = (runSnippet as (dir: string, s: Snippet) => { ok: boolean; why: string; stdout: string; stderr: string })(app, snippet);
      expect({ why: r.why, stderr: r.stderr }).toEqual({ why: '', stderr: '' });
      expect(r.ok).toBe(true);
    }, 120_000);
  }
});
