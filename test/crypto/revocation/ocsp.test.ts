/** OCSP request encoding, response decoding and every ocspChecker rule, with an in-process fetch (no network). */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../../src/bytes.js';
import { AbortedError } from '../../../src/errors.js';
import { encodeOcspRequest, ocspChecker, parseOcspResponse, type OcspFetch } from '../../../src/crypto/revocation/index.js';
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate } from '@peculiar/asn1-x509';
import {
  issueTestOcspResponder,
  issueTestOcspResponse,
  type IssueTestOcspResponderParams,
  type IssueTestOcspResponseParams,
  type TestOcspSingleResponse,
} from '../../../src/testing/index.js';
import { AT, fixture, newKeys, type Fixture } from './fixtures.js';

let f: Fixture;
beforeAll(async () => {
  f = await fixture();
});

const THIS = new Date('2026-05-31T23:00:00Z');
const NEXT = new Date('2026-06-01T23:00:00Z');
const REVOKED_AT = new Date('2026-05-30T12:34:56Z');

function single(extra: { [K in keyof TestOcspSingleResponse]?: TestOcspSingleResponse[K] | undefined } = {}): TestOcspSingleResponse {
  const out: Record<string, unknown> = { certificate: f.pki.authLeaf.certificate, status: 'good', thisUpdate: THIS, nextUpdate: NEXT, ...extra };
  for (const key of Object.keys(out)) if (out[key] === undefined) delete out[key];
  return out as unknown as TestOcspSingleResponse;
}

function response(extra: Partial<IssueTestOcspResponseParams> = {}): Promise<Uint8Array> {
  return issueTestOcspResponse({
    issuerCertificate: f.pki.authRoot.certificate,
    signer: f.authIssuer,
    responses: [single()],
    producedAt: THIS,
    ...extra,
  });
}

const sha1 = (bytes: Uint8Array): string => createHash('sha1').update(bytes).digest('hex');

/** A fetch that records requests and answers with `body` (or a function of the request). */
function fake(body: Uint8Array | ((request: Uint8Array) => Promise<Uint8Array>), init: ResponseInit = {}): { fetch: OcspFetch; requests: Uint8Array[] } {
  const requests: Uint8Array[] = [];
  return {
    requests,
    fetch: async (_url, request) => {
      const bytes = new Uint8Array(request.body as Uint8Array);
      requests.push(bytes);
      const answer = typeof body === 'function' ? await body(bytes) : body;
      return new Response(answer.slice(), { status: 200, headers: { 'content-type': 'application/ocsp-response' }, ...init });
    },
  };
}

describe('encodeOcspRequest', () => {
  it('is one CertID with SHA-1 hashes of the issuer name and key, and the serial (independent oracle: @peculiar/asn1-x509)', () => {
    const leaf = AsnConvert.parse(f.pki.authLeaf.certificate, Certificate);
    const root = AsnConvert.parse(f.pki.authRoot.certificate, Certificate);
    const nameHash = sha1(new Uint8Array(AsnConvert.serialize(leaf.tbsCertificate.issuer)));
    const keyHash = sha1(new Uint8Array(root.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey));
    const certId = '303d' + '300906052b0e03021a0500' + '0414' + nameHash + '0414' + keyHash + '02047e57a001';
    // OCSPRequest { TBSRequest { requestList { Request { CertID } } } }
    expect(toHex(encodeOcspRequest(f.leaf, f.root))).toBe('3045' + '3043' + '3041' + '303f' + certId);
  });

  it('adds the nonce as requestExtensions [2], and openssl reads the request back', () => {
    const nonce = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
    const der = encodeOcspRequest(f.leaf, f.root, { nonce });
    const tail = 'a2233021301f06092b0601050507300102041204100102030405060708090a0b0c0d0e0f10';
    expect(toHex(der).endsWith(tail)).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'ocsp-req-'));
    try {
      writeFileSync(join(dir, 'r.der'), der);
      const text = execFileSync('openssl', ['ocsp', '-reqin', join(dir, 'r.der'), '-req_text', '-noverify'], { encoding: 'utf8' });
      expect(text).toContain('Hash Algorithm: sha1');
      expect(text).toContain('Serial Number: 7E57A001');
      expect(text).toMatch(/Request Extensions:\s+OCSP Nonce: \s+04100102030405060708090A0B0C0D0E0F10/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses nonces outside 1–32 bytes', () => {
    expect(() => encodeOcspRequest(f.leaf, f.root, { nonce: new Uint8Array(33) })).toThrow('1 to 32 bytes');
    expect(() => encodeOcspRequest(f.leaf, f.root, { nonce: new Uint8Array(0) })).toThrow('1 to 32 bytes');
  });
});

