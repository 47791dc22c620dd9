/**
 * The JPKI personal-data subjectAltName (署名用電子証明書の基本4情報, cert-profile §3): six
 * `otherName`s under 1.2.392.200149.8.5.5, decoded **by OID, not by position** with the
 * project's TLV core. Browser-safe.
 * @packageDocumentation
 */
import { CryptoError } from '../errors.js';
import { eraByCode, eraCovers, type JapaneseEra } from '../calendar/japanese-era.js';
import { decodeTlv, readTlvOid, readTlvString, TlvUniversalTag, type TlvNode } from '../tlv/index.js';

/** The six JPKI SAN otherName OIDs (cert-profile §3; card-facts §6.2). */
export const JPKI_PERSON_OID = {
  /** 氏名 */
  name: '1.2.392.200149.8.5.5.1',
  /** 氏名代替文字の使用位置 */
  nameSubstitutionFlags: '1.2.392.200149.8.5.5.2',
  /** 性別 */
  sex: '1.2.392.200149.8.5.5.3',
  /** 生年月日 */
  birthDate: '1.2.392.200149.8.5.5.4',
  /** 住所 */
  address: '1.2.392.200149.8.5.5.5',
  /** 住所代替文字の使用位置 */
  addressSubstitutionFlags: '1.2.392.200149.8.5.5.6',
} as const;

type PersonField = keyof typeof JPKI_PERSON_OID;

const FIELD_BY_OID: ReadonlyMap<string, PersonField> = new Map(
  (Object.keys(JPKI_PERSON_OID) as PersonField[]).map((field) => [JPKI_PERSON_OID[field], field]),
);

/** Japanese era of the SAN birth date's first digit (cert-profile §3 [claim]): 0 unknown … 5 令和. */
export type JpkiEra = 'unknown' | JapaneseEra | 'unrecognized';

/** The SAN 生年月日: era digit + Gregorian date (cert-profile §3). */
export interface JpkiBirthDate {
  /** Era named by the first digit. */
  readonly era: JpkiEra;
  /** The era digit as written (`'0'`–`'9'`). */
  readonly eraCode: string;
  /** Gregorian date `YYYY-MM-DD` (month/day `00` are kept when the era digit is `0`, unknown). */
  readonly date: string;
  /**
   * Whether the era digit agrees with the Gregorian date. `true` for era `0` (unknown); `false`
   * for an era digit outside 0–5 or an era that does not cover the date.
   */
  readonly eraConsistent: boolean;
}

/** The 基本4情報 of a 署名用電子証明書 holder (cert-profile §3). Personal data: handle with care. */
export interface JpkiPerson {
  /** 氏名: family and given name separated by U+3000. */
  readonly name: string;
  /** 氏名代替文字の使用位置: `0`/`1` per character of {@link JpkiPerson.name} (`1` = substitute character). */
  readonly nameSubstitutionFlags: string;
  /** 生年月日. */
  readonly birthDate: JpkiBirthDate;
  /** 性別 code as written: `'1'` 男, `'2'` 女, `'3'` 不明 ([claim]). */
  readonly sex: string;
  /** 住所 from the prefecture on (full-width digits). */
  readonly address: string;
  /** 住所代替文字の使用位置: `0`/`1` per character of {@link JpkiPerson.address}. */
  readonly addressSubstitutionFlags: string;
  /**
   * Whether each flag string has exactly one character per character (code point) of the text
   * it describes, as on the real certificate (cert-profile §3). Reported, not enforced.
   */
  readonly substitutionFlagsConsistent: boolean;
}

function malformedSan(message: string, cause?: unknown): CryptoError {
  return new CryptoError(`Malformed JPKI subjectAltName: ${message}`, {
    code: 'malformed-san',
    ...(cause === undefined ? {} : { cause }),
  });
}

/** `otherName` is `[0] IMPLICIT SEQUENCE { type-id OID, [0] EXPLICIT value }` (RFC 5280 §4.2.1.6). */
const OTHER_NAME_TAG = 0xa0;
const EXPLICIT_0 = 0xa0;

/** The inner UTF8String of one JPKI otherName (cert-profile §3: 0x0C for all six). */
function otherNameValue(node: TlvNode): { oid: string; value: string } | undefined {
  const [typeId, wrapper, ...rest] = node.children;
  if (typeId === undefined || wrapper === undefined || rest.length > 0) throw malformedSan('bad otherName');
  const oid = readTlvOid(typeId);
  if (!FIELD_BY_OID.has(oid)) return undefined;
  const inner = wrapper.children;
  if (wrapper.tag !== EXPLICIT_0 || inner.length !== 1 || inner[0]!.tag !== TlvUniversalTag.UTF8_STRING) {
    throw malformedSan('JPKI otherName value must be [0] EXPLICIT UTF8String');
  }
  return { oid, value: readTlvString(inner[0]!) };
}

