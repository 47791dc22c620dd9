import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import {
  buildFaceApBasicInfo,
  buildFaceApFiles,
  defaultFaceImages,
  faceSignatureDigestInfo,
  makeKeyId,
} from '../../src/testing/content/index.js';
import {
  CARD_KEY,
  HOLDER,
  ISSUER_KEY,
  cardKeyEncoding,
  children,
  hex,
  recoverPayload,
  sha256,
  tlvAt,
  verifiesSha256,
} from './content-helpers.js';

const INPUT = {
  birthDate: HOLDER.birthDate,
  sex: HOLDER.sex,
  expiryDate: '2035-01-02',
  cardKey: CARD_KEY,
  issuerKey: ISSUER_KEY,
};
const ascii = (s: string) => Buffer.from(s, 'latin1').toString('hex');
const SHA256_DIGEST_INFO_PREFIX_96 = '3071300d060960864801650304020105000460';
const FACE_TAGS = [0xdf22, 0xdf23, 0xdf24, 0xdf25, 0xdf26, 0xdf27, 0xdf28, 0xdf29, 0xdf2a];

describe('face AP EF 0001 (age record)', () => {
  it('is FF 10 82 02 1E { DF11 date, DF12 key, DF13 signature over DF11‖DF12 } = 547 bytes', async () => {
    const { ef0001 } = await buildFaceApFiles(INPUT);
    expect(ef0001.length).toBe(547);
    expect(hex(ef0001.subarray(0, 5))).toBe('ff1082021e');
    expect(hex(ef0001.subarray(5, 16))).toBe('df1108' + ascii('19900102'));
    expect(hex(ef0001.subarray(16, 21))).toBe('df12820109');
    expect(hex(ef0001.subarray(21, 286))).toBe(hex(cardKeyEncoding(CARD_KEY)));
    expect(hex(ef0001.subarray(286, 291))).toBe('df13820100');
    expect(verifiesSha256(CARD_KEY, ef0001.subarray(5, 286), ef0001.subarray(291))).toBe(true);
  });
});

describe('face AP EF 0002 (card face)', () => {
  it('has a nine-entry offset table pointing at DF22..DF2A from the file start', async () => {
    const { ef0002 } = await buildFaceApFiles(INPUT);
    const outer = tlvAt(ef0002, 0);
    expect(hex(ef0002.subarray(0, 3))).toBe('ff2082');
    expect(outer.header).toBe(5);
    expect(outer.end).toBe(ef0002.length);
    expect(hex(ef0002.subarray(5, 8))).toBe('df2112');
    const table = ef0002.subarray(8, 26);
    const fields = children(outer.value, outer.header);
    expect(fields.map((f) => f.tag)).toEqual([0xdf21, ...FACE_TAGS]);
    FACE_TAGS.forEach((tag, i) => {
      const offset = (table[2 * i]! << 8) | table[2 * i + 1]!;
      expect(offset).toBe(fields[i + 1]!.start);
      expect(tlvAt(ef0002, offset).tag).toBe(tag);
    });
    expect(fields[1]!.start).toBe(5 + 21); // header + DF21 12 (2 + 1 + 18)
  });

  it('carries the fields and images exactly', async () => {
    const { ef0002 } = await buildFaceApFiles(INPUT);
    const images = defaultFaceImages();
    const f = Object.fromEntries(children(tlvAt(ef0002, 0).value).map((c) => [c.tag, c]));
    expect(hex(f[0xdf22]!.tlv)).toBe('df2208' + ascii('19900102'));
    expect(hex(f[0xdf23]!.tlv)).toBe('df2301' + ascii('2'));
    expect(hex(f[0xdf24]!.tlv)).toBe('df24820109' + hex(cardKeyEncoding(CARD_KEY)));
    expect(hex(f[0xdf25]!.value)).toBe(hex(images.name));
    expect(hex(f[0xdf26]!.value)).toBe(hex(images.address));
    expect(hex(f[0xdf27]!.value)).toBe(hex(images.photo));
    expect(hex(f[0xdf28]!.tlv.subarray(0, 5))).toBe('df28820100');
    expect(hex(f[0xdf29]!.tlv)).toBe('df2908' + ascii('20350102'));
    expect(hex(f[0xdf2a]!.value)).toBe(hex(images.securityCode));
  });

  it('DF28 signs DigestInfo(SHA-256, 96 bytes) of the three segments with the card key', async () => {
    const { ef0002 } = await buildFaceApFiles(INPUT);
    const f = Object.fromEntries(children(tlvAt(ef0002, 0).value).map((c) => [c.tag, c.tlv]));
    const expected =
      SHA256_DIGEST_INFO_PREFIX_96 +
      hex(sha256(Buffer.concat([f[0xdf22]!, f[0xdf23]!, f[0xdf24]!]))) +
      hex(sha256(Buffer.concat([f[0xdf25]!, f[0xdf26]!]))) +
      hex(sha256(f[0xdf27]!));
    const signature = f[0xdf28]!.subarray(5);
    expect(hex(recoverPayload(CARD_KEY, signature))).toBe(expected);
    expect(expected.length / 2).toBe(115);
    expect(hex(faceSignatureDigestInfo([Buffer.concat([f[0xdf22]!, f[0xdf23]!, f[0xdf24]!]), Buffer.concat([f[0xdf25]!, f[0xdf26]!]), f[0xdf27]!]))).toBe(expected);
  });

  it('does not cover DF29 / DF2A by the signature', async () => {
    const a = await buildFaceApFiles(INPUT);
    const b = await buildFaceApFiles({
      ...INPUT,
      expiryDate: '2036-12-31',
      images: { securityCode: Uint8Array.of(1, 2, 3) },
    });
    const sig = (ef: Uint8Array) => children(tlvAt(ef, 0).value).find((c) => c.tag === 0xdf28)!.tlv;
    expect(hex(sig(a.ef0002))).toBe(hex(sig(b.ef0002)));
    expect(hex(a.ef0002)).not.toBe(hex(b.ef0002));
    const c = await buildFaceApFiles({ ...INPUT, images: { photo: Uint8Array.of(0, 0, 0, 0x0c) } });
    expect(hex(sig(c.ef0002))).not.toBe(hex(sig(a.ef0002)));
  });
});

