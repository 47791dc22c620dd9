import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidMyNumber } from '../../src/aps/my-number.js';
import { InvalidArgumentError } from '../../src/errors.js';
import {
  buildCvCertificate,
  buildTextApFiles,
  buildTextAttributesFile,
  buildTextMyNumberFile,
  makeKeyId,
  textAttributesDigestSource,
} from '../../src/testing/content/index.js';
import {
  CARD_KEY,
  HOLDER,
  ISSUER_KEY,
  cardKeyEncoding,
  children,
  hex,
  sha256,
  tlvAt,
  verifiesSha256,
} from './content-helpers.js';

const INPUT = { ...HOLDER, cardKey: CARD_KEY, issuerKey: ISSUER_KEY };
const ascii = (s: string) => Buffer.from(s, 'latin1').toString('hex');

describe('the default test holder', () => {
  it('has a My Number with a valid check digit', () => {
    expect(HOLDER.myNumber).toBe('123456789018');
    expect(isValidMyNumber(HOLDER.myNumber)).toBe(true);
  });
});

describe('text AP EF 0001 (個人番号)', () => {
  it('is FF 10 0C + 12 ASCII digits + FF FF, 17 bytes', () => {
    const ef = buildTextMyNumberFile('123456789018');
    expect(hex(ef)).toBe('ff100c' + ascii('123456789018') + 'ffff');
    expect(ef.length).toBe(17);
  });

  it('rejects anything but 12 ASCII digits without echoing it', () => {
    for (const bad of ['12345678901', '1234567890123', '12345678901a', '１２３４５６７８９０１８']) {
      expect(() => buildTextMyNumberFile(bad)).toThrow(InvalidArgumentError);
      try {
        buildTextMyNumberFile(bad);
      } catch (e) {
        expect((e as Error).message).not.toContain(bad);
      }
    }
  });
});

describe('text AP EF 0002 (基本4情報)', () => {
  it('encodes the holder exactly, short-form length, offsets from file start, 16 × FF filler', () => {
    const ef = buildTextAttributesFile(HOLDER);
    const name = Buffer.from('由利　花子', 'utf8').toString('hex'); // 15 bytes
    const address = Buffer.from('秋田県由利本荘市尾崎１７番地', 'utf8').toString('hex'); // 42 bytes
    expect(hex(ef)).toBe(
      'ff2059' +
        'df2108' + '000e' + '0020' + '004d' + '0058' +
        'df220f' + name +
        'df232a' + address +
        'df2408' + ascii('19900102') +
        'df2501' + ascii('2') +
        'ff'.repeat(16),
    );
  });

  it('each offset points at the DF22..DF25 tag', () => {
    const ef = buildTextAttributesFile(HOLDER);
    const table = tlvAt(ef, 3);
    expect(table.tag).toBe(0xdf21);
    expect(table.length).toBe(8);
    [0xdf22, 0xdf23, 0xdf24, 0xdf25].forEach((tag, i) => {
      const offset = (table.value[2 * i]! << 8) | table.value[2 * i + 1]!;
      expect(tlvAt(ef, offset).tag).toBe(tag);
    });
  });

  it('uses BER long form 81 xx for a 60-character full-width address', () => {
    const address = '東'.repeat(60); // 180 UTF-8 bytes
    const ef = buildTextAttributesFile({ ...HOLDER, address }, { length: 0 });
    // body = 11 (DF21) + 18 (DF22) + 2+2+180 (DF23 81 B4) + 11 (DF24) + 4 (DF25) = 228 = E4
    expect(hex(ef.subarray(0, 4))).toBe('ff2081e4');
    expect(ef.length).toBe(4 + 0xe4);
    const table = tlvAt(ef, 4).value;
    expect(hex(table)).toBe('000f' + '0021' + '00d9' + '00e4');
    const df23 = tlvAt(ef, 0x21);
    expect(hex(ef.subarray(0x21, 0x24))).toBe('df2381');
    expect(Buffer.from(df23.value).toString('utf8')).toBe(address);
    expect(tlvAt(ef, 0xd9).tag).toBe(0xdf24);
    expect(tlvAt(ef, 0xe4).tag).toBe(0xdf25);
  });

  it('uses 82 xx xx above 255 bytes and keeps the offsets right', () => {
    const ef = buildTextAttributesFile({ ...HOLDER, address: '西'.repeat(100) }, { length: 3, byte: 0x00 });
    expect(hex(ef.subarray(0, 3))).toBe('ff2082');
    const outer = tlvAt(ef, 0);
    expect(outer.length).toBe(11 + 18 + (2 + 3 + 300) + 11 + 4); // DF23 82 01 2C
    expect(hex(ef.subarray(outer.end))).toBe('000000');
    const table = tlvAt(ef, 5).value;
    [0xdf22, 0xdf23, 0xdf24, 0xdf25].forEach((tag, i) => {
      expect(tlvAt(ef, (table[2 * i]! << 8) | table[2 * i + 1]!).tag).toBe(tag);
    });
  });

  it('accepts YYYYMMDD too and rejects impossible dates and unknown sex codes', () => {
    expect(hex(buildTextAttributesFile({ ...HOLDER, birthDate: '19900102' }))).toBe(
      hex(buildTextAttributesFile(HOLDER)),
    );
    for (const birthDate of ['1990-02-30', '1990-13-01', '1990/01/02', '199001021']) {
      expect(() => buildTextAttributesFile({ ...HOLDER, birthDate })).toThrow(InvalidArgumentError);
    }
    for (const sex of ['3', 'M', '', '11']) {
      expect(() => buildTextAttributesFile({ ...HOLDER, sex })).toThrow(InvalidArgumentError);
    }
    expect(() => buildTextAttributesFile(HOLDER, { length: 2, byte: 0x20 as 0xff })).toThrow(InvalidArgumentError);
  });

  it('digest source = DF22 tag through the end of DF25 (no header, table or filler)', () => {
    const ef = buildTextAttributesFile(HOLDER);
    const source = textAttributesDigestSource(ef);
    expect(hex(source)).toBe(hex(ef.subarray(14, 3 + 0x59)));
    expect(hex(source.subarray(0, 2))).toBe('df22');
    expect(() => textAttributesDigestSource(buildTextMyNumberFile('123456789018'))).toThrow(InvalidArgumentError);
  });
});

