/**
 * The `mynacard` CLI's exit codes (終了コード) and the mapping from SDK errors to them.
 * The numbers are part of the CLI's stable interface: scripts may branch on them.
 * @packageDocumentation
 */
import {
  AuthenticationMethodBlockedError,
  FileNotFoundError,
  PinBlockedError,
  PinIncorrectError,
  StatusWordError,
} from '../apdu/status.js';
import {
  AbortedError,
  CardBusyError,
  CardDataError,
  CardRemovedError,
  CryptoError,
  InvalidArgumentError,
  MynacardError,
  PcscServiceError,
  PinFormatError,
  PinRetryGuardError,
  ReaderUnavailableError,
  TimeoutError,
  TransportError,
} from '../errors.js';
import { CardApAccessError, CardApAuthenticationError, CardApCodecError, CardApNotInstalledError } from '../aps/card-ap/errors.js';

/** Exit codes of the `mynacard` command. */
export const EXIT = {
  /** Success (for `verify`/`verify-cert`: the signature or chain is valid). */
  ok: 0,
  /** An unexpected internal error (a bug: please report it). */
  internal: 1,
  /** Bad command line: unknown command or option, missing argument, a PIN passed as an option, a secret of the wrong format (nothing was sent). */
  usage: 2,
  /** No reader: the PC/SC service or pcsc-mini is missing, or the named reader does not exist. */
  noReader: 3,
  /** No card in the reader, or the card was removed during the operation. */
  noCard: 4,
  /** The card refused the PIN or password: one try was spent. */
  wrongPin: 5,
  /** The PIN or password is blocked (reset it at the municipal office). */
  pinBlocked: 6,
  /** Refused to send: only one try is left (pass `--allow-last-try` to accept the risk). */
  guardRefused: 7,
  /** A certificate chain, signature or CMS did not verify. */
  verificationFailed: 8,
  /** The card answered with an error, returned malformed data, or the transport failed. */
  cardError: 9,
  /**
   * The card or device does not have what the command needs (e.g. no text AP on a smartphone,
   * or the card AP of `card-ap read` is not installed — error code `card-ap-not-installed`).
   */
  notSupported: 10,
  /** A secret is needed but none is available: stdin is not a terminal and neither the environment variable nor `--pin-stdin` supplied it. */
  secretUnavailable: 11,
  /** Another application holds the card. */
  cardBusy: 12,
  /**
   * The output file could not be written after the command ran (for `sign`: the card has
   * signed and the signature is lost). A refused output (exists without `--force`, a symbolic
   * link, an input file) is checked before the card is used and exits 2.
   */
  outputNotWritten: 13,
  /** Interrupted by the user (Ctrl-C at a prompt). */
  interrupted: 130,
} as const;

/** One of the {@link EXIT} values. */
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The documented table, in order, for `--help` and the README: [code, name]. */
export const EXIT_TABLE: readonly (readonly [ExitCode, keyof typeof EXIT])[] = (
  Object.entries(EXIT) as [keyof typeof EXIT, ExitCode][]
).map(([name, code]) => [code, name] as const);

/** An error the CLI raises itself, carrying its exit code and a stable `code`. */
export class CliError extends MynacardError {
  /** Process exit code. */
  readonly exitCode: ExitCode;

  /** Tries left, for PIN errors (reported in the JSON output). */
  readonly remaining: number | undefined;

  constructor(
    code: string,
    exitCode: ExitCode,
    message: string,
    options?: { readonly cause?: unknown; readonly remaining?: number | undefined },
  ) {
    super(code, message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = exitCode;
    this.remaining = options?.remaining;
  }
}

/** The exit code for any error thrown while a command ran. */
export function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CliError) return error.exitCode;
  if (error instanceof PinRetryGuardError) return EXIT.guardRefused;
  if (error instanceof PinBlockedError || error instanceof AuthenticationMethodBlockedError) return EXIT.pinBlocked;
  if (error instanceof PinIncorrectError) return EXIT.wrongPin;
  if (error instanceof PinFormatError || error instanceof InvalidArgumentError) return EXIT.usage;
  if (error instanceof PcscServiceError || error instanceof ReaderUnavailableError) return EXIT.noReader;
  if (error instanceof CardRemovedError) return EXIT.noCard;
  if (error instanceof CardBusyError) return EXIT.cardBusy;
  if (error instanceof AbortedError) return EXIT.interrupted;
  if (error instanceof FileNotFoundError || error instanceof CardApNotInstalledError) return EXIT.notSupported;
  if (error instanceof CardApAccessError) return EXIT.usage;
  if (error instanceof CardApCodecError || error instanceof CardApAuthenticationError) return EXIT.cardError;
  if (error instanceof StatusWordError || error instanceof CardDataError) return EXIT.cardError;
  if (error instanceof TimeoutError || error instanceof TransportError) return EXIT.cardError;
  if (error instanceof CryptoError) return EXIT.verificationFailed;
  return EXIT.internal;
}
