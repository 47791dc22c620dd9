/**
 * A fake `SmartCardConnection`, following the specification's method steps: the checks that
 * reject with `InvalidStateError`, one operation at a time per context, `startTransaction`
 * with its callback deciding the disposition (`'reset'` when it returns nothing or rejects),
 * and PC/SC behaviour underneath (BeginTransaction blocks while another connection holds the
 * card; a command from another connection meanwhile gets `sharing-violation`; a removed card
 * gives `removed-card` until a new connection).
 * @packageDocumentation
 */
import { isExtendedCommand } from '../../apdu/command.js';
import { CardRemovedError } from '../../errors.js';
import type {
  SmartCardConnectionLike,
  SmartCardConnectionStatusLike,
  SmartCardDisposition,
  SmartCardTransactionCallback,
  SmartCardTransactionOptions,
  SmartCardTransmitOptions,
} from '../../web-smart-card/api-types.js';
import type { ContextCore, SettledTransactionOwner } from './context-core.js';
import { domException, nextTask, smartCardError } from './errors.js';
import { DEFAULT_ATR, type FakeReader, type ReaderClient } from './reader.js';

const DISPOSITIONS: readonly string[] = ['leave', 'reset', 'unpower', 'eject'];
/** SCARD_ATTR_ATR_STRING. */
const ATTR_ATR_STRING = 0x00090303;

interface TransactionState {
  pendingDisposition: SmartCardDisposition | undefined;
  pendingException: unknown;
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** @internal Made by the fake context's `connect`. */
export class FakeConnection implements SmartCardConnectionLike, SettledTransactionOwner, ReaderClient {
  readonly #context: ContextCore;
  readonly #reader: FakeReader;
  readonly exclusive: boolean;
  /** Insertion count at connect: a different count means the card was removed since. */
  readonly #count: number;
  /** Resets by another application at connect: a different number means the card was reset since. */
  readonly #resets: number;
  #open = true;
  #transaction: TransactionState | undefined;

  constructor(context: ContextCore, reader: FakeReader, exclusive: boolean) {
    this.#context = context;
    this.#reader = reader;
    this.exclusive = exclusive;
    this.#count = reader.count;
    this.#resets = reader.resets;
  }

  async disconnect(disposition: SmartCardDisposition = 'leave'): Promise<void> {
    this.#checks();
    this.#context.begin();
    this.#context.state.count('disconnect');
    await nextTask();
    this.#dispose(disposition);
    this.#open = false;
    this.#reader.unlock(this);
    this.#reader.clients.delete(this);
    this.#context.connections.delete(this);
    this.#context.clear();
    this.#context.state.notify();
  }

