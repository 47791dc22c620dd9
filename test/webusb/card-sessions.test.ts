/**
 * Every card-session flow (connect, the four certificates, PIN status, verify + sign,
 * attributes, My Number, face, change PIN, wrong PIN, the common AP) over
 * `WebUsbCcidTransport` and the simulated CCID reader, at short APDU, extended APDU (chained
 * and unchained) and T=1 TPDU level, plus a noisy T=1 reader. Each flow also runs straight
 * against an identical virtual card: the card must see exactly the same APDUs and give the
 * same results, i.e. the USB CCID path is transparent.
 */
import { X509Certificate, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PinIncorrectError } from '../../src/apdu/status.js';
import { MyNumberCard, type MyNumberCardOptions } from '../../src/aps/card.js';
import { toHex } from '../../src/bytes.js';
import { VirtualMyNumberCard, type VirtualCardOptions } from '../../src/testing/index.js';
import type { Transport } from '../../src/transport/transport.js';
import { WebUsbCcidTransport, lrc } from '../../src/webusb/index.js';
import { SimReader, type SimReaderOptions } from './sim-reader.js';

const AUTH_PIN = '1234';
const SIGN_PASSWORD = 'ABC123';
const TEXT_PIN = '5678';
const data = new TextEncoder().encode('mynacard over USB CCID');

interface Setup {
  readonly name: string;
  readonly reader: SimReaderOptions;
  /** What the transport must report. */
  readonly expect: { level: string; extendedLength: boolean | undefined; protocol: string | undefined };
  /** connect option of the direct reference run that makes the same APDU choices. */
  readonly reference: MyNumberCardOptions['extendedLength'];
  /** The reader injects faults: check they happened. */
  readonly noisy?: boolean;
}

const SETUPS: readonly Setup[] = [
  {
    name: 'short APDU level',
    reader: { level: 'short-apdu' },
    expect: { level: 'short-apdu', extendedLength: false, protocol: undefined },
    reference: false,
  },
  {
    name: 'extended APDU level, dwMaxCCIDMessageLength 271 (chained parts)',
    reader: { level: 'extended-apdu', maxMessageLength: 271 },
    expect: { level: 'extended-apdu', extendedLength: true, protocol: undefined },
    reference: true,
  },
  {
    name: 'extended APDU level, dwMaxCCIDMessageLength 65544',
    reader: { level: 'extended-apdu', maxMessageLength: 65544 },
    expect: { level: 'extended-apdu', extendedLength: true, protocol: undefined },
    reference: true,
  },
  {
    name: 'TPDU level, T=1',
    reader: { level: 'tpdu' },
    expect: { level: 'tpdu', extendedLength: undefined, protocol: 'T=1' },
    reference: 'auto',
  },
  {
    name: 'TPDU level, T=1, noisy reader (time extensions, WTX, bad LRCs, mute, split transfers)',
    reader: {
      level: 'tpdu',
      timeExtensions: 2,
      wtxRequests: 4,
      corruptCardBlocks: [3, 11, 40],
      corruptHostBlocks: [7, 25],
      muteBlocks: [15],
      maxTransfer: 64,
      latencyMs: 1,
    },
    expect: { level: 'tpdu', extendedLength: undefined, protocol: 'T=1' },
    reference: 'auto',
    noisy: true,
  },
];

function publicKeyOf(der: Uint8Array) {
  return new X509Certificate(Buffer.from(der)).publicKey;
}

/** A flow: runs on a session, returns comparable values. */
type Flow = (card: MyNumberCard, vc: VirtualMyNumberCard) => Promise<unknown>;

interface Run {
  readonly value: unknown;
  readonly commands: string[];
  readonly vc: VirtualMyNumberCard;
}

async function runDirect(flow: Flow, cardOptions: VirtualCardOptions, setup: Setup): Promise<Run> {
  const vc = await VirtualMyNumberCard.create(cardOptions);
  const card = await MyNumberCard.connect(vc, { extendedLength: setup.reference });
  const value = await flow(card, vc);
  await card.close();
  return { value, commands: vc.log.map((e) => toHex(e.command)), vc };
}

