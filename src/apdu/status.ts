/**
 * Status words as typed errors with stable codes.
 *
 * Messages name the operation (the `context`, e.g. `'READ BINARY'`) and the SW in hex; they
 * never contain command or response data.
 * @packageDocumentation
 */
import { InvalidArgumentError, MynacardError } from '../errors.js';
import type { ResponseApdu } from './response.js';
import { SW, swHex } from './sw.js';
import { isWarningStatus } from './warning.js';

/** The card answered with an error status word. `code` is `'status-word'` unless a subclass applies. */
export class StatusWordError extends MynacardError {
  /** The status word, e.g. `0x6a82`. */
  readonly sw: number;
  /** The operation that failed, as given by the caller (e.g. `'SELECT JPKI AP'`). */
  readonly context: string | undefined;

  /**
   * @param sw - the status word
   * @param context - the operation, used in the message
   * @param detail - stable code and meaning (used by subclasses)
   */
  constructor(sw: number, context?: string, detail?: { readonly code: string; readonly meaning: string }) {
    super(
      detail?.code ?? 'status-word',
      `${context ?? 'Command'} failed: SW ${swHex(sw)}${detail ? ` (${detail.meaning})` : ''}`,
    );
    this.name = 'StatusWordError';
    this.sw = sw;
    this.context = context;
  }
}

/** `6700` wrong length. */
export class WrongLengthError extends StatusWordError {
  constructor(context?: string) {
    super(SW.WRONG_LENGTH, context, { code: 'wrong-length', meaning: 'wrong length' });
    this.name = 'WrongLengthError';
  }
}

/** `6881` logical channel not supported. */
export class LogicalChannelNotSupportedError extends StatusWordError {
  constructor(context?: string) {
    super(SW.LOGICAL_CHANNEL_NOT_SUPPORTED, context, {
      code: 'logical-channel-not-supported',
      meaning: 'logical channel not supported',
    });
    this.name = 'LogicalChannelNotSupportedError';
  }
}

/** `6882` secure messaging not supported. */
export class SecureMessagingNotSupportedError extends StatusWordError {
  constructor(context?: string) {
    super(SW.SECURE_MESSAGING_NOT_SUPPORTED, context, {
      code: 'secure-messaging-not-supported',
      meaning: 'secure messaging not supported',
    });
    this.name = 'SecureMessagingNotSupportedError';
  }
}

/** `6982` security status not satisfied: the PIN (暗証番号) for this operation is not verified. */
export class SecurityStatusNotSatisfiedError extends StatusWordError {
  constructor(context?: string) {
    super(SW.SECURITY_STATUS_NOT_SATISFIED, context, {
      code: 'security-status-not-satisfied',
      meaning: 'security status not satisfied',
    });
    this.name = 'SecurityStatusNotSatisfiedError';
  }
}

/** `6983` authentication method blocked. */
export class AuthenticationMethodBlockedError extends StatusWordError {
  constructor(context?: string) {
    super(SW.AUTHENTICATION_METHOD_BLOCKED, context, {
      code: 'authentication-method-blocked',
      meaning: 'authentication method blocked',
    });
    this.name = 'AuthenticationMethodBlockedError';
  }
}

/**
 * The PIN (暗証番号) is blocked (ロック): `6984` for any VERIFY after lockout, or `63C0` for
 * the attempt that used the last try or a try-counter query on a blocked PIN (card-facts §5).
 */
export class PinBlockedError extends StatusWordError {
  /** Tries left: always 0. */
  readonly remaining = 0;

  /** @param sw - `0x6984` (default) or `0x63c0` */
  constructor(sw: number = SW.REFERENCE_DATA_NOT_USABLE, context?: string) {
    if (sw !== SW.REFERENCE_DATA_NOT_USABLE && sw !== SW.PIN_BLOCKED_COUNTER) {
      throw new InvalidArgumentError('PinBlockedError sw must be 0x6984 or 0x63C0');
    }
    super(sw, context, { code: 'pin-blocked', meaning: 'PIN blocked' });
    this.name = 'PinBlockedError';
  }
}

/** `6985` conditions of use not satisfied. */
export class ConditionsNotSatisfiedError extends StatusWordError {
  constructor(context?: string) {
    super(SW.CONDITIONS_NOT_SATISFIED, context, {
      code: 'conditions-not-satisfied',
      meaning: 'conditions of use not satisfied',
    });
    this.name = 'ConditionsNotSatisfiedError';
  }
}

/** `6A80` incorrect parameters in the command data field. */
export class WrongDataError extends StatusWordError {
  constructor(context?: string) {
    super(SW.WRONG_DATA, context, { code: 'wrong-data', meaning: 'incorrect data field' });
    this.name = 'WrongDataError';
  }
}

/** `6A82` file or application not found. */
export class FileNotFoundError extends StatusWordError {
  constructor(context?: string) {
    super(SW.FILE_NOT_FOUND, context, { code: 'file-not-found', meaning: 'file or application not found' });
    this.name = 'FileNotFoundError';
  }
}

/** `6A86` incorrect P1-P2. */
export class IncorrectParametersError extends StatusWordError {
  constructor(context?: string) {
    super(SW.INCORRECT_P1P2, context, { code: 'incorrect-parameters', meaning: 'incorrect P1-P2' });
    this.name = 'IncorrectParametersError';
  }
}

/** `6A88` referenced data not found. */
export class ReferencedDataNotFoundError extends StatusWordError {
  constructor(context?: string) {
    super(SW.REFERENCED_DATA_NOT_FOUND, context, {
      code: 'referenced-data-not-found',
      meaning: 'referenced data not found',
    });
    this.name = 'ReferencedDataNotFoundError';
  }
}

