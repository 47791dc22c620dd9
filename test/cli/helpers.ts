/** Shared helpers of the CLI and example tests: in-memory streams, a fake terminal, a rig. */
import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { CliIo, CliReadable, CliWritable } from '../../src/cli/io.js';
import { runCli } from '../../src/cli/run.js';
import { VirtualMyNumberCard, type VirtualCardOptions } from '../../src/testing/index.js';
import type { Transport } from '../../src/transport/transport.js';

/** The fixed clock of the tests: inside the test leaves' validity (2025-04-01 – 2030-01-02). */
export const NOW = new Date('2026-04-01T00:00:00.000Z');

/** The virtual card's test secrets and holder. */
export const AUTH_PIN = '1234';
export const SIGN_PASSWORD = 'ABC123';
export const TEXT_PIN = '5678';
export const MY_NUMBER = '123456789018';
export const HOLDER_NAME = '由利　花子';
export const HOLDER_ADDRESS = '秋田県由利本荘市尾崎１７番地';
export const HOLDER_BIRTH_DATE = '1990-01-02';

/** A writable that records everything (as text and as bytes). */
export class MemoryWritable implements CliWritable {
  readonly chunks: Uint8Array[] = [];
  readonly isTTY: boolean;

  constructor(isTTY = false) {
    this.isTTY = isTTY;
  }

  write(chunk: string | Uint8Array): boolean {
    this.chunks.push(typeof chunk === 'string' ? new TextEncoder().encode(chunk) : Uint8Array.from(chunk));
    return true;
  }

  get bytes(): Uint8Array {
    return Uint8Array.from(Buffer.concat(this.chunks));
  }

  get text(): string {
    return new TextDecoder().decode(this.bytes);
  }
}

/**
 * A fake terminal on stdin: raw mode is recorded, and each time a reader attaches a `data`
 * listener the next queued keystroke string is delivered (one string per prompt).
 */
export class FakeTty extends EventEmitter implements CliReadable {
  readonly isTTY = true;
  readonly rawModes: boolean[] = [];
  readonly #keystrokes: string[];

  constructor(keystrokes: readonly string[]) {
    super();
    this.#keystrokes = [...keystrokes];
    this.on('newListener', (event: string) => {
      if (event !== 'data') return;
      const next = this.#keystrokes.shift();
      if (next !== undefined) setImmediate(() => this.emit('data', Buffer.from(next, 'latin1')));
    });
  }

  setRawMode(mode: boolean): this {
    this.rawModes.push(mode);
    return this;
  }

  resume(): this {
    return this;
  }

  pause(): this {
    return this;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<string | Uint8Array> {
    // A terminal is never read as a stream by these tests.
  }
}

/** A transport over `card` whose `close` leaves the card usable (so a test can run the CLI twice). */
export function sharedTransport(card: VirtualMyNumberCard): Transport & { roots: VirtualMyNumberCard['roots'] } {
  return { transmit: (command) => card.transmit(command), roots: card.roots };
}

/** Options of {@link runWith}. */
export interface RunOptions {
  readonly env?: Readonly<Record<string, string>>;
  /** `--pin-stdin` input (a non-terminal stream). */
  readonly stdin?: string;
  /** A fake terminal instead (keystrokes per prompt). */
  readonly tty?: FakeTty;
  /** Options of the virtual card `--simulator` uses, or the card itself. */
  readonly card?: VirtualCardOptions | VirtualMyNumberCard;
  readonly cwd?: string;
  readonly stdoutTty?: boolean;
  readonly stderrTty?: boolean;
  readonly signal?: AbortSignal;
  /** `false`: no simulator hook, so the CLI builds its own virtual card (as in production). */
  readonly hook?: boolean;
}

/** The outcome of one in-process run. */
export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  readonly stdoutBytes: Uint8Array;
  /** The virtual card the run used (for log and counter assertions). */
  readonly card: VirtualMyNumberCard | undefined;
}

/** An in-memory {@link CliIo} and what it recorded. */
export interface TestIo {
  readonly io: CliIo;
  readonly stdout: MemoryWritable;
  readonly stderr: MemoryWritable;
  /** The virtual card the simulator hook created (or was given), once used. */
  card(): VirtualMyNumberCard | undefined;
}

/** Build an in-memory io with the fixed clock, English locale and no LANG variables. */
export function makeIo(options: RunOptions = {}): TestIo {
  const stdout = new MemoryWritable(options.stdoutTty ?? false);
  const stderr = new MemoryWritable(options.stderrTty ?? false);
  let card: VirtualMyNumberCard | undefined = options.card instanceof VirtualMyNumberCard ? options.card : undefined;
  const cardOptions = options.card instanceof VirtualMyNumberCard ? undefined : options.card;
  const io: CliIo = {
    stdin: options.tty ?? (Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]) as unknown as CliReadable),
    stdout,
    stderr,
    env: options.env ?? {},
    now: () => NOW,
    locale: 'en-US',
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.hook === false
      ? {}
      : {
          simulator: async () => {
            card ??= await VirtualMyNumberCard.create(cardOptions ?? {});
            return sharedTransport(card);
          },
        }),
  };
  return { io, stdout, stderr, card: () => card };
}

/** Run the CLI in-process with {@link makeIo}. */
export async function runWith(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const test = makeIo(options);
  const code = await runCli(argv, test.io);
  return { code, stdout: test.stdout.text, stderr: test.stderr.text, stdoutBytes: test.stdout.bytes, card: test.card() };
}

/** A fresh temporary directory, removed by the returned cleanup. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'mynacard-cli-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}