async function runUsb(
  flow: Flow,
  cardOptions: VirtualCardOptions,
  setup: Setup,
): Promise<Run & { sim: SimReader; timeExtensions: number }> {
  const vc = await VirtualMyNumberCard.create(cardOptions);
  const sim = new SimReader(vc, setup.reader);
  const transport = await WebUsbCcidTransport.open(sim);
  expect({
    level: transport.exchangeLevel,
    extendedLength: transport.extendedLength,
    protocol: transport.protocol,
  }).toEqual(setup.expect);
  expect(toHex(transport.atr)).toBe('3be000ff8131fe4514');
  const card = await MyNumberCard.connect(transport as Transport, { closeTransport: true });
  const value = await flow(card, vc);
  await card.close();
  expect(transport.closed).toBe(true);
  expect(sim.claimed.size).toBe(0);
  // The last bulk message is IccPowerOff.
  expect(sim.sent.at(-1)![0]).toBe(0x63);
  return { value, commands: vc.log.map((e) => toHex(e.command)), vc, sim, timeExtensions: transport.timeExtensions };
}

/** Run over USB and directly; the card must see the same APDUs; return the USB run. */
async function both(
  setup: Setup,
  flow: Flow,
  cardOptions: VirtualCardOptions = {},
): Promise<Run & { sim: SimReader; timeExtensions: number }> {
  const usb = await runUsb(flow, cardOptions, setup);
  const direct = await runDirect(flow, cardOptions, setup);
  expect(usb.commands).toEqual(direct.commands);
  expect(usb.value).toEqual(direct.value);
  return usb;
}

