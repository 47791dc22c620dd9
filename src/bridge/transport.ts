/**
 * `BridgeTransport`: a card in a PC/SC reader of the local `mynacard bridge`, reached from a web
 * page over a WebSocket, as a {@link Transport}. The page runs the whole SDK (the APDU channel,
 * the PIN guard); the bridge only carries APDUs.
 *
 * - Shared like PC/SC: every SDK operation runs inside {@link BridgeTransport.withTransaction}
 *   (`begin` … `end` on the bridge: no other page's or application's command reaches the card
 *   in between).
 * - A browser has no async context: inside a transaction the transport cannot tell the
 *   session's commands from another caller's, so use one transport through one card session.
 * - APDUs travel as hex; each failure is a typed {@link MynacardError}. Nothing is logged.
 * @packageDocumentation
 */
import { fromHex, toHex } from '../bytes.js';
import { InvalidArgumentError, TransportError } from '../errors.js';
import { abortError, Mutex } from '../mutex.js';
import type { ReaderInfo } from '../transport/readers.js';
import type { Transport } from '../transport/transport.js';
import { BridgeError } from './errors.js';
import { BridgeSocket, type BridgeConnectionOptions } from './socket.js';

/** Largest response: 65 536 data bytes + SW. */
const MAX_RESPONSE_LENGTH = 65_538;

/** Options of {@link BridgeTransport.connect}. */
export interface BridgeTransportOptions extends BridgeConnectionOptions {
  /** The token {@link pair} returned. */
  readonly token: string;
  /** The reader's exact name. Default: the first reader with a card. */
  readonly reader?: string | undefined;
  /** Known extended-length support of the reader (the transport's fixed hint). Default: unknown. */
  readonly extendedLength?: boolean | undefined;
  /** Longest wait for another page's (or application's) transaction. Default 30 000 ms, at most 60 000. */
  readonly transactionTimeoutMs?: number | undefined;
}

/** Per-call options of {@link BridgeTransport.withTransaction}. */
export interface BridgeTransactionOptions {
  /** Stop waiting for this transport's own lock with `AbortedError`. */
  readonly signal?: AbortSignal | undefined;
  /** Overrides the transport's `transactionTimeoutMs` for this call. */
  readonly timeoutMs?: number | undefined;
}

/** Options of {@link pair} and {@link requestPairingCode}. */
export type BridgePairOptions = BridgeConnectionOptions;

function checkToken(token: unknown): asserts token is string {
  if (typeof token !== 'string' || token.length === 0) throw new InvalidArgumentError('token must be the string pair() returned');
}

/** Open a socket and authenticate it with `token`. */
async function authenticated(options: BridgeConnectionOptions & { readonly token: string }): Promise<BridgeSocket> {
  checkToken(options.token);
  const socket = await BridgeSocket.open(options);
  try {
    await socket.call('auth', { token: options.token });
  } catch (error) {
    socket.close();
    throw error;
  }
  return socket;
}

/**
 * Ask the bridge to show a new pairing code in its terminal (valid 5 minutes, one use). The
 * person at the counter reads it there and types it into the page, which calls {@link pair}.
 * @throws BridgeError (`bridge-unavailable`, `bridge-limit`)
 */
export async function requestPairingCode(options: BridgePairOptions): Promise<void> {
  const socket = await BridgeSocket.open(options);
  try {
    await socket.call('pair-start');
  } finally {
    socket.close();
  }
}

/**
 * Pair this page (its origin) with the bridge: send the code the bridge showed and get the
 * token to keep (e.g. in `localStorage`) and pass to {@link BridgeTransport.connect}.
 * @throws BridgeError (`bridge-pairing` for a wrong or expired code, `bridge-limit` after too
 *   many wrong codes, `bridge-unavailable`)
 */
export async function pair(options: BridgePairOptions & { readonly code: string }): Promise<string> {
  if (typeof options?.code !== 'string') throw new InvalidArgumentError('code must be a string');
  const socket = await BridgeSocket.open(options);
  try {
    const reply = await socket.call('pair', { code: options.code });
    const token = reply['token'];
    if (typeof token !== 'string') throw new BridgeError('bridge-protocol', 'the bridge sent no token');
    return token;
  } finally {
    socket.close();
  }
}

/**
 * The readers of the bridge's PC/SC service, and whether a card is in each.
 * @throws BridgeError, PcscServiceError
 */
export async function listReaders(options: BridgeConnectionOptions & { readonly token: string }): Promise<ReaderInfo[]> {
  const socket = await authenticated(options);
  try {
    const reply = await socket.call('list-readers');
    const readers = Array.isArray(reply['readers']) ? (reply['readers'] as unknown[]) : [];
    return readers.map((r) => {
      const x = (r ?? {}) as Record<string, unknown>;
      return {
        name: String(x['name']),
        cardPresent: x['cardPresent'] === true,
        mute: x['mute'] === true,
        inUse: x['inUse'] === true,
        exclusive: x['exclusive'] === true,
      };
    });
  } finally {
    socket.close();
  }
}

/**
 * A card in a reader of the local bridge. Obtain one with {@link BridgeTransport.connect}, hand
 * it to `MyNumberCard.connect`, and `close()` it when done.
 */
export class BridgeTransport implements Transport {
  /** The reader's PC/SC name. */
  readonly reader: string;
  /** Transport hint: the largest response (65 536 data bytes + SW). */
  readonly maxResponseLength = MAX_RESPONSE_LENGTH;
  readonly #socket: BridgeSocket;
  readonly #atr: Uint8Array;
  readonly #transactionTimeoutMs: number | undefined;
  /** Held by a transaction, or by a single transmit outside one. See src/mutex.ts, rule 3. */
  readonly #lock = new Mutex();
  #inTransaction = false;
  #closed = false;
  #closing: Promise<void> | undefined;

