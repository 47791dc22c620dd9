/**
 * A scripted stand-in for the `pcsc-mini` module: readers whose state the test sets, cards
 * whose answers the test scripts, and a record of every native call. Like pcsc-mini, a second
 * call on a handle while one is running throws `CardIsBusy` synchronously.
 */
import { EventEmitter } from 'node:events';
import type {
  PcscMiniCard,
  PcscMiniCardState,
  PcscMiniClient,
  PcscMiniModule,
  PcscMiniReader,
  PcscMiniTransaction,
} from '../../src/pcsc/pcsc-mini.js';

export const EMPTY = 0x10;
export const PRESENT = 0x20;
export const MUTE = 0x200;
export const IN_USE = 0x100;
export const EXCLUSIVE = 0x80;
/** Raw state with pcsc-lite's event counter in the upper 16 bits. */
export const state = (flags: number, counter = 0): number => ((counter << 16) | flags) >>> 0;

export class PcscError extends Error {
  constructor(readonly code: string) {
    super(`[ ${code} ] - Error in native function`);
  }
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** What a scripted card does with one call. */
export type Answer = Uint8Array | PcscError | Deferred<Uint8Array> | (() => Uint8Array | Promise<Uint8Array>);

export class FakeCard implements PcscMiniCard {
  busy = false;
  disconnected = false;
  readonly buffers: number[] = [];
  readonly commands: Uint8Array[] = [];
  /** Answers to transmit, in order; afterwards `defaultAnswer`. */
  readonly answers: Answer[] = [];
  defaultAnswer: Answer = Uint8Array.of(0x90, 0x00);
  /** Results of state(): an error code, or a status (default present). */
  stateResults: Array<PcscError | number> = [];
  atr = Uint8Array.of(0x3b, 0xe0, 0x00, 0xff, 0x81, 0x31, 0xfe, 0x45, 0x14);
  protocolCode = 2;
  /** Scripted outcomes of transaction(), in order; afterwards it succeeds at once. */
  readonly begins: Array<PcscError | Deferred<void>> = [];
  /** Scripted outcomes of end(), in order; afterwards it succeeds. */
  readonly ends: PcscError[] = [];
  reconnectResult: PcscError | undefined;
  disconnectResult: PcscError | undefined;
  /** The last response view handed out (to check it was wiped). */
  lastView: Uint8Array | undefined;

  constructor(
    readonly world: FakeWorld,
    readonly reader: string,
  ) {}

  #enter(name: string): void {
    if (this.busy) throw new PcscError('CardIsBusy');
    if (this.disconnected) throw new PcscError('NoCardConnection');
    this.busy = true;
    this.world.calls.push(`${name}`);
  }

  async #run<T>(name: string, body: () => Promise<T>): Promise<T> {
    this.#enter(name);
    try {
      await Promise.resolve();
      return await body();
    } finally {
      this.busy = false;
    }
  }

  transmit(input: Uint8Array, outputBuffer?: ArrayBuffer): Promise<Uint8Array> {
    return this.#run('transmit', async () => {
      this.buffers.push(outputBuffer?.byteLength ?? -1);
      this.commands.push(input.slice());
      const answer = this.answers.shift() ?? this.defaultAnswer;
      let bytes: Uint8Array;
      if (answer instanceof PcscError) throw answer;
      if (answer instanceof Uint8Array) bytes = answer;
      else if (typeof answer === 'function') bytes = await answer();
      else bytes = await answer.promise;
      const out = outputBuffer ? new Uint8Array(outputBuffer, 0, bytes.length) : new Uint8Array(bytes.length);
      out.set(bytes);
      this.lastView = out;
      return out;
    });
  }

  state(): Promise<PcscMiniCardState> {
    return this.#run('state', async () => {
      const next = this.stateResults.shift() ?? 0x4 | 0x10 | 0x20;
      if (next instanceof PcscError) throw next;
      return { atr: this.atr.slice(), protocol: this.protocolCode, readerName: this.reader, status: { raw: next } };
    });
  }

  protocol(): number {
    return this.protocolCode;
  }

  transaction(): Promise<PcscMiniTransaction> {
    return this.#run('begin', async () => {
      const next = this.begins.shift();
      if (next instanceof PcscError) throw next;
      if (next) await next.promise;
      return {
        end: (disposition: number) =>
          this.#run(`end:${disposition}`, async () => {
            const failure = this.ends.shift();
            if (failure) throw failure;
          }),
      };
    });
  }

  reconnect(mode: number, disposition: number): Promise<number> {
    return this.#run(`reconnect:${mode}:${disposition}`, async () => {
      if (this.reconnectResult) throw this.reconnectResult;
      return this.protocolCode;
    });
  }

  disconnect(disposition: number): Promise<void> {
    return this.#run(`disconnect:${disposition}`, async () => {
      this.disconnected = true;
      if (this.disconnectResult) throw this.disconnectResult;
    });
  }
}

