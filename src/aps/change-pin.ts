/**
 * Changing a PIN (暗証番号の変更) the same way in every AP: tries query → VERIFY the current
 * value → SELECT the PIN IEF → `00 24 01 80 Lc <next>` → security status dropped. card-facts §4
 * @packageDocumentation
 */
import { CommandApdu } from '../apdu/command.js';
import { statusWordError } from '../apdu/status.js';
import type { SecretInput } from '../secret.js';
import { CHANGE_P1_NEW_ONLY, CHANGE_P2_CURRENT_EF, INS, type ApplicationId } from './constants.js';
import { encodeSecret, type SecretKind } from './pin-format.js';
import type { PinCallOptions, PinReference } from './pin.js';
import { prepareAll, prepareSecret } from './secret-input.js';
import type { CardSession } from './session.js';

/** Options of a PIN change (`JpkiAp.changePin`, `TextAp.changePin`). */
export interface ChangePinOptions extends PinCallOptions {
  /** The current PIN or password (see `SecretInput`; bytes are wiped after use). */
  readonly pin: SecretInput;
  /**
   * The new one (same format rules). A provider is asked with `purpose: 'new'` right after the
   * current value, before anything is sent with either.
   */
  readonly newPin: SecretInput;
  /** Abort while waiting for the card or for a provider's answer (a VERIFY already sent is not interrupted). */
  readonly signal?: AbortSignal;
}

/** The PIN to change: its AP, format, reference and IEF. */
export interface ChangePinTarget {
  readonly ap: ApplicationId;
  readonly secret: SecretKind;
  readonly pin: PinReference;
  readonly pinFid: number;
}

/**
 * Change the PIN of `target`. Values are checked before anything is sent (a provider's answer
 * before the VERIFY), and both are wiped afterwards (the current one also when the new one is
 * refused).
 *
 * @throws PinFormatError (nothing sent), PinRetryGuardError, PinIncorrectError,
 *   PinBlockedError, StatusWordError
 */
export async function changeApPin(session: CardSession, target: ChangePinTarget, options: ChangePinOptions): Promise<void> {
  const encode = (value: unknown): Uint8Array => encodeSecret(target.secret, value);
  const [current, next] = prepareAll([
    () => prepareSecret(options?.pin, encode),
    () => prepareSecret(options?.newPin, encode),
  ]) as [ReturnType<typeof prepareSecret>, ReturnType<typeof prepareSecret>];
  let nextBytes: Uint8Array | undefined;
  try {
    await session.run(
      (port) =>
        session.withVerified(
          port,
          target.ap,
          target.pin,
          current,
          options,
          async () => {
            await session.selectEf(port, target.pinFid, target.pin.name);
            const response = await port.transmit(
              new CommandApdu({
                ins: INS.changeReferenceData,
                p1: CHANGE_P1_NEW_ONLY,
                p2: CHANGE_P2_CURRENT_EF,
                data: nextBytes!,
              }),
            );
            if (!response.ok) throw statusWordError(response.sw, `CHANGE REFERENCE DATA ${target.pin.name}`);
          },
          // The new value is taken (and checked) before the VERIFY of the current one goes out.
          async (request) => {
            nextBytes = await next.bytes({ ...request, purpose: 'new' });
          },
        ),
      { signal: options.signal, wipe: [current, next] },
    );
  } finally {
    nextBytes?.fill(0);
  }
}