/** `6B00` wrong parameters: the offset is beyond the end of the file. */
export class WrongOffsetError extends StatusWordError {
  constructor(context?: string) {
    super(SW.WRONG_OFFSET, context, { code: 'wrong-offset', meaning: 'offset beyond the end of the file' });
    this.name = 'WrongOffsetError';
  }
}

/** `6D00` instruction not supported. */
export class InstructionNotSupportedError extends StatusWordError {
  constructor(context?: string) {
    super(SW.INS_NOT_SUPPORTED, context, { code: 'instruction-not-supported', meaning: 'instruction not supported' });
    this.name = 'InstructionNotSupportedError';
  }
}

/** `6E00` class not supported. */
export class ClassNotSupportedError extends StatusWordError {
  constructor(context?: string) {
    super(SW.CLA_NOT_SUPPORTED, context, { code: 'class-not-supported', meaning: 'class not supported' });
    this.name = 'ClassNotSupportedError';
  }
}

/** `6F00` no precise diagnosis. */
export class NoPreciseDiagnosisError extends StatusWordError {
  constructor(context?: string) {
    super(SW.NO_PRECISE_DIAGNOSIS, context, { code: 'no-precise-diagnosis', meaning: 'no precise diagnosis' });
    this.name = 'NoPreciseDiagnosisError';
  }
}

/** Wrong PIN (暗証番号): `63Cx` with x = 1–15 tries left (card-facts §5). */
export class PinIncorrectError extends StatusWordError {
  /** Tries left before the PIN is blocked (1–15). */
  readonly remaining: number;

  /** @param remaining - tries left, 1–15 */
  constructor(remaining: number, context?: string) {
    if (!Number.isInteger(remaining) || remaining < 1 || remaining > 15) {
      throw new InvalidArgumentError('PinIncorrectError remaining must be an integer 1..15');
    }
    super(SW.PIN_BLOCKED_COUNTER | remaining, context, {
      code: 'pin-incorrect',
      meaning: `PIN incorrect, ${remaining} ${remaining === 1 ? 'try' : 'tries'} left`,
    });
    this.name = 'PinIncorrectError';
    this.remaining = remaining;
  }
}

type ErrorFactory = (context: string | undefined) => StatusWordError;

const BY_SW: ReadonlyMap<number, ErrorFactory> = new Map<number, ErrorFactory>([
  [SW.WRONG_LENGTH, (c) => new WrongLengthError(c)],
  [SW.LOGICAL_CHANNEL_NOT_SUPPORTED, (c) => new LogicalChannelNotSupportedError(c)],
  [SW.SECURE_MESSAGING_NOT_SUPPORTED, (c) => new SecureMessagingNotSupportedError(c)],
  [SW.SECURITY_STATUS_NOT_SATISFIED, (c) => new SecurityStatusNotSatisfiedError(c)],
  [SW.AUTHENTICATION_METHOD_BLOCKED, (c) => new AuthenticationMethodBlockedError(c)],
  [SW.REFERENCE_DATA_NOT_USABLE, (c) => new PinBlockedError(SW.REFERENCE_DATA_NOT_USABLE, c)],
  [SW.CONDITIONS_NOT_SATISFIED, (c) => new ConditionsNotSatisfiedError(c)],
  [SW.WRONG_DATA, (c) => new WrongDataError(c)],
  [SW.FILE_NOT_FOUND, (c) => new FileNotFoundError(c)],
  [SW.INCORRECT_P1P2, (c) => new IncorrectParametersError(c)],
  [SW.REFERENCED_DATA_NOT_FOUND, (c) => new ReferencedDataNotFoundError(c)],
  [SW.WRONG_OFFSET, (c) => new WrongOffsetError(c)],
  [SW.INS_NOT_SUPPORTED, (c) => new InstructionNotSupportedError(c)],
  [SW.CLA_NOT_SUPPORTED, (c) => new ClassNotSupportedError(c)],
  [SW.NO_PRECISE_DIAGNOSIS, (c) => new NoPreciseDiagnosisError(c)],
]);

/**
 * The typed error for a status word: a specific subclass when one applies, otherwise a generic
 * {@link StatusWordError}. Returns an error for any SW (even `9000`) so that a caller who has
 * decided a SW is a failure (e.g. `6300` after VERIFY) can throw it.
 *
 * @throws InvalidArgumentError when `sw` is not an integer 0x0000–0xFFFF
 */
export function statusWordError(sw: number, context?: string): StatusWordError {
  if (!Number.isInteger(sw) || sw < 0 || sw > 0xffff) {
    throw new InvalidArgumentError('A status word must be an integer 0x0000..0xFFFF');
  }
  if ((sw & 0xfff0) === SW.PIN_BLOCKED_COUNTER) {
    const remaining = sw & 0x0f;
    return remaining === 0 ? new PinBlockedError(sw, context) : new PinIncorrectError(remaining, context);
  }
  return BY_SW.get(sw)?.(context) ?? new StatusWordError(sw, context);
}

/**
 * Return `response` when its SW is `9000` or a warning (`62xx`/`63xx` except `63Cx`, see
 * {@link ResponseApdu.warning}); otherwise throw the typed error.
 *
 * @throws StatusWordError (or a subclass) for every other status word
 */
export function checkStatus(response: ResponseApdu, context?: string): ResponseApdu {
  if (response.ok || isWarningStatus(response.sw)) return response;
  throw statusWordError(response.sw, context);
}
