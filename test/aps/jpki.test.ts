import { X509Certificate, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ApduChannel } from '../../src/apdu/channel.js';
import { CommandApdu } from '../../src/apdu/command.js';
import {
  FileNotFoundError,
  PinBlockedError,
  PinIncorrectError,
  SecurityStatusNotSatisfiedError,
} from '../../src/apdu/status.js';
import { toHex } from '../../src/bytes.js';
import { digestInfoOf } from '../../src/hash/digest-info.js';
import { MyNumberCard } from '../../src/aps/card.js';
import { CardRemovedError, InvalidArgumentError, PinFormatError, PinRetryGuardError } from '../../src/errors.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import { AUTH_PIN, SELECT, SIGN_PASSWORD, commands, hex, rejection, rig, verifiesWithData } from './helpers.js';

const data = new TextEncoder().encode('mynacard jpki test');

/** The SPKI of a certificate via node:crypto's X509Certificate. */
function publicKeyOf(der: Uint8Array) {
  return new X509Certificate(Buffer.from(der)).publicKey;
}

/** Whether the card still accepts a signature with the auth key (i.e. the PIN status survived). */
async function authKeyUsable(vc: VirtualMyNumberCard): Promise<boolean> {
  const raw = new ApduChannel(vc);
  await raw.transmit(new CommandApdu({ ins: 0xa4, p1: 0x02, p2: 0x0c, data: Uint8Array.of(0x00, 0x17) }));
  const r = await raw.transmit(
    new CommandApdu({ cla: 0x80, ins: 0x2a, p2: 0x80, data: digestInfoOf('SHA-256', data), le: 256 }),
  );
  return r.ok;
}

