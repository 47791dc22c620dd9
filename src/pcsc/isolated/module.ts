/**
 * A pcsc-mini module whose native work runs in a separate host process (`host.ts`): the same
 * shapes (`Client`, readers, cards, transactions) as pcsc-mini, so the rest of `mynacard/pcsc`
 * does not know the difference. `Client.stop()` ends the host with SIGKILL, which cannot hang
 * (pcsc-mini's own stop can) and leaves no native finalizer behind in this process.
 * @packageDocumentation
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PcscServiceError } from '../../errors.js';
import type {
  PcscMiniCard,
  PcscMiniCardState,
  PcscMiniClient,
  PcscMiniModule,
  PcscMiniReader,
  PcscMiniStatus,
  PcscMiniTransaction,
} from '../pcsc-mini.js';
import { fromWireError, type ConnectValue, type HostEvent, type HostReply, type HostRequest, type StateValue } from './protocol.js';

/** A request without its id (distributes over the union, unlike `Omit`). */
type Unsent<T> = T extends unknown ? Omit<T, 'id'> : never;

/** Where the host program is, next to this module in `dist/` or in `src/` (run through tsx). */
export function defaultHostPath(): { path: string; execArgv: string[] } | undefined {
  const here = import.meta.url;
  const candidates: Array<[string, string[]]> = [
    ['./host.js', []],
    ['./pcsc/host.js', []],
    ['../pcsc/host.js', []],
    ['./host.ts', ['--import', 'tsx']],
  ];
  for (const [relative, execArgv] of candidates) {
    const path = fileURLToPath(new URL(relative, here));
    if (existsSync(path)) return { path, execArgv };
  }
  return undefined;
}

/** Options of {@link isolatedPcscMini}. */
export interface IsolatedPcscMiniOptions {
  /** The host program (default: the `pcsc/host.js` shipped beside this module). */
  readonly hostPath?: string | undefined;
  /** Node options for the host (default none; `['--import', 'tsx']` for a `.ts` host). */
  readonly execArgv?: readonly string[] | undefined;
}

/** The host reports a missing or unloadable pcsc-mini as a `PcscServiceError`: keep that class here. */
function asSdkError(error: Error & { code?: string }): Error {
  return error.name === 'PcscServiceError' ? new PcscServiceError(error.message) : error;
}

/** The error every pending and later call gets once the host is gone. */
function hostGone(detail: string): Error & { code: string } {
  return Object.assign(new Error(`The PC/SC host process ended (${detail})`), { code: 'HostExited' });
}

/** One host process: requests with replies, and the monitor's events. */
class Host {
  readonly #child: ChildProcess;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: unknown) => void }>();
  #nextId = 1;
  #gone: (Error & { code?: string }) | undefined;
  #stderr = '';
  onEvent: (event: HostEvent) => void = () => undefined;
  onExit: (error: Error & { code?: string }) => void = () => undefined;

  constructor(path: string, execArgv: readonly string[]) {
    this.#child = fork(path, [], {
      execArgv: [...execArgv],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.#child.stderr?.setEncoding('utf8');
    this.#child.stderr?.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-2000);
    });
    this.#child.on('message', (message: HostReply | HostEvent) => {
      if ('id' in message) {
        const pending = this.#pending.get(message.id);
        if (pending === undefined) return;
        this.#pending.delete(message.id);
        if (message.ok) pending.resolve(message.value);
        else pending.reject(fromWireError(message.error));
      } else {
        this.onEvent(message);
      }
    });
    this.#child.on('error', (error) => this.#end(hostGone(error.message)));
    this.#child.on('exit', (code, signal) => {
      const tail = this.#stderr.trim().split('\n').slice(-3).join(' | ');
      this.#end(hostGone(signal ? `signal ${signal}` : `exit code ${code}${tail ? `: ${tail}` : ''}`));
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  request<T>(message: Unsent<HostRequest>): Promise<T> {
    if (this.#gone) return Promise.reject(this.#gone);
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#child.send({ ...message, id } as HostRequest, (error) => {
        if (error && this.#pending.delete(id)) reject(hostGone(error.message));
      });
    });
  }

  /** End the host now (SIGKILL: no finalizer, no stop, cannot block). */
  kill(reason: string): void {
    if (this.#gone) return;
    this.#end(hostGone(reason));
    this.#child.kill('SIGKILL');
  }

  #end(error: Error & { code?: string }): void {
    if (this.#gone) return;
    this.#gone = error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    this.onExit(error);
  }
}

class IsolatedTransaction implements PcscMiniTransaction {
  constructor(
    readonly host: Host,
    readonly id: number,
  ) {}
  end(disposition: number): Promise<void> {
    return this.host.request({ op: 'end', transaction: this.id, disposition });
  }
}