for (const setup of SETUPS) {
  describe(`card sessions over WebUsbCcidTransport — ${setup.name}`, () => {
    it('connect: profile and token label', async () => {
      const run = await both(setup, async (card) => ({ profile: card.profile, token: await card.jpki.tokenInfo() }));
      expect(run.value).toMatchObject({ profile: 'card', token: { label: 'JPKIAPICCTOKEN2', profile: 'card' } });
      expect(run.commands.slice(0, 2)).toEqual(['00a4040c0ad392f000260100000001', '00b0860020']);
    });

    it('all four certificates, exact DER', async () => {
      const run = await both(setup, async (card) => ({
        auth: toHex(await card.jpki.readCertificate('auth')),
        authCa: toHex(await card.jpki.readCertificate('auth-ca')),
        sign: toHex(await card.jpki.readCertificate('sign', { pin: SIGN_PASSWORD })),
        signCa: toHex(await card.jpki.readCertificate('sign-ca')),
      }));
      const vc = run.vc;
      expect(run.value).toEqual({
        auth: toHex(vc.certificates.auth),
        authCa: toHex(vc.certificates.authCa),
        sign: toHex(vc.certificates.sign),
        signCa: toHex(vc.certificates.signCa),
      });
      if (setup.noisy === true) {
        const sim = run.sim;
        // Every injected fault happened and was recovered from.
        expect(sim.t1Card.badBlocks).toBe(2); // host blocks 7 and 25 reached the card corrupted
        expect(sim.t1Card.wtxSent).toBe(4);
        // Each S(WTX request) (PCB C3) got an S(WTX response) (E3 02) in an XfrBlock with bBWI 2.
        const wtxRequests = sim.answered.filter(
          (m) => m[0] === 0x80 && m[11] === 0xc3 && lrc(m.subarray(10, m.length - 1)) === m[m.length - 1],
        ).length;
        const wtxResponses = sim.sent.filter((m) => m[0] === 0x6f && m[11] === 0xe3);
        expect(wtxRequests).toBeGreaterThanOrEqual(4);
        expect(wtxResponses).toHaveLength(wtxRequests);
        expect(wtxResponses.map((m) => [m[7], m[13]])).toEqual(wtxResponses.map(() => [2, 2]));
        expect(sim.xfrBwis.filter((b) => b !== 0)).toHaveLength(wtxRequests);
        expect(run.timeExtensions).toBe(2 * sim.xfrBwis.length);
        // R-blocks asking again: EDC error (3 bad LRCs) and other error (1 mute), N(R) either way.
        const nacks = sim.sent
          .filter((m) => m[0] === 0x6f && m.length === 14)
          .map((m) => m[11]! & 0xef)
          .filter((pcb) => pcb === 0x81 || pcb === 0x82);
        expect(nacks.sort()).toEqual([0x81, 0x81, 0x81, 0x82]);
      }
    });

    it('PIN status of every secret, no try spent', async () => {
      const run = await both(
        setup,
        async (card) => ({
          auth: await card.jpki.remainingTries('auth'),
          sign: await card.jpki.remainingTries('sign'),
          text: await card.text.remainingTries('pin'),
          textA: await card.text.remainingTries('verificationA'),
          faceB: await card.face.remainingTries('verificationB'),
        }),
        { tries: { auth: 2, sign: 4 } },
      );
      expect(run.value).toEqual({ auth: 2, sign: 4, text: 3, textA: 10, faceB: 10 });
      expect(run.vc.pinState('auth').remaining).toBe(2);
    });

    it('verify + sign with both keys; the signatures verify', async () => {
      const run = await both(setup, async (card) => ({
        auth: toHex(await card.jpki.sign('auth', data, { pin: AUTH_PIN })),
        sign: toHex(await card.jpki.sign('sign', data, { pin: SIGN_PASSWORD })),
      }));
      const value = run.value as { auth: string; sign: string };
      expect(value.auth).toHaveLength(512);
      const ok = (cert: Uint8Array, sig: string) =>
        nodeVerify('sha256', data, publicKeyOf(cert), Buffer.from(sig, 'hex'));
      expect(ok(run.vc.certificates.auth, value.auth)).toBe(true);
      expect(ok(run.vc.certificates.sign, value.sign)).toBe(true);
      expect(run.commands.filter((c) => c.startsWith('802a'))).toHaveLength(2);
      expect(run.vc.pinState('auth').remaining).toBe(3);
    });

    it('attributes (基本4情報) and My Number', async () => {
      const run = await both(setup, async (card) => {
        const a = await card.text.readAttributes({ pin: TEXT_PIN });
        return {
          name: a.name,
          address: a.address,
          birthDate: a.birthDate,
          sex: a.sex,
          myNumber: await card.text.readMyNumber({ pin: TEXT_PIN }),
        };
      });
      const holder = run.vc.holder;
      expect(run.value).toEqual({
        name: holder.name,
        address: holder.address,
        birthDate: holder.birthDate,
        sex: { value: 'female', code: '2' },
        myNumber: holder.myNumber,
      });
    });

    it('face (券面事項確認AP) and the My Number image', async () => {
      const run = await both(setup, async (card, vc) => {
        const face = await card.face.readFace({ verificationA: vc.holder.myNumber });
        const image = await card.face.readMyNumberImage({ verificationA: vc.holder.myNumber });
        return { face: toHex(face.raw), birthDate: face.birthDate, image: toHex(image.image) };
      });
      const value = run.value as { face: string; birthDate: string; image: string };
      expect(value.birthDate).toBe(run.vc.holder.birthDate);
      expect(value.face.length).toBeGreaterThan(2 * 1024);
      expect(value.image.slice(0, 8)).toBe('89504e47');
    });

    it('change PIN, then sign with the new PIN', async () => {
      const run = await both(setup, async (card) => {
        await card.jpki.changePin('auth', { current: AUTH_PIN, next: '9876' });
        const signature = await card.jpki.sign('auth', data, { pin: '9876' });
        return { length: signature.length };
      });
      expect(run.value).toEqual({ length: 256 });
      expect(run.commands).toContain('00240180');
    });

    it('wrong PIN: PinIncorrectError with the tries left, nothing retried', async () => {
      const run = await both(setup, async (card) => {
        const error = await card.jpki.sign('auth', data, { pin: '0000' }).catch((e: unknown) => e);
        return {
          isPinIncorrect: error instanceof PinIncorrectError,
          remaining: (error as PinIncorrectError).remaining,
          message: (error as Error).message.includes('0000'),
        };
      });
      expect(run.value).toEqual({ isPinIncorrect: true, remaining: 2, message: false });
      expect(run.vc.log.filter((e) => e.verifyWithData === true)).toHaveLength(1);
      expect(run.vc.pinState('auth').remaining).toBe(2);
    });

    it('common AP card identifier', async () => {
      const run = await both(
        setup,
        async (card) => (await card.common.readCardIdentifier()).digits,
        { cardInfo: { municipalityCode: '13221', serial: '900000000000777', expiryDate: '2034-02-28' } },
      );
      expect(run.value).toBe('9000000000007771322120340228');
    });
  });
}
