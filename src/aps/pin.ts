/**
 * The guarded VERIFY flow: query the tries left (spending none) → refuse when blocked, and at
 * one try unless the caller accepts the risk → ask the provider, if the secret is one → VERIFY
 * once → wipe the secret. Never retried (card-facts §5).
 * @packageDocumentation
 */
import { CommandApdu } from '../apdu/command.js';
import { PinBlockedError, statusWordError } from '../apdu/status.js';
import { SW } from '../apdu/sw.js';
import { PinRetryGuardError } from '../errors.js';
import type { SecretRequest, SecretRequestKind, TriesState } from '../secret.js';
import { INS } from './constants.js';
import type { PreparedSecret } from './secret-input.js';
import type { ApduPort } from '../apdu/channel.js';

/** A secret's IEF on the card, addressed by SFI in VERIFY's P2 (`80 | SFI`). card-facts §4 */
export interface PinReference {
  /** P2 of VERIFY: `0x80 | SFI` of the PIN IEF. */
  readonly p2: number;
  /** Name for error contexts, e.g. `'利用者証明用 auth PIN'` (never the value). */
  readonly name: string;
  /** The counter's maximum when published (card-facts §5), else `undefined`. */
  readonly maxTries: number | undefined;
  /** Which secret, for a provider's request. */
  readonly kind: SecretRequestKind;
  /** Official Japanese name, for a provider's request. */
  readonly nameJa: string;
  /** English name, for a provider's request. */
  readonly nameEn: string;
  /** A card AP's secret: its name in the descriptor. */
  readonly cardApSecret?: string | undefined;
}

/** Per-call options of every PIN-protected operation (besides its secret). */
export interface PinCallOptions {
  /**
   * Send the VERIFY even when only one try is left (a wrong value then blocks the secret).
   * Default `false`: the SDK refuses with `PinRetryGuardError`, sends nothing and does not
   * call a secret provider.
   */
  readonly allowLastTry?: boolean;
  /**
   * Keep the card's security status after the operation (the SDK then does not re-select the
   * application). `MyNumberCard.close()` always drops it. Default: the card's
   * `keepSecurityStatus` option, itself `false` by default.
   */
  readonly keepSecurityStatus?: boolean;
}

/** `6300`: a key with unlimited tries (card-facts §5 [S]). */
const NO_INFORMATION = 0x6300;

/**
 * The state of `ref`'s counter, read with an empty VERIFY (`00 20 00 P2`, no data) that
 * spends no try (card-facts §5):
 * - `63Cx`, x ≥ 1 → `{ state: 'tries', remaining: x, max? }`;
 * - `63C0`, `6984` → `{ state: 'blocked' }`;
 * - `9000` → `{ state: 'verified', max? }` (the secret is currently verified);
 * - `6300` → `{ state: 'unlimited' }` (no retry limit, [S]).
 *
 * @throws StatusWordError for any other status word
 */
export async function queryTries(channel: ApduPort, ref: PinReference): Promise<TriesState> {
  return (await queryTriesWithSw(channel, ref)).tries;
}

async function queryTriesWithSw(
  channel: ApduPort,
  ref: PinReference,
): Promise<{ readonly tries: TriesState; readonly sw: number }> {
  const response = await channel.transmit(new CommandApdu({ ins: INS.verify, p2: ref.p2 }));
  const sw = response.sw;
  const max = ref.maxTries === undefined ? {} : { max: ref.maxTries };
  if ((sw & 0xfff0) === SW.PIN_BLOCKED_COUNTER) {
    const remaining = sw & 0x0f;
    return { tries: remaining === 0 ? { state: 'blocked' } : { state: 'tries', remaining, ...max }, sw };
  }
  if (sw === SW.REFERENCE_DATA_NOT_USABLE) return { tries: { state: 'blocked' }, sw };
  if (sw === SW.OK) return { tries: { state: 'verified', ...max }, sw };
  if (sw === NO_INFORMATION) return { tries: { state: 'unlimited' }, sw };
  throw statusWordError(sw, `Query tries of the ${ref.name}`);
}

/**
 * Verify `secret` against `ref`, guarded:
 * 1. query the tries left; blocked → `PinBlockedError`; exactly one left and not
 *    `allowLastTry` → `PinRetryGuardError` (no VERIFY with data is sent, no provider is asked);
 * 2. take the secret's bytes (a provider is asked now, with the tries just read; its answer
 *    is checked before anything is sent);
 * 3. send `00 20 00 P2 Lc <secret>` once;
 * 4. the bytes are wiped in every case, even when nothing was sent.
 *
 * @throws PinIncorrectError (`63Cx`, x ≥ 1), PinBlockedError (`63C0` / `6984`), PinFormatError
 *   (a provider's bad answer), the provider's error, other StatusWordError, or the transport's
 *   error — never retried.
 */
export async function guardedVerify(
  channel: ApduPort,
  ref: PinReference,
  secret: PreparedSecret,
  options: {
    readonly allowLastTry?: boolean | undefined;
    readonly signal?: AbortSignal | undefined;
    /** The request's purpose and an extra step before the send (a PIN change asks for the new value here). */
    readonly beforeSend?: ((request: SecretRequest) => Promise<void>) | undefined;
    /** Called just before the VERIFY with data goes out (after the guard passed). */
    readonly onSend?: (() => void) | undefined;
  },
): Promise<void> {
  let sw: number;
  let bytes: Uint8Array | undefined;
  try {
    const { tries, sw: querySw } = await queryTriesWithSw(channel, ref);
    if (tries.state === 'blocked') throw new PinBlockedError(querySw, `VERIFY ${ref.name}`);
    const lastTry = tries.state === 'tries' && tries.remaining === 1;
    if (lastTry && options.allowLastTry !== true) {
      throw new PinRetryGuardError(
        1,
        `Only 1 try left for the ${ref.name}: refusing to send it (pass allowLastTry: true to accept the risk of blocking it)`,
      );
    }
    const request: SecretRequest = {
      kind: ref.kind,
      nameJa: ref.nameJa,
      nameEn: ref.nameEn,
      ...(ref.cardApSecret === undefined ? {} : { cardApSecret: ref.cardApSecret }),
      purpose: 'current',
      tries,
      lastTry,
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    };
    bytes = await secret.bytes(request);
    await options.beforeSend?.(request);
    options.onSend?.();
    sw = (await channel.transmit(new CommandApdu({ ins: INS.verify, p2: ref.p2, data: bytes }))).sw;
  } finally {
    bytes?.fill(0);
    secret.wipe();
  }
  if (sw !== SW.OK) throw statusWordError(sw, `VERIFY ${ref.name}`);
}
