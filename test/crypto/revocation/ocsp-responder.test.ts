/**
 * ocspChecker against a real OCSP responder: `openssl ocsp` on 127.0.0.1 with the test PKI
 * (good, revoked with reason and time, unknown, stale, delegated and unauthorised responders,
 * a replayed nonce, a responder that is down or silent). No other network access.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyJpkiChain } from '../../../src/crypto/chain.js';
import { ocspChecker } from '../../../src/crypto/revocation/index.js';
import type { JpkiCertificate } from '../../../src/crypto/parse.js';
import { issueTestOcspResponder, testTrustAnchors } from '../../../src/testing/index.js';
import { authLeaf, fixture, newKeys, type Fixture } from './fixtures.js';
import { indexLine, pem, startResponder, writeKey, type Responder } from './openssl-responder.js';

let f: Fixture;
let dir: string;
const responders: Responder[] = [];
const servers: Server[] = [];
let main: Responder;
let delegated: Responder;
let notDelegated: Responder;
let foreign: Responder;
let good: JpkiCertificate;
let revoked: JpkiCertificate;
let unknownLeaf: JpkiCertificate;
const REVOKED_AT = new Date('2026-05-30T12:34:56Z');

beforeAll(async () => {
  f = await fixture();
  dir = mkdtempSync(join(tmpdir(), 'mynacard-ocsp-'));
  writeFileSync(join(dir, 'ca.pem'), pem('CERTIFICATE', f.pki.authRoot.certificate));
  await writeKey(join(dir, 'ca.key'), f.pki.authRoot.privateKey);
  // ca.pem doubles as the issuer-signed responder's certificate.
  writeFileSync(join(dir, 'index.txt'), indexLine('7E57A001') + indexLine('7E57A002', { at: REVOKED_AT, reason: 'keyCompromise' }));
  // Delegated responders: one with id-kp-OCSPSigning, one without.
  const validity = { notBefore: new Date('2026-01-01T00:00:00Z'), notAfter: new Date('2027-12-31T14:59:59Z') };
  for (const [name, ocspSigning] of [['delegated', true], ['plain', false]] as const) {
    const keys = await newKeys();
    const der = await issueTestOcspResponder({ issuer: f.authIssuer, publicKey: keys.publicKey, serial: ocspSigning ? '0C01' : '0C02', cn: `OCSP ${name}`, ocspSigning, ...validity });
    writeFileSync(join(dir, `${name}.pem`), pem('CERTIFICATE', der));
    await writeKey(join(dir, `${name}.key`), keys.privateKey);
  }
  // A responder whose key has nothing to do with the issuer.
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'foreign.key'), '-out', join(dir, 'foreign.pem'), '-subj', '/C=JP/O=JPKI-TEST/CN=Impostor', '-days', '2'], { stdio: 'ignore' });
  const base = { index: 'index.txt', ca: 'ca.pem', extra: ['-nmin', '60'] };
  // One at a time, each registered for afterAll as soon as it runs (nothing is left behind if one fails).
  const start = async (signer: string): Promise<Responder> => {
    const responder = await startResponder(dir, { ...base, signer: `${signer}.pem`, key: `${signer}.key` });
    responders.push(responder);
    return responder;
  };
  main = await start('ca');
  delegated = await start('delegated');
  notDelegated = await start('plain');
  foreign = await start('foreign');
  // The leaves' AIA names the main responder.
  good = await authLeaf(f, '7E57A001', main.url);
  revoked = await authLeaf(f, '7E57A002', main.url);
  unknownLeaf = await authLeaf(f, '7E57A003', main.url);
}, 60_000);

afterAll(async () => {
  await Promise.all(responders.map((r) => r.stop()));
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** The responder's clock is now: so is `at`. */
const now = (): Date => new Date();

