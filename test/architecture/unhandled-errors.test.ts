/**
 * Unhandled errors fail the run (issue 13 §1): vitest's default is kept in both projects, and
 * neither the library nor any test installs a process-wide handler that could hide one (a
 * library must never do it; a test doing it would hide the very crashes it should catch).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SELF = fileURLToPath(import.meta.url);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return name === 'node_modules' || name === 'vectors' ? [] : sources(full);
    return /\.(ts|mts|mjs|js)$/.test(name) && full !== SELF ? [full] : [];
  });
}

/** The text without comments, so that documentation may name what the code must not do. */
const code = (file: string): string =>
  readFileSync(file, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:])\/\/.*$/gm, '$1');

describe('unhandled errors are never hidden', () => {
  it('the vitest configurations keep unhandled errors fatal', () => {
    for (const config of ['vitest.config.ts', 'vitest.integration.config.ts']) {
      const text = code(path.join(ROOT, config));
      expect(text, config).not.toMatch(/dangerouslyIgnoreUnhandledErrors|onUnhandledError/);
    }
  });

  it('no library module, test, bench or script installs a process-wide error handler', () => {
    const offenders = ['src', 'test', 'bench', 'scripts', 'examples']
      .flatMap((dir) => sources(path.join(ROOT, dir)))
      .filter((file) => /\.on(?:ce)?\(\s*['"](?:uncaughtException|unhandledRejection|uncaughtExceptionMonitor)['"]/.test(code(file)) || /setUncaughtExceptionCaptureCallback/.test(code(file)))
      .map((file) => path.relative(ROOT, file));
    expect(offenders).toEqual([]);
  });
});
