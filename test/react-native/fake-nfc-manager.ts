/**
 * A fake react-native-nfc-manager 3.x `NfcManager` whose IsoDep link is a virtual card (any
 * `Transport`). It answers and fails the way the library does on each platform (read from its
 * sources, src/NfcError.js, src/NfcManager{IOS,Android}.js, android/…/NfcManager.java,
 * ios/NfcManager+IsoDep.m):
 *
 * - Android: `isoDepHandler.transceive(number[])` → `number[]` (data ‖ SW1 SW2); every
 *   `IOException` of `IsoDep.transceive` (tag lost, timeout) rejects with
 *   `NfcErrorBase('transceive fail')`; a cancelled request with `UserCancel`; calls after the
 *   session ended with `NfcErrorBase('no tech request available')`. Reader mode emits
 *   `NfcManagerDiscoverTag` for every tag, the connected one included (before the request
 *   resolves).
 * - iOS: `sendCommandAPDUIOS(number[])` → `{ response, sw1, sw2 }`; a lost tag rejects with
 *   `TagConnectionLost` (NFCError:100), the user's cancel with `UserCancel` (NFCError:200).
 *   `isoDepHandler` is not used there.
 */
import { CardRemovedError } from '../../src/errors.js';
import type { NfcErrorClasses, NfcManagerLike, NfcPlatform, NfcRequestOptions, NfcTagLike } from '../../src/react-native/index.js';
import type { Transport } from '../../src/transport/index.js';
import { toHex } from '../../src/bytes.js';

// The library's error classes (src/NfcError.js), same names, same shapes.
export class NfcErrorBase extends Error {}
export class UnsupportedFeature extends NfcErrorBase {}
export class SecurityViolation extends NfcErrorBase {}
export class RadioDisabled extends NfcErrorBase {}
export class TagConnectionLost extends NfcErrorBase {}
export class SessionInvalidated extends NfcErrorBase {}
export class TagNotConnected extends NfcErrorBase {}
export class UserCancel extends NfcErrorBase {}
export class Timeout extends NfcErrorBase {}
export class SystemBusy extends NfcErrorBase {}

/** The fake's `NfcError` namespace. */
export const FakeNfcError = {
  NfcErrorBase,
  UnsupportedFeature,
  SecurityViolation,
  RadioDisabled,
  TagConnectionLost,
  SessionInvalidated,
  TagNotConnected,
  UserCancel,
  Timeout,
  SystemBusy,
} satisfies NfcErrorClasses & Record<string, unknown>;

