/**
 * Revocation evidence signed with ECDSA (the hypothetical gen2 profile): CRLs and OCSP responses
 * of the test PKI signed with the issuer's P-384 (or P-256) key, checked by crlChecker and
 * ocspChecker; tampered and hash-mismatched signatures; openssl as an independent oracle.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { verify, X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { toHex } from '../../../src/bytes.js';
import { parseJpkiCertificate, type JpkiCertificate } from '../../../src/crypto/parse.js';
import { crlChecker, ocspChecker, parseCrl, parseOcspResponse, type OcspFetch } from '../../../src/crypto/revocation/index.js';
import {
  issueGen2HypotheticalPki,
  issueTestAuthLeaf,
  issueTestCrl,
  issueTestOcspResponder,
  issueTestOcspResponse,
  issueTestRoot,
  type Gen2HypotheticalPki,
  type IssueTestCrlParams,
  type IssueTestOcspResponseParams,
  type TestIssuer,
} from '../../../src/testing/index.js';
import { children, contentBytes, elementBytes, readElement, type DerElement } from '../../../src/testing/pki-der.js';
import { TEST_KEY_ALGORITHM } from '../../../src/testing/pki-x509.js';

const AT = new Date('2029-06-01T00:00:00Z');
const THIS = new Date('2029-05-31T00:00:00Z');
const NEXT = new Date('2029-06-02T00:00:00Z');
const REVOKED_AT = new Date('2029-05-30T12:34:56Z');
const OCSP_URL = 'http://ocsp.example.test';
const ECDSA_SHA384 = '1.2.840.10045.4.3.3';
const ECDSA_SHA256 = '1.2.840.10045.4.3.2';

interface Gen2Fixture {
  readonly pki: Gen2HypotheticalPki;
  readonly issuer: TestIssuer;
  readonly leaf: JpkiCertificate;
  readonly root: JpkiCertificate;
}

function gen2Fixture(pki: Gen2HypotheticalPki): Gen2Fixture {
  return {
    pki,
    issuer: { certificate: pki.authRoot.certificate, privateKey: pki.authRoot.privateKey },
    leaf: parseJpkiCertificate(pki.authLeaf.certificate),
    root: parseJpkiCertificate(pki.authRoot.certificate),
  };
}

let p384: Gen2Fixture;
let p256: Gen2Fixture;
beforeAll(async () => {
  p384 = gen2Fixture(await issueGen2HypotheticalPki());
  p256 = gen2Fixture(await issueGen2HypotheticalPki({ curve: 'P-256' }));
});

afterEach(() => {
  vi.restoreAllMocks();
});

function crl(g: Gen2Fixture, extra: Partial<IssueTestCrlParams> = {}): Promise<Uint8Array> {
  return issueTestCrl({
    issuer: g.issuer,
    thisUpdate: THIS,
    nextUpdate: NEXT,
    partition: { purpose: 'auth', prefecture: 'Akita-ken', municipality: 'Yurihonjo-shi' },
    ...extra,
  });
}

/** The signed SEQUENCE of a CRL, or the BasicOCSPResponse inside an OCSPResponse: TBS, algorithm, signature BIT STRING. */
function signedParts(der: Uint8Array): { tbs: DerElement; signature: DerElement } {
  let signed = readElement(der, 0);
  if (children(der, signed)[0]!.tag === 0x0a) {
    const bytes = children(der, children(der, children(der, signed)[1]!)[0]!)[1]!; // [0] → SEQUENCE → OCTET STRING
    signed = children(der, bytes)[0]!;
  }
  const [tbs, , signature] = children(der, signed);
  return { tbs: tbs!, signature: signature! };
}

/** Flip one bit in the last byte of the signature (the end of `s`: still a well-formed DER ECDSA-Sig-Value). */
function tamper(der: Uint8Array): Uint8Array {
  const out = der.slice();
  const at = signedParts(der).signature.end - 1;
  out[at] = out[at]! ^ 0x01;
  return out;
}

