import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { buildCommonApRecord } from '../../src/testing/content/index.js';

describe('common AP record 1 (01 1C + 28 ASCII digits)', () => {
  it('encodes serial ‖ municipality ‖ expiry exactly (MC test-card layout)', () => {
    const record = buildCommonApRecord({ serial: '400000012719843', municipalityCode: '13221', expiry: '20350217' });
    expect(Buffer.from(record).toString('hex')).toBe(
      '011c' + Buffer.from('400000012719843' + '13221' + '20350217', 'latin1').toString('hex'),
    );
    expect(record.length).toBe(30);
  });

  it('accepts YYYY-MM-DD for the expiry', () => {
    const a = buildCommonApRecord({ serial: '900000000000001', municipalityCode: '05210', expiry: '2035-01-02' });
    const b = buildCommonApRecord({ serial: '900000000000001', municipalityCode: '05210', expiry: '20350102' });
    expect(a).toEqual(b);
  });

  it('rejects wrong field lengths, non-digits and impossible dates', () => {
    const ok = { serial: '400000012719843', municipalityCode: '13221', expiry: '20350217' };
    for (const bad of [
      { ...ok, serial: '40000001271984' },
      { ...ok, serial: '40000001271984X' },
      { ...ok, municipalityCode: '132210' },
      { ...ok, expiry: '20350230' },
      { ...ok, expiry: '2035021' },
    ]) {
      expect(() => buildCommonApRecord(bad)).toThrow(InvalidArgumentError);
    }
  });
});