describe('buildTextApFiles', () => {
  it('builds EF 0003 = 336 bytes whose digests and signature check out', async () => {
    const files = await buildTextApFiles(INPUT);
    const ef = files.ef0003;
    expect(ef.length).toBe(336);
    expect(hex(ef.subarray(0, 5))).toBe('ff3082014b');
    expect(hex(ef.subarray(5, 8))).toBe('df3120');
    expect(hex(ef.subarray(8, 40))).toBe(hex(sha256(files.ef0001)));
    expect(hex(ef.subarray(40, 43))).toBe('df3220');
    const header = 3;
    const bodyEnd = header + 0x59;
    expect(hex(ef.subarray(43, 75))).toBe(hex(sha256(files.ef0002.subarray(header + 11, bodyEnd))));
    expect(hex(ef.subarray(75, 80))).toBe('df33820100');
    const signature = ef.subarray(80);
    expect(signature.length).toBe(256);
    expect(verifiesSha256(CARD_KEY, ef.subarray(5, 75), signature)).toBe(true);
    expect(verifiesSha256(ISSUER_KEY, ef.subarray(5, 75), signature)).toBe(false);
  });

  it('builds EF 0004 = 568-byte CV certificate over the card key, signed by the issuer', async () => {
    const { ef0004 } = await buildTextApFiles(INPUT);
    expect(ef0004.length).toBe(568);
    expect(hex(ef0004.subarray(0, 10))).toBe('7f218202335f4e820129');
    expect(hex(ef0004.subarray(10, 26))).toBe(ascii('9000033') + '0805' + ascii('001') + '00000000');
    expect(hex(ef0004.subarray(26, 42))).toBe(ascii('9100033') + '0805' + ascii('001') + '00000000');
    expect(hex(ef0004.subarray(42, 307))).toBe(hex(cardKeyEncoding(CARD_KEY)));
    expect(hex(ef0004.subarray(307, 312))).toBe('5f37820100');
    const body = ef0004.subarray(10, 307);
    expect(verifiesSha256(ISSUER_KEY, body, ef0004.subarray(312))).toBe(true);
  });

  it('can sign the whole 5F4E TLV instead (signatureCoverage body-tlv)', async () => {
    const cert = await buildCvCertificate({
      issuerKeyId: makeKeyId('9000033'),
      subjectKeyId: makeKeyId('9100033'),
      publicKey: CARD_KEY,
      issuerKey: ISSUER_KEY,
      signatureCoverage: 'body-tlv',
    });
    expect(verifiesSha256(ISSUER_KEY, cert.subarray(5, 307), cert.subarray(312))).toBe(true);
    expect(verifiesSha256(ISSUER_KEY, cert.subarray(10, 307), cert.subarray(312))).toBe(false);
  });

  it('builds EF 0005 = FF 40 { DF41 04 01030E01, DF42 key ID, DF43 81 80 32 B + 96 × FF }', async () => {
    const { ef0005 } = await buildTextApFiles(INPUT);
    const outer = tlvAt(ef0005, 0);
    expect(hex(ef0005.subarray(0, 4))).toBe('ff40819e');
    expect(outer.end).toBe(ef0005.length);
    const [df41, df42, df43] = children(outer.value);
    expect(hex(df41!.tlv)).toBe('df4104' + '01030e01');
    expect(hex(df42!.tlv)).toBe('df4210' + ascii('9000034') + '0805' + ascii('001') + '00000000');
    expect(hex(df43!.tlv.subarray(0, 4))).toBe('df438180');
    expect(hex(df43!.value.subarray(0, 32))).toBe(hex(sha256(Buffer.from('mynacard virtual text AP DF43'))));
    expect(hex(df43!.value.subarray(32))).toBe('ff'.repeat(96));
  });

  it('is deterministic and honours the key-ID, filler and DF41/DF43 options', async () => {
    const a = await buildTextApFiles(INPUT);
    const b = await buildTextApFiles(INPUT);
    expect(hex(a.ef0003)).toBe(hex(b.ef0003));
    expect(hex(a.ef0004)).toBe(hex(b.ef0004));
    const custom = await buildTextApFiles({
      ...INPUT,
      keyIds: { cvIssuer: makeKeyId('6000033'), cvSubject: makeKeyId('6123456', '002'), apKey: makeKeyId('6000034') },
      attributesFiller: { length: 0 },
      apIdentification: Uint8Array.of(1, 2, 3, 4),
      apTrailingValue: new Uint8Array(32).fill(0xab),
    });
    expect(custom.ef0002.length).toBe(3 + 0x59);
    expect(hex(custom.ef0004.subarray(10, 17))).toBe(ascii('6000033'));
    expect(hex(custom.ef0004.subarray(26, 42))).toBe(ascii('6123456') + '0805' + ascii('002') + '00000000');
    expect(hex(custom.ef0005)).toContain('df410401020304');
    expect(hex(custom.ef0005)).toContain('df4210' + ascii('6000034'));
    expect(hex(custom.ef0005)).toContain('df438180' + 'ab'.repeat(32) + 'ff'.repeat(96));
    // The integrity record digests the EF 0002 without filler either way.
    expect(hex(custom.ef0003.subarray(43, 75))).toBe(hex(a.ef0003.subarray(43, 75)));
  });

  it('accepts WebCrypto keys and gives the same bytes', async () => {
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const cardKey = await crypto.subtle.importKey('jwk', CARD_KEY, algorithm, true, ['sign']);
    const issuerKey = await crypto.subtle.importKey('jwk', ISSUER_KEY, algorithm, false, ['sign']);
    const fromJwk = await buildTextApFiles(INPUT);
    const fromCryptoKey = await buildTextApFiles({ ...HOLDER, cardKey, issuerKey });
    expect(hex(fromCryptoKey.ef0003)).toBe(hex(fromJwk.ef0003));
    expect(hex(fromCryptoKey.ef0004)).toBe(hex(fromJwk.ef0004));
  });

  it('needs cardPublicKey for a non-extractable card key and checks it matches', async () => {
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const cardKey = await crypto.subtle.importKey('jwk', CARD_KEY, algorithm, false, ['sign']);
    await expect(buildTextApFiles({ ...HOLDER, cardKey, issuerKey: ISSUER_KEY })).rejects.toThrow(InvalidArgumentError);
    const withPublic = await buildTextApFiles({
      ...HOLDER,
      cardKey,
      cardPublicKey: { kty: 'RSA', n: CARD_KEY.n!, e: CARD_KEY.e! },
      issuerKey: ISSUER_KEY,
    });
    expect(hex(withPublic.ef0004)).toBe(hex((await buildTextApFiles(INPUT)).ef0004));
    await expect(
      buildTextApFiles({ ...INPUT, cardPublicKey: { kty: 'RSA', n: ISSUER_KEY.n!, e: ISSUER_KEY.e! } }),
    ).rejects.toThrow(/not the public half/);
  });

  it('rejects malformed key IDs', async () => {
    await expect(buildTextApFiles({ ...INPUT, keyIds: { cvIssuer: new Uint8Array(15) } })).rejects.toThrow(
      InvalidArgumentError,
    );
    expect(() => makeKeyId('123456')).toThrow(InvalidArgumentError);
  });
});

