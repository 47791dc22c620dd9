/**
 * The Japanese eras (元号) of the modern calendar, one table for the whole SDK: the JPKI SAN
 * writes a birth date as an era digit + Gregorian `YYYYMMDD` (cert-profile §3), which the
 * verifier decodes (`crypto/san.ts`) and the test PKI encodes (`testing/pki-holder.ts`).
 * A leaf: it imports nothing.
 * @packageDocumentation
 */

/** A modern Japanese era. */
export type JapaneseEra = 'meiji' | 'taisho' | 'showa' | 'heisei' | 'reiwa';

/** The digit that names an era in the JPKI SAN 生年月日 (cert-profile §3). */
export type JapaneseEraCode = '1' | '2' | '3' | '4' | '5';

/** One era. */
export interface JapaneseEraSpec {
  readonly era: JapaneseEra;
  /** Its digit in the SAN 生年月日. */
  readonly code: JapaneseEraCode;
  /** Its name: 明治, 大正, 昭和, 平成, 令和. */
  readonly name: string;
  /** Its first Gregorian day, `YYYYMMDD`. */
  readonly first: string;
  /**
   * Whether the change to this era happened during its first day (大正 on 1912-07-30, 昭和 on
   * 1926-12-25), so that on that day the previous era is right as well.
   */
  readonly sharesFirstDay: boolean;
}

/** The eras, oldest first (明治 counted from its 1868-10-23 proclamation). */
export const JAPANESE_ERAS: readonly JapaneseEraSpec[] = Object.freeze([
  { era: 'meiji', code: '1', name: '明治', first: '18681023', sharesFirstDay: false },
  { era: 'taisho', code: '2', name: '大正', first: '19120730', sharesFirstDay: true },
  { era: 'showa', code: '3', name: '昭和', first: '19261225', sharesFirstDay: true },
  { era: 'heisei', code: '4', name: '平成', first: '19890108', sharesFirstDay: false },
  { era: 'reiwa', code: '5', name: '令和', first: '20190501', sharesFirstDay: false },
] as const);

/** The era of a Gregorian `YYYYMMDD` (the newer one on a shared first day); `undefined` before 明治. */
export function eraOf(ymd: string): JapaneseEraSpec | undefined {
  for (let i = JAPANESE_ERAS.length - 1; i >= 0; i--) if (ymd >= JAPANESE_ERAS[i]!.first) return JAPANESE_ERAS[i];
  return undefined;
}

/**
 * Whether `era` is a right name for the Gregorian `YYYYMMDD`: from its first day until the next
 * era's first day (included when the change happened during that day). The oldest era also
 * covers earlier dates, as a record may write them.
 */
export function eraCovers(era: JapaneseEra, ymd: string): boolean {
  const index = JAPANESE_ERAS.findIndex((spec) => spec.era === era);
  if (index < 0) return false;
  const spec = JAPANESE_ERAS[index]!;
  const next = JAPANESE_ERAS[index + 1];
  if (index > 0 && ymd < spec.first) return false;
  if (next === undefined) return true;
  return next.sharesFirstDay ? ymd <= next.first : ymd < next.first;
}

/** The era named by a SAN digit, if any. */
export function eraByCode(code: string): JapaneseEraSpec | undefined {
  return JAPANESE_ERAS.find((spec) => spec.code === code);
}
