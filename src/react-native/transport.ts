/**
 * `NfcManagerTransport`: APDUs over a phone's NFC through react-native-nfc-manager 3.x.
 */
import { InvalidArgumentError, SecondTagError, TimeoutError, TransportError } from '../errors.js';
import type { Transport } from '../transport/index.js';
import { nfcFailureKind, toNfcError } from './errors.js';
import type { NfcApduAnswerIos, NfcErrorClasses, NfcManagerLike, NfcPlatform, NfcRequestOptions, NfcTagLike } from './types.js';

/** The technology requested on both platforms: ISO/IEC 14443-4 (the library has no separate ISO 7816 tech). */
export const NFC_TECH_ISO_DEP = 'IsoDep';
/** The library's tag-discovery event name (`NfcEvents.DiscoverTag`). */
export const NFC_EVENT_DISCOVER_TAG = 'NfcManagerDiscoverTag';
/** Android reader-mode flags used by default: `FLAG_READER_NFC_B | FLAG_READER_SKIP_NDEF_CHECK` (the card is Type B). */
export const DEFAULT_READER_MODE_FLAGS = 0x02 | 0x80;
/** Default Android IsoDep timeout of ordinary commands, in milliseconds. */
export const DEFAULT_TIMEOUT_MS = 3_000;
/** Default Android IsoDep timeout of a signature command (`INS 2A`), in milliseconds: RSA-2048 on the card takes seconds. */
export const DEFAULT_SIGNATURE_TIMEOUT_MS = 15_000;
/** Largest command + response Android carries when extended-length APDUs are unsupported (5 + 255 + 1). */
export const SHORT_APDU_MAX_TRANSCEIVE = 261;
/** Default text of the iOS scan sheet. */
export const DEFAULT_ALERT_MESSAGE = 'マイナンバーカードをスマートフォンにかざしてください';

/** The default progress text of the iOS scan sheet: `読み取り中… 40%`. */
export const defaultProgressMessage = (percent: number): string => `読み取り中… ${percent}%`;

/** Options of {@link NfcManagerTransport.open}. */
export interface NfcManagerTransportOptions {
  /** react-native-nfc-manager's default export (`import NfcManager from 'react-native-nfc-manager'`). */
  readonly nfcManager: NfcManagerLike;
  /** React Native's `Platform.OS`: `'ios'` or `'android'`. */
  readonly platform: NfcPlatform;
  /** The library's `NfcError` namespace, for exact classification of its errors (recommended). */
  readonly nfcErrors?: NfcErrorClasses | undefined;
  /** iOS: the scan sheet's text while waiting for the card. Default {@link DEFAULT_ALERT_MESSAGE}. */
  readonly alertMessage?: string | undefined;
  /** iOS: the scan sheet's text for a read's progress. Default {@link defaultProgressMessage}. */
  readonly progressMessage?: ((percent: number) => string) | undefined;
  /** Android: IsoDep timeout of ordinary commands (ms). Default {@link DEFAULT_TIMEOUT_MS}. */
  readonly timeoutMs?: number | undefined;
  /** Android: IsoDep timeout of a signature command (ms). Default {@link DEFAULT_SIGNATURE_TIMEOUT_MS}. */
  readonly signatureTimeoutMs?: number | undefined;
  /** Android: reader-mode flags. Default {@link DEFAULT_READER_MODE_FLAGS}. */
  readonly readerModeFlags?: number | undefined;
  /**
   * Android: watch tag-discovery events during the session and fail with `SecondTagError` when
   * another tag shows up. Default `true`. The library has one listener per event: the app's
   * own `NfcEvents.DiscoverTag` listener is replaced during the session and cleared after.
   */
  readonly detectSecondTag?: boolean | undefined;
}

interface Setup {
  readonly options: NfcManagerTransportOptions;
  readonly maxTransceiveLength: number | undefined;
  readonly timeoutMs: number;
  readonly signatureTimeoutMs: number;
  readonly watch: SecondTagWatch | undefined;
}

