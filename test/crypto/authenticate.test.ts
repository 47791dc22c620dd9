import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fromHex } from '../../src/bytes.js';
import { CryptoError, InvalidArgumentError } from '../../src/errors.js';
import {
  authenticate,
  createChallenge,
  DEFAULT_TIMESTAMP_WINDOW_MS,
  verifyAuthentication,
  type JpkiAuthentication,
  type VerifyAuthenticationOptions,
} from '../../src/crypto/authenticate.js';
import {
  AUTHENTICATION_CONTEXT,
  decodeAuthenticationMessage,
  encodeAuthenticationMessage,
} from '../../src/crypto/auth-message.js';
import { MyNumberCard } from '../../src/aps/card.js';
import { DEFAULT_AUTH_PIN, VirtualMyNumberCard } from '../../src/testing/index.js';
import { loadTestPki } from '../../src/testing/pki.js';
import { keyCard } from './helpers.js';

const AT = new Date('2026-06-01T00:00:00Z');
const ORIGIN = 'https://login.example.jp';

interface MessageVector {
  readonly name: string;
  readonly origin: string;
  readonly challengeHex: string;
  readonly timestamp: string;
  readonly timestampMs: number;
  readonly messageHex: string;
}
const VECTORS = (
  JSON.parse(readFileSync('test/vectors/auth/auth-message.json', 'utf8')) as { context: string; vectors: MessageVector[] }
).vectors;

/** A message laid out by hand (any context, any field), as an attacker could. */
function fields(...parts: Uint8Array[]): Uint8Array {
  const out: number[] = [];
  for (const p of parts) out.push(p.length >> 8, p.length & 0xff, ...p);
  return Uint8Array.from(out);
}
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const u64 = (ms: number): Uint8Array => fromHex(ms.toString(16).padStart(16, '0'));

describe('the authentication message: exact bytes', () => {
  it.each(VECTORS.map((v) => [v.name, v] as const))('%s matches the vector byte for byte', (_name, v) => {
    const message = encodeAuthenticationMessage({
      origin: v.origin,
      challenge: fromHex(v.challengeHex),
      timestamp: new Date(v.timestamp),
    });
    expect(message).toEqual(fromHex(v.messageHex));
    expect(new Date(v.timestamp).getTime()).toBe(v.timestampMs);
    expect(decodeAuthenticationMessage(fromHex(v.messageHex))).toEqual({
      context: AUTHENTICATION_CONTEXT,
      origin: v.origin,
      challenge: fromHex(v.challengeHex),
      timestamp: new Date(v.timestamp),
    });
  });

  it('the context is the documented 21-byte string', () => {
    expect(AUTHENTICATION_CONTEXT).toBe('mynacard-jpki-auth-v1');
    expect(fromHex(VECTORS[0]!.messageHex).subarray(0, 23)).toEqual(fromHex('00156D796E61636172642D6A706B692D617574682D7631'));
  });

  it('decoding is strict: trailing bytes, a missing field, truncation, a bad timestamp length, non-UTF-8 text', () => {
    const good = fromHex(VECTORS[0]!.messageHex);
    const ctx = utf8(AUTHENTICATION_CONTEXT);
    const nonce = new Uint8Array(16);
    const bad = [
      Uint8Array.from([...good, 0]),
      good.subarray(0, good.length - 1),
      fields(ctx, utf8(ORIGIN), nonce),
      fields(ctx, utf8(ORIGIN), nonce, new Uint8Array(7)),
      fields(ctx, utf8(ORIGIN), nonce, u64(0), new Uint8Array(0)),
      fields(ctx, Uint8Array.of(0xff), nonce, u64(0)),
      fields(ctx, new Uint8Array(0), nonce, u64(0)),
      fields(ctx, utf8(ORIGIN), new Uint8Array(15), u64(0)),
      fields(ctx, utf8(ORIGIN), nonce, fromHex('FFFFFFFFFFFFFFFF')),
      new Uint8Array(0),
    ];
    for (const bytes of bad) {
      expect(() => decodeAuthenticationMessage(bytes)).toThrow(CryptoError);
      expect(() => decodeAuthenticationMessage(bytes)).toThrow(expect.objectContaining({ code: 'malformed-auth-message' }));
    }
  });

  it('encoding refuses origins that are empty, too long, with controls or lone surrogates, and bad nonces or dates', () => {
    const base = { origin: ORIGIN, challenge: new Uint8Array(16), timestamp: AT };
    for (const change of [
      { origin: '' },
      { origin: 'x'.repeat(1025) },
      { origin: 'https://a.example\n' },
      { origin: 'https://\ud800.example' },
      { origin: 42 as never },
      { challenge: new Uint8Array(15) },
      { challenge: new Uint8Array(1025) },
      { timestamp: new Date(Number.NaN) },
      { timestamp: new Date(-1) },
    ]) {
      expect(() => encodeAuthenticationMessage({ ...base, ...change })).toThrow(InvalidArgumentError);
    }
    expect(encodeAuthenticationMessage({ ...base, origin: 'x'.repeat(1024) })).toHaveLength(23 + 1026 + 18 + 10);
  });
});

