/**
 * The bridge's wire protocol, version 1 (docs/bridge.md): frame types, error codes, limits and
 * close codes, shared by the page side (`BridgeTransport`) and the server (`mynacard bridge`).
 * Browser-safe: constants and plain checks only.
 * @packageDocumentation
 */

/** The protocol name the bridge announces in its first frame. */
export const BRIDGE_PROTOCOL = 'mynacard-bridge';
/** The protocol version this SDK speaks. */
export const BRIDGE_PROTOCOL_VERSION = 1;
/** The bridge's default port. */
export const BRIDGE_DEFAULT_PORT = 47_110;
/** Largest frame (bytes): an extended command APDU in hex with its JSON envelope fits. */
export const BRIDGE_MAX_FRAME_BYTES = 140_000;

export type { BridgeErrorCode } from '../errors.js';

/** WebSocket close codes the bridge uses. */
export const BRIDGE_CLOSE: {
  /** Normal closure. */
  readonly normal: 1000;
  /** Policy: unauthorized, rate limit, malformed frame (the reason names the wire code). */
  readonly policy: 1008;
  /** A frame over the size limit. */
  readonly tooLarge: 1009;
  /** No frame for the idle timeout. */
  readonly idle: 4000;
  /** Not paired or authenticated in time. */
  readonly authTimeout: 4001;
} = { normal: 1000, policy: 1008, tooLarge: 1009, idle: 4000, authTimeout: 4001 };

/** Requests a page sends. */
export type BridgeRequestType =
  | 'hello'
  | 'pair-start'
  | 'pair'
  | 'auth'
  | 'list-readers'
  | 'connect'
  | 'transmit'
  | 'begin'
  | 'end'
  | 'disconnect';

/** Parse one text frame into an object with a string `type`, or undefined when malformed. */
export function parseFrame(text: string): ({ readonly type: string; readonly id?: unknown } & Record<string, unknown>) | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const frame = value as Record<string, unknown>;
  return typeof frame['type'] === 'string' ? (frame as { type: string } & Record<string, unknown>) : undefined;
}

/** Whether `value` is a request id: a safe non-negative integer. */
export function isRequestId(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
