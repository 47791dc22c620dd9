/**
 * NfcManagerTransport and withNfcCard over the fake react-native-nfc-manager: the exact calls
 * and APDU bytes on each platform, and the faults — the card leaving the field in the middle of
 * a read, a slow signature (IsoDep timeout), iOS's split SW1/SW2, the user cancelling, a second
 * tag, a tag of another technology. Every path must end the NFC session exactly once.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes.js';
import {
  CardRemovedError,
  InvalidArgumentError,
  NfcCancelledError,
  ReaderUnavailableError,
  SecondTagError,
  TimeoutError,
  TransportError,
} from '../../src/errors.js';
import {
  DEFAULT_ALERT_MESSAGE,
  NfcManagerTransport,
  withNfcCard,
  type NfcManagerLike,
  type NfcPlatform,
  type WithNfcCardOptions,
} from '../../src/react-native/index.js';
import { VirtualMyNumberCard, type VirtualCardOptions } from '../../src/testing/index.js';
import { FakeNfcError, FakeNfcManager, type FakeNfcOptions } from './fake-nfc-manager.js';

const SELECT_JPKI = '00a4040c0ad392f000260100000001';
const READ_TOKEN = '00b0860020';
/** 80 2A 00 80 Lc=33 DigestInfo(SHA-256(01 02 03)) Le=00: the auth key's signature of 01 02 03. */
const SIGN_010203 =
  '802a0080333031300d060960864801650304020105000420039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb8100';

async function setup(
  platform: NfcPlatform,
  fakeOptions: Omit<FakeNfcOptions, 'platform' | 'card'> = {},
  cardOptions: VirtualCardOptions = {},
) {
  const vc = await VirtualMyNumberCard.create(cardOptions);
  const fake = new FakeNfcManager({ platform, card: vc, ...fakeOptions });
  const options: WithNfcCardOptions = { nfcManager: fake, platform, nfcErrors: FakeNfcError };
  return { vc, fake, options };
}

const cancels = (fake: FakeNfcManager) => fake.calls.filter((c) => c === 'cancelTechnologyRequest').length;
const cardCommands = (vc: VirtualMyNumberCard) => vc.log.map((e) => toHex(e.command));

