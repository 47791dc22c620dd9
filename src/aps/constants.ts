/**
 * Card facts the card sessions are built on: AIDs, EF identifiers, SFIs, retry limits and the
 * JPKI token labels. Each constant names its section of the card facts (`docs/card-facts.md`).
 * @packageDocumentation
 */

/** 公的個人認証AP (JPKI AP) DF name. card-facts §2 [C] */
export const AID_JPKI = Uint8Array.of(0xd3, 0x92, 0xf0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01);
/** 券面事項入力補助AP (text AP) DF name. card-facts §2 [C] */
export const AID_TEXT = Uint8Array.of(0xd3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x08);
/** 券面事項確認AP (face AP) DF name. card-facts §2 [C] */
export const AID_FACE = Uint8Array.of(0xd3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x02);
/** 共通カードAP DF name (existence [C], naming [D]). card-facts §2 */
export const AID_COMMON = Uint8Array.of(0xd3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x01, 0x00);
/** 住基AP DF name (never selected by the SDK; card APs may not use it). card-facts §2 [S] */
export const AID_JUKI = Uint8Array.of(0xd3, 0x92, 0x10, 0x00, 0x31, 0x00, 0x01, 0x01, 0x04, 0x01);
/**
 * GlobalPlatform Issuer Security Domain: selecting it restores the power-on state (card APs may
 * not use it). card-facts §2 [S]
 */
export const AID_ISD = Uint8Array.of(0xa0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00);

/** The applications a {@link MyNumberCard} session selects. */
export type ApplicationId = 'jpki' | 'text' | 'face' | 'common';

/** DF name of each application. card-facts §2 */
export const AIDS: Readonly<Record<ApplicationId, Uint8Array>> = {
  jpki: AID_JPKI,
  text: AID_TEXT,
  face: AID_FACE,
  common: AID_COMMON,
};

/** Official names, used in error contexts (never personal data). */
export const AP_NAMES: Readonly<Record<ApplicationId, string>> = {
  jpki: '公的個人認証AP (JPKI)',
  text: '券面事項入力補助AP (text)',
  face: '券面事項確認AP (face)',
  common: '共通カードAP (common)',
};

/** JPKI AP EF identifiers. card-facts §3.1 */
export const JPKI_EF = {
  /** 署名用電子証明書; read needs the signing password. card-facts §3.1 [C] */
  signCert: 0x0001,
  /** 署名用CA証明書. card-facts §3.1 [C] */
  signCaCert: 0x0002,
  /** Token information (32-byte label first). card-facts §3.1 [C] */
  token: 0x0006,
  /** 利用者証明用電子証明書. card-facts §3.1 [C] */
  authCert: 0x000a,
  /** 利用者証明用CA証明書. card-facts §3.1 [C] */
  authCaCert: 0x000b,
  /** Auth private key. card-facts §3.1 [C] */
  authKey: 0x0017,
  /** 利用者証明用電子証明書 暗証番号 (IEF). card-facts §3.1 [C] */
  authPin: 0x0018,
  /** Signing private key. card-facts §3.1 [C] */
  signKey: 0x001a,
  /** 署名用電子証明書 パスワード (IEF). card-facts §3.1 [C] */
  signPin: 0x001b,
} as const;

/** 券面事項入力補助AP EF identifiers. card-facts §3.2 */
export const TEXT_EF = {
  /** 個人番号 `FF10`. card-facts §3.2 [C] */
  myNumber: 0x0001,
  /** 基本4情報 `FF20`. card-facts §3.2 [C] */
  attributes: 0x0002,
  /** Integrity record `FF30` (DF31/DF32 digests, DF33 signature); PIN, 照合番号A or B. card-facts §3.2 [C] */
  integrity: 0x0003,
  /** Card-verifiable certificate `7F21`; readable without a secret. card-facts §3.2 [C] */
  cvCertificate: 0x0004,
  /** 券面事項入力補助用 暗証番号 (IEF). card-facts §3.2 [C] */
  pin: 0x0011,
  /** 照合番号A (IEF). card-facts §3.2 [C] */
  verificationA: 0x0014,
  /** 照合番号B (IEF). card-facts §3.2 [C] */
  verificationB: 0x0015,
} as const;

