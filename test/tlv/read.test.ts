import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromHex } from '../../src/bytes.js';
import {
  decodeTlv,
  encodeTlv,
  findAllTlv,
  findTlv,
  findTlvPath,
  readTlvBitString,
  readTlvBoolean,
  readTlvInteger,
  readTlvOid,
  readTlvString,
  readTlvTime,
  TlvError,
  type TlvErrorCode,
  type TlvNode,
} from '../../src/tlv/index.js';

const node = (hex: string): TlvNode => decodeTlv(fromHex(hex), { mode: 'ber' })[0]!;
const ascii = (text: string): string => [...new TextEncoder().encode(text)].map((b) => b.toString(16).padStart(2, '0')).join('');
const tlv = (tag: number, text: string): TlvNode => decodeTlv(encodeTlv(tag, new TextEncoder().encode(text)))[0]!;

function readerError(fn: () => unknown, code: TlvErrorCode): void {
  try {
    fn();
    expect.unreachable();
  } catch (error) {
    expect(error).toBeInstanceOf(TlvError);
    expect((error as TlvError).code).toBe(code);
  }
}

describe('readTlvInteger', () => {
  it('reads two’s-complement values of any size as bigint', () => {
    const cases: [string, bigint][] = [
      ['020100', 0n], ['02017F', 127n], ['02020080', 128n], ['020180', -128n], ['0202FF7F', -129n],
      ['0204012D57CA', 0x012d57can],
      ['020900FFFFFFFFFFFFFFFF', 2n ** 64n - 1n], ['02088000000000000000', -(2n ** 63n)],
      ['02077FFFFFFFFFFFFF', 2n ** 55n - 1n], ['0206800000000000', -(2n ** 47n)],
    ];
    for (const [hex, value] of cases) expect(readTlvInteger(node(hex))).toBe(value);
  });

  it('reads implicitly tagged integers when given the tag, and ENUMERATED', () => {
    expect(readTlvInteger(node('820101'), 0x82)).toBe(1n);
    expect(readTlvInteger(node('0A0102'), 0x0a)).toBe(2n);
  });

  it('rejects empty and non-minimal encodings and other tags', () => {
    readerError(() => readTlvInteger(node('0200')), 'bad-value');
    readerError(() => readTlvInteger(node('02020001')), 'bad-value');
    readerError(() => readTlvInteger(node('0202FF80')), 'bad-value');
    readerError(() => readTlvInteger(node('040105')), 'bad-tag');
    readerError(() => readTlvInteger(node('820101')), 'bad-tag');
  });

  it('round-trips arbitrary bigints', () => {
    const encode = (v: bigint): Uint8Array => {
      const bytes: number[] = [];
      let x = v;
      for (;;) {
        bytes.unshift(Number(BigInt.asUintN(8, x)));
        x >>= 8n;
        if ((x === 0n && bytes[0]! < 0x80) || (x === -1n && bytes[0]! >= 0x80)) break;
      }
      return encodeTlv(0x02, Uint8Array.from(bytes));
    };
    fc.assert(fc.property(fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }), (v) => {
      expect(readTlvInteger(decodeTlv(encode(v))[0]!)).toBe(v);
    }));
  });
});

describe('readTlvOid', () => {
  it('reads dotted OIDs, including JPKI ones and large arcs', () => {
    expect(readTlvOid(node('0603550403'))).toBe('2.5.4.3');
    expect(readTlvOid(node('06092A864886F70D01010B'))).toBe('1.2.840.113549.1.1.11');
    expect(readTlvOid(node('060A2A83088C9B5508050501'))).toBe('1.2.392.200149.8.5.5.1');
    expect(readTlvOid(node('06028837'))).toBe('2.999');
    expect(readTlvOid(node('060100'))).toBe('0.0');
    expect(readTlvOid(node('060128'))).toBe('1.0');
    expect(readTlvOid(node('060169'))).toBe('2.25');
  });

  it('round-trips arbitrary arcs, beyond 2^53', () => {
    const encodeArc = (arc: bigint): number[] => {
      const out = [Number(arc & 0x7fn)];
      for (let v = arc >> 7n; v > 0n; v >>= 7n) out.unshift(Number(v & 0x7fn) | 0x80);
      return out;
    };
    const oid = fc.tuple(
      fc.integer({ min: 0, max: 2 }),
      fc.bigInt({ min: 0n, max: 2n ** 80n }),
      fc.array(fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 100n }), fc.bigInt({ min: 0n, max: 200000n })), { maxLength: 8 }),
    ).filter(([a, b]) => a === 2 || b < 40n);
    fc.assert(fc.property(oid, ([a, b, rest]) => {
      const content = [...encodeArc(BigInt(a) * 40n + b), ...rest.flatMap(encodeArc)];
      const dotted = [String(a), b.toString(), ...rest.map(String)].join('.');
      expect(readTlvOid(decodeTlv(encodeTlv(0x06, Uint8Array.from(content)))[0]!)).toBe(dotted);
    }));
  });

  it('rejects empty content, an unfinished arc, a non-minimal arc and other tags', () => {
    readerError(() => readTlvOid(node('0600')), 'bad-value');
    readerError(() => readTlvOid(node('060181')), 'bad-value');
    readerError(() => readTlvOid(node('06032A8001')), 'bad-value');
    readerError(() => readTlvOid(node('04012A')), 'bad-tag');
  });
});

