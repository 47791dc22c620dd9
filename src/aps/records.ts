/**
 * Pure decoders of the records the card sessions read. They never touch the card, throw
 * `CardDataError` on malformed data, and never put a decoded value into an error message.
 * @packageDocumentation
 */
import { CardDataError } from '../errors.js';
import { decodeSimpleTlv, decodeTlv, findTlv, type TlvNode } from '../tlv/index.js';
import { isValidMyNumber } from './my-number.js';
import { TOKEN_LABEL_LENGTH, TOKEN_LABELS } from './constants.js';

/** A calendar date, ISO 8601 `YYYY-MM-DD` (validated: the day exists in the Gregorian calendar). */
export type IsoDate = `${number}-${number}-${number}`;

/** 性別 as a value. */
export type SexValue = 'male' | 'female' | 'not-applicable' | 'unknown';

/** 性別 as the card stores it (JIS X 0303): `'1'` male, `'2'` female, `'9'` not applicable, `'0'` unknown. card-facts §3.2 */
export type SexCode = '0' | '1' | '2' | '9';

/** 性別: the typed value and the card's code. */
export interface Sex {
  /** The meaning of {@link Sex.code}. */
  readonly value: SexValue;
  /** The code byte on the card, kept as it was. */
  readonly code: SexCode;
}

/** Card codes of 性別. card-facts §3.2 (1/2/9 [C], 0 [S]) */
const SEX_BY_CODE: Readonly<Record<SexCode, SexValue>> = {
  '0': 'unknown',
  '1': 'male',
  '2': 'female',
  '9': 'not-applicable',
};

/** The profile of the JPKI token: which kind of device carries the JPKI AP. */
export type CardProfile = 'card' | 'android' | 'iphone' | 'juki' | 'unknown';

/** JPKI token information (トークン情報, EF 0006). */
export interface TokenInfo {
  /** The label with trailing/leading spaces and NULs removed, e.g. `'JPKIAPICCTOKEN2'`. */
  readonly label: string;
  /** The device kind the label names; `'unknown'` for an unrecognised label. */
  readonly profile: CardProfile;
  /** The bytes read from the EF. */
  readonly raw: Uint8Array;
}

/** 基本4情報 of the 券面事項入力補助AP (EF 0002). */
export interface TextAttributes {
  /** 氏名 (surname, U+3000, given name on real cards). */
  readonly name: string;
  /** 住所. */
  readonly address: string;
  /** 生年月日 (Gregorian). */
  readonly birthDate: IsoDate;
  /** 性別. */
  readonly sex: Sex;
  /** The whole `FF20` object as read (for integrity checks against EF 0003). */
  readonly raw: Uint8Array;
}

/** Card face data of the 券面事項確認AP (EF 0002). card-facts §3.3 */
export interface FaceRecord {
  /** 生年月日 (`DF22`). */
  readonly birthDate: IsoDate;
  /** 性別 (`DF23`). */
  readonly sex: Sex;
  /** Card public key object (`DF24`, `90`/`91` RSA exponent and modulus), as stored. */
  readonly publicKey: Uint8Array;
  /** 氏名 image, PNG (`DF25`). */
  readonly nameImage: Uint8Array;
  /** 住所 image, PNG (`DF26`). */
  readonly addressImage: Uint8Array;
  /** 顔写真, JPEG 2000 (`DF27`). */
  readonly photo: Uint8Array;
  /** Signature over the face data (`DF28`, RSA-2048). */
  readonly signature: Uint8Array;
  /** 有効期限 (`DF29`). */
  readonly expiryDate: IsoDate;
  /** セキュリティコード image, PNG (`DF2A`). */
  readonly securityCodeImage: Uint8Array;
  /** The whole `FF20` object as read (what the signature covers is described in card-facts §3.3). */
  readonly raw: Uint8Array;
}

/** 個人番号 image of the 券面事項確認AP (EF 0005). card-facts §3.3 */
export interface MyNumberImage {
  /** The 個人番号 as a PNG image (`DF41`). */
  readonly image: Uint8Array;
  /** Card public key object (`DF42`), as stored. */
  readonly publicKey: Uint8Array;
  /** Signature (`DF43`). */
  readonly signature: Uint8Array;
  /** The whole `FF40` object as read. */
  readonly raw: Uint8Array;
}

/**
 * Record 1 of the 共通カードAP's EF 0001 (card-facts §3.4). Only `digits` is certain; the split
 * in `interpretation` is one implementation's reading of a test card and is **uncertain** ([D]).
 */
export interface CardIdentifier {
  /** The 28 ASCII digits of the record. */
  readonly digits: string;
  /**
   * One reading of the digits (soltia48/myna-card: serial 15 ‖ municipality code 5 ‖ expiry
   * `YYYYMMDD`); jpki/myna instead takes characters 2–14 as a 製造番号. Uncertain.
   */
  readonly interpretation: {
    /** Characters 0–14. */
    readonly serial: string;
    /** Characters 15–19: perhaps the issuing municipality's 全国地方公共団体コード (without check digit). */
    readonly municipalityCode: string;
    /** Characters 20–27 read as `YYYYMMDD`; `undefined` when they are not a calendar date. */
    readonly expiryDate: IsoDate | undefined;
  };
  /** The record bytes as read (`01 1C` + 28 digits). */
  readonly raw: Uint8Array;
}

