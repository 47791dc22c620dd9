/**
 * `WebSmartCardTransport`: a card in a reader, through the Web Smart Card API
 * (`navigator.smartCard`), as a {@link Transport}.
 *
 * - Shared mode: other applications may use the reader too, so every SDK operation runs
 *   inside {@link WebSmartCardTransport.withTransaction} (`startTransaction`; the APDU channel
 *   calls it for each operation): nobody else's SELECT can slip into the sequence. The
 *   transaction's callback always returns `'leave'` (the API's default, for an `undefined`
 *   result or a rejection, is `'reset'`, which would drop the card's state after every
 *   operation), and `fn`'s own outcome is passed on after the transaction ends.
 * - A context runs one call at a time (the API rejects a second with `InvalidStateError`), so
 *   each transport has its own context and queues its calls; a reader watcher on another
 *   context never gets in its way.
 * - Extended length: the transport only passes on the hint of its options; the APDU channel
 *   decides. A reader error on an extended command is reported as `'extended-length-refused'`.
 * - Every API failure becomes a typed {@link MynacardError} (see `mapWebSmartCardError`).
 *
 * APDUs are never logged; each response is copied out and the API's buffer wiped.
 * @packageDocumentation
 */
import { isExtendedCommand } from '../apdu/command.js';
import { CardBusyError, CardRemovedError, InvalidArgumentError, TransportError, type MynacardError } from '../errors.js';
import { abortError, Mutex } from '../mutex.js';
import type { Transport } from '../transport/transport.js';
import type { SmartCardConnectionLike, SmartCardContextLike, SmartCardProtocol } from './api-types.js';
import { mapWebSmartCardError, smartCardResponseCode } from './errors.js';
import {
  DEFAULT_TRANSACTION_TIMEOUT_MS,
  MAX_RESPONSE_LENGTH,
  preferredProtocols,
  protocolName,
  type WebSmartCardProtocol,
  type WebSmartCardTransactionOptions,
  type WebSmartCardTransportOptions,
} from './options.js';

/** A connection just made: what the transport starts from. @internal */
export interface OpenedConnection {
  readonly connection: SmartCardConnectionLike;
  readonly protocol: SmartCardProtocol | undefined;
  readonly atr: Uint8Array;
}

/** Connect in shared mode on `context` and read the card's status. @internal */
export async function openConnection(
  context: SmartCardContextLike,
  reader: string,
  options: WebSmartCardTransportOptions,
): Promise<OpenedConnection> {
  let result;
  try {
    result = await context.connect(reader, 'shared', { preferredProtocols: preferredProtocols(options.protocol) });
  } catch (error) {
    throw mapWebSmartCardError(error, `connecting to the card in "${reader}"`);
  }
  const { connection, activeProtocol } = result;
  try {
    const status = await connection.status();
    const atr = status.answerToReset ? new Uint8Array(status.answerToReset).slice() : new Uint8Array(0);
    return { connection, protocol: activeProtocol, atr };
  } catch (error) {
    await connection.disconnect('leave').catch(() => undefined);
    throw mapWebSmartCardError(error, 'reading the card status');
  }
}

/**
 * A connected card in a reader, through the Web Smart Card API. Obtain one with
 * `waitForCard()` or `connect()` from `mynacard/web-smart-card`, hand it to
 * `MyNumberCard.connect`, and `close()` it when done.
 *
 * Use it through one card session (or one `ApduChannel`): inside a transaction the transport
 * cannot tell the session's commands from another caller's (a browser has no async context),
 * so a second user of the same object would land inside the session's sequence.
 */
export class WebSmartCardTransport implements Transport {
  /** The reader's name. */
  readonly reader: string;
  /** Transport hint: the largest response (65 536 data bytes + SW). */
  readonly maxResponseLength = MAX_RESPONSE_LENGTH;
  readonly #context: SmartCardContextLike;
  readonly #options: WebSmartCardTransportOptions;
  #connection: SmartCardConnectionLike;
  #protocol: SmartCardProtocol | undefined;
  #atr: Uint8Array;
  readonly #transactionTimeoutMs: number;
  /** API calls on the context, one at a time. See src/mutex.ts, rule 4. */
  readonly #callLock = new Mutex();
  /** Held by a transaction, or by a single transmit outside one. See src/mutex.ts, rule 3. */
  readonly #lock = new Mutex();
  #inTransaction = false;
  /** Another application reset the card during our transaction: reconnect once it ended. */
  #resetPending = false;
  #closed = false;
  #closing: Promise<void> | undefined;

