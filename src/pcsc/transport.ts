/**
 * `PcscTransport`: a card in a PC/SC reader, through pcsc-mini, as a {@link Transport}.
 *
 * - Shared mode (T=0 or T=1): other applications may use the reader too, so every SDK
 *   operation runs inside {@link PcscTransport.withTransaction} (SCardBeginTransaction …
 *   SCardEndTransaction; the APDU channel calls it for each operation): nobody else's SELECT
 *   can slip into the sequence.
 * - Responses land in a 65 538-byte buffer (pcsc-mini's default holds only 264 bytes, too
 *   small for an extended-length READ BINARY); each response is copied out and the buffer
 *   wiped.
 * - Extended length: the transport only passes on the hint of its options; the APDU channel
 *   decides. A reader error on an extended command is reported as `'extended-length-refused'`
 *   so the channel can fall back to short APDUs.
 * - Every pcsc-mini failure becomes a typed {@link MynacardError}; a card pulled out during a
 *   transfer always surfaces as {@link CardRemovedError}, never as a short response.
 *
 * APDUs are never logged; the transport keeps no response data.
 * @packageDocumentation
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  CardBusyError,
  CardRemovedError,
  InvalidArgumentError,
  TransportError,
  type MynacardError,
} from '../errors.js';
import type { Transport } from '../transport/transport.js';
import { isExtendedCommand } from '../apdu/command.js';
import { abortError, Mutex } from '../mutex.js';
import { waitBounded } from './bounded-wait.js';
import type { ClientLease, ClientManager } from './client.js';
import { mapPcscError, pcscErrorCode } from './errors.js';
import {
  DEFAULT_TRANSACTION_TIMEOUT_MS,
  protocolCode,
  protocolName,
  RECEIVE_BUFFER_LENGTH,
  safeProtocol,
  type PcscProtocol,
  type PcscReconnectOptions,
  type PcscTransactionOptions,
  type PcscTransportOptions,
} from './options.js';
import {
  CARD_MODE_SHARED,
  DISPOSITION,
  isCardPresent,
  isCardUsable,
  type PcscMiniCard,
  type PcscMiniReader,
  type PcscMiniTransaction,
} from './pcsc-mini.js';
import { confirmRemoval } from './removal.js';

/** What the factory functions hand to the constructor. @internal */
export interface PcscTransportInit {
  readonly manager: ClientManager;
  readonly lease: ClientLease;
  readonly reader: string;
  readonly card: PcscMiniCard;
  readonly atr: Uint8Array;
  readonly options: PcscTransportOptions;
}

/** One PC/SC transaction in progress; `active` turns false when it ends. */
interface TransactionScope {
  active: boolean;
}

/**
 * A connected card in a PC/SC reader. Obtain one with `waitForCard()` or `connect()` from
 * `mynacard/pcsc`, hand it to `MyNumberCard.connect`, and `close()` it when done.
 */
export class PcscTransport implements Transport {
  /** The reader's PC/SC name. */
  readonly reader: string;
  /** Transport hint: the largest response (65 536 data bytes + SW). */
  readonly maxResponseLength = RECEIVE_BUFFER_LENGTH;
  readonly #manager: ClientManager;
  #lease: ClientLease;
  #card: PcscMiniCard;
  #atr: Uint8Array;
  readonly #preferredProtocol: number;
  readonly #transactionTimeoutMs: number;
  readonly #buffer = new ArrayBuffer(RECEIVE_BUFFER_LENGTH);
  /** Native calls, one at a time (pcsc-mini rejects a second call on a busy handle). See src/mutex.ts, rule 4. */
  readonly #nativeLock = new Mutex();
  /** Held by a transaction, or by a single transmit outside one. See src/mutex.ts, rule 3. */
  readonly #lock = new Mutex();
  readonly #scope = new AsyncLocalStorage<TransactionScope>();
  /** A begin still waiting for another application (after a timeout or abort). */
  #pendingBegins = 0;
  /** pcsc-mini keeps a handle's transaction open when ending it failed; only a fresh handle helps. */
  #transactionStuck = false;
  #closed = false;
  #closing: Promise<void> | undefined;
  #cardPresent = true;
  readonly #unsubscribe: () => void;

