/**
 * Every error the SDK throws is a {@link MynacardError} with a stable string `code`.
 *
 * Messages never contain PINs, My Numbers (個人番号) or personal attributes: callers may log
 * them as they are.
 *
 * @packageDocumentation
 */

/** Base class of every error thrown by mynacard. `code` is stable across releases. */
export class MynacardError extends Error {
  /** A stable, machine-readable error code such as `'pin-incorrect'`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

/** Malformed input handed to an SDK function (wrong type, out-of-range value). */
export class InvalidArgumentError extends MynacardError {
  constructor(message: string) {
    super('invalid-argument', message);
  }
}

/** The transport failed to deliver a command or a response (I/O error, closed transport). */
export class TransportError extends MynacardError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'transport-error', message, options);
  }
}

/** The card left the reader (or the connection to it vanished) during an operation. */
export class CardRemovedError extends MynacardError {
  constructor(message = 'The card was removed from the reader', options?: { cause?: unknown }) {
    super('card-removed', message, options);
  }
}

/** The reader is gone or cannot be used. */
export class ReaderUnavailableError extends MynacardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('reader-unavailable', message, options);
  }
}

/** Another process holds the card exclusively. */
export class CardBusyError extends MynacardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('card-busy', message, options);
  }
}

/** The PC/SC service (pcscd / WinSCard) is not running or not installed. */
export class PcscServiceError extends MynacardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('pcsc-service', message, options);
  }
}

/** An operation was cancelled through an `AbortSignal`. */
export class AbortedError extends MynacardError {
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super('aborted', message, options);
  }
}

/** An operation did not finish in time. */
export class TimeoutError extends MynacardError {
  constructor(message: string) {
    super('timeout', message);
  }
}

/**
 * A secret (PIN, password, 照合番号) does not have the format the card requires. Thrown
 * **before** anything is sent, so no try is spent. The message names the rule, never the value.
 */
export class PinFormatError extends MynacardError {
  constructor(message: string) {
    super('pin-format', message);
  }
}

/**
 * Refused to send a VERIFY because only one try is left (a wrong value would block the PIN).
 * Pass `allowLastTry: true` to accept that risk.
 */
export class PinRetryGuardError extends MynacardError {
  /** Tries left on the card (1 when this guard fires). */
  readonly remaining: number;

  constructor(remaining: number, message?: string) {
    super(
      'pin-retry-guard',
      message ??
        `Only ${remaining} try left: refusing to send the PIN (pass allowLastTry: true to accept the risk of blocking it)`,
    );
    this.remaining = remaining;
  }
}

/** A data record read from the card is malformed (bad framing, bad check digit, bad date). */
export class CardDataError extends MynacardError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'card-data', message, options);
  }
}

/** A certificate or signature could not be parsed or used. */
export class CryptoError extends MynacardError {
  constructor(message: string, options?: { cause?: unknown; code?: string }) {
    super(options?.code ?? 'crypto', message, options);
  }
}

/**
 * An NFC reader session ended before the operation finished: the user closed the system's scan
 * sheet (`reason: 'user'`), or the platform or the app ended the session (`reason: 'session'`,
 * e.g. the app went to the background). Nothing is retried: start a new session.
 */
export class NfcCancelledError extends MynacardError {
  /** `'user'`: the user cancelled; `'session'`: the session was ended otherwise. */
  readonly reason: 'user' | 'session';

  constructor(reason: 'user' | 'session', message?: string, options?: { cause?: unknown }) {
    super(
      'nfc-cancelled',
      message ?? (reason === 'user' ? 'The NFC session was cancelled by the user' : 'The NFC session was ended'),
      options,
    );
    this.reason = reason;
  }
}

/**
 * Another NFC tag was presented while a session was talking to a card (a second card, or a
 * transit card, in the field). The session's link to the first card cannot be trusted any more:
 * nothing is retried; start a new session with one card.
 */
export class SecondTagError extends MynacardError {
  constructor(message = 'Another NFC tag was presented during the session: hold only one card to the device') {
    super('second-tag', message);
  }
}
