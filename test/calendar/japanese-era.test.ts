import { describe, expect, it } from 'vitest';
import { eraByCode, eraCovers, eraOf, JAPANESE_ERAS } from '../../src/calendar/japanese-era.js';

describe('Japanese eras', () => {
  it('names the era of each boundary day (the newer one on a shared first day)', () => {
    const cases: Array<[string, string | undefined]> = [
      ['18681022', undefined],
      ['18681023', 'meiji'],
      ['19120729', 'meiji'],
      ['19120730', 'taisho'],
      ['19261224', 'taisho'],
      ['19261225', 'showa'],
      ['19890107', 'showa'],
      ['19890108', 'heisei'],
      ['20190430', 'heisei'],
      ['20190501', 'reiwa'],
      ['20991231', 'reiwa'],
    ];
    expect(cases.map(([ymd]) => eraOf(ymd)?.era)).toEqual(cases.map(([, era]) => era));
  });

  it('both eras are right on 1912-07-30 and 1926-12-25, only one on 1989-01-08 and 2019-05-01', () => {
    expect([eraCovers('meiji', '19120730'), eraCovers('taisho', '19120730')]).toEqual([true, true]);
    expect([eraCovers('taisho', '19261225'), eraCovers('showa', '19261225')]).toEqual([true, true]);
    expect([eraCovers('showa', '19890108'), eraCovers('heisei', '19890108')]).toEqual([false, true]);
    expect([eraCovers('showa', '19890107'), eraCovers('heisei', '19890107')]).toEqual([true, false]);
    expect([eraCovers('heisei', '20190501'), eraCovers('reiwa', '20190501')]).toEqual([false, true]);
    expect([eraCovers('reiwa', '20190430'), eraCovers('meiji', '18000101')]).toEqual([false, true]);
  });

  it('codes and names', () => {
    expect(JAPANESE_ERAS.map((e) => `${e.code}${e.name}`)).toEqual(['1明治', '2大正', '3昭和', '4平成', '5令和']);
    expect([eraByCode('4')?.era, eraByCode('0'), eraByCode('6')]).toEqual(['heisei', undefined, undefined]);
  });
});
