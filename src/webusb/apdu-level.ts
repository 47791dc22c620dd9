/**
 * APDU-level exchanges (the reader runs the card protocol): one XfrBlock per APDU, or, at
 * extended APDU level, a command split with wLevelParameter and a response reassembled from
 * bChainParameter parts. CCID §6.1.4, §6.2.1
 * @packageDocumentation
 */
import { isExtendedCommand } from '../apdu/command.js';
import { ExtendedLengthUnsupportedError } from '../apdu/errors.js';
import { concatBytes } from '../bytes.js';
import type { CcidExchangeLevel } from './descriptor.js';
import { CcidError, COMMAND_STATUS, ccidFailure } from './errors.js';
import { CCID_HEADER_LENGTH, CHAIN_PARAMETER, LEVEL_PARAMETER, type CcidResponse } from './messages.js';
import type { XfrBlockFunction } from './xfr.js';

/** Largest short command APDU: header, Lc, 255 bytes, Le. ISO/IEC 7816-4 §5.1 */
const MAX_SHORT_COMMAND = 261;
/** Bound on wLevelParameter response parts (64 KiB in the smallest sensible parts). */
const MAX_RESPONSE_PARTS = 4096;


/** What {@link transmitApdu} needs to know about the reader. */
export interface ApduLevelContext {
  /** `short-apdu` or `extended-apdu`. */
  readonly level: CcidExchangeLevel;
  /** dwMaxCCIDMessageLength, clamped. */
  readonly maxMessageLength: number;
  /** Largest response (data + SW) accepted. */
  readonly maxResponse: number;
  /** Sends one XfrBlock. */
  readonly xfr: XfrBlockFunction;
}

/**
 * Send one command APDU at APDU level and return `data ‖ SW1 SW2`.
 * @throws ExtendedLengthUnsupportedError for an extended APDU at short level; CcidError
 */
export async function transmitApdu(apdu: Uint8Array, context: ApduLevelContext): Promise<Uint8Array> {
  if (context.level === 'short-apdu' && (isExtendedCommand(apdu) || apdu.length > MAX_SHORT_COMMAND)) {
    throw new ExtendedLengthUnsupportedError('This reader works at short APDU level: extended-length APDUs cannot be sent');
  }
  const partSize = context.maxMessageLength - CCID_HEADER_LENGTH;
  let answer: CcidResponse;
  if (apdu.length <= partSize) {
    answer = await context.xfr(apdu);
  } else if (context.level === 'extended-apdu' && partSize > 0) {
    answer = await sendChained(apdu, partSize, context);
  } else {
    throw new CcidError(
      'ccid-message-too-long',
      `The ${apdu.length}-byte command does not fit the reader's dwMaxCCIDMessageLength ${context.maxMessageLength}`,
    );
  }
  if (answer.commandStatus !== COMMAND_STATUS.ok) throw ccidFailure(answer.status, answer.error, 0x6f);
  return receiveChained(answer, context);
}

async function sendChained(apdu: Uint8Array, partSize: number, context: ApduLevelContext): Promise<CcidResponse> {
  for (let offset = 0; ; offset += partSize) {
    const end = offset + partSize >= apdu.length;
    const level = offset === 0 ? LEVEL_PARAMETER.begin : end ? LEVEL_PARAMETER.end : LEVEL_PARAMETER.middle;
    const answer = await context.xfr(apdu.subarray(offset, offset + partSize), 0, level);
    if (end || answer.commandStatus !== COMMAND_STATUS.ok) return answer;
    if (answer.specific !== CHAIN_PARAMETER.continueCommand) {
      throw new CcidError('ccid-protocol', 'The reader did not ask for the next part of a chained command (bChainParameter 10h)');
    }
  }
}

/** The response parts, joined once at the end (linear in the response length). */
async function receiveChained(first: CcidResponse, context: ApduLevelContext): Promise<Uint8Array> {
  let answer = first;
  if (answer.specific !== CHAIN_PARAMETER.begin || context.level !== 'extended-apdu') return answer.data;
  const parts: Uint8Array[] = [answer.data];
  let total = answer.data.length;
  for (let i = 0; i < MAX_RESPONSE_PARTS; i++) {
    answer = await context.xfr(new Uint8Array(0), 0, LEVEL_PARAMETER.continueResponse);
    if (answer.commandStatus !== COMMAND_STATUS.ok) throw ccidFailure(answer.status, answer.error, 0x6f);
    parts.push(answer.data);
    total += answer.data.length;
    if (total > context.maxResponse) {
      throw new CcidError('ccid-protocol', `Chained response longer than ${context.maxResponse} bytes`);
    }
    if (answer.specific === CHAIN_PARAMETER.end) return concatBytes(...parts);
    if (answer.specific !== CHAIN_PARAMETER.middle) {
      throw new CcidError('ccid-protocol', `Unexpected bChainParameter ${answer.specific} in a chained response`);
    }
  }
  throw new CcidError('ccid-protocol', 'Chained response never ended');
}
