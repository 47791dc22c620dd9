import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { authenticate, verifyAuthentication } from '../../src/crypto/authenticate.js';
import { MyNumberCard } from '../../src/aps/card.js';
import { DEFAULT_AUTH_PIN, VirtualMyNumberCard } from '../../src/testing/index.js';
import { loadTestPki } from '../../src/testing/pki.js';
import { keyCard } from './helpers.js';

const AT = new Date('2026-06-01T00:00:00Z');

describe('authenticate / verifyAuthentication over the virtual card', () => {
  let virtual: VirtualMyNumberCard;
  let card: MyNumberCard;

  beforeAll(async () => {
    virtual = await VirtualMyNumberCard.create();
    card = await MyNumberCard.connect(virtual);
  });
  afterAll(async () => {
    await card.close();
  });

  it('a server nonce signed on the card verifies (chain + signature + challenge)', async () => {
    const challenge = crypto.getRandomValues(new Uint8Array(32));
    const result = await authenticate(card, { pin: DEFAULT_AUTH_PIN, challenge });
    expect(result.challenge).toEqual(challenge);
    expect(result.hash).toBe('SHA-256');
    expect(result.certificate).toEqual(virtual.certificates.auth);
    expect(result.signature).toHaveLength(256);
    const verdict = await verifyAuthentication(result, { at: AT, expectedChallenge: challenge, roots: [virtual.roots.auth] });
    expect(verdict.reasons).toEqual([]);
    expect(verdict.valid).toBe(true);
    expect(verdict.chain.certificate?.kind).toBe('auth');
    expect(verdict.chain.certificate?.subject.text).toMatch(/^C=JP, CN=/);
  });

  it('generates a fresh 32-byte challenge when none is given', async () => {
    const a = await authenticate(card, { pin: DEFAULT_AUTH_PIN });
    const b = await authenticate(card, { pin: DEFAULT_AUTH_PIN });
    expect(a.challenge).toHaveLength(32);
    expect(a.challenge).not.toEqual(b.challenge);
    expect((await verifyAuthentication(a, { at: AT, expectedChallenge: a.challenge, roots: [virtual.roots.auth] })).valid).toBe(true);
  });

  it('rejects a replayed/other challenge, a tampered signature and a certificate of the other kind', async () => {
    const roots = [virtual.roots.auth, virtual.roots.sign];
    const result = await authenticate(card, { pin: DEFAULT_AUTH_PIN });
    const other = crypto.getRandomValues(new Uint8Array(32));
    expect((await verifyAuthentication(result, { at: AT, expectedChallenge: other, roots })).reasons).toEqual(['challenge-mismatch']);
    const signature = result.signature.slice();
    signature[0] = signature[0]! ^ 0x80;
    expect((await verifyAuthentication({ ...result, signature }, { at: AT, expectedChallenge: result.challenge, roots })).reasons).toEqual([
      'challenge-signature-invalid',
    ]);
    const withSignCert = { ...result, certificate: virtual.certificates.sign };
    expect((await verifyAuthentication(withSignCert, { at: AT, expectedChallenge: result.challenge, roots })).reasons).toEqual([
      'kind-mismatch',
      'challenge-signature-invalid',
    ]);
  });

  it('checks the chain: J-LIS roots do not accept a test card; an expired date is reported', async () => {
    const result = await authenticate(card, { pin: DEFAULT_AUTH_PIN });
    const options = { expectedChallenge: result.challenge };
    expect((await verifyAuthentication(result, { ...options, at: AT })).reasons).toEqual(['no-issuer-found']);
    expect((await verifyAuthentication(result, { ...options, at: new Date('2031-01-01T00:00:00Z'), roots: [virtual.roots.auth] })).reasons).toEqual([
      'leaf-expired',
    ]);
  });

  it('SHA-1 is refused unless allowed', async () => {
    const result = await authenticate(card, { pin: DEFAULT_AUTH_PIN, hash: 'SHA-1' });
    const options = { at: AT, expectedChallenge: result.challenge, roots: [virtual.roots.auth] };
    expect((await verifyAuthentication(result, options)).reasons).toEqual(['sha1-signature']);
    expect((await verifyAuthentication(result, { ...options, allowSha1: true })).reasons).toEqual([]);
    expect((await verifyAuthentication({ ...result, hash: 'MD5' as never }, options)).reasons).toEqual(['unsupported-algorithm']);
  });

  it('a wrong PIN costs exactly one try', async () => {
    const before = await card.jpki.remainingTries('auth');
    await expect(authenticate(card, { pin: '0000' })).rejects.toMatchObject({ code: 'pin-incorrect' });
    expect(await card.jpki.remainingTries('auth')).toBe(before - 1);
    await authenticate(card, { pin: DEFAULT_AUTH_PIN });
    expect(await card.jpki.remainingTries('auth')).toBe(before);
  });
});

describe('authenticate: order of card calls and argument checks', () => {
  it('signs first, then reads the certificate; a failed signature reads nothing', async () => {
    const pki = await loadTestPki();
    const make = (): ReturnType<typeof keyCard> =>
      keyCard({
        auth: { certificate: pki.authLeaf.certificate, jwk: pki.authLeaf.jwk },
        sign: { certificate: pki.signLeaf.certificate, jwk: pki.signLeaf.jwk },
      });
    const ok = make();
    await authenticate(ok, { pin: '1234' });
    expect(ok.calls).toEqual(['sign:auth', 'read:auth']);
    const wrong = make();
    await expect(authenticate(wrong, { pin: '9999' })).rejects.toThrow('wrong PIN');
    expect(wrong.calls).toEqual(['sign:auth']);
  });

  it('short challenges and bad inputs are argument errors', async () => {
    const pki = await loadTestPki();
    const card = keyCard({
      auth: { certificate: pki.authLeaf.certificate, jwk: pki.authLeaf.jwk },
      sign: { certificate: pki.signLeaf.certificate, jwk: pki.signLeaf.jwk },
    });
    await expect(authenticate(card, { pin: '1234', challenge: new Uint8Array(15) })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(authenticate(card, { pin: '1234', hash: 'MD5' as never })).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(card.calls).toEqual([]);
    const result = await authenticate(card, { pin: '1234' });
    await expect(verifyAuthentication(result, { at: AT, expectedChallenge: new Uint8Array(8) })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(verifyAuthentication({ ...result, signature: 'x' as never }, { at: AT, expectedChallenge: result.challenge })).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    await expect(verifyAuthentication(result, { expectedChallenge: result.challenge } as never)).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});
