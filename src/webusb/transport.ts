/**
 * `WebUsbCcidTransport`: a {@link Transport} that speaks the USB CCID class protocol (USB CCID
 * rev 1.1) itself over a WebUSB `USBDevice` — for browsers, kiosks and Node without pcscd.
 * @packageDocumentation
 */
import { isSecretCommand } from '../apdu/trace.js';
import { AbortedError, CardRemovedError, InvalidArgumentError, TransportError } from '../errors.js';
import { Mutex } from '../mutex.js';
import type { Transport } from '../transport/transport.js';
import { transmitApdu } from './apdu-level.js';
import { CCID_FEATURE, exchangeLevelOf, type CcidClassDescriptor, type CcidExchangeLevel, type CcidInterface } from './descriptor.js';
import { CcidError, COMMAND_STATUS, ICC_STATUS, ccidFailure } from './errors.js';
import { listenInterrupt, slotEvent } from './interrupt.js';
import { CcidLink, ExchangeBudget, MAX_CCID_MESSAGE_LENGTH } from './link.js';
import { CCID_HEADER_LENGTH, getSlotStatus, iccPowerOff } from './messages.js';
import { isVoltage, powerOn, powerSelects, setUpTpdu } from './power.js';
import { t0Tpdu } from './t0.js';
import { T1_MAX_INF } from './t1-block.js';
import type { T1Protocol } from './t1.js';
import { startT1, transmitT1 } from './t1-driver.js';
import { findReaderInterface, usbStep } from './usb-setup.js';
import type { UsbDeviceLike } from './usb-types.js';
import { cardXfr, type XfrBlockFunction } from './xfr.js';

import type { CcidCardProtocol, T1Sizes, WebUsbCcidOptions, WebUsbTransmitOptions } from './options.js';

/** Default bound on one wait for the reader. */
const DEFAULT_RESPONSE_TIMEOUT_MS = 20_000;
/**
 * Default bound on one whole exchange (all its messages, time extensions and WTX included):
 * well above the slowest real operation (an RSA-2048 signature, a few seconds).
 */
