/**
 * One handler per instruction of the virtual card. Handlers are pure functions of the parsed
 * command and the card state; transport-level behaviour (61xx chaining, extended-length
 * refusal, removal, latency, logging) lives in `card.ts`.
 *
 * Section references are to `docs/card-facts.md`; `[U]` marks a modelling choice.
 * @packageDocumentation
 */
import { sha256 } from '@noble/hashes/sha2.js';
import type { CommandApdu } from '../../apdu/command.js';
import { concatBytes, equalBytes } from '../../bytes.js';
import { AID_ISD, INS, SW, VIRTUAL_CARD_ATR } from './constants.js';
import type { ElementaryFile, FileSystem } from './file-system.js';
import { rsaSignPkcs1 } from './rsa.js';

/** Behaviour switches the handlers consult (resolved card quirks). */
export interface HandlerQuirks {
  /** Answer 6Cxx instead of a short read when a short Le exceeds what is left. */
  readonly wrongLe: boolean;
  /** Largest data field of one READ BINARY / GET RESPONSE answer. */
  readonly maxChunk: number;
  /** Whether GET RESPONSE is implemented (the `getResponse` quirk). */
  readonly getResponse: boolean;
  /** Answer to an empty VERIFY on a blocked PIN: `63C0` or `6984` (card-facts §3.2 vs §4 [S]). */
  readonly blockedQuery: '63C0' | '6984';
  /** Answer to an empty VERIFY on a PIN already verified: `tries` (63Cx) or `9000` (card-facts §4 [S]). */
  readonly verifiedQuery: 'tries' | '9000';
  /** SELECT by DF name falls back to the first DF whose name starts with the data. */
  readonly partialDfNameSelect: boolean;
  /** What SELECT by DF name with P2 `00` returns. */
  readonly selectFci: 'df-name' | 'none' | 'fcp-without-df-name';
}

/** Data a previous command left for GET RESPONSE (61xx chaining). */
export interface PendingResponse {
  data: Uint8Array;
  readonly sw: number;
  readonly sensitive: boolean;
}

/** Card state a handler may read and change. */
export interface HandlerContext {
  readonly fs: FileSystem;
  readonly quirks: HandlerQuirks;
  /** Set by `card.ts` when the `getResponse` quirk defers a response. */
  pending: PendingResponse | undefined;
}

/** What a handler answers. */
export interface HandlerResult {
  readonly data: Uint8Array;
  readonly sw: number;
  /** The data holds a 個人番号 in clear; the card's log must not keep it. */
  readonly sensitive?: boolean;
}

/** A handler for one INS. */
export type Handler = (command: CommandApdu, context: HandlerContext) => HandlerResult;

const EMPTY = new Uint8Array(0);
const status = (sw: number): HandlerResult => ({ data: EMPTY, sw });
const TRIES = (n: number): HandlerResult => status(SW.triesLeft | (n & 0x0f));
/** 6Cxx with the exact length (`00` stands for 256). */
const wrongLe = (exact: number): HandlerResult => status(SW.wrongLe | (exact & 0xff));
/** Largest DF name. ISO 7816-4 §5.3.1 */
const MAX_DF_NAME = 16;
/** SHA-256 DigestInfo prefix. card-facts §4 */
const SHA256_DIGEST_INFO_PREFIX = Uint8Array.of(
  0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
);
/** FID the card refuses: the MF cannot be selected by identifier. card-facts §2 notes [S] */
const FID_MF = 0x3f00;
/** GET DATA tag of the contact ATR without TS. card-facts §1.3 [S] */
const TAG_CONTACT_ATR = 0x5f51;

/** The SFI in a `100x xxxx` parameter byte, or `'invalid'` when bits 7–6 are set or the SFI is 0 / 31. */
function sfiOf(p: number): number | 'invalid' {
  if ((p & 0x60) !== 0) return 'invalid';
  const sfi = p & 0x1f;
  return sfi === 0 || sfi === 0x1f ? 'invalid' : sfi;
}

/**
 * Resolve the key / PIN reference in P2 of VERIFY, CHANGE REFERENCE DATA and the signature
 * command: `80` = the current EF; `80 | SFI` = the EF with that short identifier, which becomes
 * current (card-facts §9 item 2). Returns a status word on failure.
 */
