/**
 * Conformance vectors (test/vectors/*.json) replayed through ReplayTransport: the card sessions
 * must send exactly the recorded command bytes, in order, and nothing more.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PinBlockedError, PinIncorrectError } from '../../src/apdu/status.js';
import { fromHex, toHex } from '../../src/bytes.js';
import { MyNumberCard } from '../../src/aps/card.js';
import { CommonAp } from '../../src/aps/common.js';
import { FaceAp } from '../../src/aps/face.js';
import { JpkiAp } from '../../src/aps/jpki.js';
import { TextAp } from '../../src/aps/text.js';
import { CardRemovedError } from '../../src/errors.js';
import { TEST_PKI_DATA } from '../../src/testing/index.js';
import { ReplayTransport } from '../../src/testing/replay.js';
import type { Transport } from '../../src/transport/transport.js';
import { AUTH_PIN, SIGN_PASSWORD, TEXT_PIN, bareSession, rejection } from './helpers.js';

interface VectorExchange {
  readonly c: string;
  readonly r?: string;
  readonly error?: string;
  readonly note?: string;
}
interface Vector {
  readonly name: string;
  readonly card: { readonly quirks?: { readonly extendedLength?: boolean }; readonly advertiseExtendedLength?: boolean };
  readonly exchanges: readonly VectorExchange[];
}

function load(name: string): Vector {
  return JSON.parse(readFileSync(new URL(`../vectors/${name}.json`, import.meta.url), 'utf8')) as Vector;
}

/** The transport hint the vector's card gives (only when it advertises one). */
function hint(v: Vector): { extendedLength?: boolean } {
  return v.card.advertiseExtendedLength === true ? { extendedLength: v.card.quirks?.extendedLength ?? true } : {};
}

function replay(...vectors: Vector[]): ReplayTransport {
  const exchanges = vectors.flatMap((v) => v.exchanges);
  return ReplayTransport.fromJson({ description: vectors.map((v) => v.name).join('+'), exchanges }, hint(vectors.at(-1)!));
}

const holder = TEST_PKI_DATA.holder;
const ascii = (s: string) => new TextEncoder().encode(s);
const lastResponseData = (v: Vector): Uint8Array => {
  const r = fromHex(v.exchanges.at(-2)!.r!);
  return r.subarray(0, r.length - 2);
};
/** The DER certificate the vector's reads return (first chunk holds the header). */
function derFromReads(v: Vector): Uint8Array {
  const reads = v.exchanges.filter((e) => e.c.startsWith('00B0') && e.r!.endsWith('9000'));
  const all = reads.map((e) => fromHex(e.r!)).map((r) => r.subarray(0, r.length - 2));
  const joined = new Uint8Array(all.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of all) {
    joined.set(a, o);
    o += a.length;
  }
  const len = ((joined[2]! << 8) | joined[3]!) + 4;
  return joined.subarray(0, len);
}

