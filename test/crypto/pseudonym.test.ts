import { describe, expect, it } from 'vitest';
import { createHmac, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CryptoError, InvalidArgumentError } from '../../src/errors.js';
import { holderPseudonym, MIN_PSEUDONYM_KEY_LENGTH } from '../../src/crypto/pseudonym.js';

const REAL = new URL('../vectors/real/', import.meta.url);
const cert2019 = new Uint8Array(readFileSync(new URL('real-auth-leaf-2019-issued-by-authca01__my-number-myna.der', REAL)));
const cert2023 = new Uint8Array(readFileSync(new URL('real-auth-leaf-2023-issued-by-authca02__mynawallet-myna_new_cert.der', REAL)));
const KEY = Uint8Array.from({ length: 32 }, (_, i) => i);
const RP = 'https://points.example.lg.jp';

/** The documented construction, computed independently with node:crypto. */
function reference(certificate: Uint8Array, key: Uint8Array, relyingParty: string): string {
  const spki = new X509Certificate(certificate).publicKey.export({ type: 'spki', format: 'der' });
  return createHmac('sha256', key)
    .update('mynacard-holder-pseudonym/v1')
    .update(Uint8Array.of(0))
    .update(relyingParty, 'utf8')
    .update(Uint8Array.of(0))
    .update(spki)
    .digest('base64url');
}

describe('holderPseudonym', () => {
  it('is HMAC-SHA-256 over the domain, the relying party and the SubjectPublicKeyInfo', () => {
    const value = holderPseudonym(cert2019, { key: KEY, relyingParty: RP });
    expect(value).toBe(reference(cert2019, KEY, RP));
    expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(holderPseudonym(cert2023, { key: KEY, relyingParty: '地域ポイント' })).toBe(reference(cert2023, KEY, '地域ポイント'));
  });

  it('is stable for a certificate and differs per relying party, per key and per certificate key', () => {
    const base = holderPseudonym(cert2019, { key: KEY, relyingParty: RP });
    expect(holderPseudonym(cert2019.slice(), { key: KEY.slice(), relyingParty: RP })).toBe(base);
    expect(holderPseudonym(cert2019, { key: KEY, relyingParty: 'https://other.example.jp' })).not.toBe(base);
    expect(holderPseudonym(cert2019, { key: new Uint8Array(32), relyingParty: RP })).not.toBe(base);
    expect(holderPseudonym(cert2023, { key: KEY, relyingParty: RP })).not.toBe(base);
  });

  it('refuses a short key, a bad relying party and a non-certificate', () => {
    expect(MIN_PSEUDONYM_KEY_LENGTH).toBe(32);
    expect(() => holderPseudonym(cert2019, { key: new Uint8Array(31), relyingParty: RP })).toThrow(InvalidArgumentError);
    expect(() => holderPseudonym(cert2019, { key: 'k' as unknown as Uint8Array, relyingParty: RP })).toThrow(InvalidArgumentError);
    for (const relyingParty of ['', 'a\0b', 'x'.repeat(1025), 42 as unknown as string]) {
      expect(() => holderPseudonym(cert2019, { key: KEY, relyingParty })).toThrow(InvalidArgumentError);
    }
    expect(holderPseudonym(cert2019, { key: KEY, relyingParty: 'x'.repeat(1024) })).toBe(reference(cert2019, KEY, 'x'.repeat(1024)));
    expect(() => holderPseudonym(new Uint8Array(65_537), { key: KEY, relyingParty: RP })).toThrow(InvalidArgumentError);
    expect(() => holderPseudonym(Uint8Array.of(0x30, 0x00), { key: KEY, relyingParty: RP })).toThrow(CryptoError);
  });
});
