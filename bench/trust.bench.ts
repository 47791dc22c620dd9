/**
 * Trust-path benchmark (issue 14): certificate parsing, chain validation and CMS verification on
 * the TLV core, against node:crypto, @peculiar/x509, bare WebCrypto and the 0.1.0 code (a copy in
 * `bench/baseline-0.1.0/`, decoding with `@peculiar/asn1-schema`), in one process, interleaved
 * rounds, CPU time.
 *
 * - parse: the real J-LIS auth leaf of test/vectors/real (1 572 bytes).
 * - chain: that leaf with the bundled real roots at 2020-01-01, vs `crypto.subtle.verify` of the
 *   same TBS signature with the root's key imported once (the RSA work a chain cannot avoid).
 * - CMS: 1 KB content, CAdES-BES signed by the virtual card's 署名用 key, test roots.
 * @packageDocumentation
 */
import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as x509 from '@peculiar/x509';
import { MyNumberCard } from '../src/aps/card.js';
import { parseJpkiCertificate } from '../src/crypto/parse.js';
import { verifyJpkiChain } from '../src/crypto/chain.js';
import { signCms, verifyCms } from '../src/crypto/cms.js';
import { jpkiRootCertificate } from '../src/crypto/jpki-roots.js';
import { decodeCertificate } from '../src/crypto/x509.js';
import { DEFAULT_SIGN_PASSWORD, VirtualMyNumberCard } from '../src/testing/index.js';
import { parseJpkiCertificate as parseOld } from './baseline-0.1.0/parse.js';
import { verifyJpkiChain as verifyChainOld } from './baseline-0.1.0/chain.js';
import { verifyCms as verifyCmsOld } from './baseline-0.1.0/cms.js';
import { formatTable, measure, measureAsync, measureAsyncPair, type BenchOutcome } from './harness.js';

const LEAF = 'test/vectors/real/real-auth-leaf-2019-issued-by-authca01__my-number-myna.der';
const AT = new Date('2020-01-01T00:00:00Z');

