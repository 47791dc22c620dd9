/**
 * One long-lived pcsc-mini `Client` (the reader monitor) per context, started on first use,
 * reference-counted, and stopped safely after the last user lets go.
 *
 * pcsc-mini 0.1.3 `Client.stop()` cancels and joins its monitor thread synchronously; called
 * while that thread is between two SCardGetStatusChange calls (right after a reader event) it
 * can block the JS thread for good. So `stop()` only runs once no reader event came for
 * `stopSettleMs` (≥ 250 ms: 0 hangs in 70 lab runs). The client's thread-safe callbacks keep
 * Node's event loop alive while it runs; after the stop nothing of ours does.
 * @packageDocumentation
 */
import { InvalidArgumentError, MynacardError, PcscServiceError, TimeoutError } from '../errors.js';
import { mapPcscError } from './errors.js';
import { abortError } from '../mutex.js';
import { isolatedPcscMini } from './isolated/module.js';
import { loadFailure, loadPcscMini, type PcscMiniClient, type PcscMiniModule, type PcscMiniReader } from './pcsc-mini.js';

/** Smallest allowed settle pause before `Client.stop()` (pcsc-lab gotcha 8). */
export const MIN_STOP_SETTLE_MS = 250;
/** Default settle pause before `Client.stop()`. */
export const DEFAULT_STOP_SETTLE_MS = 300;
/** Initial enumeration: the monitor reports every reader at once; this much quiet means done. */
const ENUMERATION_QUIET_MS = 20;
/** Initial enumeration: give up waiting for a first reader after this long (no reader attached). */
const ENUMERATION_MAX_MS = 300;
const ENUMERATION_POLL_MS = 10;

/**
 * pcsc-mini clients whose PC/SC context died with pcscd, kept reachable for the life of the
 * process.
 *
 * pcsc-mini 0.1.3 gives each native client a finalizer that releases its context
 * (SCardCancel + SCardReleaseContext) and, when that fails, throws "Error in async finalizer
 * callback for *Client" from the garbage collector: an uncaught exception in the host
 * application. Once pcscd has gone, that release fails for good (`NoService` while it is
 * away; `InvalidHandle` after it is back, since the client library forgot the context), and an
 * explicit `stop()` fails the same way without marking the client stopped, so the finalizer
 * would still throw. The only safe thing is to never let such a client be collected. A
 * library must not install a process-wide `uncaughtException` handler instead. Cost: one small
 * native object per pcscd outage that this process lived through.
 */
const retiredClients = new Set<PcscMiniClient>();

/** How many dead clients this process holds (diagnostics and tests). */
export function retiredClientCount(): number {
  return retiredClients.size;
}

/** What a context hears from the monitor. */
export type ReaderChange =
  | { readonly type: 'status'; readonly name: string; readonly raw: number; readonly previous: number | undefined }
  | { readonly type: 'reader-removed'; readonly name: string; readonly previous: number | undefined }
  | { readonly type: 'error'; readonly error: MynacardError };

/** A reader the monitor knows, with its last raw SCARD_STATE_* mask. */
export interface KnownReader {
  readonly reader: PcscMiniReader;
  readonly raw: number | undefined;
}

/** A claim on the running client; `release()` is idempotent. */
export interface ClientLease {
  readonly module: PcscMiniModule;
  release(): void;
}

/** Where pcsc-mini comes from: the module itself or a loader. Default: `import('pcsc-mini')`. */
export type PcscMiniSource = PcscMiniModule | (() => Promise<PcscMiniModule>);

/** Options of the client manager (see `PcscContextOptions`). */
export interface ClientManagerOptions {
  readonly pcscMini?: PcscMiniSource | undefined;
  readonly stopSettleMs?: number | undefined;
  readonly isolation?: PcscIsolation | undefined;
  readonly hostPath?: string | undefined;
}

/**
 * Where pcsc-mini's native addon runs: `'process'` (default) in a host process of its own that
 * the SDK ends with SIGKILL, or `'in-process'` in this process (pcsc-mini's `Client.stop()` can
 * then block the JS thread for good in rare races; see `isolated/host.ts`).
 */
export type PcscIsolation = 'process' | 'in-process';

/** The reference-counted pcsc-mini client of one context. Internal. */
export class ClientManager {
  readonly #source: PcscMiniSource;
  readonly #settleMs: number;
  #module: Promise<PcscMiniModule> | undefined;
  #client: PcscMiniClient | undefined;
  #starting: Promise<void> | undefined;
  #refs = 0;
  #stopTimer: ReturnType<typeof setTimeout> | undefined;
  #lastEventAt = 0;
  /** Why the last client died (the monitor's error). */
  #failure: MynacardError | undefined;
  #startedAt = 0;
  #sawReader = false;
  readonly #readers = new Map<string, { reader: PcscMiniReader; raw: number | undefined }>();
  readonly #listeners = new Set<(change: ReaderChange) => void>();
  /** How many times `Client.stop()` ran (diagnostics and tests). */
  stops = 0;