  private constructor(socket: BridgeSocket, reader: string, atr: Uint8Array, options: BridgeTransportOptions) {
    this.#socket = socket;
    this.reader = reader;
    this.#atr = atr;
    if (options.extendedLength !== undefined) this.extendedLength = options.extendedLength;
    this.#transactionTimeoutMs = options.transactionTimeoutMs;
  }

  /** Fixed extended-length hint: the `extendedLength` option; absent when not given. */
  declare readonly extendedLength?: boolean;

  /**
   * Connect to the bridge at `url`, authenticate with `token`, and connect to the card.
   * @throws BridgeError (`bridge-unavailable`: not running or this origin not allowed;
   *   `bridge-unauthorized`: pair again), ReaderUnavailableError (no card), CardBusyError, PcscServiceError
   */
  static async connect(options: BridgeTransportOptions): Promise<BridgeTransport> {
    const { extendedLength, transactionTimeoutMs } = options ?? {};
    if (extendedLength !== undefined && typeof extendedLength !== 'boolean') throw new InvalidArgumentError('extendedLength must be a boolean');
    if (transactionTimeoutMs !== undefined && !(transactionTimeoutMs >= 0)) throw new InvalidArgumentError('transactionTimeoutMs must be ≥ 0');
    const socket = await authenticated(options);
    try {
      const reply = await socket.call('connect', options.reader === undefined ? {} : { reader: options.reader });
      const reader = typeof reply['reader'] === 'string' ? reply['reader'] : '';
      const atr = typeof reply['atr'] === 'string' && /^(?:[0-9a-f]{2})*$/i.test(reply['atr']) ? fromHex(reply['atr']) : new Uint8Array(0);
      return new BridgeTransport(socket, reader, atr, options);
    } catch (error) {
      socket.close();
      throw error;
    }
  }

  /** The card's ATR, as the bridge's reader read it. Never identify the card by it. */
  get atr(): Uint8Array {
    return this.#atr.slice();
  }

  /** Whether {@link close} was called or the bridge closed the connection. */
  get closed(): boolean {
    return this.#closed || this.#socket.closed;
  }

  /**
   * Send one command APDU; resolve to `data ‖ SW1 SW2`. Outside {@link withTransaction} it
   * waits for a running transaction of this transport (and, on the bridge, of other pages).
   * @throws CardRemovedError, CardBusyError, TransportError, BridgeError
   */
  async transmit(command: Uint8Array): Promise<Uint8Array> {
    if (!(command instanceof Uint8Array) || command.length < 4) {
      throw new InvalidArgumentError('transmit expects a command APDU of at least 4 bytes');
    }
    this.#assertOpen();
    if (this.#inTransaction) return this.#exchange(command);
    const release = await this.#lock.acquire();
    try {
      this.#assertOpen();
      return await this.#exchange(command);
    } finally {
      release();
    }
  }

  /**
   * Run `fn` holding the reader on the bridge (`begin` … `end`): no other page's or
   * application's command reaches the card until `fn` settles. The transaction ends on every
   * path; `fn`'s result or error is passed on. Nested calls run inside the current one.
   * @throws CardBusyError when another page holds the reader longer than the timeout,
   *   AbortedError, and whatever `fn` throws
   */
  async withTransaction<T>(fn: () => Promise<T>, options: BridgeTransactionOptions = {}): Promise<T> {
    if (typeof fn !== 'function') throw new InvalidArgumentError('withTransaction(fn) needs a function');
    if (this.#inTransaction) return fn();
    this.#assertOpen();
    const timeoutMs = options.timeoutMs ?? this.#transactionTimeoutMs;
    if (timeoutMs !== undefined && !(timeoutMs >= 0)) throw new InvalidArgumentError('timeoutMs must be ≥ 0');
    const release = await this.#lock.acquire(options.signal);
    try {
      this.#assertOpen();
      if (options.signal?.aborted) throw abortError(options.signal);
      await this.#socket.call('begin', timeoutMs === undefined ? {} : { timeoutMs: Math.min(timeoutMs, 60_000) });
      this.#inTransaction = true;
      let value: T;
      try {
        value = await fn();
      } catch (error) {
        this.#inTransaction = false;
        await this.#socket.call('end').catch(() => undefined);
        throw error;
      }
      this.#inTransaction = false;
      // The result stands even when ending fails (the bridge ends it when the socket closes).
      await this.#socket.call('end').catch(() => undefined);
      return value;
    } finally {
      this.#inTransaction = false;
      release();
    }
  }

  /** Disconnect and close the socket. Waits for a running transaction of this transport. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  /** `await using transport = await BridgeTransport.connect(…)` closes it. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #close(): Promise<void> {
    this.#closed = true;
    const release = this.#inTransaction ? undefined : await this.#lock.acquire();
    try {
      await this.#socket.call('disconnect').catch(() => undefined);
      this.#socket.close();
    } finally {
      release?.();
    }
  }

  #assertOpen(): void {
    if (this.#closed) throw new TransportError('The bridge transport is closed', { code: 'transport-closed' });
  }

  async #exchange(command: Uint8Array): Promise<Uint8Array> {
    const reply = await this.#socket.call('transmit', { apdu: toHex(command) });
    const hex = reply['response'];
    if (typeof hex !== 'string' || hex.length < 4 || hex.length > 2 * MAX_RESPONSE_LENGTH || !/^(?:[0-9a-f]{2})+$/i.test(hex)) {
      throw new BridgeError('bridge-protocol', 'the bridge sent a malformed response');
    }
    return fromHex(hex);
  }
}
