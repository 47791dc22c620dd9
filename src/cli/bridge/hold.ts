/**
 * Who holds which reader (docs/bridge.md, rule 7): one FIFO lock per reader name, taken for a
 * page's whole transaction (`begin` … `end`) or for one transmit outside a transaction. A wait
 * is bounded: past it the page gets `card-busy`.
 * @packageDocumentation
 */
import { AbortedError } from '../../errors.js';
import { Mutex } from '../../mutex.js';
import { WireError } from './wire.js';

/** Default and largest wait for another page's hold. */
export const DEFAULT_HOLD_WAIT_MS = 30_000;
export const MAX_HOLD_WAIT_MS = 60_000;

/** The reader locks of one bridge. */
export class ReaderLocks {
  readonly #locks = new Map<string, Mutex>();

  /**
   * Take `reader` within `waitMs`; resolves to the release function.
   * @throws WireError `card-busy` after `waitMs`; AbortedError when `signal` (the socket closing) aborts
   */
  async take(reader: string, waitMs: number, signal: AbortSignal): Promise<() => void> {
    let lock = this.#locks.get(reader);
    if (lock === undefined) this.#locks.set(reader, (lock = new Mutex()));
    const timeout = AbortSignal.timeout(Math.min(Math.max(waitMs, 0), MAX_HOLD_WAIT_MS));
    try {
      return await lock.acquire(AbortSignal.any([signal, timeout]));
    } catch (error) {
      if (timeout.aborted && !signal.aborted) {
        throw new WireError('card-busy', `another page held the reader for more than ${waitMs} ms`);
      }
      throw error instanceof AbortedError ? error : new AbortedError('the connection closed', { cause: error });
    }
  }
}
