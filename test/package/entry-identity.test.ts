/**
 * Every class exists once in the built package: an export that several entry points share
 * (`PinBlockedError` from `mynacard` and `mynacard/apdu`, `MynacardError` from `mynacard` and
 * `mynacard/pcsc`, …) is the same object from each of them, in the ESM build and in the CJS
 * build, so `instanceof` works whichever entry an application imported the class from. tsup
 * keeps it so by putting shared modules in shared chunks (`splitting: true`); without that,
 * each entry would carry its own copy of every class.
 */
import { rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import tsupConfig from '../../tsup.config.js';

const ROOT = resolve(import.meta.dirname, '../..');
/** Every built library entry (the CLI aside); each loads in Node (peers are loaded when used). */
const ENTRIES = ['index', 'apdu/index', 'tlv/index', 'card-ap/index', 'testing/index', 'pcsc/index', 'webusb/index', 'web-smart-card/index', 'bridge/index', 'react-native/index', 'pdf/index'] as const;
type Entry = (typeof ENTRIES)[number];
const PARALLEL_READER_API = new Set(['connect', 'listReaders', 'waitForCard', 'watchReaders']);
const READER_ENTRIES: ReadonlySet<string> = new Set(['pcsc/index', 'web-smart-card/index', 'bridge/index']);
type Module = Record<string, unknown>;

/** The status words an application catches: exported by the root entry and by `mynacard/apdu`. */
const ROOT_STATUS_ERRORS = [
  'AuthenticationMethodBlockedError',
  'FileNotFoundError',
  'PinBlockedError',
  'PinIncorrectError',
  'SecurityStatusNotSatisfiedError',
  'StatusWordError',
];

/** `[entryA, entryB, name]` of every name two entries both export. */
function sharedExports(modules: Record<Entry, Module>): [Entry, Entry, string][] {
  const out: [Entry, Entry, string][] = [];
  for (const [i, a] of ENTRIES.entries()) {
    for (const b of ENTRIES.slice(i + 1)) {
      for (const name of Object.keys(modules[a])) if (Object.hasOwn(modules[b], name)) out.push([a, b, name]);
    }
  }
  return out;
}

/** A transport that answers every command with SW 6A82 (no such file or application). */
const noJpkiAp = { transmit: () => Promise.resolve(Uint8Array.of(0x6a, 0x82)) };

const outDir = join(ROOT, 'node_modules', '.cache', `mynacard-identity-test-${process.pid}`);
const built: { esm?: Record<Entry, Module>; cjs?: Record<Entry, Module> } = {};

beforeAll(async () => {
  const config = tsupConfig as Record<string, unknown>;
  const { cli: _cli, ...entry } = config['entry'] as Record<string, string>;
  await build({ ...config, entry, outDir, dts: false, sourcemap: false, silent: true, config: false });
  const require = createRequire(import.meta.url);
  const esm = {} as Record<Entry, Module>;
  const cjs = {} as Record<Entry, Module>;
  for (const name of ENTRIES) {
    esm[name] = (await import(pathToFileURL(join(outDir, `${name}.js`)).href)) as Module;
    cjs[name] = require(join(outDir, `${name}.cjs`)) as Module;
  }
  Object.assign(built, { esm, cjs });
}, 180_000);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

for (const format of ['esm', 'cjs'] as const) {
  describe(`built entry points (${format.toUpperCase()})`, () => {
    const modules = (): Record<Entry, Module> => built[format]!;

    test('an export shared by several entries is the same object from each', () => {
      const shared = sharedExports(modules());
      const names = new Set(shared.map(([, , name]) => name));
      // The shares this package promises (so that the check below is never vacuous).
      for (const name of [...ROOT_STATUS_ERRORS, 'MynacardError', 'TransportError', 'CardRemovedError', 'NfcCancelledError']) expect(names).toContain(name);
      for (const [a, b, name] of shared) {
        // The reader functions of the PC/SC-shaped transports are parallel APIs by design
        // (same names and shapes, different backends), not one object exported twice.
        if (PARALLEL_READER_API.has(name) && new Set([a, b]).size === 2 && [a, b].every((e) => READER_ENTRIES.has(e))) {
          expect(modules()[b][name], `${name}: ${a} vs ${b}`).not.toBe(modules()[a][name]);
          continue;
        }
        expect(modules()[b][name], `${name}: ${a} vs ${b}`).toBe(modules()[a][name]);
      }
    });

    test('the root entry and mynacard/apdu share the status-word errors apps catch; the others are in mynacard/apdu only', () => {
      const { index: root, 'apdu/index': apdu } = modules();
      for (const name of ROOT_STATUS_ERRORS) {
        expect(typeof root[name], name).toBe('function');
        expect(root[name], name).toBe(apdu[name]);
      }
      expect(root['PinBlockedError']).toBe(apdu['PinBlockedError']);
      for (const name of ['WrongLengthError', 'ClassNotSupportedError', 'CommandApdu', 'ResponseApdu', 'ApduChannel', 'spacedHex', 'toHex']) {
        expect(typeof apdu[name], name).toBe('function');
        expect(root, name).not.toHaveProperty(name);
      }
    });

    test('an error thrown by the root entry is instanceof the classes of mynacard/apdu and of the root', async () => {
      const { index: root, 'apdu/index': apdu } = modules();
      const MyNumberCard = root['MyNumberCard'] as { connect(transport: unknown): Promise<unknown> };
      const error: unknown = await MyNumberCard.connect(noJpkiAp).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(apdu['FileNotFoundError'] as new () => Error);
      expect(error).toBeInstanceOf(apdu['StatusWordError'] as new () => Error);
      expect(error).toBeInstanceOf(root['FileNotFoundError'] as new () => Error);
      expect(error).toBeInstanceOf(root['MynacardError'] as new () => Error);
      expect((error as Error).name).toBe('FileNotFoundError');
    });

    test('a wrong PIN on the virtual card (mynacard/testing) is a PinIncorrectError of mynacard and of mynacard/apdu', async () => {
      const { index: root, 'apdu/index': apdu, 'testing/index': testing } = modules();
      const Virtual = testing['VirtualMyNumberCard'] as { create(): Promise<unknown> };
      const MyNumberCard = root['MyNumberCard'] as {
        connect(transport: unknown): Promise<{ text: { readAttributes(credential: { pin: string }): Promise<unknown> } }>;
      };
      const card = await MyNumberCard.connect(await Virtual.create());
      const error: unknown = await card.text.readAttributes({ pin: '0000' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(root['PinIncorrectError'] as new () => Error);
      expect(error).toBeInstanceOf(apdu['PinIncorrectError'] as new () => Error);
      expect(error).toMatchObject({ code: 'pin-incorrect', remaining: 2 });
    });

    test('a card-AP error (mynacard/card-ap) is a MynacardError of the root entry', async () => {
      const { index: root, 'card-ap/index': cardAp, 'testing/index': testing } = modules();
      const define = cardAp['defineCardAp'] as (definition: unknown) => unknown;
      const open = cardAp['openCardAp'] as (host: unknown, descriptor: unknown) => { read(file: string): Promise<unknown> };
      const descriptor = define({
        name: 'library',
        area: 'regional',
        aid: 'F0392000000000011001',
        files: { member: { fid: 0x0001, size: 4, read: 'free', write: 'never', codec: (cardAp['bytesCodec'] as (n: number) => unknown)(4) } },
      });
      const Virtual = testing['VirtualMyNumberCard'] as { create(): Promise<unknown> };
      const card = await (root['MyNumberCard'] as { connect(t: unknown): Promise<unknown> }).connect(await Virtual.create());
      const error: unknown = await open(card, descriptor).read('member').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(cardAp['CardApNotInstalledError'] as new () => Error);
      expect(error).toBeInstanceOf(root['MynacardError'] as new () => Error);
      expect((error as Error).name).toBe('CardApNotInstalledError');
    });
  });
}