describe('opening the NFC session', () => {
  it('Android: reader mode for Type B without NDEF check, then the link is set up; exact calls', async () => {
    const { fake, options } = await setup('android');
    const nfc = await NfcManagerTransport.open(options);
    expect(fake.requests).toEqual([{ isReaderModeEnabled: true, readerModeFlags: 0x82 }]);
    expect(fake.calls).toEqual([
      'setEventListener NfcManagerDiscoverTag on',
      'requestTechnology IsoDep',
      'getMaxTransceiveLength',
      'setTimeout 3000',
      'getTag',
    ]);
    expect(nfc.maxTransceiveLength).toBe(261);
    expect(nfc.extendedLength).toBe(false);
    expect(nfc.maxResponseLength).toBe(258);
    await nfc.close();
    await nfc.close();
    expect(fake.calls.slice(5)).toEqual(['setEventListener NfcManagerDiscoverTag off', 'cancelTechnologyRequest']);
  });

  it('iOS: the scan sheet text, no Android calls; no capability hint', async () => {
    const { fake, options } = await setup('ios');
    const nfc = await NfcManagerTransport.open({ ...options, alertMessage: 'カードをかざしてください' });
    expect(fake.requests).toEqual([{ alertMessage: 'カードをかざしてください' }]);
    expect(fake.calls).toEqual(['requestTechnology IsoDep']);
    expect(nfc.extendedLength).toBeUndefined();
    expect(nfc.maxResponseLength).toBeUndefined();
    expect(nfc.maxTransceiveLength).toBeUndefined();
    await nfc.close();
    const { fake: fake2, options: options2 } = await setup('ios');
    await (await NfcManagerTransport.open(options2)).close();
    expect(fake2.requests).toEqual([{ alertMessage: DEFAULT_ALERT_MESSAGE }]);
  });

  it('Android with extended-length support states no hint (the SDK detects)', async () => {
    const { options } = await setup('android', { maxTransceiveLength: 65279 });
    const nfc = await NfcManagerTransport.open(options);
    expect(nfc.maxTransceiveLength).toBe(65279);
    expect(nfc.extendedLength).toBeUndefined();
    expect(nfc.maxResponseLength).toBeUndefined();
    await nfc.close();
  });

  it('a tag of another technology: TransportError nfc-unsupported-tag, session ended', async () => {
    const { fake, options } = await setup('android', { techFound: null });
    const error = await NfcManagerTransport.open(options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).code).toBe('nfc-unsupported-tag');
    expect(cancels(fake)).toBe(1);
    expect(fake.calls).toContain('setEventListener NfcManagerDiscoverTag off');
  });

  it('NFC already busy with another request: ReaderUnavailableError', async () => {
    const { fake, options } = await setup('android');
    const first = await NfcManagerTransport.open(options);
    // The fake keeps one request at a time, like the library; the failed open must not end the first one's session.
    const second = await NfcManagerTransport.open({ ...options, detectSecondTag: false }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(ReaderUnavailableError);
    expect((second as ReaderUnavailableError).message).toBe('requestTechnology: NFC is busy with another session');
    expect(cancels(fake)).toBe(0);
    expect(toHex(await first.transmit(Uint8Array.from(Buffer.from(SELECT_JPKI, 'hex'))))).toBe('9000');
    await first.close();
    expect(cancels(fake)).toBe(1);
  });

  it('bad options are refused before NFC is touched', async () => {
    const { fake, options } = await setup('android');
    await expect(NfcManagerTransport.open({ ...options, platform: 'web' as NfcPlatform })).rejects.toThrow(InvalidArgumentError);
    await expect(NfcManagerTransport.open({ ...options, signatureTimeoutMs: 0 })).rejects.toThrow(InvalidArgumentError);
    const noIos = { ...fake, requestTechnology: fake.requestTechnology.bind(fake) } as unknown as NfcManagerLike;
    await expect(NfcManagerTransport.open({ nfcManager: noIos, platform: 'ios' })).rejects.toThrow(InvalidArgumentError);
    expect(fake.calls).toEqual([]);
  });
});