/** Tag-discovery events after the session's tag is known: anything else is a second tag. */
class SecondTagWatch {
  #connectedId: string | undefined;
  #armed = false;
  seen = false;

  constructor(readonly manager: NfcManagerLike) {
    manager.setEventListener?.(NFC_EVENT_DISCOVER_TAG, (tag: NfcTagLike) => {
      // Events of the session's own tag may arrive before or after the connection: ignore them.
      if (this.#armed && tag?.id !== this.#connectedId) this.seen = true;
    });
  }

  arm(connectedId: string): void {
    this.#connectedId = connectedId;
    this.#armed = true;
  }

  stop(): void {
    try {
      this.manager.setEventListener?.(NFC_EVENT_DISCOVER_TAG, null);
    } catch {
      // The session is ending anyway.
    }
  }
}

/** `cancelTechnologyRequest`, whatever it does (the session may already be gone). */
async function endSession(manager: NfcManagerLike): Promise<void> {
  try {
    await manager.cancelTechnologyRequest();
  } catch {
    // Already ended (user cancel, tag lost, system): nothing left to release.
  }
}

function positiveInteger(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value <= 0) throw new InvalidArgumentError(`${name} must be a positive integer`);
  return value;
}

function toBytes(values: unknown, what: string): Uint8Array {
  if (!Array.isArray(values)) throw new TransportError(`${what}: the NFC response is not a byte array`);
  const bytes = new Uint8Array(values.length);
  values.forEach((v, i) => {
    if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 255) {
      throw new TransportError(`${what}: the NFC response holds a value that is not a byte`);
    }
    bytes[i] = v as number;
  });
  return bytes;
}

/**
 * A {@link Transport} over react-native-nfc-manager 3.x (`NfcTech.IsoDep` on both platforms).
 *
 * - Android: `isoDepHandler.transceive(number[])`; the IsoDep timeout is raised for the
 *   signature command (`INS 2A`) and set back after; `getMaxTransceiveLength()` ≤ 261 states
 *   `extendedLength: false` (short APDUs only), otherwise the SDK detects extended length.
 * - iOS: `sendCommandAPDUIOS(number[])`, whose data, SW1 and SW2 are put back together as
 *   `data ‖ SW1 ‖ SW2`; {@link NfcManagerTransport.onProgress} shows a read's progress in the
 *   scan sheet.
 * - Errors: the card leaving the field → `CardRemovedError`; the user closing the sheet →
 *   `NfcCancelledError` (`reason: 'user'`); another tag during the session (Android) →
 *   `SecondTagError`; no answer within the IsoDep timeout (Android) → `TimeoutError`. Nothing is
 *   ever resent.
 *
 * Most apps use {@link withNfcCard}, which opens, connects and always ends the session.
 */
export class NfcManagerTransport implements Transport {
  /** The platform this transport drives. */
  readonly platform: NfcPlatform;
  /** Android: `getMaxTransceiveLength()` of the connected card; `undefined` on iOS. */
  readonly maxTransceiveLength: number | undefined;
  /** `false` when Android reports short APDUs only; otherwise undefined (the SDK detects). */
  readonly extendedLength?: boolean;
  /** 258 (256 data bytes + SW) when Android reports short APDUs only; otherwise undefined. */
  readonly maxResponseLength?: number;

  readonly #manager: NfcManagerLike;
  readonly #classes: NfcErrorClasses | undefined;
  readonly #progressMessage: (percent: number) => string;
  readonly #timeoutMs: number;
  readonly #signatureTimeoutMs: number;
  readonly #watch: SecondTagWatch | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  #lastPercent = -1;

  private constructor(setup: Setup) {
    const { options } = setup;
    this.platform = options.platform;
    this.maxTransceiveLength = setup.maxTransceiveLength;
    if (setup.maxTransceiveLength !== undefined && setup.maxTransceiveLength <= SHORT_APDU_MAX_TRANSCEIVE) {
      this.extendedLength = false;
      this.maxResponseLength = 258;
    }
    this.#manager = options.nfcManager;
    this.#classes = options.nfcErrors;
    this.#progressMessage = options.progressMessage ?? defaultProgressMessage;
    this.#timeoutMs = setup.timeoutMs;
    this.#signatureTimeoutMs = setup.signatureTimeoutMs;
    this.#watch = setup.watch;
  }