class FakeReader extends EventEmitter implements PcscMiniReader {
  constructor(
    readonly world: FakeWorld,
    readonly readerName: string,
  ) {
    super();
  }

  name(): string {
    return this.readerName;
  }

  async connect(mode: number, protocol?: number): Promise<PcscMiniCard> {
    this.world.calls.push(`connect:${this.readerName}:${mode}:${protocol ?? 'default'}`);
    await Promise.resolve();
    const failure = this.world.connectFailures.shift();
    if (failure) throw failure;
    const raw = this.world.readers.get(this.readerName) ?? 0;
    if ((raw & PRESENT) === 0) throw new PcscError('NoSmartCard');
    const card = this.world.nextCard?.() ?? new FakeCard(this.world, this.readerName);
    this.world.cards.push(card);
    return card;
  }
}

class FakeClient extends EventEmitter implements PcscMiniClient {
  readonly readers = new Map<string, FakeReader>();
  running = false;

  constructor(readonly world: FakeWorld) {
    super();
    world.clients.push(this);
  }

  start(): this {
    if (this.world.startError) throw this.world.startError;
    this.running = true;
    this.world.calls.push('client.start');
    // pcsc-mini reports the readers present at start from its monitor thread, i.e. later.
    setImmediate(() => {
      for (const [name, raw] of this.world.readers) this.report(name, raw);
    });
    return this;
  }

  stop(): void {
    this.world.calls.push('client.stop');
    this.world.stopTimes.push(Date.now());
    this.running = false;
    for (const reader of this.readers.values()) {
      reader.emit('disconnect');
      reader.removeAllListeners();
    }
    this.readers.clear();
  }

  report(name: string, raw: number | undefined): void {
    if (!this.running) return;
    if (raw === undefined) {
      const reader = this.readers.get(name);
      if (!reader) return;
      this.readers.delete(name);
      reader.emit('disconnect');
      reader.removeAllListeners();
      return;
    }
    let reader = this.readers.get(name);
    if (!reader) {
      reader = new FakeReader(this.world, name);
      this.readers.set(name, reader);
      this.emit('reader', reader);
    }
    // The 0.1.3 event ATR is garbage; the transport must never use it.
    reader.emit('change', { raw }, Uint8Array.of(0x25, 0, 0, 0));
  }

  fail(code: string): void {
    this.running = false;
    this.emit('error', new PcscError(code));
  }
}

/** The whole fake PC/SC service. */
export class FakeWorld {
  readonly readers = new Map<string, number>();
  readonly clients: FakeClient[] = [];
  readonly cards: FakeCard[] = [];
  readonly calls: string[] = [];
  readonly stopTimes: number[] = [];
  readonly connectFailures: PcscError[] = [];
  startError: PcscError | undefined;
  nextCard: (() => FakeCard) | undefined;

  readonly module: PcscMiniModule = {
    Client: class {
      constructor() {
        // Replaced below: a constructor bound to this world.
      }
    } as unknown as PcscMiniModule['Client'],
  };

  constructor(readers: Record<string, number> = {}) {
    for (const [name, raw] of Object.entries(readers)) this.readers.set(name, raw);
    const world = this;
    (this.module as { Client: PcscMiniModule['Client'] }).Client = class extends FakeClient {
      constructor() {
        super(world);
      }
    };
  }

  /** The running client, if any. */
  get client(): FakeClient | undefined {
    return [...this.clients].reverse().find((c) => c.running);
  }

  /** Change a reader's state (undefined = the reader is unplugged) and report it. */
  set(name: string, raw: number | undefined): void {
    if (raw === undefined) this.readers.delete(name);
    else this.readers.set(name, raw);
    this.client?.report(name, raw);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Hex of bytes, upper case. */
export const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();
export const bytes = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
