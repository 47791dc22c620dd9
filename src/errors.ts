/**
 * Every error the SDK throws is a {@link MynacardError} with a stable string `code`.
 *
 * Messages never contain PINs, My Numbers (個人番号) or personal attributes: callers may log
 * them as they are.
 *
 * @packageDocumentation
 */

/**
 * Every stable `code` of the errors the SDK throws (all entry points: core, `mynacard/pcsc`,
 * `mynacard/webusb`, `mynacard/testing`). {@link describeError} has a Japanese and an English
 * text for each.
 *
 * - General: `invalid-argument`, `pin-format`, `pin-retry-guard`, `aborted`, `timeout`,
 *   `card-data`, `crypto`.
 * - Reader and transport: `transport-error`, `transport-closed`, `transport-broken`,
 *   `session-closed`, `card-removed`, `reader-unavailable`, `card-busy`, `pcsc-service`,
 *   `pcsc-error`, `card-reset`, `transaction-failed`, `extended-length-refused`, `usb-transfer`,
 *   `usb-stall`, the `ccid-…` codes and `t1-protocol` (WebUSB), `permission-denied` and
 *   `web-smart-card-unavailable` (Web Smart Card API), the `bridge-…` codes
 *   ({@link BridgeErrorCode}, `mynacard/bridge`).
 * - APDU layer: `apdu-format`, `malformed-response`, `extended-length-unsupported`,
 *   `response-chaining`, and the status words: `status-word` (any other SW), `pin-incorrect`,
 *   `pin-blocked`, `authentication-method-blocked`, `security-status-not-satisfied`,
 *   `conditions-not-satisfied`, `file-not-found`, `wrong-length`, `wrong-data`,
 *   `incorrect-parameters`, `referenced-data-not-found`, `wrong-offset`,
 *   `instruction-not-supported`, `class-not-supported`, `logical-channel-not-supported`,
 *   `secure-messaging-not-supported`, `no-precise-diagnosis`.
 * - Certificates, CMS, authentication: `malformed-certificate`, `malformed-san`, `kind-unknown`,
 *   `kind-mismatch`, `malformed-cms`, `cms-encoding`, `malformed-auth-message`,
 *   `unsupported-algorithm`, `malformed-signature` (an ECDSA signature that is not a minimal DER
 *   or raw `r ‖ s` with `1 ≤ r, s < n`), `key-algorithm-mismatch` (a signer whose declared key
 *   algorithm differs from its certificate's key), `webcrypto-unavailable`.
 * - Revocation: `malformed-crl`, `malformed-ocsp-response` (decoders and caller-supplied CRLs;
 *   a checker reports a source's failures as an `unknown` status, not as an error).
 * - Card APs (free areas): `card-ap-not-installed`, `card-ap-value-too-large`, `card-ap-codec`,
 *   `card-ap-write-verify`, `card-ap-auth-failed`, `card-ap-access`, `card-ap-capacity`.
 * - TLV ({@link TlvErrorCode}) and `ReplayTransport` (`replay-mismatch`, `replay-exhausted`,
 *   `replay-leftover`).
 * - PDF (`mynacard/pdf`): `pdf-encrypted`, `pdf-malformed`, `pdf-signature-too-large`,
 *   `pdf-timestamp-failed`.
 */
export type MynacardErrorCode =
  | 'invalid-argument'
  | 'pin-format'
  | 'pin-retry-guard'
  | 'aborted'
  | 'timeout'
  | 'card-data'
  | 'crypto'
  | 'transport-error'
  | 'transport-closed'
  | 'transport-broken'
  | 'session-closed'
  | 'card-removed'
  | 'reader-unavailable'
  | 'card-busy'
  | 'pcsc-service'
  | 'pcsc-error'
  | 'card-reset'
  | 'transaction-failed'
  | 'extended-length-refused'
  | 'usb-transfer'
  | 'usb-stall'
  | 'apdu-format'
  | 'malformed-response'
  | 'extended-length-unsupported'
  | 'response-chaining'
  | 'status-word'
  | 'pin-incorrect'
  | 'pin-blocked'
  | 'authentication-method-blocked'
  | 'security-status-not-satisfied'
  | 'conditions-not-satisfied'
  | 'file-not-found'
  | 'wrong-length'
  | 'wrong-data'
  | 'incorrect-parameters'
  | 'referenced-data-not-found'
  | 'wrong-offset'
  | 'instruction-not-supported'
  | 'class-not-supported'
  | 'logical-channel-not-supported'
  | 'secure-messaging-not-supported'
  | 'no-precise-diagnosis'
  | 'malformed-certificate'
  | 'malformed-san'
  | 'kind-unknown'
  | 'kind-mismatch'
  | 'malformed-cms'
  | 'cms-encoding'
  | 'malformed-auth-message'
  | 'unsupported-algorithm'
  | 'malformed-signature'
  | 'key-algorithm-mismatch'
  | 'webcrypto-unavailable'
  | 'malformed-crl'
  | 'malformed-ocsp-response'
  | 'card-ap-not-installed'
  | 'card-ap-value-too-large'
  | 'card-ap-codec'
  | 'card-ap-selection'
  | 'nfc-cancelled'
  | 'second-tag'
  | 'nfc-unsupported-tag'
  | 'card-ap-write-verify'
  | 'card-ap-auth-failed'
  | 'card-ap-access'
  | 'card-ap-capacity'
  | 'replay-mismatch'
  | 'replay-exhausted'
  | 'replay-leftover'
  | 'permission-denied'
  | 'web-smart-card-unavailable'
  | 'pdf-encrypted'
  | 'pdf-malformed'
  | 'pdf-signature-too-large'
  | 'pdf-timestamp-failed'
  | TlvErrorCode
  | CcidErrorCode
  | BridgeErrorCode;

