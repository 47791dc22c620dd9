/**
 * `WebUsbCcidTransport`: a {@link Transport} that speaks the USB CCID class protocol (USB CCID
 * rev 1.1) itself over a WebUSB `USBDevice` — for browsers, kiosks and Node without pcscd.
 * @packageDocumentation
 */
import { ExtendedLengthUnsupportedError } from '../apdu/errors.js';
import { isSecretCommand } from '../apdu/trace.js';
import { concatBytes } from '../bytes.js';
import {
  AbortedError,
  CardRemovedError,
  InvalidArgumentError,
  MynacardError,
  ReaderUnavailableError,
  TransportError,
} from '../errors.js';
import type { Transport } from '../transport/transport.js';
import { activeFindexDindex, defaultProtocol, parseAtr, type AtrInfo } from './atr.js';
import {
  CCID_FEATURE,
  CCID_PROTOCOL,
  CCID_VOLTAGE,
  DESCRIPTOR_TYPE,
  exchangeLevelOf,
  findCcidInterface,
  parseConfigurationDescriptor,
  type CcidClassDescriptor,
  type CcidExchangeLevel,
  type CcidInterface,
} from './descriptor.js';
import { CCID_ERROR, CcidError, COMMAND_STATUS, ICC_STATUS, ccidFailure } from './errors.js';
import { CcidLink } from './link.js';
import {
  CCID_HEADER_LENGTH,
  CHAIN_PARAMETER,
  LEVEL_PARAMETER,
  POWER_SELECT,
  decodeNotification,
  decodeProtocolParameters,
  getParameters,
  getSlotStatus,
  iccPowerOff,
  iccPowerOn,
  setParameters,
  xfrBlock,
  type CcidResponse,
  type ProtocolParameters,
} from './messages.js';
import { T1_MAX_INF, T1Protocol, type T1Step } from './t1.js';
import type { UsbDeviceLike } from './usb-types.js';

/** USB standard request GET_DESCRIPTOR. USB 2.0 §9.4.3 */
const GET_DESCRIPTOR = 0x06;
/** Length of the configuration descriptor header (holds wTotalLength). USB 2.0 §9.6.3 */
const CONFIGURATION_HEADER_LENGTH = 9;
/** Default bound on one wait for the reader. */
const DEFAULT_RESPONSE_TIMEOUT_MS = 20_000;
/** T=1 block overhead: NAD, PCB, LEN, LRC. ISO/IEC 7816-3 §11.3.1 */
const T1_OVERHEAD = 4;
/** Largest short command APDU: header, Lc, 255 bytes, Le. ISO/IEC 7816-4 §5.1 */
const MAX_SHORT_COMMAND = 261;
/** Largest short response: 256 bytes and SW1 SW2. */
const MAX_SHORT_RESPONSE = 258;
/** Largest extended response: 65536 bytes and SW1 SW2. */
const MAX_EXTENDED_RESPONSE = 65538;
/** Bound on wLevelParameter response parts (64 KiB in the smallest sensible parts). */
const MAX_RESPONSE_PARTS = 4096;

/** Card supply voltage for PC_to_RDR_IccPowerOn. */
export type CcidVoltage = 'auto' | '5V' | '3V' | '1.8V';

/** Options of {@link WebUsbCcidTransport.open}. Every member is optional. */
export interface WebUsbCcidOptions {
  /** Slot (bSlot) of a multi-slot reader. Default 0. */
  readonly slot?: number | undefined;
  /**
   * Aborts opening and, later, any wait for the reader. WebUSB transfers cannot be cancelled,
   * so an aborted or timed-out exchange leaves the transport broken until {@link
   * WebUsbCcidTransport.reconnect}.
   */
  readonly signal?: AbortSignal | undefined;
  /**
   * Longest wait for one answer of the reader, in ms (each time extension restarts it).
   * Default 20000; `Infinity` waits forever.
   */
  readonly responseTimeoutMs?: number | undefined;
  /**
   * Card voltage. Default: the reader's automatic selection when dwFeatures offers it, else
   * each voltage of bVoltageSupport from the lowest up (ISO/IEC 7816-3 §6.2.4 class selection).
   */
  readonly voltage?: CcidVoltage | undefined;
  /** T=1 IFSD to negotiate at TPDU level (default 254, capped by dwMaxIFSD and the message size). */
  readonly ifsd?: number | undefined;
  /** T=1 retries of a bad block before giving up (default 3). */
  readonly t1Retries?: number | undefined;
  /** Called when the interrupt pipe reports the card inserted (`true`) or removed (`false`). */
  readonly onSlotChange?: ((present: boolean) => void) | undefined;
  /** Close the `USBDevice` in {@link WebUsbCcidTransport.close}. Default: only when `open` opened it. */
  readonly closeDevice?: boolean | undefined;
}

/** Per-call options of {@link WebUsbCcidTransport.transmit}. */
export interface WebUsbTransmitOptions {
  /** Abort the wait for this answer (the transport is then broken until `reconnect`). */
  readonly signal?: AbortSignal | undefined;
}

