/** Shared setup of the revocation tests: the committed test PKI, parsed, and a few issuing shortcuts. */
import { parseJpkiCertificate, type JpkiCertificate } from '../../../src/crypto/parse.js';
import { issueTestAuthLeaf, loadTestPki, type TestPki } from '../../../src/testing/pki.js';
import { TEST_KEY_ALGORITHM } from '../../../src/testing/pki-x509.js';
import type { TestIssuer } from '../../../src/testing/pki-issuer.js';

/** A time inside the validity of every test certificate. */
export const AT = new Date('2026-06-01T00:00:00Z');

export interface Fixture {
  readonly pki: TestPki;
  readonly leaf: JpkiCertificate;
  readonly root: JpkiCertificate;
  readonly signRoot: JpkiCertificate;
  readonly authIssuer: TestIssuer;
  readonly signIssuer: TestIssuer;
}

export async function fixture(): Promise<Fixture> {
  const pki = await loadTestPki();
  return {
    pki,
    leaf: parseJpkiCertificate(pki.authLeaf.certificate),
    root: parseJpkiCertificate(pki.authRoot.certificate),
    signRoot: parseJpkiCertificate(pki.signRoot.certificate),
    authIssuer: { certificate: pki.authRoot.certificate, privateKey: pki.authRoot.privateKey },
    signIssuer: { certificate: pki.signRoot.certificate, privateKey: pki.signRoot.privateKey },
  };
}

/** A fresh RSA-2048 key pair with the test PKI's algorithm. */
export async function newKeys(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(
    { ...TEST_KEY_ALGORITHM, modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1) },
    true,
    ['sign', 'verify'],
  )) as CryptoKeyPair;
}

/** Another auth leaf of the test PKI (same key as the committed one), with its own serial and OCSP URL. */
export async function authLeaf(f: Fixture, serial: string, ocspUrl?: string): Promise<JpkiCertificate> {
  const der = await issueTestAuthLeaf({
    issuer: f.authIssuer,
    publicKey: f.pki.authLeaf.publicKey,
    serial,
    notBefore: f.pki.authLeaf.notBefore,
    notAfter: f.pki.authLeaf.notAfter,
    cn: f.pki.authCn,
    prefecture: f.pki.prefecture,
    municipality: f.pki.municipality,
    ...(ocspUrl === undefined ? {} : { ocspUrl }),
  });
  return parseJpkiCertificate(der);
}
