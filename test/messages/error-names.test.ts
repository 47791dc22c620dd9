/**
 * Every exported error class reports its export name as `.name`, in the source and in the
 * bundle that ships (tsup renames a class whose name collides, e.g. `_CardApCodecError`, and
 * minifiers rename them all: the constructors set `name` explicitly).
 */
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import tsupConfig from '../../tsup.config.js';

const ROOT = resolve(import.meta.dirname, '../..');
const ENTRIES = ['index', 'apdu/index', 'tlv/index', 'card-ap/index', 'testing/index', 'pcsc/index', 'webusb/index', 'web-smart-card/index', 'bridge/index', 'pdf/index'] as const;
/** Fewest error classes each entry exports (the testing entry exports none of its own). */
const AT_LEAST: Record<(typeof ENTRIES)[number], number> = {
  index: 20,
  'apdu/index': 20,
  'tlv/index': 1,
  'card-ap/index': 9,
  'testing/index': 0,
  'pcsc/index': 1,
  'webusb/index': 1,
  'web-smart-card/index': 1,
  'pdf/index': 1,
  'bridge/index': 1,
};
const SOURCES: Record<(typeof ENTRIES)[number], string> = {
  index: '../../src/index.js',
  'apdu/index': '../../src/apdu/index.js',
  'tlv/index': '../../src/tlv/index.js',
  'card-ap/index': '../../src/aps/card-ap/index.js',
  'testing/index': '../../src/testing/index.js',
  'pcsc/index': '../../src/pcsc/index.js',
  'webusb/index': '../../src/webusb/index.js',
  'web-smart-card/index': '../../src/web-smart-card/index.js',
  'pdf/index': '../../src/pdf/index.js',
  'bridge/index': '../../src/bridge/index.js',
};

/** An instance of an error class: constructed with no argument, else with `1` (PinIncorrectError needs 1–15). */
function instance(cls: new (...args: unknown[]) => Error): Error {
  for (const args of [[], [1], ['message'], [1, 1, 1, 1]]) {
    try {
      return new cls(...args);
    } catch {
      // try the next argument list
    }
  }
  throw new Error(`cannot construct ${cls.name}`);
}

/** `[exportName, instance.name]` of every export that is a class extending Error. */
function errorClassNames(module: Record<string, unknown>): [string, string][] {
  const out: [string, string][] = [];
  for (const [exportName, value] of Object.entries(module)) {
    if (typeof value !== 'function' || !(value.prototype instanceof Error)) continue;
    out.push([exportName, instance(value as new (...args: unknown[]) => Error).name]);
  }
  return out;
}

describe('source entry points', () => {
  for (const entry of ENTRIES) {
    test(entry, async () => {
      const names = errorClassNames(await import(SOURCES[entry]));
      expect(names.length).toBeGreaterThanOrEqual(AT_LEAST[entry]);
      for (const [exportName, name] of names) expect(name, exportName).toBe(exportName);
    });
  }
});

describe('built entry points (the package config of tsup, ESM and CJS)', () => {
  const outDir = join(ROOT, 'node_modules', '.cache', `mynacard-names-test-${process.pid}`);

  beforeAll(async () => {
    const config = tsupConfig as Record<string, unknown>;
    const { cli: _cli, ...entry } = config['entry'] as Record<string, string>;
    await build({ ...config, entry, outDir, dts: false, sourcemap: false, silent: true, config: false });
  }, 180_000);

  afterAll(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  for (const entry of ENTRIES) {
    test(`${entry} (ESM)`, async () => {
      const names = errorClassNames(await import(pathToFileURL(join(outDir, `${entry}.js`)).href));
      expect(names.length).toBeGreaterThanOrEqual(AT_LEAST[entry]);
      for (const [exportName, name] of names) expect(name, exportName).toBe(exportName);
    });
    test(`${entry} (CJS)`, () => {
      const names = errorClassNames(createRequire(import.meta.url)(join(outDir, `${entry}.cjs`)));
      expect(names.length).toBeGreaterThanOrEqual(AT_LEAST[entry]);
      for (const [exportName, name] of names) expect(name, exportName).toBe(exportName);
    });
  }

  test('mynacard/card-ap exports the error classes of the issue', async () => {
    const cardAp = await import(pathToFileURL(join(outDir, 'card-ap/index.js')).href);
    expect(new cardAp.CardApValueTooLargeError(1, 2).name).toBe('CardApValueTooLargeError');
    expect(new cardAp.CardApCodecError('encode', 'x').name).toBe('CardApCodecError');
  });
});
