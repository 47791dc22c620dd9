/**
 * `MyNumberCard`: one session with a マイナンバーカード (or a smartphone's JPKI applet).
 * @packageDocumentation
 */
import { ApduChannel } from '../apdu/channel.js';
import { StatusWordError } from '../apdu/status.js';
import type { ApduTraceEvent } from '../apdu/trace.js';
import type { StatusWordWarning } from '../apdu/warning.js';
import { InvalidArgumentError } from '../errors.js';
import type { Transport } from '../transport/transport.js';
import type { CardApHost } from './card-ap/host.js';
import { CommonAp } from './common.js';
import { FaceAp } from './face.js';
import { JpkiAp } from './jpki.js';
import type { CardProfile } from './records.js';
import { CardSession } from './session.js';
import { TextAp } from './text.js';
import { readToken } from './token.js';

/** Options of {@link MyNumberCard.connect}. */
export interface MyNumberCardOptions {
  /**
   * Sees every APDU on the wire. PINs, passwords and 照合番号 are always cut out of the
   * commands; responses carrying the 個人番号, the 基本4情報, the card face or the 署名用電子証明書
   * have their data cut out.
   */
  readonly onTrace?: ((event: ApduTraceEvent) => void) | undefined;
  /** Sees every warning status word (`62xx`/`63xx` except `63Cx`) with the operation's name. */
  readonly onWarning?: ((warning: StatusWordWarning, context: string) => void) | undefined;
  /**
   * Extended-length APDUs: `'auto'` (default) follows the transport's hint or tries once and
   * falls back to short APDUs on refusal; `true` always; `false` never.
   */
  readonly extendedLength?: 'auto' | boolean | undefined;
  /**
   * Called once when `'auto'` detection decides whether extended-length APDUs work (see
   * `ApduChannelOptions.onExtendedLength`): remember the answer and pass it as `extendedLength`
   * to the next session with the same reader and card.
   */
  readonly onExtendedLength?: ((supported: boolean) => void) | undefined;
  /**
   * Keep the security status after PIN-protected operations (default `false`: the SDK
   * re-selects the application right after each one). `close()` always drops it.
   */
  readonly keepSecurityStatus?: boolean | undefined;
  /** Also close the transport in {@link MyNumberCard.close}. Default `false`: the caller owns it. */
  readonly closeTransport?: boolean | undefined;
}

/**
 * A session with a My Number Card (マイナンバーカード / 個人番号カード) or a smartphone's JPKI
 * applet, obtained with {@link MyNumberCard.connect}.
 *
 * - `jpki` — 公的個人認証AP: 利用者証明用電子証明書 / 署名用電子証明書, signatures, PIN status;
 * - `text` — 券面事項入力補助AP: 個人番号 and 基本4情報 as text;
 * - `face` — 券面事項確認AP: the card face images and the 個人番号 image;
 * - `common` — 共通カードAP: the card identifier record.
 *
 * One operation runs at a time: concurrent calls are queued, never interleaved. After every
 * PIN-protected operation the card's security status is dropped (the application is selected
 * again) unless `keepSecurityStatus` (per call or per card) asks otherwise; {@link MyNumberCard.close}
 * always drops it. Usable with `await using`.
 */
export class MyNumberCard implements CardApHost {
  /** 公的個人認証AP (JPKI AP). */
  readonly jpki: JpkiAp;
  /** 券面事項入力補助AP (text AP). */
  readonly text: TextAp;
  /** 券面事項確認AP (face AP). */
  readonly face: FaceAp;
  /** 共通カードAP (common AP). */
  readonly common: CommonAp;
  readonly #session: CardSession;
  readonly #transport: Transport;
  #closeTransport: boolean;
  /** The one attempt of {@link MyNumberCard.close}, shared by concurrent callers. */
  #closing: Promise<void> | undefined;

