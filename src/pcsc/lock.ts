/**
 * A FIFO lock with abortable waiting: the transport's "one sequence at a time" rule.
 * @packageDocumentation
 */
import { AbortedError } from '../errors.js';

/** FIFO lock; `acquire` resolves to an idempotent release function. */
export class FifoLock {
  #held = false;
  readonly #waiters: Array<() => void> = [];

  /** Whether someone holds the lock. */
  get held(): boolean {
    return this.#held;
  }

  /** Wait for the lock. A waiter whose `signal` aborts leaves the queue with `AbortedError`. */
  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(aborted(signal));
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve(this.#release());
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(this.#release());
      };
      const onAbort = (): void => {
        const i = this.#waiters.indexOf(grant);
        if (i >= 0) this.#waiters.splice(i, 1);
        reject(aborted(signal));
      };
      this.#waiters.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #release(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.#waiters.shift();
      if (next) next();
      else this.#held = false;
    };
  }
}

/** The `AbortedError` for an aborted signal (its reason kept as the cause). */
export function aborted(signal: AbortSignal | undefined, message = 'Aborted while waiting for the card'): AbortedError {
  const reason: unknown = signal?.reason;
  return reason instanceof AbortedError ? reason : new AbortedError(message, { cause: reason });
}