describe('JpkiAp.readCertificate', () => {
  it('reads the four certificates exactly (DER only) and caches them', async () => {
    const { vc, card } = await rig();
    expect(toHex(await card.jpki.readCertificate('auth'))).toBe(toHex(vc.certificates.auth));
    expect(toHex(await card.jpki.readCertificate('auth-ca'))).toBe(toHex(vc.certificates.authCa));
    expect(toHex(await card.jpki.readCertificate('sign-ca'))).toBe(toHex(vc.certificates.signCa));
    expect(toHex(await card.jpki.readCertificate('sign', { pin: SIGN_PASSWORD }))).toBe(toHex(vc.certificates.sign));
    expect(commands(vc)).toEqual([
      '00B08A00000000',
      '00B08B00000000',
      '00B08200000000',
      '0020009B',
      '0020009B', // VERIFY with the password (data redacted by the card log)
      '00B08100000000',
      SELECT.jpki,
    ]);
    vc.clearLog();
    const again = await card.jpki.readCertificate('auth');
    again.fill(0); // a copy: the cache is untouched
    expect(toHex(await card.jpki.readCertificate('auth'))).toBe(toHex(vc.certificates.auth));
    expect(vc.log).toHaveLength(0);
    // The cached 署名用電子証明書 comes only after this call's password passed VERIFY (no read).
    expect(toHex(await card.jpki.readCertificate('sign', { pin: SIGN_PASSWORD }))).toBe(toHex(vc.certificates.sign));
    expect(commands(vc)).toEqual(['0020009B', '0020009B', SELECT.jpki]);
    vc.clearLog();
    // `cache: true` serves it without any APDU (and without a password).
    expect(toHex(await card.jpki.readCertificate('sign', { cache: true }))).toBe(toHex(vc.certificates.sign));
    expect(vc.log).toHaveLength(0);
  });

  it('a cached 署名用電子証明書 is not returned for a wrong but well-formed password (issue 13 §3)', async () => {
    const { vc, card } = await rig();
    expect(toHex(await card.jpki.readCertificate('sign', { pin: SIGN_PASSWORD }))).toBe(toHex(vc.certificates.sign));
    vc.clearLog();
    const e = await rejection(card.jpki.readCertificate('sign', { pin: 'WRONG1' }));
    expect(e).toBeInstanceOf(PinIncorrectError);
    expect((e as PinIncorrectError).remaining).toBe(4);
    expect(commands(vc)).toEqual(['0020009B', '0020009B']); // tries query, VERIFY (refused): no read
    // `cache: true` without a cached copy reads as usual (and so needs the password).
    const fresh = await rig();
    await expect(fresh.card.jpki.readCertificate('sign', { cache: true })).rejects.toBeInstanceOf(PinFormatError);
    expect(fresh.vc.log).toHaveLength(0);
  });

  it('the sign certificate needs a well-formed password before anything is sent', async () => {
    const { vc, card } = await rig();
    await expect(card.jpki.readCertificate('sign')).rejects.toBeInstanceOf(PinFormatError);
    await expect(card.jpki.readCertificate('sign', { pin: 'abc' })).rejects.toBeInstanceOf(PinFormatError);
    expect(vc.log).toHaveLength(0);
    const e = await rejection(card.jpki.readCertificate('sign', { pin: 'WRONG1' }));
    expect(e).toBeInstanceOf(PinIncorrectError);
    expect((e as PinIncorrectError).remaining).toBe(4);
    // lower case is upper-cased
    expect(toHex(await card.jpki.readCertificate('sign', { pin: 'abc123' }))).toBe(toHex(vc.certificates.sign));
  });

  it('rejects unknown kinds', async () => {
    const { card } = await rig();
    await expect(card.jpki.readCertificate('root' as never)).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  for (const profile of ['android', 'iphone'] as const) {
    it(`${profile}: the auth certificate needs the auth PIN (verified first), then the status is dropped`, async () => {
      const { vc, card } = await rig({ profile });
      expect(card.profile).toBe(profile);
      await expect(card.jpki.readCertificate('auth')).rejects.toBeInstanceOf(SecurityStatusNotSatisfiedError);
      vc.clearLog();
      expect(toHex(await card.jpki.readCertificate('auth', { pin: AUTH_PIN }))).toBe(toHex(vc.certificates.auth));
      expect(commands(vc)).toEqual(['00200098', '00200098', '00B08A00000000', SELECT.jpki]);
      expect(await authKeyUsable(vc)).toBe(false);
    });
  }

  it('card profile with a card that protects the auth certificate: read → 6982 → VERIFY → read (both behaviours)', async () => {
    const vc = await VirtualMyNumberCard.create({ profile: 'android' });
    // Make the label say "card" although the auth certificate is protected.
    const transport = {
      async transmit(command: Uint8Array) {
        const r = await vc.transmit(command);
        if (hex(command) === '00B0860020') return new Uint8Array([...new TextEncoder().encode('JPKIAPICCTOKEN2'.padEnd(32)), 0x90, 0]);
        return r;
      },
    };
    const card = await MyNumberCard.connect(transport);
    expect(card.profile).toBe('card');
    vc.clearLog();
    expect(toHex(await card.jpki.readCertificate('auth', { pin: AUTH_PIN }))).toBe(toHex(vc.certificates.auth));
    expect(commands(vc)).toEqual(['00B08A00000000', '00200098', '00200098', '00B08A00000000', SELECT.jpki]);
  });
});

describe('JpkiAp.remainingTries', () => {
  it('1 APDU with the JPKI AP selected, 2 otherwise; never spends a try', async () => {
    const { vc, card } = await rig({ tries: { auth: 2, sign: 4 } });
    expect(await card.jpki.remainingTries('auth')).toMatchObject({ state: 'tries', remaining: 2 });
    expect(await card.jpki.remainingTries('sign')).toMatchObject({ state: 'tries', remaining: 4 });
    expect(commands(vc)).toEqual(['00200098', '0020009B']);
    await card.common.readCardIdentifier();
    vc.clearLog();
    expect(await card.jpki.remainingTries('auth')).toMatchObject({ state: 'tries', remaining: 2 });
    expect(commands(vc)).toEqual([SELECT.jpki, '00200098']);
    expect(vc.pinState('auth').remaining).toBe(2);
    expect(verifiesWithData(vc)).toBe(0);
  });

  it('0 when blocked, for both blocked-query behaviours (63C0 / 6984)', async () => {
    for (const blockedPinQuery of ['63C0', '6984'] as const) {
      const { card } = await rig({ tries: { auth: 0 }, quirks: { blockedPinQuery } });
      expect(await card.jpki.remainingTries('auth')).toEqual({ state: 'blocked' });
    }
  });

  it('a verified PIN answering 9000 (kept session) is reported as verified, with its maximum', async () => {
    const { card } = await rig({ quirks: { verifiedPinQuery: '9000' } });
    await card.jpki.sign('auth', data, { pin: AUTH_PIN, keepSecurityStatus: true });
    expect(await card.jpki.remainingTries('auth')).toStrictEqual({ state: 'verified', max: 3 });
    await card.close();
  });
});

describe('JpkiAp.sign', () => {
  for (const kind of ['auth', 'sign'] as const) {
    for (const hash of ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'] as const) {
      it(`${kind} key, ${hash}: a valid PKCS#1 v1.5 signature`, async () => {
        const { vc, card } = await rig();
        const pin = kind === 'auth' ? AUTH_PIN : SIGN_PASSWORD;
        const signature = await card.jpki.sign(kind, data, { pin, hash });
        expect(signature).toHaveLength(256);
        const key = publicKeyOf(kind === 'auth' ? vc.certificates.auth : vc.certificates.sign);
        expect(nodeVerify(hash.replace('-', '').toLowerCase(), data, key, signature)).toBe(true);
        const p2 = kind === 'auth' ? '98' : '9B';
        const keyFid = kind === 'auth' ? '0017' : '001A';
        const di = hex(digestInfoOf(hash, data));
        expect(commands(vc)).toEqual([
          `002000${p2}`,
          `002000${p2}`,
          `00A4020C02${keyFid}`,
          `802A0080${(di.length / 2).toString(16).toUpperCase().padStart(2, '0')}${di}00`,
          SELECT.jpki,
        ]);
        expect(await authKeyUsable(vc)).toBe(false);
      });
    }
  }

  it('signDigestInfo sends the DigestInfo as is; rejects non-DER input before sending', async () => {
    const { vc, card } = await rig();
    const di = digestInfoOf('SHA-256', data);
    const signature = await card.jpki.signDigestInfo('auth', di, { pin: AUTH_PIN });
    const key = publicKeyOf(vc.certificates.auth);
    expect(nodeVerify('sha256', data, key, signature)).toBe(true);
    vc.clearLog();
    await expect(card.jpki.signDigestInfo('auth', new Uint8Array([1, 2, 3]), { pin: AUTH_PIN })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(card.jpki.sign('auth', data, { pin: AUTH_PIN, hash: 'MD5' as never })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(card.jpki.sign('auth', 'text' as never, { pin: AUTH_PIN })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(vc.log).toHaveLength(0);
  });

  it('keepSecurityStatus keeps the status; close() drops it', async () => {
    const { vc, card } = await rig();
    await card.jpki.sign('auth', data, { pin: AUTH_PIN, keepSecurityStatus: true });
    expect(commands(vc).at(-1)!.startsWith('802A')).toBe(true);
    expect(await authKeyUsable(vc)).toBe(true);
    vc.clearLog();
    await card.close();
    expect(commands(vc)).toEqual([SELECT.jpki]);
    expect(await authKeyUsable(vc)).toBe(false);
    await expect(card.jpki.remainingTries('auth')).rejects.toMatchObject({ code: 'session-closed' });
  });

  it('keepSecurityStatus at connect is the default of keepSecurityStatus', async () => {
    const { vc, card } = await rig({}, { keepSecurityStatus: true });
    await card.jpki.sign('auth', data, { pin: AUTH_PIN });
    expect(await authKeyUsable(vc)).toBe(true);
    await card.jpki.sign('auth', data, { pin: AUTH_PIN, keepSecurityStatus: false });
    expect(await authKeyUsable(vc)).toBe(false);
  });

  it('a transport error during VERIFY is not retried', async () => {
    const vc = await VirtualMyNumberCard.create({ quirks: { removeAfterCommands: 3 } });
    const card = await MyNumberCard.connect(vc); // 2 commands; the query is the 3rd; VERIFY the 4th
    await expect(card.jpki.sign('auth', data, { pin: AUTH_PIN })).rejects.toBeInstanceOf(CardRemovedError);
    expect(verifiesWithData(vc)).toBe(1);
    expect(vc.log.at(-1)!.error).toBe('card-removed');
    vc.insert();
    // The session forgot where the card was: it selects the AP again.
    vc.clearLog();
    expect(await card.jpki.remainingTries('auth')).toMatchObject({ state: 'tries', remaining: 3 });
    expect(commands(vc)).toEqual([SELECT.jpki, '00200098']);
  });

  it('a transport error during the signature is not retried', async () => {
    const vc = await VirtualMyNumberCard.create({ quirks: { removeAfterCommands: 5 } });
    const card = await MyNumberCard.connect(vc); // 2 + query, VERIFY, SELECT EF; 80 2A is the 6th
    await expect(card.jpki.sign('auth', data, { pin: AUTH_PIN })).rejects.toBeInstanceOf(CardRemovedError);
    expect(vc.log.filter((e) => e.ins === 0x2a)).toHaveLength(1);
    expect(verifiesWithData(vc)).toBe(1);
  });
});

describe('PIN guard and lockout', () => {
  it('one try left: PinRetryGuardError and zero VERIFY with data; allowLastTry sends it', async () => {
    const { vc, card } = await rig({ tries: { auth: 1, sign: 1 } });
    const e = await rejection(card.jpki.sign('auth', data, { pin: AUTH_PIN }));
    expect(e).toBeInstanceOf(PinRetryGuardError);
    expect((e as PinRetryGuardError).remaining).toBe(1);
    await expect(card.jpki.readCertificate('sign', { pin: SIGN_PASSWORD })).rejects.toBeInstanceOf(PinRetryGuardError);
    await expect(card.jpki.changePin('auth', { pin: AUTH_PIN, newPin: '1111' })).rejects.toBeInstanceOf(
      PinRetryGuardError,
    );
    expect(verifiesWithData(vc)).toBe(0);
    expect(commands(vc)).toEqual(['00200098', '0020009B', '00200098']);
    expect(vc.pinState('auth').remaining).toBe(1);
    expect(await card.jpki.sign('auth', data, { pin: AUTH_PIN, allowLastTry: true })).toHaveLength(256);
    expect(vc.pinState('auth').remaining).toBe(3);
  });

  it('malformed secrets: zero APDUs at all', async () => {
    const { vc, card } = await rig();
    for (const pin of ['123', '12345', 'abcd', '', '１２３４']) {
      await expect(card.jpki.sign('auth', data, { pin })).rejects.toBeInstanceOf(PinFormatError);
    }
    for (const pin of ['ABC12', 'ABCDEF', '123456', 'ABC-123']) {
      await expect(card.jpki.sign('sign', data, { pin })).rejects.toBeInstanceOf(PinFormatError);
    }
    await expect(card.jpki.changePin('auth', { pin: AUTH_PIN, newPin: '12' })).rejects.toBeInstanceOf(PinFormatError);
    expect(vc.log).toHaveLength(0);
  });

  it('wrong PIN → PinIncorrectError.remaining, no drop needed; blocked → PinBlockedError without sending', async () => {
    const { vc, card } = await rig();
    const e1 = await rejection(card.jpki.sign('auth', data, { pin: '0000' }));
    expect(e1).toBeInstanceOf(PinIncorrectError);
    expect((e1 as PinIncorrectError).remaining).toBe(2);
    expect(e1.message).not.toContain('0000');
    expect(commands(vc)).toEqual(['00200098', '00200098']);
    await rejection(card.jpki.sign('auth', data, { pin: '0000' }));
    const e3 = await rejection(card.jpki.sign('auth', data, { pin: '0000', allowLastTry: true }));
    expect(e3).toBeInstanceOf(PinBlockedError);
    vc.clearLog();
    const e4 = await rejection(card.jpki.sign('auth', data, { pin: AUTH_PIN, allowLastTry: true }));
    expect(e4).toBeInstanceOf(PinBlockedError);
    expect(commands(vc)).toEqual(['00200098']);
    expect(verifiesWithData(vc)).toBe(0);
    expect(await card.jpki.remainingTries('auth')).toEqual({ state: 'blocked' });
  });

  it('6984 on VERIFY maps to PinBlockedError', async () => {
    // The query says 2 left, the VERIFY answers 6984 (a card that blocks on another rule).
    const vc = await VirtualMyNumberCard.create();
    const transport = {
      async transmit(command: Uint8Array) {
        if (hex(command).startsWith('0020009804')) return Uint8Array.of(0x69, 0x84);
        return vc.transmit(command);
      },
    };
    const card = await MyNumberCard.connect(transport);
    const e = await rejection(card.jpki.sign('auth', data, { pin: AUTH_PIN }));
    expect(e).toBeInstanceOf(PinBlockedError);
    expect((e as PinBlockedError).sw).toBe(0x6984);
  });
});

describe('JpkiAp.changePin and tokenInfo', () => {
  it('changes the auth PIN and the signing password', async () => {
    const { vc, card } = await rig();
    await card.jpki.changePin('auth', { pin: AUTH_PIN, newPin: '9876' });
    expect(commands(vc)).toEqual(['00200098', '00200098', '00A4020C020018', '00240180', SELECT.jpki]);
    await expect(card.jpki.sign('auth', data, { pin: AUTH_PIN })).rejects.toBeInstanceOf(PinIncorrectError);
    expect(await card.jpki.sign('auth', data, { pin: '9876' })).toHaveLength(256);
    await card.jpki.changePin('sign', { pin: SIGN_PASSWORD, newPin: 'newpass99' });
    expect(await card.jpki.sign('sign', data, { pin: 'NEWPASS99' })).toHaveLength(256);
  });

  it('tokenInfo is the label read at connect (no APDU)', async () => {
    const { vc, card } = await rig({ tokenInfo: 'label' });
    const info = await card.jpki.tokenInfo();
    expect(info).toMatchObject({ label: 'JPKIAPICCTOKEN2', profile: 'card' });
    expect(info.raw).toHaveLength(32);
    expect(vc.log).toHaveLength(0);
  });

  it('a card without a JPKI AP is refused at connect', async () => {
    const vc = await VirtualMyNumberCard.create({ quirks: { absentAps: ['jpki'] } });
    await expect(MyNumberCard.connect(vc)).rejects.toBeInstanceOf(FileNotFoundError);
    expect(commands(vc)).toEqual([SELECT.jpki]);
  });
});