const DEFAULT_EXCHANGE_TIMEOUT_MS = 30_000;
/** T=1 block overhead: NAD, PCB, LEN, LRC. ISO/IEC 7816-3 §11.3.1 */
const T1_OVERHEAD = 4;
/** Largest short response: 256 bytes and SW1 SW2. */
const MAX_SHORT_RESPONSE = 258;
/** Largest extended response: 65536 bytes and SW1 SW2. */
const MAX_EXTENDED_RESPONSE = 65538;

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

  readonly #link: CcidLink;
  readonly #options: WebUsbCcidOptions;
  readonly #ccid: CcidInterface;
  readonly #closeDevice: boolean;
  #atr: Uint8Array = new Uint8Array(0);
  #protocol: CcidCardProtocol | undefined;
  #t1: T1Protocol | undefined;
  /** Operations one at a time, in call order (src/mutex.ts, rule 4). */
  readonly #lock = new Mutex();
  #closed = false;
  /** The card left (interrupt pipe or a reader answer) since the last power-on. */
  #removed = false;
  #cardPresent = true;
  #timeExtensions = 0;
  readonly #exchangeTimeoutMs: number;
  /** dwMaxCCIDMessageLength clamped to what CCID allows. */
  readonly #maxMessageLength: number;

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
    this.#exchangeTimeoutMs = options.exchangeTimeoutMs ?? DEFAULT_EXCHANGE_TIMEOUT_MS;
    this.#maxMessageLength = Math.min(ccid.descriptor.maxMessageLength, MAX_CCID_MESSAGE_LENGTH);
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
    if (!((options.exchangeTimeoutMs ?? DEFAULT_EXCHANGE_TIMEOUT_MS) > 0)) {
      throw new InvalidArgumentError('exchangeTimeoutMs must be positive');
    }
    if (options.voltage !== undefined && !isVoltage(options.voltage)) {
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
        await transport.#budgeted(() => transport.#start());
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

  /**
   * Fixed capability hint for `ApduChannel`, from the reader's exchange level (and at TPDU level
   * the card's protocol): `true` at extended APDU level, `false` at short APDU level and for a
   * T=0 card at TPDU level; undefined for T=1 at TPDU level (the reader chains anything; the
   * channel finds out whether the card accepts extended length).
   */
  get extendedLength(): boolean | undefined {
    if (this.exchangeLevel === 'extended-apdu') return true;
    if (this.exchangeLevel === 'short-apdu' || this.#protocol === 'T=0') return false;
    return undefined;
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
    this.#closed = true;
    (await this.#lock.acquire())(); // wait for the operations already queued
    if (this.#link.broken === undefined && !this.#removed) {
      await this.#budgeted(() => this.#link.exchange((seq) => iccPowerOff(this.slot, seq), { allowFailure: true })).catch(
        () => undefined,
      );
    }
    await this.device.releaseInterface(this.interfaceNumber).catch(() => undefined);
    if (this.#closeDevice) await this.device.close().catch(() => undefined);
  }

  /** `await using transport = await WebUsbCcidTransport.open(device)` closes it. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    return this.#lock.run(() => this.#budgeted(task));
  }

  /** Run one operation under a fresh overall deadline. */
  #budgeted<T>(task: () => Promise<T>): Promise<T> {
    return this.#link.withBudget(new ExchangeBudget(this.#exchangeTimeoutMs), task);
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
    if (this.exchangeLevel === 'tpdu') await this.#configureTpdu(signal);
  }

  async #powerOn(signal: AbortSignal | undefined): Promise<Uint8Array> {
    try {
      return await powerOn(this.#link, this.slot, powerSelects(this.descriptor, this.#options.voltage), signal);
    } catch (error) {
      if (error instanceof CardRemovedError) this.#markRemoved();
      throw error;
    }
  }

  /**
   * TPDU level: the protocol (and parameters) for the card's ATR, then for T=1 the state
   * machine and the IFSD negotiation unless the reader does it (dwFeatures 400h).
   */
  async #configureTpdu(signal: AbortSignal | undefined): Promise<void> {
    const { protocol, ifsc } = await setUpTpdu(this.#link, this.slot, this.descriptor, this.#atr, signal);
    if (protocol === 0) {
      this.#protocol = 'T=0';
      return;
    }
    this.#protocol = 'T=1';
    const linkInf = this.#maxMessageLength - CCID_HEADER_LENGTH - T1_OVERHEAD;
    if (linkInf < 1) throw new CcidError('ccid-unsupported-reader', 'dwMaxCCIDMessageLength is too small for T=1 blocks');
    this.#t1 = await startT1(
      {
        ifsc,
        linkInf,
        readerIfsd: this.descriptor.maxIfsd,
        ifsd: this.#options.ifsd,
        retries: this.#options.t1Retries,
        autoIfsd: this.#autoIfsd,
      },
      this.#xfrWith(signal, T1_OVERHEAD + T1_MAX_INF),
    );
  }

  get #autoIfsd(): boolean {
    return (this.descriptor.features & CCID_FEATURE.autoIfsd) !== 0;
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
      if (this.exchangeLevel !== 'tpdu') {
        return await transmitApdu(apdu, {
          level: this.exchangeLevel,
          maxMessageLength: this.#maxMessageLength,
          maxResponse: this.maxResponseLength,
          xfr: this.#xfrWith(signal, this.maxResponseLength),
        });
      }
      const t1 = this.#t1;
      if (t1 !== undefined) {
        return await transmitT1(t1, apdu, this.maxResponseLength, this.#autoIfsd, this.#xfrWith(signal, T1_OVERHEAD + T1_MAX_INF));
      }
      return await this.#transmitT0(apdu, signal);
    } catch (error) {
      if (error instanceof CardRemovedError) this.#markRemoved();
      throw error;
    }
  }

  #xfrWith(signal: AbortSignal | undefined, maxData: number): XfrBlockFunction {
    return cardXfr(this.#link, this.slot, signal, maxData);
  }

  /**
   * T=0 at TPDU level: the reader handles procedure bytes; the host sends TPDUs. Case 1 gets
   * P3 = 00, case 4 loses its Le (the card answers 61xx and ApduChannel fetches the data with
   * GET RESPONSE). ISO/IEC 7816-3 §12.2
   */
  async #transmitT0(apdu: Uint8Array, signal: AbortSignal | undefined): Promise<Uint8Array> {
    const answer = await this.#xfrWith(signal, MAX_SHORT_RESPONSE)(t0Tpdu(apdu));
    if (answer.commandStatus !== COMMAND_STATUS.ok) throw ccidFailure(answer.status, answer.error, 0x6f);
    return answer.data;
  }

  #markRemoved(): void {
    this.#removed = true;
    this.#cardPresent = false;
    this.#t1?.abandon();
  }

  /** Watch the interrupt pipe for slot changes until the transport is closed. CCID §6.3 */
  #listen(): void {
    const endpoint = this.#ccid.interrupt;
    if (endpoint === undefined) return;
    listenInterrupt(this.device, endpoint, () => this.#closed, (bytes) => this.#onInterrupt(bytes));
  }

  #onInterrupt(bytes: Uint8Array): void {
    const event = slotEvent(bytes, this.descriptor.maxSlotIndex, this.slot);
    if (event === undefined) return;
    if (event.type === 'hardware-error') {
      this.#link.interruptRemovable(
        new CcidError('ccid-hardware-error', `The reader reports a hardware error (code ${event.code})`, { bError: event.code }),
      );
      return;
    }
    if (!event.present) {
      // "changed + absent": the card left; the session on it is over. CCID §6.3.1
      this.#markRemoved();
      this.#link.interruptRemovable(new CardRemovedError());
    } else {
      this.#cardPresent = true;
    }
    const hook = this.#options.onSlotChange;
    if (hook !== undefined) {
      try {
        hook(event.present);
      } catch {
        // A listener's exception must not stop the interrupt pipe.
      }
    }
  }
}

function iccStatusName(iccStatus: number): 'active' | 'inactive' | 'absent' {
  if (iccStatus === ICC_STATUS.active) return 'active';
  if (iccStatus === ICC_STATUS.inactive) return 'inactive';
  return 'absent';
}
