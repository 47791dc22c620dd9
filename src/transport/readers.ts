/**
 * The reader shapes every reader-based transport shares (`mynacard/pcsc`,
 * `mynacard/web-smart-card`): what a reader holds, which reader to take, and reader events.
 * @packageDocumentation
 */

/** A reader and what is in it. */
export interface ReaderInfo {
  /** The reader's PC/SC name, e.g. `'SONY FeliCa Port/PaSoRi 4.0 00 00'`. */
  readonly name: string;
  /** A card is in the reader. */
  readonly cardPresent: boolean;
  /** The card in the reader did not answer its reset. */
  readonly mute: boolean;
  /** Some application is connected to the card. */
  readonly inUse: boolean;
  /** Some application holds the card exclusively. */
  readonly exclusive: boolean;
}

/** Which reader: its exact name, or a test on the name. */
export type ReaderMatcher = string | ((name: string) => boolean);

/** Kinds of {@link ReaderEvent}. */
export type ReaderEventType = 'reader-added' | 'reader-removed' | 'card-inserted' | 'card-removed';

/** A reader or card coming or going. */
export interface ReaderEvent {
  /** What happened: a reader added or removed, a card inserted or removed. */
  readonly type: ReaderEventType;
  /** The reader's PC/SC name. */
  readonly reader: string;
  /** With `readAtr: true`, on `card-inserted`: the card's ATR (when it could be read). */
  readonly atr?: Uint8Array;
}

/** The iterator `watchReaders` returns; `close()` (or leaving a `for await` loop) ends it. */
export interface ReaderWatcher extends AsyncIterableIterator<ReaderEvent> {
  /** End the iteration and let the reader service go. Idempotent. */
  close(): Promise<void>;
}
