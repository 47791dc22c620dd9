/**
 * The options and public result types of {@link WebUsbCcidTransport}.
 * @packageDocumentation
 */
import type { CcidVoltage } from './power.js';

/** Options of {@link WebUsbCcidTransport.open}. Every member is optional. */
export interface WebUsbCcidOptions {
  /** Slot (bSlot) of a multi-slot reader. Default 0. */
  readonly slot?: number | undefined;
  /**
   * Aborts opening and, later, any wait for the reader. WebUSB transfers cannot be cancelled,
   * so an aborted or timed-out exchange leaves the transport broken until {@link
   * WebUsbCcidTransport.reconnect}.
   */
  readonly signal?: AbortSignal | undefined;
  /**
   * Longest wait for one answer of the reader, in ms (each time extension restarts it).
   * Default 20000; `Infinity` waits forever.
   */
  readonly responseTimeoutMs?: number | undefined;
  /**
   * Longest time one operation (`transmit`, `reconnect`, `slotStatus`, opening, closing) may
   * take in all, in ms, however often the reader or card asks for more time (time extensions,
   * S(WTX)) or sends empty transfers: past it the operation rejects with TimeoutError and the
   * transport is broken until {@link WebUsbCcidTransport.reconnect}. Default 30000;
   * `Infinity` disables it (the caps on time extensions and WTX requests still apply).
   */
  readonly exchangeTimeoutMs?: number | undefined;
  /**
   * Card voltage. Default: the reader's automatic selection when dwFeatures offers it, else
   * each voltage of bVoltageSupport from the lowest up (ISO/IEC 7816-3 §6.2.4 class selection).
   */
  readonly voltage?: CcidVoltage | undefined;
  /** T=1 IFSD to negotiate at TPDU level (default 254, capped by dwMaxIFSD and the message size). */
  readonly ifsd?: number | undefined;
  /** T=1 retries of a bad block before giving up (default 3). */
  readonly t1Retries?: number | undefined;
  /** Called when the interrupt pipe reports the card inserted (`true`) or removed (`false`). */
  readonly onSlotChange?: ((present: boolean) => void) | undefined;
  /** Close the `USBDevice` in {@link WebUsbCcidTransport.close}. Default: only when `open` opened it. */
  readonly closeDevice?: boolean | undefined;
}

/** Per-call options of {@link WebUsbCcidTransport.transmit}. */
export interface WebUsbTransmitOptions {
  /** Abort the wait for this answer (the transport is then broken until `reconnect`). */
  readonly signal?: AbortSignal | undefined;
}

/** T=1 information field sizes in use. */
export interface T1Sizes {
  /** The card's IFSC (largest INF the card accepts). */
  readonly ifsc: number;
  /** The IFSD (largest INF the card may send), as negotiated. */
  readonly ifsd: number;
}

/** Link protocol to the card at TPDU level. */
export type CcidCardProtocol = 'T=0' | 'T=1';
