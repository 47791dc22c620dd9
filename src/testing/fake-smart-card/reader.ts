/**
 * One reader of the fake Web Smart Card API: the card in it, its insertion count, the
 * connections to it, and its transaction lock (PC/SC BeginTransaction blocks while another
 * connection holds the card, in FIFO order).
 * @packageDocumentation
 */
import type { Transport } from '../../transport/transport.js';

/**
 * A card for the fake: any {@link Transport}, with optionally its ATR, a presence flag and a
 * reset hook. The virtual My Number Card has all three.
 */
export type FakeSmartCardCard = Transport & {
  /** ATR reported by `status()` and `getStatusChange`; the JPKI contact ATR when absent. */
  readonly atr?: Uint8Array | undefined;
  /** `false` once the card object was pulled out (the virtual card's `remove()`). */
  readonly present?: boolean | undefined;
  /** Called for a `'reset'`/`'unpower'` disposition: the card drops its security state. */
  reset?(): unknown;
};

/** ATR when the card has none: the JPKI contact ATR (T=1). */
export const DEFAULT_ATR = Uint8Array.of(0x3b, 0xe0, 0x00, 0xff, 0x81, 0x31, 0xfe, 0x45, 0x14);

/** A connection as the reader sees it. */
export interface ReaderClient {
  readonly exclusive: boolean;
}

/** A begin waiting for the reader's transaction lock. */
interface Waiter {
  readonly client: ReaderClient;
  readonly grant: () => void;
}

/** A reader of the fake. */
export class FakeReader {
  readonly name: string;
  #card: FakeSmartCardCard | undefined;
  /** Card insertions + removals. */
  count = 0;
  /** False once the reader was unplugged. */
  attached = true;
  /** Resets of the card by another application (each connection made before one gets `reset-card`). */
  resets = 0;
  /** False: the reader carries short APDUs only; an extended one fails with `not-transacted`. */
  extendedApdu = true;
  readonly clients = new Set<ReaderClient>();
  /** The connection holding the reader's transaction. */
  holder: ReaderClient | undefined;
  readonly #waiters: Waiter[] = [];

  constructor(name: string, card: FakeSmartCardCard | undefined) {
    this.name = name;
    this.#card = card;
  }

  /** The card, unless it is out (taken out of the reader or pulled out of the card object). */
  get card(): FakeSmartCardCard | undefined {
    const card = this.#card;
    return card !== undefined && card.present !== false ? card : undefined;
  }

  /** Put a card in (counts an insertion). */
  insert(card: FakeSmartCardCard): void {
    this.#card = card;
    this.count++;
  }

  /** Take the card out (counts a removal). False when there was none. */
  remove(): boolean {
    if (this.#card === undefined) return false;
    this.#card = undefined;
    this.count++;
    return true;
  }

  /** The card object reports itself out: take note of the removal once. */
  noticeRemoval(): void {
    if (this.#card !== undefined && this.#card.present === false) this.remove();
  }

  /** Wait for the transaction lock; `cancelled` settles it early (SCardCancel). */
  lock(client: ReaderClient, cancelled: Promise<void>): Promise<boolean> {
    if (this.holder === undefined || this.holder === client) {
      this.holder = client;
      return Promise.resolve(true);
    }
    return new Promise<boolean>((resolve) => {
      const waiter: Waiter = {
        client,
        grant: () => {
          this.holder = client;
          resolve(true);
        },
      };
      this.#waiters.push(waiter);
      void cancelled.then(() => {
        const i = this.#waiters.indexOf(waiter);
        if (i < 0) return;
        this.#waiters.splice(i, 1);
        resolve(false);
      });
    });
  }

  /** Release the transaction lock held by `client` to the next waiter. */
  unlock(client: ReaderClient): void {
    if (this.holder !== client) return;
    this.holder = undefined;
    this.#waiters.shift()?.grant();
  }

  /** Begins waiting now. */
  get waiting(): number {
    return this.#waiters.length;
  }
}