/**
 * Stable codes of `BridgeError` (`mynacard/bridge`, the local reader bridge; listed here once):
 * `bridge-unavailable` (not reachable, or this origin refused), `bridge-unauthorized` (unknown
 * token: pair again), `bridge-pairing` (wrong or expired code), `bridge-limit` (too many wrong
 * codes, frames too large or too many), `bridge-protocol` (malformed frame, version mismatch).
 */
export type BridgeErrorCode = 'bridge-unavailable' | 'bridge-unauthorized' | 'bridge-pairing' | 'bridge-limit' | 'bridge-protocol';

/**
 * Stable codes of `TlvError` (`mynacard/tlv` errors; listed here once). The first seven are framing errors raised by the decoders;
 * `bad-value` is raised by the typed readers (`readTlvInteger`, `readTlvTime`, …) when a node of
 * the right tag holds content that is not a valid encoding of its type.
 */
export type TlvErrorCode =
  | 'truncated'
  | 'length-overflow'
  | 'indefinite-in-der'
  | 'non-minimal-length'
  | 'depth-exceeded'
  | 'trailing-bytes'
  | 'bad-tag'
  | 'bad-value';

/**
 * Stable codes of `CcidError` (the WebUSB transport's errors; listed here once):
 * - `ccid-command-not-supported` — the reader does not implement the message (bError 00h);
 * - `ccid-bad-parameter` — the reader rejected a message field (bError = its offset, 01h–7Fh);
 * - `ccid-icc-mute` — the card did not answer (bError FEh);
 * - `ccid-transfer-error` — parity error or buffer overrun on the card line (FDh, FCh);
 * - `ccid-hardware-error` — the reader reports a hardware failure (FBh, or an interrupt
 *   RDR_to_PC_HardwareError);
 * - `ccid-bad-atr` — the card's ATR is malformed (F8h bad TS, F7h bad TCK);
 * - `ccid-protocol-not-supported` / `ccid-class-not-supported` — F6h / F5h;
 * - `ccid-procedure-byte-conflict` — F4h (T=0);
 * - `ccid-deactivated-protocol` — F3h;
 * - `ccid-slot-busy` — the slot is busy (E0h) or running an automatic sequence (F2h);
 * - `ccid-aborted` — the command was aborted (FFh);
 * - `ccid-pin-timeout` / `ccid-pin-cancelled` — F0h / EFh (PIN-pad readers);
 * - `ccid-error` — another failure code;
 * - `ccid-protocol` — the reader's message is malformed or not the expected answer;
 * - `ccid-not-a-reader` — the device has no usable CCID interface or class descriptor;
 * - `ccid-unsupported-reader` — the reader works at a level this transport does not speak
 *   (character level) or needs a feature it lacks;
 * - `ccid-message-too-long` — a command does not fit the reader's dwMaxCCIDMessageLength;
 * - `t1-protocol` — the T=1 block exchange with the card failed (retries exhausted, a block
 *   that fits no rule, S(ABORT) from the card).
 */
