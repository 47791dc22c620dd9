import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { concatBytes, fromHex, toHex } from '../../src/bytes.js';
import { InvalidArgumentError } from '../../src/errors.js';
import {
  parseCardVerifiableCertificate,
  verifyFaceApIntegrity,
  verifyTextApIntegrity,
  type RsaPublicKeyParts,
} from '../../src/crypto/integrity.js';
import { MyNumberCard } from '../../src/aps/card.js';
import { decodeTlv, encodeTlv } from '../../src/tlv/index.js';
import {
  buildFaceApFiles,
  buildTextApFiles,
  DEFAULT_TEXT_PIN,
  VirtualMyNumberCard,
  type FaceApFiles,
  type TextApFiles,
} from '../../src/testing/index.js';
import { loadTestPki, type TestPki } from '../../src/testing/pki.js';
import { signingKeyWithHash } from './helpers.js';

const b64url = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64url'));
const publicKeyOf = (jwk: JsonWebKey): RsaPublicKeyParts => ({ modulus: b64url(jwk.n!), exponent: b64url(jwk.e!) });

const AID = { text: 'D3921000310001010408', face: 'D3921000310001010402' } as const;

/** Read a whole EF with plain APDUs (SELECT AP, optional VERIFY by SFI, SELECT EF, READ BINARY). */
async function readEf(card: VirtualMyNumberCard, aid: string, fid: number, verify?: { sfi: number; pin: string }): Promise<Uint8Array> {
  const send = async (hex: string): Promise<Uint8Array> => {
    const response = await card.transmit(fromHex(hex));
    const sw = toHex(response.subarray(-2));
    if (sw !== '9000' && sw !== '6282') throw new Error(`SW ${sw} for ${hex.slice(0, 8)}`);
    return response.subarray(0, -2);
  };
  await send(`00A4040C0A${aid}`);
  if (verify !== undefined) {
    const pin = toHex(new TextEncoder().encode(verify.pin));
    await send(`002000${(0x80 | verify.sfi).toString(16)}${(pin.length / 2).toString(16).padStart(2, '0')}${pin}`);
  }
  await send(`00A4020C02${fid.toString(16).padStart(4, '0')}`);
  const parts: Uint8Array[] = [];
  for (let offset = 0; ; offset += 256) {
    const chunk = await send(`00B0${offset.toString(16).padStart(4, '0')}00`);
    parts.push(chunk);
    if (chunk.length < 256) break;
  }
  return concatBytes(...parts);
}

describe('integrity of the virtual card, read through the SDK and plain APDUs', () => {
  let virtual: VirtualMyNumberCard;
  let card: MyNumberCard;
  let pki: TestPki;

  beforeAll(async () => {
    pki = await loadTestPki();
    virtual = await VirtualMyNumberCard.create();
    card = await MyNumberCard.connect(virtual);
  });
  afterAll(async () => {
    await card.close();
  });

  it('text AP: EF 0003 holds for the 個人番号 and 基本4情報 read by the SDK', async () => {
    const myNumber = await card.text.readMyNumber({ pin: DEFAULT_TEXT_PIN });
    const attributes = await card.text.readAttributes({ pin: DEFAULT_TEXT_PIN });
    const integrityRecord = await readEf(virtual, AID.text, 0x0003, { sfi: 0x11, pin: DEFAULT_TEXT_PIN });
    const cvCertificate = await readEf(virtual, AID.text, 0x0004);
    expect(integrityRecord).toHaveLength(336);
    const result = await verifyTextApIntegrity(
      { myNumber, attributes: attributes.raw, integrityRecord, cvCertificate },
      { cvIssuerKey: publicKeyOf(pki.cvIssuer.jwk) },
    );
    expect(result).toEqual({
      valid: true,
      reasons: [],
      signature: 'valid',
      signatureCoverage: 'objects',
      myNumber: 'valid',
      attributes: 'valid',
      cvCertificate: 'valid',
    });
    // The raw 17-byte EF 0001 gives the same answer as the 12 digits.
    const ef0001 = await readEf(virtual, AID.text, 0x0001, { sfi: 0x11, pin: DEFAULT_TEXT_PIN });
    expect(ef0001).toHaveLength(17);
    expect((await verifyTextApIntegrity({ myNumber: ef0001, attributes: attributes.raw, integrityRecord, cvCertificate })).myNumber).toBe('valid');
  });

  it('face AP: the DF28 signature holds for the face record read by the SDK', async () => {
    const face = await card.face.readFace({ verificationA: pki.holder.myNumber });
    const cvCertificate = await readEf(virtual, AID.face, 0x0004);
    const result = await verifyFaceApIntegrity({ face: face.raw, cvCertificate }, { cvIssuerKey: publicKeyOf(pki.cvIssuer.jwk) });
    expect(result).toEqual({ valid: true, reasons: [], signature: 'valid', cvCertificate: 'valid' });
  });
});