describe('parseOcspResponse', () => {
  it('decodes every field exactly', async () => {
    const nonce = Uint8Array.of(9, 8, 7);
    const der = await response({ nonce, responses: [single({ status: 'revoked', revokedAt: REVOKED_AT, reason: 'cessationOfOperation' }), single({ status: 'unknown', nextUpdate: undefined })] });
    const leaf = AsnConvert.parse(f.pki.authLeaf.certificate, Certificate);
    const root = AsnConvert.parse(f.pki.authRoot.certificate, Certificate);
    const certId = {
      hash: 'SHA-1',
      issuerNameHash: sha1(new Uint8Array(AsnConvert.serialize(leaf.tbsCertificate.issuer))),
      issuerKeyHash: sha1(new Uint8Array(root.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey)),
      serialNumber: '7E57A001',
    };
    expect(parseOcspResponse(der)).toEqual({
      status: 'successful',
      basic: {
        responderName: f.root.subject,
        producedAt: THIS,
        responses: [
          { certId, status: 'revoked', revokedAt: REVOKED_AT, revocationReason: 'cessationOfOperation', thisUpdate: THIS, nextUpdate: NEXT },
          { certId, status: 'unknown', thisUpdate: THIS },
        ],
        nonce: Uint8Array.of(4, 3, 9, 8, 7),
        signatureAlgorithm: '1.2.840.113549.1.1.11',
        certificates: [],
        unsupportedCriticalExtensions: [],
      },
    });
  });

  it('decodes byKey responder IDs, embedded certificates and unsuccessful statuses', async () => {
    const der = await response({ responderId: 'key', includeSignerCertificate: true });
    const basic = parseOcspResponse(der).basic!;
    expect(basic.responderKeyHash).toBe(sha1(new Uint8Array(AsnConvert.parse(f.pki.authRoot.certificate, Certificate).tbsCertificate.subjectPublicKeyInfo.subjectPublicKey)));
    expect(basic.responderName).toBeUndefined();
    expect(basic.certificates).toEqual([f.pki.authRoot.certificate]);
    expect(parseOcspResponse(await response({ status: 'tryLater' }))).toEqual({ status: 'tryLater' });
    expect(toHex(await response({ status: 'unauthorized' }))).toBe('30030a0106');
  });

  it('rejects malformed input with malformed-ocsp-response', async () => {
    const der = await response();
    for (const bad of [der.subarray(0, 20), Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 0x04), Uint8Array.of(0x30, 0x03, 0x0a, 0x01, 0x00), new Uint8Array([...der, 0])]) {
      expect(() => parseOcspResponse(bad)).toThrow(expect.objectContaining({ code: 'malformed-ocsp-response' }));
    }
  });
});

