/**
 * Trust negatives that test/crypto does not already cover (see RELIABILITY.md for the map):
 * every truncation and trailing garbage of every certificate, through both the parser and the
 * chain verifier, and a CMS whose signer certificate was swapped for another certificate.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AsnConvert } from '@peculiar/asn1-schema';
import { CertificateChoices, CertificateSet, ContentInfo, SignedData } from '@peculiar/asn1-cms';
import { Certificate } from '@peculiar/asn1-x509';
import { parseJpkiCertificate, verifyCms, verifyJpkiChain } from '../../src/crypto/index.js';
import { CryptoError } from '../../src/errors.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import { cmsFixture } from './cms-fixture.js';
import { LONG, REAL_CERTIFICATES, SEED, TEST_TIMEOUT } from './support.js';

const AT = new Date('2026-06-01T00:00:00Z');

describe('truncated and trailing-garbage certificates', () => {
  it('every truncation is malformed-certificate (parser: CryptoError; chain: reported)', async () => {
    const vc = await VirtualMyNumberCard.create();
    const certs = [vc.certificates.auth, vc.certificates.sign, vc.roots.auth, ...REAL_CERTIFICATES];
    const stride = LONG ? 1 : 37;
    let cases = 0;
    for (const der of certs) {
      for (let n = 0; n < der.length; n += stride) {
        const cut = der.subarray(0, n);
        expect(() => parseJpkiCertificate(cut)).toThrow(CryptoError);
        expect(await verifyJpkiChain(cut, { at: AT, roots: [vc.roots.auth, vc.roots.sign] })).toEqual({
          valid: false,
          reasons: ['malformed-certificate'],
        });
        cases++;
      }
    }
    expect(cases).toBeGreaterThan(100);
  }, TEST_TIMEOUT);

  it('any trailing bytes after a valid certificate are malformed-certificate', async () => {
    const vc = await VirtualMyNumberCard.create();
    const roots = [vc.roots.auth, vc.roots.sign];
    expect((await verifyJpkiChain(vc.certificates.auth, { at: AT, roots })).valid).toBe(true);
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 300 }), async (tail) => {
        const der = Uint8Array.from([...vc.certificates.auth, ...tail]);
        expect(() => parseJpkiCertificate(der)).toThrow(CryptoError);
        expect(await verifyJpkiChain(der, { at: AT, roots })).toEqual({ valid: false, reasons: ['malformed-certificate'] });
      }),
      { numRuns: LONG ? 20_000 : 200, seed: SEED },
    );
  }, TEST_TIMEOUT);
});

describe('CMS with a swapped certificate', () => {
  /** Replace the embedded certificates of a CMS. */
  function withCertificates(cms: Uint8Array, certificates: readonly Uint8Array[]): Uint8Array {
    const ci = AsnConvert.parse(cms, ContentInfo);
    const sd = AsnConvert.parse(ci.content, SignedData);
    sd.certificates = new CertificateSet(
      certificates.map((der) => new CertificateChoices({ certificate: AsnConvert.parse(der, Certificate) })),
    );
    return new Uint8Array(AsnConvert.serialize(new ContentInfo({ contentType: ci.contentType, content: AsnConvert.serialize(sd) })));
  }

  it('the auth leaf in place of the signer: signer-certificate-missing (it is not the sid)', async () => {
    const f = await cmsFixture();
    const vc = await VirtualMyNumberCard.create();
    expect((await verifyCms(f.attached, { at: f.at, roots: f.roots })).valid).toBe(true);
    const swapped = withCertificates(f.attached, [vc.certificates.auth]);
    const r = await verifyCms(swapped, { at: f.at, roots: [vc.roots.auth, vc.roots.sign] });
    expect(r.valid).toBe(false);
    expect(r.reasons).toEqual(['signer-certificate-missing']);
  });

  it('no certificate at all, or the signer twice: reported, never valid by accident', async () => {
    const f = await cmsFixture();
    const signer = (await VirtualMyNumberCard.create()).certificates.sign;
    expect((await verifyCms(withCertificates(f.attached, []), { at: f.at, roots: f.roots })).reasons).toEqual([
      'signer-certificate-missing',
    ]);
    // The same certificate twice is harmless: the ESS binding and the signature still hold.
    const twice = await verifyCms(withCertificates(f.attached, [signer, signer]), { at: f.at, roots: f.roots });
    expect(twice.reasons).toEqual([]);
  });
});
