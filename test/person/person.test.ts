import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import {
  formatJapaneseDate,
  formatSex,
  personFromCertificate,
  personFromTextAttributes,
  sexFromCode,
  type Person,
} from '../../src/person/index.js';
import { decodeTextAttributes } from '../../src/aps/records.js';
import { decodeJpkiBirthDate, type JpkiPerson } from '../../src/crypto/san.js';

describe('formatJapaneseDate', () => {
  const cases: [string, string][] = [
    ['1990-01-02', '平成2年1月2日'],
    ['1989-01-07', '昭和64年1月7日'],
    ['1989-01-08', '平成元年1月8日'],
    ['2019-04-30', '平成31年4月30日'],
    ['2019-05-01', '令和元年5月1日'],
    ['2020-12-31', '令和2年12月31日'],
    ['1926-12-24', '大正15年12月24日'],
    ['1926-12-25', '昭和元年12月25日'],
    ['1912-07-29', '明治45年7月29日'],
    ['1912-07-30', '大正元年7月30日'],
    ['1868-10-23', '明治元年10月23日'],
    ['1975-00-00', '昭和50年'],
    ['1975-03-00', '昭和50年3月'],
    ['2019-05-00', '令和元年5月'],
  ];
  for (const [date, text] of cases) {
    it(`${date} → ${text}`, () => {
      expect(formatJapaneseDate(date, { era: true })).toBe(text);
    });
  }

  it('defaults to the era and writes Gregorian years on request', () => {
    expect(formatJapaneseDate('1990-01-02')).toBe('平成2年1月2日');
    expect(formatJapaneseDate('1990-01-02', { era: false })).toBe('1990年1月2日');
    expect(formatJapaneseDate('1975-00-00', { era: false })).toBe('1975年');
    expect(formatJapaneseDate('1800-01-01', { era: false })).toBe('1800年1月1日');
  });

  it('uses a stated era on a shared first day and for a partly unknown date, and ignores one that does not fit', () => {
    expect(formatJapaneseDate({ date: '1912-07-30', era: 'meiji' })).toBe('明治45年7月30日');
    expect(formatJapaneseDate({ date: '1926-12-25', era: 'taisho' })).toBe('大正15年12月25日');
    expect(formatJapaneseDate({ date: '1989-00-00', era: 'heisei' })).toBe('平成元年');
    expect(formatJapaneseDate({ date: '1989-01-00', era: 'showa' })).toBe('昭和64年1月');
    expect(formatJapaneseDate({ date: '1990-01-02', era: 'showa' })).toBe('平成2年1月2日');
    expect(formatJapaneseDate({ date: '1868-05-01', era: 'meiji' })).toBe('明治元年5月1日');
  });

  it('refuses malformed dates, dates before 明治 and ambiguous partial dates', () => {
    for (const bad of ['1990-1-2', '1990-02-30', '1990-13-01', '1990-00-05', '', '19900102', 'x']) {
      expect(() => formatJapaneseDate(bad), bad).toThrow(InvalidArgumentError);
    }
    expect(() => formatJapaneseDate('1868-10-22')).toThrow(/before 明治/);
    expect(() => formatJapaneseDate({ date: '1867-01-01', era: 'meiji' })).toThrow(/before 明治/);
    expect(() => formatJapaneseDate('1989-00-00')).toThrow(/two eras/);
    expect(() => formatJapaneseDate('2019-00-00')).toThrow(/two eras/);
    expect(() => formatJapaneseDate(undefined as unknown as string)).toThrow(InvalidArgumentError);
  });
});

describe('formatSex and sexFromCode', () => {
  it('writes each code and value in Japanese and English', () => {
    expect(formatSex('2', 'ja')).toBe('女');
    expect(formatSex('2', 'en')).toBe('female');
    expect(['0', '1', '2', '3', '9'].map((code) => formatSex(code, 'ja'))).toEqual(['不明', '男', '女', '不明', '適用不能']);
    expect(['0', '1', '2', '3', '9'].map((code) => formatSex(code, 'en'))).toEqual(['unknown', 'male', 'female', 'unknown', 'not applicable']);
    expect(formatSex('male', 'ja')).toBe('男');
    expect(formatSex({ value: 'female', code: '2' }, 'ja')).toBe('女');
  });

  it('refuses other codes and locales', () => {
    for (const bad of ['4', '', '12', 'toString', 'F']) expect(() => formatSex(bad, 'ja'), bad).toThrow(InvalidArgumentError);
    expect(() => formatSex('1', 'fr' as 'ja')).toThrow(InvalidArgumentError);
    expect(() => sexFromCode('__proto__')).toThrow(InvalidArgumentError);
    expect(sexFromCode('3')).toEqual({ value: 'unknown', code: '3' });
  });
});

