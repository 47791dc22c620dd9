/**
 * 和暦 and 性別 as a counter clerk writes them: `平成2年1月2日` (`元年` for an era's first year),
 * `女` / `female`. Uses the SDK's one era table (`calendar/japanese-era.ts`).
 * @packageDocumentation
 */
import { InvalidArgumentError } from '../errors.js';
import { eraCovers, eraOf, JAPANESE_ERAS, type JapaneseEraSpec } from '../calendar/japanese-era.js';
import { sexFromCode, type PersonBirthDate, type PersonSex, type PersonSexValue } from './person.js';

/** Options of {@link formatJapaneseDate}. */
export interface FormatJapaneseDateOptions {
  /** Write the year in the Japanese era (`平成2年`, default) or in the Gregorian calendar (`1990年`). */
  readonly era?: boolean;
}

function parseDate(date: string): { year: number; month: number; day: number } {
  const match = typeof date === 'string' ? /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(date) : null;
  if (match === null) throw new InvalidArgumentError('date must be YYYY-MM-DD');
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (month === 0 ? day !== 0 : month > 12) throw new InvalidArgumentError('date is not a calendar date');
  if (day !== 0) {
    const d = new Date(Date.UTC(year, month - 1, day));
    d.setUTCFullYear(year);
    if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) throw new InvalidArgumentError('date is not a calendar date');
  }
  return { year, month, day };
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** The era of a possibly partial date: the stated one if it covers the date, else the only one possible. */
function eraFor(year: number, month: number, day: number, stated: PersonBirthDate['era']): JapaneseEraSpec {
  const first = `${pad(year, 4)}${pad(month === 0 ? 1 : month, 2)}${pad(day === 0 ? 1 : day, 2)}`;
  const last = `${pad(year, 4)}${month === 0 ? '12' : pad(month, 2)}${day === 0 ? '31' : pad(day, 2)}`;
  const spec = JAPANESE_ERAS.find((e) => e.era === stated);
  if (spec !== undefined && (eraCovers(spec.era, first) || eraCovers(spec.era, last))) return spec;
  const early = eraOf(first);
  const late = eraOf(last);
  if (early === undefined || late === undefined) throw new InvalidArgumentError('date is before 明治 (1868-10-23): no era');
  if (early !== late) throw new InvalidArgumentError('date is partly unknown and spans two eras: give its era');
  return early;
}

/**
 * A date as Japanese text: `formatJapaneseDate('1990-01-02')` → `'平成2年1月2日'`, the first year
 * of an era as `元年` (`'2019-05-01'` → `'令和元年5月1日'`), `{ era: false }` → `'1990年1月2日'`.
 * Unknown month or day (`00`, as the certificate SAN may write) are left out (`'昭和50年'`).
 *
 * On a day two eras share (1912-07-30, 1926-12-25) the newer era is used unless a
 * {@link PersonBirthDate} states the older one; a stated era that does not cover the date is
 * ignored.
 *
 * @param date - `YYYY-MM-DD`, or a {@link PersonBirthDate}
 * @throws InvalidArgumentError for a malformed date, a date before 明治 with `era: true`, or a
 *   partly unknown date in a year of two eras without a stated era
 */
export function formatJapaneseDate(date: string | PersonBirthDate, options: FormatJapaneseDateOptions = {}): string {
  const birth = typeof date === 'string' ? { date } : date;
  const { year, month, day } = parseDate(birth?.date);
  const rest = (month === 0 ? '' : `${month}月`) + (day === 0 ? '' : `${day}日`);
  if (options.era === false) return `${year}年${rest}`;
  const spec = eraFor(year, month, day, birth.era);
  const eraYear = year - Number(spec.first.slice(0, 4)) + 1;
  if (eraYear < 1) throw new InvalidArgumentError('date is before 明治 (1868-10-23): no era');
  return `${spec.name}${eraYear === 1 ? '元' : eraYear}年${rest}`;
}

/** Languages of {@link formatSex}. */
export type PersonLocale = 'ja' | 'en';

const SEX_TEXT: Readonly<Record<PersonLocale, Readonly<Record<PersonSexValue, string>>>> = {
  ja: { male: '男', female: '女', unknown: '不明', 'not-applicable': '適用不能' },
  en: { male: 'male', female: 'female', unknown: 'unknown', 'not-applicable': 'not applicable' },
};

/**
 * 性別 as a word: `formatSex('2', 'ja')` → `'女'`, `formatSex('2', 'en')` → `'female'`.
 *
 * @param sex - a code of either source (`'0'`, `'1'`, `'2'`, `'3'`, `'9'`; see {@link sexFromCode}),
 *   a {@link PersonSexValue} such as `'female'`, or a {@link PersonSex} (also `TextAttributes.sex`)
 * @throws InvalidArgumentError for anything else or another locale
 */
export function formatSex(sex: string | PersonSex, locale: PersonLocale): string {
  const texts = locale === 'ja' || locale === 'en' ? SEX_TEXT[locale] : undefined;
  if (texts === undefined) throw new InvalidArgumentError("locale must be 'ja' or 'en'");
  if (typeof sex === 'object' && sex !== null) return texts[sexFromCode(sex.code).value];
  if (typeof sex === 'string' && Object.hasOwn(texts, sex)) return texts[sex as PersonSexValue];
  return texts[sexFromCode(sex).value];
}
