/**
 * The bridge's typed error, and the mapping of the wire's error codes (docs/bridge.md) to the
 * SDK's errors. Messages come from the bridge and never carry APDU data.
 * @packageDocumentation
 */
import {
  CardBusyError,
  CardRemovedError,
  InvalidArgumentError,
  MynacardError,
  PcscServiceError,
  ReaderUnavailableError,
  TimeoutError,
  TransportError,
  type BridgeErrorCode,
} from '../errors.js';

/**
 * A failure of the bridge itself: not reachable or refused (`bridge-unavailable`), unknown
 * token (`bridge-unauthorized`: pair again), wrong pairing code (`bridge-pairing`), a limit
 * hit (`bridge-limit`), or a protocol mismatch (`bridge-protocol`).
 */
export class BridgeError extends MynacardError {
  declare readonly code: BridgeErrorCode;
  constructor(code: BridgeErrorCode = 'bridge-unavailable', message = 'The card-reader bridge failed', options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'BridgeError';
  }
}

const BRIDGE_CODES: ReadonlySet<string> = new Set<BridgeErrorCode>([
  'bridge-unavailable',
  'bridge-unauthorized',
  'bridge-pairing',
  'bridge-limit',
  'bridge-protocol',
]);
const TRANSPORT_CODES: ReadonlySet<string> = new Set(['card-reset', 'pcsc-error', 'extended-length-refused', 'transport-error', 'transport-closed']);

/** The SDK error for an error frame's `code` and `message`. */
export function bridgeErrorFromWire(code: unknown, message: unknown): MynacardError {
  const text = typeof message === 'string' ? `bridge: ${message}` : 'bridge: error';
  const name = typeof code === 'string' ? code : '';
  if (BRIDGE_CODES.has(name)) return new BridgeError(name as BridgeErrorCode, text);
  switch (name) {
    case 'card-removed':
      return new CardRemovedError(text);
    case 'card-busy':
      return new CardBusyError(text);
    case 'reader-unavailable':
      return new ReaderUnavailableError(text);
    case 'pcsc-service':
      return new PcscServiceError(text);
    case 'invalid-argument':
      return new InvalidArgumentError(text);
    case 'timeout':
      return new TimeoutError(text);
    default:
      return new TransportError(text, { code: TRANSPORT_CODES.has(name) ? name : 'transport-error' });
  }
}

/** The SDK error for a socket closed by the bridge with `code` (and a `reason` naming a wire code). */
export function bridgeErrorFromClose(code: number, reason: string): MynacardError {
  if (BRIDGE_CODES.has(reason)) return new BridgeError(reason as BridgeErrorCode, `bridge closed the connection (${code} ${reason})`);
  if (code === 1009) return new BridgeError('bridge-limit', 'bridge closed the connection: frame too large (1009)');
  if (code === 4000) return new TransportError('bridge closed the idle connection (4000)', { code: 'transport-closed' });
  if (code === 4001) return new BridgeError('bridge-unauthorized', 'bridge closed the connection: no authentication in time (4001)');
  return new BridgeError('bridge-unavailable', `the connection to the bridge closed (${code}${reason === '' ? '' : ` ${reason}`})`);
}
