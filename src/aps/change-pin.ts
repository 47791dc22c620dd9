/**
 * Changing a PIN (暗証番号の変更) the same way in every AP: tries query → VERIFY the current
 * value → SELECT the PIN IEF → `00 24 01 80 Lc <next>` → security status dropped. card-facts §4
 * @packageDocumentation
 */
import { CommandApdu } from '../apdu/command.js';
import { statusWordError } from '../apdu/status.js';
import { CHANGE_P1_NEW_ONLY, CHANGE_P2_CURRENT_EF, INS, type ApplicationId } from './constants.js';
import { encodeSecret, type SecretKind, type SecretValue } from './pin-format.js';
import type { PinCallOptions, PinReference } from './pin.js';
import type { CardSession } from './session.js';

/** Secrets of a PIN change (`JpkiAp.changePin`, `TextAp.changePin`). */
export interface ChangePinSecrets {
  /** The current PIN or password (bytes are wiped after use, see {@link SecretValue}). */
  readonly current: SecretValue;
  /** The new one (same format rules). */
  readonly next: SecretValue;
}

/** The PIN to change: its AP, format, reference and IEF. */
export interface ChangePinTarget {
  readonly ap: ApplicationId;
  readonly secret: SecretKind;
  readonly pin: PinReference;
  readonly pinFid: number;
}

/**
 * Change the PIN of `target`. Both values are checked before anything is sent, and both are
 * wiped afterwards (the current one also when the new one is refused).
 *
 * @throws PinFormatError (nothing sent), PinRetryGuardError, PinIncorrectError,
 *   PinBlockedError, StatusWordError
 */
export async function changeApPin(
  session: CardSession,
  target: ChangePinTarget,
  secrets: ChangePinSecrets,
  options: PinCallOptions,
): Promise<void> {
  const current = encodeSecret(target.secret, secrets?.current);
  let next: Uint8Array;
  try {
    next = encodeSecret(target.secret, secrets?.next);
  } catch (error) {
    current.fill(0);
    throw error;
  }
  await session.run(
    (port) =>
      session.withVerified(port, target.ap, target.pin, current, options, async () => {
        await session.selectEf(port, target.pinFid, target.pin.name);
        const response = await port.transmit(
          new CommandApdu({ ins: INS.changeReferenceData, p1: CHANGE_P1_NEW_ONLY, p2: CHANGE_P2_CURRENT_EF, data: next }),
        );
        if (!response.ok) throw statusWordError(response.sw, `CHANGE REFERENCE DATA ${target.pin.name}`);
      }),
    { wipe: [current, next] },
  );
}
