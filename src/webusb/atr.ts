/**
 * The parts of an Answer-to-Reset the CCID transport needs (ISO/IEC 7816-3 §8.2–8.3, §11.4):
 * the offered protocols, TA1/TC1/TA2, and the T=1 parameters IFSC, BWI/CWI and the EDC kind.
 * Only used to drive the link; the card is never identified by its ATR (the SDK selects AIDs).
 * @packageDocumentation
 */
import { CcidError } from './errors.js';

/** Defaults of ISO/IEC 7816-3 when the ATR is silent. */
export const ATR_DEFAULTS = {
  /** Fi/Di indexes (Fd = 372, Dd = 1). §8.3 */
  findexDindex: 0x11,
  /** IFSC (TA(i) for T=1, i ≥ 3). §11.4.2 */
  ifsc: 32,
  /** BWI (TB(i) for T=1 high nibble). §11.4.3 */
  bwi: 4,
  /** CWI (TB(i) for T=1 low nibble). §11.4.3 */
  cwi: 13,
  /** WI of T=0 (TC2). §10.2 */
  waitingInteger: 10,
} as const;

/** What {@link parseAtr} extracts. */
export interface AtrInfo {
  /** TS: 3Bh direct, 3Fh inverse convention. */
  readonly convention: 'direct' | 'inverse';
  /** Protocols offered, in ATR order (T=0 when no TD1). */
  readonly protocols: readonly number[];
  /** TA1 (Fi/Di), when present. */
  readonly ta1?: number;
  /** TC1 (extra guard time N), when present. */
  readonly tc1?: number;
  /** TA2 present: the card is in specific mode with this protocol (TA2 bits 4–1). */
  readonly specificProtocol?: number;
  /** TA2 bit 5: in specific mode, use the default Fd/Dd instead of TA1. */
  readonly specificUsesDefaults?: boolean;
  /** T=1 information field size of the card (TA(i), i ≥ 3, after a TD with T=1). */
  readonly ifsc: number;
  /** T=1 block waiting integer. */
  readonly bwi: number;
  /** T=1 character waiting integer. */
  readonly cwi: number;
  /** T=1 error detection: CRC (TC(i) bit 0 = 1) or LRC. */
  readonly crc: boolean;
  /** T=0 waiting integer (TC2). */
  readonly waitingInteger: number;
  /** The historical bytes. */
  readonly historical: Uint8Array;
}

function badAtr(message: string): CcidError {
  return new CcidError('ccid-bad-atr', `Malformed ATR: ${message}`);
}

/**
 * Parse an ATR.
 * @throws CcidError (`ccid-bad-atr`) for an unknown TS or a truncated ATR
 */
export function parseAtr(atr: Uint8Array): AtrInfo {
  const ts = atr[0];
  if (ts !== 0x3b && ts !== 0x3f) throw badAtr('TS is neither 3Bh nor 3Fh');
  if (atr.length < 2) throw badAtr('no T0');
  const t0 = atr[1]!;
  const historicalLength = t0 & 0x0f;
  let y = t0 >> 4;
  let offset = 2;
  let i = 1;
  let currentProtocol = 0;
  const protocols: number[] = [];
  let ta1: number | undefined;
  let tc1: number | undefined;
  let ta2: number | undefined;
  let ifsc: number | undefined;
  let bwiCwi: number | undefined;
  let edc: number | undefined;
  let tc2: number | undefined;
  const take = (): number => {
    const byte = atr[offset++];
    if (byte === undefined) throw badAtr('interface bytes truncated');
    return byte;
  };
  for (;;) {
    const ta = (y & 0x1) !== 0 ? take() : undefined;
    const tb = (y & 0x2) !== 0 ? take() : undefined;
    const tc = (y & 0x4) !== 0 ? take() : undefined;
    const td = (y & 0x8) !== 0 ? take() : undefined;
    if (i === 1) {
      ta1 = ta;
      tc1 = tc;
    } else if (i === 2) {
      ta2 = ta;
      tc2 = tc;
    }
    // TA(i)/TB(i)/TC(i) for i ≥ 3 after a TD(i−1) indicating T=1 are the T=1 parameters. §11.4
    if (i >= 3 && currentProtocol === 1) {
      if (ta !== undefined && ifsc === undefined) ifsc = ta;
      if (tb !== undefined && bwiCwi === undefined) bwiCwi = tb;
      if (tc !== undefined && edc === undefined) edc = tc;
    }
    if (td === undefined) break;
    currentProtocol = td & 0x0f;
    if (currentProtocol !== 15 && !protocols.includes(currentProtocol)) protocols.push(currentProtocol);
    y = td >> 4;
    i++;
  }
  if (offset + historicalLength > atr.length) throw badAtr('historical bytes truncated');
  const historical = atr.slice(offset, offset + historicalLength);
  if (protocols.length === 0) protocols.push(0);
  return {
    convention: ts === 0x3f ? 'inverse' : 'direct',
    protocols,
    ...(ta1 === undefined ? {} : { ta1 }),
    ...(tc1 === undefined ? {} : { tc1 }),
    ...(ta2 === undefined ? {} : { specificProtocol: ta2 & 0x0f, specificUsesDefaults: (ta2 & 0x10) !== 0 }),
    // IFSC 00h and FFh are invalid (§11.4.2): keep the default then.
    ifsc: ifsc === undefined || ifsc === 0 || ifsc === 0xff ? ATR_DEFAULTS.ifsc : ifsc,
    bwi: bwiCwi === undefined ? ATR_DEFAULTS.bwi : bwiCwi >> 4,
    cwi: bwiCwi === undefined ? ATR_DEFAULTS.cwi : bwiCwi & 0x0f,
    crc: edc !== undefined && (edc & 0x01) !== 0,
    waitingInteger: tc2 === undefined || tc2 === 0 ? ATR_DEFAULTS.waitingInteger : tc2,
    historical,
  };
}

/**
 * The protocol the card uses right after the ATR without PPS (ISO/IEC 7816-3 §6.3.1): the
 * TA2 protocol in specific mode, else the first offered one.
 */
export function defaultProtocol(info: AtrInfo): number {
  return info.specificProtocol ?? info.protocols[0] ?? 0;
}

/**
 * Fi/Di in force without PPS: TA1 in specific mode (unless TA2 bit 5 says default values),
 * the defaults (11h) in negotiable mode. ISO/IEC 7816-3 §6.3.1
 */
export function activeFindexDindex(info: AtrInfo): number {
  if (info.specificProtocol !== undefined && info.specificUsesDefaults !== true && info.ta1 !== undefined) return info.ta1;
  return ATR_DEFAULTS.findexDindex;
}