describe('verifyTextApIntegrity on built files', () => {
  let pki: TestPki;
  let files: TextApFiles;
  let issuerKey: RsaPublicKeyParts;
  const holder = { name: '由利　花子', address: '秋田県由利本荘市尾崎１７番地', birthDate: '1990-01-02', sex: '2', myNumber: '123456789018' };

  beforeAll(async () => {
    pki = await loadTestPki();
    issuerKey = publicKeyOf(pki.cvIssuer.jwk);
    files = await buildTextApFiles({ ...holder, cardKey: pki.cardVerifiable.jwk, issuerKey: pki.cvIssuer.jwk });
  });

  const input = (over: Partial<Record<'myNumber' | 'attributes' | 'integrityRecord' | 'cvCertificate', Uint8Array>> = {}) => ({
    myNumber: files.ef0001,
    attributes: files.ef0002,
    integrityRecord: files.ef0003,
    cvCertificate: files.ef0004,
    ...over,
  });
  const flip = (bytes: Uint8Array, at: number, xor = 0x01): Uint8Array => {
    const out = bytes.slice();
    out[at] = out[at]! ^ xor;
    return out;
  };

  it('all parts hold; without the issuer key the CV certificate is not checked', async () => {
    expect(await verifyTextApIntegrity(input(), { cvIssuerKey: issuerKey })).toMatchObject({ valid: true, cvCertificate: 'valid' });
    expect(await verifyTextApIntegrity(input())).toMatchObject({ valid: true, reasons: [], cvCertificate: 'not-checked' });
  });

  it('reports exactly the part that changed', async () => {
    const nameAt = files.ef0002.indexOf(0xe7); // first byte of the UTF-8 name
    expect(await verifyTextApIntegrity(input({ myNumber: flip(files.ef0001, 5) }))).toMatchObject({
      valid: false,
      reasons: ['my-number-digest-mismatch'],
      signature: 'valid',
      myNumber: 'invalid',
      attributes: 'valid',
    });
    expect(await verifyTextApIntegrity(input({ attributes: flip(files.ef0002, nameAt) }))).toMatchObject({
      reasons: ['attributes-digest-mismatch'],
      myNumber: 'valid',
      attributes: 'invalid',
    });
    // The offset table (DF21) and the filler are outside the DF32 digest.
    expect((await verifyTextApIntegrity(input({ attributes: flip(files.ef0002, 6) }))).valid).toBe(true);
    expect((await verifyTextApIntegrity(input({ attributes: flip(files.ef0002, files.ef0002.length - 1) }))).valid).toBe(true);
    expect(await verifyTextApIntegrity(input({ integrityRecord: flip(files.ef0003, 200) }))).toMatchObject({
      reasons: ['signature-invalid'],
      signature: 'invalid',
    });
    expect(await verifyTextApIntegrity(input({ integrityRecord: flip(files.ef0003, 10) }))).toMatchObject({
      reasons: ['signature-invalid', 'my-number-digest-mismatch'],
    });
    const otherIssuer = publicKeyOf(pki.authRoot.jwk);
    expect(await verifyTextApIntegrity(input(), { cvIssuerKey: otherIssuer })).toMatchObject({
      reasons: ['cv-certificate-signature-invalid'],
      signature: 'valid',
      cvCertificate: 'invalid',
    });
  });

  it('accepts the 個人番号 as 12 digits; EF 0001 may be absent (opened with 照合番号B)', async () => {
    expect((await verifyTextApIntegrity(input({ myNumber: holder.myNumber as never }))).myNumber).toBe('valid');
    expect((await verifyTextApIntegrity(input({ myNumber: '123456789017' as never }))).myNumber).toBe('invalid');
    const { myNumber: _omit, ...withoutMyNumber } = input();
    expect(await verifyTextApIntegrity(withoutMyNumber)).toMatchObject({ valid: true, myNumber: 'not-checked' });
    await expect(verifyTextApIntegrity(input({ myNumber: '1234' as never }))).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('also accepts a record whose signature covers the whole prefix (header included)', async () => {
    const objects = files.ef0003.subarray(5, 5 + 70);
    const prefix = concatBytes(files.ef0003.subarray(0, 5), objects);
    const key = await signingKeyWithHash(pki.cardVerifiable.jwk, 'SHA-256');
    const signature = new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, Uint8Array.from(prefix)));
    const record = concatBytes(prefix, encodeTlv(0xdf33, signature));
    expect(record).toHaveLength(336);
    expect(await verifyTextApIntegrity(input({ integrityRecord: record }))).toMatchObject({ valid: true, signatureCoverage: 'record-prefix' });
  });

  it('malformed records are reported', async () => {
    expect(await verifyTextApIntegrity(input({ integrityRecord: files.ef0003.subarray(0, 100) }))).toEqual({
      valid: false,
      reasons: ['malformed-record'],
      signature: 'not-checked',
      myNumber: 'not-checked',
      attributes: 'not-checked',
      cvCertificate: 'not-checked',
    });
    expect((await verifyTextApIntegrity(input({ cvCertificate: files.ef0004.subarray(0, 30) }))).reasons).toEqual(['malformed-cv-certificate']);
    expect((await verifyTextApIntegrity(input({ attributes: files.ef0003 }))).reasons).toEqual(['malformed-record']);
    await expect(verifyTextApIntegrity(input({ attributes: 'x' as never }))).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('property: a flipped byte anywhere is reported, never thrown, and never passes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('myNumber', 'attributes', 'integrityRecord', 'cvCertificate'), fc.nat(1000), fc.integer({ min: 1, max: 255 }), async (file, position, xor) => {
        const original = input()[file];
        const at = position % original.length;
        const result = await verifyTextApIntegrity(input({ [file]: flip(original, at, xor) }));
        const outsideDigest =
          (file === 'attributes' && (at < 14 || at >= files.ef0002.length - 16)) || // header + offset table, filler
          (file === 'cvCertificate' && (at < 42 || at >= 307)); // headers + key IDs, CV signature: unchecked without the issuer key
        if (!outsideDigest) expect(result.valid).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('parses the card-verifiable certificate', () => {
    const cv = parseCardVerifiableCertificate(files.ef0004);
    expect(toHex(cv.publicKey.exponent)).toBe('010001');
    expect(cv.publicKey.modulus).toEqual(publicKeyOf(pki.cardVerifiable.jwk).modulus);
    expect(new TextDecoder().decode(cv.issuerKeyId.subarray(0, 7))).toBe('9000033');
    expect(cv.signature).toHaveLength(256);
    expect(() => parseCardVerifiableCertificate(Uint8Array.of(0x7f, 0x21, 0x00))).toThrow(InvalidArgumentError);
  });
});

describe('verifyFaceApIntegrity on built files', () => {
  let pki: TestPki;
  let files: FaceApFiles;

  beforeAll(async () => {
    pki = await loadTestPki();
    files = await buildFaceApFiles({
      birthDate: '1990-01-02',
      sex: '2',
      expiryDate: '2035-01-02',
      cardKey: pki.cardVerifiable.jwk,
      issuerKey: pki.cvIssuer.jwk,
    });
  });

  it('holds; the photo is covered, 有効期限 (DF29) and the security code (DF2A) are not', async () => {
    const check = (face: Uint8Array) => verifyFaceApIntegrity({ face, cvCertificate: files.ef0004 }, { cvIssuerKey: publicKeyOf(pki.cvIssuer.jwk) });
    expect(await check(files.ef0002)).toEqual({ valid: true, reasons: [], signature: 'valid', cvCertificate: 'valid' });
    const objects = decodeTlv(files.ef0002, { mode: 'ber' })[0]!.children;
    const at = (tag: number): number => objects.find((o) => o.tag === tag)!.offset;
    const flipAfter = (tag: number, skip: number): Uint8Array => {
      const out = files.ef0002.slice();
      out[at(tag) + skip] = out[at(tag) + skip]! ^ 0x01;
      return out;
    };
    expect(await check(flipAfter(0xdf27, 40))).toMatchObject({ valid: false, reasons: ['signature-invalid'], signature: 'invalid' });
    expect(await check(flipAfter(0xdf22, 4))).toMatchObject({ reasons: ['signature-invalid'] });
    expect(await check(flipAfter(0xdf29, 4))).toMatchObject({ valid: true });
    expect(await check(flipAfter(0xdf2a, 30))).toMatchObject({ valid: true });
    expect(await check(files.ef0002.subarray(0, 50))).toEqual({
      valid: false,
      reasons: ['malformed-record'],
      signature: 'not-checked',
      cvCertificate: 'not-checked',
    });
  });
});