/** Run the trust benchmark and print its tables. */
export async function runTrustBench(): Promise<BenchOutcome> {
  const rounds = Number(process.env['BENCH_ROUNDS'] ?? 5);
  const minRoundMs = Number(process.env['BENCH_MIN_MS'] ?? 300);
  const leaf = new Uint8Array(readFileSync(LEAF));
  let ok = true;

  // ---- sanity: every parser reads the same certificate
  const ours = parseJpkiCertificate(leaf);
  const node = new X509Certificate(leaf);
  const old = parseOld(leaf);
  if (ours.serialNumber !== node.serialNumber || JSON.stringify(ours) !== JSON.stringify(old)) {
    console.log('sanity mismatch: parseJpkiCertificate differs from node:crypto or from 0.1.0');
    ok = false;
  }
  const chain = await verifyJpkiChain(leaf, { at: AT });
  const chainOld = await verifyChainOld(leaf, { at: AT });
  // 0.1.0 had no signatureAlgorithm (issue 19): compare everything else.
  const { signatureAlgorithm, ...chainFields } = chain;
  if (!chain.valid || chain.root?.name !== 'authca01' || signatureAlgorithm !== 'rsa-pkcs1-sha256' || JSON.stringify(chainFields) !== JSON.stringify(chainOld)) {
    console.log(`sanity mismatch: chain ${chain.reasons.join(',')} (0.1.0: ${chainOld.reasons.join(',')})`);
    ok = false;
  }

  // ---- chain vs the bare RSA verification of the same signature
  const root = jpkiRootCertificate('authca01');
  const decodedLeaf = decodeCertificate(leaf);
  const rootKey = await crypto.subtle.importKey(
    'spki',
    Uint8Array.from(decodeCertificate(root).spki),
    { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    false,
    ['verify'],
  );
  const tbs = Uint8Array.from(decodedLeaf.tbs);
  const signature = Uint8Array.from(decodedLeaf.signature);
  if (!(await crypto.subtle.verify('RSASSA-PKCS1-v1_5', rootKey, signature, tbs))) {
    console.log('sanity mismatch: the bare verify fails');
    ok = false;
  }

  // ---- CMS: 1 KB content from the virtual card
  const vc = await VirtualMyNumberCard.create();
  const card = await MyNumberCard.connect(vc);
  const content = new TextEncoder().encode('勤怠打刻 '.repeat(1024)).subarray(0, 1024);
  const cms = await signCms(card, content, { pin: DEFAULT_SIGN_PASSWORD, signingTime: new Date('2026-05-31T09:30:00Z') });
  await card.close();
  const cmsOptions = { at: new Date('2026-06-01T00:00:00Z'), roots: [vc.roots.sign] };
  const cmsResult = await verifyCms(cms, cmsOptions);
  const cmsOld = await verifyCmsOld(cms, cmsOptions);
  if (!cmsResult.valid || !cmsOld.valid) {
    console.log(`sanity mismatch: CMS ${cmsResult.reasons.join(',')} (0.1.0: ${cmsOld.reasons.join(',')})`);
    ok = false;
  }

  // The chain and its bare verification are timed as their own interleaved pair, before any
  // 0.1.0 case runs: the baselines leave a heap of garbage whose collection (CPU time on the GC
  // threads) would otherwise be billed to whichever case runs next.
  // They alternate in small batches within each round and the ratio is taken per round: the
  // target is a ratio, and other processes' load would otherwise move it between rounds.
  const CHAIN = 'ours: verifyJpkiChain (real leaf, bundled roots)';
  const BARE = 'WebCrypto RSA verify of the same signature';
  const chainPair = await measureAsyncPair(
    { name: CHAIN, opsPerRun: 1, run: async () => +(await verifyJpkiChain(leaf, { at: AT })).valid },
    { name: BARE, opsPerRun: 1, run: async () => +(await crypto.subtle.verify('RSASSA-PKCS1-v1_5', rootKey, signature, tbs)) },
    { rounds, minRoundMs },
  );
  console.log(`chain / bare verify per round: ${chainPair.ratios.map((r) => r.toFixed(2)).join(', ')}`);
  const chainTimes = new Map([
    [CHAIN, chainPair.a],
    [BARE, chainPair.b],
  ]);
  const cmsTimes = await measureAsync(
    [
      { name: 'ours: verifyCms (1 KB, CAdES-BES)', opsPerRun: 1, run: async () => +(await verifyCms(cms, cmsOptions)).valid },
      { name: '0.1.0 verifyCms', opsPerRun: 1, run: async () => +(await verifyCmsOld(cms, cmsOptions)).valid },
      { name: '0.1.0 verifyJpkiChain', opsPerRun: 1, run: async () => +(await verifyChainOld(leaf, { at: AT })).valid },
    ],
    { rounds, minRoundMs },
  );
  const asyncTimes = new Map([...chainTimes, ...cmsTimes]);

  // ---- parse (after the asynchronous groups, see above)
  const parseTimes = measure(
    [
      { name: 'ours: parseJpkiCertificate', opsPerRun: 1, run: () => parseJpkiCertificate(leaf).der.length },
      {
        name: 'node:crypto X509Certificate + subjectAltName',
        opsPerRun: 1,
        run: () => (new X509Certificate(leaf).subjectAltName ?? '').length + 1,
      },
      { name: '@peculiar/x509 X509Certificate', opsPerRun: 1, run: () => new x509.X509Certificate(leaf).serialNumber.length },
      { name: '0.1.0 parseJpkiCertificate', opsPerRun: 1, run: () => parseOld(leaf).der.length },
    ],
    { rounds, minRoundMs },
  );

  const times = new Map([...parseTimes, ...asyncTimes]);
  const fmt = (us: number | undefined): string => (us === undefined ? 'n/a' : us < 10 ? us.toFixed(2) : us.toFixed(0));
  console.log(`\nmedian of ${rounds} rounds, each >= ${minRoundMs} ms CPU (process.cpuUsage); µs per operation`);
  console.log(formatTable(['operation', 'µs'], [...times].map(([name, us]) => [name, fmt(us)])));

  const t = (name: string): number => times.get(name)!;
  const targets: [string, number, string, boolean][] = [];
  const faster = (label: string, ours: string, peer: string, factor: number): void => {
    const r = t(peer) / t(ours);
    targets.push([label, r, `>=${factor}x faster`, r >= factor]);
  };
  faster('parseJpkiCertificate vs node:crypto X509Certificate + subjectAltName', 'ours: parseJpkiCertificate', 'node:crypto X509Certificate + subjectAltName', 5);
  faster('parseJpkiCertificate vs @peculiar/x509 (info)', 'ours: parseJpkiCertificate', '@peculiar/x509 X509Certificate', 0);
  faster('parseJpkiCertificate vs 0.1.0 (info)', 'ours: parseJpkiCertificate', '0.1.0 parseJpkiCertificate', 0);
  const chainRatio = chainPair.ratio; // median of the per-round ratios
  targets.push(['verifyJpkiChain / bare WebCrypto verify (median per-round ratio)', chainRatio, '<=2x the verify', chainRatio <= 2]);
  faster('verifyJpkiChain vs 0.1.0 (info)', 'ours: verifyJpkiChain (real leaf, bundled roots)', '0.1.0 verifyJpkiChain', 0);
  faster('verifyCms vs 0.1.0', 'ours: verifyCms (1 KB, CAdES-BES)', '0.1.0 verifyCms', 10);
  console.log(
    '\n' +
      formatTable(
        ['target', 'ratio', 'target', 'result'],
        targets.map(([label, r, target, pass]) => {
          if (!pass) ok = false;
          return [label, `${r.toFixed(2)}x`, target.startsWith('>=0') ? 'info' : target, target.startsWith('>=0') ? '' : pass ? 'PASS' : 'FAIL'];
        }),
      ),
  );
  return { name: 'trust', passed: ok };
}