describe('authenticate / verifyAuthentication over the virtual card', () => {
  let virtual: VirtualMyNumberCard;
  let card: MyNumberCard;
  let options: (challenge: Uint8Array) => VerifyAuthenticationOptions;

  beforeAll(async () => {
    virtual = await VirtualMyNumberCard.create();
    card = await MyNumberCard.connect(virtual);
    options = (challenge) => ({ at: AT, expectedOrigin: ORIGIN, expectedChallenge: challenge, roots: [virtual.roots.auth, virtual.roots.sign] });
  });
  afterAll(async () => {
    await card.close();
  });

  const login = (challenge: Uint8Array, extra: { origin?: string; now?: Date; hash?: 'SHA-1' } = {}): Promise<JpkiAuthentication> =>
    authenticate(card, { pin: DEFAULT_AUTH_PIN, origin: ORIGIN, challenge, now: AT, ...extra });

  it('the card signs the authentication message, not the nonce; the verifier accepts it', async () => {
    const challenge = createChallenge();
    expect(challenge).toHaveLength(32);
    const result = await login(challenge);
    expect(result.message).toEqual(encodeAuthenticationMessage({ origin: ORIGIN, challenge, timestamp: AT }));
    expect(result.hash).toBe('SHA-256');
    expect(result.certificate).toEqual(virtual.certificates.auth);
    expect(result.signature).toHaveLength(256);
    const verdict = await verifyAuthentication(result, options(challenge));
    expect(verdict.reasons).toEqual([]);
    expect(verdict.valid).toBe(true);
    expect(verdict.message).toEqual({ context: AUTHENTICATION_CONTEXT, origin: ORIGIN, challenge, timestamp: AT });
    expect(verdict.chain.certificate?.kind).toBe('auth');
  });

  it('a raw signature of the bare challenge (the old protocol) is not an authentication', async () => {
    const challenge = createChallenge();
    const signature = await card.jpki.sign('auth', challenge, { pin: DEFAULT_AUTH_PIN });
    const certificate = virtual.certificates.auth;
    const replayed = { certificate, message: challenge, signature, hash: 'SHA-256' as const };
    expect((await verifyAuthentication(replayed, options(challenge))).reasons).toEqual(['malformed-message']);
    // Nor can the raw signature be attached to a well-formed message.
    const message = encodeAuthenticationMessage({ origin: ORIGIN, challenge, timestamp: AT });
    expect((await verifyAuthentication({ ...replayed, message }, options(challenge))).reasons).toEqual(['challenge-signature-invalid']);
  });

  it('wrong origin, wrong nonce, stale or future timestamp, wrong context: each its own reason', async () => {
    const challenge = createChallenge();
    const other = await login(challenge, { origin: 'https://evil.example' });
    expect((await verifyAuthentication(other, options(challenge))).reasons).toEqual(['origin-mismatch']);
    // An origin that differs only in case is another origin (byte comparison).
    expect((await verifyAuthentication(await login(challenge, { origin: 'https://LOGIN.example.jp' }), options(challenge))).reasons).toEqual([
      'origin-mismatch',
    ]);

    const result = await login(challenge);
    expect((await verifyAuthentication(result, options(createChallenge()))).reasons).toEqual(['challenge-mismatch']);

    const window = DEFAULT_TIMESTAMP_WINDOW_MS;
    expect(window).toBe(300_000);
    const edgeOld = await login(challenge, { now: new Date(AT.getTime() - window) });
    expect((await verifyAuthentication(edgeOld, options(challenge))).reasons).toEqual([]);
    const stale = await login(challenge, { now: new Date(AT.getTime() - window - 1) });
    expect((await verifyAuthentication(stale, options(challenge))).reasons).toEqual(['timestamp-too-old']);
    const future = await login(challenge, { now: new Date(AT.getTime() + window + 1) });
    expect((await verifyAuthentication(future, options(challenge))).reasons).toEqual(['timestamp-in-future']);
    // The window is configurable.
    expect((await verifyAuthentication(stale, { ...options(challenge), timestampWindowMs: 600_000 })).reasons).toEqual([]);
    expect((await verifyAuthentication(result, { ...options(challenge), at: new Date(AT.getTime() + 1001), timestampWindowMs: 1000 })).reasons).toEqual([
      'timestamp-too-old',
    ]);

    // Another protocol's (or version's) message, signed raw with the auth key, is refused.
    const foreign = fields(utf8('mynacard-jpki-auth-v2'), utf8(ORIGIN), challenge, u64(AT.getTime()));
    const signature = await card.jpki.sign('auth', foreign, { pin: DEFAULT_AUTH_PIN });
    const forged = { certificate: virtual.certificates.auth, message: foreign, signature, hash: 'SHA-256' as const };
    expect((await verifyAuthentication(forged, options(challenge))).reasons).toEqual(['context-mismatch']);
  });

  it('a tampered signature or message and a certificate of the other kind are refused', async () => {
    const challenge = createChallenge();
    const result = await login(challenge);
    const signature = result.signature.slice();
    signature[0] = signature[0]! ^ 0x80;
    expect((await verifyAuthentication({ ...result, signature }, options(challenge))).reasons).toEqual(['challenge-signature-invalid']);
    const message = result.message.slice();
    message[message.length - 1] = message[message.length - 1]! ^ 1; // 1 ms later: still in the window
    expect((await verifyAuthentication({ ...result, message }, options(challenge))).reasons).toEqual(['challenge-signature-invalid']);
    expect((await verifyAuthentication({ ...result, certificate: virtual.certificates.sign }, options(challenge))).reasons).toEqual([
      'kind-mismatch',
      'challenge-signature-invalid',
    ]);
  });

  it('checks the chain: J-LIS roots do not accept a test card; an expired date is reported', async () => {
    const challenge = createChallenge();
    const late = new Date('2031-01-01T00:00:00Z');
    const result = await login(challenge);
    const { roots: _roots, ...jlis } = options(challenge);
    expect((await verifyAuthentication(result, jlis)).reasons).toEqual(['no-issuer-found']);
    const expired = await login(challenge, { now: late });
    expect((await verifyAuthentication(expired, { ...options(challenge), at: late })).reasons).toEqual(['leaf-expired']);
  });

  it('SHA-1 is refused unless allowed', async () => {
    const challenge = createChallenge();
    const result = await login(challenge, { hash: 'SHA-1' });
    expect((await verifyAuthentication(result, options(challenge))).reasons).toEqual(['sha1-signature']);
    expect((await verifyAuthentication(result, { ...options(challenge), allowSha1: true })).reasons).toEqual([]);
    expect((await verifyAuthentication({ ...result, hash: 'MD5' as never }, options(challenge))).reasons).toEqual(['unsupported-algorithm']);
  });

  it('a wrong PIN costs exactly one try', async () => {
    const before = await card.jpki.remainingTries('auth');
    expect(before).toEqual({ state: 'tries', remaining: 3, max: 3 });
    await expect(authenticate(card, { pin: '0000', origin: ORIGIN, challenge: createChallenge() })).rejects.toMatchObject({ code: 'pin-incorrect' });
    expect(await card.jpki.remainingTries('auth')).toEqual({ state: 'tries', remaining: 2, max: 3 });
    await login(createChallenge());
    expect(await card.jpki.remainingTries('auth')).toEqual(before);
  });
});

