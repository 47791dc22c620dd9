/**
 * Errors of the APDU layer that are not status words (status-word errors live in `status.ts`).
 * Messages name the problem and lengths, never data bytes (a command may carry a PIN).
 * @packageDocumentation
 */
import { MynacardError } from '../errors.js';

/** Bytes that are not a valid ISO 7816-4 command APDU (wrong Lc/Le framing, too short). */
export class ApduFormatError extends MynacardError {
  constructor(message: string) {
    super('apdu-format', message);
    this.name = 'ApduFormatError';
  }
}

/** A response APDU shorter than the two status bytes SW1 SW2, or not bytes at all. */
export class MalformedResponseError extends MynacardError {
  constructor(message: string) {
    super('malformed-response', message);
    this.name = 'MalformedResponseError';
  }
}

/**
 * The command needs extended length (Lc > 255 or Le > 256) but the reader, the transport or
 * the card refused extended-length APDUs in this session, and the command cannot be shortened
 * safely. Nothing was resent.
 */
export class ExtendedLengthUnsupportedError extends MynacardError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('extended-length-unsupported', message, options);
    this.name = 'ExtendedLengthUnsupportedError';
  }
}

/** The card kept answering `61xx` (more data) beyond the configured number of GET RESPONSE rounds. */
export class ResponseChainingError extends MynacardError {
  constructor(message: string) {
    super('response-chaining', message);
    this.name = 'ResponseChainingError';
  }
}

/**
 * What `ApduChannel` keeps as the `cause` of a transport failure on a command that
 * carried a secret (VERIFY, CHANGE REFERENCE DATA, …): the original error's class name
 * (`originalName`) and `code`
 * only. Its message and other properties are dropped, because a transport may echo the command
 * (and so the PIN) in them.
 */
export class RedactedTransportCause extends Error {
  /** The original error's `code` (string or number), when it had one. */
  readonly code: string | number | undefined;

  /** The class name of the original error (`'TypeError'`, `'TransportError'` …). */
  readonly originalName: string;

  constructor(original: unknown) {
    const name = originalName(original);
    super(`${name} (details withheld: the command carried a secret)`);
    this.name = 'RedactedTransportCause';
    this.originalName = name;
    const code = (original as { code?: unknown } | null | undefined)?.code;
    // A code is a short token ('ECONNRESET', 'NoService'); a longer or odd one could be data.
    this.code =
      typeof code === 'number' || (typeof code === 'string' && /^[A-Za-z][\w.-]{0,63}$/.test(code)) ? code : undefined;
  }
}

function originalName(original: unknown): string {
  if (original instanceof Error) {
    const name = original.name;
    // A name is short and identifier-like; anything else could be data in disguise.
    if (typeof name === 'string' && /^[A-Za-z_$][\w$]{0,63}$/.test(name)) return name;
    return 'Error';
  }
  return original === null ? 'null' : typeof original;
}