/** Tags of the records. card-facts §3.2–§3.3 */
const TAG = {
  myNumber: 0xff10,
  attributes: 0xff20,
  offsets: 0xdf21,
  name: 0xdf22,
  address: 0xdf23,
  birthDate: 0xdf24,
  sex: 0xdf25,
  face: 0xff20,
  faceBirthDate: 0xdf22,
  faceSex: 0xdf23,
  facePublicKey: 0xdf24,
  faceName: 0xdf25,
  faceAddress: 0xdf26,
  facePhoto: 0xdf27,
  faceSignature: 0xdf28,
  faceExpiry: 0xdf29,
  faceSecurityCode: 0xdf2a,
  myNumberImage: 0xff40,
  myNumberImagePng: 0xdf41,
  myNumberImageKey: 0xdf42,
  myNumberImageSignature: 0xdf43,
} as const;

/** `01 1C`: the common AP record's simple-TLV tag. card-facts §3.4 [C] */
const COMMON_RECORD_TAG = 0x01;
const COMMON_RECORD_DIGITS = 28;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Decode the one top-level object of `bytes` (filler after it allowed) and check its tag. */
function topLevel(bytes: Uint8Array, tag: number, what: string, opaque?: readonly number[]): TlvNode {
  if (!(bytes instanceof Uint8Array)) throw new CardDataError(`${what}: expected bytes`);
  let nodes: TlvNode[];
  try {
    nodes = decodeTlv(bytes, { mode: 'ber', allowTrailing: true, ...(opaque ? { opaqueTags: opaque } : {}) });
  } catch (error) {
    throw new CardDataError(`${what}: malformed TLV data`, { cause: error });
  }
  const node = nodes[0];
  if (node === undefined || node.tag !== tag) {
    throw new CardDataError(`${what}: expected tag ${tag.toString(16).toUpperCase()}`);
  }
  return node;
}

function child(parent: TlvNode, tag: number, what: string): TlvNode {
  const node = findTlv(parent, tag);
  if (node === undefined) throw new CardDataError(`${what}: tag ${tag.toString(16).toUpperCase()} is missing`);
  return node;
}

function text(node: TlvNode, what: string): string {
  try {
    return utf8.decode(node.value);
  } catch (error) {
    throw new CardDataError(`${what} is not valid UTF-8`, { cause: error });
  }
}

function ascii(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += String.fromCharCode(b);
  return out;
}

/**
 * `YYYYMMDD` ASCII → `YYYY-MM-DD`, or `undefined` when it is not a Gregorian calendar date.
 */
export function parseCardDate(bytes: Uint8Array): IsoDate | undefined {
  if (bytes.length !== 8) return undefined;
  const s = ascii(bytes);
  if (!/^[0-9]{8}$/.test(s)) return undefined;
  const year = Number(s.slice(0, 4));
  const month = Number(s.slice(4, 6));
  const day = Number(s.slice(6, 8));
  if (year < 1 || month < 1 || month > 12 || day < 1) return undefined;
  const probe = new Date(Date.UTC(2000, month - 1, day));
  probe.setUTCFullYear(year);
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    return undefined;
  }
  return `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}` as IsoDate;
}

function date(node: TlvNode, what: string): IsoDate {
  const d = parseCardDate(node.value);
  if (d === undefined) throw new CardDataError(`${what} is not a YYYYMMDD calendar date`);
  return d;
}

function sex(node: TlvNode, what: string): Sex {
  const code = node.value.length === 1 ? String.fromCharCode(node.value[0]!) : '';
  if (!Object.hasOwn(SEX_BY_CODE, code)) throw new CardDataError(`${what} is not one of the codes 0, 1, 2, 9`);
  return { value: SEX_BY_CODE[code as SexCode], code: code as SexCode };
}

/**
 * 個人番号 from EF 0001 of the 券面事項入力補助AP: `FF 10 0C` + 12 ASCII digits (+ filler).
 * `FF10` has the constructed bit set but holds plain digits, so it is decoded as opaque.
 *
 * @throws CardDataError on bad framing, non-digits or a wrong check digit (the value is never in the message)
 */
export function decodeMyNumberRecord(bytes: Uint8Array): string {
  const node = topLevel(bytes, TAG.myNumber, '個人番号 record', [TAG.myNumber]);
  const digits = ascii(node.value);
  if (!isValidMyNumber(digits)) {
    throw new CardDataError('個人番号 record: not 12 digits with a valid check digit');
  }
  return digits;
}

/**
 * 基本4情報 from EF 0002 of the 券面事項入力補助AP:
 * `FF20 { DF21 offsets, DF22 氏名, DF23 住所, DF24 生年月日 YYYYMMDD, DF25 性別 }`. card-facts §3.2
 *
 * @throws CardDataError on bad framing, a missing tag, invalid UTF-8, a non-date or an unknown sex code
 */
