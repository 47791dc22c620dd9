/**
 * A pcsc-mini client watching one reader, for integration tests: wait for PRESENT / EMPTY.
 *
 * It runs pcsc-mini in the SDK's host process (`isolatedPcscMini`) and so never calls
 * pcsc-mini's own `Client.stop()`, which can block the JS thread for good when its SCardCancel
 * is lost (RELIABILITY.md §12, H2): a test helper must not hang the test worker either.
 */
import { isolatedPcscMini } from '../../src/pcsc/isolated/module.js';
import { READER_STATUS, type PcscMiniReader, type PcscMiniStatus } from '../../src/pcsc/pcsc-mini.js';

export const isPresent = (s: PcscMiniStatus): boolean => (s.raw & READER_STATUS.present) !== 0 && (s.raw & READER_STATUS.mute) === 0;
export const isEmpty = (s: PcscMiniStatus): boolean => (s.raw & READER_STATUS.empty) !== 0;

/** One long-lived pcsc-mini client per test file, following one reader by name. */
export class WatchedReader {
  private readonly client = new (isolatedPcscMini().Client)();
  private current: PcscMiniReader | undefined;
  private status: PcscMiniStatus | undefined;
  private waiters: Array<{ pred: (s: PcscMiniStatus) => boolean; resolve: () => void }> = [];
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
  async reader(timeoutMs = 5000): Promise<PcscMiniReader> {
    const deadline = Date.now() + timeoutMs;
    while (!this.current) {
      if (Date.now() > deadline) throw new Error(`reader "${this.name}" not found within ${timeoutMs} ms`);
      await sleep(20);
    }
    return this.current;
  }

  /** Resolve once the reader status satisfies `pred` (at once if it already does). */
  waitFor(pred: (s: PcscMiniStatus) => boolean, what: string, timeoutMs = 5000): Promise<void> {
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
        reject(new Error(`reader "${this.name}" not ${what} within ${timeoutMs} ms (last status ${this.status?.raw.toString(16)})`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** End the host process (SIGKILL: cannot block). */
  async stop(): Promise<void> {
    this.client.stop();
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
