/**
 * Card facts the virtual My Number Card is built from. The facts the SDK's card sessions also
 * use come from `src/aps/constants.ts` (one source); this module adds only what the virtual card
 * alone needs. Each constant names the section of `docs/card-facts.md` it comes from; `[U]`
 * marks a modelling choice where no source confirms the real card's behaviour.
 * @packageDocumentation
 */
import {
  FACE_EF as SDK_FACE_EF,
  INS as SDK_INS,
  JPKI_EF as SDK_JPKI_EF,
  MAX_TRIES as SDK_MAX_TRIES,
  TEXT_EF as SDK_TEXT_EF,
} from '../../aps/constants.js';
import { SW as SDK_SW } from '../../apdu/sw.js';

export { AID_COMMON, AID_FACE, AID_ISD, AID_JPKI, AID_JUKI, AID_TEXT } from '../../aps/constants.js';

/**
 * Contact ATR reported to a PC/SC bridge. card-facts §1.2 (OpenSC's table entry). Nothing may
 * identify the card by it (card-facts §1.3); the SDK selects the AID instead.
 */
export const VIRTUAL_CARD_ATR = Uint8Array.of(0x3b, 0xe0, 0x00, 0xff, 0x81, 0x31, 0xfe, 0x45, 0x14);

/** JPKI AP elementary files: the SDK's, plus the EFs the SDK never reads. card-facts §3.1 */
export const JPKI_EF = {
  ...SDK_JPKI_EF,
  /** 3-byte certificate-presence flags [C existence, S meaning] */
  certFlags: 0x0008,
  /** Unknown protected EF [C existence] */
  protected0009: 0x0009,
} as const;

/** 券面事項入力補助AP elementary files: the SDK's, plus the EFs the SDK never reads. card-facts §3.2 */
export const TEXT_EF = {
  ...SDK_TEXT_EF,
  /** AP basic info [C] */
  basicInfo: 0x0005,
  /** A key reference found blocked on every card examined [S] */
  blocked0012: 0x0012,
} as const;

/** 券面事項確認AP elementary files: the SDK's, plus the EFs the SDK never reads. card-facts §3.3 */
export const FACE_EF = {
  ...SDK_FACE_EF,
  /** Age record (birth-date key) [S] */
  age: 0x0001,
  /** AP basic info [C] */
  basicInfo: 0x0003,
  /** Unknown, 16 × FF, A or B [S] */
  unknown0006: 0x0006,
  /** 生年月日 key (6 digits) [C existence] */
  birthDateKey: 0x0011,
} as const;

/** 共通カードAP elementary files. card-facts §3.4 */
export const COMMON_EF = {
  /** Record EF, record 1 = `01 1C` + 28 digits [C readable without PIN] */
  record: 0x0001,
  /** 16-byte key reference [S] */
  keyReference: 0x0002,
} as const;

/** Retry counters. card-facts §5 */
export const MAX_TRIES = {
  /** Auth PIN: 3 [C] */
  auth: SDK_MAX_TRIES.authPin,
  /** Signing password: 5 [C] */
  sign: SDK_MAX_TRIES.signPassword,
  /** Text-AP PIN: 3 [C] */
  text: SDK_MAX_TRIES.textPin,
  /** 照合番号A: unknown [U]; modelling choice, configurable through `tries`. */
  verificationA: 10,
  /** 照合番号B: unknown [U]; modelling choice, configurable through `tries`. */
  verificationB: 10,
  /** 生年月日 key: unknown [U]; modelling choice. */
  birthDate: 10,
} as const;

/** Status words the virtual card answers with (values from the SDK's `SW` where it names them). card-facts §5 "Status words" */
export const SW = {
  ok: SDK_SW.OK,
  /** 61xx more data available (only with the `getResponse` quirk) [U] */
  bytesRemaining: 0x6100,
  /** 63Cx wrong PIN / tries left [C] */
  triesLeft: SDK_SW.PIN_BLOCKED_COUNTER,
  /** 6700 wrong length [S] */
  wrongLength: SDK_SW.WRONG_LENGTH,
  /** 6881 logical channel not supported [S] */
  channelNotSupported: SDK_SW.LOGICAL_CHANNEL_NOT_SUPPORTED,
  /** 6882 secure messaging not supported (SELECT) [S] */
  smNotSupported: SDK_SW.SECURE_MESSAGING_NOT_SUPPORTED,
  /** 6981 command incompatible with file structure [S] */
  incompatibleFile: 0x6981,
  /** 6982 security status not satisfied [C] */
  securityNotSatisfied: SDK_SW.SECURITY_STATUS_NOT_SATISFIED,
  /** 6984 referenced IEF blocked [C] */
  blocked: SDK_SW.REFERENCE_DATA_NOT_USABLE,
  /** 6985 conditions of use not satisfied [S] */
  conditionsNotSatisfied: SDK_SW.CONDITIONS_NOT_SATISFIED,
  /** 6986 command not allowed (no current EF) [U] */
  noCurrentEf: 0x6986,
  /** 69FC secure messaging not supported (READ/VERIFY) [S] */
  smNotSupportedData: 0x69fc,
  /** 6A80 incorrect data (new PIN of the wrong format) [U] */
  incorrectData: SDK_SW.WRONG_DATA,
  /** 6A82 file / AP not found [S] */
  fileNotFound: SDK_SW.FILE_NOT_FOUND,
  /** 6A83 record not found [U] */
  recordNotFound: 0x6a83,
  /** 6A86 incorrect P1-P2 [S] */
  incorrectP1P2: SDK_SW.INCORRECT_P1P2,
  /** 6A88 referenced data not found [S] */
  dataNotFound: SDK_SW.REFERENCED_DATA_NOT_FOUND,
  /** 6B00 READ BINARY offset beyond the EF [S] */
  wrongOffset: SDK_SW.WRONG_OFFSET,
  /** 6Cxx wrong Le (only with the `wrongLe` quirk) [U] */
  wrongLe: 0x6c00,
  /** 6D00 INS not supported [U] */
  insNotSupported: SDK_SW.INS_NOT_SUPPORTED,
  /** 6E00 CLA not supported [U] */
  claNotSupported: SDK_SW.CLA_NOT_SUPPORTED,
} as const;

/** Instruction bytes the card implements: the SDK's, plus GET RESPONSE and GET DATA. card-facts §4 */
export const INS = {
  ...SDK_INS,
  getResponse: 0xc0,
  getData: 0xca,
} as const;