describe('EF 0002 for arbitrary names and addresses (property)', () => {
  it('always has a minimal BER length, a correct offset table and a digest source from DF22 to DF25', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'grapheme', maxLength: 80 }),
        fc.string({ unit: 'grapheme', maxLength: 200 }),
        fc.integer({ min: 0, max: 40 }),
        (name, address, fillerLength) => {
          const ef = buildTextAttributesFile({ ...HOLDER, name, address }, { length: fillerLength });
          const outer = tlvAt(ef, 0);
          const lengthField = outer.header - 2;
          expect(lengthField).toBe(outer.length < 0x80 ? 1 : outer.length <= 0xff ? 2 : 3);
          expect(ef.length).toBe(outer.end + fillerLength);
          const table = tlvAt(ef, outer.header).value;
          const tags = [0xdf22, 0xdf23, 0xdf24, 0xdf25];
          const offsets = tags.map((_, i) => (table[2 * i]! << 8) | table[2 * i + 1]!);
          offsets.forEach((offset, i) => expect(tlvAt(ef, offset).tag).toBe(tags[i]));
          expect(Buffer.from(tlvAt(ef, offsets[0]!).value).toString('utf8')).toBe(name);
          expect(Buffer.from(tlvAt(ef, offsets[1]!).value).toString('utf8')).toBe(address);
          expect(hex(textAttributesDigestSource(ef))).toBe(hex(ef.subarray(offsets[0]!, outer.end)));
        },
      ),
    );
  });
});