/** 券面事項確認AP EF identifiers. card-facts §3.3 */
export const FACE_EF = {
  /** Card face record `FF20`. card-facts §3.3 [C] */
  face: 0x0002,
  /** Card-verifiable certificate `7F21` (as in the text AP); readable without a secret. card-facts §3.3 [C] */
  cvCertificate: 0x0004,
  /** 個人番号 image `FF40`, 照合番号A only. card-facts §3.3 [C] */
  myNumberImage: 0x0005,
  /** 照合番号B (IEF). card-facts §3.3 [C] */
  verificationB: 0x0012,
  /** 照合番号A (IEF). card-facts §3.3 [C] */
  verificationA: 0x0013,
} as const;

/** 共通カードAP: record EF (record 1 = simple-TLV `01 1C` + 28 digits). card-facts §3.4 [C] */
export const COMMON_RECORD_SFI = 0x01;

/** Bytes of the token label at the start of JPKI EF 0006 (space-padded). card-facts §3.1 [C] */
export const TOKEN_LABEL_LENGTH = 0x20;

/** P1 of READ BINARY / P2 of VERIFY addressing an EF by SFI: `80 | SFI`. card-facts §4 [C] */
export function sfiReference(fid: number): number {
  // Every EF of every AP is in 0001–001E, so its low five bits are its SFI. card-facts (intro) [S]
  return 0x80 | (fid & 0x1f);
}

/** Retry limits. card-facts §5 */
export const MAX_TRIES = {
  /** Auth PIN (4 digits): 3 tries. card-facts §5 [C] */
  authPin: 3,
  /** Signing password (6–16 chars): 5 tries. card-facts §5 [C] */
  signPassword: 5,
  /** Text-AP PIN (4 digits): 3 tries. card-facts §5 [C] */
  textPin: 3,
} as const;

/** Label prefixes of JPKI token EF 0006 and the card profile each one names. card-facts §3.1 */
export const TOKEN_LABELS = {
  /** マイナンバーカード. card-facts §3.1 [C] */
  JPKIAPICCTOKEN2: 'card',
  /** 住基カード (older card). card-facts §3.1 [C] */
  JPKIAPICCTOKEN: 'juki',
  /** Android スマホ用電子証明書. card-facts §3.1 [C], §7 */
  JPKIAPGPSETOKEN: 'android',
  /** iPhone のマイナンバーカード. card-facts §3.1 [S], §7 */
  JPKIAPIOSTOKEN: 'iphone',
} as const;

/** Instruction bytes. card-facts §4 */
export const INS = {
  verify: 0x20,
  changeReferenceData: 0x24,
  computeSignature: 0x2a,
  select: 0xa4,
  readBinary: 0xb0,
  readRecord: 0xb2,
} as const;

/** Proprietary CLA of the JPKI signature command `80 2A 00 80`. card-facts §4 [C] */
export const CLA_PROPRIETARY = 0x80;
/** P2 of `80 2A`: use the current EF's key (selected just before). card-facts §4 [C] */
export const SIGN_P2_CURRENT_KEY = 0x80;
/** P1 of `00 24`: CHANGE REFERENCE DATA with the new value only (old one VERIFYed). card-facts §4 [C] */
export const CHANGE_P1_NEW_ONLY = 0x01;
/** P2 of `00 24`: the current EF (the PIN IEF selected before). card-facts §4 [C] */
export const CHANGE_P2_CURRENT_EF = 0x80;
/** SELECT P1: by DF name. card-facts §4 [C] */
export const SELECT_BY_NAME = 0x04;
/** SELECT P1: EF under the current DF. card-facts §4 [C] */
export const SELECT_EF = 0x02;
/** SELECT P2: no FCI returned. card-facts §4 [C] */
export const SELECT_NO_FCI = 0x0c;
/** READ RECORD P2: record number in P1, SFI in the high five bits (`SFI << 3 | 4`). card-facts §3.4 [C] */
export const READ_RECORD_P2_SFI1 = (COMMON_RECORD_SFI << 3) | 0x04;
/** Short Le for chunked reads. card-facts §8 [C] */
export const SHORT_CHUNK = 256;
/** Largest offset a READ BINARY P1P2 can address (15 bits). card-facts §4 [C] */
export const MAX_READ_OFFSET = 0x7fff;
/**
 * Shortest signature `80 2A` may return: the JPKI keys are RSA-2048, so a PKCS#1 v1.5 signature
 * is 256 bytes. card-facts §4 "response = 256-byte signature + 9000" [C]; a longer one (a
 * future larger key) is accepted.
 */
export const MIN_SIGNATURE_LENGTH = 256;
