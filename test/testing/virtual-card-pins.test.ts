/**
 * Virtual My Number Card: PIN objects — every VERIFY transition, CHANGE REFERENCE DATA,
 * initial tries, format checks at creation, and the log redaction of secrets.
 */
import { describe, expect, it } from 'vitest';
import { asciiBytes } from '../../src/bytes.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { TEST_PKI_DATA, VirtualMyNumberCard, type PinKind } from '../../src/testing/index.js';
import { AID, ascii, hex, lcOf, selectAid, send } from './virtual-card-helpers.js';

const MY_NUMBER = TEST_PKI_DATA.holder.myNumber;
const VERIFICATION_B = '02010220352468';

interface Secret {
  readonly kind: PinKind;
  readonly aid: string;
  readonly p2: string;
  readonly value: string;
  readonly wrong: string;
  readonly max: number;
}

const SECRETS: readonly Secret[] = [
  { kind: 'auth', aid: AID.jpki, p2: '98', value: '1234', wrong: '9999', max: 3 },
  { kind: 'sign', aid: AID.jpki, p2: '9B', value: 'ABC123', wrong: 'ABC124', max: 5 },
  { kind: 'text', aid: AID.text, p2: '91', value: '5678', wrong: '5679', max: 3 },
  { kind: 'textVerificationA', aid: AID.text, p2: '94', value: MY_NUMBER, wrong: '000000000000', max: 10 },
  { kind: 'textVerificationB', aid: AID.text, p2: '95', value: VERIFICATION_B, wrong: '00000000000000', max: 10 },
  { kind: 'faceVerificationA', aid: AID.face, p2: '93', value: MY_NUMBER, wrong: '000000000000', max: 10 },
  { kind: 'faceVerificationB', aid: AID.face, p2: '92', value: VERIFICATION_B, wrong: '00000000000000', max: 10 },
  { kind: 'faceBirthDate', aid: AID.face, p2: '91', value: '020102', wrong: '010102', max: 10 },
];

const verifyCmd = (p2: string, value: string): string => `002000${p2}${lcOf(value)}${ascii(value)}`;
const triesSw = (n: number): string => `63C${n.toString(16).toUpperCase()}`;

describe.each(SECRETS)('VERIFY $kind (P2 $p2)', (secret) => {
  it('answers the retry query with 63Cx and consumes nothing', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(secret.aid));
    expect(await send(card, `002000${secret.p2}`)).toBe(triesSw(secret.max));
    expect(await send(card, `002000${secret.p2}`)).toBe(triesSw(secret.max));
    expect(card.pinState(secret.kind)).toEqual({ remaining: secret.max, maxTries: secret.max, blocked: false });
  });

  it('decrements on a wrong value down to 63C0, then answers 6984 to any value', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(secret.aid));
    for (let left = secret.max - 1; left >= 0; left--) {
      expect(await send(card, verifyCmd(secret.p2, secret.wrong))).toBe(triesSw(left));
      expect(await send(card, `002000${secret.p2}`)).toBe(triesSw(left));
    }
    expect(card.pinState(secret.kind)).toEqual({ remaining: 0, maxTries: secret.max, blocked: true });
    expect(await send(card, verifyCmd(secret.p2, secret.value))).toBe('6984');
    expect(await send(card, verifyCmd(secret.p2, secret.wrong))).toBe('6984');
    expect(await send(card, `002000${secret.p2}`)).toBe('63C0');
    expect(card.pinState(secret.kind).remaining).toBe(0);
  });

  it('answers 9000 to the correct value and restores the counter', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(secret.aid));
    expect(await send(card, verifyCmd(secret.p2, secret.wrong))).toBe(triesSw(secret.max - 1));
    expect(await send(card, verifyCmd(secret.p2, secret.value))).toBe('9000');
    expect(await send(card, `002000${secret.p2}`)).toBe(triesSw(secret.max));
    expect(card.pinState(secret.kind).remaining).toBe(secret.max);
  });
});

