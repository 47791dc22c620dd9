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
export const BRIDGE_CLOSE = {
  normal: 1000,
  policy: 1008,
  tooLarge: 1009,
  idle: 4000,
  authTimeout: 4001,
} as const;

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

/** A request frame: `id`, `type` and the type's fields. */
export interface BridgeRequest {
  readonly id: number;
  readonly type: BridgeRequestType;
  readonly [field: string]: unknown;
}

/** The answer to a request: a result or an error, with the request's `id`. */
export type BridgeReply =
  | { readonly id: number; readonly type: 'result'; readonly [field: string]: unknown }
  | { readonly id: number; readonly type: 'error'; readonly code: string; readonly message: string };

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
