/**
 * A simulated USB CCID reader: a fake WebUSB `USBDevice` (it satisfies `UsbDeviceLike`) with a
 * configuration descriptor, a CCID class descriptor, bulk-IN/OUT and interrupt-IN endpoints,
 * that implements the CCID rev 1.1 reader side in front of a `VirtualMyNumberCard` — at short
 * APDU, extended APDU (with wLevelParameter / bChainParameter chaining) or TPDU level (running
 * the card side of T=1, or passing T=0 TPDUs).
 *
 * Its encoders are written from the spec tables, independently of src/webusb/messages.ts.
 */
import { concatBytes } from '../../src/bytes.js';
import { CardRemovedError } from '../../src/errors.js';
import type { VirtualMyNumberCard } from '../../src/testing/index.js';
import type {
  UsbConfigurationLike,
  UsbControlTransferParameters,
  UsbDeviceLike,
  UsbInTransferResultLike,
  UsbOutTransferResultLike,
} from '../../src/webusb/usb-types.js';
import { S_BLOCK, decodeBlock, iBlock, sBlock } from '../../src/webusb/t1-block.js';
import { T1Card } from './t1-card.js';

/** Exchange level the simulated reader announces. */
export type SimLevel = 'short-apdu' | 'extended-apdu' | 'tpdu';

/** dwFeatures bits (CCID §5.1), spelled out here independently of src. */
export const SIM_FEATURE = {
  autoParametersFromAtr: 0x02,
  autoActivation: 0x04,
  autoVoltage: 0x08,
  autoClock: 0x10,
  autoBaud: 0x20,
  autoNegotiation: 0x40,
  autoPps: 0x80,
  autoIfsd: 0x400,
  tpdu: 0x0001_0000,
  shortApdu: 0x0002_0000,
  extendedApdu: 0x0004_0000,
} as const;

/**
 * Hostile or broken reader behaviours (issue 13 §2), applied to every XfrBlock once set:
 * - `time-extensions`: answers with time extensions (bmCommandStatus 2) forever;
 * - `zlp`: answers with zero-length bulk-IN transfers forever;
 * - `wtx`: (T=1) the card answers every block with S(WTX request);
 * - `empty-chain`: (T=1) the card answers with empty I-blocks with M=1, forever;
 * - `huge-message`: one RDR_to_PC header announcing `hugeLength` data bytes, then data forever.
 * Endless streams are produced one transfer at a time (the simulator holds nothing), paced by
 * {@link SimReader.hostileDelayMs}; without a delay every 32nd answer still yields to the
 * event loop, so a host that never stops cannot starve the test runner's timers.
 */
export type SimHostile = 'time-extensions' | 'zlp' | 'wtx' | 'empty-chain' | 'huge-message';