function referencedEf(p2: number, context: HandlerContext): ElementaryFile | number {
  if ((p2 & 0x80) === 0) return SW.incorrectP1P2;
  if (p2 === 0x80) return context.fs.currentEf ?? SW.noCurrentEf;
  const sfi = sfiOf(p2);
  if (sfi === 'invalid') return SW.incorrectP1P2;
  return context.fs.selectEf(sfi) ?? SW.dataNotFound;
}

/** SELECT (A4). card-facts §2, §4, §9 items 1–2 */
export const select: Handler = (command, context) => {
  const { fs } = context;
  const { p1, p2, data } = command;
  switch (p1) {
    case 0x04: {
      // By DF name; P2 0C (no FCI) [C] or 00 (FCI requested: the `selectFci` quirk says what comes back [U]).
      if (p2 !== 0x0c && p2 !== 0x00) return status(SW.incorrectP1P2);
      if (data.length === 0 || data.length > MAX_DF_NAME) return status(SW.wrongLength);
      // The GlobalPlatform ISD restores the power-on state. card-facts §2 [S]
      if (equalBytes(data, AID_ISD)) {
        fs.powerOn();
        return status(SW.ok);
      }
      // Exact names, or with the `partialDfNameSelect` quirk a prefix [U]. Unknown → 6A82 (§9 item 1 [U]).
      const df = fs.findDf(data) ?? (context.quirks.partialDfNameSelect ? fs.findDfByPrefix(data) : undefined);
      if (df === undefined) return status(SW.fileNotFound);
      fs.enterDf(df);
      if (p2 === 0x00) return selectAnswer(df.aid, context.quirks.selectFci);
      return status(SW.ok);
    }
    case 0x00: {
      if (data.length === 0) {
        // `00 A4 00 00`: 6A86 at power-on, 9000 without any change once an AP is current. §2 [S]
        return status(fs.currentDf === undefined ? SW.incorrectP1P2 : SW.ok);
      }
      if (data.length !== 2) return status(SW.wrongLength);
      const fid = (data[0]! << 8) | data[1]!;
      if (fid === FID_MF) return status(SW.fileNotFound); // §2 notes [S]
      return status(fs.selectEf(fid) === undefined ? SW.fileNotFound : SW.ok); // [U]
    }
    case 0x02: {
      // EF under the current DF; P2 = 0C only. §9 item 2
      if (p2 !== 0x0c) return status(SW.incorrectP1P2);
      if (data.length !== 2) return status(SW.wrongLength);
      const fid = (data[0]! << 8) | data[1]!;
      if (fid === FID_MF) return status(SW.fileNotFound);
      return status(fs.selectEf(fid) === undefined ? SW.fileNotFound : SW.ok);
    }
    default:
      return status(SW.incorrectP1P2);
  }
};

/** SELECT's answer when the FCI was requested (ISO/IEC 7816-4 §7.4: FCI `6F`, DF name `84`). */
function selectAnswer(dfName: Uint8Array, fci: HandlerQuirks['selectFci']): HandlerResult {
  switch (fci) {
    case 'none':
      return status(SW.ok);
    case 'fcp-without-df-name':
      return { data: Uint8Array.of(0x62, 0x03, 0x82, 0x01, 0x38), sw: SW.ok }; // file descriptor: DF
    case 'df-name':
      return { data: concatBytes(Uint8Array.of(0x6f, dfName.length + 2, 0x84, dfName.length), dfName), sw: SW.ok };
  }
}