  constructor(options: ClientManagerOptions = {}) {
    const settle = options.stopSettleMs ?? DEFAULT_STOP_SETTLE_MS;
    if (!Number.isFinite(settle) || settle < MIN_STOP_SETTLE_MS) {
      throw new InvalidArgumentError(`stopSettleMs must be a number ≥ ${MIN_STOP_SETTLE_MS}`);
    }
    this.#settleMs = settle;
    const isolation = options.isolation ?? 'process';
    if (isolation !== 'process' && isolation !== 'in-process') {
      throw new InvalidArgumentError("isolation must be 'process' or 'in-process'");
    }
    const hostPath = options.hostPath;
    this.#source = options.pcscMini ?? (isolation === 'in-process' ? loadPcscMini : async () => isolatedPcscMini({ hostPath }));
  }

  /** Whether a pcsc-mini client is running. */
  get running(): boolean {
    return this.#client !== undefined;
  }

  /** Current users of the client. */
  get references(): number {
    return this.#refs;
  }

  /** Readers the monitor reported, by name. */
  readers(): ReadonlyMap<string, KnownReader> {
    return this.#readers;
  }

  /** Hear reader changes until the returned function is called. */
  subscribe(listener: (change: ReaderChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Resolve with the first defined value of `check()`, evaluated now and after every reader
   * change. Rejects with `TimeoutError` after `timeoutMs`, `AbortedError` when `signal` aborts,
   * or the monitor's error (`PcscServiceError`, …) when it stops.
   */
  waitUntil<T>(
    check: () => T | undefined,
    options: {
      readonly timeoutMs?: number | undefined;
      readonly signal?: AbortSignal | undefined;
      readonly what: string;
      /** The caller's whole budget, for the message (default `timeoutMs`). */
      readonly budgetMs?: number | undefined;
    },
  ): Promise<T> {
    const { timeoutMs, signal, what } = options;
    const budget = options.budgetMs ?? timeoutMs;
    if (signal?.aborted) return Promise.reject(abortError(signal, `Aborted while waiting for ${what}`));
    const now = check();
    if (now !== undefined) return Promise.resolve(now);
    if (timeoutMs !== undefined && timeoutMs <= 0) {
      return Promise.reject(new TimeoutError(`No ${what} within ${budget} ms`));
    }
    return new Promise<T>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const finish = (settle: () => void): void => {
        unsubscribe();
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        settle();
      };
      const onAbort = (): void => finish(() => reject(abortError(signal, `Aborted while waiting for ${what}`)));
      const unsubscribe = this.subscribe((change) => {
        if (change.type === 'error') {
          finish(() => reject(change.error));
          return;
        }
        let value: T | undefined;
        try {
          value = check();
        } catch (error) {
          finish(() => reject(error));
          return;
        }
        if (value !== undefined) finish(() => resolve(value));
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      if (timeoutMs !== undefined && Number.isFinite(timeoutMs)) {
        timer = setTimeout(() => finish(() => reject(new TimeoutError(`No ${what} within ${budget} ms`))), timeoutMs);
      }
    });
  }

  /**
   * Start (or keep) the client and count one more user. Resolves once the readers present at
   * start were reported, or (`enumerated: false`, for callers that wait for reader changes
   * anyway) as soon as the client runs.
   *
   * @throws PcscServiceError when pcsc-mini or the PC/SC service is missing
   */
  async acquire(options: { readonly enumerated?: boolean } = {}): Promise<ClientLease> {
    this.#refs++;
    this.#cancelStop();
    try {
      const module = await this.#ensureStarted(options.enumerated !== false);
      // The monitor failed while this caller waited for the start (pcscd stopped during the
      // enumeration): a lease on a dead client would never hear of it.
      if (this.#client === undefined) throw this.#diedWhileStarting();
      let released = false;
      return {
        module,
        release: () => {
          if (released) return;
          released = true;
          this.#release();
        },
      };
    } catch (error) {
      this.#release();
      throw error;
    }
  }

  /** Why a client that the caller was waiting for is gone: the monitor's error, if it had one. */
  #diedWhileStarting(): MynacardError {
    return this.#failure ?? new PcscServiceError('The PC/SC reader monitor stopped while starting');
  }

  #release(): void {
    this.#refs--;
    if (this.#refs === 0) this.#scheduleStop(this.#settleMs);
  }

  async #ensureStarted(enumerated: boolean): Promise<PcscMiniModule> {
    const module = await this.#loadModule();
    if (this.#client === undefined && this.#starting === undefined) {
      const started = this.#start(module);
      const starting = started.then((client) => this.#initialEnumeration(client)).finally(() => (this.#starting = undefined));
      starting.catch(() => undefined); // awaited below or by the next caller; never unhandled
      this.#starting = starting;
      if (!enumerated) {
        await started;
        return module;
      }
    }
    if (this.#starting && (enumerated || this.#client === undefined)) await this.#starting;
    return module;
  }

  #loadModule(): Promise<PcscMiniModule> {
    if (!this.#module) {
      const source = this.#source;
      this.#module = (typeof source === 'function' ? source() : Promise.resolve(source)).catch((error: unknown) => {
        this.#module = undefined; // let a later call try again (e.g. after installing)
        throw error instanceof MynacardError ? error : loadFailure(error);
      });
    }
    return this.#module;
  }

