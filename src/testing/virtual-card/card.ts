/**
 * The virtual My Number Card (仮想マイナンバーカード): a {@link Transport} that answers APDUs
 * like the card described in `docs/card-facts.md`, for tests, examples and the vpcd bridge.
 * Browser-safe: no `Buffer`, no Node built-ins.
 * @packageDocumentation
 */
import { ApduFormatError } from '../../apdu/errors.js';
import { CommandApdu } from '../../apdu/command.js';
import { CardRemovedError, InvalidArgumentError, TransportError } from '../../errors.js';
import { Mutex } from '../../mutex.js';
import type { TestHolder } from '../pki-issuer.js';
import type { Transport } from '../../transport/transport.js';
import type { CardApArea } from '../../aps/card-ap/constants.js';
import type { CardApContents, CardApDescriptor } from '../../aps/card-ap/descriptor.js';
import { CardApStore, type InstalledCardAp, type VirtualCardApKeys } from './card-ap.js';
import { HANDLERS, PROPRIETARY_INS, type HandlerContext, type HandlerResult } from './commands.js';
import { INS, SW, VIRTUAL_CARD_ATR } from './constants.js';
import type { FileSystem } from './file-system.js';
import type { CardLogEntry, VirtualCardOptions, VirtualCardProfile } from './options.js';
import { personalise, type CardCertificates } from './personalise.js';
import { PIN_KINDS, type PinKind, type PinObject, type PinState } from './pin.js';

/** INS whose data field may carry a secret; the log keeps only their header. */
const SECRET_INS: ReadonlySet<number> = new Set([0x20, 0x21, 0x24, 0x2c, 0x32]);
/** Largest data field of one answer when `maxChunk` is not set (extended Le 65536). */
const UNLIMITED_CHUNK = 65536;

const EMPTY = new Uint8Array(0);

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withSw(data: Uint8Array, sw: number): Uint8Array {
  const out = new Uint8Array(data.length + 2);
  out.set(data, 0);
  out[data.length] = sw >> 8;
  out[data.length + 1] = sw & 0xff;
  return out;
}

function nonNegativeInteger(value: number | undefined, what: string, min = 0): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min) throw new InvalidArgumentError(`${what} must be an integer ≥ ${min}`);
  return value;
}

/**
 * A virtual My Number Card. It **is** a {@link Transport}: hand it to the SDK like a reader.
 *
 * ```ts
 * const card = await VirtualMyNumberCard.create({ pins: { auth: '1234' } });
 * const response = await card.transmit(fromHex('00A4040C0AD392F000260100000001')); // → 90 00
 * ```
 *
 * Two cards created with equal options hold byte-identical files and certificates, and answer
 * every command identically (signatures are deterministic PKCS#1 v1.5).
 */
export class VirtualMyNumberCard implements Transport {
  /** The DER certificates on the card (EF 000A, 0001, 000B, 0002). */
  readonly certificates: CardCertificates;
  /** The test roots the leaves chain to (self-signed; the same bytes as the CA certificate EFs). */
  readonly roots: {
    /** DER root of the auth leaf (利用者証明用電子証明書): EF 000B's bytes. */
    readonly auth: Uint8Array;
    /** DER root of the sign leaf (署名用電子証明書): EF 0002's bytes. */
    readonly sign: Uint8Array;
  };
  /** The holder written on the card (基本4情報 and 個人番号). */
  readonly holder: TestHolder;
  /** The profile the card imitates. */
  readonly profile: VirtualCardProfile;
  /**
   * Transport hint, present only with `advertiseExtendedLength: true` (then equal to the
   * `extendedLength` quirk). A real reader gives no hint, so by default it is undefined.
   */
  declare readonly extendedLength?: boolean;

  readonly #fs: FileSystem;
  readonly #pins: ReadonlyMap<PinKind, PinObject>;
  readonly #context: HandlerContext;
  readonly #cardAps: CardApStore;
  readonly #extendedLength: boolean;
  readonly #latencyMs: number;
  readonly #log: CardLogEntry[] = [];
  #commandCount = 0;
  #removalCountdown: number | undefined;
  #present = true;
  #closed = false;
  /** Commands one at a time, in call order (src/mutex.ts, rule 4). */
  readonly #lock = new Mutex();

