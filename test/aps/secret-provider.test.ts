/**
 * Secret providers: the SDK asks after its guard read the tries (exact APDUs), with the
 * request fields a provider needs; never when the secret is blocked or the guard refuses; a
 * bad answer or a failing provider sends nothing.
 */
import { describe, expect, it } from 'vitest';
import { PinBlockedError } from '../../src/apdu/status.js';
import { AbortedError, PinFormatError, PinRetryGuardError } from '../../src/errors.js';
import type { SecretProvider, SecretRequest } from '../../src/secret.js';
import { fromHex } from '../../src/bytes.js';
import { FaceAp } from '../../src/aps/face.js';
import { JpkiAp } from '../../src/aps/jpki.js';
import { TextAp } from '../../src/aps/text.js';
import { ReplayTransport, type VirtualMyNumberCard } from '../../src/testing/index.js';
import { library, MEMBER_PIN, rig as cardApRig, sessions, wire } from '../card-ap/helpers.js';
import { AUTH_PIN, SELECT, SIGN_PASSWORD, TEXT_PIN, bareSession, rig } from './helpers.js';

const data = new TextEncoder().encode('申請書');

/** The card log, VERIFY with data as `<header>+PIN`. */
const log = (vc: VirtualMyNumberCard): string[] => wire(vc);

/** A provider that records each request and the card log at the moment it was asked. */
function recorder(vc: VirtualMyNumberCard, answer: () => string | Uint8Array | Promise<string | Uint8Array>) {
  const calls: Array<{ request: SecretRequest; logAtCall: string[] }> = [];
  const provider: SecretProvider = async (request) => {
    calls.push({ request, logAtCall: log(vc) });
    return answer();
  };
  return { provider, calls };
}