  private constructor(session: CardSession, transport: Transport, closeTransport: boolean) {
    this.#session = session;
    this.#transport = transport;
    this.#closeTransport = closeTransport;
    this.jpki = new JpkiAp(session);
    this.text = new TextAp(session);
    this.face = new FaceAp(session);
    this.common = new CommonAp(session);
  }

  /**
   * Open a session: SELECT the 公的個人認証AP (`00 A4 04 0C 0A D392F000260100000001`) and read
   * the 32-byte token label (`00 B0 86 00 20`) to set {@link MyNumberCard.profile}. The ATR is
   * never looked at. A token EF that cannot be read leaves the profile `'unknown'`; the
   * session stays usable.
   *
   * @throws FileNotFoundError when the card has no JPKI AP (not a My Number Card or JPKI
   *   device); the transport's errors
   */
  static async connect(transport: Transport, options: MyNumberCardOptions = {}): Promise<MyNumberCard> {
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options must be an object');
    const channel = new ApduChannel(transport, {
      onTrace: options.onTrace,
      onWarning: options.onWarning,
      extendedLength: options.extendedLength ?? 'auto',
      onExtendedLength: options.onExtendedLength,
    });
    const session = new CardSession(channel, options.keepSecurityStatus === true);
    await session.run(async (port) => {
      await session.select(port, 'jpki');
      try {
        const token = await readToken(port);
        session.token = token;
        session.profile = token.profile;
      } catch (error) {
        // A device without a readable token EF is still a JPKI device (card-facts §3.1 is [C]
        // for the card, unknown for future devices): keep the session usable.
        if (!(error instanceof StatusWordError)) throw error;
      }
    });
    return new MyNumberCard(session, transport, options.closeTransport === true);
  }

  /**
   * What the JPKI token label says the device is: `'card'` (JPKIAPICCTOKEN2), `'android'`
   * (JPKIAPGPSETOKEN), `'iphone'` (JPKIAPIOSTOKEN), `'juki'` (住基カード, JPKIAPICCTOKEN), or
   * `'unknown'` (another label or none; the session is still usable).
   */
  get profile(): CardProfile {
    return this.#session.profile;
  }

  /** Whether {@link MyNumberCard.close} has run. */
  get closed(): boolean {
    return this.#session.closed;
  }

  /**
   * Whether extended-length APDUs are in use: `true`/`false` once known, `undefined` before the
   * first large read.
   */
  get extendedLength(): boolean | undefined {
    return this.#session.channel.extendedLengthSupported;
  }

  /**
   * End the session: waits for queued operations, drops any security status still set
   * (re-selects the application), wipes the cached certificates, and (with `closeTransport`)
   * closes the transport — always, even when the drop failed. A removed (or reset) card is not
   * an error: its security status is gone with it. Otherwise the first error is thrown (the drop's, e.g.
   * the reader is gone, before the transport's own), after everything was closed. Idempotent:
   * concurrent calls share one attempt, later calls resolve without doing anything; later
   * operations reject.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close().finally(() => {
      this.#closing = Promise.resolve(); // reported once, to the callers of this attempt
    });
    return this.#closing;
  }

  async #close(): Promise<void> {
    let failure: { readonly error: unknown } | undefined;
    try {
      await this.#session.close();
    } catch (error) {
      failure = { error };
    }
    if (this.#closeTransport) {
      this.#closeTransport = false;
      try {
        await this.#transport.close?.();
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== undefined) throw failure.error;
  }

  /**
   * The session's APDU channel (a {@link CardApHost}'s channel: `openCardAp(card, descriptor)`
   * runs the free-area card APs through it). Its commands queue with this session's operations.
   * A command sequence that selects another application must end with
   * {@link MyNumberCard.forgetSelection}.
   */
  get channel(): ApduChannel {
    return this.#session.channel;
  }

  /**
   * Forget which application is current, so that the next operation selects its application
   * again (called by the card-AP sessions after they selected a card AP).
   */
  forgetSelection(): void {
    this.#session.forgetSelection();
  }

  /** `await using card = await MyNumberCard.connect(transport)` closes the session. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}
