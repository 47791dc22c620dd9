/**
 * The one lock of the SDK: a FIFO async mutex with abortable waiting (internal).
 *
 * Who holds what — one rule, from the top down (a holder may take the next lock down, never
 * one above it, so the locks cannot deadlock):
 * 1. `ApduChannel`'s sequence lock is the only lock around APDU sequences: a card session's
 *    operation (SELECT, VERIFY, reads…) holds it from start to end (`exclusive`). Nothing above
 *    the channel locks: card sessions and card APs run inside `exclusive`.
 * 2. Inside a sequence, the channel's exchange lock keeps one command and its GET RESPONSE /
 *    resend rounds together, should the holder send from two promises at once.
 * 3. A PC/SC transport holds its transaction lock for the life of a PC/SC transaction
 *    (`withTransaction`, which the channel calls for each sequence): the transaction belongs
 *    to the shared card handle, so another caller of the same transport object must wait
 *    outside it.
 * 4. A transport serializes only its own native calls (pcsc-mini calls, USB transfers, the
 *    virtual card's command processing), so that it stays safe when used without a channel.
 * @packageDocumentation
 */
import { AbortedError } from './errors.js';

interface Waiter {
  readonly grant: () => void;
}

/**
 * FIFO lock. `acquire` resolves to a release function; release hands the lock to the next
 * waiter. A waiter whose signal aborts is removed from the queue and rejects with
 * `AbortedError`; the other waiters keep their places.
 */
export class Mutex {
  #locked = false;
  readonly #queue: Waiter[] = [];

  /** True while someone holds the lock. */
  get locked(): boolean {
    return this.#locked;
  }

  /** Wait for the lock (FIFO). Resolves to a function that releases it (idempotent). */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (!this.#locked) {
      this.#locked = true;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.#queue.indexOf(waiter);
        if (i >= 0) this.#queue.splice(i, 1);
        reject(abortError(signal));
      };
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve(this.#releaser());
        },
      };
      this.#queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Run `fn` while holding the lock (waiting FIFO, abortable while queued); released however `fn` ends. */
  async run<T>(fn: () => Promise<T> | T, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(signal);
    try {
      return await fn();
    } finally {
      release();
    }
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      if (next) next.grant();
      else this.#locked = false;
    };
  }
}

/** The `AbortedError` for an aborted signal (an `AbortedError` reason is kept, any other becomes the cause). */
export function abortError(signal: AbortSignal | undefined, message = 'Aborted while waiting for the card'): AbortedError {
  const reason: unknown = signal?.reason;
  return reason instanceof AbortedError ? reason : new AbortedError(message, { cause: reason });
}
