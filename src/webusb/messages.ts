/**
 * CCID bulk and interrupt messages (CCID rev 1.1 §6): encoding of PC_to_RDR commands, decoding
 * of RDR_to_PC answers and notifications, the bSeq counter, and the T=0 / T=1 protocol data
 * structures of SetParameters. Every message starts with a 10-byte header: bMessageType,
 * dwLength (little-endian length of abData), bSlot, bSeq and three message-specific bytes.
 * @packageDocumentation
 */
import { CcidError, byteHex } from './errors.js';

/** Length of the common message header. CCID §6.1 */
export const CCID_HEADER_LENGTH = 10;

/** PC_to_RDR bMessageType values. CCID §6.1 Table 6.1-1 */
export const PC_TO_RDR = {
  /** PC_to_RDR_SetParameters. §6.1.7 */
  setParameters: 0x61,
  /** PC_to_RDR_IccPowerOn. §6.1.1 */
  iccPowerOn: 0x62,
  /** PC_to_RDR_IccPowerOff. §6.1.2 */
  iccPowerOff: 0x63,
  /** PC_to_RDR_GetSlotStatus. §6.1.3 */
  getSlotStatus: 0x65,
  /** PC_to_RDR_Escape. §6.1.8 */
  escape: 0x6b,
  /** PC_to_RDR_GetParameters. §6.1.5 */
  getParameters: 0x6c,
  /** PC_to_RDR_ResetParameters. §6.1.6 */
  resetParameters: 0x6d,
  /** PC_to_RDR_XfrBlock. §6.1.4 */
  xfrBlock: 0x6f,
  /** PC_to_RDR_Abort. §6.1.13 */
  abort: 0x72,
} as const;

/** RDR_to_PC bMessageType values (bulk-IN §6.2, interrupt-IN §6.3). */
export const RDR_TO_PC = {
  /** RDR_to_PC_DataBlock. §6.2.1 */
  dataBlock: 0x80,
  /** RDR_to_PC_SlotStatus. §6.2.2 */
  slotStatus: 0x81,
  /** RDR_to_PC_Parameters. §6.2.3 */
  parameters: 0x82,
  /** RDR_to_PC_Escape. §6.2.4 */
  escape: 0x83,
  /** RDR_to_PC_NotifySlotChange (interrupt-IN). §6.3.1 */
  notifySlotChange: 0x50,
  /** RDR_to_PC_HardwareError (interrupt-IN). §6.3.2 */
  hardwareError: 0x51,
} as const;

/** The RDR_to_PC answer each PC_to_RDR command expects. CCID §6.1 */
export const EXPECTED_ANSWER: ReadonlyMap<number, number> = new Map([
  [PC_TO_RDR.iccPowerOn, RDR_TO_PC.dataBlock],
  [PC_TO_RDR.xfrBlock, RDR_TO_PC.dataBlock],
  [PC_TO_RDR.iccPowerOff, RDR_TO_PC.slotStatus],
  [PC_TO_RDR.getSlotStatus, RDR_TO_PC.slotStatus],
  [PC_TO_RDR.abort, RDR_TO_PC.slotStatus],
  [PC_TO_RDR.getParameters, RDR_TO_PC.parameters],
  [PC_TO_RDR.setParameters, RDR_TO_PC.parameters],
  [PC_TO_RDR.resetParameters, RDR_TO_PC.parameters],
  [PC_TO_RDR.escape, RDR_TO_PC.escape],
]);

/** bPowerSelect of PC_to_RDR_IccPowerOn. CCID §6.1.1 */
export const POWER_SELECT = {
  /** Automatic voltage selection. */
  auto: 0x00,
  /** 5.0 V. */
  v5: 0x01,
  /** 3.0 V. */
  v3: 0x02,
  /** 1.8 V. */
  v1_8: 0x03,
} as const;

/** wLevelParameter of PC_to_RDR_XfrBlock at extended APDU level. CCID §6.1.4 */
export const LEVEL_PARAMETER = {
  /** The command APDU begins and ends with this message. */
  single: 0x0000,
  /** The command APDU begins with this message and continues in the next one. */
  begin: 0x0001,
  /** This abData continues the command APDU and ends it. */
  end: 0x0002,
  /** This abData continues the command APDU and another part follows. */
  middle: 0x0003,
  /** Empty abData: the next part of the response APDU is requested. */
  continueResponse: 0x0010,
} as const;