export function decodeTextAttributes(bytes: Uint8Array): TextAttributes {
  const what = '基本4情報 record';
  const root = topLevel(bytes, TAG.attributes, what);
  if (!root.constructed) throw new CardDataError(`${what}: FF20 is not constructed`);
  return {
    name: text(child(root, TAG.name, what), '氏名'),
    address: text(child(root, TAG.address, what), '住所'),
    birthDate: date(child(root, TAG.birthDate, what), '生年月日'),
    sex: sex(child(root, TAG.sex, what), '性別'),
    raw: root.encoded.slice(),
  };
}

/**
 * Card face data from EF 0002 of the 券面事項確認AP:
 * `FF20 { DF21 offsets, DF22 生年月日, DF23 性別, DF24 public key, DF25 氏名 PNG, DF26 住所 PNG,
 * DF27 顔写真 JPEG 2000, DF28 signature, DF29 有効期限, DF2A セキュリティコード PNG }`. card-facts §3.3
 *
 * @throws CardDataError on bad framing, a missing tag, a non-date or an unknown sex code
 */
export function decodeFaceRecord(bytes: Uint8Array): FaceRecord {
  const what = '券面 record';
  const root = topLevel(bytes, TAG.face, what);
  if (!root.constructed) throw new CardDataError(`${what}: FF20 is not constructed`);
  const value = (tag: number): Uint8Array => child(root, tag, what).value.slice();
  return {
    birthDate: date(child(root, TAG.faceBirthDate, what), '生年月日'),
    sex: sex(child(root, TAG.faceSex, what), '性別'),
    publicKey: value(TAG.facePublicKey),
    nameImage: value(TAG.faceName),
    addressImage: value(TAG.faceAddress),
    photo: value(TAG.facePhoto),
    signature: value(TAG.faceSignature),
    expiryDate: date(child(root, TAG.faceExpiry, what), '有効期限'),
    securityCodeImage: value(TAG.faceSecurityCode),
    raw: root.encoded.slice(),
  };
}

/**
 * 個人番号 image from EF 0005 of the 券面事項確認AP: `FF40 { DF41 PNG, DF42 public key, DF43 signature }`.
 * card-facts §3.3
 *
 * @throws CardDataError on bad framing or a missing tag
 */
export function decodeMyNumberImage(bytes: Uint8Array): MyNumberImage {
  const what = '個人番号 image record';
  const root = topLevel(bytes, TAG.myNumberImage, what);
  if (!root.constructed) throw new CardDataError(`${what}: FF40 is not constructed`);
  return {
    image: child(root, TAG.myNumberImagePng, what).value.slice(),
    publicKey: child(root, TAG.myNumberImageKey, what).value.slice(),
    signature: child(root, TAG.myNumberImageSignature, what).value.slice(),
    raw: root.encoded.slice(),
  };
}

/**
 * Record 1 of the 共通カードAP's EF 0001: simple-TLV `01 1C` + 28 ASCII digits. card-facts §3.4
 *
 * @throws CardDataError when the record is not one `01` object of 28 digits
 */
export function decodeCardIdentifier(bytes: Uint8Array): CardIdentifier {
  const what = '共通カードAP record';
  let objects;
  try {
    objects = decodeSimpleTlv(bytes);
  } catch (error) {
    throw new CardDataError(`${what}: malformed simple-TLV data`, { cause: error });
  }
  const first = objects[0];
  if (first === undefined || first.tag !== COMMON_RECORD_TAG) throw new CardDataError(`${what}: expected tag 01`);
  const digits = ascii(first.value);
  if (digits.length !== COMMON_RECORD_DIGITS || !/^[0-9]+$/.test(digits)) {
    throw new CardDataError(`${what}: expected ${COMMON_RECORD_DIGITS} digits`);
  }
  return {
    digits,
    interpretation: {
      serial: digits.slice(0, 15),
      municipalityCode: digits.slice(15, 20),
      expiryDate: parseCardDate(first.value.subarray(20, 28)),
    },
    raw: bytes.slice(0, first.offset + 2 + COMMON_RECORD_DIGITS),
  };
}

/**
 * The JPKI token label (first 32 bytes of EF 0006) and the profile it names. Spaces and NULs
 * are trimmed at both ends (card-facts §3.1); an unrecognised label gives `'unknown'`.
 */
export function decodeTokenInfo(bytes: Uint8Array): TokenInfo {
  const labelBytes = bytes.subarray(0, TOKEN_LABEL_LENGTH);
  let label = '';
  for (const b of labelBytes) label += b < 0x80 ? String.fromCharCode(b) : '\uFFFD';
  label = label.replace(/^[\s\0]+|[\s\0]+$/g, '');
  const profile: CardProfile = Object.hasOwn(TOKEN_LABELS, label)
    ? TOKEN_LABELS[label as keyof typeof TOKEN_LABELS]
    : 'unknown';
  return { label, profile, raw: bytes.slice() };
}