describe('VERIFY forms and options', () => {
  it('verifies the current EF with P2=80 after SELECT EF (OpenSC form)', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    expect(await send(card, '00A4020C020018')).toBe('9000');
    expect(await send(card, '00200080')).toBe('63C3');
    expect(await send(card, '00A4020C02001B')).toBe('9000');
    expect(await send(card, '00200080')).toBe('63C5');
    expect(await send(card, `0020008006${ascii('ABC123')}`)).toBe('9000');
    expect(await send(card, '00B0810004')).toBe(`${hex(card.certificates.sign.subarray(0, 4))}9000`);
  });

  it('makes the PIN EF named by SFI the current EF', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    await send(card, '00A4020C02000A');
    expect(await send(card, '0020009B')).toBe('63C5');
    expect(await send(card, '00200080')).toBe('63C5');
    expect(await send(card, '00B0000001')).toBe('6981');
  });

  it('rejects bad references', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    expect(await send(card, '00200080')).toBe('6986');
    expect(await send(card, '00200018')).toBe('6A86');
    expect(await send(card, '00200198')).toBe('6A86');
    expect(await send(card, '00200099')).toBe('6A88');
    expect(await send(card, '0020008A')).toBe('6981');
    expect(await send(card, '002000A1')).toBe('6A86');
  });

  it('starts from the configured tries; 0 means blocked', async () => {
    const card = await VirtualMyNumberCard.create({ tries: { auth: 1, sign: 0, verificationA: 2 } });
    await send(card, selectAid(AID.jpki));
    expect(await send(card, '00200098')).toBe('63C1');
    expect(await send(card, '0020009B')).toBe('63C0');
    expect(await send(card, verifyCmd('9B', 'ABC123'))).toBe('6984');
    expect(await send(card, verifyCmd('98', '1234'))).toBe('9000');
    expect(await send(card, '00200098')).toBe('63C3');
    await send(card, selectAid(AID.text));
    expect(await send(card, '00200094')).toBe('63C2');
    await send(card, selectAid(AID.face));
    expect(await send(card, '00200093')).toBe('63C2');
  });

  it('applies maxTries to the 照合番号 and the birth-date key', async () => {
    const card = await VirtualMyNumberCard.create({ maxTries: { verificationA: 5, verificationB: 15, birthDate: 3 } });
    await send(card, selectAid(AID.face));
    expect(await send(card, '00200093')).toBe('63C5');
    expect(await send(card, '00200092')).toBe('63CF');
    expect(await send(card, '00200091')).toBe('63C3');
  });

  it('answers 6984 to the retry query of a blocked PIN with blockedPinQuery 6984', async () => {
    const card = await VirtualMyNumberCard.create({ tries: { auth: 0 }, quirks: { blockedPinQuery: '6984' } });
    await send(card, selectAid(AID.jpki));
    expect(await send(card, '00200098')).toBe('6984');
  });

  it('answers 9000 to the retry query of a verified PIN with verifiedPinQuery 9000', async () => {
    const card = await VirtualMyNumberCard.create({ quirks: { verifiedPinQuery: '9000' } });
    await send(card, selectAid(AID.jpki));
    expect(await send(card, '00200098')).toBe('63C3');
    await send(card, verifyCmd('98', '1234'));
    expect(await send(card, '00200098')).toBe('9000');
    expect(await send(card, '0020009B')).toBe('63C5');
    await send(card, selectAid(AID.jpki));
    expect(await send(card, '00200098')).toBe('63C3');
  });

  it('drops an earlier verification when a later VERIFY fails', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    await send(card, verifyCmd('9B', 'ABC123'));
    expect(await send(card, verifyCmd('9B', 'WRONG1'))).toBe('63C4');
    expect(await send(card, '00B0810004')).toBe('6982');
  });

  it('keeps counters independent between the text and face APs', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.text));
    await send(card, verifyCmd('94', '000000000000'));
    await send(card, selectAid(AID.face));
    expect(await send(card, '00200093')).toBe('63CA');
    await send(card, selectAid(AID.text));
    expect(await send(card, '00200094')).toBe('63C9');
  });

  it('treats a value of another length as wrong', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    expect(await send(card, verifyCmd('98', '12345'))).toBe('63C2');
    expect(await send(card, verifyCmd('98', '123'))).toBe('63C1');
  });
});

