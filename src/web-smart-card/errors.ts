/**
 * Web Smart Card API failures → typed {@link MynacardError}s.
 *
 * The API rejects with a `SmartCardError` (a `DOMException` whose `responseCode` names the PC/SC
 * result: `'removed-card'`, `'sharing-violation'`, …) or a plain `DOMException`
 * (`NotAllowedError`: permission denied; `SecurityError`: the permissions policy; `AbortError`;
 * `InvalidStateError`: a closed connection, or a call while another runs on the context;
 * `TimeoutError`; `UnknownError`). Messages name the code, never an APDU.
 * @packageDocumentation
 */
import {
  AbortedError,
  CardBusyError,
  CardRemovedError,
  MynacardError,
  PcscServiceError,
  PermissionDeniedError,
  ReaderUnavailableError,
  TimeoutError,
  TransportError,
} from '../errors.js';
import type { SmartCardResponseCode } from './api-types.js';

const RESPONSE_CODES: ReadonlySet<string> = new Set<SmartCardResponseCode>([
  'no-service',
  'no-smartcard',
  'not-ready',
  'not-transacted',
  'proto-mismatch',
  'reader-unavailable',
  'removed-card',
  'reset-card',
  'server-too-busy',
  'sharing-violation',
  'system-cancelled',
  'unknown-reader',
  'unpowered-card',
  'unresponsive-card',
  'unsupported-card',
  'unsupported-feature',
]);

/** The `responseCode` of a `SmartCardError`, if `error` is one. */
export function smartCardResponseCode(error: unknown): SmartCardResponseCode | undefined {
  const code = (error as { responseCode?: unknown } | null | undefined)?.responseCode;
  return typeof code === 'string' && RESPONSE_CODES.has(code) ? (code as SmartCardResponseCode) : undefined;
}

/** The `DOMException` name (or `Error` name) of `error`. */
function errorName(error: unknown): string | undefined {
  const name = (error as { name?: unknown } | null | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
}

/**
 * Map anything the Web Smart Card API rejects with to a {@link MynacardError} (returned as is
 * when it already is one). `operation` names what failed, e.g. `'transmit'`.
 *
 * - `removed-card`, `no-smartcard` → {@link CardRemovedError}
 * - `reader-unavailable`, `unknown-reader` → {@link ReaderUnavailableError}
 * - `sharing-violation` → {@link CardBusyError}
 * - `no-service`, `system-cancelled` → {@link PcscServiceError}
 * - `reset-card` → {@link TransportError} with code `'card-reset'`
 * - `NotAllowedError`, `SecurityError` → {@link PermissionDeniedError}
 * - `AbortError` → {@link AbortedError}; `TimeoutError` → {@link TimeoutError}
 * - `InvalidStateError` → {@link TransportError} with code `'transport-broken'`
 * - anything else (`not-transacted`, `unresponsive-card`, `UnknownError`, …) →
 *   {@link TransportError} with code `'pcsc-error'`
 */
export function mapWebSmartCardError(error: unknown, operation = 'Web Smart Card call'): MynacardError {
  if (error instanceof MynacardError) return error;
  const options = { cause: error };
  const code = smartCardResponseCode(error);
  if (code !== undefined) {
    const tag = ` (${code})`;
    switch (code) {
      case 'removed-card':
      case 'no-smartcard':
        return new CardRemovedError(`The card was removed from the reader${tag}`, options);
      case 'reader-unavailable':
      case 'unknown-reader':
        return new ReaderUnavailableError(`The reader is not available${tag}`, options);
      case 'sharing-violation':
        return new CardBusyError(`The card is in use by another application${tag}`, options);
      case 'no-service':
      case 'system-cancelled':
        return new PcscServiceError(`The smart-card service of the system is not available${tag}`, options);
      case 'reset-card':
        return new TransportError(`The card was reset by another application during ${operation}${tag}; retry the operation`, {
          ...options,
          code: 'card-reset',
        });
      default:
        return new TransportError(`${operation} failed${tag}`, { ...options, code: 'pcsc-error' });
    }
  }
  const name = errorName(error);
  switch (name) {
    case 'NotAllowedError':
      return new PermissionDeniedError(`${operation}: permission to use the reader was denied (NotAllowedError)`, options);
    case 'SecurityError':
      return new PermissionDeniedError(
        `${operation}: the page may not use smart cards (SecurityError; an Isolated Web App needs the "smart-card" permissions policy)`,
        options,
      );
    case 'AbortError':
      return new AbortedError(`${operation} was aborted`, options);
    case 'TimeoutError':
      return new TimeoutError(`${operation} timed out`);
    case 'InvalidStateError':
      return new TransportError(`${operation}: the connection or context cannot take this call now (InvalidStateError)`, {
        ...options,
        code: 'transport-broken',
      });
    default:
      return new TransportError(`${operation} failed (${name ?? typeof error})`, { ...options, code: 'pcsc-error' });
  }
}
