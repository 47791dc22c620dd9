/**
 * Shared benchmark helpers: a calibrated timing loop (median of rounds, each running a case for
 * at least `minRoundMs` of CPU time) and a plain-text table printer. Benchmarks run in one
 * process, cases interleaved round by round, and time is the process's CPU time
 * (`process.cpuUsage`, user + system, all threads: WebCrypto's libuv work included), so that
 * other processes on a busy machine do not move the ratios.
 * @packageDocumentation
 */

/** Outcome of one named benchmark, as collected by `bench/run.ts`. */
export interface BenchOutcome {
  /** Benchmark name. */
  readonly name: string;
  /** Whether every speed target of the benchmark was met. */
  readonly passed: boolean;
}

/** One timed case: `run` performs `opsPerRun` operations and returns a value that is kept alive. */
export interface BenchCase {
  readonly name: string;
  readonly opsPerRun: number;
  readonly run: () => number;
}

/** Median time per operation, in microseconds, of each case. */
export type BenchTimes = Map<string, number>;

let sink = 0;

/** CPU time of this process (all threads), in milliseconds. */
export function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Iterations of `run` that take at least `targetMs`. */
function calibrate(run: () => number, targetMs: number): number {
  let n = 1;
  for (;;) {
    const t0 = cpuMs();
    for (let i = 0; i < n; i++) sink += run();
    const dt = cpuMs() - t0;
    if (dt >= targetMs || n >= 1 << 30) return n;
    n = dt <= 0 ? n * 16 : Math.min(n * 16, Math.ceil((n * targetMs * 1.1) / dt));
  }
}

/**
 * Time every case: warm-up and calibration, then `rounds` interleaved rounds, each running the
 * case for at least `minRoundMs`. Returns the median µs per operation of each case.
 */
export function measure(
  cases: readonly BenchCase[],
  options: { readonly rounds?: number; readonly minRoundMs?: number } = {},
): BenchTimes {
  const rounds = options.rounds ?? 5;
  const minRoundMs = options.minRoundMs ?? 300;
  const batch = new Map<string, number>();
  for (const c of cases) {
    calibrate(c.run, 50); // warm-up, lets the JIT settle
    batch.set(c.name, calibrate(c.run, 20));
  }
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      const n = batch.get(c.name)!;
      let iterations = 0;
      const t0 = cpuMs();
      let dt = 0;
      do {
        for (let i = 0; i < n; i++) sink += c.run();
        iterations += n;
        dt = cpuMs() - t0;
      } while (dt < minRoundMs);
      samples.get(c.name)!.push((dt * 1000) / (iterations * c.opsPerRun));
    }
  }
  const out: BenchTimes = new Map();
  for (const [name, values] of samples) {
    const sorted = [...values].sort((a, b) => a - b);
    out.set(name, sorted[Math.floor(sorted.length / 2)]!);
  }
  if (sink === 0.5) console.log(''); // keep results observable
  return out;
}

/** One timed asynchronous case: `run` performs `opsPerRun` operations. */
export interface AsyncBenchCase {
  readonly name: string;
  readonly opsPerRun: number;
  readonly run: () => Promise<number>;
}

/**
 * {@link measure} for asynchronous cases (WebCrypto): each operation is awaited before the next,
 * so the CPU time of one operation includes its promise and thread-pool work.
 */
export async function measureAsync(
  cases: readonly AsyncBenchCase[],
  options: { readonly rounds?: number; readonly minRoundMs?: number } = {},
): Promise<BenchTimes> {
  const rounds = options.rounds ?? 5;
  const minRoundMs = options.minRoundMs ?? 300;
  for (const c of cases) {
    const t0 = cpuMs();
    while (cpuMs() - t0 < 250) sink += await c.run(); // warm-up: lets the JIT optimise the async path
  }
  const samples = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      let iterations = 0;
      const t0 = cpuMs();
      let dt = 0;
      do {
        sink += await c.run();
        iterations++;
        dt = cpuMs() - t0;
      } while (dt < minRoundMs);
      samples.get(c.name)!.push((dt * 1000) / (iterations * c.opsPerRun));
    }
  }
  const out: BenchTimes = new Map();
  for (const [name, values] of samples) {
    const sorted = [...values].sort((a, b) => a - b);
    out.set(name, sorted[Math.floor(sorted.length / 2)]!);
  }
  return out;
}

/** Result of {@link measureAsyncPair}: median µs per operation of each case and median ratio. */
export interface PairTimes {
  readonly a: number;
  readonly b: number;
  /** Median over rounds of (a per operation) / (b per operation) within the same round. */
  readonly ratio: number;
  /** The per-round ratios, in round order. */
  readonly ratios: readonly number[];
}

/**
 * Time two asynchronous cases whose RATIO is a target: within each round they alternate in
 * small batches (a few milliseconds each), so that a change of machine load hits both alike;
 * the ratio is taken per round and its median reported. (Alternating whole rounds, as
 * {@link measureAsync} does, let the load of other processes move a ratio by ±30 %.)
 */
export async function measureAsyncPair(
  a: AsyncBenchCase,
  b: AsyncBenchCase,
  options: { readonly rounds?: number; readonly minRoundMs?: number; readonly batch?: number } = {},
): Promise<PairTimes> {
  const rounds = options.rounds ?? 5;
  const minRoundMs = options.minRoundMs ?? 300;
  const batch = options.batch ?? 16;
  // Warm-up alternating like the rounds (the first round ran high when each case warmed up alone).
  const w0 = cpuMs();
  while (cpuMs() - w0 < 600) {
    for (let i = 0; i < batch; i++) sink += await a.run();
    for (let i = 0; i < batch; i++) sink += await b.run();
  }
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < rounds; r++) {
    let ta = 0;
    let tb = 0;
    let n = 0;
    while (ta + tb < 2 * minRoundMs) {
      let t0 = cpuMs();
      for (let i = 0; i < batch; i++) sink += await a.run();
      ta += cpuMs() - t0;
      t0 = cpuMs();
      for (let i = 0; i < batch; i++) sink += await b.run();
      tb += cpuMs() - t0;
      n += batch;
    }
    const pa = (ta * 1000) / (n * a.opsPerRun);
    const pb = (tb * 1000) / (n * b.opsPerRun);
    as.push(pa);
    bs.push(pb);
    ratios.push(pa / pb);
  }
  const median = (values: number[]): number => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)]!;
  return { a: median(as), b: median(bs), ratio: median(ratios), ratios };
}

/** Render rows as an aligned plain-text table. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