/** Options of {@link SimReader}. */
export interface SimReaderOptions {
  /** Exchange level. */
  readonly level: SimLevel;
  /** dwMaxCCIDMessageLength. Default 271. */
  readonly maxMessageLength?: number;
  /** Replace dwFeatures entirely. Default: level bit + auto clock/baud (+ auto voltage/parameters at APDU level). */
  readonly features?: number;
  /** bVoltageSupport. Default 07h (5 V, 3 V, 1.8 V). */
  readonly voltageSupport?: number;
  /** bPowerSelect values answered with ICC_CLASS_NOT_SUPPORTED. */
  readonly refuseVoltages?: readonly number[];
  /** dwMaxIFSD. Default 254. */
  readonly maxIfsd?: number;
  /** dwProtocols. Default 03h (T=0 and T=1). */
  readonly protocols?: number;
  /** Interface class: 0Bh (default) or FFh (vendor-specific interface with a CCID descriptor). */
  readonly interfaceClass?: number;
  /** Put the CCID class descriptor after the endpoint descriptors (a known reader quirk). */
  readonly descriptorAfterEndpoints?: boolean;
  /** Give the device no interrupt endpoint. */
  readonly noInterrupt?: boolean;
  /** Time-extension answers sent before each XfrBlock answer. Default 0. */
  readonly timeExtensions?: number;
  /** Zero-length bulk-IN transfers sent before each XfrBlock answer. Default 0. */
  readonly emptyTransfers?: number;
  /** Extra delay before each XfrBlock answer, in ms (a slow card). */
  readonly latencyMs?: number;
  /** Message types answered "command not supported" (bError 00h). */
  readonly unsupported?: readonly number[];
  /** The ATR. Default: the card's (`3B E0 00 FF 81 31 FE 45 14`, T=1, IFSC FEh). */
  readonly atr?: Uint8Array;
  /** TPDU/T=1: S(WTX request)s the card sends in total. */
  readonly wtxRequests?: number;
  /** TPDU/T=1: the card sends S(IFS request) with this IFSC once. */
  readonly cardIfsRequest?: number;
  /** TPDU/T=1: indexes (0-based, counting the card's blocks) of blocks whose LRC is corrupted on the way to the host. */
  readonly corruptCardBlocks?: readonly number[];
  /** TPDU/T=1: indexes (0-based, counting XfrBlocks) of host blocks corrupted on the way to the card. */
  readonly corruptHostBlocks?: readonly number[];
  /** TPDU/T=1: indexes of XfrBlocks answered ICC_MUTE (the card's block lost, BWT exceeded). */
  readonly muteBlocks?: readonly number[];
  /** Largest bulk-IN transfer; longer messages arrive in several transfers. Default unlimited. */
  readonly maxTransfer?: number;
  /** The device starts unconfigured (`configuration` undefined). */
  readonly unconfigured?: boolean;
  /** The device starts open (default closed). */
  readonly opened?: boolean;
  /** claimInterface rejects with a DOMException of this name (e.g. Chromium's 'SecurityError'). */
  readonly claimError?: string;
  /** Hostile behaviour from the start (it may also be set later: {@link SimReader.hostile}). */
  readonly hostile?: SimHostile;
  /** `huge-message`: the announced dwLength. Default 7FFFFFF0h (about 2 GiB). */
  readonly hugeLength?: number;
  /** `huge-message`: data bytes per bulk-IN transfer. Default 65536. */
  readonly hugeChunk?: number;
}

/** One logged bulk message. */
export interface SimLogEntry {
  readonly direction: 'out' | 'in';
  readonly bytes: Uint8Array;
}

const BULK_OUT = 0x02;
const BULK_IN = 0x01;
const INTERRUPT_IN = 0x03;
const PACKET = 64;