describe('exact APDU bytes over each platform', () => {
  it('iOS: data, SW1 and SW2 handed over apart are put back together as data ‖ SW1 ‖ SW2', async () => {
    const { vc, fake, options } = await setup('ios');
    const nfc = await NfcManagerTransport.open(options);
    expect(toHex(await nfc.transmit(Uint8Array.from(Buffer.from(SELECT_JPKI, 'hex'))))).toBe('9000');
    const token = await nfc.transmit(Uint8Array.from(Buffer.from(READ_TOKEN, 'hex')));
    // "JPKIAPICCTOKEN2" space-padded to 32 bytes, then 90 00.
    expect(toHex(token)).toBe(`${Buffer.from('JPKIAPICCTOKEN2'.padEnd(32, ' ')).toString('hex')}9000`);
    expect(fake.commands).toEqual([SELECT_JPKI, READ_TOKEN]);
    expect(cardCommands(vc)).toEqual([SELECT_JPKI, READ_TOKEN]);
    await nfc.close();
  });

  it('iOS: a 61xx answer with data keeps both, and the SW is not mistaken for data', async () => {
    const manager: NfcManagerLike = {
      requestTechnology: async () => 'IsoDep',
      cancelTechnologyRequest: async () => undefined,
      isoDepHandler: { transceive: async () => [] },
      sendCommandAPDUIOS: async () => ({ response: [0x01, 0x02], sw1: 0x61, sw2: 0x10 }),
    };
    const nfc = await NfcManagerTransport.open({ nfcManager: manager, platform: 'ios' });
    expect(toHex(await nfc.transmit(Uint8Array.of(0x00, 0xb0, 0x00, 0x00, 0x02)))).toBe('01026110');
  });

  it('malformed answers from the bridge are TransportErrors', async () => {
    let answer: unknown = { response: [0x100], sw1: 0x90, sw2: 0x00 };
    const ios: NfcManagerLike = {
      requestTechnology: async () => 'IsoDep',
      cancelTechnologyRequest: async () => undefined,
      isoDepHandler: { transceive: async () => answer as number[] },
      sendCommandAPDUIOS: async () => answer as { response: number[]; sw1: number; sw2: number },
    };
    const nfc = await NfcManagerTransport.open({ nfcManager: ios, platform: 'ios' });
    await expect(nfc.transmit(Uint8Array.of(0, 0xb0, 0, 0, 1))).rejects.toThrow(TransportError);
    answer = { response: [], sw1: 0x90 };
    await expect(nfc.transmit(Uint8Array.of(0, 0xb0, 0, 0, 1))).rejects.toThrow('not a byte');
    const { sendCommandAPDUIOS: _, ...androidManager } = ios;
    const android = await NfcManagerTransport.open({ nfcManager: androidManager, platform: 'android' });
    answer = [0x90];
    await expect(android.transmit(Uint8Array.of(0, 0xb0, 0, 0, 1))).rejects.toThrow('shorter than a status word');
  });

  it('the command array handed to the library is wiped after the exchange (it may carry a PIN)', async () => {
    const seen: number[][] = [];
    const manager: NfcManagerLike = {
      requestTechnology: async () => 'IsoDep',
      cancelTechnologyRequest: async () => undefined,
      isoDepHandler: {
        transceive: async (bytes) => {
          seen.push(bytes);
          expect(toHex(Uint8Array.from(bytes))).toBe('002000800431323334');
          return [0x90, 0x00];
        },
      },
    };
    const nfc = await NfcManagerTransport.open({ nfcManager: manager, platform: 'android' });
    expect(toHex(await nfc.transmit(Uint8Array.of(0x00, 0x20, 0x00, 0x80, 0x04, 0x31, 0x32, 0x33, 0x34)))).toBe('9000');
    expect(seen).toEqual([[0, 0, 0, 0, 0, 0, 0, 0, 0]]);
  });

  it('after close: transport-closed, nothing sent', async () => {
    const { fake, options } = await setup('android');
    const nfc = await NfcManagerTransport.open(options);
    await nfc.close();
    const error = await nfc.transmit(Uint8Array.from(Buffer.from(SELECT_JPKI, 'hex'))).catch((e: unknown) => e);
    expect((error as TransportError).code).toBe('transport-closed');
    expect(nfc.closed).toBe(true);
    expect(fake.commands).toEqual([]);
  });
});