describe('CHANGE REFERENCE DATA (00 24 01 80)', () => {
  it('changes the auth PIN after VERIFY; the new PIN works and the old one fails', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    await send(card, '00A4020C020018');
    expect(await send(card, `0024018004${ascii('4321')}`)).toBe('6982');
    expect(await send(card, verifyCmd('98', '1234'))).toBe('9000');
    await send(card, '00A4020C020018');
    expect(await send(card, `0024018004${ascii('4321')}`)).toBe('9000');
    await send(card, selectAid(AID.jpki));
    expect(await send(card, verifyCmd('98', '1234'))).toBe('63C2');
    expect(await send(card, verifyCmd('98', '4321'))).toBe('9000');
  });

  it('changes by SFI, and changes the sign password and the text PIN', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    await send(card, verifyCmd('9B', 'ABC123'));
    expect(await send(card, `0024019B08${ascii('NEWPASS9')}`)).toBe('9000');
    await send(card, selectAid(AID.jpki));
    expect(await send(card, verifyCmd('9B', 'NEWPASS9'))).toBe('9000');
    await send(card, selectAid(AID.text));
    await send(card, verifyCmd('91', '5678'));
    expect(await send(card, `0024019104${ascii('0000')}`)).toBe('9000');
    await send(card, selectAid(AID.text));
    expect(await send(card, verifyCmd('91', '0000'))).toBe('9000');
  });

  it('checks the new value against the PIN format (6A80)', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    await send(card, verifyCmd('98', '1234'));
    expect(await send(card, `0024019805${ascii('12345')}`)).toBe('6A80');
    expect(await send(card, `0024019804${ascii('12A4')}`)).toBe('6A80');
    await send(card, verifyCmd('9B', 'ABC123'));
    expect(await send(card, `0024019B06${ascii('abc123')}`)).toBe('6A80');
    expect(await send(card, `0024019B06${ascii('ABCDEF')}`)).toBe('6A80');
    expect(await send(card, `0024019B05${ascii('ABC12')}`)).toBe('6A80');
    expect(await send(card, `0024019B11${ascii('ABCDEFGH123456789')}`)).toBe('6A80');
  });

  it('refuses other P1, empty data, blocked PINs and the 照合番号', async () => {
    const card = await VirtualMyNumberCard.create({ tries: { sign: 0 } });
    await send(card, selectAid(AID.jpki));
    await send(card, verifyCmd('98', '1234'));
    expect(await send(card, `0024009808${ascii('12344321')}`)).toBe('6A86');
    expect(await send(card, '00240198')).toBe('6700');
    expect(await send(card, `0024019B06${ascii('XYZ789')}`)).toBe('6984');
    expect(await send(card, `0024018A04${ascii('4321')}`)).toBe('6981');
    await send(card, selectAid(AID.text));
    await send(card, verifyCmd('94', MY_NUMBER));
    expect(await send(card, `002401940C${ascii('000000000000')}`)).toBe('6985');
  });
});