describe('readTlvString', () => {
  it('reads UTF8String (Japanese), PrintableString, IA5String, VisibleString, NumericString', () => {
    expect(readTlvString(tlv(0x0c, '公的個人認証サービス'))).toBe('公的個人認証サービス');
    expect(readTlvString(tlv(0x0c, 'なかもと　さとし'))).toBe('なかもと　さとし');
    expect(readTlvString(node('13024A50'))).toBe('JP');
    expect(readTlvString(node('16' + '1e' + ascii('http://www.jpki.go.jp/cps.html')))).toBe('http://www.jpki.go.jp/cps.html');
    expect(readTlvString(node('1A03414243'))).toBe('ABC');
    expect(readTlvString(node('1203313233'))).toBe('123');
  });

  it('reads BMPString, UniversalString, and T61String/GeneralString as Latin-1', () => {
    expect(readTlvString(node('1E0430423044'))).toBe('あい');
    expect(readTlvString(node('1C040001F600'))).toBe('😀');
    expect(readTlvString(node('1402E941'))).toBe('éA');
    expect(readTlvString(node('1B01FF'))).toBe('ÿ');
  });

  it('keeps a leading BOM (U+FEFF) in UTF8String', () => {
    expect(readTlvString(node('0C03EFBBBF'))).toBe('\uFEFF');
  });

  it('reads implicitly tagged strings given a universal type (SAN [6] URI)', () => {
    expect(readTlvString(node('8603' + ascii('a:b')), 0x16)).toBe('a:b');
  });

  it('rejects invalid content with bad-value and non-string tags with bad-tag', () => {
    readerError(() => readTlvString(node('0C02C328')), 'bad-value'); // invalid UTF-8
    readerError(() => readTlvString(node('0C03EDA080')), 'bad-value'); // UTF-8 surrogate
    readerError(() => readTlvString(node('1601C1')), 'bad-value'); // IA5 above 0x7F
    readerError(() => readTlvString(node('1301E9')), 'bad-value');
    readerError(() => readTlvString(node('1E03304230')), 'bad-value'); // odd BMPString
    readerError(() => readTlvString(node('1C0400110000')), 'bad-value'); // beyond U+10FFFF
    readerError(() => readTlvString(node('1C03000041')), 'bad-value'); // not a multiple of 4
    readerError(() => readTlvString(node('040141')), 'bad-tag');
    readerError(() => readTlvString(node('860141')), 'bad-tag');
  });

  it('reads long strings', () => {
    const text = 'ア'.repeat(5000);
    expect(readTlvString(tlv(0x0c, text))).toBe(text);
    const latin = 'x'.repeat(10000);
    expect(readTlvString(tlv(0x16, latin))).toBe(latin);
  });
});