export type CcidErrorCode =
  | 'ccid-command-not-supported'
  | 'ccid-bad-parameter'
  | 'ccid-icc-mute'
  | 'ccid-transfer-error'
  | 'ccid-hardware-error'
  | 'ccid-bad-atr'
  | 'ccid-protocol-not-supported'
  | 'ccid-class-not-supported'
  | 'ccid-procedure-byte-conflict'
  | 'ccid-deactivated-protocol'
  | 'ccid-slot-busy'
  | 'ccid-aborted'
  | 'ccid-pin-timeout'
  | 'ccid-pin-cancelled'
  | 'ccid-error'
  | 'ccid-protocol'
  | 'ccid-not-a-reader'
  | 'ccid-unsupported-reader'
  | 'ccid-message-too-long'
  | 't1-protocol';

/**
 * A {@link MynacardErrorCode}, or another string: a custom transport may raise a
 * `TransportError` with its own code, so the type stays open (`string & {}` keeps the editor's
 * completion of the known codes).
 */
export type MynacardErrorCodeOrCustom = MynacardErrorCode | (string & {});

/**
 * Base class of every error thrown by mynacard. `code` is stable across releases.
 *
 * `name` is the class's export name (set explicitly, so that bundlers and minifiers that rename
 * classes do not change it). A subclass defined by an application gets its own class name.
 */
export class MynacardError extends Error {
  /** A stable, machine-readable error code such as `'pin-incorrect'` (see {@link MynacardErrorCode}). */
  readonly code: MynacardErrorCodeOrCustom;

  constructor(code: MynacardErrorCodeOrCustom, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    // SDK subclasses overwrite this with their literal export name; an application's subclass keeps its own.
    this.name = new.target === MynacardError ? 'MynacardError' : new.target.name;
  }
}

/** Malformed input handed to an SDK function (wrong type, out-of-range value). */
export class InvalidArgumentError extends MynacardError {
  constructor(message: string) {
    super('invalid-argument', message);
    this.name = 'InvalidArgumentError';
  }
}

/** The transport failed to deliver a command or a response (I/O error, closed transport). */
export class TransportError extends MynacardError {
  constructor(message: string, options?: { cause?: unknown; code?: MynacardErrorCodeOrCustom }) {
    super(options?.code ?? 'transport-error', message, options);
    this.name = 'TransportError';
  }
}

/** The card left the reader (or the connection to it vanished) during an operation. */
export class CardRemovedError extends MynacardError {
  constructor(message = 'The card was removed from the reader', options?: { cause?: unknown }) {
    super('card-removed', message, options);
    this.name = 'CardRemovedError';
  }
}

/** The reader is gone or cannot be used. */
export class ReaderUnavailableError extends MynacardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('reader-unavailable', message, options);
    this.name = 'ReaderUnavailableError';
  }
}

/** Another process holds the card exclusively. */
export class CardBusyError extends MynacardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('card-busy', message, options);
    this.name = 'CardBusyError';
  }
}

/**
 * The platform refused access to the reader: the user or an administrator's policy denied the
 * permission (Web Smart Card API `NotAllowedError`), or the page's permissions policy does not
 * allow the feature (`SecurityError`).
 */
export class PermissionDeniedError extends MynacardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('permission-denied', message, options);
    this.name = 'PermissionDeniedError';
  }
}

/** The PC/SC service (pcscd / WinSCard) is not running or not installed. */
export class PcscServiceError extends MynacardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('pcsc-service', message, options);
    this.name = 'PcscServiceError';
  }
}

/** An operation was cancelled through an `AbortSignal`. */
export class AbortedError extends MynacardError {
  constructor(message = 'The operation was aborted', options?: { cause?: unknown }) {
    super('aborted', message, options);
    this.name = 'AbortedError';
  }
}

/** An operation did not finish in time. */
export class TimeoutError extends MynacardError {
  constructor(message: string) {
    super('timeout', message);
    this.name = 'TimeoutError';
  }
}

/**
 * A secret (PIN, password, 照合番号) does not have the format the card requires. Thrown
 * **before** anything is sent, so no try is spent. The message names the rule, never the value.
 */
export class PinFormatError extends MynacardError {
  constructor(message: string) {
    super('pin-format', message);
    this.name = 'PinFormatError';
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
    this.name = 'PinRetryGuardError';
    this.remaining = remaining;
  }
}

/** A data record read from the card is malformed (bad framing, bad check digit, bad date). */
export class CardDataError extends MynacardError {
  constructor(message: string, options?: { cause?: unknown; code?: MynacardErrorCodeOrCustom }) {
    super(options?.code ?? 'card-data', message, options);
    this.name = 'CardDataError';
  }
}

/** A certificate or signature could not be parsed or used. */
export class CryptoError extends MynacardError {
  constructor(message: string, options?: { cause?: unknown; code?: MynacardErrorCodeOrCustom }) {
    super(options?.code ?? 'crypto', message, options);
    this.name = 'CryptoError';
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
