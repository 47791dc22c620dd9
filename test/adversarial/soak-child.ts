/**
 * The soak run, in its own process so that `--expose-gc` gives exact heap figures:
 * `node --expose-gc --import tsx test/adversarial/soak-child.ts <apdus>` prints one JSON line.
 * A mixed workload (tries query, 基本4情報 read with the text PIN, a certificate read) runs
 * through `MyNumberCard` on the virtual card until `<apdus>` APDUs went over the wire.
 */
import { MyNumberCard } from '../../src/aps/card.js';
import { DEFAULT_TEXT_PIN, VirtualMyNumberCard } from '../../src/testing/index.js';
import type { Transport } from '../../src/transport/transport.js';

const target = Number(process.argv[2] ?? '10000');
const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('run with --expose-gc');

function heap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

const vc = await VirtualMyNumberCard.create();
let apdus = 0;
const counting: Transport = {
  transmit: (command) => {
    apdus++;
    return vc.transmit(command);
  },
};
const card = await MyNumberCard.connect(counting);
const name = (await card.text.readAttributes({ pin: DEFAULT_TEXT_PIN })).name;

async function round(): Promise<void> {
  await card.jpki.remainingTries('auth');
  const attributes = await card.text.readAttributes({ pin: DEFAULT_TEXT_PIN });
  if (attributes.name !== name) throw new Error('wrong data');
  await card.text.remainingTries('pin');
  vc.clearLog(); // the virtual card's log is the test double's memory, not the SDK's
}

// Warm-up (JIT, caches), then the measured run.
for (let i = 0; i < 200; i++) await round();
const before = heap();
apdus = 0;
const samples: { apdus: number; heap: number }[] = [];
let next = 10_000;
const t0 = performance.now();
while (apdus < target) {
  await round();
  if (apdus >= next) {
    samples.push({ apdus, heap: heap() });
    next += 10_000;
  }
}
const ms = performance.now() - t0;
const after = heap();
await card.close();
// Growth per 10k APDUs: least-squares slope over the samples (or before→after when too few).
let slope = ((after - before) / apdus) * 10_000;
if (samples.length >= 3) {
  const n = samples.length;
  const mx = samples.reduce((s, p) => s + p.apdus, 0) / n;
  const my = samples.reduce((s, p) => s + p.heap, 0) / n;
  const num = samples.reduce((s, p) => s + (p.apdus - mx) * (p.heap - my), 0);
  const den = samples.reduce((s, p) => s + (p.apdus - mx) ** 2, 0);
  slope = (num / den) * 10_000;
}
console.log(
  JSON.stringify({ apdus, ms: Math.round(ms), heapBefore: before, heapAfter: after, growthPer10k: Math.round(slope), samples }),
);