  /** @internal Use `waitForCard()` or `connect()`. */
  constructor(init: PcscTransportInit) {
    this.#manager = init.manager;
    this.#lease = init.lease;
    this.reader = init.reader;
    this.#card = init.card;
    this.#atr = init.atr.slice();
    const options = init.options;
    if (options.extendedLength !== undefined) this.extendedLength = options.extendedLength;
    this.#preferredProtocol = protocolCode(options.protocol);
    this.#transactionTimeoutMs = options.transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS;
    this.#unsubscribe = this.#manager.subscribe((change) => {
      if (change.type === 'status' && change.name === this.reader) this.#cardPresent = isCardPresent(change.raw);
      if (change.type === 'reader-removed' && change.name === this.reader) this.#cardPresent = false;
    });
  }

  /** The card's ATR, read from the connection (SCardStatus). Never identify the card by it. */
  get atr(): Uint8Array {
    return this.#atr.slice();
  }

  /** The protocol in use. */
  get protocol(): PcscProtocol {
    return protocolName(safeProtocol(this.#card));
  }

  /** Fixed extended-length hint: the `extendedLength` option; absent when not given. */
  declare readonly extendedLength?: boolean;

  /** Whether the reader reported the card present at its last state change. */
  get cardPresent(): boolean {
    return this.#cardPresent;
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Send one command APDU; resolve to `data ‖ SW1 SW2` (a copy: the receive buffer is wiped).
   * Outside {@link withTransaction} it waits for a running transaction of this transport.
   *
   * @throws CardRemovedError, CardBusyError, PcscServiceError, ReaderUnavailableError,
   *   TransportError (code `'card-reset'` after another application reset the card,
   *   `'extended-length-refused'` when the reader refused an extended APDU, `'transport-closed'`)
   */
  async transmit(command: Uint8Array): Promise<Uint8Array> {
    if (!(command instanceof Uint8Array) || command.length < 4) {
      throw new InvalidArgumentError('transmit expects a command APDU of at least 4 bytes');
    }
    if (this.#inTransaction()) return this.#native(() => this.#exchange(command));
    this.#assertOpen();
    const release = await this.#lock.acquire();
    try {
      this.#assertOpen();
      return await this.#native(() => this.#exchange(command));
    } finally {
      release();
    }
  }

  /**
   * Run `fn` inside a PC/SC transaction: no other application's command reaches the card
   * until `fn` settles, and no other caller of this transport either. The transaction ends on
   * every path (result, error, removal). Nested calls run `fn` inside the current transaction.
   * When ending fails after `fn` succeeded, `fn`'s complete result is still returned.
   *
   * @throws CardBusyError when another application holds the card longer than the timeout,
   *   AbortedError, CardRemovedError, and whatever `fn` throws
   */
  async withTransaction<T>(fn: () => Promise<T>, options: PcscTransactionOptions = {}): Promise<T> {
    if (typeof fn !== 'function') throw new InvalidArgumentError('withTransaction(fn) needs a function');
    if (this.#inTransaction()) return fn();
    this.#assertOpen();
    const timeoutMs = options.timeoutMs ?? this.#transactionTimeoutMs;
    if (!(timeoutMs >= 0)) throw new InvalidArgumentError('timeoutMs must be ≥ 0');
    const release = await this.#lock.acquire(options.signal);
    try {
      this.#assertOpen();
      const transaction = await this.#begin(timeoutMs, options.signal);
      const scope: TransactionScope = { active: true };
      let result: T;
      try {
        result = await this.#scope.run(scope, fn);
      } catch (error) {
        scope.active = false;
        await this.#end(transaction);
        throw error;
      }
      scope.active = false;
      await this.#end(transaction);
      return result;
    } finally {
      release();
    }
  }

  /**
   * Re-establish the connection, e.g. after {@link CardRemovedError} once the card is back:
   * waits for a card in the same reader, then reconnects the handle with a card reset (or
   * opens a new one). The ATR and protocol are read again; the extended-length hint is kept.
   *
   * @throws TimeoutError, AbortedError, CardBusyError, PcscServiceError, ReaderUnavailableError
   */
  async reconnect(options: PcscReconnectOptions = {}): Promise<void> {
    this.#assertOpen();
    if (this.#inTransaction()) throw new TransportError('reconnect() cannot run inside withTransaction()');
    const release = await this.#lock.acquire(options.signal);
    try {
      this.#assertOpen();
      if (!this.#manager.running) await this.#renewLease();
      const reader = await this.#manager.waitUntil(
        () => {
          const known = this.#manager.readers().get(this.reader);
          return known !== undefined && isCardUsable(known.raw) ? known.reader : undefined;
        },
        { timeoutMs: options.timeoutMs, signal: options.signal, what: `card in "${this.reader}"` },
      );
      await this.#native(() => this.#reopen(reader));
    } finally {
      release();
    }
  }

  /**
   * Release the card (SCardDisconnect, card left as it is) and this transport's claim on the
   * PC/SC client, which stops once unused so the process can exit. Waits for a running
   * transaction of this transport first. Idempotent.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  /** `await using transport = await waitForCard()` closes it. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #close(): Promise<void> {
    this.#closed = true;
    const inside = this.#inTransaction();
    const release = inside ? undefined : await this.#lock.acquire();
    try {
      this.#unsubscribe();
      const card = this.#card;
      const disconnect = this.#native(() => card.disconnect(DISPOSITION.leave)).catch(() => undefined);
      // A begin blocked by another application cannot be cancelled: disconnect after it, in the background.
      if (this.#pendingBegins === 0) await disconnect;
    } finally {
      release?.();
      this.#lease.release();
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new TransportError('The PC/SC transport is closed', { code: 'transport-closed' });
  }

  #inTransaction(): boolean {
    return this.#scope.getStore()?.active === true;
  }

  /** Queue a native call behind the previous one. */
  #native<T>(call: () => Promise<T>): Promise<T> {
    return this.#nativeLock.run(call);
  }

  async #exchange(command: Uint8Array): Promise<Uint8Array> {
    const extended = isExtendedCommand(command);
    let response: Uint8Array;
    try {
      response = await this.#card.transmit(command, this.#buffer);
    } catch (error) {
      throw await this.#transmitFailure(error, extended);
    }
    if (response.length < 2) {
      // pcscd answers an exchange cut by the card leaving with no bytes and no error.
      throw new CardRemovedError('The card was removed from the reader during the exchange (empty response)');
    }
    const out = response.slice();
    response.fill(0);
    return out;
  }

  async #transmitFailure(error: unknown, extended: boolean): Promise<MynacardError> {
    const code = pcscErrorCode(error);
    if (code === 'NotTransacted') {
      // First sign of a vanished card, but also how a reader refuses a frame it cannot carry.
      if (await confirmRemoval(this.#card, () => !this.#cardPresent)) return mapPcscError(error, 'transmit');
      if (extended) return refusedExtended(error);
      return new TransportError('The reader could not exchange the APDU with the card (NotTransacted)', {
        cause: error,
        code: 'pcsc-error',
      });
    }
    if (code === 'ResetCard') await this.#acknowledgeReset();
    const mapped = mapPcscError(error, 'transmit');
    if (extended && mapped.code === 'pcsc-error') return refusedExtended(error);
    return mapped;
  }

  /** Another application reset the card: take note (SCardReconnect, leave) so the next operation works. */
  async #acknowledgeReset(): Promise<void> {
    try {
      await this.#card.reconnect(CARD_MODE_SHARED, DISPOSITION.leave);
    } catch {
      // The next operation reports what is wrong.
    }
  }

  /** SCardBeginTransaction, bounded by `timeoutMs` / `signal` (the native call itself cannot be cancelled). */
  #begin(timeoutMs: number, signal: AbortSignal | undefined): Promise<PcscMiniTransaction> {
    if (signal?.aborted) return Promise.reject(abortError(signal));
    if (this.#transactionStuck) {
      return Promise.reject(
        new TransportError('The previous PC/SC transaction could not be ended; call reconnect()', {
          code: 'transaction-failed',
        }),
      );
    }
    let abandoned = false;
    this.#pendingBegins++;
    const native = this.#native(async () => {
      try {
        let transaction: PcscMiniTransaction;
        try {
          transaction = await this.#card.transaction();
        } catch (error) {
          if (pcscErrorCode(error) === 'ResetCard') await this.#acknowledgeReset();
          throw mapPcscError(error, 'beginning a PC/SC transaction');
        }
        if (abandoned) {
          await this.#endNative(transaction);
          throw new CardBusyError('The PC/SC transaction was no longer wanted');
        }
        return transaction;
      } finally {
        this.#pendingBegins--;
      }
    });
    return waitBounded(native, {
      timeoutMs,
      signal,
      timeoutError: () =>
        new CardBusyError(`Another application kept the card in a PC/SC transaction for more than ${timeoutMs} ms`),
      onGiveUp: () => (abandoned = true),
    });
  }

  /** SCardEndTransaction (card left as it is), queued like every native call. Never throws. */
  async #end(transaction: PcscMiniTransaction): Promise<void> {
    await this.#native(() => this.#endNative(transaction));
  }

  async #endNative(transaction: PcscMiniTransaction): Promise<void> {
    try {
      await transaction.end(DISPOSITION.leave);
    } catch {
      // pcsc-mini keeps the transaction marked open on this handle: the next begin needs a new handle.
      this.#transactionStuck = true;
    }
  }

  /** SCardReconnect with a reset, or a new handle when that fails. */
  async #reopen(reader: PcscMiniReader): Promise<void> {
    let card = this.#card;
    let reconnected = false;
    if (!this.#transactionStuck) {
      try {
        await card.reconnect(CARD_MODE_SHARED, DISPOSITION.reset);
        reconnected = true;
      } catch {
        // Fall back to a fresh connection below.
      }
    }
    if (!reconnected) {
      await card.disconnect(DISPOSITION.leave).catch(() => undefined);
      try {
        card = await reader.connect(CARD_MODE_SHARED, this.#preferredProtocol);
      } catch (error) {
        throw mapPcscError(error, `connecting to the card in "${this.reader}"`);
      }
      this.#card = card;
      this.#transactionStuck = false;
    }
    try {
      this.#atr = (await card.state()).atr.slice();
    } catch (error) {
      throw mapPcscError(error, 'reading the card state');
    }
    this.#cardPresent = true;
  }

  /** The monitor stopped (e.g. pcscd restarted): take a claim on a fresh client. */
  async #renewLease(): Promise<void> {
    const lease = await this.#manager.acquire();
    this.#lease.release();
    this.#lease = lease;
  }
}

/** A reader error on an extended command: most likely the reader cannot carry extended length. */
function refusedExtended(cause: unknown): TransportError {
  return new TransportError(`The reader refused an extended-length APDU (${pcscErrorCode(cause) ?? 'error'})`, {
    cause,
    code: 'extended-length-refused',
  });
}
