/**
 * Wait for a native call that cannot be cancelled (SCardBeginTransaction blocks while another
 * application holds the card), but give up after a timeout or on abort.
 * @packageDocumentation
 */
import type { MynacardError } from '../errors.js';
import { abortError } from '../mutex.js';

/** Options of {@link waitBounded}. */
export interface BoundedWaitOptions {
  /** Give up after this many ms (`Infinity`: never) with `timeoutError()`. */
  readonly timeoutMs: number;
  /** Give up on abort with `AbortedError`. */
  readonly signal?: AbortSignal | undefined;
  /** The error of a timeout. */
  readonly timeoutError: () => MynacardError;
  /** Called when the wait gives up: `work` goes on, and its result is no longer wanted. */
  readonly onGiveUp: () => void;
}

/** `work`'s result, unless the timeout or the signal comes first. */
export function waitBounded<T>(work: Promise<T>, options: BoundedWaitOptions): Promise<T> {
  const { timeoutMs, signal } = options;
  if (!Number.isFinite(timeoutMs) && signal === undefined) return work;
  return new Promise<T>((resolve, reject) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const settle = (action: () => void): void => {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      action();
    };
    const giveUp = (error: MynacardError): void => {
      options.onGiveUp();
      work.catch(() => undefined);
      settle(() => reject(error));
    };
    const onAbort = (): void => giveUp(abortError(signal, 'Aborted while waiting for the card'));
    work.then(
      (value) => settle(() => resolve(value)),
      (error: unknown) => settle(() => reject(error)),
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    if (Number.isFinite(timeoutMs)) timer = setTimeout(() => giveUp(options.timeoutError()), timeoutMs);
  });
}