  private constructor(
    personalisation: Awaited<ReturnType<typeof personalise>>,
    options: VirtualCardOptions,
  ) {
    const quirks = options.quirks ?? {};
    this.certificates = personalisation.certificates;
    this.roots = personalisation.roots;
    this.holder = personalisation.holder;
    this.profile = personalisation.profile;
    this.#fs = personalisation.fs;
    this.#pins = personalisation.pins;
    this.#cardAps = new CardApStore(this.#fs, options.cardApCapacity);
    this.#extendedLength = quirks.extendedLength ?? true;
    this.#latencyMs = nonNegativeInteger(quirks.latencyMs, 'quirks.latencyMs') ?? 0;
    this.#removalCountdown = nonNegativeInteger(quirks.removeAfterCommands, 'quirks.removeAfterCommands');
    const maxChunk = nonNegativeInteger(quirks.maxChunk, 'quirks.maxChunk', 1) ?? UNLIMITED_CHUNK;
    if (quirks.selectFci !== undefined && !['df-name', 'none', 'fcp-without-df-name'].includes(quirks.selectFci)) {
      throw new InvalidArgumentError("quirks.selectFci must be 'df-name', 'none' or 'fcp-without-df-name'");
    }
    this.#context = {
      fs: this.#fs,
      pending: undefined,
      quirks: {
        wrongLe: quirks.wrongLe ?? false,
        maxChunk,
        getResponse: quirks.getResponse ?? false,
        blockedQuery: quirks.blockedPinQuery ?? '63C0',
        verifiedQuery: quirks.verifiedPinQuery ?? 'tries',
        partialDfNameSelect: quirks.partialDfNameSelect ?? false,
        selectFci: quirks.selectFci ?? 'df-name',
      },
    };
    if (options.advertiseExtendedLength === true) this.extendedLength = this.#extendedLength;
  }

  /**
   * Create a card. Builds every file (text/face AP contents are signed with the test PKI's
   * card-verifiable key), so it is asynchronous.
   *
   * @throws InvalidArgumentError when a PIN or another option has the wrong format (messages
   *   never repeat the value)
   */
  static async create(options: VirtualCardOptions = {}): Promise<VirtualMyNumberCard> {
    const personalisation = await personalise(options);
    return new VirtualMyNumberCard(personalisation, options);
  }

  /** Contact ATR for a PC/SC bridge (card-facts §1.2). Never identify the card by it. */
  get atr(): Uint8Array {
    return VIRTUAL_CARD_ATR.slice();
  }

  /** Whether the card is in the reader. */
  get present(): boolean {
    return this.#present;
  }

  /** Exchanges so far (oldest first). PIN bytes never appear; see {@link CardLogEntry}. */
  get log(): readonly CardLogEntry[] {
    return this.#log;
  }

  /** Forget the log (entry indexes keep counting). */
  clearLog(): void {
    this.#log.length = 0;
  }

  /** Counter state of one secret. */
  pinState(kind: PinKind): PinState {
    const pin = this.#pins.get(kind);
    if (pin === undefined || !PIN_KINDS.includes(kind)) throw new InvalidArgumentError('Unknown PIN kind');
    return pin.state();
  }

  /**
   * Install a card AP into its free area (地域住民向け領域 or 拡張利用領域), as the installer would
   * through J-LIS's カードAP搭載システム: its files (`contents` encoded with the descriptor's
   * codecs; files left out are erased, all `FF`), its secrets and the issuer key of the test
   * authentication scheme (see `card-ap.ts`).
   *
   * @throws CardApCapacityError when the area lacks room; InvalidArgumentError for an AID
   *   already on the card, a missing or malformed secret, an unknown file or a bad key;
   *   CardApValueTooLargeError / CardApCodecError for contents that do not encode
   */
  installCardAp<D extends CardApDescriptor>(
    descriptor: D,
    contents?: CardApContents<D>,
    keys?: VirtualCardApKeys<D>,
  ): InstalledCardAp {
    return this.#cardAps.install(descriptor, contents, keys);
  }

  /** Remove a card AP (as its installer may); false when it was not installed. */
  uninstallCardAp(descriptor: Pick<CardApDescriptor, 'aid'>): boolean {
    return this.#cardAps.uninstall(descriptor.aid);
  }

  /**
   * The holder moves to another municipality (転出): every regional card AP is removed, the
   * extension-area ones stay. Returns the names removed.
   */
  moveOut(): string[] {
    return this.#cardAps.moveOut();
  }

  /** The card APs installed, in installation order. */
  get installedCardAps(): readonly InstalledCardAp[] {
    return this.#cardAps.installed;
  }

  /** Capacity and use of a free area, in bytes. */
  cardApUsage(area: CardApArea): {
    /** The area's capacity in bytes (`cardApCapacity` option). */
    readonly capacity: number;
    /** Bytes taken by the card APs installed in the area. */
    readonly used: number;
  } {
    return { capacity: this.#cardAps.capacity(area), used: this.#cardAps.used(area) };
  }

  /** A copy of a card-AP file's bytes as stored (for tests). */
  cardApFile(descriptor: CardApDescriptor, fileName: string): Uint8Array {
    return this.#cardAps.file(descriptor, fileName);
  }

  /** Counter state of a card-AP secret (for tests). */
  cardApSecretState(descriptor: CardApDescriptor, secretName: string): PinState {
    return this.#cardAps.secretState(descriptor, secretName);
  }

  /** Pull the card out: every `transmit` rejects with `CardRemovedError` until {@link insert}. */
  remove(): void {
    this.#present = false;
    this.#context.pending = undefined;
  }

  /**
   * Put the card (back) in and power it on: MF level, no current EF, security status cleared.
   * PIN counters and changed PINs persist (they live in the chip's EEPROM).
   */
  insert(): void {
    this.#present = true;
    this.#powerOn();
  }

  /**
   * Warm reset: the same state as after {@link insert}.
   * @throws CardRemovedError when the card is not in the reader
   */
  reset(): void {
    if (!this.#present) throw new CardRemovedError();
    this.#powerOn();
  }

  /**
   * Arm the fault injection again: after `commands` more answered commands the card is pulled
   * out (like the `removeAfterCommands` quirk).
   */
  removeAfterCommands(commands: number): void {
    this.#removalCountdown = nonNegativeInteger(commands, 'commands');
  }

  /**
   * Send one command APDU; resolves to `data ‖ SW1 SW2`. Commands are answered one at a time
   * in call order.
   *
   * @throws CardRemovedError when the card is (or gets) pulled out
   * @throws TransportError after {@link close}
   */
  transmit(command: Uint8Array): Promise<Uint8Array> {
    if (!(command instanceof Uint8Array)) {
      return Promise.reject(new InvalidArgumentError('transmit expects a Uint8Array'));
    }
    const copy = Uint8Array.from(command);
    return this.#lock.run(() => this.#exchange(copy));
  }

  /** Release the card; later `transmit` calls reject with a `TransportError`. */
  async close(): Promise<void> {
    this.#closed = true;
    (await this.#lock.acquire())(); // wait for the commands already queued
  }

  /** `await using card = await VirtualMyNumberCard.create()`: {@link close} at the end of the scope. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #powerOn(): void {
    this.#fs.powerOn();
    this.#context.pending = undefined;
    this.#cardAps.reset();
  }

  async #exchange(command: Uint8Array): Promise<Uint8Array> {
    if (this.#closed) throw new TransportError('The virtual card was closed', { code: 'transport-closed' });
    if (!this.#present) throw new CardRemovedError();
    if (this.#latencyMs > 0) {
      await sleep(this.#latencyMs);
      if (!this.#present) throw new CardRemovedError();
    }
    const index = this.#commandCount++;
    if (this.#removalCountdown === 0) {
      this.#removalCountdown = undefined;
      this.remove();
      this.#log.push({ ...this.#logCommand(index, command), response: EMPTY, error: 'card-removed' });
      throw new CardRemovedError();
    }
    if (this.#removalCountdown !== undefined) this.#removalCountdown--;
    const result = this.#process(command);
    const response = withSw(result.data, result.sw);
    const dfName = this.#fs.currentDf?.name;
    this.#log.push({
      ...this.#logCommand(index, command),
      response: result.sensitive === true && result.data.length > 0 ? withSw(EMPTY, result.sw) : response.slice(),
      ...(result.sensitive === true && result.data.length > 0 ? { responseRedacted: true } : {}),
      ...(dfName === undefined ? {} : { dfName }),
    });
    return response;
  }

  #logCommand(index: number, command: Uint8Array): Omit<CardLogEntry, 'response'> {
    const ins = command.length >= 2 ? command[1]! : -1;
    const secret = SECRET_INS.has(ins) && command.length > 4;
    return {
      index,
      ins,
      command: secret ? command.slice(0, 4) : command.slice(),
      ...(secret ? { commandRedacted: true } : {}),
      ...(ins === INS.verify && command.length > 4 ? { verifyWithData: true } : {}),
    };
  }

  /** Decode, check class and length rules, dispatch, and apply 61xx chaining. */
  #process(bytes: Uint8Array): HandlerResult {
    const context = this.#context;
    const ins = bytes[1];
    // Any command but GET RESPONSE discards data left for GET RESPONSE.
    if (ins !== INS.getResponse) context.pending = undefined;
    this.#cardAps.beforeCommand(ins);
    let command: CommandApdu;
    try {
      command = CommandApdu.parse(bytes);
    } catch (error) {
      if (error instanceof ApduFormatError) return { data: EMPTY, sw: SW.wrongLength };
      throw error;
    }
    const classError = checkClass(command);
    if (classError !== undefined) return { data: EMPTY, sw: classError };
    // Extended length refused by this card/reader combination: 6700. card-facts §8
    if (command.isExtended && !this.#extendedLength) return { data: EMPTY, sw: SW.wrongLength };
    const handler = this.#cardAps.handlerFor(command.ins) ?? HANDLERS.get(command.ins);
    if (handler === undefined) return { data: EMPTY, sw: SW.insNotSupported }; // [U]
    const proprietary = (command.cla & 0x80) !== 0;
    if (proprietary !== PROPRIETARY_INS.has(command.ins)) return { data: EMPTY, sw: SW.claNotSupported }; // [U]
    const result = handler(command, context);
    if (context.quirks.getResponse && command.ins !== INS.getResponse && result.data.length > 0) {
      context.pending = { data: result.data, sw: result.sw, sensitive: result.sensitive === true };
      return { data: EMPTY, sw: SW.bytesRemaining | (result.data.length > 0xff ? 0 : result.data.length) };
    }
    return result;
  }
}

/**
 * CLA rules. card-facts §1.1 / §4 "Unsupported" [S]: a logical channel other than 0 → 6881;
 * secure messaging (CLA 08 / 0C) → 6882 on SELECT, 69FC otherwise. Classes other than
 * 0X / 8X (first interindustry and its proprietary twin) → 6881 for the further interindustry
 * channels 4–19 (40–7F) and 6E00 for the rest [U].
 */
function checkClass(command: CommandApdu): number | undefined {
  const cla = command.cla;
  if (cla >= 0x40 && cla <= 0x7f) return SW.channelNotSupported;
  if ((cla & 0x70) !== 0 || cla === 0xff) return SW.claNotSupported;
  if ((cla & 0x03) !== 0) return SW.channelNotSupported;
  if ((cla & 0x0c) !== 0) return command.ins === INS.select ? SW.smNotSupported : SW.smNotSupportedData;
  return undefined;
}