/** T=1 information field sizes in use. */
export interface T1Sizes {
  /** The card's IFSC (largest INF the card accepts). */
  readonly ifsc: number;
  /** The IFSD (largest INF the card may send), as negotiated. */
  readonly ifsd: number;
}

/** Link protocol to the card at TPDU level. */
export type CcidCardProtocol = 'T=0' | 'T=1';

const POWER_SELECTS: Readonly<Record<Exclude<CcidVoltage, 'auto'>, number>> = {
  '5V': POWER_SELECT.v5,
  '3V': POWER_SELECT.v3,
  '1.8V': POWER_SELECT.v1_8,
};

/** Errors after which another voltage class is worth a try. ISO/IEC 7816-3 §6.2.4 */
const VOLTAGE_RETRY_CODES: ReadonlySet<string> = new Set([
  'ccid-icc-mute',
  'ccid-class-not-supported',
  'ccid-bad-atr',
  'ccid-transfer-error',
]);

function isExtendedApdu(apdu: Uint8Array): boolean {
  // ISO/IEC 7816-4 §5.1: after the header, a 00 byte followed by more bytes marks extended length.
  return apdu.length >= 7 && apdu[4] === 0x00;
}

/**
 * A USB CCID smart-card reader driven over WebUSB.
 *
 * ```ts
 * import { MyNumberCard } from 'mynacard';
 * import { WebUsbCcidTransport, requestReader } from 'mynacard/webusb';
 *
 * const device = await requestReader();               // browser: user picks the reader
 * const transport = await WebUsbCcidTransport.open(device);
 * await using card = await MyNumberCard.connect(transport, { closeTransport: true });
 * ```
 *
 * Exchange levels: short and extended APDU readers get the APDU as it is (extended APDUs longer
 * than dwMaxCCIDMessageLength are split with wLevelParameter, responses reassembled from
 * bChainParameter parts); TPDU readers get T=1 blocks (or T=0 TPDUs for a T=0 card) built here.
 * Character-level readers are refused.
 */
export class WebUsbCcidTransport implements Transport {
  /** The USB device. */
  readonly device: UsbDeviceLike;
  /** The reader's CCID class descriptor. */
  readonly descriptor: CcidClassDescriptor;
  /** How the reader exchanges data with the card (from dwFeatures). */
  readonly exchangeLevel: CcidExchangeLevel;
  /** The slot in use. */
  readonly slot: number;
  /** USB interface number of the CCID interface. */
  readonly interfaceNumber: number;
  /**
   * Capability hint for `ApduChannel`: `true` at extended APDU level, `false` at short APDU
   * level and for a T=0 card at TPDU level; absent for T=1 at TPDU level (the reader chains
   * anything; whether the card accepts extended length is probed).
   */
  declare readonly extendedLength?: boolean;

  readonly #link: CcidLink;
  readonly #options: WebUsbCcidOptions;
  readonly #ccid: CcidInterface;
  readonly #closeDevice: boolean;
  #atr: Uint8Array = new Uint8Array(0);
  #protocol: CcidCardProtocol | undefined;
  #t1: T1Protocol | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  /** The card left (interrupt pipe or a reader answer) since the last power-on. */
  #removed = false;
  #cardPresent = true;
  #timeExtensions = 0;

