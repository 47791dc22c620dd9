import { beforeAll, describe, expect, it } from 'vitest';
import { FileNotFoundError, PinIncorrectError } from '../../src/apdu/status.js';
import type { ApduTraceEvent } from '../../src/apdu/trace.js';
import { CardRemovedError, InvalidArgumentError, PinRetryGuardError } from '../../src/errors.js';
import { parseCardVerifiableCertificate } from '../../src/crypto/integrity.js';
import {
  buildTextApFiles,
  DEFAULT_TEXT_ATTRIBUTES_FILLER_LENGTH,
  loadTestPki,
  TEST_PKI_DATA,
  type TestPki,
  type TextApFiles,
} from '../../src/testing/index.js';
import { SELECT, TEXT_PIN, commands, hex, rejection, rig, verifiesWithData } from './helpers.js';

/** 照合番号B of the default holder (1990-01-02 = H02-01-02, expiry 2035, security code 2468). */
const VERIFICATION_B = '02010220352468';
const MY_NUMBER = TEST_PKI_DATA.holder.myNumber;

/** READ BINARY by SFI with extended Le = 65536 (`00 00 00`): EF 0001–0004 of the current AP. */
const READ = {
  ef0001: '00B08100000000',
  ef0002: '00B08200000000',
  ef0003: '00B08300000000',
  ef0004: '00B08400000000',
} as const;

/** The text-AP files of the default virtual card, built independently with the same inputs. */
let files: TextApFiles;
let pki: TestPki;

beforeAll(async () => {
  pki = await loadTestPki();
  const { holder } = TEST_PKI_DATA;
  files = await buildTextApFiles({
    name: holder.name,
    address: holder.address,
    birthDate: holder.birthDate,
    sex: holder.sex,
    myNumber: holder.myNumber,
    cardKey: pki.cardVerifiable.jwk,
    issuerKey: pki.cvIssuer.jwk,
  });
});

/** The EF 0002 object without its filler. */
const attributesObject = (): Uint8Array => files.ef0002.subarray(0, files.ef0002.length - DEFAULT_TEXT_ATTRIBUTES_FILLER_LENGTH);

/** Response trace events of the READ BINARY commands, paired with their command hex. */
function readResponses(traces: readonly ApduTraceEvent[]): { command: string; redacted: boolean; length: number }[] {
  const out: { command: string; redacted: boolean; length: number }[] = [];
  for (let i = 0; i + 1 < traces.length; i++) {
    const command = traces[i]!;
    const response = traces[i + 1]!;
    if (command.direction === 'command' && command.bytes[1] === 0xb0 && response.direction === 'response') {
      out.push({ command: hex(command.bytes), redacted: response.redacted, length: response.bytes.length });
    }
  }
  return out;
}