function le32(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

/** The 54-byte CCID class descriptor, byte by byte from CCID §5.1 Table 5.1-1. */
export function simClassDescriptor(options: {
  maxSlotIndex?: number;
  voltageSupport?: number;
  protocols?: number;
  maxIfsd?: number;
  features: number;
  maxMessageLength: number;
}): Uint8Array {
  return Uint8Array.from([
    0x36, // bLength
    0x21, // bDescriptorType
    0x10, 0x01, // bcdCCID 1.10
    options.maxSlotIndex ?? 0, // bMaxSlotIndex
    options.voltageSupport ?? 0x07, // bVoltageSupport
    ...le32(options.protocols ?? 0x03), // dwProtocols
    ...le32(3580), // dwDefaultClock (kHz)
    ...le32(3580), // dwMaximumClock
    0x00, // bNumClockSupported
    ...le32(9600), // dwDataRate
    ...le32(9600), // dwMaxDataRate
    0x00, // bNumDataRatesSupported
    ...le32(options.maxIfsd ?? 254), // dwMaxIFSD
    ...le32(0), // dwSynchProtocols
    ...le32(0), // dwMechanical
    ...le32(options.features), // dwFeatures
    ...le32(options.maxMessageLength), // dwMaxCCIDMessageLength
    0xff, // bClassGetResponse (echo)
    0xff, // bClassEnvelope (echo)
    0x00, 0x00, // wLcdLayout
    0x00, // bPINSupport
    0x01, // bMaxCCIDBusySlots
  ]);
}

/** Waiters of a transfer queue. */
class Queue {
  readonly items: Uint8Array[] = [];
  readonly #waiters: Array<{ resolve: (b: Uint8Array) => void; reject: (e: unknown) => void }> = [];

  push(bytes: Uint8Array): void {
    const waiter = this.#waiters.shift();
    if (waiter !== undefined) waiter.resolve(bytes);
    else this.items.push(bytes);
  }

  unshift(bytes: Uint8Array): void {
    this.items.unshift(bytes);
  }

  take(): Promise<Uint8Array> {
    const item = this.items.shift();
    if (item !== undefined) return Promise.resolve(item);
    return new Promise((resolve, reject) => this.#waiters.push({ resolve, reject }));
  }

  cancelAll(error: unknown = new DOMException('The transfer was cancelled.', 'AbortError')): void {
    for (const waiter of this.#waiters.splice(0)) waiter.reject(error);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A fake `USBDevice` speaking CCID in front of a virtual card. */
export class SimReader implements UsbDeviceLike {
  readonly vendorId = 0x1234;
  readonly productId = 0xcc1d;
  readonly productName = 'mynacard simulated CCID reader';
  /** Every bulk message in both directions, in order. */
  readonly log: SimLogEntry[] = [];
  /** Control transfers received (setup packets). */
  readonly controlLog: UsbControlTransferParameters[] = [];
  /** Class request ABORTs received (wValue). */
  readonly aborts: number[] = [];
  /** The card side of T=1 (TPDU level with a T=1 ATR). */
  readonly t1Card: T1Card;
  readonly card: VirtualMyNumberCard;
  readonly options: SimReaderOptions;
  readonly features: number;
  readonly maxMessageLength: number;
  readonly configurations: readonly UsbConfigurationLike[];
  configuration: UsbConfigurationLike | undefined;
  opened: boolean;
  /** Claimed interface numbers. */
  readonly claimed = new Set<number>();
  /** bPowerSelect of each IccPowerOn. */
  readonly powerSelects: number[] = [];
  /** Hostile behaviour applied to XfrBlocks (undefined: an honest reader). */
  hostile: SimHostile | undefined;
  /** Delay before each hostile answer, in ms (0: as fast as the host reads). */
  hostileDelayMs = 0;
  /** Hostile answers (transfers or blocks) delivered so far. */
  hostileAnswers = 0;
  /** Bytes of hostile answers delivered so far (what the host could have buffered). */
  hostileBytes = 0;
  /** Largest length the host asked for in one bulk-IN transfer (what WebUSB would allocate). */
  maxBulkInRequest = 0;
  /** Endless bulk-IN stream of a hostile reader: the next transfer, made on demand. */
  #stream: (() => Uint8Array) | undefined;
  readonly #bulkIn = new Queue();
  readonly #interrupt = new Queue();
  readonly #descriptor: Uint8Array;
  #work: Promise<void> = Promise.resolve();
  #powered = false;
  #present = true;
  #hostBlocks = 0;
  #cardBlocks = 0;
  /** Extended level: command parts collected; response parts left. */
  #commandParts: Uint8Array[] = [];
  #responseLeft: Uint8Array | undefined;
  #t1Atr: boolean;

  constructor(card: VirtualMyNumberCard, options: SimReaderOptions) {
    this.card = card;
    this.options = options;
    this.latencyMs = options.latencyMs ?? 0;
    this.maxMessageLength = options.maxMessageLength ?? 271;
    const levelBit =
      options.level === 'tpdu' ? SIM_FEATURE.tpdu : options.level === 'short-apdu' ? SIM_FEATURE.shortApdu : SIM_FEATURE.extendedApdu;
    this.features =
      options.features ??
      levelBit |
        SIM_FEATURE.autoClock |
        SIM_FEATURE.autoBaud |
        (options.level === 'tpdu' ? 0 : SIM_FEATURE.autoVoltage | SIM_FEATURE.autoParametersFromAtr | SIM_FEATURE.autoNegotiation);
    this.#t1Atr = offersT1(this.atr);
    this.t1Card = new T1Card({
      process: (apdu) => this.card.transmit(apdu),
      ifsc: 0xfe,
      ...(options.wtxRequests === undefined ? {} : { wtxRequests: options.wtxRequests }),
      ...(options.cardIfsRequest === undefined ? {} : { ifsRequest: options.cardIfsRequest }),
    });
    const interfaceClass = options.interfaceClass ?? 0x0b;
    const ccid = simClassDescriptor({
      features: this.features,
      maxMessageLength: this.maxMessageLength,
      ...(options.voltageSupport === undefined ? {} : { voltageSupport: options.voltageSupport }),
      ...(options.protocols === undefined ? {} : { protocols: options.protocols }),
      ...(options.maxIfsd === undefined ? {} : { maxIfsd: options.maxIfsd }),
    });
    const endpoints = [
      [0x07, 0x05, BULK_OUT, 0x02, PACKET, 0x00, 0x00],
      [0x07, 0x05, 0x80 | BULK_IN, 0x02, PACKET, 0x00, 0x00],
      ...(options.noInterrupt === true ? [] : [[0x07, 0x05, 0x80 | INTERRUPT_IN, 0x03, 0x08, 0x00, 0x10]]),
    ].flat();
    const iface = [0x09, 0x04, 0x00, 0x00, endpoints.length / 7, interfaceClass, 0x00, 0x00, 0x00];
    const body =
      options.descriptorAfterEndpoints === true ? [...iface, ...endpoints, ...ccid] : [...iface, ...ccid, ...endpoints];
    const total = 9 + body.length;
    this.#descriptor = Uint8Array.from([0x09, 0x02, total & 0xff, total >> 8, 0x01, 0x01, 0x00, 0x80, 0x32, ...body]);
    const configuration: UsbConfigurationLike = {
      configurationValue: 1,
      interfaces: [
        {
          interfaceNumber: 0,
          alternates: [
            {
              alternateSetting: 0,
              interfaceClass,
              interfaceSubclass: 0,
              interfaceProtocol: 0,
              endpoints: [
                { endpointNumber: BULK_OUT, direction: 'out', type: 'bulk', packetSize: PACKET },
                { endpointNumber: BULK_IN, direction: 'in', type: 'bulk', packetSize: PACKET },
                ...(options.noInterrupt === true
                  ? []
                  : [{ endpointNumber: INTERRUPT_IN, direction: 'in' as const, type: 'interrupt' as const, packetSize: 8 }]),
              ],
            },
          ],
        },
      ],
    };
    this.configurations = [configuration];
    this.configuration = options.unconfigured === true ? undefined : configuration;
    this.opened = options.opened ?? false;
    this.hostile = options.hostile;
  }

  /** Back to an honest reader: the endless stream stops. */
  stopHostile(): void {
    this.hostile = undefined;
    this.#stream = undefined;
  }

  /** Wait before a hostile answer: the configured delay, or a macrotask every 32 answers. */
  async #pace(): Promise<void> {
    this.hostileAnswers++;
    if (this.hostileDelayMs > 0) await sleep(this.hostileDelayMs);
    else if (this.hostileAnswers % 32 === 0) await sleep(0);
  }

  /** Start an endless bulk-IN stream: the first transfer wakes the host's pending read. */
  #startStream(next: () => Uint8Array): void {
    this.#stream = next;
    const first = next();
    this.hostileAnswers++;
    this.hostileBytes += first.length;
    this.#bulkIn.push(first);
  }

  /** The ATR the reader returns on power-on. */
  get atr(): Uint8Array {
    return this.options.atr ?? this.card.atr;
  }

  /** The raw configuration descriptor. */
  get configurationDescriptor(): Uint8Array {
    return this.#descriptor.slice();
  }

  /** Messages the host sent (bulk-OUT), in order. */
  get sent(): Uint8Array[] {
    return this.log.filter((e) => e.direction === 'out').map((e) => e.bytes);
  }

  /** Messages the reader answered (bulk-IN), in order. */
  get answered(): Uint8Array[] {
    return this.log.filter((e) => e.direction === 'in').map((e) => e.bytes);
  }

  /** Pull the card out now: interrupt NotifySlotChange "changed + absent". */
  removeCard(): void {
    this.#present = false;
    this.#powered = false;
    this.card.remove();
    this.#interrupt.push(Uint8Array.of(0x50, 0b10));
  }

  /** Put the card back: interrupt NotifySlotChange "changed + present"; the slot is not powered. */
  insertCard(): void {
    this.#present = true;
    this.#powered = false;
    this.card.insert();
    this.#interrupt.push(Uint8Array.of(0x50, 0b11));
  }

  /** Unplug the reader: pending and later transfers fail with NotFoundError, like WebUSB. */
  disconnect(): void {
    this.#disconnected = true;
    this.#stream = undefined;
    const gone = new DOMException('The device was disconnected.', 'NotFoundError');
    this.#bulkIn.cancelAll(gone);
    this.#interrupt.cancelAll(gone);
  }

  #disconnected = false;

  /** Queue any interrupt message (e.g. a hardware error). */
  notify(bytes: Uint8Array): void {
    this.#interrupt.push(bytes);
  }

  // ---- UsbDeviceLike ----

  async open(): Promise<void> {
    this.opened = true;
  }

  async close(): Promise<void> {
    this.opened = false;
    this.claimed.clear();
    this.#bulkIn.cancelAll();
    this.#interrupt.cancelAll();
  }

  async selectConfiguration(value: number): Promise<void> {
    this.#assertOpen();
    const found = this.configurations.find((c) => c.configurationValue === value);
    if (found === undefined) throw new DOMException('Invalid configuration', 'NotFoundError');
    this.configuration = found;
  }

  async claimInterface(interfaceNumber: number): Promise<void> {
    this.#assertOpen();
    if (this.configuration === undefined) throw new DOMException('No configuration selected', 'InvalidStateError');
    if (this.options.claimError !== undefined) {
      throw new DOMException('The requested interface implements a protected class.', this.options.claimError);
    }
    this.claimed.add(interfaceNumber);
  }

  async releaseInterface(interfaceNumber: number): Promise<void> {
    this.claimed.delete(interfaceNumber);
    this.#bulkIn.cancelAll();
    this.#interrupt.cancelAll();
  }

  async selectAlternateInterface(): Promise<void> {
    this.#assertOpen();
  }

  async controlTransferIn(setup: UsbControlTransferParameters, length: number): Promise<UsbInTransferResultLike> {
    this.#assertOpen();
    this.controlLog.push({ ...setup });
    if (setup.requestType === 'standard' && setup.recipient === 'device' && setup.request === 6 && setup.value === 0x0200) {
      const bytes = this.#descriptor.slice(0, length);
      return { status: 'ok', data: new DataView(bytes.buffer) };
    }
    return { status: 'stall' };
  }

  async controlTransferOut(setup: UsbControlTransferParameters): Promise<UsbOutTransferResultLike> {
    this.#assertOpen();
    this.controlLog.push({ ...setup });
    if (setup.requestType === 'class' && setup.recipient === 'interface' && setup.request === 0x01) {
      this.aborts.push(setup.value);
      return { status: 'ok', bytesWritten: 0 };
    }
    return { status: 'stall', bytesWritten: 0 };
  }

  async clearHalt(): Promise<void> {
    this.#assertOpen();
  }

  async transferIn(endpointNumber: number, length: number): Promise<UsbInTransferResultLike> {
    this.#assertClaimed();
    const queue = endpointNumber === BULK_IN ? this.#bulkIn : endpointNumber === INTERRUPT_IN ? this.#interrupt : undefined;
    if (queue === undefined || (endpointNumber === INTERRUPT_IN && this.options.noInterrupt === true)) {
      throw new DOMException('The specified endpoint is not part of a claimed and selected alternate interface.', 'NotFoundError');
    }
    if (queue === this.#bulkIn) this.maxBulkInRequest = Math.max(this.maxBulkInRequest, length);
    const stream = this.#stream;
    if (queue === this.#bulkIn && stream !== undefined && queue.items.length === 0) {
      await this.#pace();
      this.#assertClaimed();
      const next = this.#stream === stream ? stream() : await queue.take();
      this.hostileBytes += next.length;
      return { status: 'ok', data: new DataView(next.buffer, next.byteOffset, next.byteLength) };
    }
    let bytes = await queue.take();
    const cap = Math.min(length, endpointNumber === BULK_IN ? (this.options.maxTransfer ?? Infinity) : Infinity);
    if (bytes.length > cap) {
      queue.unshift(bytes.slice(cap));
      bytes = bytes.slice(0, cap);
    }
    return { status: 'ok', data: new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength) };
  }

  async transferOut(endpointNumber: number, data: Uint8Array<ArrayBuffer>): Promise<UsbOutTransferResultLike> {
    this.#assertClaimed();
    if (endpointNumber !== BULK_OUT) throw new DOMException('Not an OUT endpoint', 'NotFoundError');
    const bytes = Uint8Array.from(data);
    this.log.push({ direction: 'out', bytes });
    this.#work = this.#work.then(() => this.#process(bytes)).catch((error: unknown) => {
      // A simulator bug must fail the test loudly, not hang it.
      this.#bulkIn.push(Uint8Array.of(0xee));
      throw error;
    });
    return { status: 'ok', bytesWritten: data.length };
  }

  #assertOpen(): void {
    if (this.#disconnected) throw new DOMException('The device was disconnected.', 'NotFoundError');
    if (!this.opened) throw new DOMException('The device must be opened first.', 'InvalidStateError');
  }

  #assertClaimed(): void {
    this.#assertOpen();
    if (!this.claimed.has(0)) throw new DOMException('The interface is not claimed.', 'InvalidStateError');
  }

  // ---- CCID reader side ----

  #answer(type: number, seq: number, status: number, error: number, specific: number, data: Uint8Array = new Uint8Array(0)): void {
    const bytes = Uint8Array.from([type, ...le32(data.length), 0x00, seq, status, error, specific, ...data]);
    this.log.push({ direction: 'in', bytes });
    this.#bulkIn.push(bytes);
  }

  /** bmICCStatus now. */
  #icc(): number {
    if (!this.#present) return 2;
    return this.#powered ? 0 : 1;
  }

  /** A "failed" answer of the message's own answer type. */
  #fail(type: number, seq: number, error: number): void {
    this.#answer(answerType(type), seq, 0x40 | this.#icc(), error, 0x00);
  }

  async #process(message: Uint8Array): Promise<void> {
    const type = message[0]!;
    const length = message[1]! | (message[2]! << 8) | (message[3]! << 16) | (message[4]! << 24);
    const slot = message[5]!;
    const seq = message[6]!;
    const data = message.subarray(10);
    if (data.length !== length) return this.#fail(type, seq, 0x01); // dwLength wrong: offset 1
    if (slot !== 0) return this.#fail(type, seq, 0x05); // bSlot does not exist: offset 5
    if (this.options.unsupported?.includes(type) === true) return this.#fail(type, seq, 0x00);
    switch (type) {
      case 0x65: // GetSlotStatus
        return this.#answer(0x81, seq, this.#icc(), 0x00, 0x00);
      case 0x62: // IccPowerOn
        return this.#powerOn(seq, message[7]!);
      case 0x63: // IccPowerOff
        this.#powered = false;
        return this.#answer(0x81, seq, this.#icc(), 0x00, 0x01);
      case 0x6c: // GetParameters
        return this.#parameters(seq, this.#lastParameters);
      case 0x61: // SetParameters
        if (!this.#present) return this.#fail(type, seq, 0xfe);
        this.#lastParameters = { protocol: message[7]!, data: data.slice() };
        this.setParametersLog.push({ protocol: message[7]!, data: data.slice() });
        return this.#parameters(seq, this.#lastParameters);
      case 0x72: // Abort
        return this.#answer(0x81, seq, this.#icc(), 0x00, 0x00);
      case 0x6f: // XfrBlock
        return this.#xfrBlock(seq, message[7]!, message[8]! | (message[9]! << 8), data);
      default:
        return this.#fail(type, seq, 0x00);
    }
  }

  /** Parameters set by SetParameters (T=1 defaults from the ATR until then). */
  #lastParameters: { protocol: number; data: Uint8Array } = {
    protocol: 1,
    data: Uint8Array.of(0x11, 0x10, 0xff, 0x45, 0x00, 0xfe, 0x00),
  };
  /** SetParameters received (protocol and abProtocolDataStructure). */
  readonly setParametersLog: Array<{ protocol: number; data: Uint8Array }> = [];

  #parameters(seq: number, parameters: { protocol: number; data: Uint8Array }): void {
    this.#answer(0x82, seq, this.#icc(), 0x00, parameters.protocol, parameters.data);
  }

  #powerOn(seq: number, powerSelect: number): void {
    this.powerSelects.push(powerSelect);
    if (!this.#present) return this.#answer(0x80, seq, 0x42, 0xfe, 0x00);
    if (this.options.refuseVoltages?.includes(powerSelect) === true) {
      return this.#answer(0x80, seq, 0x41, 0xf5, 0x00); // ICC_CLASS_NOT_SUPPORTED
    }
    this.card.reset();
    this.t1Card.reset();
    this.#commandParts = [];
    this.#responseLeft = undefined;
    this.#powered = true;
    this.#answer(0x80, seq, 0x00, 0x00, 0x00, this.atr);
  }

  async #xfrBlock(seq: number, bwi: number, level: number, data: Uint8Array): Promise<void> {
    this.xfrBwis.push(bwi);
    if (!this.#present) return this.#answer(0x80, seq, 0x42, 0xfe, 0x00);
    if (!this.#powered) return this.#answer(0x80, seq, 0x41, 0xfe, 0x00);
    for (let i = 0; i < (this.options.timeExtensions ?? 0); i++) {
      this.#answer(0x80, seq, 0x80, 0x01, 0x00); // time extension, multiplier 1
      await sleep(1);
    }
    for (let i = 0; i < (this.options.emptyTransfers ?? 0); i++) this.#bulkIn.push(new Uint8Array(0));
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    if (!this.#present) return this.#answer(0x80, seq, 0x42, 0xfe, 0x00);
    if (this.hostile !== undefined && (await this.#hostileXfr(seq, data))) return;
    try {
      if (this.options.level === 'tpdu') return await this.#tpdu(seq, data);
      return await this.#apdu(seq, level, data);
    } catch (error) {
      if (!(error instanceof CardRemovedError)) throw error;
      // The card was pulled while the command ran: notify and answer "no ICC".
      if (this.#present) this.removeCard();
      return this.#answer(0x80, seq, 0x42, 0xfe, 0x00);
    }
  }

  /** Answer an XfrBlock the hostile way; false when the behaviour does not apply (the honest answer follows). */
  async #hostileXfr(seq: number, data: Uint8Array): Promise<boolean> {
    switch (this.hostile) {
      case 'time-extensions': {
        const extension = Uint8Array.from([0x80, 0, 0, 0, 0, 0x00, seq, 0x80, 0x01, 0x00]);
        this.#startStream(() => extension.slice());
        return true;
      }
      case 'zlp':
        this.#startStream(() => new Uint8Array(0));
        return true;
      case 'huge-message': {
        const length = this.options.hugeLength ?? 0x7fff_fff0;
        const chunk = this.options.hugeChunk ?? 0x10000;
        let header: Uint8Array | undefined = Uint8Array.from([0x80, ...le32(length), 0x00, seq, 0x00, 0x00, 0x00]);
        this.#startStream(() => {
          const part = new Uint8Array((header?.length ?? 0) + chunk).fill(0x5a);
          if (header !== undefined) part.set(header);
          header = undefined;
          return part;
        });
        return true;
      }
      case 'wtx':
      case 'empty-chain': {
        if (this.options.level !== 'tpdu' || !this.#t1Atr) return false;
        const block = decodeBlock(data);
        let answer: Uint8Array;
        if (this.hostile === 'wtx') {
          answer = sBlock(S_BLOCK.wtx, false, Uint8Array.of(0x01)); // S(WTX request), multiplier 1
        } else {
          // The card's next N(S): what the host asks for in its R-block, else the card's own.
          const ns = block.kind === 'R' ? block.nr : this.t1Card.sendSequence;
          answer = iBlock(ns, true, new Uint8Array(0));
        }
        await this.#pace();
        this.hostileBytes += answer.length;
        this.#answer(0x80, seq, 0x00, 0x00, 0x00, answer);
        return true;
      }
      default:
        return false;
    }
  }

  /** Delay before each XfrBlock answer (starts at `options.latencyMs`; may be changed). */
  latencyMs: number;
  /** bBWI of every XfrBlock received. */
  readonly xfrBwis: number[] = [];

  async #apdu(seq: number, level: number, data: Uint8Array): Promise<void> {
    const extended = this.options.level === 'extended-apdu';
    const partSize = this.maxMessageLength - 10;
    if (level === 0x0010) {
      // Next part of a chained response. CCID §6.1.4
      const left = this.#responseLeft;
      if (!extended || left === undefined) return this.#answer(0x80, seq, 0x40 | this.#icc(), 0x08, 0x00);
      return this.#sendResponsePart(seq, left, partSize, false);
    }
    if (level !== 0x0000) {
      if (!extended) return this.#answer(0x80, seq, 0x40 | this.#icc(), 0x08, 0x00); // wLevelParameter at offset 8
      if (level === 0x0001) this.#commandParts = [data.slice()];
      else this.#commandParts.push(data.slice());
      if (level === 0x0001 || level === 0x0003) return this.#answer(0x80, seq, 0x00, 0x00, 0x10);
      data = concatBytes(...this.#commandParts);
      this.#commandParts = [];
    }
    const response = await this.card.transmit(data);
    if (!extended || 10 + response.length <= this.maxMessageLength) return this.#answer(0x80, seq, 0x00, 0x00, 0x00, response);
    return this.#sendResponsePart(seq, response, partSize, true);
  }

  #sendResponsePart(seq: number, left: Uint8Array, partSize: number, first: boolean): void {
    const part = left.subarray(0, partSize);
    const rest = left.subarray(part.length);
    this.#responseLeft = rest.length > 0 ? rest : undefined;
    const chain = first ? 0x01 : rest.length > 0 ? 0x03 : 0x02;
    this.#answer(0x80, seq, 0x00, 0x00, chain, part);
  }

  async #tpdu(seq: number, data: Uint8Array): Promise<void> {
    if (!this.#t1Atr) {
      // T=0: the reader runs the procedure bytes; the card sees the TPDU as a short APDU.
      return this.#answer(0x80, seq, 0x00, 0x00, 0x00, await this.card.transmit(data));
    }
    const hostIndex = this.#hostBlocks++;
    let block = data.slice();
    if (this.options.corruptHostBlocks?.includes(hostIndex) === true) block[block.length - 1]! ^= 0x5a;
    if (this.options.muteBlocks?.includes(hostIndex) === true) {
      // The card's answer is lost: process the block (the card did), report mute.
      await this.t1Card.handle(block);
      return this.#answer(0x80, seq, 0x40, 0xfe, 0x00);
    }
    const answer = Uint8Array.from(await this.t1Card.handle(block));
    const cardIndex = this.#cardBlocks++;
    if (this.options.corruptCardBlocks?.includes(cardIndex) === true) answer[answer.length - 1]! ^= 0xff;
    this.#answer(0x80, seq, 0x00, 0x00, 0x00, answer);
  }
}

/** Whether an ATR's TD bytes offer T=1 (walks Y nibbles; ISO/IEC 7816-3 §8.2.3). */
function offersT1(atr: Uint8Array): boolean {
  let y = atr[1]! >> 4;
  let i = 2;
  while (i < atr.length) {
    i += (y & 1) + ((y >> 1) & 1) + ((y >> 2) & 1);
    if ((y & 8) === 0) return false;
    const td = atr[i++];
    if (td === undefined) return false;
    if ((td & 0x0f) === 1) return true;
    y = td >> 4;
  }
  return false;
}

function answerType(commandType: number): number {
  switch (commandType) {
    case 0x62:
    case 0x6f:
      return 0x80;
    case 0x61:
    case 0x6c:
    case 0x6d:
      return 0x82;
    case 0x6b:
      return 0x83;
    default:
      return 0x81;
  }
}