describe('authenticate: order of card calls and argument checks', () => {
  const make = async (): Promise<ReturnType<typeof keyCard>> => {
    const pki = await loadTestPki();
    return keyCard({
      auth: { certificate: pki.authLeaf.certificate, jwk: pki.authLeaf.jwk },
      sign: { certificate: pki.signLeaf.certificate, jwk: pki.signLeaf.jwk },
    });
  };

  it('signs first, then reads the certificate; a failed signature reads nothing', async () => {
    const ok = await make();
    await authenticate(ok, { pin: '1234', origin: ORIGIN, challenge: createChallenge() });
    expect(ok.calls).toEqual(['sign:auth', 'read:auth']);
    const wrong = await make();
    await expect(authenticate(wrong, { pin: '9999', origin: ORIGIN, challenge: createChallenge() })).rejects.toThrow('wrong PIN');
    expect(wrong.calls).toEqual(['sign:auth']);
  });

  it('missing or bad origin, challenge, date or hash are argument errors before any card call', async () => {
    const card = await make();
    const challenge = createChallenge();
    for (const bad of [
      { pin: '1234', origin: ORIGIN } as never,
      { pin: '1234', challenge } as never,
      { pin: '1234', origin: '', challenge },
      { pin: '1234', origin: ORIGIN, challenge: new Uint8Array(15) },
      { pin: '1234', origin: ORIGIN, challenge, now: new Date(Number.NaN) },
      { pin: '1234', origin: ORIGIN, challenge, hash: 'MD5' as never },
    ]) {
      await expect(authenticate(card, bad)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    expect(card.calls).toEqual([]);
    const result = await authenticate(card, { pin: '1234', origin: ORIGIN, challenge });
    const good = { at: AT, expectedOrigin: ORIGIN, expectedChallenge: challenge };
    for (const options of [
      { ...good, expectedChallenge: new Uint8Array(8) },
      { at: AT, expectedChallenge: challenge } as never,
      { ...good, expectedOrigin: '' },
      { ...good, timestampWindowMs: -1 },
      { ...good, timestampWindowMs: Number.NaN },
      { expectedOrigin: ORIGIN, expectedChallenge: challenge } as never,
    ]) {
      await expect(verifyAuthentication(result, options)).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    await expect(verifyAuthentication({ ...result, message: 'x' as never }, good)).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
