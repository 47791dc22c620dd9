/**
 * Readers: list them, wait for a card, connect, and watch insertions and removals.
 *
 * pcsc-mini 0.1.3 reports a wrong ATR with reader events, so events carry none unless asked
 * (`readAtr`), and then it is read from a short connection (SCardStatus).
 * @packageDocumentation
 */
import { CardRemovedError, InvalidArgumentError, ReaderUnavailableError, type MynacardError } from '../errors.js';
import type { ClientLease, ClientManager, ReaderChange } from './client.js';
import { abortError } from '../mutex.js';
import {
  CARD_MODE_SHARED,
  DISPOSITION,
  eventCounter,
  isCardPresent,
  isCardUsable,
  READER_STATUS,
  type PcscMiniReader,
} from './pcsc-mini.js';
import { openTransport } from './open.js';
import { checkTransportOptions, type PcscTransportOptions } from './options.js';
import type { PcscTransport } from './transport.js';
import type {
  ReaderEvent,
  ReaderEventType,
  ReaderInfo,
  ReaderMatcher,
  ReaderWatcher as SharedReaderWatcher,
} from '../transport/readers.js';

/** A reader and what is in it (the shape `mynacard/web-smart-card` shares). */
export interface PcscReaderInfo extends ReaderInfo {}

/** Which reader: its exact name, or a test on the name. */
export type PcscReaderMatcher = ReaderMatcher;

/** Options of `waitForCard`. */
export interface WaitForCardOptions extends PcscTransportOptions {
  /** The reader to wait on. Default: the first reader that has (or gets) a card. */
  readonly reader?: PcscReaderMatcher | undefined;
  /** Give up with `AbortedError`. */
  readonly signal?: AbortSignal | undefined;
  /** Give up with `TimeoutError` after this long. Default: wait for ever. */
  readonly timeoutMs?: number | undefined;
}

/** Kinds of {@link PcscReaderEvent}. */
export type PcscReaderEventType = ReaderEventType;

/** A reader or card coming or going (the shape `mynacard/web-smart-card` shares). */
export interface PcscReaderEvent extends ReaderEvent {}

/** Options of `watchReaders`. */
export interface WatchReadersOptions {
  /** End the iteration (the pending `next()` resolves done). */
  readonly signal?: AbortSignal | undefined;
  /**
   * Start with a `reader-added` (and `card-inserted`) event for each reader already there.
   * Default `true`.
   */
  readonly initial?: boolean | undefined;
  /** Read the ATR of each inserted card (a brief shared connection). Default `false`. */
  readonly readAtr?: boolean | undefined;
}

/** The iterator `watchReaders` returns; `close()` (or leaving a `for await` loop) ends it. */
export interface PcscReaderWatcher extends SharedReaderWatcher {}

/** Snapshot of the readers the PC/SC service knows. */
export async function listReadersWith(manager: ClientManager): Promise<PcscReaderInfo[]> {
  const lease = await manager.acquire();
  try {
    return [...manager.readers()].map(([name, { raw }]) => readerInfo(name, raw ?? 0));
  } finally {
    lease.release();
  }
}

function readerInfo(name: string, raw: number): PcscReaderInfo {
  return {
    name,
    cardPresent: isCardPresent(raw),
    mute: (raw & READER_STATUS.mute) !== 0,
    inUse: (raw & READER_STATUS.inUse) !== 0,
    exclusive: (raw & READER_STATUS.exclusive) !== 0,
  };
}

/** Connect (shared mode) to the card in the named reader, which must have one now. */
export async function connectWith(
  manager: ClientManager,
  reader: string,
  options: PcscTransportOptions = {},
): Promise<PcscTransport> {
  if (typeof reader !== 'string' || reader === '') throw new InvalidArgumentError('reader must be a non-empty name');
  checkTransportOptions(options);
  const lease = await manager.acquire();
  try {
    const known = manager.readers().get(reader);
    if (known === undefined) throw new ReaderUnavailableError(`No reader named "${reader}"`);
    if (!isCardPresent(known.raw)) throw new CardRemovedError(`No card in the reader "${reader}"`);
    return await openTransport(manager, lease, known.reader, options);
  } catch (error) {
    lease.release();
    throw error;
  }
}

