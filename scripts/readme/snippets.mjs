// snippets.mjs - the README's TypeScript blocks as a project of their own: extract every ```ts
// block of README.md and README.ja.md, type-check them all against an installed `mynacard`
// package, and run the ones marked runnable (against the virtual card), checking what they print.
//
// Used by test/package/readme-snippets.test.ts (against a fresh tsup build of this tree) and by
// scripts/ci/quickstart.sh (against the packed tarball installed in an empty project).
//
// A block may be preceded, on the line just above its fence, by a directive that the rendered
// README does not show:
//   <!-- readme-test: run -->                      run it with node; it must exit 0
//   <!-- readme-test: run stdout=/^true\n/ -->     …and its stdout must match the regular expression
//                                                  (no spaces in it: write \s)
//   <!-- readme-test: external=usb -->             a third-party module the project does not install:
//                                                  declared as an untyped module (`any`)
// Every other block is type-checked only.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, join } from 'node:path';

/** The READMEs whose blocks are checked, relative to the repository root. */
export const READMES = ['README.md', 'README.ja.md'];

const FENCE_OPEN = /^```(ts|typescript)\s*$/;
/** A closing fence has no info string (CommonMark). */
const FENCE_CLOSE = /^```\s*$/;
const DIRECTIVE = /^<!--\s*readme-test:(.*?)-->\s*$/;

/**
 * @typedef {object} Snippet
 * @property {string} source   the README file name
 * @property {number} line     1-based line of the opening fence
 * @property {string} code
 * @property {boolean} run
 * @property {RegExp | undefined} stdout
 * @property {string[]} external
 * @property {string} name     file name in the project, e.g. `README.ja.md-64.ts`
 */

/**
 * Every TypeScript block of `markdown`, with its directive.
 * @param {string} markdown
 * @param {string} source
 * @returns {Snippet[]}
 */
export function extractSnippets(markdown, source) {
  const lines = markdown.split('\n');
  /** @type {Snippet[]} */
  const snippets = [];
  for (let i = 0; i < lines.length; i++) {
    if (!FENCE_OPEN.test(lines[i])) {
      if (lines[i].startsWith('```')) i = skipFence(lines, i, source);
      continue;
    }
    const end = lines.findIndex((l, j) => j > i && FENCE_CLOSE.test(l));
    if (end < 0) throw new Error(`${source}:${i + 1}: unterminated code block`);
    const directive = parseDirective(i > 0 ? lines[i - 1] : '', `${source}:${i}`);
    snippets.push({
      source,
      line: i + 1,
      code: lines.slice(i + 1, end).join('\n') + '\n',
      ...directive,
      name: `${basename(source).replace(/[^A-Za-z0-9.]/g, '_')}-${i + 1}.ts`,
    });
    i = end;
  }
  return snippets;
}

function skipFence(lines, start, source) {
  const end = lines.findIndex((l, j) => j > start && FENCE_CLOSE.test(l));
  if (end < 0) throw new Error(`${source}:${start + 1}: unterminated code block`);
  return end;
}

function parseDirective(line, where) {
  const match = DIRECTIVE.exec(line);
  const result = { run: false, stdout: undefined, external: [] };
  if (!match) return result;
  for (const item of match[1].trim().split(/\s+/)) {
    if (item === '') continue;
    if (item === 'run') result.run = true;
    else if (item.startsWith('stdout=')) {
      const literal = /^stdout=\/(.*)\/([a-z]*)$/.exec(item);
      if (!literal) throw new Error(`${where}: stdout= needs /regex/flags`);
      result.stdout = new RegExp(literal[1].replace(/\\n/g, '\n'), literal[2]);
    } else if (item.startsWith('external=')) result.external.push(...item.slice('external='.length).split(','));
    else throw new Error(`${where}: unknown readme-test directive '${item}'`);
  }
  return result;
}

/**
 * The blocks of every README under `root`.
 * @param {string} root
 * @returns {Snippet[]}
 */
export function readmeSnippets(root) {
  return READMES.flatMap((file) => extractSnippets(readFileSync(join(root, file), 'utf8'), file));
}

/**
 * Write `snippets` as an ES-module TypeScript project into `dir` (which must already resolve
 * `mynacard`, `typescript` and `@types/node` from its node_modules): one module per block,
 * compiled to `out/`.
 * @param {string} dir
 * @param {Snippet[]} snippets
 */
