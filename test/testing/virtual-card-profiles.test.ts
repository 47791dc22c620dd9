/**
 * Virtual My Number Card: profiles, token EF layouts, holder overrides and the values derived
 * from the holder (照合番号B, birth-date key, expiry).
 */
import { X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import {
  buildTextMyNumberFile,
  defaultCardExpiry,
  deriveVerificationB,
  eraYymmdd,
  loadTestPki,
  TEST_PKI_DATA,
  VirtualMyNumberCard,
} from '../../src/testing/index.js';
import { buildTokenInfo } from '../../src/testing/virtual-card/token-info.js';
import { AID, ascii, hex, selectAid, send, sendBytes } from './virtual-card-helpers.js';

const label = (text: string): string => `${ascii(text)}${'20'.repeat(32 - text.length)}`;

describe('profiles', () => {
  it('card: JPKIAPICCTOKEN2, all five APs, auth certificate free', async () => {
    const card = await VirtualMyNumberCard.create({ profile: 'card' });
    expect(card.profile).toBe('card');
    for (const aid of [AID.text, AID.face, AID.common, AID.juki]) expect(await send(card, selectAid(aid))).toBe('9000');
    await send(card, selectAid(AID.jpki));
    expect(await send(card, '00B0860020')).toBe(`${label('JPKIAPICCTOKEN2')}9000`);
    expect(await send(card, '00B08A0004')).toBe(`${hex(card.certificates.auth.subarray(0, 4))}9000`);
  });

  it.each([
    ['android', 'JPKIAPGPSETOKEN'],
    ['iphone', 'JPKIAPIOSTOKEN'],
  ] as const)('%s: %s, JPKI AP only, auth certificate behind the auth PIN', async (profile, token) => {
    const card = await VirtualMyNumberCard.create({ profile });
    for (const aid of [AID.text, AID.face, AID.common, AID.juki]) expect(await send(card, selectAid(aid))).toBe('6A82');
    await send(card, selectAid(AID.jpki));
    expect(await send(card, '00B0860020')).toBe(`${label(token)}9000`);
    expect(await send(card, '00B08A0004')).toBe('6982');
    expect(await send(card, '00B08B0004')).toBe(`${hex(card.certificates.authCa.subarray(0, 4))}9000`);
    expect(await send(card, `0020009804${ascii('1234')}`)).toBe('9000');
    expect(await send(card, '00B08A0004')).toBe(`${hex(card.certificates.auth.subarray(0, 4))}9000`);
  });

  it('juki: JPKIAPICCTOKEN, JPKI and 住基 APs only', async () => {
    const card = await VirtualMyNumberCard.create({ profile: 'juki' });
    for (const aid of [AID.text, AID.face, AID.common]) expect(await send(card, selectAid(aid))).toBe('6A82');
    expect(await send(card, selectAid(AID.juki))).toBe('9000');
    await send(card, selectAid(AID.jpki));
    expect(await send(card, '00B0860020')).toBe(`${label('JPKIAPICCTOKEN')}9000`);
    expect(await send(card, '00B08A0004')).toBe(`${hex(card.certificates.auth.subarray(0, 4))}9000`);
  });

  it('rejects an unknown profile', async () => {
    await expect(VirtualMyNumberCard.create({ profile: 'watch' as 'card' })).rejects.toThrow(InvalidArgumentError);
  });
});

describe('token EF 0006 layouts', () => {
  it("'full' (default) is the 160-byte CK_TOKEN_INFO with the label first", async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    const ef = await sendBytes(card, '00B0860000');
    expect(ef.length).toBe(162);
    expect(hex(ef)).toBe(
      label('JPKIAPICCTOKEN2') +
        label('mynacard virtual card') +
        `${ascii('virtual')}${'20'.repeat(9)}` +
        ascii('0000000000000001') +
        '0000040D' + '00000000' + 'FFFFFFFF' + '00000000' + 'FFFFFFFF' +
        '00000010' + '00000006' +
        'FF'.repeat(16) +
        ascii('03') + ascii('01') +
        '20'.repeat(16) +
        '9000',
    );
  });

  it("'label' is exactly 32 bytes", async () => {
    const card = await VirtualMyNumberCard.create({ tokenInfo: 'label' });
    await send(card, selectAid(AID.jpki));
    expect(await send(card, '00B0860000')).toBe(`${label('JPKIAPICCTOKEN2')}9000`);
    expect(await send(card, '00B0862000')).toBe('6B00');
    expect(hex(buildTokenInfo('JPKIAPIOSTOKEN', 'label'))).toBe(label('JPKIAPIOSTOKEN'));
  });
});