class IsolatedCard implements PcscMiniCard {
  #protocol: number;
  constructor(
    readonly host: Host,
    readonly id: number,
    protocol: number,
    readonly onClose: () => void,
  ) {
    this.#protocol = protocol;
  }
  transmit(input: Uint8Array): Promise<Uint8Array> {
    return this.host.request({ op: 'transmit', card: this.id, data: input });
  }
  async state(): Promise<PcscMiniCardState> {
    const state = await this.host.request<StateValue>({ op: 'state', card: this.id });
    return { atr: state.atr, protocol: state.protocol, readerName: state.readerName, status: { raw: state.raw } };
  }
  protocol(): number {
    return this.#protocol;
  }
  async transaction(): Promise<PcscMiniTransaction> {
    return new IsolatedTransaction(this.host, await this.host.request<number>({ op: 'begin', card: this.id }));
  }
  async reconnect(mode: number, disposition: number): Promise<number> {
    this.#protocol = await this.host.request<number>({ op: 'reconnect', card: this.id, mode, disposition });
    return this.#protocol;
  }
  async disconnect(disposition: number): Promise<void> {
    try {
      await this.host.request({ op: 'disconnect', card: this.id, disposition });
    } finally {
      this.onClose();
    }
  }
}

class IsolatedReader extends EventEmitter implements PcscMiniReader {
  constructor(
    readonly client: IsolatedClient,
    readonly id: number,
    readonly readerName: string,
  ) {
    super();
  }
  name(): string {
    return this.readerName;
  }
  connect(mode: number, protocol?: number): Promise<PcscMiniCard> {
    return this.client.connect(this.id, mode, protocol);
  }
}

class IsolatedClient extends EventEmitter implements PcscMiniClient {
  readonly #options: { path: string; execArgv: readonly string[] };
  #host: Host | undefined;
  readonly #readers = new Map<number, IsolatedReader>();
  #openCards = 0;
  #dead = false;

  constructor(options: { path: string; execArgv: readonly string[] }) {
    super();
    this.#options = options;
  }

  /** The host's pid while it runs (diagnostics and tests). */
  get hostPid(): number | undefined {
    return this.#host?.pid;
  }

  /**
   * Settles once the host's monitor runs (or failed to start: then rejects with the reason).
   * The SDK's client manager waits for it before it times the initial reader enumeration.
   */
  ready: Promise<void> | undefined;

  start(): this {
    if (this.#host) return this;
    const host = new Host(this.#options.path, this.#options.execArgv);
    this.#host = host;
    host.onEvent = (event) => this.#onEvent(event);
    host.onExit = (error) => {
      if (this.#host !== host) return; // stopped on purpose
      this.#failed(error);
    };
    this.ready = host.request<void>({ op: 'start' }).catch((error: Error & { code?: string }) => {
      // Not started: nothing to watch, nothing to keep.
      this.#dead = true;
      this.#reapIfDead();
      throw asSdkError(error);
    });
    return this;
  }

  stop(): void {
    const host = this.#host;
    if (!host) return;
    this.#host = undefined;
    host.kill('stopped');
    for (const reader of this.#readers.values()) {
      reader.emit('disconnect');
      reader.removeAllListeners();
    }
    this.#readers.clear();
  }

  async connect(reader: number, mode: number, protocol?: number): Promise<PcscMiniCard> {
    const host = this.#host;
    if (!host) throw hostGone('stopped');
    const value = await host.request<ConnectValue>({ op: 'connect', reader, mode, protocol });
    this.#openCards++;
    let closed = false;
    return new IsolatedCard(host, value.card, value.protocol, () => {
      if (closed) return;
      closed = true;
      this.#openCards--;
      this.#reapIfDead();
    });
  }

  #onEvent(event: HostEvent): void {
    switch (event.event) {
      case 'reader': {
        const reader = new IsolatedReader(this, event.reader, event.name);
        this.#readers.set(event.reader, reader);
        this.emit('reader', reader);
        return;
      }
      case 'change':
        this.#readers.get(event.reader)?.emit('change', { raw: event.raw } satisfies PcscMiniStatus, event.atr);
        return;
      case 'reader-gone': {
        const reader = this.#readers.get(event.reader);
        this.#readers.delete(event.reader);
        reader?.emit('disconnect');
        reader?.removeAllListeners();
        return;
      }
      case 'error':
        this.#failed(fromWireError(event.error));
        return;
    }
  }

  /** The monitor died (pcscd stopped …) or the host ended: report once, end the host once no card needs it. */
  #failed(error: Error & { code?: string }): void {
    if (this.#dead) return;
    this.#dead = true;
    this.emit('error', asSdkError(error));
    this.#reapIfDead();
  }

  #reapIfDead(): void {
    if (this.#dead && this.#openCards <= 0) this.#host?.kill('its reader monitor ended');
  }
}

/**
 * A pcsc-mini module that runs pcsc-mini in a host process (see the module documentation).
 * @throws PcscServiceError when the host program cannot be found
 */
export function isolatedPcscMini(options: IsolatedPcscMiniOptions = {}): PcscMiniModule {
  const found = options.hostPath !== undefined ? { path: options.hostPath, execArgv: [...(options.execArgv ?? [])] } : defaultHostPath();
  if (found === undefined) {
    throw new PcscServiceError(
      "The PC/SC host program (pcsc/host.js) was not found next to mynacard/pcsc: pass `hostPath`, or `isolation: 'in-process'`",
    );
  }
  const resolved = { path: found.path, execArgv: options.execArgv ?? found.execArgv };
  return {
    Client: class extends IsolatedClient {
      constructor() {
        super(resolved);
      }
    } as unknown as PcscMiniModule['Client'],
  };
}
