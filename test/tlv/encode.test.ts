import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { encodeTlv, encodeTlvLength, tlvTagByteLength } from '../../src/tlv/index.js';

describe('encodeTlvLength', () => {
  it('uses the minimal DER form', () => {
    const cases: [number, string][] = [
      [0, '00'], [0x7f, '7f'], [0x80, '8180'], [0xff, '81ff'], [0x100, '820100'], [0xffff, '82ffff'],
      [0x10000, '83010000'], [0xffffff, '83ffffff'], [0x1000000, '8401000000'], [0xffffffff, '84ffffffff'],
    ];
    for (const [length, hex] of cases) expect(toHex(encodeTlvLength(length))).toBe(hex);
  });

  it('rejects negative, fractional and too large lengths', () => {
    for (const bad of [-1, 1.5, 2 ** 32, Number.NaN]) expect(() => encodeTlvLength(bad)).toThrowError(InvalidArgumentError);
  });
});

describe('encodeTlv', () => {
  it('encodes single- and multi-byte tags', () => {
    expect(toHex(encodeTlv(0x02, fromHex('05')))).toBe('020105');
    expect(toHex(encodeTlv(0xdf21, fromHex('000e')))).toBe('df2102000e');
    expect(toHex(encodeTlv(0x5f4e, new Uint8Array(0)))).toBe('5f4e00');
    expect(toHex(encodeTlv(0x7f21, fromHex('aa')))).toBe('7f2101aa');
    expect(toHex(encodeTlv(0xdf8101, fromHex('01')))).toBe('df81010101');
    expect(toHex(encodeTlv(0xdf818101, fromHex('01')))).toBe('df8181010101');
    expect(toHex(encodeTlv(0x00, new Uint8Array(0)))).toBe('0000');
  });

  it('concatenates an array of parts (constructed values)', () => {
    const record = encodeTlv(0xff20, [encodeTlv(0xdf22, fromHex('4142')), encodeTlv(0xdf25, fromHex('31'))]);
    expect(toHex(record)).toBe('ff2009df22024142df250131');
    expect(toHex(encodeTlv(0x30, []))).toBe('3000');
  });

  it('uses long-form lengths for long values', () => {
    const long = encodeTlv(0x04, new Uint8Array(300).fill(7));
    expect(toHex(long.subarray(0, 4))).toBe('0482012c');
    expect(long.length).toBe(304);
    expect(long[303]).toBe(7);
    const record = encodeTlv(0xff20, new Uint8Array(0x9a));
    expect(toHex(record.subarray(0, 4))).toBe('ff20819a');
  });

  it('rejects byte sequences that are not one well-formed tag', () => {
    for (const bad of [0x1f, 0xdf, 0x1f80, 0xdf80, 0x2102, 0xdf8181810, 2 ** 32, -1, 1.5]) {
      expect(() => encodeTlv(bad, new Uint8Array(0)), `tag ${bad.toString(16)}`).toThrowError(InvalidArgumentError);
    }
    expect(tlvTagByteLength(0xff20)).toBe(2);
    expect(tlvTagByteLength(0x30)).toBe(1);
  });
});
