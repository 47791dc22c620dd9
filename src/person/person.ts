/**
 * One person model (基本4情報: 氏名, 住所, 生年月日, 性別) for the two places the card states
 * them: the 券面事項入力補助AP (`TextAttributes`) and the 署名用電子証明書's subjectAltName
 * (`JpkiPerson`). The two disagree in shape (性別 `{ value, code }` vs a bare digit, 生年月日
 * `YYYY-MM-DD` vs era digit + date); {@link personFromTextAttributes} and
 * {@link personFromCertificate} give both the same {@link Person}.
 *
 * A leaf above the calendar only: it imports neither the card layer nor the trust layer, so
 * both may use it; the converters take their inputs structurally.
 * @packageDocumentation
 */
import { InvalidArgumentError } from '../errors.js';
import { eraCovers, JAPANESE_ERAS, type JapaneseEra } from '../calendar/japanese-era.js';

/** 性別 as a meaning. */
export type PersonSexValue = 'male' | 'female' | 'not-applicable' | 'unknown';

/** 性別: its meaning and the code the source wrote. */
export interface PersonSex {
  /** The meaning of {@link PersonSex.code}. */
  readonly value: PersonSexValue;
  /** The code as written: JIS X 0303 `'0'`/`'1'`/`'2'`/`'9'` (text AP) or `'1'`/`'2'`/`'3'` (certificate SAN). */
  readonly code: string;
}

/** 生年月日. */
export interface PersonBirthDate {
  /** Gregorian `YYYY-MM-DD`; month and day are `00` when the source does not know them. */
  readonly date: string;
  /**
   * The era the source names, when it names one that covers the date (the certificate SAN
   * does; the text AP does not). It decides the era on a day two eras share (1912-07-30,
   * 1926-12-25) and in a year whose month is unknown.
   */
  readonly era?: JapaneseEra;
}

/** The 基本4情報 of a card holder, whatever the source. Personal data: handle with care. */
export interface Person {
  /** 氏名 (surname, U+3000, given name on real cards). */
  readonly name: string;
  /** 住所. */
  readonly address: string;
  /** 生年月日. */
  readonly birthDate: PersonBirthDate;
  /** 性別. */
  readonly sex: PersonSex;
  /** Where it was read: the 券面事項入力補助AP or the 署名用電子証明書. */
  readonly source: 'text-ap' | 'sign-certificate';
}

/**
 * The meaning of a 性別 code. One table serves both sources, since their codes do not clash:
 * JIS X 0303 on the text AP (`'1'` 男, `'2'` 女, `'9'` 適用不能, `'0'` 不明) and the JPKI SAN
 * (`'1'` 男, `'2'` 女, `'3'` 不明; cert-profile §3).
 */
const SEX_BY_CODE: Readonly<Record<string, PersonSexValue>> = {
  '0': 'unknown',
  '1': 'male',
  '2': 'female',
  '3': 'unknown',
  '9': 'not-applicable',
};

/**
 * 性別 from a code of either source.
 * @throws InvalidArgumentError for any other code
 */
export function sexFromCode(code: string): PersonSex {
  const value = typeof code === 'string' && Object.hasOwn(SEX_BY_CODE, code) ? SEX_BY_CODE[code] : undefined;
  if (value === undefined) throw new InvalidArgumentError("sex code must be '0', '1', '2', '3' or '9'");
  return { value, code };
}

function checkText(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new InvalidArgumentError(`${what} must be a string`);
  return value;
}

function checkDate(value: unknown): string {
  if (typeof value !== 'string' || !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value)) {
    throw new InvalidArgumentError('birth date must be YYYY-MM-DD');
  }
  return value;
}

/** The shape of `TextAttributes` this module reads (the 券面事項入力補助AP's 基本4情報). */
export interface TextAttributesLike {
  /** 氏名. */
  readonly name: string;
  /** 住所. */
  readonly address: string;
  /** 生年月日, `YYYY-MM-DD`. */
  readonly birthDate: string;
  /** 性別. */
  readonly sex: {
    /** JIS X 0303 code. */
    readonly code: string;
  };
}

/**
 * The {@link Person} of `card.text.readAttributes(…)`: the same name and address, the Gregorian
 * birth date (no era: the card does not write one), 性別 from its JIS X 0303 code.
 *
 * @throws InvalidArgumentError when a field is missing or malformed
 */
export function personFromTextAttributes(attributes: TextAttributesLike): Person {
  return {
    name: checkText(attributes?.name, 'name'),
    address: checkText(attributes.address, 'address'),
    birthDate: { date: checkDate(attributes.birthDate) },
    sex: sexFromCode(attributes.sex?.code),
    source: 'text-ap',
  };
}

/** The shape of `JpkiPerson` this module reads (the 署名用電子証明書's SAN). */
export interface CertificatePersonLike {
  /** 氏名. */
  readonly name: string;
  /** 住所. */
  readonly address: string;
  /** 性別 code (`'1'` 男, `'2'` 女, `'3'` 不明). */
  readonly sex: string;
  /** 生年月日 as the SAN decoder gives it. */
  readonly birthDate: {
    /** Era named by the SAN's era digit. */
    readonly era: string;
    /** Gregorian `YYYY-MM-DD`. */
    readonly date: string;
    /** Whether the era digit agrees with the date. */
    readonly eraConsistent: boolean;
  };
}

/**
 * The {@link Person} of a 署名用電子証明書: pass `certificate.person` of a parsed certificate (or
 * the certificate itself). The SAN's era is kept when it is a known era that covers the date.
 *
 * @throws InvalidArgumentError when there is no person (利用者証明用 certificates carry none) or
 *   a field is malformed
 */
export function personFromCertificate(source: CertificatePersonLike | { readonly person?: CertificatePersonLike | undefined }): Person {
  const person = source !== null && typeof source === 'object' && 'person' in source ? source.person : (source as CertificatePersonLike | undefined);
  if (person === undefined || person === null || typeof person !== 'object' || !('birthDate' in person)) {
    throw new InvalidArgumentError('the certificate carries no 基本4情報 (only 署名用 certificates do)');
  }
  const date = checkDate(person.birthDate?.date);
  const era = JAPANESE_ERAS.find((spec) => spec.era === person.birthDate.era)?.era;
  const keepEra = era !== undefined && person.birthDate.eraConsistent === true && eraCovers(era, date.replace(/-/g, ''));
  return {
    name: checkText(person.name, 'name'),
    address: checkText(person.address, 'address'),
    birthDate: keepEra ? { date, era } : { date },
    sex: sexFromCode(person.sex),
    source: 'sign-certificate',
  };
}