  private constructor(
    device: UsbDeviceLike,
    ccid: CcidInterface,
    options: WebUsbCcidOptions,
    slot: number,
    closeDevice: boolean,
  ) {
    this.device = device;
    this.#ccid = ccid;
    this.descriptor = ccid.descriptor;
    this.exchangeLevel = exchangeLevelOf(ccid.descriptor.features);
    this.slot = slot;
    this.interfaceNumber = ccid.interface.interfaceNumber;
    this.#options = options;
    this.#closeDevice = closeDevice;
    const timeout = options.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS;
    this.#link = new CcidLink({
      device,
      interfaceNumber: this.interfaceNumber,
      bulkIn: ccid.bulkIn,
      bulkOut: ccid.bulkOut,
      slot,
      maxMessageLength: ccid.descriptor.maxMessageLength,
      responseTimeoutMs: timeout,
      signal: options.signal,
      onTimeExtension: () => {
        this.#timeExtensions++;
      },
    });
  }

  /**
   * Open the reader: read and parse the configuration descriptor (GET_DESCRIPTOR), select the
   * configuration and claim the CCID interface, check the slot, power the card on (IccPowerOn →
   * ATR), and at TPDU level set the protocol parameters and negotiate the T=1 IFSD.
   *
   * @throws InvalidArgumentError for bad options; CcidError (`ccid-not-a-reader`,
   *   `ccid-unsupported-reader`, reader failures); CardRemovedError when no card is in the slot;
   *   TimeoutError / AbortedError; ReaderUnavailableError when the device vanishes
   */
  static async open(device: UsbDeviceLike, options: WebUsbCcidOptions = {}): Promise<WebUsbCcidTransport> {
    if (typeof device !== 'object' || device === null || typeof device.transferIn !== 'function') {
      throw new InvalidArgumentError('WebUsbCcidTransport.open expects a WebUSB USBDevice');
    }
    const slot = options.slot ?? 0;
    if (!Number.isInteger(slot) || slot < 0 || slot > 0xff) throw new InvalidArgumentError('slot must be an integer 0–255');
    const timeout = options.responseTimeoutMs ?? DEFAULT_RESPONSE_TIMEOUT_MS;
    if (!(timeout > 0)) throw new InvalidArgumentError('responseTimeoutMs must be positive');
    if (options.voltage !== undefined && options.voltage !== 'auto' && !(options.voltage in POWER_SELECTS)) {
      throw new InvalidArgumentError("voltage must be 'auto', '5V', '3V' or '1.8V'");
    }
    if (options.signal?.aborted === true) throw new AbortedError();
    let openedHere = false;
    if (!device.opened) {
      await usbStep(device.open(), 'open the USB device');
      openedHere = true;
    }
    let claimed: number | undefined;
    try {
      const { configurationValue, ccid } = await findReaderInterface(device);
      if (device.configuration?.configurationValue !== configurationValue) {
        await usbStep(device.selectConfiguration(configurationValue), 'select the USB configuration');
      }
      await usbStep(device.claimInterface(ccid.interface.interfaceNumber), 'claim the CCID interface');
      claimed = ccid.interface.interfaceNumber;
      if (ccid.interface.alternateSetting !== 0) {
        await usbStep(
          device.selectAlternateInterface(ccid.interface.interfaceNumber, ccid.interface.alternateSetting),
          'select the CCID alternate setting',
        );
      }
      if (slot > ccid.descriptor.maxSlotIndex) {
        throw new InvalidArgumentError(`The reader has slots 0–${ccid.descriptor.maxSlotIndex}; slot ${slot} does not exist`);
      }
      if (exchangeLevelOf(ccid.descriptor.features) === 'character') {
        throw new CcidError('ccid-unsupported-reader', 'Character-level CCID readers are not supported (TPDU or APDU level needed)');
      }
      const transport = new WebUsbCcidTransport(device, ccid, options, slot, options.closeDevice ?? openedHere);
      transport.#listen();
      try {
        await transport.#start();
      } catch (error) {
        transport.#closed = true;
        throw error;
      }
      return transport;
    } catch (error) {
      if (claimed !== undefined) await device.releaseInterface(claimed).catch(() => undefined);
      if (openedHere) await device.close().catch(() => undefined);
      throw error;
    }
  }

  /**
   * Largest response one `transmit` can carry (data + SW): 258 at short APDU level and for a T=0
   * card, 65538 otherwise.
   */
  get maxResponseLength(): number {
    return this.exchangeLevel === 'short-apdu' || this.#protocol === 'T=0' ? MAX_SHORT_RESPONSE : MAX_EXTENDED_RESPONSE;
  }

  /** The card's Answer-to-Reset from the last power-on (a copy). Never identify the card by it. */
  get atr(): Uint8Array {
    return this.#atr.slice();
  }

  /** T=0 or T=1 at TPDU level; undefined at APDU level (the reader handles the protocol). */
  get protocol(): CcidCardProtocol | undefined {
    return this.#protocol;
  }

  /** The negotiated T=1 information field sizes (TPDU level, T=1 only). */
  get t1(): T1Sizes | undefined {
    const t1 = this.#t1;
    return t1 === undefined ? undefined : { ifsc: t1.ifsc, ifsd: t1.ifsd };
  }

  /** Whether the last news of the slot says a card is in it. */
  get cardPresent(): boolean {
    return this.#cardPresent;
  }

  /** Time extensions the reader announced so far (diagnostics). */
  get timeExtensions(): number {
    return this.#timeExtensions;
  }

  /** Set after a timeout or abort: transmit rejects until {@link reconnect}. */
  get broken(): boolean {
    return this.#link.broken !== undefined;
  }

  /** Whether {@link close} has run. */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Send one command APDU; resolves to `data ‖ SW1 SW2`. Calls are answered one at a time, in
   * call order.
   *
   * @throws CardRemovedError when the card was (or gets) removed; ExtendedLengthUnsupportedError
   *   for an extended APDU on a short-APDU reader or a T=0 card; CcidError; TimeoutError /
   *   AbortedError (the transport is then broken); TransportError after close or when broken
   */
  transmit(command: Uint8Array, options: WebUsbTransmitOptions = {}): Promise<Uint8Array> {
    if (!(command instanceof Uint8Array)) return Promise.reject(new InvalidArgumentError('transmit expects a Uint8Array'));
    if (command.length < 4) return Promise.reject(new InvalidArgumentError('A command APDU has at least 4 bytes'));
    const copy = command.slice();
    const sent = this.#enqueue(() => this.#transmitNow(copy, options.signal));
    // Our copy of a PIN-bearing command must not outlive the exchange.
    return isSecretCommand(copy) ? sent.finally(() => copy.fill(0)) : sent;
  }

  /**
   * Power the card on again (after a removal and re-insertion, or to recover a broken
   * transport: runs the CCID abort procedure first). Resolves to the new ATR.
   * @throws CardRemovedError when the slot is empty
   */
  reconnect(options: WebUsbTransmitOptions = {}): Promise<Uint8Array> {
    return this.#enqueue(async () => {
      this.#assertOpen();
      if (this.#link.broken !== undefined) await this.#link.recover();
      await this.#link.exchange((seq) => iccPowerOff(this.slot, seq), { allowFailure: true, signal: options.signal });
      await this.#powerUp(options.signal);
      return this.atr;
    });
  }

  /** Ask the reader about the slot (PC_to_RDR_GetSlotStatus). */
  slotStatus(options: WebUsbTransmitOptions = {}): Promise<'active' | 'inactive' | 'absent'> {
    return this.#enqueue(async () => {
      this.#assertOpen();
      const answer = await this.#link.exchange((seq) => getSlotStatus(this.slot, seq), {
        allowFailure: true,
        signal: options.signal,
      });
      const status = iccStatusName(answer.iccStatus);
      if (status === 'absent') this.#markRemoved();
      return status;
    });
  }

  /**
   * Power the card off (IccPowerOff), release the interface and, when `open` opened it (or
   * `closeDevice`), close the device. Idempotent; never throws for a reader already gone.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    const pending = this.#queue;
    this.#closed = true;
    await pending.catch(() => undefined);
    if (this.#link.broken === undefined && !this.#removed) {
      await this.#link.exchange((seq) => iccPowerOff(this.slot, seq), { allowFailure: true }).catch(() => undefined);
    }
    await this.device.releaseInterface(this.interfaceNumber).catch(() => undefined);
    if (this.#closeDevice) await this.device.close().catch(() => undefined);
  }

  /** `await using transport = await WebUsbCcidTransport.open(device)` closes it. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch(() => undefined);
    return run;
  }

  #assertOpen(): void {
    if (this.#closed) throw new TransportError('The WebUSB CCID transport is closed', { code: 'transport-closed' });
  }

  /** First contact: slot status, power-on, protocol set-up. */
  async #start(): Promise<void> {
    const status = await this.#link.exchange((seq) => getSlotStatus(this.slot, seq), { allowFailure: true });
    if (status.iccStatus === ICC_STATUS.absent) {
      this.#cardPresent = false;
      throw new CardRemovedError('No card in the reader');
    }
    await this.#powerUp(undefined);
  }

  /** IccPowerOn with voltage selection, then the TPDU-level set-up. */
  async #powerUp(signal: AbortSignal | undefined): Promise<void> {
    this.#t1 = undefined;
    this.#protocol = undefined;
    const atr = await this.#powerOn(signal);
    this.#atr = atr;
    this.#removed = false;
    this.#cardPresent = true;
    if (this.exchangeLevel === 'tpdu') {
      await this.#configureTpdu(signal);
    } else {
      // The reader runs the protocol: the hint follows the exchange level. CCID §5.1 dwFeatures
      this.#setExtendedHint(this.exchangeLevel === 'extended-apdu');
    }
  }

  #setExtendedHint(value: boolean | undefined): void {
    if (value === undefined) {
      delete (this as { extendedLength?: boolean }).extendedLength;
    } else {
      Object.defineProperty(this, 'extendedLength', { value, enumerable: true, configurable: true, writable: false });
    }
  }

  async #powerOn(signal: AbortSignal | undefined): Promise<Uint8Array> {
    let last: MynacardError | undefined;
    const selects = this.#powerSelects();
    for (let i = 0; i < selects.length; i++) {
      const answer = await this.#link.exchange((seq) => iccPowerOn(this.slot, seq, selects[i]!), {
        allowFailure: true,
        signal,
      });
      if (answer.commandStatus === COMMAND_STATUS.ok && answer.data.length >= 2) return answer.data;
      if (answer.iccStatus === ICC_STATUS.absent) {
        this.#markRemoved();
        throw new CardRemovedError('No card in the reader');
      }
      last =
        answer.commandStatus === COMMAND_STATUS.ok
          ? new CcidError('ccid-bad-atr', 'The reader returned an empty ATR')
          : ccidFailure(answer.status, answer.error, 0x62);
      if (!(last instanceof CcidError) || !VOLTAGE_RETRY_CODES.has(last.code)) throw last;
      // Deactivate before trying the next class. ISO/IEC 7816-3 §6.2.4
      await this.#link.exchange((seq) => iccPowerOff(this.slot, seq), { allowFailure: true, signal });
    }
    throw last ?? new CcidError('ccid-error', 'The card could not be powered on');
  }

  /** bPowerSelect values to try, in order. */
  #powerSelects(): number[] {
    const voltage = this.#options.voltage;
    if (voltage !== undefined && voltage !== 'auto') return [POWER_SELECTS[voltage]];
    const support = this.descriptor.voltageSupport;
    if (voltage === 'auto' || (this.descriptor.features & CCID_FEATURE.autoVoltage) !== 0 || support === 0) {
      return [POWER_SELECT.auto];
    }
    const order: number[] = [];
    if ((support & CCID_VOLTAGE.v1_8) !== 0) order.push(POWER_SELECT.v1_8);
    if ((support & CCID_VOLTAGE.v3) !== 0) order.push(POWER_SELECT.v3);
    if ((support & CCID_VOLTAGE.v5) !== 0) order.push(POWER_SELECT.v5);
    return order;
  }

  /**
   * TPDU level: pick the protocol the card runs after the ATR (no PPS is sent: in negotiable
   * mode the first offered protocol at Fd/Dd applies, ISO/IEC 7816-3 §6.3.1), hand the
   * parameters to the reader unless it configures itself, and negotiate the T=1 IFSD unless
   * the reader does (dwFeatures 400h).
   */
  async #configureTpdu(signal: AbortSignal | undefined): Promise<void> {
    const info = parseAtr(this.#atr);
    const features = this.descriptor.features;
    const selfConfiguring =
      (features & (CCID_FEATURE.autoParametersFromAtr | CCID_FEATURE.autoParameterNegotiation | CCID_FEATURE.autoPps)) !== 0;
    let protocol = defaultProtocol(info);
    let ifsc = info.ifsc;
    if (selfConfiguring) {
      const current = await this.#readParameters(signal);
      if (current !== undefined) {
        protocol = current.protocol;
        if (current.protocol === 1 && current.ifsc >= 1 && current.ifsc <= T1_MAX_INF) ifsc = current.ifsc;
      }
    }
    if (protocol !== 0 && protocol !== 1) {
      throw new CcidError('ccid-protocol-not-supported', `The card runs T=${protocol}; only T=0 and T=1 are supported`);
    }
    if ((this.descriptor.protocols & (protocol === 1 ? CCID_PROTOCOL.t1 : CCID_PROTOCOL.t0)) === 0) {
      throw new CcidError('ccid-protocol-not-supported', `The reader does not support T=${protocol}, which the card runs`);
    }
    if (protocol === 1 && info.crc) {
      throw new CcidError('t1-protocol', 'The card asks for CRC error detection; only LRC is implemented');
    }
    if (!selfConfiguring) await this.#writeParameters(this.#parametersFor(protocol, info), signal);
    if (protocol === 0) {
      this.#protocol = 'T=0';
      this.#setExtendedHint(false);
      return;
    }
    this.#protocol = 'T=1';
    this.#setExtendedHint(undefined);
    const linkInf = this.descriptor.maxMessageLength - CCID_HEADER_LENGTH - T1_OVERHEAD;
    if (linkInf < 1) throw new CcidError('ccid-unsupported-reader', 'dwMaxCCIDMessageLength is too small for T=1 blocks');
    const readerIfsd = this.descriptor.maxIfsd > 0 ? this.descriptor.maxIfsd : T1_MAX_INF;
    const ifsd = Math.max(1, Math.min(this.#options.ifsd ?? T1_MAX_INF, T1_MAX_INF, readerIfsd, linkInf));
    const t1 = new T1Protocol({
      ifsc,
      ifsd,
      maxSendInf: Math.min(T1_MAX_INF, linkInf),
      maxRetries: this.#options.t1Retries,
    });
    this.#t1 = t1;
    if ((features & CCID_FEATURE.autoIfsd) === 0) {
      try {
        await this.#runT1(t1, t1.negotiateIfsd(), signal);
      } catch (error) {
        // A card that mishandles S(IFS) keeps IFSD 32 (ISO/IEC 7816-3 §11.4.2); S-blocks do not
        // touch the sequence numbers, so the link stays in step.
        if (!(error instanceof CcidError && error.code === 't1-protocol')) throw error;
        t1.reset(ifsc);
      }
    }
  }

  #parametersFor(protocol: 0 | 1, info: AtrInfo): ProtocolParameters {
    const findexDindex = activeFindexDindex(info);
    const guardTime = info.tc1 ?? 0;
    if (protocol === 0) {
      return {
        protocol: 0,
        findexDindex,
        inverseConvention: info.convention === 'inverse',
        guardTime,
        waitingInteger: info.waitingInteger,
        clockStop: 0,
      };
    }
    return {
      protocol: 1,
      findexDindex,
      crc: info.crc,
      inverseConvention: info.convention === 'inverse',
      guardTime,
      bwi: info.bwi,
      cwi: info.cwi,
      clockStop: 0,
      ifsc: info.ifsc,
      nad: 0,
    };
  }

  /** GetParameters; undefined when the reader does not implement it. */
  async #readParameters(signal: AbortSignal | undefined): Promise<ProtocolParameters | undefined> {
    const answer = await this.#link.exchange((seq) => getParameters(this.slot, seq), { allowFailure: true, signal });
    if (answer.commandStatus !== COMMAND_STATUS.ok) {
      if (answer.error === CCID_ERROR.commandNotSupported && answer.iccStatus !== ICC_STATUS.absent) return undefined;
      throw ccidFailure(answer.status, answer.error, 0x6c);
    }
    try {
      return decodeProtocolParameters(answer.specific, answer.data);
    } catch {
      return undefined;
    }
  }

  /** SetParameters; a reader that does not implement it is assumed to configure itself. */
  async #writeParameters(parameters: ProtocolParameters, signal: AbortSignal | undefined): Promise<void> {
    const answer = await this.#link.exchange((seq) => setParameters(this.slot, seq, parameters), {
      allowFailure: true,
      signal,
    });
    if (answer.commandStatus === COMMAND_STATUS.ok) return;
    if (answer.error === CCID_ERROR.commandNotSupported && answer.iccStatus !== ICC_STATUS.absent) return;
    throw ccidFailure(answer.status, answer.error, 0x61);
  }

  async #transmitNow(apdu: Uint8Array, signal: AbortSignal | undefined): Promise<Uint8Array> {
    this.#assertOpen();
    const broken = this.#link.broken;
    if (broken !== undefined) {
      throw new TransportError('The WebUSB CCID transport is broken after a timeout or abort; call reconnect()', {
        code: 'transport-broken',
        cause: broken,
      });
    }
    if (this.#removed) throw new CardRemovedError();
    try {
      if (this.exchangeLevel !== 'tpdu') return await this.#transmitApdu(apdu, signal);
      const t1 = this.#t1;
      if (t1 !== undefined) return await this.#transmitT1(t1, apdu, signal);
      return await this.#transmitT0(apdu, signal);
    } catch (error) {
      if (error instanceof CardRemovedError) this.#markRemoved();
      throw error;
    }
  }

  /** One XfrBlock whose answer comes from the card: removal-aware, absent/inactive → CardRemovedError. */
  async #xfr(
    data: Uint8Array,
    signal: AbortSignal | undefined,
    bwi = 0,
    level: number = LEVEL_PARAMETER.single,
  ): Promise<CcidResponse> {
    let message: Uint8Array | undefined;
    let answer: CcidResponse;
    try {
      answer = await this.#link.exchange((seq) => (message = xfrBlock(this.slot, seq, data, bwi, level)), {
        allowFailure: true,
        removable: true,
        signal,
      });
    } finally {
      // The XfrBlock holds a copy of the command (or of a T=1 block of it): wipe it once sent.
      message?.fill(0);
    }
    if (answer.commandStatus !== COMMAND_STATUS.ok) {
      if (answer.iccStatus === ICC_STATUS.absent) throw new CardRemovedError();
      if (answer.iccStatus === ICC_STATUS.inactive) {
        throw new CardRemovedError('The card was reset or replaced (the slot is no longer powered)');
      }
    }
    return answer;
  }

  /** APDU level, with wLevelParameter chaining at extended APDU level. CCID §6.1.4, §6.2.1 */
  async #transmitApdu(apdu: Uint8Array, signal: AbortSignal | undefined): Promise<Uint8Array> {
    if (this.exchangeLevel === 'short-apdu' && (isExtendedApdu(apdu) || apdu.length > MAX_SHORT_COMMAND)) {
      throw new ExtendedLengthUnsupportedError('This reader works at short APDU level: extended-length APDUs cannot be sent');
    }
    const partSize = this.descriptor.maxMessageLength - CCID_HEADER_LENGTH;
    let answer: CcidResponse;
    if (apdu.length <= partSize) {
      answer = await this.#xfr(apdu, signal);
    } else if (this.exchangeLevel === 'extended-apdu' && partSize > 0) {
      answer = await this.#sendChained(apdu, partSize, signal);
    } else {
      throw new CcidError(
        'ccid-message-too-long',
        `The ${apdu.length}-byte command does not fit the reader's dwMaxCCIDMessageLength ${this.descriptor.maxMessageLength}`,
      );
    }
    if (answer.commandStatus !== COMMAND_STATUS.ok) throw ccidFailure(answer.status, answer.error, 0x6f);
    return this.#receiveChained(answer, signal);
  }

  async #sendChained(apdu: Uint8Array, partSize: number, signal: AbortSignal | undefined): Promise<CcidResponse> {
    for (let offset = 0; ; offset += partSize) {
      const end = offset + partSize >= apdu.length;
      const level = offset === 0 ? LEVEL_PARAMETER.begin : end ? LEVEL_PARAMETER.end : LEVEL_PARAMETER.middle;
      const answer = await this.#xfr(apdu.subarray(offset, offset + partSize), signal, 0, level);
      if (end || answer.commandStatus !== COMMAND_STATUS.ok) return answer;
      if (answer.specific !== CHAIN_PARAMETER.continueCommand) {
        throw new CcidError('ccid-protocol', 'The reader did not ask for the next part of a chained command (bChainParameter 10h)');
      }
    }
  }

  async #receiveChained(first: CcidResponse, signal: AbortSignal | undefined): Promise<Uint8Array> {
    let answer = first;
    if (answer.specific !== CHAIN_PARAMETER.begin || this.exchangeLevel !== 'extended-apdu') return answer.data;
    const parts: Uint8Array[] = [answer.data];
    let total = answer.data.length;
    for (let i = 0; i < MAX_RESPONSE_PARTS; i++) {
      answer = await this.#xfr(new Uint8Array(0), signal, 0, LEVEL_PARAMETER.continueResponse);
      if (answer.commandStatus !== COMMAND_STATUS.ok) throw ccidFailure(answer.status, answer.error, 0x6f);
      parts.push(answer.data);
      total += answer.data.length;
      if (total > MAX_EXTENDED_RESPONSE) throw new CcidError('ccid-protocol', 'Chained response longer than 65538 bytes');
      if (answer.specific === CHAIN_PARAMETER.end) return concatBytes(...parts);
      if (answer.specific !== CHAIN_PARAMETER.middle) {
        throw new CcidError('ccid-protocol', `Unexpected bChainParameter ${answer.specific} in a chained response`);
      }
    }
    throw new CcidError('ccid-protocol', 'Chained response never ended');
  }

  async #transmitT1(t1: T1Protocol, apdu: Uint8Array, signal: AbortSignal | undefined): Promise<Uint8Array> {
    if (t1.needsResynch) {
      await this.#runT1(t1, t1.resynch(), signal);
      if ((this.descriptor.features & CCID_FEATURE.autoIfsd) === 0) {
        try {
          await this.#runT1(t1, t1.negotiateIfsd(), signal);
        } catch (error) {
          if (!(error instanceof CcidError && error.code === 't1-protocol')) throw error;
        }
      }
    }
    return this.#runT1(t1, t1.transmit(apdu), signal);
  }

  /** Drive the T=1 state machine over XfrBlock until it is done. */
  async #runT1(t1: T1Protocol, first: T1Step, signal: AbortSignal | undefined): Promise<Uint8Array> {
    let step = first;
    try {
      while (step.type === 'send') {
        const answer = await this.#xfr(step.block, signal, step.bwi);
        if (answer.commandStatus === COMMAND_STATUS.ok) {
          step = t1.receive(answer.data);
        } else if (answer.error === CCID_ERROR.iccMute) {
          step = t1.receiveError('other'); // no block within BWT. ISO/IEC 7816-3 §11.6.3.2
        } else if (answer.error === CCID_ERROR.parityError || answer.error === CCID_ERROR.overrun) {
          step = t1.receiveError('edc');
        } else {
          throw ccidFailure(answer.status, answer.error, 0x6f);
        }
      }
      return step.response;
    } catch (error) {
      t1.abandon();
      throw error;
    }
  }

  /**
   * T=0 at TPDU level: the reader handles procedure bytes; the host sends TPDUs. Case 1 gets
   * P3 = 00, case 4 loses its Le (the card answers 61xx and ApduChannel fetches the data with
   * GET RESPONSE). ISO/IEC 7816-3 §12.2
   */
  async #transmitT0(apdu: Uint8Array, signal: AbortSignal | undefined): Promise<Uint8Array> {
    const tpdu = t0Tpdu(apdu);
    const answer = await this.#xfr(tpdu, signal);
    if (answer.commandStatus !== COMMAND_STATUS.ok) throw ccidFailure(answer.status, answer.error, 0x6f);
    return answer.data;
  }

  #markRemoved(): void {
    this.#removed = true;
    this.#cardPresent = false;
    this.#t1?.abandon();
  }

  /** Watch the interrupt pipe for slot changes until the interface is released. CCID §6.3 */
  #listen(): void {
    const endpoint = this.#ccid.interrupt;
    if (endpoint === undefined) return;
    const length = Math.max(endpoint.packetSize, 8);
    void (async () => {
      while (!this.#closed) {
        let bytes: Uint8Array;
        try {
          const result = await this.device.transferIn(endpoint.number, length);
          if (result.status === 'stall') {
            await this.device.clearHalt('in', endpoint.number);
            continue;
          }
          const view = result.data;
          bytes =
            view === undefined || view === null
              ? new Uint8Array(0)
              : new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
        } catch {
          return; // interface released, device closed or gone
        }
        if (this.#closed) return;
        if (bytes.length > 0) this.#onInterrupt(bytes);
      }
    })();
  }

  #onInterrupt(bytes: Uint8Array): void {
    let notification;
    try {
      notification = decodeNotification(bytes, this.descriptor.maxSlotIndex);
    } catch {
      return; // an unknown interrupt message is not ours to act on
    }
    if (notification.type === 'hardware-error') {
      if (notification.slot === this.slot) {
        this.#link.interruptRemovable(
          new CcidError('ccid-hardware-error', `The reader reports a hardware error (code ${notification.code})`, {
            bError: notification.code,
          }),
        );
      }
      return;
    }
    const slot = notification.slots[this.slot];
    if (slot === undefined || !slot.changed) return;
    if (!slot.present) {
      // "changed + absent": the card left; the session on it is over. CCID §6.3.1
      this.#markRemoved();
      this.#link.interruptRemovable(new CardRemovedError());
    } else {
      this.#cardPresent = true;
    }
    const hook = this.#options.onSlotChange;
    if (hook !== undefined) {
      try {
        hook(slot.present);
      } catch {
        // A listener's exception must not stop the interrupt pipe.
      }
    }
  }
}