describe('issueTestCrl with an ECDSA issuer', () => {
  it('signs with ecdsa-with-SHA384 on P-384 and ecdsa-with-SHA256 on P-256, inside and outside the TBS', async () => {
    const big = parseCrl(await crl(p384));
    expect(big.signatureAlgorithm).toBe(ECDSA_SHA384);
    expect(big.issuer).toEqual(p384.root.subject);
    // Independent check (node:crypto, which takes the DER ECDSA-Sig-Value as is).
    const der = await crl(p384);
    const { tbs, signature } = signedParts(der);
    const bits = contentBytes(der, signature);
    expect(bits[0]).toBe(0); // no unused bits
    const key = new X509Certificate(p384.pki.authRoot.certificate).publicKey;
    expect(verify('sha384', elementBytes(der, tbs), key, bits.subarray(1))).toBe(true);
    expect(verify('sha384', elementBytes(der, tbs), key, contentBytes(tamper(der), signature).subarray(1))).toBe(false);
    expect(parseCrl(await crl(p256)).signatureAlgorithm).toBe(ECDSA_SHA256);
  });

  it('openssl verifies the P-384 CRL with the P-384 root', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mynacard-ecdsa-crl-'));
    try {
      writeFileSync(join(dir, 'crl.der'), await crl(p384, { revoked: [{ serial: '7E5720B1', revokedAt: REVOKED_AT, reason: 'keyCompromise' }] }));
      writeFileSync(join(dir, 'root.der'), p384.pki.authRoot.certificate);
      execFileSync('openssl', ['x509', '-inform', 'DER', '-in', join(dir, 'root.der'), '-out', join(dir, 'root.pem')]);
      const out = execFileSync('openssl', ['crl', '-inform', 'DER', '-in', join(dir, 'crl.der'), '-CAfile', join(dir, 'root.pem'), '-noout', '-text'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      expect(out).toContain('Signature Algorithm: ecdsa-with-SHA384');
      expect(out).toContain('Serial Number: 7E5720B1');
      expect(out).toContain('Key Compromise');
      // openssl crl prints "verify OK" (or "verify failure") on stderr.
      const verified = spawnSync('openssl', ['crl', '-inform', 'DER', '-in', join(dir, 'crl.der'), '-CAfile', join(dir, 'root.pem'), '-noout'], { encoding: 'utf8' });
      expect([verified.status, verified.stderr.trim()]).toEqual([0, 'verify OK']);
      writeFileSync(join(dir, 'tampered.der'), tamper(await crl(p384)));
      const refused = spawnSync('openssl', ['crl', '-inform', 'DER', '-in', join(dir, 'tampered.der'), '-CAfile', join(dir, 'root.pem'), '-noout'], { encoding: 'utf8' });
      expect(refused.stderr).toContain('verify failure');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('crlChecker with an ECDSA (gen2-hypothetical) issuer', () => {
  it('P-384: a listed leaf is revoked with its date and reason', async () => {
    const checker = crlChecker({ crls: [await crl(p384, { revoked: [{ serial: '7E5720B1', revokedAt: REVOKED_AT, reason: 'keyCompromise' }] })] });
    expect(await checker.check(p384.leaf, p384.root, { at: AT })).toEqual({
      status: 'revoked',
      revokedAt: REVOKED_AT,
      revocationReason: 'keyCompromise',
      source: 'crl',
      thisUpdate: THIS,
      nextUpdate: NEXT,
    });
  });

  it('P-384 and P-256: a leaf not listed is good', async () => {
    for (const g of [p384, p256]) {
      const checker = crlChecker({ crls: [await crl(g, { revoked: [{ serial: '01', revokedAt: THIS }] })] });
      expect(await checker.check(g.leaf, g.root, { at: AT })).toEqual({ status: 'good', source: 'crl', thisUpdate: THIS, nextUpdate: NEXT });
    }
  });

  it('a tampered ECDSA signature is crl-signature-invalid; another P-384 key in the issuer’s name too', async () => {
    const revoked = await crl(p384, { revoked: [{ serial: '7E5720B1', revokedAt: REVOKED_AT }] });
    expect(await crlChecker({ crls: [tamper(revoked)] }).check(p384.leaf, p384.root, { at: AT })).toEqual({
      status: 'unknown',
      reason: 'crl-signature-invalid',
      source: 'crl',
    });
    // The P-384 root's name and AKI, the P-384 sign root's key.
    const forged = await crl(p384, { issuer: { certificate: p384.pki.authRoot.certificate, privateKey: p384.pki.signRoot.privateKey } });
    expect((await crlChecker({ crls: [forged] }).check(p384.leaf, p384.root, { at: AT })).reason).toBe('crl-signature-invalid');
  });

  it('an ECDSA signature whose hash does not fit the curve is unsupported-algorithm', async () => {
    // P-384 key, ecdsa-with-SHA256: a valid signature, but not an accepted pairing.
    const mismatched = await crl(p384, { ecdsaHash: 'SHA-256' });
    expect(parseCrl(mismatched).signatureAlgorithm).toBe(ECDSA_SHA256);
    expect(await crlChecker({ crls: [mismatched] }).check(p384.leaf, p384.root, { at: AT })).toEqual({
      status: 'unknown',
      reason: 'unsupported-algorithm',
      source: 'crl',
    });
    const small = await crl(p256, { ecdsaHash: 'SHA-384' });
    expect((await crlChecker({ crls: [small] }).check(p256.leaf, p256.root, { at: AT })).reason).toBe('unsupported-algorithm');
  });
});

/** A fetch that answers every request with `body`. */
function fake(body: Uint8Array): OcspFetch {
  return async () => new Response(body.slice(), { status: 200, headers: { 'content-type': 'application/ocsp-response' } });
}

describe('ocspChecker with ECDSA-signed responses', () => {
  const response = (extra: Partial<IssueTestOcspResponseParams> = {}): Promise<Uint8Array> =>
    issueTestOcspResponse({
      issuerCertificate: p384.pki.authRoot.certificate,
      signer: p384.issuer,
      responses: [{ certificate: p384.pki.authLeaf.certificate, status: 'good', thisUpdate: THIS, nextUpdate: NEXT }],
      producedAt: THIS,
      ...extra,
    });
  const revokedSingle = () =>
    [{ certificate: p384.pki.authLeaf.certificate, status: 'revoked', revokedAt: REVOKED_AT, reason: 'superseded', thisUpdate: THIS, nextUpdate: NEXT }] as const;
  const check = (body: Uint8Array) => ocspChecker({ url: OCSP_URL, fetch: fake(body), cache: false }).check(p384.leaf, p384.root, { at: AT });

  it('issuer-signed (P-384): good, and revoked with time and reason', async () => {
    const good = await response();
    expect(parseOcspResponse(good).basic?.signatureAlgorithm).toBe(ECDSA_SHA384);
    expect(await check(good)).toEqual({ status: 'good', source: 'ocsp', thisUpdate: THIS, nextUpdate: NEXT, url: OCSP_URL, cached: false });
    const revoked = await response({ responses: revokedSingle() });
    expect(await check(revoked)).toEqual({
      status: 'revoked',
      revokedAt: REVOKED_AT,
      revocationReason: 'superseded',
      source: 'ocsp',
      thisUpdate: THIS,
      nextUpdate: NEXT,
      url: OCSP_URL,
      cached: false,
    });
  });

  it('delegated responder: a P-384 responder certificate issued by the P-384 root signs good and revoked', async () => {
    const keys = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const responder = await issueTestOcspResponder({
      issuer: p384.issuer,
      publicKey: keys.publicKey,
      serial: '0D02',
      cn: 'OCSP P-384',
      notBefore: new Date('2029-01-01T00:00:00Z'),
      notAfter: new Date('2029-12-31T14:59:59Z'),
    });
    const signer = { certificate: responder, privateKey: keys.privateKey };
    const good = await response({ signer });
    const parsed = parseOcspResponse(good).basic!;
    expect(parsed.signatureAlgorithm).toBe(ECDSA_SHA384);
    expect(parsed.certificates.map(toHex)).toEqual([toHex(responder)]);
    expect(await check(good)).toMatchObject({ status: 'good', thisUpdate: THIS, nextUpdate: NEXT });
    const revoked = await response({ signer, responderId: 'key', responses: revokedSingle() });
    expect(await check(revoked)).toMatchObject({ status: 'revoked', revokedAt: REVOKED_AT, revocationReason: 'superseded' });
    // A tampered response signed by the delegated responder.
    expect(await check(tamper(good))).toEqual({ status: 'unknown', reason: 'ocsp-signature-invalid', source: 'ocsp', url: OCSP_URL });
  });

  it('a tampered ECDSA signature is ocsp-signature-invalid', async () => {
    const good = await response();
    expect(await check(tamper(good))).toEqual({ status: 'unknown', reason: 'ocsp-signature-invalid', source: 'ocsp', url: OCSP_URL });
  });

  it('an ECDSA signature whose hash does not fit the curve is unsupported-algorithm', async () => {
    const mismatched = await response({ ecdsaHash: 'SHA-256' });
    expect(parseOcspResponse(mismatched).basic?.signatureAlgorithm).toBe(ECDSA_SHA256);
    expect(await check(mismatched)).toEqual({ status: 'unknown', reason: 'unsupported-algorithm', source: 'ocsp', url: OCSP_URL });
  });
});

describe('an RSA key the platform’s WebCrypto refuses', () => {
  // Browsers refuse some RSA keys Node accepts (Chrome: modulus outside 256–16384 bits, or an
  // exponent other than 3 / 65537). Such evidence is not verifiable here: unsupported-algorithm,
  // not a signature that failed.
  it('gives unsupported-algorithm for a CRL and an OCSP response, not a signature failure', async () => {
    const keys = (await crypto.subtle.generateKey(
      { ...TEST_KEY_ALGORITHM, modulusLength: 2048, publicExponent: Uint8Array.of(1, 0, 1) },
      true,
      ['sign', 'verify'],
    )) as CryptoKeyPair;
    const rootDer = await issueTestRoot({
      purpose: 'auth',
      keys,
      serial: '7E57FFA1',
      notBefore: new Date('2025-04-01T00:00:00Z'),
      notAfter: new Date('2040-03-31T14:59:59Z'),
    });
    const issuer = { certificate: rootDer, privateKey: keys.privateKey };
    const leafDer = await issueTestAuthLeaf({
      issuer,
      publicKey: keys.publicKey,
      serial: '7E57FFB1',
      notBefore: new Date('2025-04-01T01:23:45Z'),
      notAfter: new Date('2030-03-31T14:59:59Z'),
      cn: 'JPKITEST0REFUSEDKEY0001',
      prefecture: 'Akita-ken',
      municipality: 'Yurihonjo-shi',
    });
    const root = parseJpkiCertificate(rootDer);
    const leaf = parseJpkiCertificate(leafDer);
    const at = new Date('2026-06-01T00:00:00Z');
    const crlDer = await issueTestCrl({ issuer, thisUpdate: new Date('2026-05-31T00:00:00Z'), nextUpdate: new Date('2026-06-02T00:00:00Z') });
    const ocspDer = await issueTestOcspResponse({
      issuerCertificate: rootDer,
      signer: issuer,
      responses: [{ certificate: leafDer, status: 'good', thisUpdate: new Date('2026-05-31T23:00:00Z') }],
      producedAt: new Date('2026-05-31T23:00:00Z'),
    });
    const subtle = globalThis.crypto.subtle;
    const realImport = subtle.importKey.bind(subtle);
    const refused: string[] = [];
    vi.spyOn(subtle, 'importKey').mockImplementation(((format: KeyFormat, data: BufferSource, algorithm: RsaHashedImportParams) => {
      if (format === 'spki' && algorithm.name === 'RSASSA-PKCS1-v1_5') {
        refused.push(algorithm.name);
        return Promise.reject(new DOMException('The key is not supported', 'NotSupportedError'));
      }
      return realImport(format as 'spki', data, algorithm, false, ['verify']);
    }) as typeof subtle.importKey);
    expect(await crlChecker({ crls: [crlDer] }).check(leaf, root, { at })).toEqual({ status: 'unknown', reason: 'unsupported-algorithm', source: 'crl' });
    expect(await ocspChecker({ url: OCSP_URL, fetch: fake(ocspDer), cache: false }).check(leaf, root, { at })).toEqual({
      status: 'unknown',
      reason: 'unsupported-algorithm',
      source: 'ocsp',
      url: OCSP_URL,
    });
    expect(refused.length).toBeGreaterThan(0);
  });
});
