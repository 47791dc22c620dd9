import { describe, expect, it } from 'vitest';
import { ApduChannel } from '../../src/apdu/channel.js';
import { CommandApdu } from '../../src/apdu/command.js';
import { FileNotFoundError, PinIncorrectError } from '../../src/apdu/status.js';
import { toHex } from '../../src/bytes.js';
import { AbortedError, InvalidArgumentError, PinFormatError, PinRetryGuardError } from '../../src/errors.js';
import { deriveVerificationB, VirtualMyNumberCard } from '../../src/testing/index.js';
import { SELECT, TEXT_PIN, commands, rejection, rig, verifiesWithData } from './helpers.js';

/** Whether EF 0002 of the currently selected AP can be read without a new VERIFY. */
async function readableWithoutVerify(vc: VirtualMyNumberCard): Promise<boolean> {
  const raw = new ApduChannel(vc);
  const r = await raw.transmit(new CommandApdu({ ins: 0xb0, p1: 0x82, le: 256 }));
  return r.ok;
}

describe('TextAp (券面事項入力補助AP)', () => {
  it('readMyNumber with the PIN and with 照合番号A', async () => {
    const { vc, card } = await rig();
    const myNumber = vc.holder.myNumber;
    expect(await card.text.readMyNumber({ pin: TEXT_PIN })).toBe(myNumber);
    expect(commands(vc)).toEqual([SELECT.text, '00200091', '00200091', '00B08100000000', SELECT.text]);
    vc.clearLog();
    expect(await card.text.readMyNumber({ verificationA: myNumber })).toBe(myNumber);
    expect(commands(vc)).toEqual(['00200094', '00200094', '00B08100000000', SELECT.text]);
  });

  it('readAttributes with the PIN and with 照合番号B; exact values', async () => {
    const { vc, card } = await rig();
    const a = await card.text.readAttributes({ pin: TEXT_PIN });
    expect({ name: a.name, address: a.address, birthDate: a.birthDate, sex: a.sex }).toEqual({
      name: vc.holder.name,
      address: vc.holder.address,
      birthDate: vc.holder.birthDate,
      sex: { value: 'female', code: '2' },
    });
    expect(a.raw[0]).toBe(0xff);
    expect(a.raw[1]).toBe(0x20);
    expect(a.raw.length).toBe(a.raw[2]! + 3);
    expect(commands(vc)).toEqual([SELECT.text, '00200091', '00200091', '00B08200000000', SELECT.text]);
    expect(await readableWithoutVerify(vc)).toBe(false);
    const b = await card.text.readAttributes({ verificationB: '02010220352468' });
    expect(b.name).toBe(vc.holder.name);
  });

  it('keepSecurityStatus keeps the text AP unlocked until close()', async () => {
    const { vc, card } = await rig();
    await card.text.readAttributes({ pin: TEXT_PIN, keepSecurityStatus: true });
    expect(commands(vc)).toEqual([SELECT.text, '00200091', '00200091', '00B08200000000']);
    expect(await readableWithoutVerify(vc)).toBe(true);
    vc.clearLog();
    await card[Symbol.asyncDispose]();
    expect(commands(vc)).toEqual([SELECT.text]);
    expect(await readableWithoutVerify(vc)).toBe(false);
    expect(card.closed).toBe(true);
  });

  it('sex codes 1, 9 and 0 are kept with their meaning', async () => {
    for (const [sexCode, value] of [
      ['1', 'male'],
      ['9', 'not-applicable'],
      ['0', 'unknown'],
    ] as const) {
      const { card } = await rig({ cardInfo: { sexCode } });
      expect((await card.text.readAttributes({ pin: TEXT_PIN })).sex).toEqual({ value, code: sexCode });
    }
  });

  it('credentials: exactly one of the allowed keys, well-formed, else nothing is sent', async () => {
    const { vc, card } = await rig();
    await expect(card.text.readMyNumber({} as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(card.text.readMyNumber({ pin: TEXT_PIN, verificationA: vc.holder.myNumber } as never)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(card.text.readMyNumber({ verificationB: '02010220352468' } as never)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(card.text.readMyNumber({ verificationA: '123456789012' })).rejects.toBeInstanceOf(PinFormatError);
    await expect(card.text.readAttributes({ verificationB: '0201022035246' })).rejects.toBeInstanceOf(PinFormatError);
    await expect(card.text.readAttributes({ pin: '56789' })).rejects.toBeInstanceOf(PinFormatError);
    expect(vc.log).toHaveLength(0);
  });

  it('remainingTries for the three secrets; one try left guards; blocked', async () => {
    const { vc, card } = await rig({ tries: { text: 1, verificationA: 4, verificationB: 0 } });
    expect(await card.text.remainingTries()).toMatchObject({ state: 'tries', remaining: 1 });
    expect(await card.text.remainingTries('verificationA')).toMatchObject({ state: 'tries', remaining: 4 });
    expect(await card.text.remainingTries('verificationB')).toEqual({ state: 'blocked' });
    await expect(card.text.readMyNumber({ pin: TEXT_PIN })).rejects.toBeInstanceOf(PinRetryGuardError);
    expect(verifiesWithData(vc)).toBe(0);
    await expect(card.text.readAttributes({ verificationB: '02010220352468' })).rejects.toMatchObject({ code: 'pin-blocked' });
    expect(verifiesWithData(vc)).toBe(0);
    expect(await card.text.readMyNumber({ pin: TEXT_PIN, allowLastTry: true })).toBe(vc.holder.myNumber);
  });

  it('changePin', async () => {
    const { vc, card } = await rig();
    await card.text.changePin({ pin: TEXT_PIN, newPin: '1357' });
    expect(commands(vc)).toEqual([SELECT.text, '00200091', '00200091', '00A4020C020011', '00240180', SELECT.text]);
    await expect(card.text.readMyNumber({ pin: TEXT_PIN })).rejects.toBeInstanceOf(PinIncorrectError);
    expect(await card.text.readMyNumber({ pin: '1357' })).toBe(vc.holder.myNumber);
  });

  it('absent on a smartphone: FileNotFoundError, and the JPKI AP is selected again afterwards', async () => {
    const { vc, card } = await rig({ profile: 'android' });
    await expect(card.text.readMyNumber({ pin: TEXT_PIN })).rejects.toBeInstanceOf(FileNotFoundError);
    expect(verifiesWithData(vc)).toBe(0);
    vc.clearLog();
    expect(await card.jpki.remainingTries('auth')).toMatchObject({ state: 'tries', remaining: 3 });
    expect(commands(vc)).toEqual([SELECT.jpki, '00200098']);
  });
});

describe('FaceAp (券面事項確認AP)', () => {
  it('readFace with 照合番号A and B: every field', async () => {
    const { vc, card } = await rig();
    const face = await card.face.readFace({ verificationA: vc.holder.myNumber });
    expect(commands(vc)).toEqual([SELECT.face, '00200093', '00200093', '00B08200000000', SELECT.face]);
    expect(face.birthDate).toBe(vc.holder.birthDate);
    expect(face.sex).toEqual({ value: 'female', code: '2' });
    expect(face.signature).toHaveLength(256);
    expect(toHex(face.nameImage.subarray(0, 4))).toBe('89504e47');
    expect(toHex(face.addressImage.subarray(0, 4))).toBe('89504e47');
    expect(toHex(face.securityCodeImage.subarray(0, 4))).toBe('89504e47');
    expect(toHex(face.photo.subarray(4, 8))).toBe('6a502020');
    expect(face.expiryDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const vb = deriveVerificationB(vc.holder.birthDate, face.expiryDate, '2468');
    vc.clearLog();
    const viaB = await card.face.readFace({ verificationB: vb });
    expect(toHex(viaB.raw)).toBe(toHex(face.raw));
    expect(commands(vc)).toEqual(['00200092', '00200092', '00B08200000000', SELECT.face]);
  });

  it('short APDUs with progress; abort between chunks still drops the status', async () => {
    const { vc, card } = await rig({ quirks: { extendedLength: false }, advertiseExtendedLength: true });
    const seen: Array<[number, number]> = [];
    const face = await card.face.readFace({ verificationA: vc.holder.myNumber, onProgress: (p) => seen.push([p.loaded, p.total]) });
    expect(seen.map((s) => s[0])).toEqual([256, 512, 768, 1024, 1280, 1536, 1792, face.raw.length]);
    expect(new Set(seen.map((s) => s[1]))).toEqual(new Set([face.raw.length]));
    vc.clearLog();
    const controller = new AbortController();
    const error = await rejection(
      card.face.readFace({ verificationA: vc.holder.myNumber, signal: controller.signal, onProgress: (p) => (p.loaded >= 512 ? controller.abort() : undefined) }),
    );
    expect(error).toBeInstanceOf(AbortedError);
    expect(commands(vc)).toEqual(['00200093', '00200093', '00B0820000', '00B0010000', SELECT.face]);
  });

  it('readMyNumberImage needs 照合番号A', async () => {
    const { vc, card } = await rig();
    const image = await card.face.readMyNumberImage({ verificationA: vc.holder.myNumber });
    expect(toHex(image.image.subarray(0, 4))).toBe('89504e47');
    expect(image.signature).toHaveLength(256);
    expect(commands(vc)).toEqual([SELECT.face, '00200093', '00200093', '00B08500000000', SELECT.face]);
    await expect(card.face.readMyNumberImage({ verificationB: '02010220352468' } as never)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });

  it('one try left guards, blocked refuses; neither sends a VERIFY with data', async () => {
    const { vc, card } = await rig({ tries: { verificationA: 1, verificationB: 0 } });
    await expect(card.face.readFace({ verificationA: vc.holder.myNumber })).rejects.toBeInstanceOf(PinRetryGuardError);
    await expect(card.face.readMyNumberImage({ verificationA: vc.holder.myNumber })).rejects.toBeInstanceOf(
      PinRetryGuardError,
    );
    await expect(card.face.readFace({ verificationB: '02010220352468' })).rejects.toMatchObject({ code: 'pin-blocked' });
    expect(verifiesWithData(vc)).toBe(0);
    expect(commands(vc)).toEqual([SELECT.face, '00200093', '00200093', '00200092']);
    const face = await card.face.readFace({ verificationA: vc.holder.myNumber, allowLastTry: true });
    expect(face.birthDate).toBe(vc.holder.birthDate);
  });

  it('a wrong 照合番号A spends one try and reports the rest', async () => {
    const { card } = await rig();
    const e = await rejection(card.face.readFace({ verificationA: '000000000000' }));
    expect(e).toBeInstanceOf(PinIncorrectError);
    expect((e as PinIncorrectError).remaining).toBe(9);
    expect(await card.face.remainingTries('verificationA')).toMatchObject({ state: 'tries', remaining: 9 });
  });

  for (const profile of ['android', 'iphone', 'juki'] as const) {
    it(`${profile}: text and face APs are absent`, async () => {
      const { vc, card } = await rig({ profile });
      await expect(card.face.readFace({ verificationA: vc.holder.myNumber })).rejects.toBeInstanceOf(FileNotFoundError);
      await expect(card.text.readAttributes({ pin: TEXT_PIN })).rejects.toBeInstanceOf(FileNotFoundError);
      expect(verifiesWithData(vc)).toBe(0);
    });
  }

  it('remainingTries; absent AP', async () => {
    const { card } = await rig({ tries: { verificationA: 3, verificationB: 2 } });
    expect(await card.face.remainingTries('verificationA')).toMatchObject({ state: 'tries', remaining: 3 });
    expect(await card.face.remainingTries('verificationB')).toMatchObject({ state: 'tries', remaining: 2 });
    await expect(card.face.remainingTries('pin' as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    const other = await rig({ quirks: { absentAps: ['face'] } });
    await expect(other.card.face.readFace({ verificationA: other.vc.holder.myNumber })).rejects.toBeInstanceOf(
      FileNotFoundError,
    );
  });
});

describe('CommonAp (共通カードAP)', () => {
  it('readCardIdentifier: 28 digits and the uncertain split; cached', async () => {
    const { vc, card } = await rig({ cardInfo: { municipalityCode: '13221', serial: '900000000000777', expiryDate: '2034-02-28' } });
    const id = await card.common.readCardIdentifier();
    expect(id.digits).toBe('9000000000007771322120340228');
    expect(id.interpretation).toEqual({ serial: '900000000000777', municipalityCode: '13221', expiryDate: '2034-02-28' });
    expect(commands(vc)).toEqual([SELECT.common, '00B2010C00']);
    vc.clearLog();
    await card.common.readCardIdentifier();
    expect(vc.log).toHaveLength(0);
  });

  it('absent AP (住基カード profile): FileNotFoundError', async () => {
    const { card } = await rig({ profile: 'juki' });
    expect(card.profile).toBe('juki');
    await expect(card.common.readCardIdentifier()).rejects.toBeInstanceOf(FileNotFoundError);
  });
});