/** READ BINARY (B0). card-facts §4, §9 item 5 */
export const readBinary: Handler = (command, context) => {
  const { fs, quirks } = context;
  const { p1, p2, le } = command;
  if (command.data.length > 0 || le === undefined) return status(SW.wrongLength); // [U]
  let ef: ElementaryFile | undefined;
  let offset: number;
  if ((p1 & 0x80) !== 0) {
    // SFI form: 8-bit offset, the EF becomes current. §4 [C]
    const sfi = sfiOf(p1);
    if (sfi === 'invalid') return status(SW.incorrectP1P2);
    ef = fs.selectEf(sfi);
    if (ef === undefined) return status(SW.fileNotFound);
    offset = p2;
  } else {
    // 15-bit offset in the current EF. §4 [C]
    ef = fs.currentEf;
    if (ef === undefined) return status(SW.noCurrentEf); // [U]
    offset = (p1 << 8) | p2;
  }
  if (ef.kind !== 'binary') return status(SW.incompatibleFile); // IEF: §5 "6981" [S]
  if (!fs.allows(ef.read)) return status(SW.securityNotSatisfied); // [C]
  if (offset >= ef.data.length) return status(SW.wrongOffset); // [S]
  const left = ef.data.length - offset;
  // wrongLe quirk (T=0 style, [U]): a short Le that asks for more than is left → 6C <left>.
  if (quirks.wrongLe && !command.isExtended && le > left) return wrongLe(left);
  const n = Math.min(le, left, quirks.maxChunk); // min(Le, remaining) §9 item 5
  const result: HandlerResult = { data: ef.data.slice(offset, offset + n), sw: SW.ok };
  return ef.sensitive === true ? { ...result, sensitive: true } : result;
};

/** READ RECORD (B2), "read record P1" mode only. card-facts §3.4 */
export const readRecord: Handler = (command, context) => {
  const { fs, quirks } = context;
  const { p1, p2, le } = command;
  if (command.data.length > 0 || le === undefined) return status(SW.wrongLength);
  if ((p2 & 0x07) !== 0x04 || p1 === 0) return status(SW.incorrectP1P2); // other modes [U]
  const sfi = p2 >> 3;
  let ef: ElementaryFile | undefined;
  if (sfi === 0) {
    ef = fs.currentEf;
    if (ef === undefined) return status(SW.noCurrentEf);
  } else {
    if (sfi === 0x1f) return status(SW.incorrectP1P2);
    ef = fs.selectEf(sfi);
    if (ef === undefined) return status(SW.fileNotFound);
  }
  if (ef.kind !== 'record') return status(SW.incompatibleFile);
  if (!fs.allows(ef.read)) return status(SW.securityNotSatisfied);
  const record = ef.records[p1 - 1];
  if (record === undefined) return status(SW.recordNotFound); // [U]
  if (quirks.wrongLe && !command.isExtended && le > record.length) return wrongLe(record.length);
  return { data: record.slice(0, Math.min(le, record.length)), sw: SW.ok };
};

/** VERIFY (20). card-facts §5 "Lockout sequence", §9 item 4 */
export const verify: Handler = (command, context) => {
  const { fs, quirks } = context;
  if (command.p1 !== 0x00) return status(SW.incorrectP1P2);
  const ef = referencedEf(command.p2, context);
  if (typeof ef === 'number') return status(ef);
  if (ef.kind !== 'pin') return status(SW.incompatibleFile); // [U]
  const { pin } = ef;
  if (command.data.length === 0) {
    // Retry query: consumes nothing. [C]
    if (pin.remaining === 0) return status(quirks.blockedQuery === '6984' ? SW.blocked : SW.triesLeft);
    if (quirks.verifiedQuery === '9000' && fs.isVerified(ef.fid)) return status(SW.ok);
    return TRIES(pin.remaining);
  }
  const outcome = pin.verify(command.data);
  switch (outcome.result) {
    case 'blocked':
      return status(SW.blocked); // any value, the correct one included [C]
    case 'correct':
      fs.markVerified(ef.fid);
      return status(SW.ok);
    case 'wrong':
      // A failed VERIFY also drops an earlier success for this PIN (ISO 7816-4 §7.5.6) [U].
      fs.clearVerified(ef.fid);
      return TRIES(outcome.remaining);
  }
};

/** CHANGE REFERENCE DATA (24), P1 = 01: the data is the new value only. card-facts §4 [C] */
export const changeReferenceData: Handler = (command, context) => {
  const { fs } = context;
  if (command.p1 !== 0x01) return status(SW.incorrectP1P2); // P1=00 (old ‖ new) not used by the card [U]
  const ef = referencedEf(command.p2, context);
  if (typeof ef === 'number') return status(ef);
  if (ef.kind !== 'pin') return status(SW.incompatibleFile);
  if (command.data.length === 0) return status(SW.wrongLength);
  if (ef.pin.remaining === 0) return status(SW.blocked);
  if (!ef.pin.changeable) return status(SW.conditionsNotSatisfied); // 照合番号 [U]
  if (!fs.isVerified(ef.fid)) return status(SW.securityNotSatisfied); // VERIFY first [C]
  if (!ef.pin.acceptsFormat(command.data)) return status(SW.incorrectData); // [U]
  ef.pin.change(command.data);
  return status(SW.ok);
};