  async #start(module: PcscMiniModule): Promise<PcscMiniClient> {
    const client = new module.Client();
    client.on('reader', (reader) => this.#onReader(client, reader));
    client.on('error', (error) => this.#onError(client, error));
    this.#sawReader = false;
    this.#startedAt = this.#lastEventAt = Date.now();
    this.#client = client;
    try {
      client.start();
      // A client whose start completes later (the isolated host process) says when it has.
      const ready = (client as { readonly ready?: Promise<unknown> }).ready;
      if (ready !== undefined) {
        await ready;
        if (this.#client !== client) throw this.#diedWhileStarting();
        this.#startedAt = this.#lastEventAt = Date.now();
      }
    } catch (error) {
      if (this.#client === client) this.#client = undefined;
      throw mapPcscError(error, 'connecting to the PC/SC service');
    }
    return client;
  }

  /** The monitor reports the readers present at start in one burst; wait for it to end. */
  async #initialEnumeration(client: PcscMiniClient): Promise<void> {
    for (;;) {
      if (this.#client !== client) return;
      const now = Date.now();
      if (this.#sawReader && now - this.#lastEventAt >= ENUMERATION_QUIET_MS) return;
      if (!this.#sawReader && now - this.#startedAt >= ENUMERATION_MAX_MS) return;
      await new Promise((resolve) => setTimeout(resolve, ENUMERATION_POLL_MS));
    }
  }

  #onReader(client: PcscMiniClient, reader: PcscMiniReader): void {
    if (client !== this.#client) return;
    const name = reader.name();
    this.#lastEventAt = Date.now();
    this.#sawReader = true;
    this.#readers.set(name, { reader, raw: undefined });
    reader.on('change', (status) => {
      this.#lastEventAt = Date.now();
      const entry = this.#readers.get(name);
      if (entry === undefined || entry.reader !== reader) return;
      const previous = entry.raw;
      entry.raw = status.raw;
      this.#emit({ type: 'status', name, raw: status.raw, previous });
    });
    reader.on('disconnect', () => {
      this.#lastEventAt = Date.now();
      const entry = this.#readers.get(name);
      if (entry === undefined || entry.reader !== reader) return;
      this.#readers.delete(name);
      this.#emit({ type: 'reader-removed', name, previous: entry.raw });
    });
  }

  /** The monitor thread ended with an error (pcscd stopped, …): drop this client. */
  #onError(client: PcscMiniClient, error: unknown): void {
    retiredClients.add(client); // whether or not it is still ours: its context is dead
    if (client !== this.#client) return;
    this.#client = undefined;
    this.#cancelStop();
    const readers = [...this.#readers.entries()];
    this.#readers.clear();
    for (const [name, entry] of readers) this.#emit({ type: 'reader-removed', name, previous: entry.raw });
    this.#failure = mapPcscError(error, 'watching the readers');
    this.#emit({ type: 'error', error: this.#failure });
    // No stop(): the monitor thread has ended and released its callbacks (nothing keeps the
    // process alive), and with pcscd gone stop() can only fail (see `retiredClients`).
  }

  #emit(change: ReaderChange): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch {
        // A listener's failure is its own; the others still hear the change.
      }
    }
  }

  #cancelStop(): void {
    if (this.#stopTimer !== undefined) clearTimeout(this.#stopTimer);
    this.#stopTimer = undefined;
  }

  #scheduleStop(delay: number): void {
    this.#cancelStop();
    if (this.#client === undefined && this.#starting === undefined) return;
    this.#stopTimer = setTimeout(() => this.#maybeStop(), Math.max(delay, 0));
  }

  /** Stop only after `settleMs` without reader events (see the module documentation). */
  #maybeStop(): void {
    this.#stopTimer = undefined;
    if (this.#refs > 0) return;
    if (this.#starting !== undefined) {
      this.#scheduleStop(this.#settleMs);
      return;
    }
    const client = this.#client;
    if (client === undefined) return;
    const quietFor = Date.now() - this.#lastEventAt;
    if (quietFor < this.#settleMs) {
      this.#scheduleStop(this.#settleMs - quietFor);
      return;
    }
    this.#client = undefined;
    this.#readers.clear();
    this.#stopClient(client);
  }

  #stopClient(client: PcscMiniClient): void {
    this.stops++;
    try {
      client.stop();
    } catch {
      // The service went away under us: the context cannot be released any more, and the
      // finalizer would throw the same error from the garbage collector.
      retiredClients.add(client);
    }
  }
}