/** bChainParameter of RDR_to_PC_DataBlock at extended APDU level. CCID §6.2.1 */
export const CHAIN_PARAMETER = {
  /** The response APDU begins and ends in this message. */
  single: 0x00,
  /** The response APDU begins with this message and continues. */
  begin: 0x01,
  /** This abData continues the response APDU and ends it. */
  end: 0x02,
  /** This abData continues the response APDU and another part follows. */
  middle: 0x03,
  /** Empty abData: the reader expects the next part of the command APDU. */
  continueCommand: 0x10,
} as const;

/** One PC_to_RDR message. */
export interface CcidCommand {
  /** bMessageType ({@link PC_TO_RDR}). */
  readonly type: number;
  /** bSlot. */
  readonly slot: number;
  /** bSeq. */
  readonly seq: number;
  /** Header bytes 7, 8, 9 (message-specific). */
  readonly specific: readonly [number, number, number];
  /** abData. */
  readonly data: Uint8Array;
}

/** One RDR_to_PC bulk-IN message. */
export interface CcidResponse {
  /** bMessageType ({@link RDR_TO_PC}). */
  readonly type: number;
  /** bSlot. */
  readonly slot: number;
  /** bSeq (equal to the command's). */
  readonly seq: number;
  /** bStatus. */
  readonly status: number;
  /** bmICCStatus (bStatus bits 1–0): 0 active, 1 present inactive, 2 absent. */
  readonly iccStatus: number;
  /** bmCommandStatus (bStatus bits 7–6): 0 ok, 1 failed, 2 time extension. */
  readonly commandStatus: number;
  /** bError (the BWT multiplier of a time extension). */
  readonly error: number;
  /** Header byte 9: bChainParameter, bClockStatus or bProtocolNum depending on the type. */
  readonly specific: number;
  /** abData. */
  readonly data: Uint8Array;
}

/** Encode any PC_to_RDR message. */
export function encodeCommand(command: CcidCommand): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(CCID_HEADER_LENGTH + command.data.length);
  const length = command.data.length;
  out[0] = command.type;
  out[1] = length & 0xff;
  out[2] = (length >>> 8) & 0xff;
  out[3] = (length >>> 16) & 0xff;
  out[4] = (length >>> 24) & 0xff;
  out[5] = command.slot;
  out[6] = command.seq;
  out[7] = command.specific[0];
  out[8] = command.specific[1];
  out[9] = command.specific[2];
  out.set(command.data, CCID_HEADER_LENGTH);
  return out;
}

const EMPTY = new Uint8Array(0);

/** PC_to_RDR_IccPowerOn (62h). CCID §6.1.1 */
export function iccPowerOn(slot: number, seq: number, powerSelect: number = POWER_SELECT.auto): Uint8Array<ArrayBuffer> {
  return encodeCommand({ type: PC_TO_RDR.iccPowerOn, slot, seq, specific: [powerSelect, 0, 0], data: EMPTY });
}

/** PC_to_RDR_IccPowerOff (63h). CCID §6.1.2 */
export function iccPowerOff(slot: number, seq: number): Uint8Array<ArrayBuffer> {
  return encodeCommand({ type: PC_TO_RDR.iccPowerOff, slot, seq, specific: [0, 0, 0], data: EMPTY });
}

/** PC_to_RDR_GetSlotStatus (65h). CCID §6.1.3 */
export function getSlotStatus(slot: number, seq: number): Uint8Array<ArrayBuffer> {
  return encodeCommand({ type: PC_TO_RDR.getSlotStatus, slot, seq, specific: [0, 0, 0], data: EMPTY });
}

/**
 * PC_to_RDR_XfrBlock (6Fh). CCID §6.1.4
 * @param bwi bBWI: block waiting time multiplier for this transfer (T=1 WTX), 0 = default
 * @param levelParameter wLevelParameter ({@link LEVEL_PARAMETER}; 0 at TPDU and short APDU level)
 */
export function xfrBlock(
  slot: number,
  seq: number,
  data: Uint8Array,
  bwi = 0,
  levelParameter: number = LEVEL_PARAMETER.single,
): Uint8Array<ArrayBuffer> {
  return encodeCommand({
    type: PC_TO_RDR.xfrBlock,
    slot,
    seq,
    specific: [bwi & 0xff, levelParameter & 0xff, (levelParameter >>> 8) & 0xff],
    data,
  });
}

/** PC_to_RDR_GetParameters (6Ch). CCID §6.1.5 */
export function getParameters(slot: number, seq: number): Uint8Array<ArrayBuffer> {
  return encodeCommand({ type: PC_TO_RDR.getParameters, slot, seq, specific: [0, 0, 0], data: EMPTY });
}