describe('JPKI sign with a provider', () => {
  it('is asked once, after the tries query, with kind, names and tries; exactly one VERIFY with data follows', async () => {
    const { vc, card } = await rig();
    const { provider, calls } = recorder(vc, () => SIGN_PASSWORD);
    const signature = await card.jpki.sign('sign', data, { pin: provider });
    expect(signature.length).toBe(256);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.logAtCall).toEqual(['0020009B']); // the JPKI AP is current after connect
    expect(calls[0]!.request).toStrictEqual({
      kind: 'sign-password',
      nameJa: '署名用電子証明書 パスワード',
      nameEn: 'signing password',
      purpose: 'current',
      tries: { state: 'tries', remaining: 5, max: 5 },
      lastTry: false,
    });
    const wireLog = log(vc);
    expect(wireLog.slice(0, 3)).toEqual(['0020009B', '0020009B+PIN', '00A4020C02001A']);
    expect(wireLog[3]).toMatch(/^802A0080[0-9A-F]+00$/);
    expect(wireLog.slice(4)).toEqual([SELECT.jpki]);
    await card.close();
  });

  it('passes the call signal, and the verified state (9000) with its maximum', async () => {
    const { vc, card } = await rig({ quirks: { verifiedPinQuery: '9000' } });
    await card.jpki.sign('auth', data, { pin: AUTH_PIN, keepSecurityStatus: true });
    vc.clearLog();
    const controller = new AbortController();
    const { provider, calls } = recorder(vc, () => AUTH_PIN);
    await card.jpki.sign('auth', data, { pin: provider, signal: controller.signal });
    expect(calls[0]!.request.tries).toStrictEqual({ state: 'verified', max: 3 });
    expect(calls[0]!.request.signal).toBe(controller.signal);
    expect(calls[0]!.logAtCall).toEqual(['00200098']);
    await card.close();
  });

  it('is never asked for a blocked secret (PinBlockedError after the one tries query)', async () => {
    const { vc, card } = await rig({ tries: { sign: 0 } });
    const { provider, calls } = recorder(vc, () => SIGN_PASSWORD);
    await expect(card.jpki.sign('sign', data, { pin: provider })).rejects.toBeInstanceOf(PinBlockedError);
    expect(calls).toHaveLength(0);
    expect(log(vc)).toEqual(['0020009B']);
    await card.close();
  });

  it('is never asked when the last-try guard refuses; asked with lastTry: true when allowed', async () => {
    const { vc, card } = await rig({ tries: { auth: 1 } });
    const { provider, calls } = recorder(vc, () => AUTH_PIN);
    await expect(card.jpki.sign('auth', data, { pin: provider })).rejects.toBeInstanceOf(PinRetryGuardError);
    expect(calls).toHaveLength(0);
    expect(log(vc)).toEqual(['00200098']);
    vc.clearLog();
    await card.jpki.sign('auth', data, { pin: provider, allowLastTry: true });
    expect(calls.map((c) => [c.request.lastTry, c.request.tries])).toEqual([[true, { state: 'tries', remaining: 1, max: 3 }]]);
    expect(vc.pinState('auth').remaining).toBe(3);
    await card.close();
  });

  it('a malformed answer is a PinFormatError and nothing is sent with it', async () => {
    for (const bad of ['12', 'ABCDEF', 42 as unknown as string, new TextEncoder().encode('12345')]) {
      const { vc, card } = await rig();
      const { provider } = recorder(vc, () => bad);
      await expect(card.jpki.sign('auth', data, { pin: provider })).rejects.toBeInstanceOf(PinFormatError);
      expect(log(vc)).toEqual(['00200098']);
      expect(vc.pinState('auth').remaining).toBe(3);
      if (bad instanceof Uint8Array) expect(bad.every((b) => b === 0)).toBe(true);
      await card.close();
    }
  });

  it('a provider that throws: its error propagates unchanged, nothing is sent', async () => {
    const { vc, card } = await rig();
    const cancelled = new Error('the holder cancelled');
    const provider: SecretProvider = () => Promise.reject(cancelled);
    await expect(card.jpki.sign('auth', data, { pin: provider })).rejects.toBe(cancelled);
    expect(log(vc)).toEqual(['00200098']);
    // The session is usable afterwards.
    expect(await card.jpki.remainingTries('auth')).toStrictEqual({ state: 'tries', remaining: 3, max: 3 });
    await card.close();
  });

  it('aborted while the provider was asking: AbortedError, the answer is wiped, nothing is sent', async () => {
    const { vc, card } = await rig();
    const controller = new AbortController();
    const answer = new TextEncoder().encode(AUTH_PIN);
    const provider: SecretProvider = async () => {
      controller.abort();
      return answer;
    };
    await expect(card.jpki.sign('auth', data, { pin: provider, signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(log(vc)).toEqual(['00200098']);
    expect(answer.every((b) => b === 0)).toBe(true);
    await card.close();
  });

  it('wipes a Uint8Array answer after the VERIFY', async () => {
    const { vc, card } = await rig();
    const answer = new TextEncoder().encode(AUTH_PIN);
    await card.jpki.sign('auth', data, { pin: async () => answer });
    expect(answer.every((b) => b === 0)).toBe(true);
    expect(log(vc).filter((c) => c.endsWith('+PIN'))).toEqual(['00200098+PIN']);
    await card.close();
  });

  it('readCertificate("auth") on a plastic card needs no VERIFY: the provider is not asked', async () => {
    const { vc, card } = await rig();
    const { provider, calls } = recorder(vc, () => AUTH_PIN);
    expect((await card.jpki.readCertificate('auth', { pin: provider })).length).toBeGreaterThan(0);
    expect(calls).toHaveLength(0);
    await card.close();
  });
});

describe('text and face APs with a provider', () => {
  it('readAttributes({ pin: provider }): SELECT → tries → provider → VERIFY → READ → drop', async () => {
    const { vc, card } = await rig();
    const { provider, calls } = recorder(vc, () => TEXT_PIN);
    const attributes = await card.text.readAttributes({ pin: provider });
    expect(attributes.name).toBe(vc.holder.name);
    expect(calls[0]!.logAtCall).toEqual([SELECT.text, '00200091']);
    expect(calls[0]!.request).toStrictEqual({
      kind: 'text-pin',
      nameJa: '券面事項入力補助用 暗証番号',
      nameEn: 'text PIN',
      purpose: 'current',
      tries: { state: 'tries', remaining: 3, max: 3 },
      lastTry: false,
    });
    expect(log(vc)).toEqual([SELECT.text, '00200091', '00200091+PIN', '00B08200000000', SELECT.text]);
    await card.close();
  });

  it('照合番号B of the face AP: kind verification-b, no published maximum', async () => {
    const { vc, card } = await rig();
    const { provider, calls } = recorder(vc, () => '02010220352468'); // 照合番号B of the default holder
    await card.face.readFace({ verificationB: provider });
    expect(calls[0]!.request).toMatchObject({
      kind: 'verification-b',
      nameJa: '照合番号B',
      nameEn: 'verification number B',
      tries: { state: 'tries', remaining: 10 },
    });
    expect(calls[0]!.request.tries).not.toHaveProperty('max');
    expect(calls[0]!.logAtCall).toEqual([SELECT.face, '00200092']);
    await card.close();
  });

  it('changePin with providers: the current value, then the new one (purpose new), before any VERIFY with data', async () => {
    const { vc, card } = await rig();
    const asked: Array<[string, string[]]> = [];
    const provider: SecretProvider = async (request) => {
      asked.push([request.purpose, log(vc)]);
      return request.purpose === 'current' ? TEXT_PIN : '2468';
    };
    await card.text.changePin({ pin: provider, newPin: provider });
    expect(asked).toEqual([
      ['current', [SELECT.text, '00200091']],
      ['new', [SELECT.text, '00200091']],
    ]);
    // The card log redacts the new value; the readAttributes below proves it is 2468.
    expect(log(vc)).toEqual([SELECT.text, '00200091', '00200091+PIN', '00A4020C020011', '00240180', SELECT.text]);
    expect(await card.text.readAttributes({ pin: '2468' })).toMatchObject({ name: vc.holder.name });
    await card.close();
  });

  it('changePin: a malformed new value from a provider sends nothing with data', async () => {
    const { vc, card } = await rig();
    await expect(
      card.text.changePin({ pin: TEXT_PIN, newPin: async () => '12' }),
    ).rejects.toBeInstanceOf(PinFormatError);
    expect(log(vc)).toEqual([SELECT.text, '00200091']);
    expect(vc.pinState('text').remaining).toBe(3);
    await card.close();
  });
});

describe('card APs with a provider', () => {
  it('read(file, { pin: provider }): kind card-ap with the descriptor secret name, after the tries query', async () => {
    const r = await cardApRig();
    const { lib } = sessions(r);
    const { provider, calls } = recorder(r.vc, () => MEMBER_PIN);
    expect(await lib.read('loans', { pin: provider })).toEqual({ limit: 5, validUntil: '20300331' });
    expect(calls).toHaveLength(1);
    expect(calls[0]!.request).toMatchObject({ kind: 'card-ap', cardApSecret: 'pin', purpose: 'current', lastTry: false });
    expect(calls[0]!.request.tries).toStrictEqual({ state: 'tries', remaining: 3, max: 3 });
    expect(calls[0]!.logAtCall.at(-1)).toBe('00200091');
    expect(r.vc.cardApSecretState(library, 'pin').remaining).toBe(3);
  });
});

describe('remainingTries: a discriminated state for each status word (card-facts §5)', () => {
  /** SELECT the AP, then the empty VERIFY answered with `sw`. */
  const replay = (select: string, verify: string, sw: string) =>
    new ReplayTransport([
      { command: fromHex(select), response: fromHex('9000') },
      { command: fromHex(verify), response: fromHex(sw) },
    ]);

  it('JPKI signing password: 63C2, 63C0, 6984, 9000, 6300', async () => {
    const cases: Array<[string, unknown]> = [
      ['63C2', { state: 'tries', remaining: 2, max: 5 }],
      ['63C0', { state: 'blocked' }],
      ['6984', { state: 'blocked' }],
      ['9000', { state: 'verified', max: 5 }],
      ['6300', { state: 'unlimited' }],
    ];
    for (const [sw, expected] of cases) {
      const t = replay(SELECT.jpki, '0020009B', sw);
      expect(await new JpkiAp(bareSession(t)).remainingTries('sign'), sw).toStrictEqual(expected);
      t.assertDone();
    }
  });

  it('text PIN and the 照合番号 (no published maximum)', async () => {
    let t = replay(SELECT.text, '00200091', '63C1');
    expect(await new TextAp(bareSession(t)).remainingTries('pin')).toStrictEqual({ state: 'tries', remaining: 1, max: 3 });
    t = replay(SELECT.text, '00200094', '9000');
    expect(await new TextAp(bareSession(t)).remainingTries('verificationA')).toStrictEqual({ state: 'verified' });
    t = replay(SELECT.face, '00200092', '63CA');
    expect(await new FaceAp(bareSession(t)).remainingTries('verificationB')).toStrictEqual({ state: 'tries', remaining: 10 });
    t.assertDone();
  });
});
