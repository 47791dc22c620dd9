/**
 * The examples are meant to be copied into an app: they import only the package by name
 * (`mynacard` and its public subpaths, the `exports` of package.json), third-party packages and
 * Node built-ins — never a relative path out of examples/ (the sources, the CLI's internals)
 * nor a deep `mynacard/...` path the package does not export. Inside the repository the names
 * resolve to the sources through tsconfig.json `paths` and vitest.config.ts aliases, which must
 * list every public entry.
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { PACKAGE_ALIASES } from '../../vitest.config.js';

const ROOT = path.join(import.meta.dirname, '../..');
const EXAMPLES = path.join(ROOT, 'examples');
const PACKAGE = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; exports: Record<string, unknown> };

/** `mynacard`, `mynacard/testing`, …: the names an app can import. */
const PUBLIC = Object.keys(PACKAGE.exports)
  .filter((key) => key !== './package.json')
  .map((key) => (key === '.' ? PACKAGE.name : `${PACKAGE.name}/${key.slice(2)}`));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(file);
    return /\.(?:[cm]?[jt]sx?)$/.test(name) && !name.endsWith('.d.ts') ? [file] : [];
  });
}

/** Every module specifier of `text`: static imports and re-exports, `import()` and `require()`. */
export function specifiers(text: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) found.push(match[1]!);
  return found;
}

/** Why `spec`, imported by `file`, is not allowed in an example (`undefined` when it is). */
export function violation(file: string, spec: string): string | undefined {
  if (spec.startsWith('.') || spec.startsWith('/')) {
    const target = path.resolve(path.dirname(file), spec);
    const inside = path.relative(EXAMPLES, target);
    return inside.startsWith('..') || path.isAbsolute(inside) ? `relative import out of examples/: ${spec}` : undefined;
  }
  if (spec === PACKAGE.name || spec.startsWith(`${PACKAGE.name}/`)) {
    return PUBLIC.includes(spec) ? undefined : `not a public entry of package.json exports: ${spec}`;
  }
  return undefined; // a third-party package or a Node built-in
}

describe('examples import only the public package', () => {
  const files = sourceFiles(EXAMPLES);

  it('finds the examples and their imports', () => {
    expect(files.length).toBeGreaterThan(10);
    expect(files.flatMap((f) => specifiers(readFileSync(f, 'utf8')))).toContain('mynacard');
  });

  it('no relative import leaves examples/, no deep mynacard/... path', () => {
    const problems = files.flatMap((file) =>
      specifiers(readFileSync(file, 'utf8')).flatMap((spec) => {
        const why = violation(file, spec);
        return why === undefined ? [] : [`${path.relative(ROOT, file)}: ${why}`];
      }),
    );
    expect(problems).toEqual([]);
  });

  it('the check itself catches what the examples used to do', () => {
    const file = path.join(EXAMPLES, 'shared/session.ts');
    const text = `import { SecretSource } from '../../src/cli/secrets.js';\nexport { x } from "../shared/io.js";\nconst m = await import('mynacard/dist/cli.js');\nimport type { T } from 'mynacard/src/aps/pin.js';`;
    expect(specifiers(text)).toEqual(['../../src/cli/secrets.js', '../shared/io.js', 'mynacard/src/aps/pin.js', 'mynacard/dist/cli.js']);
    expect(specifiers(text).map((s) => violation(file, s))).toEqual([
      'relative import out of examples/: ../../src/cli/secrets.js',
      undefined,
      'not a public entry of package.json exports: mynacard/src/aps/pin.js',
      'not a public entry of package.json exports: mynacard/dist/cli.js',
    ]);
    expect(violation(file, 'mynacard/testing')).toBeUndefined();
    expect(violation(file, 'node:fs')).toBeUndefined();
  });

  it('every public entry resolves to the sources in tsconfig.json and vitest.config.ts', () => {
    // tsconfig.json has comments: keep only the paths object.
    const tsconfig = readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8');
    const paths = JSON.parse(/"paths":\s*(\{[^}]*\})/.exec(tsconfig)![1]!) as Record<string, string[]>;
    expect(Object.keys(paths).sort()).toEqual([...PUBLIC].sort());
    for (const name of PUBLIC) expect(PACKAGE_ALIASES.some((a) => a.find.test(name)), name).toBe(true);
    expect(PACKAGE_ALIASES.some((a) => a.find.test('mynacard/testing/extra'))).toBe(false);
  });
});
