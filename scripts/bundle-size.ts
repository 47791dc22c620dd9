/**
 * Browser bundle sizes (esbuild: bundle, minify, ESM, platform browser, tree shaking) of three
 * entries, and a scan of each bundle for Node-only code:
 *
 * - `core`: only the TLV / APDU / card-session API (`MyNumberCard`, `decodeTlv`, `ApduChannel`
 *   from src/aps, src/tlv, src/apdu) — no certificate stack;
 * - `full`: `src/index.ts`, the whole root entry `mynacard` (certificates, chains, CMS included);
 * - `apdu`, `tlv`, `card-ap`: the low-level entries `mynacard/apdu`, `mynacard/tlv`, `mynacard/card-ap`;
 * - `testing`: `src/testing/index.ts` (the virtual card and the test PKI);
 * - `react-native`: `src/react-native/index.ts` (`mynacard/react-native`: the NFC transport and
 *   the card sessions, never react-native-nfc-manager itself).
 *
 * Usage: `tsx scripts/bundle-size.ts [--verbose]`. Prints raw (bundled, not minified), min and
 * min+gzip (zlib level 9) sizes; exits 1 when the core exceeds {@link CORE_LIMIT_BYTES}
 * min+gzip. `--verbose` lists the largest inputs of each bundle (from the esbuild metafile).
 * @packageDocumentation
 */
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';

/** Project root (this file is in scripts/). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The core's budget: 25 KB (25 × 1024 bytes) minified + gzipped. */
export const CORE_LIMIT_BYTES = 25 * 1024;

/** The bundles measured. */
export type BundleName = 'core' | 'full' | 'apdu' | 'tlv' | 'card-ap' | 'testing' | 'react-native';

/** Source of the core entry: the TLV / APDU / card-session API only. */
export const CORE_ENTRY_SOURCE = [
  "export { MyNumberCard } from './src/aps/index.js';",
  "export { decodeTlv } from './src/tlv/index.js';",
  "export { ApduChannel } from './src/apdu/index.js';",
  '',
].join('\n');

/** One measured bundle. */
export interface BundleReport {
  readonly name: BundleName;
  /** Bundled and tree-shaken, not minified, in bytes. */
  readonly raw: number;
  /** Minified, in bytes. */
  readonly min: number;
  /** Minified then gzipped (level 9), in bytes. */
  readonly gzip: number;
  /** The minified bundle. */
  readonly minified: string;
  /** The unminified bundle, whose `// path` comments tell which input each line came from. */
  readonly readable: string;
  /** Inputs present in the minified output, with their share of it, largest first. */
  readonly inputs: readonly { readonly path: string; readonly bytes: number }[];
}

/** A Node-only construct found in a bundle. */
export interface NodeOnlyFinding {
  readonly bundle: BundleName;
  /** `'Buffer'` (any reference to the global), `'node:'` (a Node built-in specifier), `'require'`. */
  readonly kind: 'Buffer' | 'node:' | 'require';
  /** The input the line belongs to (from the unminified bundle's `// path` comments). */
  readonly module: string;
  /** The line, trimmed (at most 160 characters). */
  readonly line: string;
}

