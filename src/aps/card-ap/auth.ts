/**
 * The issuer authentication hook. A card AP's installer keeps its keys (in an HSM, on a
 * server); before a write the SDK hands the installer's function an exchange object bound to
 * the selected card AP, and the function runs GET CHALLENGE + EXTERNAL AUTHENTICATE — or any
 * other exchange its card AP defines. The SDK never sees or holds an issuer key.
 * @packageDocumentation
 */
import type { ApduPort } from '../../apdu/channel.js';
import { CommandApdu } from '../../apdu/command.js';
import type { ResponseApdu } from '../../apdu/response.js';
import { StatusWordError, statusWordError } from '../../apdu/status.js';
import { swHex } from '../../apdu/sw.js';
import { InvalidArgumentError, MynacardError } from '../../errors.js';
import { INS, SELECT_EF } from '../constants.js';
import { CARD_AP_INS, ISSUER_AUTH_CHALLENGE_LENGTH, type CardApArea } from './constants.js';
import { CardApAuthenticationError } from './errors.js';

/** Options of {@link CardApAuthExchange.externalAuthenticate}. */
export interface CardApExternalAuthenticateOptions {
  /** P1: the algorithm reference (default `0x00`: "known to the card"). */
  readonly p1?: number | undefined;
  /** P2: the key reference (default `0x00`: the card AP's issuer key). */
  readonly p2?: number | undefined;
}

/**
 * What the `auth` hook receives: commands to the card AP, which is selected and whose PINs
 * (if any) are already verified. Valid only while the hook runs.
 */
export interface CardApAuthExchange {
  /** The descriptor's name. */
  readonly cardAp: string;
  /** The area of the card AP. */
  readonly area: CardApArea;
  /** The card AP's DF name (a copy). */
  readonly aid: Uint8Array;
  /** The file about to be written. */
  readonly file: string;
  /**
   * GET CHALLENGE `00 84 00 00 Le` (short Le: the card refuses the extended form, card-facts §8).
   * @param length - bytes of challenge, 1–256 (default 8)
   * @throws StatusWordError when the card refuses
   */
  getChallenge(length?: number): Promise<Uint8Array>;
  /**
   * EXTERNAL AUTHENTICATE `00 82 P1 P2 Lc <cryptogram>`.
   * @throws CardApAuthenticationError (with `sw`) unless the card answers `9000`
   */
  externalAuthenticate(cryptogram: Uint8Array, options?: CardApExternalAuthenticateOptions): Promise<void>;
  /**
   * Any other command of the installer's scheme (e.g. a MUTUAL AUTHENTICATE). Returns the
   * response whatever its status word. SELECT is limited to EFs of the card AP (`P1 = 02`):
   * selecting another application would send the write elsewhere.
   */
  transmit(command: CommandApdu | Uint8Array): Promise<ResponseApdu>;
}

/**
 * An issuer authentication function: authenticate the installer to the card AP, so that files
 * whose `write` is `'issuer'` may be updated. Resolve when done; throw (or let the exchange
 * throw) when it failed.
 */
export type CardApIssuerAuth = (exchange: CardApAuthExchange) => Promise<void>;


/**
 * Run `auth` with an exchange bound to `port`. Errors of the hook that are not SDK errors, and
 * status-word errors, become {@link CardApAuthenticationError}; transport errors pass through.
 */
export async function runIssuerAuth(
  port: ApduPort,
  auth: CardApIssuerAuth,
  context: { readonly cardAp: string; readonly area: CardApArea; readonly aid: Uint8Array; readonly file: string },
): Promise<void> {
  let open = true;
  const assertOpen = (): void => {
    if (!open) throw new InvalidArgumentError('The issuer authentication exchange is over; keep no reference to it');
  };
  const exchange: CardApAuthExchange = {
    cardAp: context.cardAp,
    area: context.area,
    aid: context.aid.slice(),
    file: context.file,
    async getChallenge(length = ISSUER_AUTH_CHALLENGE_LENGTH) {
      assertOpen();
      if (!Number.isInteger(length) || length < 1 || length > 256) {
        throw new InvalidArgumentError('GET CHALLENGE length must be an integer 1..256');
      }
      const response = await port.transmit(new CommandApdu({ ins: CARD_AP_INS.getChallenge, le: length }));
      if (!response.ok) throw statusWordError(response.sw, `GET CHALLENGE (card AP "${context.cardAp}")`);
      if (response.data.length !== length) {
        throw new CardApAuthenticationError(
          context.cardAp,
          `GET CHALLENGE returned ${response.data.length} bytes instead of ${length}`,
        );
      }
      return response.data.slice();
    },
    async externalAuthenticate(cryptogram, options = {}) {
      assertOpen();
      if (!(cryptogram instanceof Uint8Array) || cryptogram.length === 0 || cryptogram.length > 255) {
        throw new InvalidArgumentError('The EXTERNAL AUTHENTICATE cryptogram must be 1..255 bytes');
      }
      const response = await port.transmit(
        new CommandApdu({
          ins: CARD_AP_INS.externalAuthenticate,
          p1: options.p1 ?? 0,
          p2: options.p2 ?? 0,
          data: cryptogram,
        }),
      );
      if (!response.ok) {
        throw new CardApAuthenticationError(context.cardAp, `the card refused the cryptogram (SW ${swHex(response.sw)})`, {
          sw: response.sw,
        });
      }
    },
    async transmit(command) {
      assertOpen();
      const cmd = command instanceof CommandApdu ? command : CommandApdu.parse(command);
      if (cmd.ins === INS.select && cmd.p1 !== SELECT_EF) {
        throw new InvalidArgumentError('The issuer authentication hook may select only EFs of the card AP (P1 = 02)');
      }
      return port.transmit(cmd);
    },
  };
  try {
    await auth(exchange);
  } catch (error) {
    if (error instanceof CardApAuthenticationError) throw error;
    if (error instanceof StatusWordError) {
      throw new CardApAuthenticationError(context.cardAp, error.message, { sw: error.sw, cause: error });
    }
    if (error instanceof MynacardError) throw error; // transport, card removed, aborted, bad argument
    throw new CardApAuthenticationError(context.cardAp, 'the auth hook threw', { cause: error });
  } finally {
    open = false;
  }
}