describe('TextAp.readIntegrityRecord (EF 0003)', () => {
  it('with the text PIN: one VERIFY, READ 83, status dropped; exactly the 336-byte record', async () => {
    const { vc, card } = await rig();
    const record = await card.text.readIntegrityRecord({ pin: TEXT_PIN });
    expect(commands(vc)).toEqual([SELECT.text, '00200091', '00200091', READ.ef0003, SELECT.text]);
    expect(verifiesWithData(vc)).toBe(1);
    expect(record).toHaveLength(336);
    expect(hex(record)).toBe(hex(files.ef0003));
  });

  it('with 照合番号A (EF 0014) and with 照合番号B (EF 0015)', async () => {
    const { vc, card } = await rig();
    expect(hex(await card.text.readIntegrityRecord({ verificationA: MY_NUMBER }))).toBe(hex(files.ef0003));
    expect(commands(vc)).toEqual([SELECT.text, '00200094', '00200094', READ.ef0003, SELECT.text]);
    vc.clearLog();
    expect(hex(await card.text.readIntegrityRecord({ verificationB: VERIFICATION_B }))).toBe(hex(files.ef0003));
    expect(commands(vc)).toEqual(['00200095', '00200095', READ.ef0003, SELECT.text]);
  });

  it('keeps the record out of traces (the DF31 digest reveals the 個人番号 by search)', async () => {
    const { card, traces } = await rig();
    traces.length = 0; // drop the connect exchange
    await card.text.readIntegrityRecord({ pin: TEXT_PIN });
    expect(readResponses(traces)).toEqual([{ command: READ.ef0003, redacted: true, length: 2 }]);
  });

  it('credential rules: one of pin / verificationA / verificationB, checked before anything is sent', async () => {
    const { vc, card } = await rig();
    await expect(card.text.readIntegrityRecord({} as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(
      card.text.readIntegrityRecord({ pin: TEXT_PIN, verificationB: VERIFICATION_B } as never),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(card.text.readIntegrityRecord({ pin: '12' })).rejects.toMatchObject({ code: 'pin-format' });
    expect(vc.log).toHaveLength(0);
  });

  it('a wrong PIN: PinIncorrectError, no READ; one try left: refused, no VERIFY with data', async () => {
    const { vc, card } = await rig();
    const error = await rejection(card.text.readIntegrityRecord({ pin: '0000' }));
    expect(error).toBeInstanceOf(PinIncorrectError);
    expect(commands(vc)).toEqual([SELECT.text, '00200091', '00200091']);
    const guarded = await rig({ tries: { text: 1 } });
    await expect(guarded.card.text.readIntegrityRecord({ pin: TEXT_PIN })).rejects.toBeInstanceOf(PinRetryGuardError);
    expect(verifiesWithData(guarded.vc)).toBe(0);
  });
});

describe('readCvCertificate (EF 0004, free)', () => {
  it('text AP: SELECT + READ 84 without VERIFY; cached; a copy each time', async () => {
    const { vc, card } = await rig();
    const first = await card.text.readCvCertificate();
    expect(commands(vc)).toEqual([SELECT.text, READ.ef0004]);
    expect(first).toHaveLength(568);
    expect(hex(first)).toBe(hex(files.ef0004));
    first.fill(0);
    vc.clearLog();
    expect(hex(await card.text.readCvCertificate())).toBe(hex(files.ef0004));
    expect(vc.log).toHaveLength(0);
  });

  it('face AP: SELECT + READ 84; the certified key is the card-verifiable test key', async () => {
    const { vc, card } = await rig();
    const certificate = await card.face.readCvCertificate();
    expect(commands(vc)).toEqual([SELECT.face, READ.ef0004]);
    expect(certificate).toHaveLength(568);
    expect(certificate.subarray(0, 4)).toEqual(Uint8Array.of(0x7f, 0x21, 0x82, 0x02));
    const parsed = parseCardVerifiableCertificate(certificate);
    expect(Buffer.from(parsed.publicKey.modulus).toString('base64url')).toBe(pki.cardVerifiable.jwk.n);
    // The text and face APs cache separately.
    vc.clearLog();
    await card.text.readCvCertificate();
    expect(commands(vc)).toEqual([SELECT.text, READ.ef0004]);
  });

  it('short APDUs only: 256-byte chunks from the TLV length', async () => {
    const { vc, card } = await rig({ quirks: { extendedLength: false } }, { extendedLength: false });
    expect(hex(await card.text.readCvCertificate())).toBe(hex(files.ef0004));
    // 568 = 256 + 256 + 56.
    expect(commands(vc)).toEqual([SELECT.text, '00B0840000', '00B0010000', '00B0020038']);
  });

  it('absent on a smartphone: FileNotFoundError; close() wipes the cache', async () => {
    const phone = await rig({ profile: 'android' });
    await expect(phone.card.text.readCvCertificate()).rejects.toBeInstanceOf(FileNotFoundError);
    await expect(phone.card.face.readCvCertificate()).rejects.toBeInstanceOf(FileNotFoundError);
    const { card } = await rig();
    await card.text.readCvCertificate();
    await card.close();
    await expect(card.text.readCvCertificate()).rejects.toMatchObject({ code: 'session-closed' });
  });
});

describe('TextAp.readIntegrityFiles (one VERIFY for EF 0001–0003)', () => {
  it('with the text PIN: EF 0004, then one VERIFY and EF 0001, 0002, 0003; exact objects', async () => {
    const { vc, card, traces } = await rig();
    traces.length = 0; // drop the connect exchange
    const read = await card.text.readIntegrityFiles({ pin: TEXT_PIN });
    expect(commands(vc)).toEqual([
      SELECT.text,
      READ.ef0004,
      '00200091',
      '00200091',
      READ.ef0001,
      READ.ef0002,
      READ.ef0003,
      SELECT.text,
    ]);
    expect(verifiesWithData(vc)).toBe(1);
    expect(Object.keys(read).sort()).toEqual(['attributes', 'cvCertificate', 'integrityRecord', 'myNumber']);
    expect(hex(read.myNumber!)).toBe(hex(files.ef0001.subarray(0, 15)));
    expect(hex(read.attributes)).toBe(hex(attributesObject()));
    expect(hex(read.integrityRecord)).toBe(hex(files.ef0003));
    expect(hex(read.cvCertificate)).toBe(hex(files.ef0004));
    expect(readResponses(traces)).toEqual([
      { command: READ.ef0004, redacted: false, length: 570 },
      { command: READ.ef0001, redacted: true, length: 2 },
      { command: READ.ef0002, redacted: true, length: 2 },
      { command: READ.ef0003, redacted: true, length: 2 },
    ]);
  });

  it('with 照合番号B: EF 0001 is not read and myNumber is absent; EF 0004 from the cache', async () => {
    const { vc, card } = await rig();
    await card.text.readCvCertificate();
    vc.clearLog();
    const read = await card.text.readIntegrityFiles({ verificationB: VERIFICATION_B });
    expect(commands(vc)).toEqual(['00200095', '00200095', READ.ef0002, READ.ef0003, SELECT.text]);
    expect('myNumber' in read).toBe(false);
    expect(hex(read.attributes)).toBe(hex(attributesObject()));
    expect(hex(read.integrityRecord)).toBe(hex(files.ef0003));
  });

  it('keepSecurityStatus: the status stays until close()', async () => {
    const { vc, card } = await rig();
    await card.text.readIntegrityFiles({ pin: TEXT_PIN, keepSecurityStatus: true });
    expect(commands(vc).at(-1)).toBe(READ.ef0003);
    vc.clearLog();
    await card.close();
    expect(commands(vc)).toEqual([SELECT.text]);
  });

  it('照合番号A does not open EF 0002: refused before anything is sent', async () => {
    const { vc, card } = await rig();
    await expect(card.text.readIntegrityFiles({ verificationA: MY_NUMBER } as never)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(vc.log).toHaveLength(0);
  });

  it('the card pulled after EF 0002: CardRemovedError; the next operation selects the AP again', async () => {
    const { vc, card } = await rig();
    // SELECT, READ 84, query, VERIFY, READ 81, READ 82 answered; READ 83 is lost.
    vc.removeAfterCommands(6);
    await expect(card.text.readIntegrityFiles({ pin: TEXT_PIN })).rejects.toBeInstanceOf(CardRemovedError);
    expect(verifiesWithData(vc)).toBe(1);
    vc.insert();
    vc.clearLog();
    // The next operation re-selects (the application is unknown after a transport error).
    await card.text.readCvCertificate();
    expect(commands(vc)).toEqual([]);
    expect(await card.text.remainingTries()).toMatchObject({ state: 'tries', remaining: 3 });
    expect(commands(vc)).toEqual([SELECT.text, '00200091']);
  });
});
