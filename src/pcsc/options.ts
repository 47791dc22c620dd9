/**
 * The options of the PC/SC transport, their checks, and the mapping of protocol names to
 * pcsc-mini's codes.
 * @packageDocumentation
 */
import { InvalidArgumentError } from '../errors.js';
import { PROTOCOL, type PcscMiniCard } from './pcsc-mini.js';

/** Receive buffer: 65 536 data bytes + SW1 SW2 (ISO/IEC 7816-4 extended Le). */
export const RECEIVE_BUFFER_LENGTH = 65_538;
/** Default wait for another application's PC/SC transaction. */
export const DEFAULT_TRANSACTION_TIMEOUT_MS = 30_000;

/** The protocol negotiated with the card. */
export type PcscProtocol = 'T=0' | 'T=1' | 'unknown';

/** Options of a connected {@link PcscTransport} (also taken by `waitForCard` and `connect`). */
export interface PcscTransportOptions {
  /** Protocol to ask for. Default `'any'` (T=0 or T=1, the reader's choice). */
  readonly protocol?: 'T=0' | 'T=1' | 'any' | undefined;
  /**
   * Longest wait for another application's transaction before {@link CardBusyError}.
   * Default 30 000 ms; `Infinity` waits for ever.
   */
  readonly transactionTimeoutMs?: number | undefined;
  /**
   * Known extended-length support of this reader, passed on as the fixed
   * {@link PcscTransport.extendedLength} hint. Default: unknown (the APDU channel detects it).
   */
  readonly extendedLength?: boolean | undefined;
}

/** Per-call options of {@link PcscTransport.withTransaction}. */
export interface PcscTransactionOptions {
  /** Stop waiting (for this transport or another application) with `AbortedError`. */
  readonly signal?: AbortSignal | undefined;
  /** Overrides the transport's `transactionTimeoutMs` for this call. */
  readonly timeoutMs?: number | undefined;
}

/** Options of {@link PcscTransport.reconnect}. */
export interface PcscReconnectOptions {
  /** How long to wait for a card in the reader. Default: for ever. */
  readonly timeoutMs?: number | undefined;
  /** Stop waiting with `AbortedError`. */
  readonly signal?: AbortSignal | undefined;
}

/** Validate the options shared by `waitForCard`, `connect` and the transport. */
export function checkTransportOptions(options: PcscTransportOptions): void {
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

/** pcsc-mini's code of a protocol option. */
export function protocolCode(protocol: PcscTransportOptions['protocol']): number {
  if (protocol === 'T=0') return PROTOCOL.t0;
  if (protocol === 'T=1') return PROTOCOL.t1;
  return PROTOCOL.any;
}

/** The name of a negotiated protocol code. */
export function protocolName(code: number | undefined): PcscProtocol {
  if (code === PROTOCOL.t0) return 'T=0';
  if (code === PROTOCOL.t1) return 'T=1';
  return 'unknown';
}

/** The card handle's protocol, or undefined when it cannot be read. */
export function safeProtocol(card: PcscMiniCard): number | undefined {
  try {
    return card.protocol();
  } catch {
    return undefined;
  }
}