export function writeSnippetProject(dir, snippets) {
  mkdirSync(join(dir, 'snippets'), { recursive: true });
  for (const s of snippets) {
    const isModule = /^\s*(import|export)\s/m.test(s.code);
    writeFileSync(join(dir, 'snippets', s.name), `// ${s.source}:${s.line}\n${s.code}${isModule ? '' : 'export {};\n'}`);
  }
  const externals = [...new Set(snippets.flatMap((s) => s.external))].sort();
  writeFileSync(
    join(dir, 'snippets', 'externals.d.ts'),
    externals.map((m) => `// Not installed here: checked as an untyped module.\ndeclare module '${m}';\n`).join(''),
  );
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify(
      {
        // What `tsc --init` gives a new project today, plus the DOM for the browser examples.
        compilerOptions: {
          target: 'ES2022',
          lib: ['ES2022', 'DOM', 'ESNext.Disposable'],
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          types: ['node', 'w3c-web-usb'],
          skipLibCheck: false,
          outDir: 'out',
          rootDir: 'snippets',
        },
        include: ['snippets'],
      },
      null,
      2,
    ),
  );
  const pkgPath = join(dir, 'package.json');
  let pkg = {};
  try {
    pkg = JSON.parse(readFileSync(pkgPath, 'utf8'));
  } catch {
    pkg = { name: 'mynacard-readme-snippets', private: true };
  }
  writeFileSync(pkgPath, JSON.stringify({ ...pkg, type: 'module' }, null, 2));
}

/**
 * Type-check (and emit) the project in `dir` with the TypeScript installed there.
 * @param {string} dir
 * @returns {{ ok: boolean, output: string }}
 */
export function typecheckProject(dir) {
  const tsc = createRequire(join(dir, 'package.json')).resolve('typescript/bin/tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', dir, '--pretty', 'false'], { encoding: 'utf8', timeout: 300_000 });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/**
 * Run one compiled runnable block with node in `dir`; check its exit code and stdout.
 * @param {string} dir
 * @param {Snippet} snippet
 * @returns {{ ok: boolean, why: string, stdout: string, stderr: string }}
 */
export function runSnippet(dir, snippet) {
  const file = join(dir, 'out', snippet.name.replace(/\.ts$/, '.js'));
  const r = spawnSync(process.execPath, [file], {
    cwd: dir,
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'test' },
  });
  const stdout = r.stdout ?? '';
  const stderr = r.stderr ?? '';
  if (r.error) return { ok: false, why: String(r.error), stdout, stderr };
  if (r.status !== 0) return { ok: false, why: `exit ${r.status}`, stdout, stderr };
  if (snippet.stdout && !snippet.stdout.test(stdout)) return { ok: false, why: `stdout does not match ${snippet.stdout}`, stdout, stderr };
  return { ok: true, why: '', stdout, stderr };
}

/**
 * CLI: `node scripts/readme/snippets.mjs <projectDir>` — write, type-check and run the README
 * blocks in a project that has `mynacard`, `typescript` and `@types/node` installed.
 */
if (import.meta.url === `file://${process.argv[1]}`) {
  const dir = process.argv[2];
  if (!dir) {
    console.error('usage: node scripts/readme/snippets.mjs <projectDir>');
    process.exit(2);
  }
  const root = new URL('../..', import.meta.url).pathname;
  const snippets = readmeSnippets(root);
  writeSnippetProject(dir, snippets);
  const check = typecheckProject(dir);
  if (!check.ok) {
    console.error(check.output);
    console.error(`readme snippets: type errors in ${snippets.length} blocks`);
    process.exit(1);
  }
  let failed = 0;
  const runnable = snippets.filter((s) => s.run);
  for (const s of runnable) {
    const r = runSnippet(dir, s);
    console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${s.source}:${s.line}${r.ok ? '' : ` (${r.why})`}`);
    if (!r.ok) {
      failed++;
      process.stderr.write(r.stderr);
    }
  }
  if (runnable.length === 0) {
    console.error('readme snippets: no runnable block (expected the quick start)');
    process.exit(1);
  }
  console.log(`readme snippets: ${snippets.length} type-checked, ${runnable.length - failed}/${runnable.length} ran as written`);
  process.exit(failed === 0 ? 0 : 1);
}
