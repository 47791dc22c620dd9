import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromHex, toHex, asciiBytes } from '../../src/bytes.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { decodeSimpleTlv, encodeSimpleTlv, TlvError } from '../../src/tlv/index.js';

describe('Simple-TLV', () => {
  it("decodes the common AP record (01 1C + 28 digits) as a zero-copy view", () => {
    const digits = '4000000127198431322120350217';
    const bytes = new Uint8Array([0x01, 0x1c, ...asciiBytes(digits)]);
    const [record, ...rest] = decodeSimpleTlv(bytes);
    expect(rest).toEqual([]);
    expect([record!.tag, record!.offset, record!.value.length]).toEqual([0x01, 0, 28]);
    expect(new TextDecoder().decode(record!.value)).toBe(digits);
    expect(record!.value.buffer).toBe(bytes.buffer);
    expect(record!.value.byteOffset).toBe(2);
  });

  it('decodes consecutive objects and the three-byte length form', () => {
    const long = new Uint8Array(4 + 300);
    long.set(fromHex('42FF012C'));
    const bytes = new Uint8Array([...fromHex('8001AA 8100'), ...long]);
    expect(decodeSimpleTlv(bytes).map((o) => [o.tag, o.offset, o.value.length])).toEqual([
      [0x80, 0, 1], [0x81, 3, 0], [0x42, 5, 300],
    ]);
  });

  it('rejects tags 00 and FF and truncated objects', () => {
    const cases: [string, string, number][] = [
      ['0001AA', 'bad-tag', 0], ['FF01AA', 'bad-tag', 0], ['8001AA 00', 'bad-tag', 3],
      ['80', 'truncated', 0], ['8002AA', 'truncated', 0], ['80FF01', 'truncated', 0], ['8001AA 81FF0001', 'truncated', 3],
    ];
    for (const [hex, code, offset] of cases) {
      try {
        decodeSimpleTlv(fromHex(hex));
        expect.unreachable(hex);
      } catch (error) {
        expect(error).toBeInstanceOf(TlvError);
        expect([(error as TlvError).code, (error as TlvError).offset]).toEqual([code, offset]);
      }
    }
  });

  it('encodes with one length byte below 255 and FF + two bytes up to 65535', () => {
    expect(toHex(encodeSimpleTlv(0x01, asciiBytes('AB')))).toBe('01024142');
    expect(toHex(encodeSimpleTlv(0x42, new Uint8Array(254)).subarray(0, 2))).toBe('42fe');
    expect(toHex(encodeSimpleTlv(0x42, new Uint8Array(255)).subarray(0, 4))).toBe('42ff00ff');
    expect(encodeSimpleTlv(0x42, new Uint8Array(65535)).length).toBe(65539);
    expect(() => encodeSimpleTlv(0x42, new Uint8Array(65536))).toThrowError(InvalidArgumentError);
    expect(() => encodeSimpleTlv(0x00, new Uint8Array(0))).toThrowError(InvalidArgumentError);
    expect(() => encodeSimpleTlv(0xff, new Uint8Array(0))).toThrowError(InvalidArgumentError);
  });

  it('round-trips arbitrary objects, and arbitrary bytes throw only TlvError', () => {
    const object = fc.record({ tag: fc.integer({ min: 1, max: 254 }), value: fc.uint8Array({ maxLength: 400 }) });
    fc.assert(fc.property(fc.array(object, { maxLength: 5 }), (objects) => {
      const bytes = new Uint8Array(objects.flatMap((o) => [...encodeSimpleTlv(o.tag, o.value)]));
      const decoded = decodeSimpleTlv(bytes);
      expect(decoded.map((o) => [o.tag, [...o.value]])).toEqual(objects.map((o) => [o.tag, [...o.value]]));
    }));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      try {
        for (const o of decodeSimpleTlv(bytes)) expect(o.offset + o.value.length).toBeLessThanOrEqual(bytes.length);
      } catch (error) {
        expect(error).toBeInstanceOf(TlvError);
      }
    }), { numRuns: 2000 });
  });
});