describe('ocspChecker with openssl ocsp on 127.0.0.1', () => {
  it('good, from the URL in the certificate’s AIA, with a nonce', async () => {
    expect(good.ocspUrl).toBe(main.url);
    const result = await ocspChecker({ nonce: true }).check(good, f.root, { at: now() });
    expect(result).toMatchObject({ status: 'good', source: 'ocsp', url: main.url, cached: false });
    expect(result.nextUpdate!.getTime() - result.thisUpdate!.getTime()).toBe(3_600_000);
  });

  it('revoked, with the reason and time of the index', async () => {
    const result = await ocspChecker().check(revoked, f.root, { at: now() });
    expect(result).toMatchObject({ status: 'revoked', revokedAt: REVOKED_AT, revocationReason: 'keyCompromise', source: 'ocsp' });
  });

  it('unknown: a serial the responder does not know', async () => {
    expect(await ocspChecker().check(unknownLeaf, f.root, { at: now() })).toEqual({ status: 'unknown', reason: 'ocsp-status-unknown', source: 'ocsp', url: main.url });
  });

  it('stale: the response’s nextUpdate is before `at`', async () => {
    const later = new Date(Date.now() + 2 * 3_600_000);
    expect((await ocspChecker().check(good, f.root, { at: later })).reason).toBe('response-stale');
  });

  it('a delegated responder with id-kp-OCSPSigning is accepted; one without it, or a foreign key, is not', async () => {
    expect((await ocspChecker({ url: delegated.url }).check(revoked, f.root, { at: now() })).status).toBe('revoked');
    const plain = await ocspChecker({ url: notDelegated.url }).check(good, f.root, { at: now() });
    expect(plain).toMatchObject({ status: 'unknown', reason: 'ocsp-responder-unauthorized' });
    const impostor = await ocspChecker({ url: foreign.url }).check(good, f.root, { at: now() });
    expect(impostor).toMatchObject({ status: 'unknown', reason: 'ocsp-responder-unauthorized' });
  });

  it('a replayed response (an old nonce) is refused', async () => {
    // A relay on 127.0.0.1 that forwards the first request and answers every later one with it.
    let recorded: Uint8Array | undefined;
    const relay = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (c: Buffer) => chunks.push(c));
      request.on('end', async () => {
        if (recorded === undefined) {
          const upstream = await fetch(main.url, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: Buffer.concat(chunks) });
          recorded = new Uint8Array(await upstream.arrayBuffer());
        }
        response.writeHead(200, { 'content-type': 'application/ocsp-response' }).end(recorded);
      });
    });
    servers.push(relay);
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(relay.address() as AddressInfo).port}`;
    expect((await ocspChecker({ url, nonce: true }).check(good, f.root, { at: now() })).status).toBe('good');
    expect(await ocspChecker({ url, nonce: true }).check(good, f.root, { at: now() })).toEqual({
      status: 'unknown',
      reason: 'ocsp-nonce-mismatch',
      source: 'ocsp',
      url,
    });
    // Without asking for a nonce the same (still current) response is accepted.
    expect((await ocspChecker({ url }).check(good, f.root, { at: now() })).status).toBe('good');
  });

  it('responder down: connection refused is unknown, quickly', async () => {
    const stopped = await startResponder(dir, { index: 'index.txt', ca: 'ca.pem', signer: 'ca.pem', key: 'ca.key' });
    responders.push(stopped);
    await stopped.stop();
    await expect(new Promise((resolve, reject) => connect(stopped.port, '127.0.0.1').once('connect', resolve).once('error', reject))).rejects.toThrow('ECONNREFUSED');
    const started = performance.now();
    const result = await ocspChecker({ url: stopped.url, timeoutMs: 5_000 }).check(good, f.root, { at: now() });
    expect(result).toEqual({ status: 'unknown', reason: 'ocsp-unreachable', source: 'ocsp', url: stopped.url });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('a responder that never answers is cut off at timeoutMs', async () => {
    const silent = createServer(() => undefined);
    servers.push(silent);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    const result = await ocspChecker({ url, timeoutMs: 200 }).check(good, f.root, { at: now() });
    expect(result).toEqual({ status: 'unknown', reason: 'ocsp-timeout', source: 'ocsp', url });
    silent.closeAllConnections();
  });

  it('verifyJpkiChain reports the OCSP outcome and refuses the revoked leaf', async () => {
    const revocation = ocspChecker();
    const roots = testTrustAnchors();
    const ok = await verifyJpkiChain(good.der, { at: now(), roots, revocation, requireRevocationStatus: true });
    expect(ok).toMatchObject({ valid: true, revocation: [{ position: 'leaf', serialNumber: '7E57A001', status: 'good', source: 'ocsp' }] });
    const bad = await verifyJpkiChain(revoked.der, { at: now(), roots, revocation });
    expect(bad).toMatchObject({ valid: false, reasons: ['certificate-revoked'], revocation: [{ status: 'revoked', revocationReason: 'keyCompromise' }] });
  });
});
