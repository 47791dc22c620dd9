/**
 * Options of the Web Smart Card transport and of the reader functions, their checks, and where
 * `navigator.smartCard` comes from.
 * @packageDocumentation
 */
import { InvalidArgumentError, TransportError } from '../errors.js';
import type { ReaderMatcher } from '../transport/readers.js';
import type { SmartCardProtocol, SmartCardResourceManagerLike } from './api-types.js';

/** Receive size of the API: 65 536 data bytes + SW1 SW2 (ISO/IEC 7816-4 extended Le). */
export const MAX_RESPONSE_LENGTH = 65_538;
/** Default wait for another application's transaction. */
export const DEFAULT_TRANSACTION_TIMEOUT_MS = 30_000;

/** The protocol negotiated with the card. */
export type WebSmartCardProtocol = 'T=0' | 'T=1' | 'raw' | 'unknown';

/** Where the functions find the API. */
export interface WebSmartCardSource {
  /**
   * The Web Smart Card API object. Default: `navigator.smartCard` (a window or a dedicated /
   * shared worker of an Isolated Web App). Pass one to use a fake (`mynacard/testing`).
   */
  readonly smartCard?: SmartCardResourceManagerLike | undefined;
}

/** Options of a connected {@link WebSmartCardTransport} (also taken by `waitForCard` and `connect`). */
export interface WebSmartCardTransportOptions extends WebSmartCardSource {
  /** Protocol to ask for. Default `'any'` (T=0 or T=1, the reader's choice). */
  readonly protocol?: 'T=0' | 'T=1' | 'any' | undefined;
  /**
   * Longest wait for another application's transaction before {@link CardBusyError}.
   * Default 30 000 ms; `Infinity` waits for ever.
   */
  readonly transactionTimeoutMs?: number | undefined;
  /**
   * Known extended-length support of this reader, passed on as the fixed
   * {@link WebSmartCardTransport.extendedLength} hint. Default: unknown (the APDU channel detects it).
   */
  readonly extendedLength?: boolean | undefined;
}

/** Options of `connect`. */
export interface ConnectOptions extends WebSmartCardTransportOptions {
  /**
   * Give up with `AbortedError` (e.g. while the browser's permission prompt is open); a
   * connection made after that is closed at once.
   */
  readonly signal?: AbortSignal | undefined;
}

/** Per-call options of {@link WebSmartCardTransport.withTransaction}. */
export interface WebSmartCardTransactionOptions {
  /** Stop waiting (for this transport or another application) with `AbortedError`. */
  readonly signal?: AbortSignal | undefined;
  /** Overrides the transport's `transactionTimeoutMs` for this call. */
  readonly timeoutMs?: number | undefined;
}

/** Options of `waitForCard`. */
export interface WaitForCardOptions extends WebSmartCardTransportOptions {
  /** The reader to wait on. Default: the first reader that has (or gets) a card. */
  readonly reader?: ReaderMatcher | undefined;
  /** Give up with `AbortedError`. */
  readonly signal?: AbortSignal | undefined;
  /** Give up with `TimeoutError` after this long. Default: wait for ever. */
  readonly timeoutMs?: number | undefined;
}

/** Options of `watchReaders`. */
export interface WatchReadersOptions extends WebSmartCardSource {
  /** End the iteration (the pending `next()` resolves done). */
  readonly signal?: AbortSignal | undefined;
  /**
   * Start with a `reader-added` (and `card-inserted`) event for each reader already there.
   * Default `true`.
   */
  readonly initial?: boolean | undefined;
  /** Put the card's ATR (from the reader state) on each `card-inserted` event. Default `false`. */
  readonly readAtr?: boolean | undefined;
}

/** Options of `listReaders`. */
export interface ListReadersOptions extends WebSmartCardSource {
  /** Give up with `AbortedError`. */
  readonly signal?: AbortSignal | undefined;
}

/** Validate the options shared by `waitForCard`, `connect` and the transport. */
export function checkTransportOptions(options: WebSmartCardTransportOptions): void {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options must be an object');
  const { protocol, transactionTimeoutMs, extendedLength } = options;
  if (protocol !== undefined && protocol !== 'T=0' && protocol !== 'T=1' && protocol !== 'any') {
    throw new InvalidArgumentError("protocol must be 'T=0', 'T=1' or 'any'");
  }
  if (transactionTimeoutMs !== undefined && !(transactionTimeoutMs >= 0)) {
    throw new InvalidArgumentError('transactionTimeoutMs must be ≥ 0');
  }
  if (extendedLength !== undefined && typeof extendedLength !== 'boolean') {
    throw new InvalidArgumentError('extendedLength must be a boolean');
  }
}

/** The `preferredProtocols` of a protocol option. */
export function preferredProtocols(protocol: WebSmartCardTransportOptions['protocol']): SmartCardProtocol[] {
  if (protocol === 'T=0') return ['t0'];
  if (protocol === 'T=1') return ['t1'];
  return ['t0', 't1'];
}

/** The name of a negotiated protocol. */
export function protocolName(protocol: SmartCardProtocol | undefined): WebSmartCardProtocol {
  if (protocol === 't0') return 'T=0';
  if (protocol === 't1') return 'T=1';
  if (protocol === 'raw') return 'raw';
  return 'unknown';
}

/** The API object: the option's, else `navigator.smartCard`. */
export function resourceManager(source: WebSmartCardSource | undefined): SmartCardResourceManagerLike {
  const given = source?.smartCard;
  if (given !== undefined) {
    if (typeof given !== 'object' || given === null || typeof given.establishContext !== 'function') {
      throw new InvalidArgumentError('smartCard must be a SmartCardResourceManager (navigator.smartCard)');
    }
    return given;
  }
  const found = (globalThis as { navigator?: { smartCard?: SmartCardResourceManagerLike } }).navigator?.smartCard;
  if (found === undefined || found === null || typeof found.establishContext !== 'function') {
    throw new TransportError(
      'navigator.smartCard is not available: the Web Smart Card API needs an Isolated Web App (or a managed kiosk) in Chromium, in a secure context with the "smart-card" permissions policy',
      { code: 'web-smart-card-unavailable' },
    );
  }
  return found;
}