/**
 * Await one USB set-up step; a WebUSB DOMException becomes a `MynacardError`. A SecurityError
 * on a CCID interface is Chromium's protected-class rule (see the README's WebUSB section).
 */
async function usbStep<T>(promise: Promise<T>, what: string): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof MynacardError) throw error;
    const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
    if (name === 'SecurityError') {
      throw new ReaderUnavailableError(
        `Could not ${what}: the browser protects the smart-card interface class (0Bh) from web pages ` +
          '(usable from Node with "usb", Electron, or an Isolated Web App with usb-unrestricted)',
        { cause: error },
      );
    }
    if (name === 'NotFoundError') throw new ReaderUnavailableError(`Could not ${what}: the device is gone`, { cause: error });
    throw new ReaderUnavailableError(`Could not ${what}${name === '' ? '' : ` (${name})`}`, { cause: error });
  }
}

function iccStatusName(iccStatus: number): 'active' | 'inactive' | 'absent' {
  if (iccStatus === ICC_STATUS.active) return 'active';
  if (iccStatus === ICC_STATUS.inactive) return 'inactive';
  return 'absent';
}

/**
 * The T=0 TPDU for a short command APDU: case 1 → P3 = 00; case 4 → Le dropped.
 * ISO/IEC 7816-3 §12.2.2
 * @throws ExtendedLengthUnsupportedError for an extended APDU (T=0 needs ENVELOPE for those)
 */