describe('ocspChecker rules (in-process fetch)', () => {
  const URL = 'http://ocsp.example.test';

  it('good and revoked answers from an issuer-signed response', async () => {
    const { fetch, requests } = fake(await response());
    expect(await ocspChecker({ url: URL, fetch }).check(f.leaf, f.root, { at: AT })).toEqual({
      status: 'good', source: 'ocsp', thisUpdate: THIS, nextUpdate: NEXT, url: URL, cached: false,
    });
    expect(requests.map(toHex)).toEqual([toHex(encodeOcspRequest(f.leaf, f.root))]);
    const revoked = fake(await response({ responses: [single({ status: 'revoked', revokedAt: REVOKED_AT, reason: 'superseded' })] }));
    expect(await ocspChecker({ url: URL, fetch: revoked.fetch }).check(f.leaf, f.root, { at: AT })).toMatchObject({
      status: 'revoked', revokedAt: REVOKED_AT, revocationReason: 'superseded',
    });
  });

  it('uses the AIA URL when none is given; none at all is ocsp-no-url', async () => {
    let asked = '';
    const body = await response();
    const checker = ocspChecker({ fetch: async (url) => ((asked = url), new Response(body.slice(), { headers: { 'content-type': 'application/ocsp-response' } })) });
    expect((await checker.check(f.leaf, f.root, { at: AT })).url).toBe('http://ocspauthnorm.jpki.test');
    expect(asked).toBe('http://ocspauthnorm.jpki.test');
    expect(await ocspChecker().check(f.root, f.root, { at: AT })).toEqual({ status: 'unknown', reason: 'ocsp-no-url', source: 'ocsp' });
  });

  it('a tampered response fails its signature; another key in the issuer’s name is not authorised', async () => {
    const der = await response();
    const tampered = der.slice();
    tampered[tampered.length - 1] = tampered[tampered.length - 1]! ^ 1;
    expect((await ocspChecker({ url: URL, fetch: fake(tampered).fetch }).check(f.leaf, f.root, { at: AT })).reason).toBe('ocsp-signature-invalid');
    const forged = await response({ signer: { certificate: f.pki.authRoot.certificate, privateKey: f.pki.signRoot.privateKey } });
    expect((await ocspChecker({ url: URL, fetch: fake(forged).fetch }).check(f.leaf, f.root, { at: AT })).reason).toBe('ocsp-signature-invalid');
    const otherCa = await response({ signer: f.signIssuer, includeSignerCertificate: true });
    expect((await ocspChecker({ url: URL, fetch: fake(otherCa).fetch }).check(f.leaf, f.root, { at: AT })).reason).toBe('ocsp-responder-unauthorized');
  });

  it('delegated responders: accepted with id-kp-OCSPSigning, a signing key usage and validity at `at`', async () => {
    const keys = await newKeys();
    const responder = (extra: Partial<IssueTestOcspResponderParams> = {}) =>
      issueTestOcspResponder({ issuer: f.authIssuer, publicKey: keys.publicKey, serial: '0D01', cn: 'OCSP', notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2026-12-31T14:59:59Z'), ...extra });
    const answer = async (certificate: Uint8Array, at = AT) => {
      const body = await response({ signer: { certificate, privateKey: keys.privateKey } });
      return ocspChecker({ url: URL, fetch: fake(body).fetch }).check(f.leaf, f.root, { at });
    };
    expect((await answer(await responder())).status).toBe('good');
    expect((await answer(await responder({ ocspSigning: false }))).reason).toBe('ocsp-responder-unauthorized');
    expect((await answer(await responder({ digitalSignature: false }))).reason).toBe('ocsp-responder-unauthorized');
    expect((await answer(await responder({ notBefore: new Date('2026-06-02T00:00:00Z') }))).reason).toBe('ocsp-responder-unauthorized');
    // Issued by the sign root: not the issuer of the leaf.
    expect((await answer(await responder({ issuer: f.signIssuer }))).reason).toBe('ocsp-responder-unauthorized');
  });

  it('a response about another certificate is ocsp-cert-id-mismatch', async () => {
    const other = await response({ responses: [single({ certificate: f.pki.signLeaf.certificate })] });
    expect((await ocspChecker({ url: URL, fetch: fake(other).fetch }).check(f.leaf, f.root, { at: AT })).reason).toBe('ocsp-cert-id-mismatch');
  });

  it('nonce: echoed is good, missing or different is refused', async () => {
    const echo = fake(async (request) => response({ nonce: request.subarray(request.length - 32) }));
    expect((await ocspChecker({ url: URL, fetch: echo.fetch, nonce: true }).check(f.leaf, f.root, { at: AT })).status).toBe('good');
    // 67-byte requestList + [2] { Extensions { Extension { OID(11) + OCTET STRING(OCTET STRING(32)) } } } = 53
    expect(echo.requests[0]!.length).toBe(2 + 2 + 67 + 53);
    expect((await ocspChecker({ url: URL, fetch: fake(await response()).fetch, nonce: true }).check(f.leaf, f.root, { at: AT })).reason).toBe('ocsp-nonce-missing');
    const old = await response({ nonce: new Uint8Array(32).fill(7) });
    expect((await ocspChecker({ url: URL, fetch: fake(old).fetch, nonce: true }).check(f.leaf, f.root, { at: AT })).reason).toBe('ocsp-nonce-mismatch');
  });

  it('HTTP errors, wrong content types, oversized and malformed bodies, unsuccessful statuses', async () => {
    const body = await response();
    const check = async (fetch: OcspFetch, extra = {}) => (await ocspChecker({ url: URL, fetch, ...extra }).check(f.leaf, f.root, { at: AT })).reason;
    expect(await check(fake(body, { status: 500 }).fetch)).toBe('ocsp-http-error');
    expect(await check(fake(body, { headers: { 'content-type': 'text/html' } }).fetch)).toBe('ocsp-http-error');
    expect(await check(fake(body).fetch, { maxResponseBytes: body.length - 1 })).toBe('ocsp-response-too-large');
    expect(await check(fake(body).fetch, { maxResponseBytes: body.length })).toBeUndefined();
    expect(await check(fake(Uint8Array.of(1, 2, 3)).fetch)).toBe('ocsp-malformed-response');
    expect(await check(fake(await response({ status: 'internalError' })).fetch)).toBe('ocsp-unsuccessful');
    expect(await check(async () => Promise.reject(new TypeError('fetch failed')))).toBe('ocsp-unreachable');
  });

  it('times: stale after nextUpdate, not yet valid before thisUpdate, maxAgeMs without nextUpdate', async () => {
    const { fetch } = fake(await response());
    const checker = ocspChecker({ url: URL, fetch, cache: false });
    expect((await checker.check(f.leaf, f.root, { at: new Date(NEXT.getTime() + 300_001) })).reason).toBe('response-stale');
    expect((await checker.check(f.leaf, f.root, { at: new Date(THIS.getTime() - 300_001) })).reason).toBe('response-not-yet-valid');
    const open = fake(await response({ responses: [single({ nextUpdate: undefined })] }));
    const noNext = ocspChecker({ url: URL, fetch: open.fetch, maxAgeMs: 60_000, clockSkewMs: 0 });
    expect((await noNext.check(f.leaf, f.root, { at: new Date(THIS.getTime() + 60_000) })).status).toBe('good');
    expect((await noNext.check(f.leaf, f.root, { at: new Date(THIS.getTime() + 60_001) })).reason).toBe('response-stale');
  });

  it('caches good answers until nextUpdate; cache: false asks every time', async () => {
    const cached = fake(await response());
    const checker = ocspChecker({ url: URL, fetch: cached.fetch });
    const first = await checker.check(f.leaf, f.root, { at: AT });
    expect(first.cached).toBe(false);
    first.nextUpdate!.setTime(0); // a caller scribbling on its result does not reach the cache
    const second = await checker.check(f.leaf, f.root, { at: new Date(AT.getTime() + 60_000) });
    expect(second).toMatchObject({ cached: true, nextUpdate: NEXT });
    expect(cached.requests.length).toBe(1);
    expect((await checker.check(f.leaf, f.root, { at: new Date(NEXT.getTime() + 600_000) })).reason).toBe('response-stale');
    expect(cached.requests.length).toBe(2);
    const uncached = fake(await response());
    const never = ocspChecker({ url: URL, fetch: uncached.fetch, cache: false });
    await never.check(f.leaf, f.root, { at: AT });
    await never.check(f.leaf, f.root, { at: AT });
    expect(uncached.requests.length).toBe(2);
  });

  it('an aborted signal rejects with AbortedError; bad options are InvalidArgumentErrors', async () => {
    const controller = new AbortController();
    const pending = ocspChecker({
      url: URL,
      fetch: (_url, init) => new Promise((_, reject) => init.signal!.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))),
    }).check(f.leaf, f.root, { at: AT, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    expect(() => ocspChecker({ url: 'ftp://x' })).toThrow('http:// or https://');
    expect(() => ocspChecker({ timeoutMs: -1 })).toThrow('timeoutMs');
    await expect(ocspChecker({ url: URL }).check(f.leaf, f.root, { at: new Date(Number.NaN) })).rejects.toThrow('options.at');
  });
});
