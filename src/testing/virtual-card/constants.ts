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

export { AID_COMMON, AID_FACE, AID_JPKI, AID_TEXT } from '../../aps/constants.js';

/** 住基AP DF name. card-facts §2 [S] */
export const AID_JUKI = Uint8Array.of(0xd3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x01);
/** GlobalPlatform Issuer Security Domain: selecting it restores the power-on state. card-facts §2 [S] */
export const AID_ISD = Uint8Array.of(0xa0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00);

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

/** Status words the virtual card answers with. card-facts §5 "Status words" */
export const SW = {
  ok: 0x9000,
  /** 61xx more data available (only with the `getResponse` quirk) [U] */
  bytesRemaining: 0x6100,
  /** 63Cx wrong PIN / tries left [C] */
  triesLeft: 0x63c0,
  /** 6700 wrong length [S] */
  wrongLength: 0x6700,
  /** 6881 logical channel not supported [S] */
  channelNotSupported: 0x6881,
  /** 6882 secure messaging not supported (SELECT) [S] */
  smNotSupported: 0x6882,
  /** 6981 command incompatible with file structure [S] */
  incompatibleFile: 0x6981,
  /** 6982 security status not satisfied [C] */
  securityNotSatisfied: 0x6982,
  /** 6984 referenced IEF blocked [C] */
  blocked: 0x6984,
  /** 6985 conditions of use not satisfied [S] */
  conditionsNotSatisfied: 0x6985,
  /** 6986 command not allowed (no current EF) [U] */
  noCurrentEf: 0x6986,
  /** 69FC secure messaging not supported (READ/VERIFY) [S] */
  smNotSupportedData: 0x69fc,
  /** 6A80 incorrect data (new PIN of the wrong format) [U] */
  incorrectData: 0x6a80,
  /** 6A82 file / AP not found [S] */
  fileNotFound: 0x6a82,
  /** 6A83 record not found [U] */
  recordNotFound: 0x6a83,
  /** 6A86 incorrect P1-P2 [S] */
  incorrectP1P2: 0x6a86,
  /** 6A88 referenced data not found [S] */
  dataNotFound: 0x6a88,
  /** 6B00 READ BINARY offset beyond the EF [S] */
  wrongOffset: 0x6b00,
  /** 6Cxx wrong Le (only with the `wrongLe` quirk) [U] */
  wrongLe: 0x6c00,
  /** 6D00 INS not supported [U] */
  insNotSupported: 0x6d00,
  /** 6E00 CLA not supported [U] */
  claNotSupported: 0x6e00,
} as const;

/** Instruction bytes the card implements: the SDK's, plus GET RESPONSE and GET DATA. card-facts §4 */
export const INS = {
  ...SDK_INS,
  getResponse: 0xc0,
  getData: 0xca,
} as const;