/**
 * COMPUTE DIGITAL SIGNATURE (80 2A). card-facts §4, §9 item 6.
 * P1 00 = pad the given DigestInfo [C]; 01 = hash then sign the bare hash, 02 = wrap a 32-byte
 * hash in a DigestInfo, 03 = hash and wrap [S]; 04/05 (PSS) are not modelled → 6A86.
 */
export const computeSignature: Handler = (command, context) => {
  const { fs, quirks } = context;
  const { p1, p2, data, le } = command;
  if (p1 > 0x03) return status(SW.incorrectP1P2);
  const ef = referencedEf(p2, context);
  if (typeof ef === 'number') return status(ef);
  if (ef.kind !== 'key') return status(SW.incompatibleFile);
  if (!fs.allows(ef.use)) return status(SW.securityNotSatisfied); // [C]
  const k = ef.key.byteLength;
  let input: Uint8Array;
  switch (p1) {
    case 0x00:
      input = data;
      break;
    case 0x01:
      input = sha256(data);
      break;
    case 0x02:
      if (data.length !== 32) return status(SW.conditionsNotSatisfied);
      input = concatBytes(SHA256_DIGEST_INFO_PREFIX, data);
      break;
    default:
      input = concatBytes(SHA256_DIGEST_INFO_PREFIX, sha256(data));
  }
  if (input.length === 0 || input.length > k - 11) return status(SW.conditionsNotSatisfied); // [S]
  if (le === undefined) return status(SW.wrongLength); // [U]
  if (le < k) return quirks.wrongLe && !command.isExtended ? wrongLe(k) : status(SW.wrongLength); // [U]
  return { data: rsaSignPkcs1(ef.key, input), sw: SW.ok };
};

/** GET DATA (CA): only the contact ATR at MF level is modelled. card-facts §1.3, §3.6 [S] */
export const getData: Handler = (command, context) => {
  const tag = (command.p1 << 8) | command.p2;
  if (command.le === undefined) return status(SW.wrongLength);
  if (context.fs.currentDf !== undefined || tag !== TAG_CONTACT_ATR) return status(SW.dataNotFound);
  const atr = VIRTUAL_CARD_ATR.slice(1); // without TS
  return { data: atr.slice(0, Math.min(command.le, atr.length)), sw: SW.ok };
};

/** GET RESPONSE (C0), only with the `getResponse` quirk. [U] (no trace shows 61xx, card-facts §5) */
export const getResponse: Handler = (command, context) => {
  if (!context.quirks.getResponse) return status(SW.insNotSupported);
  if (command.p1 !== 0 || command.p2 !== 0) return status(SW.incorrectP1P2);
  if (command.le === undefined || command.data.length > 0) return status(SW.wrongLength);
  const pending = context.pending;
  if (pending === undefined) return status(SW.conditionsNotSatisfied); // [U]
  const n = Math.min(command.le, pending.data.length, context.quirks.maxChunk);
  const chunk = pending.data.slice(0, n);
  const rest = pending.data.subarray(n);
  const sensitive = pending.sensitive;
  if (rest.length === 0) {
    context.pending = undefined;
    return { data: chunk, sw: pending.sw, sensitive };
  }
  pending.data = rest;
  return { data: chunk, sw: SW.bytesRemaining | (rest.length > 0xff ? 0 : rest.length), sensitive };
};

/** The handler of each implemented INS. */
export const HANDLERS: ReadonlyMap<number, Handler> = new Map<number, Handler>([
  [INS.select, select],
  [INS.readBinary, readBinary],
  [INS.readRecord, readRecord],
  [INS.verify, verify],
  [INS.changeReferenceData, changeReferenceData],
  [INS.computeSignature, computeSignature],
  [INS.getData, getData],
  [INS.getResponse, getResponse],
]);

/** INS whose CLA must be the proprietary class `80` (the JPKI signature). card-facts §4 [C] */
export const PROPRIETARY_INS: ReadonlySet<number> = new Set([INS.computeSignature]);
