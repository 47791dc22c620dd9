/**
 * USB configuration descriptor and CCID class descriptor parsing (USB 2.0 §9.6; CCID rev 1.1
 * §5.1). WebUSB exposes interfaces and endpoints but not class-specific descriptors, so the
 * transport reads the raw configuration descriptor with GET_DESCRIPTOR and parses it here.
 * @packageDocumentation
 */
import { CcidError } from './errors.js';

/** bDescriptorType values. USB 2.0 Table 9-5; CCID §5.1 */
export const DESCRIPTOR_TYPE = {
  /** CONFIGURATION. */
  configuration: 0x02,
  /** INTERFACE. */
  interface: 0x04,
  /** ENDPOINT. */
  endpoint: 0x05,
  /** CCID functional (class) descriptor. CCID §5.1 */
  ccid: 0x21,
} as const;

/** bInterfaceClass of a CCID interface. CCID §4.3 */
export const CCID_INTERFACE_CLASS = 0x0b;
/** Vendor-specific interface class; some readers put a CCID class descriptor behind it. */
export const VENDOR_INTERFACE_CLASS = 0xff;
/** bLength of the CCID class descriptor. CCID §5.1 */
export const CCID_DESCRIPTOR_LENGTH = 0x36;

/** dwFeatures bits. CCID §5.1 Table 5.1-1 */
export const CCID_FEATURE = {
  /** Automatic parameter configuration based on ATR data. */
  autoParametersFromAtr: 0x0000_0002,
  /** Automatic activation of the ICC on insertion. */
  autoActivation: 0x0000_0004,
  /** Automatic ICC voltage selection. */
  autoVoltage: 0x0000_0008,
  /** Automatic ICC clock frequency change. */
  autoClock: 0x0000_0010,
  /** Automatic baud rate change. */
  autoBaudRate: 0x0000_0020,
  /** Automatic parameter negotiation made by the CCID. */
  autoParameterNegotiation: 0x0000_0040,
  /** Automatic PPS made by the CCID according to the active parameters. */
  autoPps: 0x0000_0080,
  /** The CCID can set the ICC in clock-stop mode. */
  clockStop: 0x0000_0100,
  /** NAD values other than 00 accepted (T=1). */
  nadOtherThanZero: 0x0000_0200,
  /** Automatic IFSD exchange as first exchange (T=1). */
  autoIfsd: 0x0000_0400,
  /** TPDU level exchange. */
  tpduLevel: 0x0001_0000,
  /** Short APDU level exchange. */
  shortApduLevel: 0x0002_0000,
  /** Short and extended APDU level exchange. */
  extendedApduLevel: 0x0004_0000,
  /** Mask of the exchange level bits (all clear: character level). */
  levelMask: 0x0007_0000,
  /** USB wake-up signalling supported. */
  usbWakeUp: 0x0010_0000,
} as const;

/** dwProtocols bits. CCID §5.1 */
export const CCID_PROTOCOL = {
  /** T=0. */
  t0: 0x01,
  /** T=1. */
  t1: 0x02,
} as const;

/** bVoltageSupport bits. CCID §5.1 */
export const CCID_VOLTAGE = {
  /** 5.0 V (class A). */
  v5: 0x01,
  /** 3.0 V (class B). */
  v3: 0x02,
  /** 1.8 V (class C). */
  v1_8: 0x04,
} as const;

/**
 * How the reader exchanges data with the card (dwFeatures bits 18–16):
 * `'character'` (the host drives every byte; not supported by this transport), `'tpdu'`
 * (the host runs T=0/T=1), `'short-apdu'` or `'extended-apdu'` (the reader runs the protocol).
 */
export type CcidExchangeLevel = 'character' | 'tpdu' | 'short-apdu' | 'extended-apdu';

/** The CCID class descriptor (CCID rev 1.1 §5.1, Table 5.1-1), field for field. */
export interface CcidClassDescriptor {
  /** bcdCCID, e.g. `0x0110` for rev 1.1. */
  readonly bcdCcid: number;
  /** bMaxSlotIndex: the highest slot number (0 for a one-slot reader). */
  readonly maxSlotIndex: number;
  /** bVoltageSupport ({@link CCID_VOLTAGE} bits). */
  readonly voltageSupport: number;
  /** dwProtocols ({@link CCID_PROTOCOL} bits). */
  readonly protocols: number;
  /** dwDefaultClock in kHz. */
  readonly defaultClock: number;
  /** dwMaximumClock in kHz. */
  readonly maximumClock: number;
  /** bNumClockSupported. */
  readonly numClockSupported: number;
  /** dwDataRate in bps. */
  readonly dataRate: number;
  /** dwMaxDataRate in bps. */
  readonly maxDataRate: number;
  /** bNumDataRatesSupported. */
  readonly numDataRatesSupported: number;
  /** dwMaxIFSD: the largest IFSD the reader supports (T=1). */
  readonly maxIfsd: number;
  /** dwSynchProtocols. */
  readonly synchProtocols: number;
  /** dwMechanical. */
  readonly mechanical: number;
  /** dwFeatures ({@link CCID_FEATURE} bits). */
  readonly features: number;
  /** dwMaxCCIDMessageLength: the largest message (10-byte header + data) either way. */
  readonly maxMessageLength: number;
  /** bClassGetResponse. */
  readonly classGetResponse: number;
  /** bClassEnvelope. */
  readonly classEnvelope: number;
  /** wLcdLayout. */
  readonly lcdLayout: number;
  /** bPINSupport. */
  readonly pinSupport: number;
  /** bMaxCCIDBusySlots. */
  readonly maxBusySlots: number;
}