/** Wait until a matching reader holds a usable card, then connect to it. */
export async function waitForCardWith(manager: ClientManager, options: WaitForCardOptions = {}): Promise<PcscTransport> {
  checkTransportOptions(options);
  const { reader, signal, timeoutMs } = options;
  const matches = matcher(reader);
  if (timeoutMs !== undefined && !(timeoutMs >= 0)) throw new InvalidArgumentError('timeoutMs must be ≥ 0');
  if (signal?.aborted) throw abortError(signal, 'Aborted while waiting for a card');
  const deadline = timeoutMs === undefined ? undefined : Date.now() + timeoutMs;
  // No need to wait for the whole enumeration: the wait below re-checks on every reader report.
  const lease = await manager.acquire({ enumerated: false });
  // Readers whose connect failed, with the state it failed in: skipped until their state changes.
  const failed = new Map<string, number | undefined>();
  try {
    for (;;) {
      const found = await manager.waitUntil(
        () => {
          for (const [name, known] of manager.readers()) {
            if (!matches(name) || !isCardUsable(known.raw)) continue;
            if (failed.has(name) && failed.get(name) === known.raw) continue;
            return { name, known };
          }
          return undefined;
        },
        {
          timeoutMs: deadline === undefined ? undefined : Math.max(deadline - Date.now(), 0),
          budgetMs: timeoutMs,
          signal,
          what: typeof reader === 'string' ? `card in "${reader}"` : 'card',
        },
      );
      try {
        return await openTransport(manager, lease, found.known.reader, options);
      } catch (error) {
        // The card left (or was not ready) between the event and the connect: wait for the next change.
        if (!(error instanceof CardRemovedError)) throw error;
        failed.set(found.name, found.known.raw);
      }
    }
  } catch (error) {
    lease.release();
    throw error;
  }
}

function matcher(reader: PcscReaderMatcher | undefined): (name: string) => boolean {
  if (reader === undefined) return () => true;
  if (typeof reader === 'string') return (name) => name === reader;
  if (typeof reader === 'function') return (name) => reader(name) === true;
  throw new InvalidArgumentError('reader must be a reader name or a function of the name');
}

/** Reader and card events as an async iterator. */
export function watchReadersWith(manager: ClientManager, options: WatchReadersOptions = {}): PcscReaderWatcher {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options must be an object');
  return new ReaderWatcher(manager, options);
}

class ReaderWatcher implements PcscReaderWatcher {
  readonly #manager: ClientManager;
  readonly #readAtr: boolean;
  readonly #initial: boolean;
  readonly #signal: AbortSignal | undefined;
  readonly #events: PcscReaderEvent[] = [];
  readonly #known = new Map<string, number | undefined>();
  #waiter: { resolve: (r: IteratorResult<PcscReaderEvent>) => void; reject: (e: unknown) => void } | undefined;
  #failure: MynacardError | undefined;
  #done = false;
  #lease: ClientLease | undefined;
  #unsubscribe: (() => void) | undefined;
  /** Events are produced in order, even when reading an ATR takes a moment. */
  #pipeline: Promise<void> = Promise.resolve();
  readonly #started: Promise<void>;

  constructor(manager: ClientManager, options: WatchReadersOptions) {
    this.#manager = manager;
    this.#readAtr = options.readAtr === true;
    this.#initial = options.initial !== false;
    this.#signal = options.signal;
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
    this.#started = this.#start();
    this.#started.catch(() => undefined);
  }

