/**
 * Session state shared by the application classes of one {@link MyNumberCard}: which
 * application is selected (so an operation SELECTs only when needed), where a security status
 * may be set, the caches of immutable files, and the one-operation-at-a-time rule.
 * @packageDocumentation
 */
import type { ApduChannel, ApduPort } from '../apdu/channel.js';
import { CommandApdu } from '../apdu/command.js';
import { StatusWordError, statusWordError } from '../apdu/status.js';
import {
  AbortedError,
  CardDataError,
  CardRemovedError,
  InvalidArgumentError,
  PinFormatError,
  PinRetryGuardError,
  TransportError,
} from '../errors.js';
import { AIDS, AP_NAMES, INS, SELECT_BY_NAME, SELECT_EF, SELECT_NO_FCI, type ApplicationId } from './constants.js';
import { guardedVerify, type PinCallOptions, type PinReference } from './pin.js';
import type { PreparedSecret } from './secret-input.js';
import type { SecretRequest } from '../secret.js';
import type { CardProfile, TokenInfo } from './records.js';

/** Errors after which the card is known to be where it was (the card answered, or nothing was sent). */
function keepsCardState(error: unknown): boolean {
  return (
    error instanceof StatusWordError ||
    error instanceof PinFormatError ||
    error instanceof PinRetryGuardError ||
    error instanceof InvalidArgumentError ||
    error instanceof CardDataError ||
    error instanceof AbortedError
  );
}

/** The card was removed or reset: whatever security status was set is gone (card-facts §5). */
function lostSecurityStatus(error: unknown): boolean {
  return error instanceof CardRemovedError || (error instanceof TransportError && error.code === 'card-reset');
}

/** The internal state of one card session. Not part of the public API. */
export class CardSession {
  /** The channel every command goes through. */
  readonly channel: ApduChannel;
  /** `keepSecurityStatus` of `connect`: the default of every call's `keepSecurityStatus`. */
  readonly keepSecurityStatus: boolean;
  /** What the token label says the device is. */
  profile: CardProfile = 'unknown';
  /** Token information read at connect (undefined when the token EF could not be read). */
  token: TokenInfo | undefined;
  /** Immutable files already read (certificates, the common-AP record), by key. */
  readonly cache = new Map<string, Uint8Array>();
  /** The application believed current on the card; `undefined` when unknown. */
  #selected: ApplicationId | undefined;
  /** Applications in which a VERIFY may have succeeded and the status was not dropped since. */
  readonly #securitySet = new Set<ApplicationId>();
  #closed = false;
  /** The one attempt of {@link close}, shared by concurrent callers. */
  #closing: Promise<void> | undefined;

  constructor(channel: ApduChannel, keepSecurityStatus: boolean) {
    this.channel = channel;
    this.keepSecurityStatus = keepSecurityStatus;
  }

  /** Forget which application is current: a card AP of the free areas was selected. */
  forgetSelection(): void {
    this.#selected = undefined;
  }

  /** The application believed current (for tests and diagnostics). */
  get selected(): ApplicationId | undefined {
    return this.#selected;
  }

  /** Whether {@link close} has run. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Run one public operation atomically (the card's mutex), after checking that the session
   * is open. When the operation fails in a way that may have left the card elsewhere (a
   * transport error, the card removed), the selected application is forgotten. The `wipe`
   * buffers and prepared secrets are zeroed when the operation settles, whatever happened.
   */
  async run<T>(
    fn: (port: ApduPort) => Promise<T>,
    options: {
      readonly signal?: AbortSignal | undefined;
      readonly wipe?: readonly (Uint8Array | PreparedSecret | undefined)[];
    } = {},
  ): Promise<T> {
    try {
      this.#assertOpen();
      const signal = options.signal;
      return await this.channel.exclusive(async (port) => {
        this.#assertOpen();
        // A shared reader (PC/SC): another application may have selected another AP since our
        // last operation, so a PIN sent by SFI could reach the wrong AP. Select again.
        if (this.channel.transport.withTransaction !== undefined) this.#selected = undefined;
        try {
          return await fn(port);
        } catch (error) {
          if (!keepsCardState(error)) this.#selected = undefined;
          throw error;
        }
      }, signal === undefined ? undefined : { signal });
    } finally {
      // Secrets are wiped even when the operation never started (closed session, aborted wait).
      for (const secret of options.wipe ?? []) {
        if (secret instanceof Uint8Array) secret.fill(0);
        else secret?.wipe();
      }
    }
  }

  /** SELECT `ap` by DF name unless it is already current. */
  async select(port: ApduPort, ap: ApplicationId): Promise<void> {
    if (this.#selected === ap) return;
    await this.#selectNow(port, ap);
  }

  async #selectNow(port: ApduPort, ap: ApplicationId): Promise<void> {
    this.#selected = undefined;
    const response = await port.transmit(
      new CommandApdu({ ins: INS.select, p1: SELECT_BY_NAME, p2: SELECT_NO_FCI, data: AIDS[ap] }),
    );
    if (!response.ok) throw statusWordError(response.sw, `SELECT ${AP_NAMES[ap]}`);
    this.#selected = ap;
    // Selecting a DF clears its security status (card-facts §5 "Security state").
    this.#securitySet.delete(ap);
  }

