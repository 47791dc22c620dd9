/**
 * Virtual My Number Card: power-on state, SELECT, READ BINARY / READ RECORD, access rules,
 * security status, class and length rules. Exact bytes throughout.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import {
  buildCommonApRecord,
  buildTextAttributesFile,
  TEST_PKI_DATA,
  VirtualMyNumberCard,
} from '../../src/testing/index.js';
import { AID, ascii, hex, selectAid, send, sendBytes } from './virtual-card-helpers.js';

const HOLDER = TEST_PKI_DATA.holder;
const MY_NUMBER_EF = `FF100C${ascii(HOLDER.myNumber)}FFFF`;

let reference: VirtualMyNumberCard;
beforeAll(async () => {
  reference = await VirtualMyNumberCard.create();
});

describe('power-on state (MF / card manager)', () => {
  it('answers 6A86 to SELECT MF after reset and has no current EF', async () => {
    const card = await VirtualMyNumberCard.create();
    expect(await send(card, '00A40000')).toBe('6A86');
    expect(await send(card, '00B0000001')).toBe('6986');
    expect(await send(card, '00A4020C02000A')).toBe('6A82');
    expect(await send(card, '00B08A0004')).toBe('6A82');
  });

  it('selects the MF IEF 001E whose reads answer 6981 (card-facts §3.6)', async () => {
    const card = await VirtualMyNumberCard.create();
    expect(await send(card, '00A4020C02001E')).toBe('9000');
    expect(await send(card, '00B0000001')).toBe('6981');
  });

  it('answers GET DATA 5F51 with the ATR without TS only at MF level', async () => {
    const card = await VirtualMyNumberCard.create();
    expect(await send(card, '00CA5F5100')).toBe('E000FF8131FE45149000');
    expect(await send(card, '00CA5F5104')).toBe('E000FF819000');
    expect(await send(card, '00CA004200')).toBe('6A88');
    await send(card, selectAid(AID.jpki));
    expect(await send(card, '00CA5F5100')).toBe('6A88');
  });

  it('exposes the contact ATR of card-facts §1.2', () => {
    expect(hex(reference.atr)).toBe('3BE000FF8131FE4514');
  });
});

describe('SELECT', () => {
  it.each([
    ['jpki', AID.jpki],
    ['text', AID.text],
    ['face', AID.face],
    ['common', AID.common],
    ['juki', AID.juki],
  ])('selects the %s AP by DF name with P2=0C and P2=00', async (name, aid) => {
    const card = await VirtualMyNumberCard.create();
    expect(await send(card, selectAid(aid))).toBe('9000');
    expect(card.log.at(-1)?.dfName).toBe(name);
    // P2 00 asks for the FCI: `6F 0C 84 0A <DF name>` (ISO/IEC 7816-4 §7.4).
    expect(await send(card, selectAid(aid, '00'))).toBe(`6F0C840A${aid}9000`);
    expect(await send(card, `${selectAid(aid, '00')}00`)).toBe(`6F0C840A${aid}9000`);
  });

  it('quirks.selectFci: no answer data, or an FCP without a DF name; P2 0C is always bare', async () => {
    const none = await VirtualMyNumberCard.create({ quirks: { selectFci: 'none' } });
    expect(await send(none, `${selectAid(AID.jpki, '00')}00`)).toBe('9000');
    const fcp = await VirtualMyNumberCard.create({ quirks: { selectFci: 'fcp-without-df-name' } });
    expect(await send(fcp, `${selectAid(AID.jpki, '00')}00`)).toBe('620382013890' + '00');
    expect(await send(fcp, selectAid(AID.jpki))).toBe('9000');
    await expect(VirtualMyNumberCard.create({ quirks: { selectFci: 'all' as never } })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('quirks.partialDfNameSelect: a prefix of a DF name selects that DF (exact names only by default)', async () => {
    const exact = await VirtualMyNumberCard.create();
    expect(await send(exact, `${selectAid('D392F00026', '00')}00`)).toBe('6A82');
    const partial = await VirtualMyNumberCard.create({ quirks: { partialDfNameSelect: true } });
    expect(await send(partial, `${selectAid('D392F00026', '00')}00`)).toBe(`6F0C840A${AID.jpki}9000`);
    expect(partial.log.at(-1)?.dfName).toBe('jpki');
    // An exact name still wins, and an unknown prefix is still 6A82.
    expect(await send(partial, selectAid(AID.text))).toBe('9000');
    expect(partial.log.at(-1)?.dfName).toBe('text');
    expect(await send(partial, selectAid('F0F0F0F0F0'))).toBe('6A82');
  });

  it('answers 6A82 to an unknown AID and keeps the current DF and EF', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    await send(card, '00A4020C02000A');
    expect(await send(card, selectAid('A000000003000000'))).toBe('6A82');
    expect(await send(card, selectAid('D392F0002601'))).toBe('6A82'); // a prefix is not a DF name here
    expect(await send(card, '00B0000004')).toBe(`${hex(card.certificates.auth.subarray(0, 4))}9000`);
  });

  it('rejects bad SELECT parameters', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    expect(await send(card, `00A40404${'0A'}${AID.jpki}`)).toBe('6A86');
    expect(await send(card, '00A4010C020001')).toBe('6A86');
    expect(await send(card, '00A4020002000A')).toBe('6A86');
    expect(await send(card, '00A4020C03000A00')).toBe('6700');
    expect(await send(card, `00A4040C11${'00'.repeat(17)}`)).toBe('6700');
  });

  it('returns to the power-on state when the GlobalPlatform ISD is selected', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    await send(card, `0020009B06${ascii('ABC123')}`);
    expect(await send(card, selectAid(AID.isd))).toBe('9000');
    expect(card.log.at(-1)?.dfName).toBeUndefined();
    expect(await send(card, '00A40000')).toBe('6A86');
    expect(await send(card, '00B08A0004')).toBe('6A82');
  });

  it('answers 9000 to SELECT MF once an AP is current, without changing anything', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    await send(card, '00A4020C02000A');
    expect(await send(card, '00A40000')).toBe('9000');
    expect(await send(card, '00B0000004')).toBe(`${hex(card.certificates.auth.subarray(0, 4))}9000`);
  });

  it('answers 6A82 to SELECT by FID 3F00', async () => {
    const card = await VirtualMyNumberCard.create();
    expect(await send(card, '00A4000C023F00')).toBe('6A82');
    await send(card, selectAid(AID.jpki));
    expect(await send(card, '00A4000C023F00')).toBe('6A82');
    expect(await send(card, '00A4020C023F00')).toBe('6A82');
  });

  it('answers 6A82 to a missing EF and keeps the current EF', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    expect(await send(card, '00A4020C02000B')).toBe('9000');
    expect(await send(card, '00A4020C020003')).toBe('6A82');
    expect(await send(card, '00B0000004')).toBe(`${hex(card.certificates.authCa.subarray(0, 4))}9000`);
  });
});

describe('READ BINARY', () => {
  it('reads with 15-bit offsets and returns min(Le, remaining)', async () => {
    const card = await VirtualMyNumberCard.create();
    const der = card.certificates.auth;
    await send(card, selectAid(AID.jpki));
    await send(card, '00A4020C02000A');
    expect(hex(der.subarray(0, 2))).toBe('3082');
    expect(await send(card, '00B0000004')).toBe(`${hex(der.subarray(0, 4))}9000`);
    expect(await send(card, '00B0010010')).toBe(`${hex(der.subarray(256, 272))}9000`);
    const short = await sendBytes(card, '00B0000000');
    expect(hex(short)).toBe(`${hex(der.subarray(0, 256))}9000`);
    // EF size 2048: 16 bytes left at 0x07F0, so Le 00 returns 16 filler bytes.
    expect(await send(card, '00B007F000')).toBe(`${'FF'.repeat(16)}9000`);
    expect(await send(card, '00B007FF05')).toBe('FF9000');
  });

  it('answers 6B00 at or beyond the end of the EF', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    await send(card, '00A4020C02000A');
    expect(await send(card, '00B0080001')).toBe('6B00');
    expect(await send(card, '00B07FFF01')).toBe('6B00');
    await send(card, '00A4020C020008');
    expect(await send(card, '00B0000300')).toBe('6B00');
    expect(await send(card, '00B0000200')).toBe('009000');
  });

  it('reads the whole EF with an extended Le of 65536 (00 00)', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    const whole = await sendBytes(card, '00B08A00000000');
    expect(whole.length).toBe(2048 + 2);
    const expected = new Uint8Array(2048).fill(0xff);
    expected.set(card.certificates.auth);
    expect(hex(whole)).toBe(`${hex(expected)}9000`);
    // Extended Le of exactly 300 at offset 0x100 of the current EF.
    expect(await send(card, '00B0010000012C')).toBe(`${hex(expected.subarray(256, 556))}9000`);
  });

  it('reads by SFI with an 8-bit offset and makes that EF current', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    const ca = card.certificates.authCa;
    expect(await send(card, '00B08B1004')).toBe(`${hex(ca.subarray(16, 20))}9000`);
    expect(await send(card, '00B0010004')).toBe(`${hex(ca.subarray(256, 260))}9000`);
  });

  it('serves the token label, EF 0008 and the CA certificates without a PIN', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    expect(await send(card, '00B0860020')).toBe(`${ascii('JPKIAPICCTOKEN2')}${'20'.repeat(17)}9000`);
    expect(await send(card, '00B0880000')).toBe('8F8F009000');
    expect(await send(card, '00B0820004')).toBe(`${hex(card.certificates.signCa.subarray(0, 4))}9000`);
    expect(await send(card, '00B0890001')).toBe('6982');
  });

  it('rejects reads of IEFs, malformed READ BINARY commands and bad SFIs', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    await send(card, '00A4020C020018');
    expect(await send(card, '00B0000001')).toBe('6981');
    expect(await send(card, '00B0970001')).toBe('6981');
    expect(await send(card, '00B00000')).toBe('6700');
    expect(await send(card, '00B000000100')).toBe('6700');
    expect(await send(card, '00B0800001')).toBe('6A86');
    expect(await send(card, '00B09F0001')).toBe('6A86');
    expect(await send(card, '00B0A10001')).toBe('6A86');
    expect(await send(card, '00B0830001')).toBe('6A82');
  });

  it('puts the DER at offset 0 followed by the configured filler and EF size', async () => {
    const card = await VirtualMyNumberCard.create({ quirks: { certificateFiller: 0x00, certificateEfSize: 4096 } });
    await send(card, selectAid(AID.jpki));
    const whole = await sendBytes(card, '00B08A00000000');
    const der = card.certificates.auth;
    expect(whole.length).toBe(4096 + 2);
    expect(hex(whole.subarray(0, der.length))).toBe(hex(der));
    expect(whole.subarray(der.length, 4096).every((b) => b === 0)).toBe(true);
    expect(hex(whole.subarray(4096))).toBe('9000');
  });

  it('rejects an EF size that cannot hold the certificate', async () => {
    await expect(VirtualMyNumberCard.create({ quirks: { certificateEfSize: 1000 } })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(VirtualMyNumberCard.create({ quirks: { certificateEfSize: 0x8001 } })).rejects.toThrow(
      InvalidArgumentError,
    );
  });
});

describe('security status', () => {
  it('keeps a verification across EF selects in the same DF', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    expect(await send(card, '00B0810004')).toBe('6982');
    expect(await send(card, `0020009B06${ascii('ABC123')}`)).toBe('9000');
    expect(await send(card, '00A4020C020002')).toBe('9000');
    expect(await send(card, '00A4020C02000A')).toBe('9000');
    expect(await send(card, '00B0810004')).toBe(`${hex(card.certificates.sign.subarray(0, 4))}9000`);
  });

  it('clears it when the same DF is selected again', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    await send(card, `0020009B06${ascii('ABC123')}`);
    await send(card, selectAid(AID.jpki));
    expect(await send(card, '00B0810004')).toBe('6982');
  });

  it('clears it when another DF is selected', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    await send(card, `0020009B06${ascii('ABC123')}`);
    await send(card, selectAid(AID.text));
    await send(card, selectAid(AID.jpki));
    expect(await send(card, '00B0810004')).toBe('6982');
  });

  it('keeps it after a failed SELECT of an unknown AP', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    await send(card, `0020009B06${ascii('ABC123')}`);
    expect(await send(card, selectAid('D2760001240102000000000000010000'))).toBe('6A82');
    expect(await send(card, '00B0810004')).toBe(`${hex(card.certificates.sign.subarray(0, 4))}9000`);
  });

  it('does not carry a verification from one AP to another', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.text));
    await send(card, `0020009104${ascii('5678')}`);
    expect(await send(card, '00B0810000')).toBe(`${MY_NUMBER_EF}9000`);
    await send(card, selectAid(AID.face));
    expect(await send(card, '00B0820004')).toBe('6982');
  });
});

describe('text AP (券面事項入力補助AP)', () => {
  const A = ascii(HOLDER.myNumber);
  it('opens EF 0001 with the PIN or 照合番号A and EF 0002 with the PIN or 照合番号B', async () => {
    const card = await VirtualMyNumberCard.create();
    const b = ascii(
      // era-year YYMMDD ‖ expiry year ‖ default security code: 1990-01-02 (平成2) → 020102, expiry 2035
      '020102' + '2035' + '2468',
    );
    await send(card, selectAid(AID.text));
    expect(await send(card, '00B0810000')).toBe('6982');
    expect(await send(card, '00B0820000')).toBe('6982');
    expect(await send(card, '00B0830000')).toBe('6982');
    expect(await send(card, `002000940C${A}`)).toBe('9000');
    expect(await send(card, '00B0810000')).toBe(`${MY_NUMBER_EF}9000`);
    expect(await send(card, '00B0820000')).toBe('6982');
    expect(await send(card, '00B0830004')).toBe('FF3082019000');
    await send(card, selectAid(AID.text));
    expect(await send(card, `002000950E${b}`)).toBe('9000');
    expect(await send(card, '00B0810000')).toBe('6982');
    const attributes = buildTextAttributesFile({
      name: HOLDER.name,
      address: HOLDER.address,
      birthDate: HOLDER.birthDate,
      sex: HOLDER.sex,
    });
    expect(await send(card, '00B08200000000')).toBe(`${hex(attributes)}9000`);
    expect(await send(card, '00B0830004')).toBe('FF3082019000');
  });

  it('serves EF 0004 and EF 0005 without a secret', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.text));
    expect(await send(card, '00B0840004')).toBe('7F2182029000');
    expect(await send(card, '00B0850002')).toBe('FF409000');
    expect((await sendBytes(card, '00B08400000000')).length).toBe(568 + 2);
  });

  it('models EF 0012 as blocked: empty VERIFY 63C0, any VERIFY 6984', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.text));
    expect(await send(card, '00200092')).toBe('63C0');
    expect(await send(card, `0020009204${ascii('5678')}`)).toBe('6984');
  });
});

describe('face AP (券面事項確認AP)', () => {
  it('opens 0002 with A or B, 0005 with A only and 0001 with the birth-date key', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.face));
    expect(await send(card, '00B0820005')).toBe('6982');
    expect(await send(card, '00B0850002')).toBe('6982');
    expect(await send(card, '00B0830002')).toBe('FF309000');
    expect(await send(card, '00B0840002')).toBe('7F219000');
    expect(await send(card, `002000920E${ascii('02010220352468')}`)).toBe('9000');
    expect(await send(card, '00B0820005')).toBe('FF208207439000');
    expect(await send(card, '00B0850002')).toBe('6982');
    expect(await send(card, '00B0860000')).toBe(`${'FF'.repeat(16)}9000`);
    expect(await send(card, '00B0810002')).toBe('6982');
    await send(card, selectAid(AID.face));
    expect(await send(card, `002000930C${ascii(HOLDER.myNumber)}`)).toBe('9000');
    expect(await send(card, '00B0850002')).toBe('FF409000');
    expect(await send(card, '00B0820002')).toBe('FF209000');
    await send(card, selectAid(AID.face));
    expect(await send(card, `0020009106${ascii('020102')}`)).toBe('9000');
    expect(await send(card, '00B0810005')).toBe('FF1082021E9000');
    expect(await send(card, '00B0820002')).toBe('6982');
  });
});

describe('common AP and READ RECORD', () => {
  const record = buildCommonApRecord({ serial: '900000000000001', municipalityCode: '05210', expiry: '2035-01-02' });

  it('reads record 1 of SFI 1 without a PIN', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.common));
    expect(await send(card, '00B2010C00')).toBe(`${hex(record)}9000`);
    expect(hex(record)).toBe(`011C${ascii('900000000000001' + '05210' + '20350102')}`);
    expect(await send(card, '00B2010C05')).toBe(`${hex(record.subarray(0, 5))}9000`);
  });

  it('reads the current record EF after SELECT, and rejects other forms', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.common));
    expect(await send(card, '00B2010400')).toBe('6986');
    await send(card, '00A4020C020001');
    expect(await send(card, '00B2010400')).toBe(`${hex(record)}9000`);
    expect(await send(card, '00B2020400')).toBe('6A83');
    expect(await send(card, '00B2010500')).toBe('6A86');
    expect(await send(card, '00B2000400')).toBe('6A86');
    expect(await send(card, '00B0000001')).toBe('6981');
    expect(await send(card, '00B2011400')).toBe('6981');
    expect(await send(card, '00B2011C00')).toBe('6A82');
    expect(await send(card, '00B20104')).toBe('6700');
  });

  it('serves EF 0002 of the common and 住基 APs', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.common));
    const common = await send(card, '00B0820000');
    await send(card, selectAid(AID.juki));
    expect(await send(card, '00B0820000')).toBe(common);
    expect(common).toBe(`${ascii('9000041')}0805${ascii('001')}000000009000`);
  });
});

describe('class, instruction and length rules', () => {
  it('answers 6D00 to an unknown INS and 6E00 to an unknown class', async () => {
    const card = await VirtualMyNumberCard.create();
    expect(await send(card, '00E4000000')).toBe('6D00');
    expect(await send(card, '0084000008')).toBe('6D00');
    expect(await send(card, '80B0000001')).toBe('6E00');
    expect(await send(card, '002A008001AA00')).toBe('6E00');
    expect(await send(card, 'A0A4040C0AD392F000260100000001')).toBe('6E00');
    expect(await send(card, 'FFCA000000')).toBe('6E00');
  });

  it('answers 6881 to logical channels other than 0', async () => {
    const card = await VirtualMyNumberCard.create();
    expect(await send(card, '01A4040C0AD392F000260100000001')).toBe('6881');
    expect(await send(card, '03B0000001')).toBe('6881');
    expect(await send(card, '40A4040C0AD392F000260100000001')).toBe('6881');
    expect(await send(card, '812A008001AA00')).toBe('6881');
  });

  it('answers 6882 to secure messaging on SELECT and 69FC elsewhere', async () => {
    const card = await VirtualMyNumberCard.create();
    expect(await send(card, '0CA4040C0AD392F000260100000001')).toBe('6882');
    expect(await send(card, '08A4040C0AD392F000260100000001')).toBe('6882');
    expect(await send(card, '0CB0000001')).toBe('69FC');
    expect(await send(card, '0C20009804' + ascii('1234'))).toBe('69FC');
  });

  it('answers 6700 to bytes that are not one command APDU', async () => {
    const card = await VirtualMyNumberCard.create();
    expect(await send(card, '00A404')).toBe('6700');
    expect(await send(card, '00A4040C0AD392F0')).toBe('6700');
    expect(await send(card, '00B000000000')).toBe('6700');
    expect(card.log.map((e) => hex(e.response))).toEqual(['6700', '6700', '6700']);
  });
});

describe('determinism', () => {
  it('two cards with the same options hold the same certificates and files', async () => {
    const a = await VirtualMyNumberCard.create();
    expect(hex(a.certificates.auth)).toBe(hex(reference.certificates.auth));
    expect(hex(a.certificates.sign)).toBe(hex(reference.certificates.sign));
    expect(hex(a.roots.auth)).toBe(hex(a.certificates.authCa));
    expect(hex(a.roots.sign)).toBe(hex(a.certificates.signCa));
    for (const card of [a, reference]) await send(card, selectAid(AID.face));
    expect(await send(a, '00B08300000000')).toBe(await send(reference, '00B08300000000'));
  });
});

describe('OpenSC 0.23 (docs/opensc-jpki-apdus.md)', () => {
  const PROBES = [
    '00A4040007627601FF000000',
    '00A4040006A00000000101',
    '00A404000BE82B0601040181C31F0201',
    '00A4040C0FD23300000045737445494420763335',
    '00CADF3005',
    '00CB3FFF035C017E08',
    '00A4040009A00000030800001000',
    '00A4040009A00000030800001000',
    '00A4040C07A0000001160000',
    '00A4040C07A0000000791000',
    ...Array.from({ length: 16 }, (_, x) => `00A4040C07A00000007901${x.toString(16).toUpperCase().padStart(2, '0')}`),
    '00A404000CF276A288BCFBA69D34F31001',
    '00A4040009A0000003974254465900',
    '00A4040006D27600012401',
  ];

  it('answers the 29 driver probes with errors, never 9000', async () => {
    const card = await VirtualMyNumberCard.create();
    expect(PROBES).toHaveLength(29);
    const answers = [];
    for (const probe of PROBES) answers.push(await send(card, probe));
    // 27 SELECTs of foreign AIDs → 6A82; setcos GET DATA DF30 → 6A88; PIV GET DATA (CB) → 6D00.
    expect(answers.filter((a) => a === '6A82')).toHaveLength(27);
    expect(answers[4]).toBe('6A88');
    expect(answers[5]).toBe('6D00');
  });

  it('serves the pkcs15-tool --dump sequence; the sign certificate answers 6982', async () => {
    const card = await VirtualMyNumberCard.create();
    const transcript: [string, string][] = [];
    const x = async (c: string): Promise<string> => {
      const r = await send(card, c);
      transcript.push([c, r.length > 12 ? `${r.slice(0, 8)}…${r.slice(-4)}` : r]);
      return r;
    };
    await x('00A4040C0AD392F000260100000001');
    await x('00A4020C020018');
    await x('00200080');
    await x('00A4020C02001B');
    await x('00200080');
    for (const [fid, der] of [
      ['000A', card.certificates.auth],
      ['0001', card.certificates.sign],
      ['000B', card.certificates.authCa],
      ['0002', card.certificates.signCa],
    ] as const) {
      await x(`00A4020C02${fid}`);
      const head = await x('00B0000004');
      if (head === '6982') continue;
      const size = ((der[2]! << 8) | der[3]!) + 4;
      expect(size).toBe(der.length);
      let read = '';
      for (let offset = 0; offset < size; offset += 256) {
        const left = Math.min(256, size - offset);
        const p1p2 = offset.toString(16).toUpperCase().padStart(4, '0');
        const r = await x(`00B0${p1p2}${left === 256 ? '00' : left.toString(16).toUpperCase().padStart(2, '0')}`);
        read += r.slice(0, -4);
      }
      expect(read).toBe(hex(der));
    }
    expect(transcript.slice(0, 5)).toEqual([
      ['00A4040C0AD392F000260100000001', '9000'],
      ['00A4020C020018', '9000'],
      ['00200080', '63C3'],
      ['00A4020C02001B', '9000'],
      ['00200080', '63C5'],
    ]);
    expect(transcript.filter(([, r]) => r === '6982').map(([c]) => c)).toEqual(['00B0000004']);
    expect(transcript.every(([, r]) => r.endsWith('9000') || r === '6982' || r.startsWith('63C'))).toBe(true);
  });

  it('serves the OpenSC signature flow (SELECT PIN EF, VERIFY 80, SELECT key EF, 80 2A 00 80)', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, '00A4040C0AD392F000260100000001');
    await send(card, '00A4020C020018');
    expect(await send(card, `0020008004${ascii('1234')}`)).toBe('9000');
    expect(await send(card, '00A4020C020017')).toBe('9000');
    const response = await sendBytes(card, `802A008033${'3031300D060960864801650304020105000420'}${'AB'.repeat(32)}00`);
    expect(response.length).toBe(258);
    expect(hex(response.subarray(256))).toBe('9000');
  });
});

describe('VirtualMyNumberCard and `await using`', () => {
  it('is async-disposable: the card is closed at the end of the scope (the README example)', async () => {
    let kept: VirtualMyNumberCard | undefined;
    {
      await using transport = await VirtualMyNumberCard.create();
      kept = transport;
      expect((await transport.transmit(Uint8Array.of(0x00, 0xa4, 0x04, 0x0c, 0x0a, 0xd3, 0x92, 0xf0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01))).at(-2)).toBe(0x90);
    }
    await expect(kept.transmit(Uint8Array.of(0x00, 0xb0, 0x00, 0x00, 0x01))).rejects.toMatchObject({ code: 'transport-closed' });
  });
});