  /**
   * Start an NFC session, wait for a card (`requestTechnology(NfcTech.IsoDep)`) and set it up.
   * On failure the session is ended before the error is thrown.
   *
   * @throws NfcCancelledError when the user closes the scan sheet
   * @throws ReaderUnavailableError when NFC is off, missing, or busy with another session
   * @throws TransportError (`code: 'nfc-unsupported-tag'`) when the tag is not ISO-DEP
   * @throws InvalidArgumentError for bad options
   */
  static async open(options: NfcManagerTransportOptions): Promise<NfcManagerTransport> {
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options must be an object');
    const manager = options.nfcManager;
    if (typeof manager !== 'object' || manager === null || typeof manager.requestTechnology !== 'function') {
      throw new InvalidArgumentError('nfcManager must be react-native-nfc-manager’s NfcManager');
    }
    const platform = options.platform;
    if (platform !== 'ios' && platform !== 'android') throw new InvalidArgumentError("platform must be 'ios' or 'android'");
    if (platform === 'ios' && typeof manager.sendCommandAPDUIOS !== 'function') {
      throw new InvalidArgumentError('nfcManager has no sendCommandAPDUIOS (react-native-nfc-manager 3.x is needed)');
    }
    const timeoutMs = positiveInteger(options.timeoutMs, DEFAULT_TIMEOUT_MS, 'timeoutMs');
    const signatureTimeoutMs = positiveInteger(options.signatureTimeoutMs, DEFAULT_SIGNATURE_TIMEOUT_MS, 'signatureTimeoutMs');
    const android = platform === 'android';
    const watch = android && options.detectSecondTag !== false ? new SecondTagWatch(manager) : undefined;
    const request: NfcRequestOptions = android
      ? { isReaderModeEnabled: true, readerModeFlags: options.readerModeFlags ?? DEFAULT_READER_MODE_FLAGS }
      : { alertMessage: options.alertMessage ?? DEFAULT_ALERT_MESSAGE };
    let step = 'requestTechnology';
    try {
      const tech = await manager.requestTechnology(NFC_TECH_ISO_DEP as never, request);
      if (tech !== NFC_TECH_ISO_DEP) {
        throw new TransportError('The tag is not an ISO-DEP (ISO/IEC 14443-4) card', { code: 'nfc-unsupported-tag' });
      }
      let maxTransceiveLength: number | undefined;
      if (android) {
        step = 'getMaxTransceiveLength';
        const max = await manager.getMaxTransceiveLength?.();
        maxTransceiveLength = typeof max === 'number' && Number.isInteger(max) && max > 0 ? max : undefined;
        step = 'setTimeout';
        await manager.setTimeout?.(timeoutMs);
        if (watch !== undefined) {
          step = 'getTag';
          const tag = await manager.getTag?.();
          // Without the tag's identifier, second tags cannot be told from the card's own events.
          if (typeof tag?.id === 'string') watch.arm(tag.id);
        }
      }
      return new NfcManagerTransport({ options, maxTransceiveLength, timeoutMs, signatureTimeoutMs, watch });
    } catch (error) {
      watch?.stop();
      // Busy: the session belongs to another request, which must go on.
      if (nfcFailureKind(error, options.nfcErrors) !== 'busy') await endSession(manager);
      throw toNfcError(error, step, options.nfcErrors);
    }
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Send one command APDU; resolve to `data ‖ SW1 ‖ SW2`. Commands go out one at a time.
   *
   * @throws CardRemovedError when the card leaves the field
   * @throws SecondTagError when another tag was presented during the session (Android)
   * @throws TimeoutError when the card did not answer within the IsoDep timeout (Android)
   * @throws NfcCancelledError when the session was cancelled or ended
   * @throws TransportError after {@link close} (`code: 'transport-closed'`) or for another NFC failure
   */
  transmit(command: Uint8Array): Promise<Uint8Array> {
    if (!(command instanceof Uint8Array) || command.length < 4) {
      return Promise.reject(new InvalidArgumentError('transmit expects a command APDU as a Uint8Array'));
    }
    const run = this.#queue.then(() => this.#exchange(Array.from(command)));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async #exchange(bytes: number[]): Promise<Uint8Array> {
    try {
      if (this.#closed) throw new TransportError('The NFC session was closed', { code: 'transport-closed' });
      if (this.#watch?.seen === true) throw new SecondTagError();
      return this.platform === 'ios' ? await this.#exchangeIos(bytes) : await this.#exchangeAndroid(bytes);
    } finally {
      // The command may carry a PIN: do not leave this copy behind.
      bytes.fill(0);
    }
  }

  async #exchangeIos(bytes: number[]): Promise<Uint8Array> {
    let answer: NfcApduAnswerIos;
    try {
      answer = await this.#manager.sendCommandAPDUIOS!(bytes);
    } catch (error) {
      throw toNfcError(error, 'sendCommandAPDUIOS', this.#classes);
    }
    const data = toBytes(answer?.response, 'sendCommandAPDUIOS');
    const sw = toBytes([answer.sw1, answer.sw2], 'sendCommandAPDUIOS');
    const out = new Uint8Array(data.length + 2);
    out.set(data);
    out.set(sw, data.length);
    return out;
  }

  async #exchangeAndroid(bytes: number[]): Promise<Uint8Array> {
    const signature = bytes[1] === 0x2a;
    const timeoutMs = signature ? this.#signatureTimeoutMs : this.#timeoutMs;
    if (signature) await this.#setTimeout(this.#signatureTimeoutMs);
    const started = Date.now();
    let response: number[];
    try {
      response = await this.#manager.isoDepHandler.transceive(bytes);
    } catch (error) {
      if (this.#watch?.seen === true) throw new SecondTagError();
      // Android reports a timeout like a lost tag ('transceive fail'): tell them apart by the time taken.
      if (nfcFailureKind(error, this.#classes) === 'tag-lost' && Date.now() - started >= timeoutMs) {
        throw new TimeoutError(`transceive: the card did not answer within ${timeoutMs} ms (nothing was resent)`);
      }
      throw toNfcError(error, 'transceive', this.#classes);
    } finally {
      if (signature) await this.#setTimeout(this.#timeoutMs).catch(() => undefined);
    }
    const out = toBytes(response, 'transceive');
    if (out.length < 2) throw new TransportError('transceive: the NFC response is shorter than a status word');
    return out;
  }

  async #setTimeout(ms: number): Promise<void> {
    try {
      await this.#manager.setTimeout?.(ms);
    } catch (error) {
      throw toNfcError(error, 'setTimeout', this.#classes);
    }
  }

  /**
   * iOS: show `message` in the scan sheet (Android has no system sheet: nothing happens).
   * Failures are ignored: the text is cosmetic.
   */
  async setAlertMessage(message: string): Promise<void> {
    if (this.platform !== 'ios' || this.#closed) return;
    await this.#manager.setAlertMessage?.(message).catch(() => undefined);
  }

  /**
   * A read's progress, for the SDK's `onProgress` option: on iOS the scan sheet shows
   * `読み取り中… 40%` (the `progressMessage` option), updated when the percentage changes.
   */
  readonly onProgress = (progress: { readonly loaded: number; readonly total: number }): void => {
    const { loaded, total } = progress;
    const percent = total > 0 ? Math.max(0, Math.min(100, Math.floor((loaded * 100) / total))) : 0;
    if (percent === this.#lastPercent) return;
    this.#lastPercent = percent;
    void this.setAlertMessage(this.#progressMessage(percent));
  };

  /** End the NFC session (`cancelTechnologyRequest`). Idempotent; never throws. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watch?.stop();
    await this.#queue;
    await endSession(this.#manager);
  }
}