const PATTERNS: readonly (readonly [NodeOnlyFinding['kind'], RegExp])[] = [
  // Any use of the Node global: `Buffer.from`, `globalThis.Buffer`, … (not ArrayBuffer, isBufferSource).
  ['Buffer', /(?<![\w$])Buffer(?![\w$])/],
  ['node:', /["'`]node:[\w/]+["'`]/],
  ['require', /(?<![\w$.])require\s*\(/],
];

/** `// src/x.ts` or `// node_modules/y/z.js`: esbuild's marker before each input's code. */
const MODULE_MARKER = /^\s*\/\/ ((?:src|node_modules|test|scripts)\/\S+|<stdin>)\s*$/;

const ENTRIES: readonly (readonly [BundleName, { readonly file: string } | { readonly source: string }])[] = [
  ['core', { source: CORE_ENTRY_SOURCE }],
  ['full', { file: 'src/index.ts' }],
  ['apdu', { file: 'src/apdu/index.ts' }],
  ['tlv', { file: 'src/tlv/index.ts' }],
  ['card-ap', { file: 'src/aps/card-ap/index.ts' }],
  ['testing', { file: 'src/testing/index.ts' }],
  ['react-native', { file: 'src/react-native/index.ts' }],
];

async function bundle(entry: { readonly file: string } | { readonly source: string }, minify: boolean) {
  const result = await build({
    ...('file' in entry
      ? { entryPoints: [path.join(ROOT, entry.file)] }
      : { stdin: { contents: entry.source, resolveDir: ROOT, sourcefile: 'core-entry.ts', loader: 'ts' as const } }),
    absWorkingDir: ROOT,
    bundle: true,
    minify,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    treeShaking: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const output = result.outputFiles[0];
  if (output === undefined) throw new Error('esbuild produced no output');
  return { text: output.text, bytes: output.contents.length, metafile: result.metafile };
}

function inputsOf(metafile: Metafile): { path: string; bytes: number }[] {
  const output = Object.values(metafile.outputs)[0];
  if (output === undefined) return [];
  return Object.entries(output.inputs)
    .map(([file, { bytesInOutput }]) => ({ path: file, bytes: bytesInOutput }))
    .filter((input) => input.bytes > 0)
    .sort((a, b) => b.bytes - a.bytes);
}

/** Bundle and measure one entry. */
export async function measureBundle(name: BundleName): Promise<BundleReport> {
  const entry = ENTRIES.find(([n]) => n === name)?.[1];
  if (entry === undefined) throw new Error(`unknown bundle ${name}`);
  const [readable, minified] = await Promise.all([bundle(entry, false), bundle(entry, true)]);
  return {
    name,
    raw: readable.bytes,
    min: minified.bytes,
    gzip: gzipSync(Buffer.from(minified.text), { level: 9 }).length,
    minified: minified.text,
    readable: readable.text,
    inputs: inputsOf(minified.metafile),
  };
}

/** Bundle and measure every entry, in the order of {@link BundleName}. */
export async function measureBundles(): Promise<BundleReport[]> {
  return Promise.all(ENTRIES.map(([name]) => measureBundle(name)));
}

/**
 * Every Node-only construct in a bundle, attributed to its input. Both the unminified bundle
 * (for attribution) and the minified one (what ships) are searched; a construct in the
 * minified output that the readable one does not explain is reported with module `'?'`.
 */
export function findNodeOnlyCode(report: BundleReport): NodeOnlyFinding[] {
  const findings: NodeOnlyFinding[] = [];
  let module = '<entry>';
  for (const line of report.readable.split('\n')) {
    const marker = MODULE_MARKER.exec(line);
    if (marker !== null) {
      module = marker[1]!;
      continue;
    }
    for (const [kind, pattern] of PATTERNS) {
      if (pattern.test(line)) findings.push({ bundle: report.name, kind, module, line: line.trim().slice(0, 160) });
    }
  }
  for (const [kind, pattern] of PATTERNS) {
    const global = new RegExp(pattern.source, 'g');
    const inMinified = report.minified.match(global)?.length ?? 0;
    const explained = findings.filter((f) => f.kind === kind).length;
    if (inMinified > explained) {
      findings.push({ bundle: report.name, kind, module: '?', line: `${inMinified - explained} more in the minified output` });
    }
  }
  return findings;
}

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KB`;

/** The size table as text. */
export function formatReports(reports: readonly BundleReport[], verbose = false): string {
  const lines = [
    `${'bundle'.padEnd(12)} ${'raw'.padStart(10)} ${'min'.padStart(10)} ${'min+gzip'.padStart(10)}`,
    ...reports.map((r) => `${r.name.padEnd(12)} ${kb(r.raw).padStart(10)} ${kb(r.min).padStart(10)} ${kb(r.gzip).padStart(10)}`),
  ];
  if (verbose) {
    for (const r of reports) {
      lines.push('', `largest inputs of ${r.name} (minified bytes):`);
      for (const input of r.inputs.slice(0, 12)) lines.push(`  ${String(input.bytes).padStart(7)}  ${input.path}`);
    }
  }
  return lines.join('\n');
}

async function main(): Promise<number> {
  const reports = await measureBundles();
  console.log(formatReports(reports, process.argv.includes('--verbose')));
  let status = 0;
  const core = reports.find((r) => r.name === 'core')!;
  if (core.gzip > CORE_LIMIT_BYTES) {
    console.error(`\ncore is ${kb(core.gzip)} min+gzip, over the ${kb(CORE_LIMIT_BYTES)} budget`);
    status = 1;
  }
  for (const finding of reports.flatMap(findNodeOnlyCode)) {
    console.log(`note: ${finding.bundle}: ${finding.kind} in ${finding.module}: ${finding.line}`);
  }
  return status;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (status) => process.exit(status),
    (error: unknown) => {
      console.error(error);
      process.exit(2);
    },
  );
}
