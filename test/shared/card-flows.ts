/**
 * The card-session flows every transport must carry (connect, the four certificates, PIN
 * status, verify + sign, attributes and My Number, face, change PIN, wrong PIN, the common AP),
 * with their checks. A transport's suite runs each flow over the transport and straight
 * against an identical virtual card ({@link runFlowDirect}): the card must see exactly the same
 * APDUs and give the same results. Used by test/webusb/card-sessions.test.ts and
 * test/react-native/card-sessions.test.ts.
 */
import { X509Certificate, verify as nodeVerify } from 'node:crypto';
import { expect } from 'vitest';
import { PinIncorrectError } from '../../src/apdu/status.js';
import { MyNumberCard, type MyNumberCardOptions } from '../../src/aps/card.js';
import { toHex } from '../../src/bytes.js';
import { VirtualMyNumberCard, type VirtualCardOptions } from '../../src/testing/index.js';

export const AUTH_PIN = '1234';
export const SIGN_PASSWORD = 'ABC123';
export const TEXT_PIN = '5678';
export const SIGNED_DATA = new TextEncoder().encode('mynacard card-session flow');

/** A flow: runs on a session, returns comparable values. */
export type Flow = (card: MyNumberCard, vc: VirtualMyNumberCard) => Promise<unknown>;

/** The outcome of one flow run. */
export interface FlowRun {
  readonly value: unknown;
  /** Every command the card saw, hex. */
  readonly commands: string[];
  readonly vc: VirtualMyNumberCard;
}

/** A named flow, the virtual card it needs, and what its run must show. */
export interface CardFlow {
  readonly id: string;
  readonly name: string;
  readonly run: Flow;
  readonly cardOptions?: VirtualCardOptions;
  readonly check: (run: FlowRun) => void;
}

function publicKeyOf(der: Uint8Array) {
  return new X509Certificate(Buffer.from(der)).publicKey;
}

/** Run `flow` straight against a fresh virtual card (the reference run). */
export async function runFlowDirect(
  flow: Flow,
  cardOptions: VirtualCardOptions,
  extendedLength: MyNumberCardOptions['extendedLength'],
): Promise<FlowRun> {
  const vc = await VirtualMyNumberCard.create(cardOptions);
  const card = await MyNumberCard.connect(vc, { extendedLength });
  const value = await flow(card, vc);
  await card.close();
  return { value, commands: vc.log.map((e) => toHex(e.command)), vc };
}

