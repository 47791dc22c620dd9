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

/** Render rows as an aligned plain-text table. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
