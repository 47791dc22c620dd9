import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concatBytes, fromHex, toHex } from '../../src/bytes.js';
import { CardDataError } from '../../src/errors.js';
import { myNumberCheckDigit } from '../../src/aps/my-number.js';
import {
  decodeCardIdentifier,
  decodeFaceRecord,
  decodeMyNumberImage,
  decodeMyNumberRecord,
  decodeTextAttributes,
  decodeTokenInfo,
  parseCardDate,
} from '../../src/aps/records.js';
import { encodeTlv } from '../../src/tlv/index.js';

const utf8 = (s: string) => new TextEncoder().encode(s);
const ascii = utf8;

function validMyNumber(first11: string): string {
  return first11 + String(myNumberCheckDigit(first11));
}

function attributes(parts: { name?: string; address?: string; birth?: string; sex?: string; skip?: number }): Uint8Array {
  const tags: Array<[number, Uint8Array]> = [
    [0xdf22, utf8(parts.name ?? '由利　花子')],
    [0xdf23, utf8(parts.address ?? '秋田県由利本荘市尾崎１７番地')],
    [0xdf24, ascii(parts.birth ?? '19900102')],
    [0xdf25, ascii(parts.sex ?? '2')],
  ];
  const children = tags.filter(([tag]) => tag !== parts.skip).map(([tag, v]) => encodeTlv(tag, v));
  return encodeTlv(0xff20, [encodeTlv(0xdf21, new Uint8Array(8)), ...children]);
}

describe('decodeMyNumberRecord (FF10, constructed bit, plain digits)', () => {
  const number = validMyNumber('12345678901');
  it('the 17-byte physical EF with FF FF filler', () => {
    const ef = concatBytes(fromHex('FF100C'), ascii(number), fromHex('FFFF'));
    expect(decodeMyNumberRecord(ef)).toBe(number);
  });
  it('wrong check digit, wrong tag, short value → CardDataError without the value', () => {
    const bad = number.slice(0, 11) + String((Number(number[11]) + 1) % 10);
    for (const bytes of [
      concatBytes(fromHex('FF100C'), ascii(bad)),
      concatBytes(fromHex('FF110C'), ascii(number)),
      concatBytes(fromHex('FF100B'), ascii(number.slice(0, 11))),
      fromHex('FFFFFF'),
      new Uint8Array(0),
    ]) {
      const e = (() => {
        try {
          decodeMyNumberRecord(bytes);
        } catch (error) {
          return error as Error;
        }
        throw new Error('no error');
      })();
      expect(e).toBeInstanceOf(CardDataError);
      expect(e.message).not.toContain(number.slice(0, 8));
    }
  });
  it('the first 12 digits of any valid number round-trip (property)', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9]{11}$/), (first11) => {
        const n = validMyNumber(first11);
        expect(decodeMyNumberRecord(concatBytes(fromHex('FF100C'), ascii(n), fromHex('FFFF')))).toBe(n);
      }),
    );
  });
});

describe('decodeTextAttributes (FF20 { DF21..DF25 })', () => {
  it('the synthetic example of card-facts §3.2 (short and long-form lengths)', () => {
    const a = decodeTextAttributes(attributes({}));
    expect(a).toMatchObject({
      name: '由利　花子',
      address: '秋田県由利本荘市尾崎１７番地',
      birthDate: '1990-01-02',
      sex: { value: 'female', code: '2' },
    });
    const long = attributes({ address: '東京都千代田区'.repeat(5) });
    expect(long[2]).toBe(0x81);
    expect(decodeTextAttributes(concatBytes(long, new Uint8Array(16).fill(0xff))).address).toBe('東京都千代田区'.repeat(5));
  });
  it('rejects missing tags, bad dates, unknown sex codes and invalid UTF-8', () => {
    for (const bytes of [
      attributes({ skip: 0xdf23 }),
      attributes({ birth: '19900230' }),
      attributes({ birth: '1990010' }),
      attributes({ birth: '2023-1-1' }),
      attributes({ sex: '3' }),
      attributes({ sex: '12' }),
      encodeTlv(0xff20, [encodeTlv(0xdf22, fromHex('C3')), encodeTlv(0xdf23, utf8('a')), encodeTlv(0xdf24, ascii('20000101')), encodeTlv(0xdf25, ascii('1'))]),
      encodeTlv(0xdf20, new Uint8Array(2)),
    ]) {
      expect(() => decodeTextAttributes(bytes)).toThrow(CardDataError);
    }
  });
  it('leap days', () => {
    expect(decodeTextAttributes(attributes({ birth: '20000229' })).birthDate).toBe('2000-02-29');
    expect(() => decodeTextAttributes(attributes({ birth: '19000229' }))).toThrow(CardDataError);
  });
  it('never throws anything but CardDataError on arbitrary bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        for (const decode of [decodeTextAttributes, decodeMyNumberRecord, decodeFaceRecord, decodeMyNumberImage, decodeCardIdentifier]) {
          try {
            decode(bytes);
          } catch (error) {
            expect(error).toBeInstanceOf(CardDataError);
          }
        }
      }),
    );
  });
  it('decodes any well-formed record (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.string({ maxLength: 120 }),
        fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.constantFrom('0', '1', '2', '9'),
        (name, address, date, sex) => {
          const iso = date.toISOString().slice(0, 10);
          const a = decodeTextAttributes(attributes({ name, address, birth: iso.replaceAll('-', ''), sex }));
          expect([a.name, a.address, a.birthDate, a.sex.code]).toEqual([name, address, iso, sex]);
        },
      ),
    );
  });
});

describe('parseCardDate', () => {
  it('accepts real dates only', () => {
    expect(parseCardDate(ascii('20350217'))).toBe('2035-02-17');
    for (const s of ['20351317', '20350231', '00000101', '2035021', 'abcdefgh', '2035-2-1']) {
      expect(parseCardDate(ascii(s))).toBeUndefined();
    }
  });
});

