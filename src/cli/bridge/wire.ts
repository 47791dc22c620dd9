/**
 * The server's side of the wire's errors: a {@link WireError} carries a stable code to the page;
 * any other failure is turned into one by {@link toWireError} (SDK codes pass through).
 * Messages never carry APDU data.
 * @packageDocumentation
 */
import { MynacardError, type BridgeErrorCode } from '../../errors.js';

/** Codes the page maps to typed errors (docs/bridge.md, "Error codes"). */
const WIRE_CODES: ReadonlySet<string> = new Set([
  'bridge-unavailable',
  'bridge-unauthorized',
  'bridge-pairing',
  'bridge-limit',
  'bridge-protocol',
  'card-removed',
  'card-busy',
  'reader-unavailable',
  'pcsc-service',
  'card-reset',
  'pcsc-error',
  'extended-length-refused',
  'transport-error',
  'transport-closed',
  'invalid-argument',
  'timeout',
]);

/** An error answered to the page with `code`. */
export class WireError extends Error {
  readonly code: string;
  constructor(code: BridgeErrorCode | 'card-busy' | 'invalid-argument' | 'reader-unavailable', message: string) {
    super(message);
    this.code = code;
    this.name = 'WireError';
  }
}

/** `{ code, message }` of any failure, for an error frame. */
export function toWireError(error: unknown): { readonly code: string; readonly message: string } {
  if (error instanceof WireError) return { code: error.code, message: error.message };
  if (error instanceof MynacardError) {
    return { code: WIRE_CODES.has(error.code) ? error.code : 'transport-error', message: error.message };
  }
  return { code: 'transport-error', message: 'the bridge failed' };
}
