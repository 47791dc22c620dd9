/**
 * `npm run bench`: runs every benchmark in one process and exits non-zero when any speed target
 * is missed. Add a benchmark by appending it to `BENCHES`.
 * @packageDocumentation
 */
import type { BenchOutcome } from './harness.js';
import { runApduEconomyBench } from './apdu-economy.bench.js';
import { runOverheadBench } from './overhead.bench.js';
import { runPcscBench } from './pcsc.bench.js';
import { runTlvBench } from './tlv.bench.js';
import { runTrustBench } from './trust.bench.js';
import { runPdfBench } from './pdf.bench.js';

const BENCHES: readonly { readonly name: string; readonly run: () => Promise<BenchOutcome> }[] = [
  { name: 'tlv', run: runTlvBench },
  { name: 'trust', run: runTrustBench },
  { name: 'apdu-economy', run: runApduEconomyBench },
  { name: 'overhead', run: runOverheadBench },
  { name: 'pcsc', run: runPcscBench },
  { name: 'pdf', run: runPdfBench },
];

const only = process.argv.slice(2);
let failed = 0;
for (const bench of BENCHES) {
  if (only.length > 0 && !only.includes(bench.name)) continue;
  console.log(`\n=== ${bench.name} ===`);
  const outcome = await bench.run();
  console.log(`${bench.name}: ${outcome.passed ? 'all targets met' : 'TARGETS MISSED'}`);
  if (!outcome.passed) failed++;
}
process.exitCode = failed === 0 ? 0 : 1;