describe('the card leaves the field in the middle of a read', () => {
  for (const platform of ['android', 'ios'] as const) {
    for (const classes of [true, false]) {
      it(`${platform}${classes ? '' : ' (errors told by class name)'}: CardRemovedError, nothing resent, session ended once`, async () => {
        const { vc, fake, options } = await setup(platform);
        vc.removeAfterCommands(4);
        const error = await withNfcCard((card) => card.jpki.readCertificate('auth'), {
          ...options,
          nfcErrors: classes ? FakeNfcError : undefined,
          card: { extendedLength: false },
        }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(CardRemovedError);
        expect((error as CardRemovedError).code).toBe('card-removed');
        // SELECT, token, the certificate's first two 256-byte chunks; the third is where the card went.
        expect(cardCommands(vc)).toEqual([SELECT_JPKI, READ_TOKEN, '00b08a0000', '00b0010000', '00b0020000']);
        expect(vc.log.at(-1)!.error).toBe('card-removed');
        expect(fake.commands).toEqual(cardCommands(vc));
        expect(cancels(fake)).toBe(1);
        expect(fake.sessionActive).toBe(false);
      });
    }
  }
});

describe('a slow signature', () => {
  it('Android: the IsoDep timeout is raised around the signature only, and the signature comes back', async () => {
    // 60 ms of card time, longer than the ordinary timeout of this session (30 ms).
    const { vc, fake, options } = await setup('android', { signatureMs: 60 });
    const signature = await withNfcCard((card) => card.jpki.sign('auth', Uint8Array.of(1, 2, 3), { pin: '1234' }), {
      ...options,
      timeoutMs: 30,
    });
    expect(signature).toHaveLength(256);
    const around = fake.calls.slice(fake.calls.findIndex((c) => c.startsWith('transceive 802a')) - 1);
    expect(around.slice(0, 3)).toEqual(['setTimeout 15000', `transceive ${SIGN_010203}`, 'setTimeout 30']);
    expect(fake.calls.filter((c) => c.startsWith('setTimeout'))).toEqual(['setTimeout 30', 'setTimeout 15000', 'setTimeout 30']);
    expect(cardCommands(vc).filter((c) => c.startsWith('802a'))).toEqual([SIGN_010203]);
  });

  it('Android: a signature slower than signatureTimeoutMs is a TimeoutError, never resent; the timeout is set back', async () => {
    const { vc, fake, options } = await setup('android', { signatureMs: 80 });
    const error = await withNfcCard((card) => card.jpki.sign('auth', Uint8Array.of(1, 2, 3), { pin: '1234' }), {
      ...options,
      signatureTimeoutMs: 20,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).code).toBe('timeout');
    expect((error as Error).message).toBe('transceive: the card did not answer within 20 ms (nothing was resent)');
    expect(fake.commands.filter((c) => c.startsWith('802a'))).toEqual([SIGN_010203]);
    expect(vc.log.filter((e) => e.verifyWithData === true)).toHaveLength(1);
    expect(fake.calls.filter((c) => c.startsWith('setTimeout'))).toEqual(['setTimeout 3000', 'setTimeout 20', 'setTimeout 3000']);
    expect(cancels(fake)).toBe(1);
  });

  it('iOS: no timeout to set (Core NFC has none); the slow signature comes back', async () => {
    const { fake, options } = await setup('ios', { signatureMs: 60 });
    const signature = await withNfcCard((card) => card.jpki.sign('auth', Uint8Array.of(1, 2, 3), { pin: '1234' }), options);
    expect(signature).toHaveLength(256);
    expect(fake.calls.some((c) => c.startsWith('setTimeout'))).toBe(false);
    expect(fake.commands).toContain(SIGN_010203);
  });
});

describe('the user cancels', () => {
  for (const platform of ['android', 'ios'] as const) {
    it(`${platform}: before any card — NfcCancelledError (user), the callback never runs, session ended`, async () => {
      const { fake, options } = await setup(platform, { cancelBeforeTag: true });
      let ran = false;
      const error = await withNfcCard(async () => (ran = true), options).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NfcCancelledError);
      expect((error as NfcCancelledError).code).toBe('nfc-cancelled');
      expect((error as NfcCancelledError).reason).toBe('user');
      expect(ran).toBe(false);
      expect(fake.commands).toEqual([]);
      expect(cancels(fake)).toBe(1);
    });
  }

  it('iOS: in the middle of a read — NfcCancelledError (user), the card sees nothing more', async () => {
    const { vc, fake, options } = await setup('ios', {
      beforeCommand: (index, _command, self) => {
        if (index === 3) self.userCancel();
      },
    });
    const error = await withNfcCard((card) => card.jpki.readCertificate('auth'), { ...options, card: { extendedLength: false } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(NfcCancelledError);
    expect((error as NfcCancelledError).reason).toBe('user');
    expect(cardCommands(vc)).toEqual([SELECT_JPKI, READ_TOKEN, '00b08a0000']);
    expect(cancels(fake)).toBe(1);
  });

  it('Android: the session ended under the transport (no tech request) — NfcCancelledError (session)', async () => {
    const { fake, options } = await setup('android');
    const nfc = await NfcManagerTransport.open(options);
    await fake.cancelTechnologyRequest(); // e.g. another part of the app ended it
    const error = await nfc.transmit(Uint8Array.from(Buffer.from(SELECT_JPKI, 'hex'))).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NfcCancelledError);
    expect((error as NfcCancelledError).reason).toBe('session');
    expect((error as Error).message).toBe('transceive: the NFC session was ended');
  });
});

describe('a second tag (Android reader mode)', () => {
  it('another tag during the session: SecondTagError, the card sees nothing more, session ended', async () => {
    const { vc, fake, options } = await setup('android', {
      beforeCommand: (index, _command, self) => {
        if (index === 3) self.presentTag('08a0b0c0'); // a transit card joins the card in the field
      },
    });
    const error = await withNfcCard((card) => card.jpki.readCertificate('auth'), options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SecondTagError);
    expect((error as SecondTagError).code).toBe('second-tag');
    // The command in flight when the tag appeared was answered; none went out after it.
    expect(cardCommands(vc)).toEqual([SELECT_JPKI, READ_TOKEN, '00b08a0000', '00b0010000']);
    expect(fake.calls.slice(-2)).toEqual(['setEventListener NfcManagerDiscoverTag off', 'cancelTechnologyRequest']);
  });

  it("the card's own discovery event arriving late is not a second tag", async () => {
    const { fake, options } = await setup('android', {
      beforeCommand: (index, _command, self) => {
        if (index === 2) self.presentTag('04a1b2c3');
      },
    });
    const der = await withNfcCard((card) => card.jpki.readCertificate('auth'), options);
    expect(der[0]).toBe(0x30);
    expect(cancels(fake)).toBe(1);
  });

  it('detectSecondTag: false leaves the listener alone', async () => {
    const { fake, options } = await setup('android', {
      beforeCommand: (index, _command, self) => {
        if (index === 2) self.presentTag('08a0b0c0');
      },
    });
    await withNfcCard((card) => card.jpki.tokenInfo(), { ...options, detectSecondTag: false });
    expect(fake.calls.some((c) => c.startsWith('setEventListener'))).toBe(false);
  });
});

describe('withNfcCard', () => {
  it("ends the session when the app's callback throws, and passes the error through", async () => {
    const { fake, options } = await setup('ios');
    const bug = new Error('app bug');
    await expect(
      withNfcCard(async (card) => {
        await card.jpki.tokenInfo();
        throw bug;
      }, options),
    ).rejects.toBe(bug);
    expect(cancels(fake)).toBe(1);
    expect(fake.sessionActive).toBe(false);
  });

  it('ends the session when connecting fails (not a My Number Card: no JPKI AP)', async () => {
    const { fake, options } = await setup('android', {}, { quirks: { absentAps: ['jpki'] } });
    await expect(withNfcCard(async () => 'never', options)).rejects.toMatchObject({ code: 'file-not-found' });
    expect(cancels(fake)).toBe(1);
  });
});

describe('read progress in the iOS scan sheet', () => {
  it('読み取り中… N%, once per change', async () => {
    const { fake, options } = await setup('ios');
    const nfc = await NfcManagerTransport.open(options);
    nfc.onProgress({ loaded: 2, total: 5 });
    nfc.onProgress({ loaded: 2, total: 5 });
    nfc.onProgress({ loaded: 5, total: 5 });
    nfc.onProgress({ loaded: 0, total: 0 });
    await Promise.resolve();
    expect(fake.alerts).toEqual(['読み取り中… 40%', '読み取り中… 100%', '読み取り中… 0%']);
    await nfc.close();
  });

  it('a custom message, and a chunked face read reports rising percentages up to 100%', async () => {
    const { vc, fake, options } = await setup('ios');
    await withNfcCard(
      (card, nfc) => card.face.readFace({ verificationA: vc.holder.myNumber, onProgress: nfc.onProgress }),
      { ...options, card: { extendedLength: false }, progressMessage: (p) => `読取 ${p}` },
    );
    expect(fake.alerts.length).toBeGreaterThan(3);
    const percents = fake.alerts.map((a) => Number(/^読取 (\d+)$/.exec(a)![1]));
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(new Set(percents).size).toBe(percents.length);
    expect(percents.at(-1)).toBe(100);
  });

  it('Android has no sheet: nothing is set', async () => {
    const { fake, options } = await setup('android');
    const nfc = await NfcManagerTransport.open(options);
    nfc.onProgress({ loaded: 1, total: 2 });
    await nfc.setAlertMessage('x');
    expect(fake.alerts).toEqual([]);
    await nfc.close();
  });
});