/** One endpoint descriptor. USB 2.0 §9.6.6 */
export interface EndpointDescriptor {
  /** bEndpointAddress (bit 7 = IN). */
  readonly address: number;
  /** Endpoint number without the direction bit. */
  readonly number: number;
  /** `'in'` or `'out'`. */
  readonly direction: 'in' | 'out';
  /** Transfer type from bmAttributes bits 1–0. */
  readonly type: 'control' | 'isochronous' | 'bulk' | 'interrupt';
  /** wMaxPacketSize bits 10–0. */
  readonly packetSize: number;
}

/** One interface (alternate setting) with its endpoints and class descriptor. */
export interface InterfaceDescriptor {
  /** bInterfaceNumber. */
  readonly interfaceNumber: number;
  /** bAlternateSetting. */
  readonly alternateSetting: number;
  /** bInterfaceClass. */
  readonly interfaceClass: number;
  /** bInterfaceSubClass. */
  readonly interfaceSubclass: number;
  /** bInterfaceProtocol. */
  readonly interfaceProtocol: number;
  /** The interface's endpoints in descriptor order. */
  readonly endpoints: readonly EndpointDescriptor[];
  /** The CCID class descriptor that belongs to this interface, when present. */
  readonly ccid?: CcidClassDescriptor;
}

/** A parsed configuration descriptor. USB 2.0 §9.6.3 */
export interface ConfigurationDescriptor {
  /** bConfigurationValue. */
  readonly configurationValue: number;
  /** Every interface and alternate setting, in descriptor order. */
  readonly interfaces: readonly InterfaceDescriptor[];
}

/** The interface the transport talks to, with its endpoints. */
export interface CcidInterface {
  /** The interface (alternate setting) carrying the CCID class descriptor. */
  readonly interface: InterfaceDescriptor;
  /** Its CCID class descriptor. */
  readonly descriptor: CcidClassDescriptor;
  /** Bulk-OUT endpoint (PC_to_RDR messages). */
  readonly bulkOut: EndpointDescriptor;
  /** Bulk-IN endpoint (RDR_to_PC messages). */
  readonly bulkIn: EndpointDescriptor;
  /** Interrupt-IN endpoint (slot change notifications), when the reader has one. */
  readonly interrupt?: EndpointDescriptor;
}

function malformed(message: string): CcidError {
  return new CcidError('ccid-not-a-reader', `Malformed USB descriptor: ${message}`);
}

function u16(bytes: Uint8Array, offset: number): number {
  return bytes[offset]! | (bytes[offset + 1]! << 8);
}

function u32(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16) | (bytes[offset + 3]! << 24)) >>> 0;
}

const TRANSFER_TYPES = ['control', 'isochronous', 'bulk', 'interrupt'] as const;

/**
 * Parse the 54-byte CCID class descriptor (bDescriptorType 21h).
 * @throws CcidError (`ccid-not-a-reader`) when it is shorter than 54 bytes or of another type
 */
export function parseCcidClassDescriptor(bytes: Uint8Array): CcidClassDescriptor {
  if (bytes.length < CCID_DESCRIPTOR_LENGTH || bytes[0]! < CCID_DESCRIPTOR_LENGTH) {
    throw malformed(`CCID class descriptor of ${bytes.length} bytes (54 expected)`);
  }
  if (bytes[1] !== DESCRIPTOR_TYPE.ccid) throw malformed('not a CCID class descriptor (type 21h expected)');
  return {
    bcdCcid: u16(bytes, 2),
    maxSlotIndex: bytes[4]!,
    voltageSupport: bytes[5]!,
    protocols: u32(bytes, 6),
    defaultClock: u32(bytes, 10),
    maximumClock: u32(bytes, 14),
    numClockSupported: bytes[18]!,
    dataRate: u32(bytes, 19),
    maxDataRate: u32(bytes, 23),
    numDataRatesSupported: bytes[27]!,
    maxIfsd: u32(bytes, 28),
    synchProtocols: u32(bytes, 32),
    mechanical: u32(bytes, 36),
    features: u32(bytes, 40),
    maxMessageLength: u32(bytes, 44),
    classGetResponse: bytes[48]!,
    classEnvelope: bytes[49]!,
    lcdLayout: u16(bytes, 50),
    pinSupport: bytes[52]!,
    maxBusySlots: bytes[53]!,
  };
}

