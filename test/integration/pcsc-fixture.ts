/**
 * Helpers of the PcscTransport integration tests: put a virtual card into vpcd's reader,
 * wait for pcscd to see a reader empty, and run child processes (another PC/SC application,
 * or an SDK user whose exit we watch).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { toHex } from '../../src/bytes.js';
import { listReaders } from '../../src/pcsc/index.js';
import type { VirtualMyNumberCard } from '../../src/testing/index.js';
import { connectToVpcd, type VpcdConnection } from '../../src/testing/vpcd.js';
import type { PcscStack } from './pcsc-stack.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** Insert `card` into vpcd slot 0 through the bridge (the card answers from this process). */
export function insertCard(stack: PcscStack, card: VirtualMyNumberCard): Promise<VpcdConnection> {
  return connectToVpcd(card, { host: stack.vpcdHost, port: stack.vpcdPort });
}

/** Poll the PC/SC service until `reader` reports a card (or no card). */
export async function waitForReader(reader: string, cardPresent: boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = (await listReaders()).find((r) => r.name === reader);
    if (found !== undefined && found.cardPresent === cardPresent) return;
    if (Date.now() > deadline) throw new Error(`reader "${reader}" did not become ${cardPresent ? 'present' : 'empty'}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The card's log as `COMMAND>SW` strings (PIN-carrying commands keep only their header). */
export function exchanges(card: VirtualMyNumberCard): string[] {
  return card.log.map((e) => `${toHex(e.command).toUpperCase()}>${toHex(e.response.subarray(e.response.length - 2)).toUpperCase()}`);
}

/** A child process speaking a line protocol on stdin/stdout. */
export class LineChild {
  readonly lines: string[] = [];
  readonly stderr: string[] = [];
  readonly exited: Promise<number | null>;
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #waiters: Array<{ prefix: string; resolve: (line: string) => void }> = [];

  constructor(args: readonly string[], env: NodeJS.ProcessEnv = process.env) {
    this.#child = spawn(process.execPath, args, { cwd: path.resolve(HERE, '../..'), env, stdio: 'pipe' });
    this.exited = new Promise((resolve) => this.#child.once('exit', (code) => resolve(code)));
    createInterface({ input: this.#child.stdout }).on('line', (line) => {
      this.lines.push(line);
      for (const w of [...this.#waiters]) {
        if (line.startsWith(w.prefix)) {
          this.#waiters.splice(this.#waiters.indexOf(w), 1);
          w.resolve(line);
        }
      }
    });
    createInterface({ input: this.#child.stderr }).on('line', (line) => this.stderr.push(line));
  }

  /** The pid of the child (it is killed by this pid only, in {@link kill}). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Resolve with the first line starting with `prefix` (already seen or to come). */
  waitForLine(prefix: string, timeoutMs = 20_000): Promise<string> {
    const seen = this.lines.find((l) => l.startsWith(prefix));
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`child printed no "${prefix}" within ${timeoutMs} ms; stdout ${JSON.stringify(this.lines)}, stderr ${JSON.stringify(this.stderr)}`)),
        timeoutMs,
      );
      this.#waiters.push({
        prefix,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      });
      void this.exited.then(() => {
        if (this.#waiters.some((w) => w.prefix === prefix)) {
          clearTimeout(timer);
          reject(new Error(`child exited without "${prefix}"; stdout ${JSON.stringify(this.lines)}, stderr ${JSON.stringify(this.stderr)}`));
        }
      });
    });
  }

  send(line: string): void {
    this.#child.stdin.write(`${line}\n`);
  }

  /** The exit code, or a failure if the process is still running after `timeoutMs` (then killed). */
  async exitCode(timeoutMs = 20_000): Promise<number | null | 'hung'> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const hung = new Promise<'hung'>((resolve) => (timer = setTimeout(() => resolve('hung'), timeoutMs)));
    const result = await Promise.race([this.exited, hung]);
    clearTimeout(timer);
    if (result === 'hung') this.kill();
    return result;
  }

  kill(): void {
    if (this.#child.exitCode === null) this.#child.kill('SIGKILL');
  }
}

/** Another PC/SC application (plain pcsc-mini): see pcsc-other-app.mjs. */
export function otherApplication(mode: 'hold' | 'try', reader: string, apduHex: string): LineChild {
  return new LineChild([path.join(HERE, 'pcsc-other-app.mjs'), mode, reader, apduHex]);
}

/** An SDK user in its own process: see pcsc-sdk-child.ts. */
export function sdkChild(mode: 'read' | 'no-service' | 'pcscd-stops', reader: string, env: NodeJS.ProcessEnv = process.env): LineChild {
  return new LineChild(['--import', 'tsx', path.join(HERE, 'pcsc-sdk-child.ts'), mode, reader], env);
}
