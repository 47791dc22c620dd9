import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

import { JPKI_ROOTS, jpkiRootCertificate, jpkiRootCertificates } from '../../src/crypto/jpki-roots.js';

const DIR = join(import.meta.dirname, '../vectors/jlis-roots');

/**
 * Expected values: serial, validity and SHA-256 as in test/vectors/jlis-roots/README.md (the SKIs
 * begin as listed in docs/cert-profile.md §1).
 */
const EXPECTED = {
  authca01: {
    file: 'jlis-jpki-auth-root-gen1-2015-authca01.der',
    serial: '01',
    sha256: '4dcfc4ca0aaf9fb2a3081b3f0c991c320b3acc008667a341eeaec5af1d58ca7d',
    notBefore: '2015-10-20T03:08:13Z',
    notAfter: '2025-10-19T14:59:59Z',
    ski: '9567951b5ca70d84a0fff1d85a87f1aab1340385',
  },
  authca02: {
    file: 'jlis-jpki-auth-root-gen2-2019-authca02.der',
    serial: '0133C349',
    sha256: '0d98de47fc11b7f67126874b7028b6026a803d2638d6edfe53176953961fade6',
    notBefore: '2019-09-14T23:41:59Z',
    notAfter: '2029-09-14T14:59:59Z',
    ski: '8cd5586a891485e559379b7e29d410cfd28b3593',
  },
  authca03: {
    file: 'jlis-jpki-auth-root-gen3-2023-authca03.der',
    serial: '06D18006',
    sha256: '64114f29620c24ed2631d46476a040e7ee740d956089c00b036a6a8118c322b5',
    notBefore: '2023-07-16T01:01:04Z',
    notAfter: '2033-07-15T14:59:59Z',
    ski: '1ac100f596a3bc8c4b3df195e32699249e9e308a',
  },
  signca01: {
    file: 'jlis-jpki-sign-root-gen1-2015-signca01.der',
    serial: '01',
    sha256: '19645405a1fe14377434bd55957628ac4038557c542403a2243f21c706fc9355',
    notBefore: '2015-10-20T02:40:28Z',
    notAfter: '2025-10-19T14:59:59Z',
    ski: '0d034cbb34d0714f45e45a1cafd8fd143fab54a7',
  },
  signca02: {
    file: 'jlis-jpki-sign-root-gen2-2019-signca02.der',
    serial: '0132C4AB',
    sha256: '79679c33e4cc9319440f1ad120a597ff1844e2ef217063adb176966fd5e6fbeb',
    notBefore: '2019-09-14T23:41:56Z',
    notAfter: '2029-09-14T14:59:59Z',
    ski: '4de017de4b7f473dcd867a62d38b134ace83558a',
  },
  signca03: {
    file: 'jlis-jpki-sign-root-gen3-2023-signca03.der',
    serial: '067C6A21',
    sha256: 'd227f6cde11d35c5252178f106f843d24651944975413b539fa2fb68dbfa365f',
    notBefore: '2023-07-16T00:50:27Z',
    notAfter: '2033-07-15T14:59:59Z',
    ski: 'd21ea55895617e93adbf966b941ab4edf653f08f',
  },
} as const;

describe('JPKI_ROOTS', () => {
  it('holds the six J-LIS roots in order: auth gen 1–3, then sign gen 1–3', () => {
    expect(JPKI_ROOTS.map((r) => [r.name, r.purpose, r.generation])).toEqual([
      ['authca01', 'auth', 1],
      ['authca02', 'auth', 2],
      ['authca03', 'auth', 3],
      ['signca01', 'sign', 1],
      ['signca02', 'sign', 2],
      ['signca03', 'sign', 3],
    ]);
    expect(Object.isFrozen(JPKI_ROOTS)).toBe(true);
    expect(JPKI_ROOTS.every((r) => Object.isFrozen(r))).toBe(true);
  });

  for (const root of JPKI_ROOTS) {
    describe(root.name, () => {
      const expected = EXPECTED[root.name];
      const der = jpkiRootCertificate(root.name);

      it('embeds the byte-identical vector file, whose SHA-256 is the recorded fingerprint', () => {
        expect(Buffer.from(der).equals(readFileSync(join(DIR, expected.file)))).toBe(true);
        const sha256 = createHash('sha256').update(der).digest('hex');
        expect(sha256).toBe(expected.sha256);
        expect(root.sha256).toBe(expected.sha256);
      });

      it('records the serial, validity and SKI the certificate carries', () => {
        const cert = new X509Certificate(der);
        expect(root.serialNumber).toBe(expected.serial);
        expect(cert.serialNumber.toUpperCase()).toBe(expected.serial);
        expect(root.notBefore).toBe(expected.notBefore);
        expect(root.notAfter).toBe(expected.notAfter);
        expect(new Date(cert.validFrom).toISOString()).toBe(expected.notBefore.replace('Z', '.000Z'));
        expect(new Date(cert.validTo).toISOString()).toBe(expected.notAfter.replace('Z', '.000Z'));
        expect(root.subjectKeyIdentifier).toBe(expected.ski);
      });

      it('is a self-signed CA of the right hierarchy', () => {
        const cert = new X509Certificate(der);
        expect(cert.ca).toBe(true);
        expect(cert.verify(cert.publicKey)).toBe(true);
        expect(cert.subject).toBe(cert.issuer);
        const ou = root.purpose === 'auth' ? 'JPKI for user authentication' : 'JPKI for digital signature';
        expect(cert.subject).toBe(
          `C=JP\nO=JPKI\nOU=${ou}\nOU=Japan Agency for Local Authority Information Systems`,
        );
      });
    });
  }

  it('returns fresh copies, filtered by purpose', () => {
    const auth = jpkiRootCertificates('auth');
    const sign = jpkiRootCertificates('sign');
    expect(auth).toHaveLength(3);
    expect(sign).toHaveLength(3);
    expect(jpkiRootCertificates()).toHaveLength(6);
    for (const der of auth) expect(new X509Certificate(der).subject).toContain('JPKI for user authentication');
    for (const der of sign) expect(new X509Certificate(der).subject).toContain('JPKI for digital signature');
    auth[0]!.fill(0);
    expect(createHash('sha256').update(jpkiRootCertificates('auth')[0]!).digest('hex')).toBe(EXPECTED.authca01.sha256);
  });

  it('verifies the real leaves under the root that issued them (AKI keyid = root SKI)', () => {
    const leaves: [string, 'authca01' | 'authca02'][] = [
      ['real-auth-leaf-2019-issued-by-authca01__my-number-myna.der', 'authca01'],
      ['real-auth-leaf-2020-issued-by-authca02__mynawallet-myna_cert.der', 'authca02'],
      ['real-auth-leaf-2020-issued-by-authca02__siketyan-keychain.der', 'authca02'],
      ['real-auth-leaf-2023-issued-by-authca02__mynawallet-myna_new_cert.der', 'authca02'],
    ];
    for (const [file, issuer] of leaves) {
      const leaf = new X509Certificate(readFileSync(join(import.meta.dirname, '../vectors/real', file)));
      for (const root of JPKI_ROOTS) {
        const ok = leaf.verify(new X509Certificate(jpkiRootCertificate(root.name)).publicKey);
        expect(ok).toBe(root.name === issuer);
      }
    }
  });
});
