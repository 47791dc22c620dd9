/**
 * Card-side values derived from the holder: the 照合番号B, the face-AP 生年月日 key and the card
 * expiry date. card-facts §5.
 * @packageDocumentation
 */
import { InvalidArgumentError } from '../../errors.js';

/** First day of each era (Gregorian), newest first: 令和, 平成, 昭和, 大正, 明治. */
const ERA_STARTS: readonly (readonly [number, number, number])[] = [
  [2019, 5, 1],
  [1989, 1, 8],
  [1926, 12, 25],
  [1912, 7, 30],
  [1868, 10, 23],
];

interface Ymd {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** Parse `YYYY-MM-DD` (or `YYYYMMDD`) and check that the day exists. */
export function parseCalendarDate(text: string, what: string): Ymd {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(text);
  if (m === null) throw new InvalidArgumentError(`${what} must be YYYY-MM-DD`);
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    throw new InvalidArgumentError(`${what} is not a calendar date`);
  }
  return { year, month, day };
}

const two = (n: number): string => String(n).padStart(2, '0');

/**
 * `YYMMDD` with YY the Japanese-era year (1980-02-17, 昭和55 → `550217`). card-facts §5: MC
 * says "confirmed on a card" [S]; jpki-rs's core comment disagrees [D], hence the
 * `verificationB` / `birthDateKey` overrides of the virtual card.
 */
export function eraYymmdd(birthDate: string): string {
  const d = parseCalendarDate(birthDate, 'birthDate');
  const value = d.year * 10000 + d.month * 100 + d.day;
  for (const [y, m, day] of ERA_STARTS) {
    if (value >= y * 10000 + m * 100 + day) return two(d.year - y + 1) + two(d.month) + two(d.day);
  }
  throw new InvalidArgumentError('birthDate is before the Meiji era');
}

/**
 * 照合番号B: 生年月日 YYMMDD (era year) ‖ expiry year YYYY ‖ 4-digit security code = 14 digits.
 * card-facts §5 [C for the parts, S for the era year]
 */
export function deriveVerificationB(birthDate: string, expiryDate: string, securityCode: string): string {
  if (!/^\d{4}$/.test(securityCode)) throw new InvalidArgumentError('securityCode must be 4 digits');
  return eraYymmdd(birthDate) + String(parseCalendarDate(expiryDate, 'expiryDate').year) + securityCode;
}

/**
 * Default card expiry: the holder's 10th birthday after the issue date (the adult card's
 * validity; a 29 February birthday falls on 28 February in common years). A modelling choice.
 */
export function defaultCardExpiry(birthDate: string, issuedAt: Date): string {
  const birth = parseCalendarDate(birthDate, 'birthDate');
  const jst = new Date(issuedAt.getTime() + 9 * 3600_000);
  const issued = jst.getUTCFullYear() * 10000 + (jst.getUTCMonth() + 1) * 100 + jst.getUTCDate();
  let year = jst.getUTCFullYear();
  if (year * 10000 + birth.month * 100 + birth.day <= issued) year++;
  year += 9;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const day = birth.month === 2 && birth.day === 29 && !leap ? 28 : birth.day;
  return `${year}-${two(birth.month)}-${two(day)}`;
}
