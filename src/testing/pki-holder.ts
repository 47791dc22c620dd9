/**
 * The fictional holder of a TEST card: the 基本4情報 as the JPKI SAN writes them (era digit +
 * Gregorian 生年月日, substitution flags), and the 5th-birthday end of a leaf's validity.
 * @packageDocumentation
 */
import { eraOf, type JapaneseEraCode } from '../calendar/japanese-era.js';
import { InvalidArgumentError } from '../errors.js';

/** 性別 code in the JPKI SAN (cert-profile §3, [claim]: 1 男, 2 女, 3 不明). */
export type TestSex = '1' | '2' | '3';

/** Era digit of the SAN 生年月日 (cert-profile §3): 1 明治, 2 大正, 3 昭和, 4 平成, 5 令和. */
export type EraCode = JapaneseEraCode;

/** A fictional card holder (基本4情報 plus 個人番号) for test cards. */
export interface TestHolder {
  /** 氏名: family and given name separated by U+3000 (ideographic space), e.g. `由利　花子`. */
  readonly name: string;
  /** 氏名代替文字 flags, one `0`/`1` per character of `name`; all `0` when omitted. */
  readonly nameSubstitutionFlags?: string;
  /** 住所 from the prefecture, no postal code, full-width digits, e.g. `秋田県由利本荘市尾崎１７番地`. */
  readonly address: string;
  /** 住所代替文字 flags, one `0`/`1` per character of `address`; all `0` when omitted. */
  readonly addressSubstitutionFlags?: string;
  /** 生年月日, Gregorian `YYYY-MM-DD`. */
  readonly birthDate: string;
  /** 性別 code. */
  readonly sex: TestSex;
  /** 個人番号: 12 digits with a valid check digit (fictional). Not put in any certificate. */
  readonly myNumber: string;
}

/** The six JPKI SAN string values of a holder, exactly as they go into the certificate. */
export interface JpkiSanValues {
  /** 5.5.1 氏名 */
  readonly name: string;
  /** 5.5.2 氏名代替文字 flags (one per character of `name`) */
  readonly nameSubstitutionFlags: string;
  /** 5.5.3 性別 */
  readonly sex: TestSex;
  /** 5.5.4 生年月日: era digit + Gregorian `YYYYMMDD` */
  readonly birthDate: string;
  /** 5.5.5 住所 */
  readonly address: string;
  /** 5.5.6 住所代替文字 flags (one per character of `address`) */
  readonly addressSubstitutionFlags: string;
}

/**
 * The SAN values for a holder: flags default to all `0`, one per character (code point) of the
 * name / address (cert-profile §3); the birth date gets its era digit.
 *
 * @throws InvalidArgumentError on an empty name/address, flags of the wrong length or alphabet,
 *   a bad date or a sex code other than 1/2/3
 */
export function jpkiSanValues(holder: TestHolder): JpkiSanValues {
  if (holder.name.length === 0 || holder.address.length === 0) {
    throw new InvalidArgumentError('Holder name and address must not be empty');
  }
  if (holder.sex !== '1' && holder.sex !== '2' && holder.sex !== '3') {
    throw new InvalidArgumentError('Holder sex must be 1, 2 or 3');
  }
  const flags = (text: string, given: string | undefined, what: string): string => {
    const count = Array.from(text).length;
    if (given === undefined) return '0'.repeat(count);
    if (!/^[01]*$/.test(given) || given.length !== count) {
      throw new InvalidArgumentError(`${what} must hold one 0/1 per character`);
    }
    return given;
  };
  return {
    name: holder.name,
    nameSubstitutionFlags: flags(holder.name, holder.nameSubstitutionFlags, 'nameSubstitutionFlags'),
    sex: holder.sex,
    birthDate: sanBirthDate(holder.birthDate),
    address: holder.address,
    addressSubstitutionFlags: flags(holder.address, holder.addressSubstitutionFlags, 'addressSubstitutionFlags'),
  };
}

interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

function parseDate(text: string): CalendarDate {
  const match = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(text);
  if (match === null) throw new InvalidArgumentError('Dates must be YYYY-MM-DD');
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    throw new InvalidArgumentError('Not a calendar date');
  }
  return { year, month, day };
}

const ordinal = (d: CalendarDate): number => d.year * 10000 + d.month * 100 + d.day;

/**
 * The era digit of a Gregorian date for the SAN 生年月日 (cert-profile §3): 1 明治 from 1868-10-23,
 * 2 大正 from 1912-07-30, 3 昭和 from 1926-12-25, 4 平成 from 1989-01-08, 5 令和 from 2019-05-01.
 *
 * @param date - `YYYY-MM-DD`
 * @throws InvalidArgumentError for a malformed date or one before 明治
 */
export function eraCode(date: string): EraCode {
  parseDate(date);
  const era = eraOf(date.replace(/-/g, ''));
  if (era === undefined) throw new InvalidArgumentError('Dates before the Meiji era have no era code');
  return era.code;
}

/** The 9-character SAN 生年月日: era digit + Gregorian `YYYYMMDD` (e.g. `1990-01-02` → `419900102`). */
export function sanBirthDate(birthDate: string): string {
  return eraCode(birthDate) + birthDate.replace(/-/g, '');
}

/**
 * The end of a leaf's validity: the holder's 5th birthday after issuance, at 23:59:59 JST
 * (14:59:59Z) (card-facts §6.2; cert-profile §2). Birthdays and the issue day are JST calendar
 * days; a 29 February birthday falls on 28 February in common years (an assumption).
 *
 * @param birthDate - `YYYY-MM-DD`
 * @param issuedAt - the issuance instant (the leaf's notBefore)
 */
export function fifthBirthdayAfter(birthDate: string, issuedAt: Date): Date {
  const birth = parseDate(birthDate);
  const jst = new Date(issuedAt.getTime() + 9 * 3600_000);
  const issued = { year: jst.getUTCFullYear(), month: jst.getUTCMonth() + 1, day: jst.getUTCDate() };
  const birthdayIn = (year: number): CalendarDate => {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return { year, month: birth.month, day: birth.month === 2 && birth.day === 29 && !leap ? 28 : birth.day };
  };
  let year = issued.year;
  if (ordinal(birthdayIn(year)) <= ordinal(issued)) year++;
  const fifth = birthdayIn(year + 4);
  return new Date(Date.UTC(fifth.year, fifth.month - 1, fifth.day, 14, 59, 59));
}
