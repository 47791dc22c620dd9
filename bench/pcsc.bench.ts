/**
 * PC/SC benchmark: read the 利用者証明用電子証明書 (auth certificate) of the virtual card through
 * the same pcscd + vpcd stack, once with the SDK (`waitForCard` → `MyNumberCard.connect` →
 * `readCertificate('auth')` → close) and once with OpenSC (`pkcs15-tool --read-certificate 01`),
 * and compare the APDUs the card received and the median wall time.
 *
 * Targets: fewer APDUs than OpenSC and a lower median time, against OpenSC at its best (driver
 * pinned to `jpki`, no file cache). OpenSC with its default driver probing is shown for
 * information. OpenSC's time includes starting its process (that is how it is used); the SDK
 * runs in this process, as in an application: the first SDK row starts its PC/SC client for each
 * read (nothing else holds it), the second keeps one running (a reader watcher is open).
 *
 * Needs root, Linux, pcscd, vsmartcard-vpcd and opensc (scripts/pcscd/install-deps.sh), and no
 * other pcscd running. Otherwise it prints why and skips (a failure when `CI=true`).
 * @packageDocumentation
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { MyNumberCard } from '../src/aps/index.js';
import { toHex } from '../src/bytes.js';
import { PcscContext } from '../src/pcsc/index.js';
import { VirtualMyNumberCard } from '../src/testing/index.js';
import { connectToVpcd, type VpcdConnection } from '../src/testing/vpcd.js';
import { isCi, pcscAvailable, startPcscStack, stopPcscStack, type PcscStack } from '../test/integration/pcsc-stack.js';
import { formatTable, type BenchOutcome } from './harness.js';

const run = promisify(execFile);
const NAME = 'pcsc';
const WARMUP = 2;
const ROUNDS = 15;

interface Sample {
  readonly apdus: number;
  readonly ms: number;
}

interface Row {
  readonly name: string;
  readonly samples: readonly Sample[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function onPath(tool: string): boolean {
  return (process.env['PATH'] ?? '').split(':').some((dir) => {
    if (dir === '') return false;
    try {
      accessSync(path.join(dir, tool), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function skip(reason: string): BenchOutcome {
  console.log(`${NAME}: SKIPPED: ${reason}`);
  if (isCi()) console.log(`${NAME}: CI=true, so a missing stack counts as a failure`);
  return { name: NAME, passed: !isCi() };
}

function pem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** Run `body` with the stack started and the virtual card inserted; always stop the stack. */
async function withStack<T>(body: (stack: PcscStack, vc: VirtualMyNumberCard, conn: VpcdConnection) => Promise<T>): Promise<T> {
  const stack = await startPcscStack();
  let conn: VpcdConnection | undefined;
  try {
    const vc = await VirtualMyNumberCard.create();
    conn = await connectToVpcd(vc, { host: stack.vpcdHost, port: stack.vpcdPort });
    if (!stack.quickAck) console.log(`${NAME}: note: no quick-ACK route, every APDU pays ~40 ms of delayed ACK`);
    return await body(stack, vc, conn);
  } finally {
    await conn?.close();
    await stopPcscStack(stack);
  }
}