describe('conformance vectors', () => {
  it('connect: SELECT JPKI AP, 32-byte token label → profile card', async () => {
    const t = replay(load('connect'));
    const card = await MyNumberCard.connect(t);
    expect(card.profile).toBe('card');
    expect((await card.jpki.tokenInfo()).label).toBe('JPKIAPICCTOKEN2');
    t.assertDone();
  });

  for (const [name, kind] of [
    ['read-auth-cert-extended', 'auth'],
    ['read-auth-cert-short', 'auth'],
    ['read-auth-cert-fallback', 'auth'],
    ['read-auth-ca-extended', 'auth-ca'],
    ['read-auth-ca-short', 'auth-ca'],
    ['read-sign-ca-extended', 'sign-ca'],
    ['read-sign-ca-short', 'sign-ca'],
    ['read-sign-cert-extended', 'sign'],
    ['read-sign-cert-short', 'sign'],
  ] as const) {
    it(`${name}: exact commands, DER without filler`, async () => {
      const v = load(name);
      const t = replay(v);
      const jpki = new JpkiAp(bareSession(t));
      const der = await jpki.readCertificate(kind, kind === 'sign' ? { pin: SIGN_PASSWORD } : {});
      t.assertDone();
      expect(toHex(der)).toBe(toHex(derFromReads(v)));
      expect(der[0]).toBe(0x30);
    });
  }

  it('read-auth-cert-fallback after connect: extended refused once, then short chunks (2 + 8 = 10 APDUs)', async () => {
    const t = replay(load('connect'), { ...load('read-auth-cert-fallback'), exchanges: load('read-auth-cert-fallback').exchanges.slice(1) });
    const card = await MyNumberCard.connect(t);
    const der = await card.jpki.readCertificate('auth');
    t.assertDone();
    expect(der.length).toBe(derFromReads(load('read-auth-cert-fallback')).length);
    expect(card.extendedLength).toBe(false);
  });

  it('pin-status: every retry counter, one SELECT per AP', async () => {
    const t = replay(load('pin-status'));
    const session = bareSession(t);
    const jpki = new JpkiAp(session);
    const text = new TextAp(session);
    const face = new FaceAp(session);
    expect(await jpki.remainingTries('auth')).toMatchObject({ state: 'tries', remaining: 3 });
    expect(await jpki.remainingTries('sign')).toMatchObject({ state: 'tries', remaining: 5 });
    expect(await text.remainingTries('pin')).toMatchObject({ state: 'tries', remaining: 3 });
    expect(await text.remainingTries('verificationA')).toMatchObject({ state: 'tries', remaining: 10 });
    expect(await text.remainingTries('verificationB')).toMatchObject({ state: 'tries', remaining: 10 });
    expect(await face.remainingTries('verificationA')).toMatchObject({ state: 'tries', remaining: 10 });
    expect(await face.remainingTries('verificationB')).toMatchObject({ state: 'tries', remaining: 10 });
    t.assertDone();
  });

  for (const [name, kind] of [
    ['verify-and-sign', 'auth'],
    ['verify-and-sign-sign-key', 'sign'],
  ] as const) {
    it(`${name}: tries → VERIFY → SELECT key → 80 2A → re-select`, async () => {
      const v = load(name);
      const t = replay(v);
      const jpki = new JpkiAp(bareSession(t));
      const signature = await jpki.sign(kind, ascii('mynacard test'), { pin: kind === 'auth' ? AUTH_PIN : SIGN_PASSWORD });
      t.assertDone();
      expect(toHex(signature)).toBe(toHex(lastResponseData(v)));
      expect(signature.length).toBe(256);
    });
  }

  it('change-pin: tries → VERIFY → SELECT EF 0018 → 00 24 01 80 → re-select', async () => {
    const t = replay(load('change-pin'));
    await new JpkiAp(bareSession(t)).changePin('auth', { pin: AUTH_PIN, newPin: '4321' });
    t.assertDone();
  });

  it('wrong-pin-lockout: 63C2, 63C1 (last try only with allowLastTry), 63C0; then refuses to send once blocked', async () => {
    const v = load('wrong-pin-lockout');
    const t = replay(v);
    const jpki = new JpkiAp(bareSession(t));
    const data = ascii('x');
    const e1 = await rejection(jpki.sign('auth', data, { pin: '0000' }));
    expect(e1).toBeInstanceOf(PinIncorrectError);
    expect((e1 as PinIncorrectError).remaining).toBe(2);
    const e2 = await rejection(jpki.sign('auth', data, { pin: '0000' }));
    expect((e2 as PinIncorrectError).remaining).toBe(1);
    const e3 = await rejection(jpki.sign('auth', data, { pin: '0000', allowLastTry: true }));
    expect(e3).toBeInstanceOf(PinBlockedError);
    expect((e3 as PinBlockedError).sw).toBe(0x63c0);
    // The query now answers 63C0: the SDK stops there and never sends the (correct) PIN to a
    // blocked counter, so the transcript's last VERIFY (answered 6984) stays unplayed.
    const e4 = await rejection(jpki.sign('auth', data, { pin: AUTH_PIN, allowLastTry: true }));
    expect(e4).toBeInstanceOf(PinBlockedError);
    expect((e4 as PinBlockedError).sw).toBe(0x63c0);
    expect(t.remaining).toBe(1);
    expect(v.exchanges.at(-1)!.r).toBe('6984');
  });

  for (const name of ['read-my-number', 'read-my-number-short'] as const) {
    it(`${name}: text PIN → 17-byte EF → 12 digits; also after connect`, async () => {
      const v = load(name);
      const t1 = replay(v);
      expect(await new TextAp(bareSession(t1)).readMyNumber({ pin: TEXT_PIN })).toBe(holder.myNumber);
      t1.assertDone();
      const t2 = replay(load('connect'), v);
      const card = await MyNumberCard.connect(t2);
      expect(await card.text.readMyNumber({ pin: TEXT_PIN })).toBe(holder.myNumber);
      t2.assertDone();
    });
  }

  for (const [name, credential] of [
    ['read-attributes', { pin: TEXT_PIN }],
    ['read-attributes-short', { pin: TEXT_PIN }],
    ['read-attributes-verification-b', { verificationB: '02010220352468' }],
  ] as const) {
    it(`${name}: 基本4情報 decoded exactly`, async () => {
      const t = replay(load('connect'), load(name));
      const card = await MyNumberCard.connect(t);
      const a = await card.text.readAttributes(credential);
      t.assertDone();
      expect({ name: a.name, address: a.address, birthDate: a.birthDate }).toEqual({
        name: holder.name,
        address: holder.address,
        birthDate: holder.birthDate,
      });
      expect(a.sex).toEqual({ value: 'female', code: '2' });
    });
  }

  for (const name of ['read-face', 'read-face-short'] as const) {
    it(`${name}: 照合番号A → face record`, async () => {
      const t = replay(load('connect'), load(name));
      const card = await MyNumberCard.connect(t);
      const progress: number[] = [];
      const face = await card.face.readFace({ verificationA: holder.myNumber, onProgress: (p) => progress.push(p.loaded) });
      t.assertDone();
      expect(face.birthDate).toBe(holder.birthDate);
      expect(face.raw.length).toBe(0x0743 + 5);
      expect(toHex(face.photo.subarray(0, 12))).toBe('0000000c6a5020200d0a870a'); // JP2 signature box
      expect(toHex(face.nameImage.subarray(0, 8))).toBe('89504e470d0a1a0a'); // PNG
      expect(progress.at(-1)).toBe(0x0743 + 5);
      expect(progress.length).toBe(name === 'read-face' ? 1 : 8);
    });
  }

  it('read-common: READ RECORD 1 of SFI 1', async () => {
    const t = replay(load('connect'), load('read-common'));
    const card = await MyNumberCard.connect(t);
    const id = await card.common.readCardIdentifier();
    t.assertDone();
    expect(id.digits).toHaveLength(28);
    expect(id.interpretation.serial).toBe('900000000000001');
    // Cached: no more APDUs.
    expect((await card.common.readCardIdentifier()).digits).toBe(id.digits);
    t.assertDone();
    const t2 = replay(load('read-common'));
    expect((await new CommonAp(bareSession(t2)).readCardIdentifier()).digits).toBe(id.digits);
    t2.assertDone();
  });

  it('card-pulled-mid-read: CardRemovedError after the recorded commands, nothing resent', async () => {
    const v = load('card-pulled-mid-read');
    const played = v.exchanges.filter((e) => e.r !== undefined);
    const pulled = v.exchanges.find((e) => e.error === 'card-removed')!;
    const inner = replay({ ...v, exchanges: played });
    let after = 0;
    const transport: Transport = {
      extendedLength: false,
      async transmit(command) {
        if (inner.remaining > 0) return inner.transmit(command);
        after++;
        expect(toHex(command).toUpperCase()).toBe(pulled.c);
        throw new CardRemovedError();
      },
    };
    const jpki = new JpkiAp(bareSession(transport));
    await expect(jpki.readCertificate('auth')).rejects.toBeInstanceOf(CardRemovedError);
    expect(after).toBe(1);
    inner.assertDone();
  });
});