  async transmit(sendBuffer: Uint8Array, options: SmartCardTransmitOptions = {}): Promise<ArrayBuffer> {
    this.#checks();
    if (options.protocol !== undefined && !['t0', 't1', 'raw'].includes(options.protocol)) {
      throw new TypeError(`'${String(options.protocol)}' is not a valid SmartCardProtocol`);
    }
    this.#context.begin();
    this.#context.state.count('transmit');
    const command = Uint8Array.from(sendBuffer);
    await nextTask();
    try {
      if (options.protocol !== undefined && options.protocol !== 't1') throw smartCardError('proto-mismatch');
      const card = this.#card();
      // pcsc-lite: another handle's command during a transaction is refused, not queued.
      if (this.#reader.holder !== undefined && this.#reader.holder !== this) throw smartCardError('sharing-violation');
      if (!this.#reader.extendedApdu && isExtendedCommand(command)) throw smartCardError('not-transacted');
      let response: Uint8Array;
      try {
        response = await card.transmit(command);
      } catch (error) {
        if (!(error instanceof CardRemovedError)) throw domException('UnknownError', 'The card failed');
        this.#reader.remove();
        this.#context.state.notify();
        throw smartCardError('removed-card');
      }
      const out = new ArrayBuffer(response.length);
      new Uint8Array(out).set(response);
      return out;
    } finally {
      this.#context.clear();
    }
  }

  async startTransaction(transaction: SmartCardTransactionCallback, options: SmartCardTransactionOptions = {}): Promise<void> {
    this.#context.assertIdle();
    if (this.#context.activeReaderTransactions.has(this.#reader.name)) {
      throw domException('InvalidStateError', 'A transaction is active on this reader in this context');
    }
    if (!this.#open) throw domException('InvalidStateError', 'The connection is closed');
    if (this.#transaction !== undefined) throw domException('InvalidStateError', 'A transaction is in progress');
    const signal = options.signal;
    if (signal?.aborted) throw signal.reason;
    this.#context.begin();
    this.#context.state.count('startTransaction');
    // BeginTransaction, in parallel; the signal's abort is SCardCancel.
    let cancel!: () => void;
    const cancelled = new Promise<void>((resolve) => (cancel = resolve));
    signal?.addEventListener('abort', cancel, { once: true });
    const granted = await this.#reader.lock(this, cancelled);
    let failure: unknown;
    if (!granted) failure = 'cancelled';
    else if (!this.#reader.attached) failure = smartCardError('reader-unavailable');
    else if (this.#reader.card === undefined || this.#reader.count !== this.#count) failure = smartCardError('removed-card');
    else if (this.#reader.resets !== this.#resets) failure = smartCardError('reset-card');
    if (granted && failure !== undefined) this.#reader.unlock(this);
    await nextTask();
    // "Process the result of a BeginTransaction".
    this.#context.clear();
    signal?.removeEventListener('abort', cancel);
    if (failure === 'cancelled') throw signal?.reason;
    if (failure !== undefined) throw failure;
    return new Promise<void>((resolve, reject) => {
      const state: TransactionState = { pendingDisposition: undefined, pendingException: undefined, resolve, reject };
      this.#transaction = state;
      this.#context.activeReaderTransactions.set(this.#reader.name, this);
      let callbackPromise: Promise<SmartCardDisposition | null | undefined>;
      try {
        callbackPromise = Promise.resolve(transaction());
      } catch (error) {
        callbackPromise = Promise.reject(error);
      }
      callbackPromise.then(
        (value) => {
          let disposition: SmartCardDisposition = 'reset';
          if (value !== undefined && value !== null) {
            if (!DISPOSITIONS.includes(value)) {
              state.pendingException = new TypeError(`'${String(value)}' is not a valid SmartCardDisposition`);
            } else {
              disposition = value;
            }
          }
          if (this.#context.operationInProgress) {
            state.pendingException ??= domException('InvalidStateError', 'An operation was in progress when the transaction ended');
            state.pendingDisposition = disposition;
          } else {
            void this.#endTransaction(disposition);
          }
        },
        (error: unknown) => {
          state.pendingException = error;
          if (this.#context.operationInProgress) state.pendingDisposition = 'reset';
          else void this.#endTransaction('reset');
        },
      );
    });
  }

  async status(): Promise<SmartCardConnectionStatusLike> {
    this.#checks();
    this.#context.begin();
    this.#context.state.count('status');
    await nextTask();
    try {
      const card = this.#card();
      return { readerName: this.#reader.name, state: 't1', answerToReset: copy(card.atr ?? DEFAULT_ATR) };
    } finally {
      this.#context.clear();
    }
  }

  async control(controlCode: number, data: Uint8Array): Promise<ArrayBuffer> {
    void controlCode;
    void data;
    this.#checks();
    this.#context.begin();
    await nextTask();
    this.#context.clear();
    throw smartCardError('unsupported-feature');
  }

  async getAttribute(tag: number): Promise<ArrayBuffer> {
    this.#checks();
    this.#context.begin();
    await nextTask();
    try {
      if (tag !== ATTR_ATR_STRING) throw smartCardError('unsupported-feature');
      return copy(this.#card().atr ?? DEFAULT_ATR);
    } finally {
      this.#context.clear();
    }
  }

  /** "End any settled transaction". */
  endSettledTransaction(): void {
    const state = this.#transaction;
    if (state?.pendingDisposition === undefined) return;
    const disposition = state.pendingDisposition;
    state.pendingDisposition = undefined;
    void this.#endTransaction(disposition);
  }

  /** "End the transaction": EndTransaction with `disposition`, then settle the promise. */
  async #endTransaction(disposition: SmartCardDisposition): Promise<void> {
    const state = this.#transaction!;
    if (!this.#open) {
      this.#transaction = undefined;
      this.#context.activeReaderTransactions.delete(this.#reader.name);
      state.reject(domException('InvalidStateError', 'The connection was closed during the transaction'));
      return;
    }
    this.#context.begin();
    await nextTask();
    let result: unknown;
    if (!this.#reader.attached) result = smartCardError('reader-unavailable');
    else if (this.#reader.card === undefined || this.#reader.count !== this.#count) result = smartCardError('removed-card');
    else this.#dispose(disposition);
    this.#reader.unlock(this);
    this.#context.state.transactions.push({ reader: this.#reader.name, disposition });
    this.#context.clear();
    this.#context.activeReaderTransactions.delete(this.#reader.name);
    this.#transaction = undefined;
    const exception = state.pendingException ?? result;
    if (exception === undefined) state.resolve();
    else state.reject(exception);
  }

  /** The common checks: context idle, no other connection's transaction in this context, open. */
  #checks(): void {
    this.#context.assertIdle();
    const active = this.#context.activeReaderTransactions.get(this.#reader.name);
    if (active !== undefined && active !== this) {
      throw domException('InvalidStateError', 'Another connection of this context holds a transaction on the reader');
    }
    if (!this.#open) throw domException('InvalidStateError', 'The connection is closed');
  }

  /** The card, or the PC/SC error of a reader or card that is gone. */
  #card() {
    if (!this.#reader.attached) throw smartCardError('reader-unavailable');
    this.#reader.noticeRemoval();
    const card = this.#reader.card;
    if (card === undefined || this.#reader.count !== this.#count) throw smartCardError('removed-card');
    // PC/SC: every handle but the resetting one reports the reset until it reconnects.
    if (this.#reader.resets !== this.#resets) throw smartCardError('reset-card');
    return card;
  }

  /** Apply a disposition to the card. */
  #dispose(disposition: SmartCardDisposition): void {
    const card = this.#reader.card;
    if (card === undefined || disposition === 'leave') return;
    try {
      card.reset?.();
    } catch {
      // A card that left meanwhile: nothing to reset.
    }
    if (disposition === 'eject') this.#reader.remove();
  }
}

function copy(bytes: Uint8Array): ArrayBuffer {
  const out = new ArrayBuffer(bytes.length);
  new Uint8Array(out).set(bytes);
  return out;
}