export interface FakeNfcOptions {
  readonly platform: NfcPlatform;
  /** The card in the field (`undefined`: no card is ever presented). */
  readonly card?: Transport | undefined;
  /** Android `getMaxTransceiveLength()`. Default 261 (no extended-length APDUs). */
  readonly maxTransceiveLength?: number;
  /** What `requestTechnology` resolves to. Default `'IsoDep'` (`null`: a tag of another technology). */
  readonly techFound?: string | null;
  /** The user closes the sheet (iOS) / the app cancels (Android) before any tag: the request rejects. */
  readonly cancelBeforeTag?: boolean;
  /** Time the card takes to compute a signature (`INS 2A`), in real milliseconds. Default 0. */
  readonly signatureMs?: number;
  /** Android: the IsoDep timeout before anyone sets it (ms). Default 618. */
  readonly defaultTimeoutMs?: number;
  /** Identifier of the card's tag. Default `'04a1b2c3'`. */
  readonly tagId?: string;
  /** Called before each command reaches the card (index from 0), e.g. to present a second tag. */
  readonly beforeCommand?: (index: number, command: Uint8Array, fake: FakeNfcManager) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class FakeNfcManager implements NfcManagerLike {
  /** Every call, in order: `'transceive 00a4…'`, `'setTimeout 3000'`, `'cancelTechnologyRequest'`, … */
  readonly calls: string[] = [];
  /** `requestTechnology` options seen. */
  readonly requests: NfcRequestOptions[] = [];
  /** The alert messages set, in order (iOS). */
  readonly alerts: string[] = [];
  timeoutMs: number;
  #session = false;
  #userCancelled = false;
  #commands = 0;
  #listener: ((event: NfcTagLike) => void) | null = null;
  readonly isoDepHandler: { transceive(bytes: number[]): Promise<number[]> };
  readonly sendCommandAPDUIOS?: (bytes: number[]) => Promise<{ response: number[]; sw1: number; sw2: number }>;

  constructor(readonly options: FakeNfcOptions) {
    this.timeoutMs = options.defaultTimeoutMs ?? 618;
    this.isoDepHandler = { transceive: (bytes) => this.#transceiveAndroid(bytes) };
    if (options.platform === 'ios') this.sendCommandAPDUIOS = (bytes) => this.#sendIos(bytes);
  }

  get android(): boolean {
    return this.options.platform === 'android';
  }

  /** Whether a technology request is active. */
  get sessionActive(): boolean {
    return this.#session;
  }

  /** Commands the card received through the fake, hex. */
  get commands(): string[] {
    return this.calls.filter((c) => c.startsWith('transceive ')).map((c) => c.slice('transceive '.length));
  }

  async requestTechnology(tech: never, options?: NfcRequestOptions): Promise<string | null> {
    this.calls.push(`requestTechnology ${String(tech)}`);
    this.requests.push({ ...options });
    if (this.#session) throw this.android ? new NfcErrorBase('You can only issue one request at a time') : new NfcErrorBase('Duplicated registration');
    this.#session = true;
    if (this.options.cancelBeforeTag === true || this.options.card === undefined) {
      this.#session = false;
      throw new UserCancel();
    }
    // Reader mode reports the card before the request's callback (NfcManager.java onTagDiscovered).
    if (this.android && options?.isReaderModeEnabled === true) this.presentTag(this.options.tagId ?? '04a1b2c3');
    return this.options.techFound === undefined ? 'IsoDep' : this.options.techFound;
  }

  async cancelTechnologyRequest(): Promise<void> {
    this.calls.push('cancelTechnologyRequest');
    this.#session = false;
  }

  async getMaxTransceiveLength(): Promise<number> {
    this.calls.push('getMaxTransceiveLength');
    if (!this.#session) throw new NfcErrorBase('no tech request available');
    return this.options.maxTransceiveLength ?? 261;
  }

  async setTimeout(timeoutMs: number): Promise<void> {
    this.calls.push(`setTimeout ${timeoutMs}`);
    if (!this.#session) throw new NfcErrorBase('no tech request available');
    this.timeoutMs = timeoutMs;
  }

  async getTag(): Promise<NfcTagLike | null> {
    this.calls.push('getTag');
    return this.#session ? { id: this.options.tagId ?? '04a1b2c3' } : null;
  }

  async setAlertMessage(message: string): Promise<void> {
    this.alerts.push(message);
  }

  setEventListener(name: string, callback: ((event: NfcTagLike) => void) | null): void {
    this.calls.push(`setEventListener ${name} ${callback === null ? 'off' : 'on'}`);
    this.#listener = callback;
  }

  /** A tag enters the field (reader mode reports it). */
  presentTag(id: string): void {
    this.#listener?.({ id });
  }

  /** The user taps Cancel on the iOS sheet: the session is invalidated. */
  userCancel(): void {
    this.#userCancelled = true;
    this.#session = false;
  }

  async #toCard(bytes: number[]): Promise<Uint8Array> {
    const command = Uint8Array.from(bytes);
    // Secrets stay out of the record, as in the virtual card's log: VERIFY / CHANGE REFERENCE DATA by header only.
    const secret = command[1] === 0x20 || command[1] === 0x24;
    this.calls.push(`transceive ${toHex(secret ? command.subarray(0, 4) : command)}`);
    this.options.beforeCommand?.(this.#commands++, command, this);
    if (!this.#session) throw new UserCancel(); // cancelled while the command was on its way
    const card = this.options.card!;
    if (command[1] === 0x2a && (this.options.signatureMs ?? 0) > 0) {
      const needed = this.options.signatureMs!;
      if (this.android && needed > this.timeoutMs) {
        // The NFC stack gives up at the timeout; the answer then still crosses the bridge.
        await sleep(this.timeoutMs + 2);
        throw new NfcErrorBase('transceive fail'); // IsoDep timeout: IOException
      }
      await sleep(needed);
    }
    return card.transmit(command);
  }

  async #transceiveAndroid(bytes: number[]): Promise<number[]> {
    if (!Array.isArray(bytes)) throw new Error('IsoDepHandler.transceive only takes input as a byte array');
    if (!this.android) throw new Error('the iOS path must use sendCommandAPDUIOS');
    if (!this.#session) throw this.#userCancelled ? new UserCancel() : new NfcErrorBase('no tech request available');
    try {
      return Array.from(await this.#toCard(bytes));
    } catch (error) {
      if (error instanceof CardRemovedError) throw new NfcErrorBase('transceive fail');
      throw error;
    }
  }

  async #sendIos(bytes: number[]): Promise<{ response: number[]; sw1: number; sw2: number }> {
    if (!this.#session) throw this.#userCancelled ? new UserCancel() : new NfcErrorBase('Not connected');
    let answer: Uint8Array;
    try {
      answer = await this.#toCard(bytes);
    } catch (error) {
      if (error instanceof CardRemovedError) throw new TagConnectionLost();
      throw error;
    }
    // Core NFC hands data, SW1 and SW2 over separately.
    return {
      response: Array.from(answer.subarray(0, answer.length - 2)),
      sw1: answer[answer.length - 2]!,
      sw2: answer[answer.length - 1]!,
    };
  }
}
