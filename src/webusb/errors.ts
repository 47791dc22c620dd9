/**
 * Errors of the WebUSB CCID transport and the mapping of a reader's status bytes
 * (bmICCStatus, bmCommandStatus, bError; CCID rev 1.1 §6.2.6) to `MynacardError` subclasses.
 * @packageDocumentation
 */
import { CardRemovedError, MynacardError, type CcidErrorCode } from '../errors.js';

export type { CcidErrorCode } from '../errors.js';


/** A USB CCID reader (or the T=1 link to the card behind it) reported or caused a failure. */
export class CcidError extends MynacardError {
  declare readonly code: CcidErrorCode;
  /** The reader's bError byte, when the failure came from a RDR_to_PC message. */
  readonly bError: number | undefined;
  /** bMessageType of the PC_to_RDR command that failed, when known. */
  readonly messageType: number | undefined;

  constructor(
    code: CcidErrorCode,
    message: string,
    options?: { bError?: number | undefined; messageType?: number | undefined; cause?: unknown },
  ) {
    super(code, message, options);
    this.name = 'CcidError';
    this.bError = options?.bError;
    this.messageType = options?.messageType;
  }
}

/** bError values of CCID rev 1.1 Table 6.2-2 (slot error register). */
export const CCID_ERROR = {
  /** CMD_ABORTED */
  commandAborted: 0xff,
  /** ICC_MUTE */
  iccMute: 0xfe,
  /** XFR_PARITY_ERROR */
  parityError: 0xfd,
  /** XFR_OVERRUN */
  overrun: 0xfc,
  /** HW_ERROR */
  hardwareError: 0xfb,
  /** BAD_ATR_TS */
  badAtrTs: 0xf8,
  /** BAD_ATR_TCK */
  badAtrTck: 0xf7,
  /** ICC_PROTOCOL_NOT_SUPPORTED */
  protocolNotSupported: 0xf6,
  /** ICC_CLASS_NOT_SUPPORTED */
  classNotSupported: 0xf5,
  /** PROCEDURE_BYTE_CONFLICT */
  procedureByteConflict: 0xf4,
  /** DEACTIVATED_PROTOCOL */
  deactivatedProtocol: 0xf3,
  /** BUSY_WITH_AUTO_SEQUENCE */
  busyWithAutoSequence: 0xf2,
  /** PIN_TIMEOUT */
  pinTimeout: 0xf0,
  /** PIN_CANCELLED */
  pinCancelled: 0xef,
  /** CMD_SLOT_BUSY */
  slotBusy: 0xe0,
  /** Command not supported */
  commandNotSupported: 0x00,
} as const;

/** bmICCStatus (bStatus bits 1–0). CCID §6.2.6 */
export const ICC_STATUS = {
  /** An ICC is present and active (powered). */
  active: 0,
  /** An ICC is present and inactive (not powered, or reset by a new insertion). */
  inactive: 1,
  /** No ICC is present. */
  absent: 2,
} as const;

/** bmCommandStatus (bStatus bits 7–6). CCID §6.2.6 */
export const COMMAND_STATUS = {
  /** Processed without error. */
  ok: 0,
  /** Failed; the error code is in bError. */
  failed: 1,
  /** Time extension requested; the answer follows later. */
  timeExtension: 2,
} as const;

const ERROR_CODES: ReadonlyMap<number, readonly [CcidErrorCode, string]> = new Map([
  [CCID_ERROR.commandAborted, ['ccid-aborted', 'the command was aborted']],
  [CCID_ERROR.iccMute, ['ccid-icc-mute', 'the card did not answer (ICC mute)']],
  [CCID_ERROR.parityError, ['ccid-transfer-error', 'parity error on the card line']],
  [CCID_ERROR.overrun, ['ccid-transfer-error', 'buffer overrun on the card line']],
  [CCID_ERROR.hardwareError, ['ccid-hardware-error', 'hardware error']],
  [CCID_ERROR.badAtrTs, ['ccid-bad-atr', 'bad ATR (TS)']],
  [CCID_ERROR.badAtrTck, ['ccid-bad-atr', 'bad ATR (TCK)']],
  [CCID_ERROR.protocolNotSupported, ['ccid-protocol-not-supported', 'the card protocol is not supported']],
  [CCID_ERROR.classNotSupported, ['ccid-class-not-supported', 'the card voltage class is not supported']],
  [CCID_ERROR.procedureByteConflict, ['ccid-procedure-byte-conflict', 'procedure byte conflict']],
  [CCID_ERROR.deactivatedProtocol, ['ccid-deactivated-protocol', 'deactivated protocol']],
  [CCID_ERROR.busyWithAutoSequence, ['ccid-slot-busy', 'busy with an automatic sequence']],
  [CCID_ERROR.pinTimeout, ['ccid-pin-timeout', 'PIN entry timed out']],
  [CCID_ERROR.pinCancelled, ['ccid-pin-cancelled', 'PIN entry cancelled']],
  [CCID_ERROR.slotBusy, ['ccid-slot-busy', 'the slot is busy']],
  [CCID_ERROR.commandNotSupported, ['ccid-command-not-supported', 'command not supported']],
]);

/** Hex of one byte, `0xNN`. */
export function byteHex(value: number): string {
  return `0x${value.toString(16).padStart(2, '0')}`;
}

/** Name of a PC_to_RDR message for error messages. */
function messageName(messageType: number | undefined): string {
  switch (messageType) {
    case 0x62:
      return 'IccPowerOn';
    case 0x63:
      return 'IccPowerOff';
    case 0x65:
      return 'GetSlotStatus';
    case 0x6f:
      return 'XfrBlock';
    case 0x6c:
      return 'GetParameters';
    case 0x6d:
      return 'ResetParameters';
    case 0x61:
      return 'SetParameters';
    case 0x72:
      return 'Abort';
    default:
      return messageType === undefined ? 'command' : `message ${byteHex(messageType)}`;
  }
}

/**
 * The error for a RDR_to_PC answer whose bmCommandStatus is "failed": `CardRemovedError` when
 * bmICCStatus says no card is present (unless bError names a rejected field), a
 * {@link CcidError} otherwise (its `code` from bError).
 */
export function ccidFailure(bStatus: number, bError: number, messageType?: number): MynacardError {
  const icc = bStatus & 0x03;
  const what = messageName(messageType);
  const badParameter = bError >= 0x01 && bError <= 0x7f;
  // A rejected field (e.g. bSlot of a slot that does not exist) is reported as such, whatever bmICCStatus says.
  if (icc === ICC_STATUS.absent && !badParameter) return new CardRemovedError(`No card in the reader (${what} failed)`);
  const known = ERROR_CODES.get(bError);
  if (known !== undefined) {
    return new CcidError(known[0], `CCID ${what} failed: ${known[1]} (bError ${byteHex(bError)})`, {
      bError,
      messageType,
    });
  }
  if (badParameter) {
    return new CcidError('ccid-bad-parameter', `CCID ${what} failed: the reader rejected the field at offset ${bError}`, {
      bError,
      messageType,
    });
  }
  return new CcidError('ccid-error', `CCID ${what} failed (bError ${byteHex(bError)})`, { bError, messageType });
}