describe('face AP EF 0003 (AP basic info)', () => {
  it('is FF 30 82 01 3B { DF31 06030E01, DF32 key ID, DF33 01, DF34 "05210", DF35 82 01 10 }', async () => {
    const { ef0003 } = await buildFaceApFiles(INPUT);
    expect(ef0003.length).toBe(320);
    const fields = children(tlvAt(ef0003, 0).value);
    expect(hex(ef0003.subarray(0, 5))).toBe('ff3082013b');
    expect(fields.map((f) => hex(f.tlv.subarray(0, f.tag === 0xdf35 ? 5 : f.tlv.length)))).toEqual([
      'df3104' + '06030e01',
      'df3210' + ascii('9000024') + '0805' + ascii('001') + '00000000',
      'df330101',
      'df3405' + ascii('05210'),
      'df35820110',
    ]);
    const df35 = fields[4]!.value;
    expect(hex(df35.subarray(0, 16))).toBe(ascii('9000025') + '0805' + ascii('001') + '00000000');
    const label = Buffer.from('mynacard virtual face AP DF35');
    expect(hex(df35.subarray(16, 48))).toBe(hex(sha256(Buffer.concat([label, Buffer.of(0)]))));
    expect(hex(df35.subarray(240))).toBe(hex(sha256(Buffer.concat([label, Buffer.of(7)]))));
  });

  it('takes a municipality code, version and opaque block, and validates them', () => {
    const ef = buildFaceApBasicInfo({ municipalityCode: '13221', version: 2, opaqueBlock: new Uint8Array(256).fill(7) });
    expect(hex(ef)).toContain('df330102df3405' + ascii('13221'));
    expect(hex(ef)).toContain('07'.repeat(256));
    expect(() => buildFaceApBasicInfo({ municipalityCode: '1322' })).toThrow(InvalidArgumentError);
    expect(() => buildFaceApBasicInfo({ version: 256 })).toThrow(InvalidArgumentError);
    expect(() => buildFaceApBasicInfo({ opaqueBlock: new Uint8Array(255) })).toThrow(InvalidArgumentError);
  });
});

describe('face AP EF 0004 / EF 0005', () => {
  it('EF 0004 is a 568-byte CV certificate with the face-AP key IDs, signed by the issuer', async () => {
    const { ef0004 } = await buildFaceApFiles(INPUT);
    expect(ef0004.length).toBe(568);
    expect(hex(ef0004.subarray(0, 10))).toBe('7f218202335f4e820129');
    expect(hex(ef0004.subarray(10, 17))).toBe(ascii('9000023'));
    expect(hex(ef0004.subarray(26, 33))).toBe(ascii('9100023'));
    expect(hex(ef0004.subarray(42, 307))).toBe(hex(cardKeyEncoding(CARD_KEY)));
    expect(verifiesSha256(ISSUER_KEY, ef0004.subarray(10, 307), ef0004.subarray(312))).toBe(true);
  });

  it('EF 0005 = FF 40 { DF41 PNG, DF42 key, DF43 signature over DF41‖DF42 }', async () => {
    const { ef0005 } = await buildFaceApFiles(INPUT);
    const outer = tlvAt(ef0005, 0);
    expect(outer.end).toBe(ef0005.length);
    const [df41, df42, df43] = children(outer.value);
    expect(df41!.tag).toBe(0xdf41);
    expect(hex(df41!.value)).toBe(hex(defaultFaceImages().myNumber));
    expect(hex(df42!.tlv)).toBe('df42820109' + hex(cardKeyEncoding(CARD_KEY)));
    expect(hex(df43!.tlv.subarray(0, 5))).toBe('df43820100');
    const signed = Buffer.concat([df41!.tlv, df42!.tlv]);
    expect(verifiesSha256(CARD_KEY, signed, df43!.value)).toBe(true);
  });
});