  /** SELECT an EF of the current application by identifier (`00 A4 02 0C 02 <FID>`). */
  async selectEf(port: ApduPort, fid: number, name: string): Promise<void> {
    const response = await port.transmit(
      new CommandApdu({
        ins: INS.select,
        p1: SELECT_EF,
        p2: SELECT_NO_FCI,
        data: Uint8Array.of((fid >> 8) & 0xff, fid & 0xff),
      }),
    );
    if (!response.ok) throw statusWordError(response.sw, `SELECT ${name}`);
  }

  /**
   * The PIN-protected pattern: SELECT `ap` if needed → guarded VERIFY of `secret` → `body` →
   * drop the security status (re-SELECT `ap`) unless the caller keeps it. `secret` is wiped
   * in every case (a provider is asked after the tries query). When `body` fails, or the
   * VERIFY's outcome is unknown (transport error), the status is dropped even with
   * `keepSecurityStatus`; a VERIFY the card refused leaves
   * nothing to drop. When only the drop fails (e.g. the card was removed) the result is still
   * returned and {@link close} tries again.
   */
  async withVerified<T>(
    port: ApduPort,
    ap: ApplicationId,
    ref: PinReference,
    secret: PreparedSecret,
    options: PinCallOptions & { readonly signal?: AbortSignal | undefined },
    body: () => Promise<T>,
    /** Internal: a step after the secret was taken, before the VERIFY (a PIN change takes the new value here). */
    beforeSend?: (request: SecretRequest) => Promise<void>,
  ): Promise<T> {
    let verifySent = false;
    const heldBefore = this.#securitySet.has(ap);
    try {
      await this.select(port, ap);
      await guardedVerify(port, ref, secret, {
        allowLastTry: options.allowLastTry,
        signal: options.signal,
        beforeSend,
        onSend: () => {
          verifySent = true;
          this.#securitySet.add(ap);
        },
      });
    } catch (error) {
      secret.wipe();
      if (verifySent) {
        if (error instanceof StatusWordError) {
          // The card refused the value (63Cx / 6984): nothing was unlocked, nothing to drop.
          if (!heldBefore) this.#securitySet.delete(ap);
        } else {
          // Outcome unknown (transport error): drop to be safe. Never resend the VERIFY.
          await this.#dropQuietly(port, ap, options, true);
        }
      }
      throw error;
    }
    let result: T;
    try {
      result = await body();
    } catch (error) {
      await this.#dropQuietly(port, ap, options, true);
      throw error;
    }
    await this.#dropQuietly(port, ap, options);
    return result;
  }

  /**
   * Drop the security status of `ap` unless the call keeps it and no error occurred.
   * Errors are swallowed.
   */
  async #dropQuietly(port: ApduPort, ap: ApplicationId, options: PinCallOptions, failed = false): Promise<void> {
    if (!failed && (options.keepSecurityStatus ?? this.keepSecurityStatus)) return;
    try {
      await this.#selectNow(port, ap);
    } catch {
      // The card may be gone (then so is its security status); close() tries again otherwise.
    }
  }

  /**
   * End the session: drop every security status that may be set (re-SELECT the application),
   * forget and wipe the caches. The session is closed afterwards whatever happened. A removed
   * or reset card is not an error (its security status went with its power): a CardRemovedError
   * or a `card-reset` TransportError from the transaction around the drop (PC/SC
   * `SCardBeginTransaction` on a removed card) is swallowed, as are the drop's own errors. Another failure to hold the card (reader gone, card busy) is
   * thrown: the status may still be set. Concurrent calls share one attempt; once it settled,
   * later calls resolve without doing anything.
   */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    try {
      await this.channel.exclusive(async (port) => {
        try {
          for (const ap of [...this.#securitySet]) {
            try {
              await this.#selectNow(port, ap);
            } catch {
              // The card is gone or refuses: nothing more can be done from here.
            }
          }
        } finally {
          this.#markClosed(); // before the card is released to queued operations
        }
      });
    } catch (error) {
      if (!lostSecurityStatus(error)) throw error;
    } finally {
      this.#markClosed(); // also when the card could not be held at all
    }
  }

  #markClosed(): void {
    this.#closed = true;
    this.#securitySet.clear();
    for (const bytes of this.cache.values()) bytes.fill(0);
    this.cache.clear();
    this.token = undefined;
  }

  /** Applications whose security status may be set (for tests and diagnostics). */
  get securityHeld(): readonly ApplicationId[] {
    return [...this.#securitySet];
  }

  /** Cached copy of an immutable file, or `undefined`. */
  cached(key: string): Uint8Array | undefined {
    const bytes = this.cache.get(key);
    return bytes === undefined ? undefined : bytes.slice();
  }

  /** Remember an immutable file (a private copy). */
  remember(key: string, bytes: Uint8Array): void {
    this.cache.set(key, bytes.slice());
  }

  #assertOpen(): void {
    if (this.#closed) throw new TransportError('This MyNumberCard session is closed', { code: 'session-closed' });
  }
}
