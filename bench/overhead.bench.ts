/**
 * SDK overhead per APDU over a bare transport: what `ApduChannel` and `MyNumberCard` add to one
 * exchange, measured against calling the transport's `transmit` directly — on a null transport
 * that answers `90 00` at once (pure SDK cost) and on the virtual card (a realistic answerer).
 *
 * The workload is the tries query of the auth PIN (`00 20 00 98`, no data): one APDU per
 * `jpki.remainingTries('auth')` once the JPKI AP is selected. Time is the median of interleaved
 * rounds (async calls cannot use `measure`, which times synchronous cases; the method is the same).
 * @packageDocumentation
 */
import { ApduChannel } from '../src/apdu/channel.js';
import { CommandApdu } from '../src/apdu/command.js';
import { MyNumberCard } from '../src/aps/card.js';
import { VirtualMyNumberCard } from '../src/testing/index.js';
import type { Transport } from '../src/transport/transport.js';
import { formatTable, type BenchOutcome } from './harness.js';

/**
 * Target: over the null transport (pure SDK cost) `MyNumberCard` adds at most this many µs to
 * one APDU — under 5 % of a fast PC/SC exchange (~1 ms). Over the virtual card the figure also
 * holds the extra promise turns of an asynchronous transport; it is printed, not scored.
 */
const MAX_OVERHEAD_US = 50;

const QUERY = Uint8Array.of(0x00, 0x20, 0x00, 0x98); // tries query of the auth PIN (EF 0018, SFI 0x18)
const OK = Uint8Array.of(0x90, 0x00);

/** Answers every command with `90 00` at once. */
const nullTransport: Transport = { transmit: () => Promise.resolve(OK.slice()) };

interface AsyncCase {
  readonly name: string;
  readonly run: () => Promise<unknown>;
}

let sink = 0;

async function timeFor(run: () => Promise<unknown>, n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const r = await run();
    if (r === undefined) sink++;
  }
  return performance.now() - t0;
}

/** Median µs per call of each case: warm-up, calibration, `rounds` interleaved rounds of ≥ `minRoundMs`. */
async function measureAsync(cases: readonly AsyncCase[], rounds = 7, minRoundMs = 200): Promise<Map<string, number>> {
  const batch = new Map<string, number>();
  for (const c of cases) {
    await timeFor(c.run, 2000); // warm-up
    let n = 100;
    while ((await timeFor(c.run, n)) < 20) n *= 2;
    batch.set(c.name, n);
  }
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      const n = batch.get(c.name)!;
      let calls = 0;
      let dt = 0;
      while (dt < minRoundMs) {
        dt += await timeFor(c.run, n);
        calls += n;
      }
      samples.get(c.name)!.push((dt * 1000) / calls);
    }
  }
  const out = new Map<string, number>();
  for (const [name, values] of samples) out.set(name, [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!);
  return out;
}

/** Run the benchmark, print the table, and report whether the overhead target is met. */
export async function runOverheadBench(): Promise<BenchOutcome> {
  const vc = await VirtualMyNumberCard.create();
  const card = await MyNumberCard.connect(vc);
  const nullCard = await MyNumberCard.connect(nullTransport);
  const vcChannel = new ApduChannel(vc);
  const nullChannel = new ApduChannel(nullTransport);
  const command = new CommandApdu({ ins: 0x20, p2: 0x98 });
  // Sanity: every path sends exactly the one query APDU and gets an answer.
  vc.clearLog();
  const sanity = await card.jpki.remainingTries('auth');
  if (sanity.state !== 'tries' || sanity.remaining !== 3 || vc.log.length !== 1) {
    console.log(`sanity: expected one APDU and 3 tries, got ${vc.log.length} APDU(s)`);
    return { name: 'overhead', passed: false };
  }
  let nullApdus = 0;
  const countingNull: Transport = { transmit: () => (nullApdus++, Promise.resolve(OK.slice())) };
  const countingCard = await MyNumberCard.connect(countingNull);
  nullApdus = 0;
  await countingCard.jpki.remainingTries('auth');
  if (nullApdus !== 1) {
    console.log(`sanity: remainingTries sent ${nullApdus} APDUs on the null transport`);
    return { name: 'overhead', passed: false };
  }

  const cases: AsyncCase[] = [
    { name: 'null: transport.transmit', run: () => nullTransport.transmit(QUERY) },
    { name: 'null: ApduChannel.transmit', run: () => nullChannel.transmit(command) },
    { name: 'null: MyNumberCard (remainingTries)', run: () => nullCard.jpki.remainingTries('auth') },
    { name: 'virtual: card.transmit', run: () => vc.transmit(QUERY) },
    { name: 'virtual: ApduChannel.transmit', run: () => vcChannel.transmit(command) },
    { name: 'virtual: MyNumberCard (remainingTries)', run: () => card.jpki.remainingTries('auth') },
  ];
  const clear = setInterval(() => vc.clearLog(), 50); // the virtual card's log is not the SDK's cost
  let times: Map<string, number>;
  try {
    times = await measureAsync(cases);
  } finally {
    clearInterval(clear);
  }
  const t = (name: string): number => times.get(name)!;
  const overhead = [
    { over: 'null transport', channel: t('null: ApduChannel.transmit') - t('null: transport.transmit'), card: t('null: MyNumberCard (remainingTries)') - t('null: transport.transmit') },
    { over: 'virtual card', channel: t('virtual: ApduChannel.transmit') - t('virtual: card.transmit'), card: t('virtual: MyNumberCard (remainingTries)') - t('virtual: card.transmit') },
  ];
  console.log(formatTable(['case', 'µs/APDU'], cases.map((c) => [c.name, t(c.name).toFixed(2)])));
  console.log('');
  console.log(
    formatTable(
      ['SDK overhead over', 'ApduChannel µs', 'MyNumberCard µs', `target ≤ ${MAX_OVERHEAD_US} µs`],
      overhead.map((o, i) => [
        o.over,
        o.channel.toFixed(2),
        o.card.toFixed(2),
        i > 0 ? '(informational)' : o.card <= MAX_OVERHEAD_US ? 'met' : 'MISSED',
      ]),
    ),
  );
  await card.close();
  await nullCard.close();
  await countingCard.close();
  if (sink === -1) console.log('');
  return { name: 'overhead', passed: overhead[0]!.card <= MAX_OVERHEAD_US };
}