export function t0Tpdu(apdu: Uint8Array): Uint8Array {
  if (apdu.length === 4) return concatBytes(apdu, Uint8Array.of(0));
  if (apdu.length === 5) return apdu;
  if (isExtendedApdu(apdu)) {
    throw new ExtendedLengthUnsupportedError('Extended-length APDUs are not supported over T=0 at TPDU level');
  }
  const lc = apdu[4]!;
  if (apdu.length === 5 + lc) return apdu;
  if (apdu.length === 6 + lc) return apdu.subarray(0, 5 + lc);
  throw new InvalidArgumentError('Malformed command APDU (Lc does not match the length)');
}

/** Read the configuration descriptors until one has a CCID interface. */
async function findReaderInterface(
  device: UsbDeviceLike,
): Promise<{ configurationValue: number; ccid: CcidInterface }> {
  const count = Math.max(device.configurations.length, 1);
  const active = device.configuration?.configurationValue;
  let firstError: unknown;
  const found: Array<{ configurationValue: number; ccid: CcidInterface }> = [];
  for (let index = 0; index < count; index++) {
    try {
      const bytes = await readConfigurationDescriptor(device, index);
      const configuration = parseConfigurationDescriptor(bytes);
      found.push({ configurationValue: configuration.configurationValue, ccid: findCcidInterface(configuration) });
    } catch (error) {
      firstError ??= error;
    }
  }
  const chosen = found.find((f) => f.configurationValue === active) ?? found[0];
  if (chosen !== undefined) return chosen;
  if (firstError instanceof MynacardError) throw firstError;
  throw new CcidError('ccid-not-a-reader', 'Could not read the USB configuration descriptor', { cause: firstError });
}