describe('one Person for the text AP and the certificate SAN', () => {
  const NAME = '山田　花子';
  const ADDRESS = '東京都千代田区霞が関２丁目１番２号';

  it('from TextAttributes (as decoded from the card record)', () => {
    const utf8 = (s: string) => [...new TextEncoder().encode(s)];
    const field = (tag: number, value: number[]) => [0xdf, tag, value.length, ...value];
    const body = [
      ...field(0x21, [0x30, 0x30, 0x30, 0x30]),
      ...field(0x22, utf8(NAME)),
      ...field(0x23, utf8(ADDRESS)),
      ...field(0x24, utf8('19900102')),
      ...field(0x25, utf8('2')),
    ];
    const attributes = decodeTextAttributes(Uint8Array.from([0xff, 0x20, body.length, ...body]));
    const person: Person = personFromTextAttributes(attributes);
    expect(person).toEqual({
      name: NAME,
      address: ADDRESS,
      birthDate: { date: '1990-01-02' },
      sex: { value: 'female', code: '2' },
      source: 'text-ap',
    });
    expect(formatJapaneseDate(person.birthDate)).toBe('平成2年1月2日');
    expect(formatSex(person.sex, 'ja')).toBe('女');
  });

  it('from the certificate SAN, keeping a consistent era', () => {
    const san: JpkiPerson = {
      name: NAME,
      nameSubstitutionFlags: '00000',
      birthDate: decodeJpkiBirthDate('419900102'),
      sex: '2',
      address: ADDRESS,
      addressSubstitutionFlags: '0'.repeat(17),
      substitutionFlagsConsistent: true,
    };
    const expected: Person = {
      name: NAME,
      address: ADDRESS,
      birthDate: { date: '1990-01-02', era: 'heisei' },
      sex: { value: 'female', code: '2' },
      source: 'sign-certificate',
    };
    expect(personFromCertificate(san)).toEqual(expected);
    expect(personFromCertificate({ person: san })).toEqual(expected);
    // An era digit that contradicts the date, or 0 (unknown), is not kept.
    expect(personFromCertificate({ ...san, birthDate: decodeJpkiBirthDate('319900102') }).birthDate).toEqual({ date: '1990-01-02' });
    expect(personFromCertificate({ ...san, birthDate: decodeJpkiBirthDate('019750000'), sex: '3' })).toMatchObject({
      birthDate: { date: '1975-00-00' },
      sex: { value: 'unknown', code: '3' },
    });
    expect(personFromCertificate({ ...san, birthDate: decodeJpkiBirthDate('219120730') }).birthDate).toEqual({ date: '1912-07-30', era: 'taisho' });
    expect(formatJapaneseDate(personFromCertificate({ ...san, birthDate: decodeJpkiBirthDate('119120730') }).birthDate)).toBe('明治45年7月30日');
  });

  it('refuses a certificate without a person and malformed fields', () => {
    expect(() => personFromCertificate({})).toThrow(/only 署名用/);
    expect(() => personFromCertificate({ person: undefined })).toThrow(InvalidArgumentError);
    expect(() => personFromTextAttributes({ name: 'x', address: 'y', birthDate: '1990/01/02', sex: { code: '1' } })).toThrow(InvalidArgumentError);
    expect(() => personFromTextAttributes({ name: 'x', address: 'y', birthDate: '1990-01-02', sex: { code: '7' } })).toThrow(InvalidArgumentError);
  });
});

describe('src/person is a leaf both layers may use', () => {
  it('imports neither the card layer nor the trust layer', async () => {
    const { readImportGraph } = await import('../architecture/import-graph.js');
    const graph = readImportGraph(new URL('../../src', import.meta.url).pathname);
    const imports = [...graph].filter(([file]) => file.startsWith('person/')).flatMap(([, targets]) => [...targets]);
    expect(imports.length).toBeGreaterThan(0);
    expect(imports.filter((target) => !/^(person\/|calendar\/|errors\.ts$)/.test(target))).toEqual([]);
  });
});