/**
 * Parse a full configuration descriptor (as returned by GET_DESCRIPTOR(CONFIGURATION) with
 * wLength = wTotalLength). A CCID class descriptor is attached to the interface it follows,
 * also when a reader places it after the endpoint descriptors.
 * @throws CcidError (`ccid-not-a-reader`) for a truncated or malformed descriptor
 */
export function parseConfigurationDescriptor(bytes: Uint8Array): ConfigurationDescriptor {
  if (bytes.length < 9 || bytes[1] !== DESCRIPTOR_TYPE.configuration || bytes[0]! < 9) {
    throw malformed('not a configuration descriptor');
  }
  const total = u16(bytes, 2);
  if (total > bytes.length) throw malformed(`wTotalLength ${total} exceeds the ${bytes.length} bytes read`);
  const configurationValue = bytes[5]!;
  const interfaces: Array<{
    interfaceNumber: number;
    alternateSetting: number;
    interfaceClass: number;
    interfaceSubclass: number;
    interfaceProtocol: number;
    endpoints: EndpointDescriptor[];
    ccid?: CcidClassDescriptor;
  }> = [];
  let offset = bytes[0]!;
  while (offset < total) {
    const length = bytes[offset]!;
    if (length < 2 || offset + length > total) throw malformed(`descriptor of length ${length} at offset ${offset}`);
    const type = bytes[offset + 1]!;
    const body = bytes.subarray(offset, offset + length);
    const current = interfaces[interfaces.length - 1];
    if (type === DESCRIPTOR_TYPE.interface) {
      if (length < 9) throw malformed(`interface descriptor of length ${length}`);
      interfaces.push({
        interfaceNumber: body[2]!,
        alternateSetting: body[3]!,
        interfaceClass: body[5]!,
        interfaceSubclass: body[6]!,
        interfaceProtocol: body[7]!,
        endpoints: [],
      });
    } else if (type === DESCRIPTOR_TYPE.endpoint && current !== undefined) {
      if (length < 7) throw malformed(`endpoint descriptor of length ${length}`);
      const address = body[2]!;
      current.endpoints.push({
        address,
        number: address & 0x0f,
        direction: (address & 0x80) !== 0 ? 'in' : 'out',
        type: TRANSFER_TYPES[body[3]! & 0x03]!,
        packetSize: u16(body, 4) & 0x07ff,
      });
    } else if (type === DESCRIPTOR_TYPE.ccid && current !== undefined && length >= CCID_DESCRIPTOR_LENGTH) {
      current.ccid = parseCcidClassDescriptor(body);
    }
    offset += length;
  }
  return { configurationValue, interfaces };
}

/**
 * The CCID interface of a configuration: the first interface of class 0Bh with a CCID class
 * descriptor, else the first vendor-specific (FFh) one that carries a 54-byte class descriptor
 * (readers that hide from the OS class driver), with its bulk-IN, bulk-OUT and optional
 * interrupt-IN endpoints.
 * @throws CcidError (`ccid-not-a-reader`) when there is none, or it lacks a bulk pipe
 */
export function findCcidInterface(configuration: ConfigurationDescriptor): CcidInterface {
  const candidates = [
    ...configuration.interfaces.filter((i) => i.interfaceClass === CCID_INTERFACE_CLASS && i.ccid !== undefined),
    ...configuration.interfaces.filter((i) => i.interfaceClass === VENDOR_INTERFACE_CLASS && i.ccid !== undefined),
  ];
  const chosen = candidates[0];
  if (chosen === undefined || chosen.ccid === undefined) {
    throw new CcidError('ccid-not-a-reader', 'The USB device has no CCID interface (class 0Bh with a CCID class descriptor)');
  }
  const bulkOut = chosen.endpoints.find((e) => e.type === 'bulk' && e.direction === 'out');
  const bulkIn = chosen.endpoints.find((e) => e.type === 'bulk' && e.direction === 'in');
  const interrupt = chosen.endpoints.find((e) => e.type === 'interrupt' && e.direction === 'in');
  if (bulkOut === undefined || bulkIn === undefined) {
    throw new CcidError('ccid-not-a-reader', 'The CCID interface lacks a bulk-IN or bulk-OUT endpoint');
  }
  return {
    interface: chosen,
    descriptor: chosen.ccid,
    bulkOut,
    bulkIn,
    ...(interrupt === undefined ? {} : { interrupt }),
  };
}

/** The exchange level announced by dwFeatures. CCID §5.1 */
export function exchangeLevelOf(features: number): CcidExchangeLevel {
  const level = features & CCID_FEATURE.levelMask;
  if ((level & CCID_FEATURE.extendedApduLevel) !== 0) return 'extended-apdu';
  if ((level & CCID_FEATURE.shortApduLevel) !== 0) return 'short-apdu';
  if ((level & CCID_FEATURE.tpduLevel) !== 0) return 'tpdu';
  return 'character';
}