/** PC_to_RDR_SetParameters (61h) with a T=0 or T=1 protocol data structure. CCID §6.1.7 */
export function setParameters(slot: number, seq: number, parameters: ProtocolParameters): Uint8Array<ArrayBuffer> {
  const data = encodeProtocolParameters(parameters);
  return encodeCommand({ type: PC_TO_RDR.setParameters, slot, seq, specific: [parameters.protocol, 0, 0], data });
}

/** PC_to_RDR_Abort (72h), sent after the class request ABORT. CCID §6.1.13, §5.3.1 */
export function abort(slot: number, seq: number): Uint8Array<ArrayBuffer> {
  return encodeCommand({ type: PC_TO_RDR.abort, slot, seq, specific: [0, 0, 0], data: EMPTY });
}

/** dwLength of a message header (the header must be at least 5 bytes). */
export function messageDataLength(bytes: Uint8Array): number {
  return (bytes[1]! | (bytes[2]! << 8) | (bytes[3]! << 16) | (bytes[4]! << 24)) >>> 0;
}

/**
 * Decode one complete RDR_to_PC bulk-IN message.
 * @throws CcidError (`ccid-protocol`) when shorter than its header or its dwLength says
 */
export function decodeResponse(bytes: Uint8Array): CcidResponse {
  if (bytes.length < CCID_HEADER_LENGTH) {
    throw new CcidError('ccid-protocol', `RDR_to_PC message of ${bytes.length} bytes (10-byte header expected)`);
  }
  const length = messageDataLength(bytes);
  if (bytes.length < CCID_HEADER_LENGTH + length) {
    throw new CcidError('ccid-protocol', `RDR_to_PC message truncated: dwLength ${length}, ${bytes.length - 10} data bytes`);
  }
  const status = bytes[7]!;
  return {
    type: bytes[0]!,
    slot: bytes[5]!,
    seq: bytes[6]!,
    status,
    iccStatus: status & 0x03,
    commandStatus: (status >> 6) & 0x03,
    error: bytes[8]!,
    specific: bytes[9]!,
    data: bytes.slice(CCID_HEADER_LENGTH, CCID_HEADER_LENGTH + length),
  };
}

/** State of one slot in a RDR_to_PC_NotifySlotChange. */
export interface SlotChange {
  /** Slot number. */
  readonly slot: number;
  /** A card is present now. */
  readonly present: boolean;
  /** The state changed since the last notification. */
  readonly changed: boolean;
}

/** A decoded interrupt-IN message. CCID §6.3 */
export type CcidNotification =
  | {
      /** RDR_to_PC_NotifySlotChange. */
      readonly type: 'slot-change';
      /** Every slot of the bitmap (bMaxSlotIndex + 1 entries). */
      readonly slots: readonly SlotChange[];
    }
  | {
      /** RDR_to_PC_HardwareError. */
      readonly type: 'hardware-error';
      /** bSlot. */
      readonly slot: number;
      /** bSeq of the command that was running. */
      readonly seq: number;
      /** bHardwareErrorCode (01h = overcurrent). */
      readonly code: number;
    };

/**
 * Decode an interrupt-IN message: RDR_to_PC_NotifySlotChange (50h; two bits per slot, bit 0
 * present, bit 1 changed, slot 0 in the low bits) or RDR_to_PC_HardwareError (51h).
 * @param maxSlotIndex bMaxSlotIndex, to know how many slots the bitmap holds
 * @throws CcidError (`ccid-protocol`) for an unknown or truncated message
 */
export function decodeNotification(bytes: Uint8Array, maxSlotIndex: number): CcidNotification {
  const type = bytes[0];
  if (type === RDR_TO_PC.notifySlotChange) {
    const slots: SlotChange[] = [];
    for (let slot = 0; slot <= maxSlotIndex; slot++) {
      const byte = bytes[1 + (slot >> 2)];
      if (byte === undefined) break;
      const bits = (byte >> ((slot & 3) * 2)) & 0x03;
      slots.push({ slot, present: (bits & 1) !== 0, changed: (bits & 2) !== 0 });
    }
    if (slots.length === 0) throw new CcidError('ccid-protocol', 'NotifySlotChange without a slot bitmap');
    return { type: 'slot-change', slots };
  }
  if (type === RDR_TO_PC.hardwareError && bytes.length >= 4) {
    return { type: 'hardware-error', slot: bytes[1]!, seq: bytes[2]!, code: bytes[3]! };
  }
  throw new CcidError('ccid-protocol', `Unknown interrupt message ${type === undefined ? '(empty)' : byteHex(type)}`);
}

