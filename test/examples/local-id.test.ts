import { createHmac, X509Certificate } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { ASSERTION_LIFETIME_S, identify, main, pseudonym, verifyAssertion } from '../../examples/local-id/index.js';
import { MyNumberCard } from '../../src/aps/index.js';
import { testRoots } from '../../src/cli/certificates.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import { AUTH_PIN, HOLDER_ADDRESS, HOLDER_NAME, MY_NUMBER, NOW, makeIo } from '../cli/helpers.js';

const KEY_HEX = 'a1'.repeat(32);
const KEY = Uint8Array.from(Buffer.from(KEY_HEX, 'hex'));

describe('local-id', () => {
  test('emits an assertion keyed by the certificate, with no personal data', async () => {
    const vc = await VirtualMyNumberCard.create();
    const t = makeIo({ card: vc, env: { MYNACARD_AUTH_PIN: AUTH_PIN, LOCAL_ID_SERVICE_KEY: KEY_HEX } });
    expect(await main(['--simulator', '--audience', 'points.example.lg.jp'], t.io)).toBe(0);
    const { assertion, claims } = JSON.parse(t.stdout.text);
    const subKey = createHmac('sha256', KEY).update('local-id-example/sub').digest();
    // holderPseudonym: HMAC-SHA-256(subkey, domain ‖ 0 ‖ audience ‖ 0 ‖ SubjectPublicKeyInfo)
    const spki = new X509Certificate(vc.certificates.auth).publicKey.export({ type: 'spki', format: 'der' });
    const expectedSub = createHmac('sha256', subKey)
      .update('mynacard-holder-pseudonym/v1\0points.example.lg.jp\0')
      .update(spki)
      .digest('base64url');
    const iat = Math.floor(NOW.getTime() / 1000);
    expect(claims).toEqual({
      iss: 'local-id-example',
      aud: 'points.example.lg.jp',
      sub: expectedSub,
      iat,
      exp: iat + ASSERTION_LIFETIME_S,
      amr: ['jpki-auth'],
      cert: { serialNumber: '7E57A001', notAfter: '2030-01-02T14:59:59.000Z' },
    });
    expect(verifyAssertion(assertion, KEY, { audience: 'points.example.lg.jp', now: NOW })).toEqual(claims);
    const decoded = Buffer.from(assertion.split('.')[1], 'base64url').toString('utf8');
    for (const personal of [HOLDER_NAME, HOLDER_ADDRESS, '1990', MY_NUMBER]) {
      expect(decoded).not.toContain(personal);
      expect(t.stdout.text).not.toContain(personal);
    }
  });

  test('pseudonyms are pairwise: another service key gives another sub', async () => {
    const vc = await VirtualMyNumberCard.create();
    const aud = 'points.example.lg.jp';
    expect(pseudonym(KEY, vc.certificates.auth, aud)).not.toBe(pseudonym(new Uint8Array(32), vc.certificates.auth, aud));
    expect(pseudonym(KEY, vc.certificates.auth, aud)).not.toBe(pseudonym(KEY, vc.certificates.auth, 'library.example.lg.jp'));
    expect(pseudonym(KEY, vc.certificates.auth, aud)).toBe(pseudonym(KEY, vc.certificates.auth.slice(), aud));
  });

  test('assertions are checked: MAC, audience, lifetime', async () => {
    const card = await MyNumberCard.connect(await VirtualMyNumberCard.create());
    const { token } = await identify(card, { pin: AUTH_PIN, serviceKey: KEY, audience: 'a', now: NOW, roots: await testRoots() });
    expect(verifyAssertion(token, KEY, { audience: 'a', now: NOW })).toBeDefined();
    expect(verifyAssertion(token, KEY, { audience: 'b', now: NOW })).toBeUndefined();
    expect(verifyAssertion(token, KEY, { audience: 'a', now: new Date(NOW.getTime() + ASSERTION_LIFETIME_S * 1000) })).toBeUndefined();
    expect(verifyAssertion(token, new Uint8Array(32), { audience: 'a', now: NOW })).toBeUndefined();
    const [h, p, s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), sub: 'someone-else' })).toString('base64url');
    expect(verifyAssertion(`${h}.${forged}.${s}`, KEY, { audience: 'a', now: NOW })).toBeUndefined();
  });

  test('a certificate that does not chain to the roots gives no assertion (exit 8)', async () => {
    const card = await MyNumberCard.connect(await VirtualMyNumberCard.create());
    await expect(identify(card, { pin: AUTH_PIN, serviceKey: KEY, audience: 'a', now: NOW })).rejects.toMatchObject({
      code: 'authentication-failed',
      exitCode: 8,
    });
    const expired = await MyNumberCard.connect(await VirtualMyNumberCard.create());
    await expect(
      identify(expired, { pin: AUTH_PIN, serviceKey: KEY, audience: 'a', now: new Date('2030-06-01T00:00:00Z'), roots: await testRoots() }),
    ).rejects.toThrow('Authentication failed: leaf-expired');
  });

  test('missing service key: exit 2 before the card is touched', async () => {
    const t = makeIo({ env: { MYNACARD_AUTH_PIN: AUTH_PIN } });
    expect(await main(['--simulator'], t.io)).toBe(2);
    expect(t.stderr.text).toBe('Error: Set LOCAL_ID_SERVICE_KEY to the service key (64 hex digits)\n');
    expect(t.card()).toBeUndefined();
  });
});
