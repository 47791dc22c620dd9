/**
 * The public shape of a card-AP session ({@link CardApSession}) and the options of its
 * operations; `openCardAp` in `session.ts` implements it.
 * @packageDocumentation
 */
import type { SecretInput, TriesState } from '../../secret.js';
import type { CardApIssuerAuth } from './auth.js';
import type {
  CardApDescriptor,
  CardApFileName,
  CardApFileValue,
  CardApSecretName,
  CardApWritableFileName,
} from './descriptor.js';

/** Options of a card-AP operation that may need secrets. */
export interface CardApCallOptions<S extends string = string> {
  /**
   * The secret the operation needs, as a value or a provider (`SecretInput`; a provider's
   * request names the secret in `cardApSecret`). Used only when the operation needs exactly
   * one secret; with two different ones (read behind one, written behind another) use `secrets`.
   */
  readonly pin?: SecretInput | undefined;
  /**
   * Secrets by name: required for an operation that needs two different secrets (a write
   * whose file is read behind one secret and written behind another). Takes precedence over `pin`.
   */
  readonly secrets?: { readonly [K in S]?: SecretInput } | undefined;
  /** Send a VERIFY even with one try left (a wrong value then blocks the secret). Default `false`. */
  readonly allowLastTry?: boolean | undefined;
  /** Abort while waiting for the card (a sequence already running is not interrupted). */
  readonly signal?: AbortSignal | undefined;
}

/** Options of {@link CardApSession.write}. */
export interface CardApWriteOptions<S extends string = string> extends CardApCallOptions<S> {
  /** Issuer authentication for this call (else the session's, else the descriptor's). */
  readonly auth?: CardApIssuerAuth | undefined;
}

/** Options of {@link CardApSession.verify}. */
export interface CardApVerifyOptions {
  /** The secret's value or a provider (`SecretInput`; bytes are wiped after use). */
  readonly pin: SecretInput;
  /** Send the VERIFY even with one try left. Default `false`. */
  readonly allowLastTry?: boolean | undefined;
  /** Abort while waiting for the card. */
  readonly signal?: AbortSignal | undefined;
}

/** Options of {@link openCardAp}. */
export interface OpenCardApOptions {
  /** Issuer authentication for `'issuer'` writes (overrides the descriptor's `auth`). */
  readonly auth?: CardApIssuerAuth | undefined;
}

/** A typed session with one card AP; see {@link openCardAp}. */
export interface CardApSession<D extends CardApDescriptor> {
  /** The descriptor. */
  readonly descriptor: D;
  /**
   * Read and decode a file. A file read behind a secret needs `pin` (or `secrets`).
   * @throws CardApNotInstalledError; CardApAccessError (secret missing); PinFormatError;
   *   PinRetryGuardError; PinIncorrectError / PinBlockedError; CardApCodecError (the bytes do
   *   not match the descriptor); StatusWordError; transport errors
   */
  read<K extends CardApFileName<D>>(file: K, options?: CardApCallOptions<CardApSecretName<D>>): Promise<CardApFileValue<D, K>>;
  /** Read a file's raw bytes (the whole file, `size` bytes), with the same access rules as {@link read}. */
  readRaw(file: CardApFileName<D>, options?: CardApCallOptions<CardApSecretName<D>>): Promise<Uint8Array>;
  /**
   * Encode and write a file, read it back and compare. The previous contents and the read-back
   * are read under the file's read rule, so a file read behind a secret needs that secret for a
   * write too (`pin`, or `secrets` when the read and write secrets differ). Nothing is sent
   * when the value does not encode, does not fit, or a needed secret / auth hook is missing.
   * @throws CardApValueTooLargeError; CardApCodecError; CardApAccessError;
   *   CardApAuthenticationError; CardApWriteVerifyError (previous value restored);
   *   PinFormatError / PinRetryGuardError / PinIncorrectError / PinBlockedError;
   *   CardApNotInstalledError; StatusWordError; transport errors
   */
  write<K extends CardApWritableFileName<D>>(
    file: K,
    value: CardApFileValue<D, K>,
    options?: CardApWriteOptions<CardApSecretName<D>>,
  ): Promise<void>;
  /**
   * The state of a secret's counter, read without spending a try (see `TriesState`).
   * @throws CardApNotInstalledError; StatusWordError; transport errors
   */
  remainingTries(secret: CardApSecretName<D>, options?: { readonly signal?: AbortSignal }): Promise<TriesState>;
  /**
   * Check a secret (guarded VERIFY of `options.pin`), then drop the security status again.
   * @throws PinFormatError; PinRetryGuardError; PinIncorrectError; PinBlockedError;
   *   CardApNotInstalledError; CardApSelectionError (the card did not confirm the AP's DF name);
   *   transport errors
   */
  verify(secret: CardApSecretName<D>, options: CardApVerifyOptions): Promise<void>;
  /** Whether the card holds this card AP (SELECT answers `9000` rather than `6A82`). */
  isInstalled(options?: { readonly signal?: AbortSignal }): Promise<boolean>;
}
