/**
 * A pcsc-mini client watching one reader, for integration tests: wait for PRESENT / EMPTY and
 * stop the client safely.
 */
import { Client, ReaderStatus, type Reader, type ReaderStatusFlags } from 'pcsc-mini';

/**
 * pcsc-mini 0.1.3 `Client.stop()` joins its monitor thread synchronously; right after a reader
 * event it can miss the cancel and block the JS thread for good. A pause first lets the thread
 * park (0 hangs in 70 runs with 250 ms in the lab).
 */
const STOP_SETTLE_MS = 250;

export const isPresent = (s: ReaderStatusFlags): boolean => s.has(ReaderStatus.PRESENT) && !s.has(ReaderStatus.MUTE);
export const isEmpty = (s: ReaderStatusFlags): boolean => s.has(ReaderStatus.EMPTY);

/** One long-lived pcsc-mini Client per test file, following one reader by name. */
export class WatchedReader {
  private readonly client = new Client();
  private current: Reader | undefined;
  private status: ReaderStatusFlags | undefined;
  private waiters: Array<{ pred: (s: ReaderStatusFlags) => boolean; resolve: () => void }> = [];
  /** Errors reported by the client (kept for assertions / diagnostics). */
  readonly errors: unknown[] = [];

  constructor(readonly name: string) {
    this.client.on('error', (e) => this.errors.push(e));
    this.client.on('reader', (r) => {
      if (r.name() !== name) return;
      this.current = r;
      r.on('change', (status) => {
        this.status = status;
        for (const w of this.waiters.filter((x) => x.pred(status))) {
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve();
        }
      });
    });
    this.client.start();
  }

  /** The reader, once the client has seen it. */
  async reader(timeoutMs = 5000): Promise<Reader> {
    const deadline = Date.now() + timeoutMs;
    while (!this.current) {
      if (Date.now() > deadline) throw new Error(`reader "${this.name}" not found within ${timeoutMs} ms`);
      await sleep(20);
    }
    return this.current;
  }

  /** Resolve once the reader status satisfies `pred` (at once if it already does). */
  waitFor(pred: (s: ReaderStatusFlags) => boolean, what: string, timeoutMs = 5000): Promise<void> {
    if (this.status && pred(this.status)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = {
        pred,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(w), 1);
        reject(new Error(`reader "${this.name}" not ${what} within ${timeoutMs} ms (last status ${String(this.status)})`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  async stop(): Promise<void> {
    await sleep(STOP_SETTLE_MS);
    this.client.stop();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