describe('buildFaceApFiles options', () => {
  it('puts ownPublicKey in DF12/DF24/DF42 while the certified card key still signs', async () => {
    const files = await buildFaceApFiles({ ...INPUT, ownPublicKey: { kty: 'RSA', n: ISSUER_KEY.n!, e: ISSUER_KEY.e! } });
    const own = hex(cardKeyEncoding(ISSUER_KEY));
    expect(hex(files.ef0001.subarray(21, 286))).toBe(own);
    const face = Object.fromEntries(children(tlvAt(files.ef0002, 0).value).map((c) => [c.tag, c]));
    expect(hex(face[0xdf24]!.value)).toBe(own);
    expect(hex(files.ef0004.subarray(42, 307))).toBe(hex(cardKeyEncoding(CARD_KEY)));
    expect(verifiesSha256(CARD_KEY, files.ef0001.subarray(5, 286), files.ef0001.subarray(291))).toBe(true);
    const [df41, df42, df43] = children(tlvAt(files.ef0005, 0).value);
    expect(hex(df42!.value)).toBe(own);
    expect(verifiesSha256(CARD_KEY, Buffer.concat([df41!.tlv, df42!.tlv]), df43!.value)).toBe(true);
  });

  it('uses caller images, key IDs and is deterministic', async () => {
    const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47);
    const files = await buildFaceApFiles({
      ...INPUT,
      images: { name: png, myNumber: png },
      keyIds: { cvIssuer: makeKeyId('6000023'), apKey: makeKeyId('6000024') },
    });
    const face = Object.fromEntries(children(tlvAt(files.ef0002, 0).value).map((c) => [c.tag, c]));
    expect(hex(face[0xdf25]!.tlv)).toBe('df2504' + '89504e47');
    expect(hex(face[0xdf26]!.value)).toBe(hex(defaultFaceImages().address));
    expect(hex(files.ef0005.subarray(0, 9))).toBe('ff4082021adf410489'); // 7 + 270 + 261 = 0x21A
    expect(hex(files.ef0004.subarray(10, 17))).toBe(ascii('6000023'));
    expect(hex(files.ef0003)).toContain('df3210' + ascii('6000024'));
    const again = await buildFaceApFiles({
      ...INPUT,
      images: { name: png, myNumber: png },
      keyIds: { cvIssuer: makeKeyId('6000023'), apKey: makeKeyId('6000024') },
    });
    for (const k of ['ef0001', 'ef0002', 'ef0003', 'ef0004', 'ef0005'] as const) {
      expect(hex(again[k])).toBe(hex(files[k]));
    }
  });

  it('rejects bad dates, sex codes and empty images; needs an extractable card key', async () => {
    await expect(buildFaceApFiles({ ...INPUT, expiryDate: '2035-02-29' })).rejects.toThrow(InvalidArgumentError);
    await expect(buildFaceApFiles({ ...INPUT, birthDate: '19900230' })).rejects.toThrow(InvalidArgumentError);
    await expect(buildFaceApFiles({ ...INPUT, sex: '3' })).rejects.toThrow(InvalidArgumentError);
    await expect(buildFaceApFiles({ ...INPUT, images: { photo: new Uint8Array(0) } })).rejects.toThrow(
      InvalidArgumentError,
    );
    const algorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
    const sealed = await crypto.subtle.importKey('jwk', CARD_KEY, algorithm, false, ['sign']);
    await expect(
      buildFaceApFiles({ ...INPUT, cardKey: sealed, cardPublicKey: { kty: 'RSA', n: CARD_KEY.n!, e: CARD_KEY.e! } }),
    ).rejects.toThrow(/extractable/);
    const open = await crypto.subtle.importKey('jwk', CARD_KEY, algorithm, true, ['sign']);
    const viaCryptoKey = await buildFaceApFiles({ ...INPUT, cardKey: open });
    expect(hex(viaCryptoKey.ef0002)).toBe(hex((await buildFaceApFiles(INPUT)).ef0002));
  });
});
