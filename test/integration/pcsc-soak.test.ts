/**
 * Soak through the real stack: connect/close cycles of `PcscTransport` + `MyNumberCard` through
 * pcscd + vpcd + the bridge, with no handle leak in this process or in pcscd.
 *
 * Each cycle: `context.connect(reader)` (SCardConnect, shared) → `MyNumberCard.connect` →
 * `jpki.remainingTries('auth')` → `card.close()` → `transport.close()` (SCardDisconnect).
 * Measured before and after (each time once the pcsc-mini client has stopped, i.e. with no
 * PC/SC context open): open descriptors of this process (`/proc/self/fd`) and of pcscd
 * (`/proc/<pid>/fd`; the pid from the stack's pid file, since pcsc-faults.test.ts restarts
 * pcscd), and the heap after forced GCs. 200 cycles by default; 1 000 with
 * `MYNACARD_ADVERSARIAL=long`. One JSON line with the figures is printed.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MyNumberCard } from '../../src/aps/index.js';
import { PcscContext, type PcscTransport } from '../../src/pcsc/index.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import type { VpcdConnection } from '../../src/testing/vpcd.js';
import { injectedPcsc, suiteTitle } from './injected.js';
import { exchanges, insertCard, waitForReader } from './pcsc-fixture.js';

const pcsc = injectedPcsc();
const LONG = process.env['MYNACARD_ADVERSARIAL'] === 'long';
const CYCLES = LONG ? 1000 : 200;
/** Cycles run before the baseline (pcsc-mini, libpcsclite and JIT warm-up). */
const WARM_UP = 10;
/** Heap samples during the run (one every CYCLES / SAMPLES cycles). */
const SAMPLES = 10;
/** Generous bound on descriptor growth (this process and pcscd) over the whole run. */
const MAX_FD_GROWTH = 5;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A forced GC: `global.gc` under `--expose-gc`, else the V8 flag set at run time. */
function gcFunction(): () => void {
  const given = (globalThis as { gc?: () => void }).gc;
  if (given !== undefined) return given;
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

function openFds(pid: number | 'self'): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/**
 * The pid of the pcscd running now: the stack's pid file (start-pcscd.sh rewrites it when a
 * test restarts pcscd in the same state directory), else the pid reported at start.
 */
function currentPcscdPid(stack: { readonly labDir: string; readonly pid: number }): number {
  try {
    const pid = Number(readFileSync(path.join(stack.labDir, 'pcscd.pid'), 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : stack.pid;
  } catch {
    return stack.pid;
  }
}

interface Snapshot {
  readonly selfFds: number;
  readonly pcscdFds: number;
  readonly heap: number;
}

describe.skipIf(!pcsc.ok)(suiteTitle('PcscTransport soak through pcscd + vpcd', pcsc), () => {
  const stack = pcsc.ok ? pcsc.stack : undefined;
  const gc = gcFunction();
  let vc: VirtualMyNumberCard;
  let conn: VpcdConnection;
  let pcscdPid: number;
  /** A context of our own, so that `running` says when its pcsc-mini client has stopped. */
  const context = new PcscContext();

  /** Wait until no PC/SC context of ours is open, then measure (heap after two forced GCs). */
  const snapshot = async (): Promise<Snapshot> => {
    const deadline = Date.now() + 10_000;
    while (context.running) {
      if (Date.now() > deadline) throw new Error('the pcsc-mini client did not stop after the last close()');
      await sleep(50);
    }
    gc();
    await sleep(10);
    gc();
    return { selfFds: openFds('self'), pcscdFds: openFds(pcscdPid), heap: process.memoryUsage().heapUsed };
  };

  const cycle = async (): Promise<void> => {
    const transport: PcscTransport = await context.connect(stack!.reader);
    try {
      const card = await MyNumberCard.connect(transport);
      try {
        expect(await card.jpki.remainingTries('auth')).toMatchObject({ state: 'tries', remaining: 3 });
      } finally {
        await card.close();
      }
    } finally {
      await transport.close();
    }
  };

  beforeAll(async () => {
    await waitForReader(stack!.reader, false);
    pcscdPid = currentPcscdPid(stack!);
    vc = await VirtualMyNumberCard.create();
    conn = await insertCard(stack!, vc);
    await waitForReader(stack!.reader, true);
  });

  afterAll(async () => {
    await conn?.close();
    await waitForReader(stack!.reader, false);
  });

  it(
    `${CYCLES} connect/close cycles: no descriptor leak in this process or in pcscd, heap steady`,
    async () => {
      expect(readFileSync(`/proc/${pcscdPid}/comm`, 'utf8').trim()).toBe('pcscd');
      // One cycle on the wire, exactly: connect (SELECT, token), tries query (SELECT, VERIFY
      // without data), and nothing after close() (no security status to drop).
      vc.clearLog();
      await cycle();
      expect(exchanges(vc)).toEqual([
        '00A4040C0AD392F000260100000001>9000',
        '00B0860020>9000',
        '00A4040C0AD392F000260100000001>9000',
        '00200098>63C3',
      ]);
      for (let i = 1; i < WARM_UP; i++) await cycle();
      const before = await snapshot();
      const samples: { cycles: number; heap: number; selfFds: number; pcscdFds: number }[] = [];
      const every = Math.max(1, Math.floor(CYCLES / SAMPLES));
      const started = performance.now();
      let peakSelfFds = before.selfFds;
      let peakPcscdFds = before.pcscdFds;
      for (let i = 1; i <= CYCLES; i++) {
        await cycle();
        // The card's log is the test double's memory, not the SDK's.
        vc.clearLog();
        peakSelfFds = Math.max(peakSelfFds, openFds('self'));
        peakPcscdFds = Math.max(peakPcscdFds, openFds(pcscdPid));
        if (i % every === 0) {
          gc();
          samples.push({ cycles: i, heap: process.memoryUsage().heapUsed, selfFds: openFds('self'), pcscdFds: openFds(pcscdPid) });
        }
      }
      const ms = Math.round(performance.now() - started);
      const after = await snapshot();
      const result = {
        cycles: CYCLES,
        ms,
        msPerCycle: Math.round((ms / CYCLES) * 10) / 10,
        selfFdsBefore: before.selfFds,
        selfFdsAfter: after.selfFds,
        selfFdsPeak: peakSelfFds,
        pcscdFdsBefore: before.pcscdFds,
        pcscdFdsAfter: after.pcscdFds,
        pcscdFdsPeak: peakPcscdFds,
        heapBefore: before.heap,
        heapAfter: after.heap,
        heapFirstSample: samples[0]!.heap,
        samples,
      };
      console.log(`[integration pcsc-soak] ${JSON.stringify({ ...result, samples: undefined })}`);
      expect(samples).toHaveLength(SAMPLES);
      expect(after.selfFds - before.selfFds).toBeLessThanOrEqual(MAX_FD_GROWTH);
      expect(after.pcscdFds - before.pcscdFds).toBeLessThanOrEqual(MAX_FD_GROWTH);
      // While cycling, at most the client's own handles are open on top of the baseline.
      expect(peakSelfFds - before.selfFds).toBeLessThanOrEqual(MAX_FD_GROWTH + 10);
      expect(peakPcscdFds - before.pcscdFds).toBeLessThanOrEqual(MAX_FD_GROWTH + 10);
      // Heap: a one-time step after the warm-up under 4 MB, no trend from the first sample on.
      expect(after.heap - before.heap).toBeLessThan(4 * 1024 * 1024);
      expect(after.heap - samples[0]!.heap).toBeLessThan(2 * 1024 * 1024);
    },
    LONG ? 1_800_000 : 300_000,
  );
});