  /** @internal Use `waitForCard()` or `connect()`. */
  constructor(context: SmartCardContextLike, reader: string, opened: OpenedConnection, options: WebSmartCardTransportOptions) {
    this.#context = context;
    this.reader = reader;
    this.#connection = opened.connection;
    this.#protocol = opened.protocol;
    this.#atr = opened.atr.slice();
    this.#options = options;
    if (options.extendedLength !== undefined) this.extendedLength = options.extendedLength;
    this.#transactionTimeoutMs = options.transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS;
  }

  /** Fixed extended-length hint: the `extendedLength` option; absent when not given. */
  declare readonly extendedLength?: boolean;

  /** The card's ATR, from the connection's status. Never identify the card by it. */
  get atr(): Uint8Array {
    return this.#atr.slice();
  }

  /** The protocol in use. */
  get protocol(): WebSmartCardProtocol {
    return protocolName(this.#protocol);
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Send one command APDU; resolve to `data ‖ SW1 SW2` (a copy: the API's buffer is wiped).
   * Outside {@link withTransaction} it waits for a running transaction of this transport.
   *
   * @throws CardRemovedError, CardBusyError, ReaderUnavailableError, PcscServiceError,
   *   TransportError (code `'card-reset'` after another application reset the card,
   *   `'extended-length-refused'` when the reader refused an extended APDU, `'transport-closed'`)
   */
  async transmit(command: Uint8Array): Promise<Uint8Array> {
    if (!(command instanceof Uint8Array) || command.length < 4) {
      throw new InvalidArgumentError('transmit expects a command APDU of at least 4 bytes');
    }
    this.#assertOpen();
    if (this.#inTransaction) return this.#callLock.run(() => this.#exchange(command));
    const release = await this.#lock.acquire();
    try {
      this.#assertOpen();
      return await this.#callLock.run(() => this.#exchange(command));
    } finally {
      release();
    }
  }

  /**
   * Run `fn` inside a transaction (`startTransaction`): no other application's command reaches
   * the card until `fn` settles, and no other caller of this transport outside a transaction
   * either. The card is left as it is (`'leave'`) on every path; `fn`'s result or error is
   * passed on (when ending fails after `fn` succeeded, its result is still returned). Nested
   * calls run `fn` inside the current transaction.
   *
   * @throws CardBusyError when another application holds the card longer than the timeout,
   *   AbortedError, CardRemovedError, and whatever `fn` throws
   */
  async withTransaction<T>(fn: () => Promise<T>, options: WebSmartCardTransactionOptions = {}): Promise<T> {
    if (typeof fn !== 'function') throw new InvalidArgumentError('withTransaction(fn) needs a function');
    if (this.#inTransaction) return fn();
    this.#assertOpen();
    const timeoutMs = options.timeoutMs ?? this.#transactionTimeoutMs;
    if (!(timeoutMs >= 0)) throw new InvalidArgumentError('timeoutMs must be ≥ 0');
    const release = await this.#lock.acquire(options.signal);
    try {
      this.#assertOpen();
      return await this.#transaction(fn, timeoutMs, options.signal);
    } finally {
      release();
    }
  }

  /**
   * Disconnect (card left as it is). Waits for a running transaction of this transport first.
   * Idempotent.
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
    const release = this.#inTransaction ? undefined : await this.#lock.acquire();
    try {
      const connection = this.#connection;
      await this.#callLock.run(() => connection.disconnect('leave')).catch(() => undefined);
    } finally {
      release?.();
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new TransportError('The Web Smart Card transport is closed', { code: 'transport-closed' });
  }

  async #transaction<T>(fn: () => Promise<T>, timeoutMs: number, signal: AbortSignal | undefined): Promise<T> {
    if (signal?.aborted) throw abortError(signal);
    const wait = boundedWait(timeoutMs, signal);
    const releaseBegin = await this.#callLock.acquire();
    let releaseEnd: (() => void) | undefined;
    let outcome: { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown } | undefined;
    let failure: unknown;
    try {
      await this.#connection.startTransaction(
        async () => {
          wait.dispose();
          releaseBegin();
          if (wait.signal.aborted) {
            // Begun as the wait was given up: hand the card straight back.
            releaseEnd = await this.#callLock.acquire();
            return 'leave';
          }
          this.#inTransaction = true;
          try {
            outcome = { ok: true, value: await fn() };
          } catch (error) {
            outcome = { ok: false, error };
          } finally {
            this.#inTransaction = false;
          }
          // Ending is a call on the context too: after any call still running.
          releaseEnd = await this.#callLock.acquire();
          return 'leave';
        },
        { signal: wait.signal },
      );
    } catch (error) {
      failure = error;
    } finally {
      wait.dispose();
      releaseBegin();
      releaseEnd?.();
    }
    if (this.#resetPending) {
      this.#resetPending = false;
      await this.#callLock.run(() => this.#acknowledgeReset());
    }
    if (outcome !== undefined) {
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    }
    if (wait.timedOut) {
      throw new CardBusyError(`Another application kept the card in a transaction for more than ${timeoutMs} ms`);
    }
    if (signal?.aborted) throw abortError(signal);
    if (failure === undefined) throw new TransportError('The transaction was given up', { code: 'transaction-failed' });
    if (smartCardResponseCode(failure) === 'reset-card') await this.#callLock.run(() => this.#acknowledgeReset());
    throw mapWebSmartCardError(failure, 'beginning a transaction');
  }

  async #exchange(command: Uint8Array): Promise<Uint8Array> {
    const extended = isExtendedCommand(command);
    let buffer: ArrayBuffer;
    try {
      buffer = await this.#connection.transmit(command);
    } catch (error) {
      throw await this.#transmitFailure(error, extended);
    }
    const response = new Uint8Array(buffer);
    const out = response.slice();
    response.fill(0);
    if (out.length < 2) {
      // pcscd answers an exchange cut by the card leaving with no bytes and no error.
      throw new CardRemovedError('The card was removed from the reader during the exchange (empty response)');
    }
    return out;
  }

  async #transmitFailure(error: unknown, extended: boolean): Promise<MynacardError> {
    const code = smartCardResponseCode(error);
    if (code === 'not-transacted') {
      // First sign of a vanished card, but also how a reader refuses a frame it cannot carry.
      if (await this.#cardGone()) return new CardRemovedError('The card was removed from the reader (not-transacted)', { cause: error });
      if (extended) return refusedExtended(error);
      return new TransportError('The reader could not exchange the APDU with the card (not-transacted)', {
        cause: error,
        code: 'pcsc-error',
      });
    }
    if (code === 'reset-card') {
      // Inside a transaction the context refuses a new connection to the reader: after it ends.
      if (this.#inTransaction) this.#resetPending = true;
      else await this.#acknowledgeReset();
    }
    const mapped = mapWebSmartCardError(error, 'transmit');
    if (extended && mapped.code === 'pcsc-error') return refusedExtended(error);
    return mapped;
  }

  /** Whether the connection's status says the card left. */
  async #cardGone(): Promise<boolean> {
    try {
      const status = await this.#connection.status();
      return status.state === 'absent';
    } catch (error) {
      const code = smartCardResponseCode(error);
      return code === 'removed-card' || code === 'no-smartcard';
    }
  }

  /**
   * Another application reset the card: the API has no reconnect, so connect anew (same
   * context) so that the next operation works. Runs inside the call lock, outside a transaction.
   */
  async #acknowledgeReset(): Promise<void> {
    const old = this.#connection;
    await old.disconnect('leave').catch(() => undefined);
    try {
      const opened = await openConnection(this.#context, this.reader, this.#options);
      this.#connection = opened.connection;
      this.#protocol = opened.protocol;
      this.#atr = opened.atr;
    } catch {
      // The next operation reports what is wrong.
    }
  }
}

/** A reader error on an extended command: most likely the reader cannot carry extended length. */
function refusedExtended(cause: unknown): TransportError {
  const code = smartCardResponseCode(cause) ?? (cause as { name?: string } | undefined)?.name ?? 'error';
  return new TransportError(`The reader refused an extended-length APDU (${code})`, { cause, code: 'extended-length-refused' });
}

/** An abort signal for the API that fires on the caller's abort or after `timeoutMs`. */
function boundedWait(
  timeoutMs: number,
  signal: AbortSignal | undefined,
): { readonly signal: AbortSignal; readonly timedOut: boolean; dispose(): void } {
  const controller = new AbortController();
  let timedOut = false;
  const onAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  const timer = Number.isFinite(timeoutMs)
    ? setTimeout(() => {
        timedOut = true;
        controller.abort(new CardBusyError(`Another application kept the card in a transaction for more than ${timeoutMs} ms`));
      }, timeoutMs)
    : undefined;
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}