describe('decodeFaceRecord / decodeMyNumberImage', () => {
  const face = (overrides: Partial<Record<number, Uint8Array>> = {}) => {
    const fields: Array<[number, Uint8Array]> = [
      [0xdf21, new Uint8Array(20)],
      [0xdf22, ascii('19800217')],
      [0xdf23, ascii('1')],
      [0xdf24, fromHex('900301000191820100' + '00'.repeat(256))],
      [0xdf25, fromHex('89504E470D0A1A0A01')],
      [0xdf26, fromHex('89504E470D0A1A0A02')],
      [0xdf27, fromHex('0000000C6A5020200D0A870A03')],
      [0xdf28, new Uint8Array(256).fill(7)],
      [0xdf29, ascii('20300217')],
      [0xdf2a, fromHex('89504E470D0A1A0A04')],
    ];
    return encodeTlv(
      0xff20,
      fields.filter(([t]) => overrides[t] !== undefined || !(t in overrides)).map(([t, v]) => encodeTlv(t, overrides[t] ?? v)),
    );
  };
  it('every field', () => {
    const f = decodeFaceRecord(concatBytes(face(), new Uint8Array(5).fill(0xff)));
    expect(f.birthDate).toBe('1980-02-17');
    expect(f.expiryDate).toBe('2030-02-17');
    expect(f.sex).toEqual({ value: 'male', code: '1' });
    expect(toHex(f.nameImage)).toBe('89504e470d0a1a0a01');
    expect(toHex(f.addressImage)).toBe('89504e470d0a1a0a02');
    expect(toHex(f.photo)).toBe('0000000c6a5020200d0a870a03');
    expect(toHex(f.securityCodeImage)).toBe('89504e470d0a1a0a04');
    expect(f.signature).toHaveLength(256);
    expect(f.publicKey).toHaveLength(9 + 256);
    expect(toHex(f.raw)).toBe(toHex(face()));
  });
  it('missing signature or bad expiry → CardDataError', () => {
    const noSig = face({ 0xdf28: undefined });
    expect(() => decodeFaceRecord(noSig)).toThrow(CardDataError);
    expect(() => decodeFaceRecord(face({ 0xdf29: ascii('20301317') }))).toThrow(CardDataError);
  });
  it('個人番号 image', () => {
    const bytes = encodeTlv(0xff40, [
      encodeTlv(0xdf41, fromHex('89504E47')),
      encodeTlv(0xdf42, fromHex('900301')),
      encodeTlv(0xdf43, new Uint8Array(256)),
    ]);
    const img = decodeMyNumberImage(bytes);
    expect(toHex(img.image)).toBe('89504e47');
    expect(img.signature).toHaveLength(256);
    expect(() => decodeMyNumberImage(encodeTlv(0xff40, [encodeTlv(0xdf41, fromHex('00'))]))).toThrow(CardDataError);
  });
});

describe('decodeCardIdentifier (simple-TLV 01 1C)', () => {
  it('the test card of card-facts §3.4', () => {
    const record = concatBytes(fromHex('011C'), ascii('4000000127198431322120350217'));
    const id = decodeCardIdentifier(record);
    expect(id).toMatchObject({
      digits: '4000000127198431322120350217',
      interpretation: { serial: '400000012719843', municipalityCode: '13221', expiryDate: '2035-02-17' },
    });
    expect(toHex(id.raw)).toBe(toHex(record));
  });
  it('an expiry that is not a date stays undefined (the split is uncertain)', () => {
    expect(decodeCardIdentifier(concatBytes(fromHex('011C'), ascii('4000000127198431322199999999'))).interpretation.expiryDate).toBeUndefined();
  });
  it('rejects other tags, lengths and non-digits', () => {
    for (const r of [
      concatBytes(fromHex('021C'), ascii('4000000127198431322120350217')),
      concatBytes(fromHex('011B'), ascii('400000012719843132212035021')),
      concatBytes(fromHex('011C'), ascii('40000001271984313221203502A7')),
      fromHex('01'),
    ]) {
      expect(() => decodeCardIdentifier(r)).toThrow(CardDataError);
    }
  });
});

describe('decodeTokenInfo', () => {
  const label = (text: string, pad = 0x20) => {
    const b = new Uint8Array(32).fill(pad);
    b.set(ascii(text));
    return b;
  };
  it('maps the four labels, trims spaces and NULs, keeps unknown labels', () => {
    expect(decodeTokenInfo(label('JPKIAPICCTOKEN2')).profile).toBe('card');
    expect(decodeTokenInfo(label('JPKIAPICCTOKEN')).profile).toBe('juki');
    expect(decodeTokenInfo(label('JPKIAPGPSETOKEN', 0)).profile).toBe('android');
    expect(decodeTokenInfo(label('JPKIAPIOSTOKEN')).profile).toBe('iphone');
    expect(decodeTokenInfo(concatBytes(ascii('JPKIAPICCTOKEN2'), new Uint8Array(17))).label).toBe('JPKIAPICCTOKEN2');
    const unknown = decodeTokenInfo(label('JPKIAPNEWTOKEN'));
    expect(unknown).toMatchObject({ label: 'JPKIAPNEWTOKEN', profile: 'unknown' });
    expect(decodeTokenInfo(label('jpkiapicctoken2')).profile).toBe('unknown');
    // Only the first 32 bytes are the label (a 160-byte CK_TOKEN_INFO follows on some cards).
    expect(decodeTokenInfo(concatBytes(label('JPKIAPICCTOKEN2'), ascii('mynacard virtual card'))).label).toBe('JPKIAPICCTOKEN2');
  });
});