/** Benchmark entry point, wired into bench/run.ts. */
export async function runPcscBench(): Promise<BenchOutcome> {
  const available = pcscAvailable();
  if (!available.ok) return skip(available.reason);
  if (!onPath('pkcs15-tool')) return skip('pkcs15-tool missing (Debian package opensc)');

  let rows: Row[];
  try {
    rows = await withStack(async (stack, vc, conn) => {
      const expected = toHex(vc.certificates.auth);
      const pcsc = new PcscContext();
      // A second context whose client keeps running (an application watching its readers).
      const warmContext = new PcscContext();
      const watcher = warmContext.watchReaders({ initial: false });
      const sdkWith = (context: PcscContext) => async (): Promise<Sample> => {
        const before = conn.apduCount;
        const t0 = performance.now();
        const transport = await context.waitForCard({ reader: stack.reader, timeoutMs: 15_000 });
        let der: Uint8Array;
        try {
          const card = await MyNumberCard.connect(transport);
          der = await card.jpki.readCertificate('auth');
          await card.close();
        } finally {
          await transport.close();
        }
        const ms = performance.now() - t0;
        if (toHex(der) !== expected) throw new Error('SDK read a different certificate');
        return { apdus: conn.apduCount - before, ms };
      };

      const work = mkdtempSync(path.join(tmpdir(), 'mynacard-bench-opensc-'));
      try {
        // No file cache: every run must read the card.
        writeFileSync(path.join(work, 'opensc.conf'), 'app default {\n\tframework pkcs15 {\n\t\tuse_file_caching = no;\n\t}\n}\n');
        const opensc =
          (pinned: boolean) =>
          async (): Promise<Sample> => {
            const before = conn.apduCount;
            const t0 = performance.now();
            // Asynchronous: this process's event loop must stay free to answer vpcd.
            const { stdout } = await run('pkcs15-tool', ['--read-certificate', '01'], {
              env: { ...process.env, OPENSC_CONF: path.join(work, 'opensc.conf'), ...(pinned ? { OPENSC_DRIVER: 'jpki' } : {}) },
              timeout: 60_000,
              encoding: 'utf8',
            });
            const ms = performance.now() - t0;
            if (stdout !== pem(vc.certificates.auth)) throw new Error('OpenSC read a different certificate');
            return { apdus: conn.apduCount - before, ms };
          };

        const cases: Array<[string, () => Promise<Sample>]> = [
          ['mynacard (PcscTransport)', sdkWith(pcsc)],
          ['mynacard, PC/SC client kept running', sdkWith(warmContext)],
          ['OpenSC pkcs15-tool, driver jpki', opensc(true)],
          ['OpenSC pkcs15-tool, default drivers', opensc(false)],
        ];
        const samples = new Map<string, Sample[]>(cases.map(([name]) => [name, []]));
        for (let round = 0; round < WARMUP + ROUNDS; round++) {
          // Interleaved, so that machine load affects every case alike.
          for (const [name, measureOnce] of cases) {
            const sample = await measureOnce();
            if (round >= WARMUP) samples.get(name)!.push(sample);
          }
        }
        return cases.map(([name]) => ({ name, samples: samples.get(name)! }));
      } finally {
        rmSync(work, { recursive: true, force: true });
        await watcher.close();
      }
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/start-pcscd\.sh failed/.test(message)) return skip(message.split('\n')[0]!);
    throw error;
  }

  const sdk = rows[0]!;
  const best = rows[2]!;
  const sdkApdus = median(sdk.samples.map((s) => s.apdus));
  const sdkMs = median(sdk.samples.map((s) => s.ms));
  const table = rows.map((row) => {
    const apdus = row.samples.map((s) => s.apdus);
    const ms = median(row.samples.map((s) => s.ms));
    const fixed = Math.min(...apdus) === Math.max(...apdus);
    return [
      row.name,
      fixed ? String(apdus[0]) : `${Math.min(...apdus)}–${Math.max(...apdus)}`,
      ms.toFixed(1),
      row === sdk ? '1.00×' : `${(ms / sdkMs).toFixed(2)}×`,
      row === sdk ? '1.00×' : `${(median(apdus) / sdkApdus).toFixed(2)}×`,
    ];
  });
  console.log(`Read the auth certificate (${ROUNDS} rounds after ${WARMUP} warm-up, pcscd + vpcd + virtual card):`);
  console.log(formatTable(['reader', 'APDUs', 'median ms', 'time vs SDK', 'APDUs vs SDK'], table));
  const bestApdus = median(best.samples.map((s) => s.apdus));
  const bestMs = median(best.samples.map((s) => s.ms));
  const fewerApdus = sdkApdus < bestApdus;
  const faster = sdkMs < bestMs;
  console.log(`target: fewer APDUs than OpenSC (${sdkApdus} < ${bestApdus}): ${fewerApdus ? 'met' : 'MISSED'}`);
  console.log(`target: lower median time than OpenSC (${sdkMs.toFixed(1)} < ${bestMs.toFixed(1)} ms): ${faster ? 'met' : 'MISSED'}`);
  return { name: NAME, passed: fewerApdus && faster };
}

// Run alone: `npx tsx bench/pcsc.bench.ts`.
if (import.meta.url === `file://${process.argv[1]}`) {
  const outcome = await runPcscBench();
  process.exitCode = outcome.passed ? 0 : 1;
}