describe('holder', () => {
  it('defaults to the committed test holder', async () => {
    const card = await VirtualMyNumberCard.create();
    expect(card.holder).toEqual(TEST_PKI_DATA.holder);
  });

  it('re-issues the leaves for another holder, deterministically', async () => {
    const holder = { name: '秋田　太郎', sex: '1' as const, birthDate: '1980-02-17' };
    const card = await VirtualMyNumberCard.create({ holder });
    const again = await VirtualMyNumberCard.create({ holder });
    const base = await VirtualMyNumberCard.create();
    expect(card.holder).toEqual({ ...TEST_PKI_DATA.holder, ...holder });
    expect(hex(card.certificates.sign)).not.toBe(hex(base.certificates.sign));
    expect(hex(card.certificates.sign)).toBe(hex(again.certificates.sign));
    expect(hex(card.certificates.sign)).toContain(hex(new TextEncoder().encode('秋田　太郎')));
    // Same keys: a signature with the re-issued card verifies against its new certificate.
    expect(new X509Certificate(card.certificates.sign).publicKey.export({ format: 'der', type: 'spki' })).toEqual(
      new X509Certificate(base.certificates.sign).publicKey.export({ format: 'der', type: 'spki' }),
    );
    expect(new X509Certificate(card.certificates.sign).verify(new X509Certificate(card.roots.sign).publicKey)).toBe(true);
    // Text AP carries the new holder; 照合番号B and the birth-date key follow the birth date (昭和55).
    await send(card, selectAid(AID.text));
    // 1980-02-17 → 昭和55 → 550217; expiry 2035 (10th birthday after 2025-04-01); code 2468.
    expect(await send(card, `002000950E${ascii('55021720352468')}`)).toBe('9000');
    const attributes = await send(card, '00B08200000000');
    expect(attributes).toContain(hex(new TextEncoder().encode('秋田　太郎')));
    expect(attributes).toContain(`DF2408${ascii('19800217')}DF2501${ascii('1')}`);
    await send(card, selectAid(AID.face));
    expect(await send(card, `0020009106${ascii('550217')}`)).toBe('9000');
  });

  it('changes only the text AP when only the My Number differs', async () => {
    const card = await VirtualMyNumberCard.create({ holder: { myNumber: '000000000019' } });
    const base = await VirtualMyNumberCard.create();
    expect(hex(card.certificates.sign)).toBe(hex(base.certificates.sign));
    await send(card, selectAid(AID.text));
    expect(await send(card, `002000940C${ascii('000000000019')}`)).toBe('9000');
    expect(await send(card, '00B0810000')).toBe(`${hex(buildTextMyNumberFile('000000000019'))}9000`);
  });

  it('maps the SAN sex code 3 (不明) to the card code 9 unless sexCode is given', async () => {
    const unknown = await VirtualMyNumberCard.create({ holder: { sex: '3' } });
    await send(unknown, selectAid(AID.text));
    await send(unknown, `0020009104${ascii('5678')}`);
    expect(await send(unknown, '00B08200000000')).toContain(`DF2501${ascii('9')}`);
    const zero = await VirtualMyNumberCard.create({ holder: { sex: '3' }, cardInfo: { sexCode: '0' } });
    await send(zero, selectAid(AID.text));
    await send(zero, `0020009104${ascii('5678')}`);
    expect(await send(zero, '00B08200000000')).toContain(`DF2501${ascii('0')}`);
  });

  it('accepts a loaded TestPki and forwards text/face builder options', async () => {
    const card = await VirtualMyNumberCard.create({
      pki: await loadTestPki(),
      face: { images: { photo: Uint8Array.of(0x0a, 0x0b, 0x0c) } },
      text: { attributesFiller: { length: 3, byte: 0x00 } },
    });
    const base = await VirtualMyNumberCard.create();
    expect(hex(card.certificates.auth)).toBe(hex(base.certificates.auth));
    await send(card, selectAid(AID.face));
    await send(card, `002000930C${ascii(TEST_PKI_DATA.holder.myNumber)}`);
    expect(await send(card, '00B08200000000')).toContain('DF27030A0B0C');
    await send(card, selectAid(AID.text));
    await send(card, `0020009104${ascii('5678')}`);
    expect(await send(card, '00B08200000000')).toMatch(/DF2501(31|32|39|30)0000009000$/);
  });

  it('uses cardInfo for 照合番号B and the common AP', async () => {
    const card = await VirtualMyNumberCard.create({
      cardInfo: { expiryDate: '2031-12-31', securityCode: '0007', municipalityCode: '13101', serial: '111111111111111' },
    });
    await send(card, selectAid(AID.text));
    expect(await send(card, `002000950E${ascii('02010220310007')}`)).toBe('9000');
    await send(card, selectAid(AID.common));
    expect(await send(card, '00B2010C00')).toBe(`011C${ascii('111111111111111' + '13101' + '20311231')}9000`);
  });
});

describe('values derived from the holder', () => {
  it.each([
    ['1980-02-17', '550217'], // 昭和55 (card-facts §5 example)
    ['1990-01-02', '020102'], // 平成2
    ['1989-01-07', '640107'], // 昭和64
    ['1989-01-08', '010108'], // 平成元年
    ['2019-04-30', '310430'], // 平成31
    ['2019-05-01', '010501'], // 令和元年
    ['1926-12-24', '151224'], // 大正15
    ['1926-12-25', '011225'], // 昭和元年
  ])('era-year YYMMDD of %s is %s', (date, expected) => {
    expect(eraYymmdd(date)).toBe(expected);
  });

  it('builds 照合番号B from birth date, expiry year and security code', () => {
    expect(deriveVerificationB('1980-02-17', '2035-02-17', '1234')).toBe('55021720351234');
    expect(() => deriveVerificationB('1980-02-17', '2035-02-17', '123')).toThrow(InvalidArgumentError);
    expect(() => eraYymmdd('1980-02-30')).toThrow(InvalidArgumentError);
  });

  it('puts the default expiry on the 10th birthday after issuance', () => {
    expect(defaultCardExpiry('1990-01-02', new Date('2025-04-01T01:23:45Z'))).toBe('2035-01-02');
    expect(defaultCardExpiry('1990-06-30', new Date('2025-04-01T01:23:45Z'))).toBe('2034-06-30');
    expect(defaultCardExpiry('1990-04-01', new Date('2025-04-01T01:23:45Z'))).toBe('2035-04-01');
    expect(defaultCardExpiry('2000-02-29', new Date('2025-04-01T00:00:00Z'))).toBe('2035-02-28');
    expect(defaultCardExpiry('2000-02-29', new Date('2021-04-01T00:00:00Z'))).toBe('2031-02-28');
    expect(defaultCardExpiry('2000-02-29', new Date('2022-04-01T00:00:00Z'))).toBe('2032-02-29');
  });
});