  async #start(): Promise<void> {
    if (this.#signal?.aborted) {
      void this.close();
      return;
    }
    try {
      this.#lease = await this.#manager.acquire();
    } catch (error) {
      this.#fail(error as MynacardError);
      return;
    }
    if (this.#done) {
      this.#lease.release();
      return;
    }
    for (const [name, { raw }] of this.#manager.readers()) {
      this.#known.set(name, raw);
      if (!this.#initial) continue;
      this.#push({ type: 'reader-added', reader: name });
      if (isCardPresent(raw)) this.#inserted(name);
    }
    this.#unsubscribe = this.#manager.subscribe((change) => this.#onChange(change));
  }

  #onChange(change: ReaderChange): void {
    if (this.#done) return;
    if (change.type === 'error') {
      this.#pipeline = this.#pipeline.then(() => this.#fail(change.error));
      return;
    }
    const name = change.name;
    const previous = this.#known.get(name);
    const wasKnown = this.#known.has(name);
    if (change.type === 'reader-removed') {
      this.#known.delete(name);
      if (isCardPresent(previous)) this.#push({ type: 'card-removed', reader: name });
      this.#push({ type: 'reader-removed', reader: name });
      return;
    }
    this.#known.set(name, change.raw);
    if (!wasKnown) {
      this.#push({ type: 'reader-added', reader: name });
      if (isCardPresent(change.raw)) this.#inserted(name);
      return;
    }
    const was = isCardPresent(previous);
    const now = isCardPresent(change.raw);
    // Both present but the insertion counter moved by 2+: the card was swapped between two polls.
    const swapped = was && now && eventCounter(change.raw) - eventCounter(previous) >= 2;
    if ((was && !now) || swapped) this.#push({ type: 'card-removed', reader: name });
    if ((!was && now) || swapped) this.#inserted(name);
  }

  #inserted(name: string): void {
    if (!this.#readAtr) {
      this.#push({ type: 'card-inserted', reader: name });
      return;
    }
    const reader = this.#manager.readers().get(name)?.reader;
    const atr = reader ? readAtr(reader) : Promise.resolve(undefined);
    this.#pipeline = this.#pipeline.then(async () => {
      const value = await atr;
      this.#deliver(value === undefined ? { type: 'card-inserted', reader: name } : { type: 'card-inserted', reader: name, atr: value });
    });
  }

  #push(event: PcscReaderEvent): void {
    this.#pipeline = this.#pipeline.then(() => this.#deliver(event));
  }

  #deliver(event: PcscReaderEvent): void {
    if (this.#done) return;
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter.resolve({ value: event, done: false });
    } else {
      this.#events.push(event);
    }
  }

  #fail(error: MynacardError): void {
    if (this.#done) return;
    this.#failure = error;
    this.#finish();
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      this.#failure = undefined;
      waiter.reject(error);
    }
  }

  readonly #onAbort = (): void => {
    void this.close();
  };

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#unsubscribe?.();
    this.#lease?.release();
  }

  async next(): Promise<IteratorResult<PcscReaderEvent>> {
    const queued = this.#events.shift();
    if (queued) return { value: queued, done: false };
    if (this.#failure) {
      const failure = this.#failure;
      this.#failure = undefined;
      throw failure;
    }
    if (this.#done) return { value: undefined, done: true };
    if (this.#waiter) throw new InvalidArgumentError('watchReaders: wait for the previous next() first');
    return new Promise((resolve, reject) => (this.#waiter = { resolve, reject }));
  }

  async return(): Promise<IteratorResult<PcscReaderEvent>> {
    await this.close();
    return { value: undefined, done: true };
  }

  async close(): Promise<void> {
    this.#finish();
    this.#events.length = 0;
    const waiter = this.#waiter;
    this.#waiter = undefined;
    waiter?.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

/** The ATR from a short shared connection (the reader event's ATR is wrong in pcsc-mini 0.1.3). */
async function readAtr(reader: PcscMiniReader): Promise<Uint8Array | undefined> {
  try {
    const card = await reader.connect(CARD_MODE_SHARED);
    try {
      return (await card.state()).atr.slice();
    } finally {
      await card.disconnect(DISPOSITION.leave).catch(() => undefined);
    }
  } catch {
    return undefined;
  }
}