/** GET_DESCRIPTOR(CONFIGURATION, index): the header for wTotalLength, then the whole of it. USB 2.0 §9.4.3 */
async function readConfigurationDescriptor(device: UsbDeviceLike, index: number): Promise<Uint8Array> {
  const setup = {
    requestType: 'standard',
    recipient: 'device',
    request: GET_DESCRIPTOR,
    value: (DESCRIPTOR_TYPE.configuration << 8) | index,
    index: 0,
  } as const;
  const header = await device.controlTransferIn(setup, CONFIGURATION_HEADER_LENGTH);
  const head = viewBytes(header.data);
  if (header.status !== undefined && header.status !== 'ok') {
    throw new CcidError('ccid-not-a-reader', `GET_DESCRIPTOR(CONFIGURATION) failed: ${header.status}`);
  }
  if (head.length < 4) throw new CcidError('ccid-not-a-reader', 'Short configuration descriptor header');
  const total = head[2]! | (head[3]! << 8);
  const full = await device.controlTransferIn(setup, total);
  if (full.status !== undefined && full.status !== 'ok') {
    throw new CcidError('ccid-not-a-reader', `GET_DESCRIPTOR(CONFIGURATION) failed: ${full.status}`);
  }
  return viewBytes(full.data);
}

function viewBytes(view: DataView | null | undefined): Uint8Array {
  if (view === undefined || view === null) return new Uint8Array(0);
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
}
