/**
 * The guarded VERIFY flow: query the tries left (spending none) → refuse at one try unless the
 * caller accepts the risk → VERIFY once → wipe the secret. Never retried (card-facts §5).
 * @packageDocumentation
 */
import { CommandApdu } from '../apdu/command.js';
import { PinBlockedError, statusWordError } from '../apdu/status.js';
import { SW } from '../apdu/sw.js';
import { PinRetryGuardError } from '../errors.js';
import { INS } from './constants.js';
import type { ApduPort } from '../apdu/channel.js';

/** A secret's IEF on the card, addressed by SFI in VERIFY's P2 (`80 | SFI`). card-facts §4 */
export interface PinReference {
  /** P2 of VERIFY: `0x80 | SFI` of the PIN IEF. */
  readonly p2: number;
  /** Name for error contexts, e.g. `'利用者証明用 auth PIN'` (never the value). */
  readonly name: string;
  /** The counter's maximum when published (card-facts §5), else `undefined`. */
  readonly maxTries: number | undefined;
}

/** Per-call options of every PIN-protected operation. */
export interface PinCallOptions {
  /**
   * Send the VERIFY even when only one try is left (a wrong value then blocks the secret).
   * Default `false`: the SDK refuses with `PinRetryGuardError` and sends nothing.
   */
  readonly allowLastTry?: boolean;
  /**
   * Keep the card's security status after the operation (the SDK then does not re-select the
   * application). `MyNumberCard.close()` always drops it. Default: the card's
   * `keepSecurityStatus` option, itself `false` by default.
   */
  readonly keepSession?: boolean;
}

/**
 * The tries left on `ref`, read with an empty VERIFY (`00 20 00 P2`, no data) that spends none.
 *
 * - `63Cx` → x (0 = blocked); `6984` → 0 (card-facts §5);
 * - `9000` → the secret is currently verified, so its counter is at its maximum: the published
 *   maximum, or `Infinity` when none is published;
 * - `6300` → the key has no retry limit: `Infinity` (card-facts §5 [S]).
 *
 * @throws StatusWordError for any other status word
 */
export async function queryTries(channel: ApduPort, ref: PinReference): Promise<number> {
  return (await queryTriesWithSw(channel, ref)).remaining;
}

async function queryTriesWithSw(
  channel: ApduPort,
  ref: PinReference,
): Promise<{ readonly remaining: number; readonly sw: number }> {
  const response = await channel.transmit(new CommandApdu({ ins: INS.verify, p2: ref.p2 }));
  const sw = response.sw;
  if ((sw & 0xfff0) === SW.PIN_BLOCKED_COUNTER) return { remaining: sw & 0x0f, sw };
  if (sw === SW.REFERENCE_DATA_NOT_USABLE) return { remaining: 0, sw };
  if (sw === SW.OK) return { remaining: ref.maxTries ?? Number.POSITIVE_INFINITY, sw };
  if (sw === NO_INFORMATION) return { remaining: Number.POSITIVE_INFINITY, sw };
  throw statusWordError(sw, `Query tries of the ${ref.name}`);
}

/** `6300`: a key with unlimited tries (card-facts §5 [S]). */
const NO_INFORMATION = 0x6300;

/**
 * Verify `secret` against `ref`, guarded:
 * 1. query the tries left; blocked → `PinBlockedError`; exactly one left and not
 *    `allowLastTry` → `PinRetryGuardError` (no VERIFY with data is sent);
 * 2. send `00 20 00 P2 Lc <secret>` once;
 * 3. `secret` is wiped in every case, even when nothing was sent.
 *
 * @throws PinIncorrectError (`63Cx`, x ≥ 1), PinBlockedError (`63C0` / `6984`), other
 *   StatusWordError, or the transport's error — never retried.
 */
export async function guardedVerify(
  channel: ApduPort,
  ref: PinReference,
  secret: Uint8Array,
  options: {
    readonly allowLastTry?: boolean | undefined;
    /** Called just before the VERIFY with data goes out (after the guard passed). */
    readonly beforeSend?: (() => void) | undefined;
  },
): Promise<void> {
  let sw: number;
  try {
    const { remaining, sw: querySw } = await queryTriesWithSw(channel, ref);
    if (remaining === 0) throw new PinBlockedError(querySw, `VERIFY ${ref.name}`);
    if (remaining === 1 && options.allowLastTry !== true) {
      throw new PinRetryGuardError(
        1,
        `Only 1 try left for the ${ref.name}: refusing to send it (pass allowLastTry: true to accept the risk of blocking it)`,
      );
    }
    options.beforeSend?.();
    sw = (await channel.transmit(new CommandApdu({ ins: INS.verify, p2: ref.p2, data: secret }))).sw;
  } finally {
    secret.fill(0);
  }
  if (sw !== SW.OK) throw statusWordError(sw, `VERIFY ${ref.name}`);
}
