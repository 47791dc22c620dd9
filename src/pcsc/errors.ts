/**
 * pcsc-mini errors → typed {@link MynacardError}s.
 *
 * pcsc-mini rejects with an `Error` whose `code` is the PC/SC status in words
 * (`SCARD_W_REMOVED_CARD` → `'RemovedCard'`, `SCARD_E_NO_SERVICE` → `'NoService'`, …) or one of
 * its own (`'CardIsBusy'`: another call is running on the same handle). Messages name the
 * code, never an APDU.
 * @packageDocumentation
 */
import {
  AbortedError,
  CardBusyError,
  CardRemovedError,
  MynacardError,
  PcscServiceError,
  ReaderUnavailableError,
  TimeoutError,
  TransportError,
} from '../errors.js';
import { pcscInstallHint } from './pcsc-mini.js';

/** The card left the reader: SCARD_W_REMOVED_CARD, SCARD_E_NO_SMARTCARD, and SCARD_E_NOT_TRANSACTED (what pcsc-lite answers first, before its ~400 ms presence poll notices the removal). */
const REMOVED = new Set(['RemovedCard', 'NoSmartCard', 'NotTransacted']);
/** The PC/SC service is gone or unreachable. */
const SERVICE = new Set(['NoService', 'ServiceStopped', 'Shutdown', 'SystemCancelled', 'CommError', 'HostExited']);
/** The reader is gone or unusable. */
const READER = new Set(['NoReadersAvailable', 'UnknownReader', 'ReaderUnavailable', 'ReaderUnsupported', 'DuplicateReader']);
/** Another process (or another call on this handle) holds the card. */
const BUSY = new Set(['SharingViolation', 'CardIsBusy', 'TransactionAlreadyInProgress']);

/** The pcsc-mini error code of `error`, if it has one. */
export function pcscErrorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Map anything pcsc-mini throws to a {@link MynacardError} (returned as is when it already is
 * one). `operation` names what failed, e.g. `'transmit'`.
 *
 * - `RemovedCard`, `NoSmartCard`, `NotTransacted` → {@link CardRemovedError}
 * - `NoService`, `ServiceStopped`, `Shutdown`, `SystemCancelled`, `CommError`, `NoAccess`, and
 *   `HostExited` (the PC/SC host process of an isolated context ended) → {@link PcscServiceError}
 * - `NoReadersAvailable`, `UnknownReader`, `ReaderUnavailable`, … → {@link ReaderUnavailableError}
 * - `SharingViolation`, `CardIsBusy`, `TransactionAlreadyInProgress` → {@link CardBusyError}
 * - `Timeout` → {@link TimeoutError}; `Cancelled` → {@link AbortedError}
 * - `ResetCard` → {@link TransportError} with code `'card-reset'`
 * - anything else → {@link TransportError} with code `'pcsc-error'`
 */
export function mapPcscError(error: unknown, operation = 'PC/SC call'): MynacardError {
  if (error instanceof MynacardError) return error;
  const code = pcscErrorCode(error);
  const options = { cause: error };
  const tag = code === undefined ? '' : ` (${code})`;
  if (code !== undefined && REMOVED.has(code)) {
    return new CardRemovedError(`The card was removed from the reader${tag}`, options);
  }
  if (code === 'NoAccess' || code === 'AccessDenied') {
    return new PcscServiceError(
      `The PC/SC service refused access${tag}: on pcsc-lite 2 with polkit, allow this user in the org.debian.pcsc-lite rules`,
      options,
    );
  }
  if (code !== undefined && SERVICE.has(code)) {
    return new PcscServiceError(`The PC/SC service is not available${tag}. ${pcscInstallHint()}`, options);
  }
  if (code !== undefined && READER.has(code)) {
    return new ReaderUnavailableError(
      code === 'NoReadersAvailable' ? 'No smart-card reader is connected (NoReadersAvailable)' : `The reader is not available${tag}`,
      options,
    );
  }
  if (code !== undefined && BUSY.has(code)) {
    return new CardBusyError(`The card is in use by another application${tag}`, options);
  }
  if (code === 'Timeout' || code === 'WaitedTooLong') return new TimeoutError(`${operation} timed out${tag}`);
  if (code === 'Cancelled' || code === 'Canceled' || code === 'CancelledByUser') {
    return new AbortedError(`${operation} was cancelled${tag}`, options);
  }
  if (code === 'ResetCard') {
    return new TransportError(`The card was reset by another application during ${operation}${tag}; retry the operation`, {
      ...options,
      code: 'card-reset',
    });
  }
  if (code === 'InsufficientBuffer') {
    return new TransportError(`The response did not fit the receive buffer${tag}`, { ...options, code: 'pcsc-error' });
  }
  const detail = code ?? (error instanceof Error ? error.name : typeof error);
  return new TransportError(`${operation} failed (${detail})`, { ...options, code: 'pcsc-error' });
}
