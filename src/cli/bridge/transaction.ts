/**
 * A page's transaction on the bridge: the card connection's `withTransaction` held open from
 * `begin` to `end`. The page's transmits run inside the transaction's callback (a pump), so a
 * transport that tracks its transaction by async context (PcscTransport) sees them inside it.
 * @packageDocumentation
 */
import type { BackendCard } from './backend.js';

interface Job {
  readonly command: Uint8Array;
  readonly resolve: (response: Uint8Array) => void;
  readonly reject: (error: unknown) => void;
}

/** A running transaction: {@link transmit} inside it, {@link end} it once. */
export class CardTransaction {
  readonly #jobs: Job[] = [];
  #wake: (() => void) | undefined;
  #ending = false;
  #done: Promise<void> = Promise.resolve();

  private constructor() {}

  /**
   * Begin a transaction on `card`; `release` (the reader lock) is called once it is over.
   * Rejects, after releasing, when the transaction cannot begin (e.g. `CardBusyError`).
   */
  static begin(card: BackendCard, release: () => void): Promise<CardTransaction> {
    const transaction = new CardTransaction();
    return new Promise((resolve, reject) => {
      let started = false;
      transaction.#done = card
        .withTransaction(async () => {
          started = true;
          resolve(transaction);
          await transaction.#pump(card);
        })
        .then(
          () => undefined,
          (error: unknown) => {
            if (!started) reject(error);
          },
        )
        .finally(release);
    });
  }

  /** Send `command` inside the transaction. */
  transmit(command: Uint8Array): Promise<Uint8Array> {
    return new Promise((resolve, reject) => {
      this.#jobs.push({ command, resolve, reject });
      this.#wake?.();
    });
  }

  /** End the transaction (after the commands already sent) and release the reader. */
  end(): Promise<void> {
    this.#ending = true;
    this.#wake?.();
    return this.#done;
  }

  async #pump(card: BackendCard): Promise<void> {
    for (;;) {
      const job = this.#jobs.shift();
      if (job !== undefined) {
        try {
          job.resolve(await card.transmit(job.command));
        } catch (error) {
          job.reject(error);
        }
        continue;
      }
      if (this.#ending) return;
      await new Promise<void>((resolve) => (this.#wake = resolve));
      this.#wake = undefined;
    }
  }
}