describe('readTlvTime', () => {
  const time = (tag: number, text: string): string => readTlvTime(tlv(tag, text)).toISOString();

  it('reads UTCTime with the 1950–2049 rule', () => {
    expect(time(0x17, '190725152806Z')).toBe('2019-07-25T15:28:06.000Z');
    expect(time(0x17, '500101000000Z')).toBe('1950-01-01T00:00:00.000Z');
    expect(time(0x17, '491231235959Z')).toBe('2049-12-31T23:59:59.000Z');
    expect(time(0x17, '1907251528Z')).toBe('2019-07-25T15:28:00.000Z');
    expect(time(0x17, '190726002806+0900')).toBe('2019-07-25T15:28:06.000Z');
  });

  it('reads GeneralizedTime with optional minutes, seconds, fraction and offsets', () => {
    expect(time(0x18, '20500101000000Z')).toBe('2050-01-01T00:00:00.000Z');
    expect(time(0x18, '20240229235959Z')).toBe('2024-02-29T23:59:59.000Z');
    expect(time(0x18, '20240101120000.123Z')).toBe('2024-01-01T12:00:00.123Z');
    expect(time(0x18, '20240101120000.5Z')).toBe('2024-01-01T12:00:00.500Z');
    expect(time(0x18, '2024010112Z')).toBe('2024-01-01T12:00:00.000Z');
    expect(time(0x18, '20240101120000-0130')).toBe('2024-01-01T13:30:00.000Z');
    expect(time(0x18, '00990101000000Z')).toBe('0099-01-01T00:00:00.000Z');
  });

  it('rejects impossible dates, missing zones and other tags', () => {
    for (const [tag, text] of [
      [0x18, '20241301000000Z'], [0x18, '20230229000000Z'], [0x18, '20240101240000Z'], [0x18, '20240101126000Z'],
      [0x18, '20240101120000'], [0x18, '20240101120000.Z'], [0x17, '1907251528'], [0x17, '19072515Z'],
      [0x17, '190725152806Z0'], [0x17, '190725152806+09'], [0x17, 'AB0725152806Z'], [0x18, ''],
    ] as const) {
      readerError(() => readTlvTime(tlv(tag, text)), 'bad-value');
    }
    readerError(() => readTlvTime(tlv(0x04, '20240101120000Z')), 'bad-tag');
  });
});

describe('readTlvBoolean and readTlvBitString', () => {
  it('reads booleans', () => {
    expect(readTlvBoolean(node('0101FF'))).toBe(true);
    expect(readTlvBoolean(node('010100'))).toBe(false);
    expect(readTlvBoolean(node('810101'), 0x81)).toBe(true);
    readerError(() => readTlvBoolean(node('0102FFFF')), 'bad-value');
    readerError(() => readTlvBoolean(node('0100')), 'bad-value');
    readerError(() => readTlvBoolean(node('0201FF')), 'bad-tag');
  });

  it('reads bit strings as unused-bit count and a view of the bits (keyUsage 03 02 07 80)', () => {
    const input = fromHex('03020780');
    const bits = readTlvBitString(decodeTlv(input)[0]!);
    expect(bits.unusedBits).toBe(7);
    expect([...bits.bytes]).toEqual([0x80]);
    expect(bits.bytes.buffer).toBe(input.buffer);
    expect(bits.bytes.byteOffset).toBe(3);
    expect(readTlvBitString(node('030100'))).toMatchObject({ unusedBits: 0 });
    expect(readTlvBitString(node('030100')).bytes.length).toBe(0);
    readerError(() => readTlvBitString(node('0300')), 'bad-value');
    readerError(() => readTlvBitString(node('030101')), 'bad-value');
    readerError(() => readTlvBitString(node('03020800')), 'bad-value');
    readerError(() => readTlvBitString(node('04020000')), 'bad-tag');
  });
});

describe('findTlv, findAllTlv, findTlvPath', () => {
  const record = decodeTlv(fromHex('FF2013 DF2101AA DF22024142 DF220143 7F2103 5F4E00'));

  it('finds the first child by tag among a node’s children or an array', () => {
    const root = record[0]!;
    expect(findTlv(record, 0xff20)).toBe(root);
    expect(findTlv(root, 0xdf22)!.offset).toBe(7);
    expect(findTlv(root, 0xdf99)).toBeUndefined();
    expect(findAllTlv(root, 0xdf22).map((n) => n.offset)).toEqual([7, 12]);
    expect(findAllTlv(record, 0x30)).toEqual([]);
  });

  it('follows a path of tags', () => {
    expect(findTlvPath(record, [0xff20, 0x7f21, 0x5f4e])!.offset).toBe(19);
    expect(findTlvPath(record[0]!, [0x7f21, 0x5f4e])!.offset).toBe(19);
    expect(findTlvPath(record[0]!, [0x7f21, 0x5f4f])).toBeUndefined();
    expect(findTlvPath(record[0]!, [])).toBe(record[0]);
    expect(findTlvPath(record, [])).toBeUndefined();
  });
});