function isDigits(text: string, count: number): boolean {
  return text.length === count && /^[0-9]+$/.test(text);
}

function isRealDate(year: number, month: number, day: number): boolean {
  const d = new Date(Date.UTC(year, month - 1, day));
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

/**
 * Decode the 9-character SAN 生年月日 `E` + `YYYYMMDD` (cert-profile §3).
 * @throws CryptoError `malformed-san` unless it is 9 ASCII digits holding a real date (month/day
 *   `00` are allowed only with era `0`).
 */
export function decodeJpkiBirthDate(text: string): JpkiBirthDate {
  if (!isDigits(text, 9)) throw malformedSan('birth date must be 9 digits');
  const eraCode = text[0]!;
  const ymd = text.slice(1);
  const year = Number(ymd.slice(0, 4));
  const month = Number(ymd.slice(4, 6));
  const day = Number(ymd.slice(6, 8));
  const era: JpkiEra = eraCode === '0' ? 'unknown' : (eraByCode(eraCode)?.era ?? 'unrecognized');
  const partlyUnknown = era === 'unknown' && (month === 0 || day === 0);
  if (!partlyUnknown && !isRealDate(year, month, day)) throw malformedSan('birth date is not a calendar date');
  const eraConsistent = era === 'unknown' || (era !== 'unrecognized' && eraCovers(era, ymd));
  return { era, eraCode, date: `${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6, 8)}`, eraConsistent };
}

function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

/**
 * Decode the JPKI personal data from a subjectAltName extension value (DER `GeneralNames`).
 *
 * Returns `undefined` when the SAN holds none of the six JPKI otherNames. Other GeneralName
 * choices and other otherName OIDs are ignored.
 *
 * @throws CryptoError `malformed-san` when the DER is bad, a JPKI value is not a UTF8String, one
 *   of the six is missing or repeated, or the birth date / sex / flags are malformed. Messages
 *   never contain the personal data.
 */
export function decodeJpkiPerson(sanValue: Uint8Array): JpkiPerson | undefined {
  let names: readonly TlvNode[];
  try {
    const nodes = decodeTlv(sanValue);
    if (nodes.length !== 1 || nodes[0]!.tag !== TlvUniversalTag.SEQUENCE) throw malformedSan('not a SEQUENCE');
    names = nodes[0]!.children;
  } catch (error) {
    if (error instanceof CryptoError) throw error;
    throw malformedSan('bad DER', error);
  }
  const values = new Map<PersonField, string>();
  for (const node of names) {
    if (node.tag !== OTHER_NAME_TAG) continue;
    let entry: { oid: string; value: string } | undefined;
    try {
      entry = otherNameValue(node);
    } catch (error) {
      if (error instanceof CryptoError) throw error;
      throw malformedSan('bad otherName', error);
    }
    if (entry === undefined) continue;
    const field = FIELD_BY_OID.get(entry.oid)!;
    if (values.has(field)) throw malformedSan('a JPKI otherName appears twice');
    values.set(field, entry.value);
  }
  if (values.size === 0) return undefined;
  const get = (field: PersonField): string => {
    const value = values.get(field);
    if (value === undefined) throw malformedSan('a JPKI otherName is missing');
    return value;
  };
  const name = get('name');
  const address = get('address');
  const nameSubstitutionFlags = get('nameSubstitutionFlags');
  const addressSubstitutionFlags = get('addressSubstitutionFlags');
  const sex = get('sex');
  if (!isDigits(sex, 1)) throw malformedSan('sex must be one digit');
  if (!/^[01]*$/.test(nameSubstitutionFlags) || !/^[01]*$/.test(addressSubstitutionFlags)) {
    throw malformedSan('substitution flags must be 0/1 strings');
  }
  return {
    name,
    nameSubstitutionFlags,
    birthDate: decodeJpkiBirthDate(get('birthDate')),
    sex,
    address,
    addressSubstitutionFlags,
    substitutionFlagsConsistent:
      nameSubstitutionFlags.length === codePointLength(name) &&
      addressSubstitutionFlags.length === codePointLength(address),
  };
}