export const CARD_FLOWS: readonly CardFlow[] = [
  {
    id: 'connect',
    name: 'connect: profile and token label',
    run: async (card) => ({ profile: card.profile, token: await card.jpki.tokenInfo() }),
    check: (run) => {
      expect(run.value).toMatchObject({ profile: 'card', token: { label: 'JPKIAPICCTOKEN2', profile: 'card' } });
      expect(run.commands.slice(0, 2)).toEqual(['00a4040c0ad392f000260100000001', '00b0860020']);
    },
  },
  {
    id: 'certificates',
    name: 'all four certificates, exact DER',
    run: async (card) => ({
      auth: toHex(await card.jpki.readCertificate('auth')),
      authCa: toHex(await card.jpki.readCertificate('auth-ca')),
      sign: toHex(await card.jpki.readCertificate('sign', { pin: SIGN_PASSWORD })),
      signCa: toHex(await card.jpki.readCertificate('sign-ca')),
    }),
    check: ({ value, vc }) => {
      expect(value).toEqual({
        auth: toHex(vc.certificates.auth),
        authCa: toHex(vc.certificates.authCa),
        sign: toHex(vc.certificates.sign),
        signCa: toHex(vc.certificates.signCa),
      });
    },
  },
  {
    id: 'pin-status',
    name: 'PIN status of every secret, no try spent',
    cardOptions: { tries: { auth: 2, sign: 4 } },
    run: async (card) => ({
      auth: await card.jpki.remainingTries('auth'),
      sign: await card.jpki.remainingTries('sign'),
      text: await card.text.remainingTries('pin'),
      textA: await card.text.remainingTries('verificationA'),
      faceB: await card.face.remainingTries('verificationB'),
    }),
    check: (run) => {
      expect(run.value).toStrictEqual({
        auth: { state: 'tries', remaining: 2, max: 3 },
        sign: { state: 'tries', remaining: 4, max: 5 },
        text: { state: 'tries', remaining: 3, max: 3 },
        textA: { state: 'tries', remaining: 10 },
        faceB: { state: 'tries', remaining: 10 },
      });
      expect(run.vc.pinState('auth').remaining).toBe(2);
    },
  },
  {
    id: 'sign',
    name: 'verify + sign with both keys; the signatures verify',
    run: async (card) => ({
      auth: toHex(await card.jpki.sign('auth', SIGNED_DATA, { pin: AUTH_PIN })),
      sign: toHex(await card.jpki.sign('sign', SIGNED_DATA, { pin: SIGN_PASSWORD })),
    }),
    check: (run) => {
      const value = run.value as { auth: string; sign: string };
      expect(value.auth).toHaveLength(512);
      const ok = (cert: Uint8Array, sig: string) =>
        nodeVerify('sha256', SIGNED_DATA, publicKeyOf(cert), Buffer.from(sig, 'hex'));
      expect(ok(run.vc.certificates.auth, value.auth)).toBe(true);
      expect(ok(run.vc.certificates.sign, value.sign)).toBe(true);
      expect(run.commands.filter((c) => c.startsWith('802a'))).toHaveLength(2);
      expect(run.vc.pinState('auth').remaining).toBe(3);
    },
  },
  {
    id: 'attributes',
    name: 'attributes (基本4情報) and My Number',
    run: async (card) => {
      const a = await card.text.readAttributes({ pin: TEXT_PIN });
      return {
        name: a.name,
        address: a.address,
        birthDate: a.birthDate,
        sex: a.sex,
        myNumber: await card.text.readMyNumber({ pin: TEXT_PIN }),
      };
    },
    check: (run) => {
      const holder = run.vc.holder;
      expect(run.value).toEqual({
        name: holder.name,
        address: holder.address,
        birthDate: holder.birthDate,
        sex: { value: 'female', code: '2' },
        myNumber: holder.myNumber,
      });
    },
  },
  {
    id: 'face',
    name: 'face (券面事項確認AP) and the My Number image',
    run: async (card, vc) => {
      const face = await card.face.readFace({ verificationA: vc.holder.myNumber });
      const image = await card.face.readMyNumberImage({ verificationA: vc.holder.myNumber });
      return { face: toHex(face.raw), birthDate: face.birthDate, image: toHex(image.image) };
    },
    check: (run) => {
      const value = run.value as { face: string; birthDate: string; image: string };
      expect(value.birthDate).toBe(run.vc.holder.birthDate);
      expect(value.face.length).toBeGreaterThan(2 * 1024);
      expect(value.image.slice(0, 8)).toBe('89504e47');
    },
  },
  {
    id: 'change-pin',
    name: 'change PIN, then sign with the new PIN',
    run: async (card) => {
      await card.jpki.changePin('auth', { pin: AUTH_PIN, newPin: '9876' });
      const signature = await card.jpki.sign('auth', SIGNED_DATA, { pin: '9876' });
      return { length: signature.length };
    },
    check: (run) => {
      expect(run.value).toEqual({ length: 256 });
      expect(run.commands).toContain('00240180');
    },
  },
  {
    id: 'wrong-pin',
    name: 'wrong PIN: PinIncorrectError with the tries left, nothing retried',
    run: async (card) => {
      const error = await card.jpki.sign('auth', SIGNED_DATA, { pin: '0000' }).catch((e: unknown) => e);
      return {
        isPinIncorrect: error instanceof PinIncorrectError,
        remaining: (error as PinIncorrectError).remaining,
        message: (error as Error).message.includes('0000'),
      };
    },
    check: (run) => {
      expect(run.value).toEqual({ isPinIncorrect: true, remaining: 2, message: false });
      expect(run.vc.log.filter((e) => e.verifyWithData === true)).toHaveLength(1);
      expect(run.vc.pinState('auth').remaining).toBe(2);
    },
  },
  {
    id: 'common',
    name: 'common AP card identifier',
    cardOptions: { cardInfo: { municipalityCode: '13221', serial: '900000000000777', expiryDate: '2034-02-28' } },
    run: async (card) => (await card.common.readCardIdentifier()).digits,
    check: (run) => {
      expect(run.value).toBe('9000000000007771322120340228');
    },
  },
];
