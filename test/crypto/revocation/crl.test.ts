/** CRL decoding and crlChecker: partitions by directory-name CRLDP, freshness, deltas, signatures, cache, chain results. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AbortedError, CryptoError } from '../../../src/errors.js';
import { verifyJpkiChain } from '../../../src/crypto/chain.js';
import { parseJpkiCertificate } from '../../../src/crypto/parse.js';
import { crlChecker, parseCrl, type CrlRequest } from '../../../src/crypto/revocation/index.js';
import { issueTestCrl, testTrustAnchors, type IssueTestCrlParams } from '../../../src/testing/index.js';
import { oid, sequence, tlv } from '../../../src/testing/pki-der.js';
import { extension } from '../../../src/testing/pki-x509.js';
import { REAL, vector } from '../helpers.js';
import { AT, fixture, type Fixture } from './fixtures.js';

let f: Fixture;
beforeAll(async () => {
  f = await fixture();
});

const THIS = new Date('2026-05-31T00:00:00Z');
const NEXT = new Date('2026-06-02T00:00:00Z');

function crl(extra: Partial<IssueTestCrlParams> = {}): Promise<Uint8Array> {
  return issueTestCrl({
    issuer: f.authIssuer,
    thisUpdate: THIS,
    nextUpdate: NEXT,
    partition: { purpose: 'auth', prefecture: f.pki.prefecture, municipality: f.pki.municipality },
    ...extra,
  });
}

const REVOKED_AT = new Date('2026-05-30T12:34:56Z');

describe('parseCrl', () => {
  it('decodes every field of a partitioned CRL exactly', async () => {
    const der = await crl({
      crlNumber: 7,
      revoked: [
        { serial: '7E57A001', revokedAt: REVOKED_AT, reason: 'keyCompromise' },
        { serial: '00ABCD', revokedAt: THIS },
      ],
    });
    const parsed = parseCrl(der);
    expect(parsed).toEqual({
      version: 2,
      issuer: f.root.subject,
      thisUpdate: THIS,
      nextUpdate: NEXT,
      signatureAlgorithm: '1.2.840.113549.1.1.11',
      crlNumber: '7',
      authorityKeyIdentifier: f.root.subjectKeyIdentifier,
      issuingDistributionPoint: {
        names: [
          {
            text: 'C=JP, O=JPKI-TEST, OU=JPKI for user authentication, OU=CRL Distribution Points, OU=Akita-ken, CN=Yurihonjo-shi CRLDP',
            attributes: expect.any(Array),
          },
        ],
        onlyUserCertificates: true,
        onlyCaCertificates: false,
        onlySomeReasons: false,
        indirect: false,
        onlyAttributeCertificates: false,
      },
      unsupportedCriticalExtensions: [],
      unsupportedCriticalEntryExtension: false,
      revoked: [
        { serialNumber: '7E57A001', revokedAt: REVOKED_AT, reason: 'keyCompromise' },
        // Hex of the INTEGER contents, as JpkiCertificate.serialNumber (0xAB needs a leading 00).
        { serialNumber: '00ABCD', revokedAt: THIS },
      ],
    });
  });

  it('agrees with openssl crl on the same bytes', async () => {
    const der = await crl({ crlNumber: 7, revoked: [{ serial: '7E57A001', revokedAt: REVOKED_AT, reason: 'superseded' }] });
    const dir = mkdtempSync(join(tmpdir(), 'crl-'));
    try {
      writeFileSync(join(dir, 'c.der'), der);
      const text = execFileSync('openssl', ['crl', '-inform', 'DER', '-in', join(dir, 'c.der'), '-noout', '-text'], { encoding: 'utf8' });
      expect(text).toContain('Serial Number: 7E57A001');
      expect(text).toContain('Superseded');
      expect(text).toContain('May 30 12:34:56 2026 GMT');
      expect(text).toContain('X509v3 CRL Number: \n                7');
      expect(text).toContain('CN = Yurihonjo-shi CRLDP');
      expect(text).toContain('Only User Certificates');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('marks delta CRLs and unknown critical extensions', async () => {
    expect(parseCrl(await crl({ deltaOf: 3 })).deltaBase).toBe('3');
    const odd = parseCrl(await crl({ extraExtensions: [extension('1.2.3.4', true, Uint8Array.of(5, 0))] }));
    expect(odd.unsupportedCriticalExtensions).toEqual(['1.2.3.4']);
  });

  it('reads a v1 CRL; entry extensions need v2 (RFC 5280 §5.1.2.1)', () => {
    const alg = sequence(oid('1.2.840.113549.1.1.11'), Uint8Array.of(5, 0));
    const issuer = sequence(tlv(0x31, sequence(oid('2.5.4.3'), tlv(0x0c, new TextEncoder().encode('CA')))));
    const when = tlv(0x17, new TextEncoder().encode('260531000000Z'));
    const reason = sequence(sequence(oid('2.5.29.21'), tlv(0x04, Uint8Array.of(0x0a, 1, 1))));
    const v1 = (entry: Uint8Array) => sequence(sequence(alg, issuer, when, sequence(entry)), alg, Uint8Array.of(3, 2, 0, 0));
    expect(parseCrl(v1(sequence(Uint8Array.of(2, 1, 5), when)))).toMatchObject({ version: 1, revoked: [{ serialNumber: '05' }] });
    expect(() => parseCrl(v1(sequence(Uint8Array.of(2, 1, 5), when, reason)))).toThrow('entry extensions in a v1 CRL');
  });

  it('rejects malformed input with malformed-crl', async () => {
    const der = await crl();
    for (const bad of [der.subarray(0, der.length - 1), Uint8Array.of(0x30, 0x00), new Uint8Array([...der, 0])]) {
      expect(() => parseCrl(bad)).toThrow(expect.objectContaining({ code: 'malformed-crl' }));
    }
  });
});

describe('crlChecker', () => {
  it('good: a current CRL of the leaf’s municipality partition that does not list it', async () => {
    const checker = crlChecker({ crls: [await crl({ revoked: [{ serial: '01', revokedAt: THIS }] })] });
    expect(await checker.check(f.leaf, f.root, { at: AT })).toEqual({ status: 'good', source: 'crl', thisUpdate: THIS, nextUpdate: NEXT });
  });

  it('revoked: with the revocation date and reason code', async () => {
    const checker = crlChecker({ crls: [await crl({ revoked: [{ serial: '7E57A001', revokedAt: REVOKED_AT, reason: 'keyCompromise' }] })] });
    expect(await checker.check(f.leaf, f.root, { at: AT })).toEqual({
      status: 'revoked',
      revokedAt: REVOKED_AT,
      revocationReason: 'keyCompromise',
      source: 'crl',
      thisUpdate: THIS,
      nextUpdate: NEXT,
    });
  });

  it('another municipality’s partition does not cover the leaf; a full CRL does', async () => {
    const other = await crl({ partition: { purpose: 'auth', prefecture: 'Kanagawa-ken', municipality: 'Yokohama-shi-Naka-ku' }, revoked: [{ serial: '7E57A001', revokedAt: THIS }] });
    expect(await crlChecker({ crls: [other] }).check(f.leaf, f.root, { at: AT })).toEqual({ status: 'unknown', reason: 'crl-not-found', source: 'crl' });
    const full = await issueTestCrl({ issuer: f.authIssuer, thisUpdate: THIS, nextUpdate: NEXT, revoked: [{ serial: '7E57A001', revokedAt: THIS }] });
    expect((await crlChecker({ crls: [other, full] }).check(f.leaf, f.root, { at: AT })).status).toBe('revoked');
  });

  it('a CRL of the other hierarchy (sign root) is not the issuer’s', async () => {
    const sign = await crl({ issuer: f.signIssuer });
    expect((await crlChecker({ crls: [sign] }).check(f.leaf, f.root, { at: AT })).reason).toBe('crl-not-found');
  });

  it('stale and not-yet-valid CRLs give unknown with a reason', async () => {
    const checker = crlChecker({ crls: [await crl()] });
    expect(await checker.check(f.leaf, f.root, { at: new Date('2026-06-03T00:00:00Z') })).toEqual({ status: 'unknown', reason: 'response-stale', source: 'crl' });
    expect((await checker.check(f.leaf, f.root, { at: new Date('2026-05-30T00:00:00Z') })).reason).toBe('response-not-yet-valid');
    // Within the 5-minute skew of nextUpdate it still counts.
    expect((await checker.check(f.leaf, f.root, { at: new Date(NEXT.getTime() + 240_000) })).status).toBe('good');
  });

  it('refuses delta CRLs, unknown critical extensions and bad signatures, each with its reason', async () => {
    const delta = await crl({ deltaOf: 1, revoked: [{ serial: '7E57A001', revokedAt: THIS }] });
    expect((await crlChecker({ crls: [delta] }).check(f.leaf, f.root, { at: AT })).reason).toBe('crl-delta-unsupported');
    const critical = await crl({ extraExtensions: [extension('1.2.3.4', true, Uint8Array.of(5, 0))] });
    expect((await crlChecker({ crls: [critical] }).check(f.leaf, f.root, { at: AT })).reason).toBe('crl-unsupported-critical-extension');
    // The auth root's name and AKI, the sign root's key.
    const forged = await crl({ issuer: { certificate: f.pki.authRoot.certificate, privateKey: f.pki.signRoot.privateKey } });
    expect((await crlChecker({ crls: [forged] }).check(f.leaf, f.root, { at: AT })).reason).toBe('crl-signature-invalid');
    // A valid CRL next to the refused ones decides.
    expect((await crlChecker({ crls: [delta, critical, forged, await crl()] }).check(f.leaf, f.root, { at: AT })).status).toBe('good');
  });

  it('the newest current CRL decides', async () => {
    const older = await crl({ thisUpdate: new Date('2026-05-30T00:00:00Z'), crlNumber: 1 });
    const newer = await crl({ crlNumber: 2, revoked: [{ serial: '7E57A001', revokedAt: REVOKED_AT, reason: 'affiliationChanged' }] });
    const result = await crlChecker({ crls: [newer, older] }).check(f.leaf, f.root, { at: AT });
    expect(result).toMatchObject({ status: 'revoked', revocationReason: 'affiliationChanged', thisUpdate: THIS });
  });

  it('a malformed CRL in the static list is a typed error at construction', () => {
    expect(() => crlChecker({ crls: [Uint8Array.of(1, 2, 3)] })).toThrow(CryptoError);
    expect(() => crlChecker({ crls: [Uint8Array.of(1, 2, 3)] })).toThrow(expect.objectContaining({ code: 'malformed-crl' }));
  });

  it('a loader is asked with the real certificate’s directory-name CRLDP', async () => {
    const requests: CrlRequest[] = [];
    const real = parseJpkiCertificate(vector(REAL.auth2020mw));
    const checker = crlChecker({
      crls: async (request) => {
        requests.push(request);
        return [];
      },
    });
    expect(await checker.check(real, f.root, { at: AT })).toEqual({ status: 'unknown', reason: 'crl-not-found', source: 'crl' });
    expect(requests.map((r) => r.distributionPoints.map((d) => d.text))).toEqual([
      ['C=JP, O=JPKI, OU=JPKI for user authentication, OU=CRL Distribution Points, OU=Kanagawa-ken, CN=Yokohama-shi-Naka-ku CRLDP'],
    ]);
  });

  it('loader results are cached until nextUpdate, then loaded again', async () => {
    let calls = 0;
    const current = await crl();
    const checker = crlChecker({
      crls: async () => {
        calls++;
        return [current];
      },
    });
    expect((await checker.check(f.leaf, f.root, { at: AT })).status).toBe('good');
    expect((await checker.check(f.leaf, f.root, { at: new Date(AT.getTime() + 3_600_000) })).status).toBe('good');
    expect(calls).toBe(1);
    expect((await checker.check(f.leaf, f.root, { at: new Date('2026-06-03T00:00:00Z') })).reason).toBe('response-stale');
    expect(calls).toBe(2);
  });

  it('a failing loader gives crl-unavailable, a malformed answer crl-malformed; an abort is thrown', async () => {
    const failing = crlChecker({ crls: async () => Promise.reject(new Error('secret details')) });
    expect(await failing.check(f.leaf, f.root, { at: AT })).toEqual({ status: 'unknown', reason: 'crl-unavailable', source: 'crl' });
    const junk = crlChecker({ crls: async () => [Uint8Array.of(0x30, 0x01, 0x00)] });
    expect(await junk.check(f.leaf, f.root, { at: AT })).toEqual({ status: 'unknown', reason: 'crl-malformed', source: 'crl' });
    const controller = new AbortController();
    controller.abort();
    await expect(crlChecker({ crls: [await crl()] }).check(f.leaf, f.root, { at: AT, signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('verifyJpkiChain with a revocation checker', () => {
  const roots = testTrustAnchors();

  it('a revoked leaf is invalid and its outcome is reported', async () => {
    const revocation = crlChecker({ crls: [await crl({ revoked: [{ serial: '7E57A001', revokedAt: REVOKED_AT, reason: 'keyCompromise' }] })] });
    const result = await verifyJpkiChain(f.pki.authLeaf.certificate, { at: AT, roots, revocation });
    expect(result.valid).toBe(false);
    expect(result.reasons).toEqual(['certificate-revoked']);
    expect(result.revocation).toEqual([
      {
        position: 'leaf',
        serialNumber: '7E57A001',
        status: 'revoked',
        revokedAt: REVOKED_AT,
        revocationReason: 'keyCompromise',
        source: 'crl',
        thisUpdate: THIS,
        nextUpdate: NEXT,
      },
    ]);
  });

  it('good keeps the chain valid; unknown fails only with requireRevocationStatus', async () => {
    const good = await verifyJpkiChain(f.pki.authLeaf.certificate, { at: AT, roots, revocation: crlChecker({ crls: [await crl()] }) });
    expect(good).toMatchObject({ valid: true, reasons: [], revocation: [{ status: 'good', position: 'leaf' }] });
    const none = crlChecker({ crls: [] });
    const lenient = await verifyJpkiChain(f.pki.authLeaf.certificate, { at: AT, roots, revocation: none });
    expect(lenient).toMatchObject({ valid: true, revocation: [{ status: 'unknown', reason: 'crl-not-found' }] });
    const strict = await verifyJpkiChain(f.pki.authLeaf.certificate, { at: AT, roots, revocation: none, requireRevocationStatus: true });
    expect(strict).toMatchObject({ valid: false, reasons: ['revocation-status-unknown'] });
  });

  it('requireRevocationStatus without a checker is a configuration error; no checker, no revocation field', async () => {
    await expect(verifyJpkiChain(f.pki.authLeaf.certificate, { at: AT, roots, requireRevocationStatus: true })).rejects.toThrow(
      'requireRevocationStatus needs options.revocation',
    );
    expect('revocation' in (await verifyJpkiChain(f.pki.authLeaf.certificate, { at: AT, roots }))).toBe(false);
  });
});

describe('issuingDistributionPoint names that are not DirNames', () => {
  it('a CRL partitioned by a URI only covers no directory-name CRLDP', async () => {
    const uri = tlv(0x86, new TextEncoder().encode('http://crl.test/a.crl'));
    const uriOnly = extension('2.5.29.28', true, sequence(tlv(0xa0, tlv(0xa0, uri))));
    const der = await issueTestCrl({ issuer: f.authIssuer, thisUpdate: THIS, nextUpdate: NEXT, extraExtensions: [uriOnly] });
    expect(parseCrl(der).issuingDistributionPoint).toMatchObject({ names: [], onlyUserCertificates: false });
    expect(await crlChecker({ crls: [der] }).check(f.leaf, f.root, { at: AT })).toEqual({ status: 'unknown', reason: 'crl-not-found', source: 'crl' });
  });
});
