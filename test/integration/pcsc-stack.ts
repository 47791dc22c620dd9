/**
 * The real PC/SC stack for integration tests: a private pcscd whose only reader is vsmartcard's
 * vpcd, started and stopped through the project's own scripts/pcscd/*.sh.
 *
 * Only one pcscd can run per machine (its socket path is fixed), so integration test files
 * never run in parallel: vitest.integration.config.ts starts the stack once (global-setup.ts)
 * and runs the files one after the other.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const SCRIPTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../scripts/pcscd');

/** Where Debian puts the daemon and the vpcd driver (the paths start-pcscd.sh uses). */
const PCSCD_BIN = '/usr/sbin/pcscd';
const VPCD_DRIVER = '/usr/lib/pcsc/drivers/serial/libifdvpcd.so';

/** A running stack, as reported by start-pcscd.sh. Plain data: vitest passes it to test files. */
export interface PcscStack {
  /** pid of the pcscd we started (stop-pcscd.sh stops exactly this one). */
  readonly pid: number;
  /** Address the virtual card connects to: 127.0.0.2 when the quick-ACK route is active. */
  readonly vpcdHost: string;
  readonly vpcdPort: number;
  /** PC/SC reader name of vpcd slot 0. */
  readonly reader: string;
  /** State directory (pid file, pcscd.log, env file). */
  readonly labDir: string;
  /** true when this run created labDir (and removes it on stop). */
  readonly ownsLabDir: boolean;
  readonly pcscdLog: string;
  /** Whether the quick-ACK loopback route is in place (else ~40 ms per APDU). */
  readonly quickAck: boolean;
  /** Wall time of start-pcscd.sh until pcscd was ready. */
  readonly startMs: number;
}

/** Whether the stack can run here, and why not. */
export type PcscAvailability = { ok: true } | { ok: false; reason: string };

/** Cheap, synchronous checks: Linux, root, the Debian packages. (A running pcscd is found by start.) */
export function pcscAvailable(): PcscAvailability {
  if (process.platform !== 'linux') return { ok: false, reason: `needs Linux (this is ${process.platform})` };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'needs root: pcscd owns the fixed path /run/pcscd' };
  for (const [file, pkg] of [
    [PCSCD_BIN, 'pcscd'],
    [VPCD_DRIVER, 'vsmartcard-vpcd'],
  ] as const) {
    try {
      accessSync(file, constants.R_OK);
    } catch {
      return { ok: false, reason: `${file} missing (Debian package ${pkg}; run scripts/pcscd/install-deps.sh)` };
    }
  }
  return { ok: true };
}

/** Parse the `KEY=VALUE` lines of start-pcscd.sh (values may be double-quoted). */
export function parseKeyValues(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (!m) continue;
    const raw = m[2]!;
    out.set(m[1]!, raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw);
  }
  return out;
}

/** Failure of start-pcscd.sh, with its exit code (3 = another pcscd / port in use, 4 = prerequisite). */
export class PcscStackError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | undefined,
  ) {
    super(message);
    this.name = 'PcscStackError';
  }
}

/**
 * Start pcscd with a private state directory: `labDir`, else env `PCSC_LAB_DIR` (.ci/run sets it
 * so that its exit trap can stop a pcscd a crashed test run left behind), else a fresh temp dir.
 */
export async function startPcscStack(options: { labDir?: string } = {}): Promise<PcscStack> {
  const given = options.labDir ?? process.env['PCSC_LAB_DIR'];
  const labDir = given ?? mkdtempSync(path.join(tmpdir(), 'mynacard-pcscd-'));
  let stdout: string;
  try {
    ({ stdout } = await run('bash', [path.join(SCRIPTS, 'start-pcscd.sh')], {
      env: { ...process.env, PCSC_LAB_DIR: labDir },
      timeout: 30_000,
    }));
  } catch (err) {
    const e = err as { code?: unknown; stderr?: string; message: string };
    if (given === undefined) rmSync(labDir, { recursive: true, force: true });
    const exitCode = typeof e.code === 'number' ? e.code : undefined;
    throw new PcscStackError(`start-pcscd.sh failed: ${(e.stderr ?? '').trim() || e.message}`, exitCode);
  }
  const kv = parseKeyValues(stdout);
  const need = (key: string): string => {
    const v = kv.get(key);
    if (v === undefined) throw new PcscStackError(`start-pcscd.sh printed no ${key}:\n${stdout}`, undefined);
    return v;
  };
  return {
    pid: Number(need('PCSCD_PID')),
    vpcdHost: need('VPCD_HOST'),
    vpcdPort: Number(need('VPCD_PORT')),
    reader: need('VPCD_READER'),
    labDir: need('PCSC_LAB_DIR'),
    ownsLabDir: given === undefined,
    pcscdLog: need('PCSCD_LOG'),
    quickAck: need('PCSC_LAB_QUICKACK_ACTIVE') === '1',
    startMs: Number(need('PCSC_LAB_START_MS')),
  };
}

/** Stop exactly the pcscd of `stack` (by pid, via stop-pcscd.sh) and remove what it created. */
export async function stopPcscStack(stack: Pick<PcscStack, 'labDir' | 'ownsLabDir'>): Promise<string> {
  const { stdout } = await run('bash', [path.join(SCRIPTS, 'stop-pcscd.sh')], {
    env: { ...process.env, PCSC_LAB_DIR: stack.labDir },
    timeout: 30_000,
  });
  if (stack.ownsLabDir) rmSync(stack.labDir, { recursive: true, force: true });
  return stdout.trim();
}

/** Integration tests fail instead of skipping when the stack is missing on CI. */
export function isCi(): boolean {
  return process.env['CI'] === 'true';
}
