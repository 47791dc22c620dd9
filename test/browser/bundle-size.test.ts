import { beforeAll, describe, expect, it } from 'vitest';
import {
  CORE_LIMIT_BYTES,
  findNodeOnlyCode,
  measureBundles,
  type BundleName,
  type BundleReport,
} from '../../scripts/bundle-size.js';

/**
 * Node-only references that third-party code of the full entry carries behind a feature test
 * (they run only where `btoa`/`atob` are missing, or where a `Buffer` global exists, i.e. in
 * Node). Listed exactly, so that any new one fails this test. Our own code (src/) has none.
 */
// Since the trust path runs on the SDK's TLV core (issue 14), no bundle carries @peculiar/*,
// pvtsutils or @peculiar/utils, and with them went their `Buffer` fallbacks: the list is empty.
const ALLOWED_THIRD_PARTY: readonly { readonly bundle: BundleName; readonly module: string; readonly line: string }[] = [];

let reports: Map<BundleName, BundleReport>;

beforeAll(async () => {
  reports = new Map((await measureBundles()).map((r) => [r.name, r]));
}, 120_000);

const report = (name: BundleName): BundleReport => {
  const r = reports.get(name);
  if (r === undefined) throw new Error(`no ${name} bundle`);
  return r;
};

describe('browser bundles (esbuild, minified, ESM, platform browser)', () => {
  it(`the core (TLV, APDU, card sessions) stays under ${CORE_LIMIT_BYTES} bytes min+gzip`, () => {
    const core = report('core');
    expect(core.gzip).toBeGreaterThan(0);
    expect(core.gzip).toBeLessThan(CORE_LIMIT_BYTES);
    expect(core.min).toBeGreaterThan(core.gzip);
    expect(core.raw).toBeGreaterThan(core.min);
  });

  it('the core has no certificate stack and no test code in it', () => {
    const paths = report('core').inputs.map((i) => i.path);
    expect(paths).toContain('src/aps/card.ts');
    expect(paths).toContain('src/tlv/decode.ts');
    expect(paths).toContain('src/apdu/channel.ts');
    const heavy = paths.filter((p) =>
      /^src\/(crypto|testing|pcsc|webusb|react-native|cli)\/|node_modules\/(@peculiar|asn1js|pvtsutils|reflect-metadata)/.test(p),
    );
    expect(heavy).toEqual([]);
  });

  it('the full entry is a superset of the core; every bundle was tree-shaken from its entry', () => {
    const core = report('core');
    const full = report('full');
    const testing = report('testing');
    expect(full.gzip).toBeGreaterThan(core.gzip);
    expect(full.inputs.map((i) => i.path)).toEqual(expect.arrayContaining(core.inputs.map((i) => i.path)));
    expect(testing.inputs.map((i) => i.path)).toContain('src/testing/virtual-card/card.ts');
    // The vpcd bridge is exported from mynacard/testing; it loads node:net only when called.
    expect(testing.inputs.map((i) => i.path)).toContain('src/testing/vpcd.ts');
  });

  it('mynacard/react-native: the card sessions and the transport, no certificate stack, no NFC library bundled', () => {
    const paths = report('react-native').inputs.map((i) => i.path);
    expect(paths).toContain('src/react-native/transport.ts');
    expect(paths).toContain('src/aps/card.ts');
    // Only the hashes the core uses come from node_modules.
    expect(paths.filter((p) => /^src\/(crypto|testing|pcsc|webusb|cli)\/|^node_modules\/(?!@noble\/hashes\/)/.test(p))).toEqual([]);
    // The transport adds little to the core (measured: core 20.1 KB, react-native 22.7 KB min+gzip).
    expect(report('react-native').gzip - report('core').gzip).toBeLessThan(4 * 1024);
  });

  it('no bundle imports a node: built-in or calls require(), but for the lazily loaded vpcd bridge', () => {
    const findings = [...reports.values()].flatMap(findNodeOnlyCode).filter((f) => f.kind !== 'Buffer');
    // connectToVpcd (Node only) names node:net in a constant and imports it when called, so
    // bundlers leave it out and a browser never loads it unless it calls the bridge.
    expect(findings.map(({ bundle, kind, module }) => ({ bundle, kind, module }))).toEqual([
      { bundle: 'testing', kind: 'node:', module: 'src/testing/vpcd.ts' },
    ]);
  });

  it('no Buffer in the core or testing bundles; in the full one only the listed feature-tested third-party fallbacks', () => {
    const buffers = [...reports.values()].flatMap(findNodeOnlyCode).filter((f) => f.kind === 'Buffer');
    expect(buffers.filter((f) => f.module.startsWith('src/') || f.module === '?' || f.module === '<entry>')).toEqual([]);
    expect(buffers.map(({ bundle, module, line }) => ({ bundle, module, line }))).toEqual(ALLOWED_THIRD_PARTY);
  });

  it('the scan finds what it looks for (a planted Buffer, node: import and require)', () => {
    const planted: BundleReport = {
      ...report('core'),
      readable: '// src/planted.ts\nconst b = Buffer.from("x");\nimport("node:fs");\nconst r = require("x");\nnew ArrayBuffer(1);\n',
      minified: 'Buffer.from("x");import("node:fs");require("x");new ArrayBuffer(1);',
    };
    expect(findNodeOnlyCode(planted).map((f) => [f.kind, f.module])).toEqual([
      ['Buffer', 'src/planted.ts'],
      ['node:', 'src/planted.ts'],
      ['require', 'src/planted.ts'],
    ]);
  });
});
