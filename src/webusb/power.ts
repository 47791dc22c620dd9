/**
 * Powering the card and setting its protocol up: voltage class selection (IccPowerOn, with
 * IccPowerOff between classes), the protocol the card runs after its ATR, and
 * Get/SetParameters. CCID §6.1.1, §6.1.7, §6.1.8; ISO/IEC 7816-3 §6.2.4, §6.3.1
 * @packageDocumentation
 */
import { CardRemovedError, type MynacardError } from '../errors.js';
import { activeFindexDindex, defaultProtocol, parseAtr, type AtrInfo } from './atr.js';
import { CCID_FEATURE, CCID_PROTOCOL, CCID_VOLTAGE, type CcidClassDescriptor } from './descriptor.js';
import { CCID_ERROR, CcidError, COMMAND_STATUS, ICC_STATUS, ccidFailure } from './errors.js';
import type { CcidLink } from './link.js';
import {
  POWER_SELECT,
  decodeProtocolParameters,
  getParameters,
  iccPowerOff,
  iccPowerOn,
  setParameters,
  type ProtocolParameters,
} from './messages.js';
import { T1_MAX_INF } from './t1-block.js';

/** Card supply voltage for PC_to_RDR_IccPowerOn. */
export type CcidVoltage = 'auto' | '5V' | '3V' | '1.8V';

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

/** Whether `value` is a {@link CcidVoltage}. */
export function isVoltage(value: unknown): value is CcidVoltage {
  return value === 'auto' || (typeof value === 'string' && value in POWER_SELECTS);
}

/**
 * bPowerSelect values to try, in order: the explicit voltage; else automatic selection when
 * the reader offers it; else each class of bVoltageSupport from the lowest up.
 */
export function powerSelects(descriptor: CcidClassDescriptor, voltage: CcidVoltage | undefined): number[] {
  if (voltage !== undefined && voltage !== 'auto') return [POWER_SELECTS[voltage]];
  const support = descriptor.voltageSupport;
  if (voltage === 'auto' || (descriptor.features & CCID_FEATURE.autoVoltage) !== 0 || support === 0) {
    return [POWER_SELECT.auto];
  }
  const order: number[] = [];
  if ((support & CCID_VOLTAGE.v1_8) !== 0) order.push(POWER_SELECT.v1_8);
  if ((support & CCID_VOLTAGE.v3) !== 0) order.push(POWER_SELECT.v3);
  if ((support & CCID_VOLTAGE.v5) !== 0) order.push(POWER_SELECT.v5);
  return order;
}

/**
 * IccPowerOn with each of `selects` until the card answers with an ATR.
 * @throws CardRemovedError when the slot is empty; CcidError when no class works
 */
export async function powerOn(
  link: CcidLink,
  slot: number,
  selects: readonly number[],
  signal: AbortSignal | undefined,
): Promise<Uint8Array> {
  let last: MynacardError | undefined;
  for (const select of selects) {
    const answer = await link.exchange((seq) => iccPowerOn(slot, seq, select), { allowFailure: true, signal });
    if (answer.commandStatus === COMMAND_STATUS.ok && answer.data.length >= 2) return answer.data;
    if (answer.iccStatus === ICC_STATUS.absent) throw new CardRemovedError('No card in the reader');
    last =
      answer.commandStatus === COMMAND_STATUS.ok
        ? new CcidError('ccid-bad-atr', 'The reader returned an empty ATR')
        : ccidFailure(answer.status, answer.error, 0x62);
    if (!(last instanceof CcidError) || !VOLTAGE_RETRY_CODES.has(last.code)) throw last;
    // Deactivate before trying the next class. ISO/IEC 7816-3 §6.2.4
    await link.exchange((seq) => iccPowerOff(slot, seq), { allowFailure: true, signal });
  }
  throw last ?? new CcidError('ccid-error', 'The card could not be powered on');
}

/** The protocol chosen at TPDU level and the card's IFSC. */
export interface TpduSetup {
  /** T=0 or T=1. */
  readonly protocol: 0 | 1;
  /** The card's IFSC (T=1), from the ATR or the reader's parameters. */
  readonly ifsc: number;
}

/**
 * TPDU level: pick the protocol the card runs after the ATR (no PPS is sent: in negotiable
 * mode the first offered protocol at Fd/Dd applies, ISO/IEC 7816-3 §6.3.1) and hand the
 * parameters to the reader unless it configures itself.
 */
export async function setUpTpdu(
  link: CcidLink,
  slot: number,
  descriptor: CcidClassDescriptor,
  atr: Uint8Array,
  signal: AbortSignal | undefined,
): Promise<TpduSetup> {
  const info = parseAtr(atr);
  const features = descriptor.features;
  const selfConfiguring =
    (features & (CCID_FEATURE.autoParametersFromAtr | CCID_FEATURE.autoParameterNegotiation | CCID_FEATURE.autoPps)) !== 0;
  let protocol = defaultProtocol(info);
  let ifsc = info.ifsc;
  if (selfConfiguring) {
    const current = await readParameters(link, slot, signal);
    if (current !== undefined) {
      protocol = current.protocol;
      if (current.protocol === 1 && current.ifsc >= 1 && current.ifsc <= T1_MAX_INF) ifsc = current.ifsc;
    }
  }
  if (protocol !== 0 && protocol !== 1) {
    throw new CcidError('ccid-protocol-not-supported', `The card runs T=${protocol}; only T=0 and T=1 are supported`);
  }
  if ((descriptor.protocols & (protocol === 1 ? CCID_PROTOCOL.t1 : CCID_PROTOCOL.t0)) === 0) {
    throw new CcidError('ccid-protocol-not-supported', `The reader does not support T=${protocol}, which the card runs`);
  }
  if (protocol === 1 && info.crc) {
    throw new CcidError('t1-protocol', 'The card asks for CRC error detection; only LRC is implemented');
  }
  if (!selfConfiguring) await writeParameters(link, slot, parametersFor(protocol, info), signal);
  return { protocol, ifsc };
}

/** The reader's protocol parameters for the card's ATR. CCID §6.1.7 */
function parametersFor(protocol: 0 | 1, info: AtrInfo): ProtocolParameters {
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
async function readParameters(link: CcidLink, slot: number, signal: AbortSignal | undefined): Promise<ProtocolParameters | undefined> {
  const answer = await link.exchange((seq) => getParameters(slot, seq), { allowFailure: true, signal });
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
async function writeParameters(
  link: CcidLink,
  slot: number,
  parameters: ProtocolParameters,
  signal: AbortSignal | undefined,
): Promise<void> {
  const answer = await link.exchange((seq) => setParameters(slot, seq, parameters), { allowFailure: true, signal });
  if (answer.commandStatus === COMMAND_STATUS.ok) return;
  if (answer.error === CCID_ERROR.commandNotSupported && answer.iccStatus !== ICC_STATUS.absent) return;
  throw ccidFailure(answer.status, answer.error, 0x61);
}
