/**
 * Every SDK flow through PcscTransport and the real stack: pcsc-mini → libpcsclite → pcscd →
 * vpcd → the bridge → VirtualMyNumberCard (in this process). Once with extended-length APDUs,
 * once with a card that refuses them (short APDUs only).
 *
 * The SDK runs each operation inside `transport.withTransaction` (SCardBeginTransaction …
 * SCardEndTransaction) by itself, and SELECTs the AP first on this shared reader.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PinBlockedError, PinIncorrectError } from '../../src/apdu/status.js';
import { MyNumberCard } from '../../src/aps/index.js';
import { toHex } from '../../src/bytes.js';
import { verifyRawSignature } from '../../src/crypto/signature.js';
import { PinRetryGuardError } from '../../src/errors.js';
import { waitForCard, type PcscTransactionOptions, type PcscTransport } from '../../src/pcsc/index.js';
import {
  DEFAULT_AUTH_PIN,
  DEFAULT_SIGN_PASSWORD,
  DEFAULT_TEXT_PIN,
  VirtualMyNumberCard,
  type VirtualCardQuirks,
} from '../../src/testing/index.js';
import type { VpcdConnection } from '../../src/testing/vpcd.js';
import { injectedPcsc, suiteTitle } from './injected.js';
import { exchanges, insertCard, waitForReader } from './pcsc-fixture.js';

const pcsc = injectedPcsc();
const hx = (b: Uint8Array) => toHex(b).toUpperCase();

const MODES: ReadonlyArray<{ readonly mode: string; readonly quirks: VirtualCardQuirks; readonly extended: boolean }> = [
  { mode: 'extended length', quirks: {}, extended: true },
  { mode: 'short APDUs only', quirks: { extendedLength: false }, extended: false },
];

describe.skipIf(!pcsc.ok)(suiteTitle('PcscTransport: every flow through pcscd + vpcd', pcsc), () => {
  const stack = pcsc.ok ? pcsc.stack : undefined;

  describe.each(MODES)('$mode', ({ quirks, extended }) => {
    let vc: VirtualMyNumberCard;
    /** An identical card read without PC/SC: the reference for the face record. */
    let twin: VirtualMyNumberCard;
    let conn: VpcdConnection;
    let transport: PcscTransport;
    let card: MyNumberCard;
    /** Operations wrapped in transactions, counted through the transport. */
    let transactions = 0;

    beforeAll(async () => {
      await waitForReader(stack!.reader, false);
      vc = await VirtualMyNumberCard.create({ quirks });
      twin = await VirtualMyNumberCard.create({ quirks });
      conn = await insertCard(stack!, vc);
      transport = await waitForCard({ reader: stack!.reader, timeoutMs: 15_000 });
      const begin = transport.withTransaction.bind(transport);
      transport.withTransaction = <T>(fn: () => Promise<T>, options?: PcscTransactionOptions): Promise<T> => {
        transactions++;
        return begin(fn, options);
      };
      card = await MyNumberCard.connect(transport);
    });

    afterAll(async () => {
      await card?.close();
      await transport?.close();
      await conn?.close();
      await waitForReader(stack!.reader, false);
    });

    it('connects and detects the card: ATR from the card state, T=1, JPKI AP selected, token read', () => {
      expect(hx(transport.atr)).toBe(hx(vc.atr));
      expect(transport.protocol).toBe('T=1');
      expect(transport.reader).toBe(stack!.reader);
      expect(card.profile).toBe('card');
      expect(exchanges(vc)).toEqual(['00A4040C0AD392F000260100000001>9000', '00B0860020>9000']);
      expect(transport.extendedLength).toBeUndefined();
      expect(transactions).toBe(1); // the SDK ran connect's sequence in one PC/SC transaction
    });

    it('reads all four certificates (the signing one with its password), byte for byte', async () => {
      vc.clearLog();
      const before = transactions;
      expect(hx(await card.jpki.readCertificate('auth'))).toBe(hx(vc.certificates.auth));
      expect(card.extendedLength).toBe(extended); // decided by the session's channel; the transport hint stays unset
      expect(transport.extendedLength).toBeUndefined();
      const log = exchanges(vc);
      // A shared reader: the SDK selects the AP again at the start of each operation.
      expect(log[0]).toBe('00A4040C0AD392F000260100000001>9000');
      if (extended) {
        expect(log).toEqual(['00A4040C0AD392F000260100000001>9000', '00B08A00000000>9000']);
      } else {
        // One refused extended probe (6700), then 256-byte chunks: the channel remembered the refusal.
        expect(log[1]).toBe('00B08A00000000>6700');
        expect(log[2]).toBe('00B08A0000>9000');
        expect(log.length).toBeGreaterThan(4);
        for (const e of log.slice(2)) expect(e).toMatch(/^00B0[0-9A-F]{6}>9000$/);
      }
      expect(hx(await card.jpki.readCertificate('auth-ca'))).toBe(hx(vc.certificates.authCa));
      expect(hx(await card.jpki.readCertificate('sign-ca'))).toBe(hx(vc.certificates.signCa));
      expect(hx(await card.jpki.readCertificate('sign', { pin: DEFAULT_SIGN_PASSWORD }))).toBe(
        hx(vc.certificates.sign),
      );
      expect(transactions - before).toBe(4); // one PC/SC transaction per operation
      // No extended READ BINARY after the refusal in short mode.
      if (!extended) expect(exchanges(vc).filter((e) => /^00B0[0-9A-F]{4}00[0-9A-F]{4}>/.test(e))).toEqual(['00B08A00000000>6700']);
    });

    it('reads the PIN status without spending a try', async () => {
      expect(await card.jpki.remainingTries('auth')).toMatchObject({ state: 'tries', remaining: 3 });
      expect(await card.jpki.remainingTries('sign')).toMatchObject({ state: 'tries', remaining: 5 });
      expect(await card.text.remainingTries()).toMatchObject({ state: 'tries', remaining: 3 });
      expect(vc.pinState('auth').remaining).toBe(3);
    });

    it('verifies the PIN, signs, and the signature verifies with the auth certificate', async () => {
      const data = new TextEncoder().encode('mynacard over PC/SC');
      const signature = await card.jpki.sign('auth', data, { pin: DEFAULT_AUTH_PIN });
      expect(signature).toHaveLength(256);
      expect((await verifyRawSignature(vc.certificates.auth, data, signature, { allowAuthKey: true })).valid).toBe(true);
      expect((await verifyRawSignature(vc.certificates.auth, new TextEncoder().encode('other'), signature, { allowAuthKey: true })).valid).toBe(false);
    });

    it('reads the four attributes (基本4情報)', async () => {
      const attributes = await card.text.readAttributes({ pin: DEFAULT_TEXT_PIN });
      expect({ name: attributes.name, address: attributes.address, birthDate: attributes.birthDate }).toEqual({
        name: vc.holder.name,
        address: vc.holder.address,
        birthDate: vc.holder.birthDate,
      });
      expect(attributes.sex.code).toBe(vc.holder.sex === '3' ? '9' : vc.holder.sex);
    });

    it('reads the My Number (個人番号)', async () => {
      expect(await card.text.readMyNumber({ pin: DEFAULT_TEXT_PIN })).toBe(vc.holder.myNumber);
    });

    it('reads the face record, identical to a direct read of an identical card', async () => {
      const face = await card.face.readFace({ verificationA: vc.holder.myNumber });
      const direct = await (await MyNumberCard.connect(twin)).face.readFace({ verificationA: twin.holder.myNumber });
      expect(face.raw.length).toBeGreaterThan(256);
      expect(hx(face.raw)).toBe(hx(direct.raw));
      expect(face.birthDate).toBe(vc.holder.birthDate);
    });

    it('changes the auth PIN; the new one signs, the old one is refused', async () => {
      await card.jpki.changePin('auth', { pin: DEFAULT_AUTH_PIN, newPin: '4321' });
      const data = Uint8Array.of(1, 2, 3);
      const signature = await card.jpki.sign('auth', data, { pin: '4321' });
      expect((await verifyRawSignature(vc.certificates.auth, data, signature, { allowAuthKey: true })).valid).toBe(true);
      const error = await card.jpki.sign('auth', data, { pin: DEFAULT_AUTH_PIN }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PinIncorrectError);
      expect((error as PinIncorrectError).remaining).toBe(2);
    });

    it('a wrong PIN reports the tries left', async () => {
      const error = await card.jpki.sign('auth', Uint8Array.of(9), { pin: '0000' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PinIncorrectError);
      expect((error as PinIncorrectError).remaining).toBe(1);
      expect(await card.jpki.remainingTries('auth')).toMatchObject({ state: 'tries', remaining: 1 });
    });

    it('locks out: the last try is guarded, then spent on request, and the PIN is blocked', async () => {
      const guarded = await card.jpki.sign('auth', Uint8Array.of(9), { pin: '0000' }).catch((e: unknown) => e);
      expect(guarded).toBeInstanceOf(PinRetryGuardError);
      expect(vc.pinState('auth').remaining).toBe(1);
      const blocked = await card.jpki.sign('auth', Uint8Array.of(9), { pin: '0000', allowLastTry: true }).catch(
        (e: unknown) => e,
      );
      expect(blocked).toBeInstanceOf(PinBlockedError);
      expect(await card.jpki.remainingTries('auth')).toEqual({ state: 'blocked' });
      expect(vc.pinState('auth').remaining).toBe(0);
      // Even the right PIN is refused now.
      await expect(card.jpki.sign('auth', Uint8Array.of(9), { pin: '4321', allowLastTry: true })).rejects.toBeInstanceOf(
        PinBlockedError,
      );
    });
  });
});
