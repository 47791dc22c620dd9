// fetch.mjs - fetch one npm package tarball with `npm pack`, refuse it unless its sha512 equals
// the pinned integrity, and unpack it into a directory. For development tools that cannot live
// in package-lock.json (see scripts/pcsc-mini/pins.json and scripts/ci/node-pins.json).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A tarball whose hash differs from its pin. */
export class PinMismatchError extends Error {}

/** `sha512-<base64>` of a file (npm's integrity format). */
export function integrityOf(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

/**
 * Fetch `name@version`, check it against `integrity`, and unpack it as `target` (replaced).
 * @returns the integrity that was checked
 */
export function fetchPinned(name, version, integrity, target) {
  const work = mkdtempSync(path.join(tmpdir(), 'mynacard-pinned-'));
  try {
    const out = execFileSync('npm', ['pack', `${name}@${version}`, '--pack-destination', work, '--json', '--ignore-scripts'], {
      cwd: work,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [{ filename }] = JSON.parse(out);
    const tarball = path.join(work, filename);
    const actual = integrityOf(tarball);
    if (actual !== integrity) {
      throw new PinMismatchError(`${name}@${version}: the tarball's sha512 is ${actual}, the pin says ${integrity}: refused`);
    }
    const unpacked = path.join(work, 'package');
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', tarball, '-C', unpacked, '--strip-components=1']);
    rmSync(target, { recursive: true, force: true });
    mkdirSync(path.dirname(target), { recursive: true });
    renameSync(unpacked, target);
    return actual;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