/** The bSeq counter: one byte, incremented per command, wrapping from 255 to 0. CCID §6.1 */
export class CcidSequence {
  #next: number;

  /** @param start the first bSeq (default 0) */
  constructor(start = 0) {
    this.#next = start & 0xff;
  }

  /** The bSeq for the next command. */
  next(): number {
    const seq = this.#next;
    this.#next = (seq + 1) & 0xff;
    return seq;
  }

  /** The bSeq the next command will get (without consuming it). */
  peek(): number {
    return this.#next;
  }
}

/** T=0 protocol data structure (5 bytes). CCID §6.1.7 Table 6.1-7 */
export interface T0Parameters {
  /** bProtocolNum 0. */
  readonly protocol: 0;
  /** bmFindexDindex: Fi index (high nibble) and Di index (low nibble), as TA1. */
  readonly findexDindex: number;
  /** Inverse convention (bmTCCKST0 bit 1). */
  readonly inverseConvention: boolean;
  /** bGuardTimeT0: extra guard time N (TC1). */
  readonly guardTime: number;
  /** bWaitingIntegerT0: WI (TC2). */
  readonly waitingInteger: number;
  /** bClockStop. */
  readonly clockStop: number;
}

/** T=1 protocol data structure (7 bytes). CCID §6.1.7 Table 6.1-8 */
export interface T1Parameters {
  /** bProtocolNum 1. */
  readonly protocol: 1;
  /** bmFindexDindex: Fi index (high nibble) and Di index (low nibble), as TA1. */
  readonly findexDindex: number;
  /** CRC instead of LRC (bmTCCKST1 bit 0). */
  readonly crc: boolean;
  /** Inverse convention (bmTCCKST1 bit 1). */
  readonly inverseConvention: boolean;
  /** bGuardTimeT1: extra guard time N (TC1). */
  readonly guardTime: number;
  /** BWI (bmWaitingIntegersT1 high nibble). */
  readonly bwi: number;
  /** CWI (bmWaitingIntegersT1 low nibble). */
  readonly cwi: number;
  /** bClockStop. */
  readonly clockStop: number;
  /** bIFSC: the card's information field size. */
  readonly ifsc: number;
  /** bNadValue. */
  readonly nad: number;
}

/** Either protocol data structure. */
export type ProtocolParameters = T0Parameters | T1Parameters;

/** The abProtocolDataStructure of SetParameters / RDR_to_PC_Parameters. */
export function encodeProtocolParameters(parameters: ProtocolParameters): Uint8Array<ArrayBuffer> {
  if (parameters.protocol === 0) {
    return Uint8Array.of(
      parameters.findexDindex,
      parameters.inverseConvention ? 0x02 : 0x00,
      parameters.guardTime,
      parameters.waitingInteger,
      parameters.clockStop,
    );
  }
  return Uint8Array.of(
    parameters.findexDindex,
    0x10 | (parameters.crc ? 0x01 : 0) | (parameters.inverseConvention ? 0x02 : 0),
    parameters.guardTime,
    ((parameters.bwi & 0x0f) << 4) | (parameters.cwi & 0x0f),
    parameters.clockStop,
    parameters.ifsc,
    parameters.nad,
  );
}

/**
 * Decode the abProtocolDataStructure of RDR_to_PC_Parameters.
 * @param protocol bProtocolNum (header byte 9)
 * @throws CcidError (`ccid-protocol`) for another protocol or a short structure
 */
export function decodeProtocolParameters(protocol: number, data: Uint8Array): ProtocolParameters {
  if (protocol === 0 && data.length >= 5) {
    return {
      protocol: 0,
      findexDindex: data[0]!,
      inverseConvention: (data[1]! & 0x02) !== 0,
      guardTime: data[2]!,
      waitingInteger: data[3]!,
      clockStop: data[4]!,
    };
  }
  if (protocol === 1 && data.length >= 7) {
    return {
      protocol: 1,
      findexDindex: data[0]!,
      crc: (data[1]! & 0x01) !== 0,
      inverseConvention: (data[1]! & 0x02) !== 0,
      guardTime: data[2]!,
      bwi: data[3]! >> 4,
      cwi: data[3]! & 0x0f,
      clockStop: data[4]!,
      ifsc: data[5]!,
      nad: data[6]!,
    };
  }
  throw new CcidError('ccid-protocol', `Protocol data structure for T=${protocol} of ${data.length} bytes`);
}
