/**
 * The messages between `mynacard/pcsc` and its PC/SC host process (see `host.ts`), sent over
 * Node's IPC channel with the structured-clone ("advanced") serialization, so byte arrays cross
 * as `Uint8Array`.
 * @packageDocumentation
 */

/** A pcsc-mini error as it crosses the process boundary: only its class name, message and code. */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly code?: string | undefined;
}

/** Requests from the SDK to the host; each `id` gets exactly one {@link HostReply}. */
export type HostRequest =
  | { readonly id: number; readonly op: 'start' }
  | { readonly id: number; readonly op: 'connect'; readonly reader: number; readonly mode: number; readonly protocol?: number | undefined }
  | { readonly id: number; readonly op: 'transmit'; readonly card: number; readonly data: Uint8Array }
  | { readonly id: number; readonly op: 'state'; readonly card: number }
  | { readonly id: number; readonly op: 'begin'; readonly card: number }
  | { readonly id: number; readonly op: 'end'; readonly transaction: number; readonly disposition: number }
  | { readonly id: number; readonly op: 'reconnect'; readonly card: number; readonly mode: number; readonly disposition: number }
  | { readonly id: number; readonly op: 'disconnect'; readonly card: number; readonly disposition: number };

/** The host's answer to one request. */
export type HostReply =
  | { readonly id: number; readonly ok: true; readonly value?: unknown }
  | { readonly id: number; readonly ok: false; readonly error: WireError };

/** What the host's reader monitor reports, unasked. */
export type HostEvent =
  | { readonly event: 'reader'; readonly reader: number; readonly name: string }
  | { readonly event: 'change'; readonly reader: number; readonly raw: number; readonly atr: Uint8Array }
  | { readonly event: 'reader-gone'; readonly reader: number }
  | { readonly event: 'error'; readonly error: WireError };

/** The value of a `connect` reply. */
export interface ConnectValue {
  readonly card: number;
  readonly protocol: number;
}

/** The value of a `state` reply. */
export interface StateValue {
  readonly atr: Uint8Array;
  readonly protocol: number;
  readonly readerName: string;
  readonly raw: number;
}

/** Reduce any thrown value to what crosses the boundary (never its other properties). */
export function toWireError(error: unknown): WireError {
  const e = error as { name?: unknown; message?: unknown; code?: unknown } | undefined;
  return {
    name: typeof e?.name === 'string' ? e.name : 'Error',
    message: typeof e?.message === 'string' ? e.message : String(error),
    code: typeof e?.code === 'string' ? e.code : undefined,
  };
}

/** An `Error` carrying a pcsc-mini style `code`, as the SDK's error mapping expects. */
export function fromWireError(wire: WireError): Error & { code?: string } {
  const error = new Error(wire.message) as Error & { code?: string };
  error.name = wire.name;
  if (wire.code !== undefined) error.code = wire.code;
  return error;
}
