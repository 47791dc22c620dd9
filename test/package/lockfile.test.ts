/**
 * Every entry of package-lock.json must carry an integrity hash: an entry without one lets
 * `npm ci` install whatever tarball a registry or a mirror serves for it (issue 13 §6).
 * .ci/run runs the same check (`npm run lint:lock`) before `npm ci`.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error -- a plain .mjs script without declarations
import { entriesWithoutIntegrity } from '../../scripts/pcsc-mini/check-lock.mjs';

const check = entriesWithoutIntegrity as (lock: unknown) => string[];

describe('package-lock.json', () => {
  it('has no entry without integrity', () => {
    const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as unknown;
    expect(check(lock)).toEqual([]);
  });

  it('the check names each entry without integrity, and passes the root package and links', () => {
    const lock = {
      packages: {
        '': { name: 'mynacard' },
        'node_modules/a': { version: '1.0.0', integrity: 'sha512-AAAA' },
        'node_modules/@pcsc-mini/macos-aarch64': { version: '0.1.3', os: ['darwin'], optional: true },
        'node_modules/linked': { resolved: 'packages/linked', link: true },
      },
    };
    expect(check(lock)).toEqual(['node_modules/@pcsc-mini/macos-aarch64']);
  });

  it('pcsc-mini is not in the lock: it comes from the pins of scripts/pcsc-mini/pins.json', () => {
    const lock = JSON.parse(readFileSync(new URL('../../package-lock.json', import.meta.url), 'utf8')) as { packages: Record<string, unknown> };
    expect(Object.keys(lock.packages).filter((k) => k.includes('pcsc-mini'))).toEqual([]);
    const pins = JSON.parse(readFileSync(new URL('../../scripts/pcsc-mini/pins.json', import.meta.url), 'utf8')) as { packages: Record<string, string> };
    for (const integrity of Object.values(pins.packages)) expect(integrity).toMatch(/^sha512-[A-Za-z0-9+/]{86}==$/);
  });
});