describe('secrets at creation', () => {
  it.each([
    [{ pins: { auth: '12345' } }],
    [{ pins: { auth: '12a4' } }],
    [{ pins: { sign: 'abc123' } }],
    [{ pins: { sign: 'ABCDEF' } }],
    [{ pins: { sign: '123456' } }],
    [{ pins: { sign: 'ABC12' } }],
    [{ pins: { text: '567' } }],
    [{ verificationB: '0201022035246' }],
    [{ birthDateKey: '1990' }],
    [{ tries: { auth: 4 } }],
    [{ tries: { sign: -1 } }],
    [{ maxTries: { verificationA: 16 } }],
    [{ holder: { myNumber: '12345678901' } }],
    [{ cardInfo: { securityCode: '12' } }],
  ])('rejects %j with InvalidArgumentError', async (options) => {
    await expect(VirtualMyNumberCard.create(options)).rejects.toThrow(InvalidArgumentError);
  });

  it('never repeats the rejected value in the message', async () => {
    const error = await VirtualMyNumberCard.create({ pins: { auth: '98765' } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).not.toContain('98765');
  });

  it('uses the configured secrets', async () => {
    const card = await VirtualMyNumberCard.create({
      pins: { auth: '0000', sign: 'PASSWORD16CHARS1', text: '9999' },
      verificationB: '11111111111111',
      birthDateKey: '222222',
    });
    await send(card, selectAid(AID.jpki));
    expect(await send(card, verifyCmd('98', '0000'))).toBe('9000');
    expect(await send(card, verifyCmd('9B', 'PASSWORD16CHARS1'))).toBe('9000');
    await send(card, selectAid(AID.text));
    expect(await send(card, verifyCmd('91', '9999'))).toBe('9000');
    expect(await send(card, verifyCmd('95', '11111111111111'))).toBe('9000');
    await send(card, selectAid(AID.face));
    expect(await send(card, verifyCmd('91', '222222'))).toBe('9000');
  });
});

describe('command log', () => {
  function contains(haystack: Uint8Array, needle: Uint8Array): boolean {
    outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
      for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
      return true;
    }
    return false;
  }

  it('never holds a PIN, a password, a 照合番号 or the My Number', async () => {
    const card = await VirtualMyNumberCard.create({ quirks: { getResponse: true } });
    const secrets = ['1234', 'ABC123', '5678', '4321', MY_NUMBER, VERIFICATION_B, '020102', 'NEWPASS9'];
    await send(card, selectAid(AID.jpki));
    await send(card, verifyCmd('98', '1234'));
    await send(card, verifyCmd('9B', 'ABC123'));
    await send(card, '00A4020C020018');
    await send(card, `0024018004${ascii('4321')}`);
    await send(card, `0024019B08${ascii('NEWPASS9')}`);
    await send(card, selectAid(AID.text));
    await send(card, verifyCmd('91', '5678'));
    await send(card, verifyCmd('94', MY_NUMBER));
    await send(card, verifyCmd('95', VERIFICATION_B));
    expect(await send(card, '00B0810000')).toBe('6111');
    expect(await send(card, '00C0000011')).toBe(`FF100C${ascii(MY_NUMBER)}FFFF9000`);
    await send(card, selectAid(AID.face));
    await send(card, verifyCmd('91', '020102'));
    const all = card.log.flatMap((e) => [e.command, e.response]);
    for (const secret of secrets) {
      expect(all.some((bytes) => contains(bytes, asciiBytes(secret)))).toBe(false);
    }
    const verifies = card.log.filter((e) => e.ins === 0x20);
    expect(verifies.map((e) => hex(e.command))).toEqual([
      '00200098', '0020009B', '00200091', '00200094', '00200095', '00200091',
    ]);
    expect(verifies.every((e) => e.verifyWithData === true && e.commandRedacted === true)).toBe(true);
    const changes = card.log.filter((e) => e.ins === 0x24);
    expect(changes.map((e) => [hex(e.command), hex(e.response), e.commandRedacted])).toEqual([
      ['00240180', '9000', true],
      ['0024019B', '9000', true],
    ]);
    const getResponse = card.log.find((e) => e.ins === 0xc0);
    expect(getResponse).toMatchObject({ responseRedacted: true, dfName: 'text' });
    expect(hex(getResponse!.response)).toBe('9000');
  });

  it('records retry queries unredacted, with index, INS and the current DF', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, '00A40000');
    await send(card, selectAid(AID.jpki));
    await send(card, '00200098');
    expect(card.log.map((e) => ({ ...e, command: hex(e.command), response: hex(e.response) }))).toEqual([
      { index: 0, ins: 0xa4, command: '00A40000', response: '6A86' },
      { index: 1, ins: 0xa4, command: selectAid(AID.jpki), response: '9000', dfName: 'jpki' },
      { index: 2, ins: 0x20, command: '00200098', response: '63C3', dfName: 'jpki' },
    ]);
    card.clearLog();
    expect(card.log).toEqual([]);
    await send(card, '00200098');
    expect(card.log[0]?.index).toBe(3);
  });

  it('redacts secrets in commands the card cannot even parse', async () => {
    const card = await VirtualMyNumberCard.create();
    expect(await send(card, `0020009808${ascii('1234')}`)).toBe('6700');
    expect(hex(card.log[0]!.command)).toBe('00200098');
    expect(card.log[0]!.commandRedacted).toBe(true);
  });
});
