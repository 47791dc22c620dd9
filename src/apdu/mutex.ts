/**
 * A FIFO async mutex with abortable waiting (internal: the APDU channel and the PC/SC transport).
 * @packageDocumentation
 */
import { AbortedError } from '../errors.js';

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
