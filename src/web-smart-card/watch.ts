/**
 * `watchReaders`: reader and card events through the Web Smart Card API, as an async iterator
 * (the shapes of `mynacard/pcsc`'s `watchReaders`). One context of its own waits in
 * `getStatusChange` (the PnP pseudo-reader for readers coming and going); closing the watcher
 * aborts that wait.
 * @packageDocumentation
 */
import { InvalidArgumentError, MynacardError } from '../errors.js';
import type { ReaderEvent, ReaderWatcher } from '../transport/readers.js';
import { isPresent, raceAbort, ReaderMonitor, reasonError, type ReaderChange } from './monitor.js';
import { resourceManager, type WatchReadersOptions } from './options.js';
import { establishContext } from './readers.js';

/**
 * Reader and card events as an async iterator:
 *
 * ```ts
 * for await (const event of watchReaders()) {
 *   if (event.type === 'card-inserted') console.log(`card in ${event.reader}`);
 * }
 * ```
 * A failure of the API (permission, service) rejects the pending `next()` and ends the watcher.
 */
export function watchReaders(options: WatchReadersOptions = {}): ReaderWatcher {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options must be an object');
  return new Watcher(options);
}

class Watcher implements ReaderWatcher {
  readonly #readAtr: boolean;
  readonly #initial: boolean;
  readonly #signal: AbortSignal | undefined;
  readonly #stop = new AbortController();
  readonly #events: ReaderEvent[] = [];
  #waiter: { resolve: (r: IteratorResult<ReaderEvent>) => void; reject: (e: unknown) => void } | undefined;
  #failure: MynacardError | undefined;
  #done = false;

  constructor(options: WatchReadersOptions) {
    this.#readAtr = options.readAtr === true;
    this.#initial = options.initial !== false;
    this.#signal = options.signal;
    if (this.#signal?.aborted) {
      this.#done = true;
      return;
    }
    this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
    void this.#run(options);
  }

  async #run(options: WatchReadersOptions): Promise<void> {
    const signal = this.#stop.signal;
    try {
      const manager = resourceManager(options);
      const monitor = new ReaderMonitor(await raceAbort(establishContext(manager), signal));
      const first = await monitor.update(signal);
      if (this.#initial) for (const change of first) this.#emit(change);
      while (!this.#done) for (const change of await monitor.wait(signal)) this.#emit(change);
    } catch (error) {
      if (this.#done || signal.aborted) return;
      this.#fail(error instanceof MynacardError ? error : reasonError(signal));
    }
  }

  #emit({ name, before, after }: ReaderChange): void {
    if (after === undefined) {
      if (isPresent(before)) this.#push({ type: 'card-removed', reader: name });
      this.#push({ type: 'reader-removed', reader: name });
      return;
    }
    if (before === undefined) {
      this.#push({ type: 'reader-added', reader: name });
      if (isPresent(after)) this.#inserted(name, after.atr);
      return;
    }
    const was = isPresent(before);
    const now = isPresent(after);
    // Both present but the insertion count moved by 2+: the card was swapped between two looks.
    const swapped = was && now && after.count - before.count >= 2;
    if ((was && !now) || swapped) this.#push({ type: 'card-removed', reader: name });
    if ((!was && now) || swapped) this.#inserted(name, after.atr);
  }

  #inserted(name: string, atr: Uint8Array | undefined): void {
    this.#push(
      this.#readAtr && atr !== undefined
        ? { type: 'card-inserted', reader: name, atr: atr.slice() }
        : { type: 'card-inserted', reader: name },
    );
  }

  #push(event: ReaderEvent): void {
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
    this.#finish();
    const waiter = this.#waiter;
    if (waiter) {
      this.#waiter = undefined;
      waiter.reject(error);
    } else {
      this.#failure = error;
    }
  }

  readonly #onAbort = (): void => {
    void this.close();
  };

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#stop.abort();
  }

  async next(): Promise<IteratorResult<ReaderEvent>> {
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

  async return(): Promise<IteratorResult<ReaderEvent>> {
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
