/**
 * PAdES B-T: a signature timestamp from a local RFC 3161 TSA (openssl ts on 127.0.0.1), verified
 * before it is embedded and again by verifyPdf; pdfsig, qpdf and openssl accept the result.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPdf, verifyPdf, type PdfSigner } from '../../src/pdf/index.js';
import { timestampRequest } from '../../src/crypto/timestamp.js';
import { cmsLayout } from '../../src/crypto/cms-layout.js';
import { loadTestPki, type TestPki } from '../../src/testing/pki.js';
import { pemFile, put, tempDir } from '../crypto/helpers.js';
import { covered, makePdf, run, signaturesOf } from './helpers.js';
import { startLocalTsa, type LocalTsa } from './local-tsa.js';

const AT = new Date('2026-06-01T00:00:00Z');

describe('pades-b-t with a local TSA', () => {
  let tsa: LocalTsa;
  let pki: TestPki;
  let signer: PdfSigner;
  const tmp = tempDir();

  beforeAll(async () => {
    tsa = await startLocalTsa();
    pki = await loadTestPki();
    signer = {
      certificate: pki.signLeaf.certificate,
      sign: async (data) => new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', pki.signLeaf.privateKey, Uint8Array.from(data))),
    };
  }, 60_000);
  afterAll(async () => {
    await tsa.stop();
    tmp.cleanup();
  });

  it('embeds a verified token over the signature; verifyPdf reports genTime; external tools accept it', async () => {
    const before = Date.now();
    const signed = await signPdf(await makePdf({ objectStreams: true }), { signer, profile: 'pades-b-t', timestamp: { url: tsa.url, roots: [tsa.root] } });
    expect(tsa.queries).toHaveLength(1);
    const [sig] = signaturesOf(signed);
    const info = cmsLayout(sig!.cms, 'der').signerInfo!;
    expect(info.unsignedAttrs?.children).toHaveLength(1);

    const result = await verifyPdf(signed, { at: AT, roots: [pki.signRoot.certificate], tsaRoots: [tsa.root] });
    expect(result.signatures[0]!.reasons).toEqual([]);
    expect(result.valid).toBe(true);
    const ts = result.signatures[0]!.timestamp!;
    expect(ts.valid).toBe(true);
    expect(ts.genTime!.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 - 1000);
    expect(ts.genTime!.getTime()).toBeLessThanOrEqual(Date.now() + 1000);
    expect(result.signatures[0]!.signingTime).toEqual(ts.genTime);

    // Without the TSA's trust anchor: untrusted.
    const untrusted = await verifyPdf(signed, { at: AT, roots: [pki.signRoot.certificate] });
    expect(untrusted.signatures[0]!.reasons).toEqual(['timestamp-untrusted']);

    const path = put(tmp.dir, 'bt.pdf', signed);
    expect(run('qpdf', ['--check', path]).status).toBe(0);
    const pdfsig = run('pdfsig', [path]).output;
    expect(pdfsig).toContain('Signature Type: ETSI.CAdES.detached');
    expect(pdfsig).toContain('Signature Validation: Signature is Valid.');
    const root = pemFile(tmp.dir, 'root', pki.signRoot.certificate);
    const ok = run('openssl', ['cms', '-verify', '-inform', 'DER', '-in', put(tmp.dir, 'bt.p7s', sig!.cms), '-content', put(tmp.dir, 'bt.bin', covered(signed, sig!.range)),
      '-binary', '-CAfile', root, '-attime', String(AT.getTime() / 1000), '-out', '/dev/null']);
    expect(ok.output).toContain('Verification successful');
    // openssl ts checks the embedded token against its own query imprint? Here: the token parses.
    const token = info.unsignedAttrs!.children[0]!.children[1]!.children[0]!.encoded;
    const text = run('openssl', ['ts', '-reply', '-in', put(tmp.dir, 'bt.tst', token), '-token_in', '-text']).output;
    expect(text).toContain('Hash Algorithm: sha256');
  });

  it('a TSA token for other data, or from an untrusted TSA, is refused before embedding', async () => {
    const pdf = await makePdf({ objectStreams: false });
    // A fetch that sends the TSA a query for other data: the answer's imprint does not match.
    const swapped: typeof fetch = async (url, init) =>
      fetch(url, { ...init, body: Uint8Array.from(timestampRequest(new Uint8Array(32).fill(7), Uint8Array.of(1, 2, 3))) });
    await expect(signPdf(pdf, { signer, profile: 'pades-b-t', timestamp: { url: tsa.url, fetch: swapped } })).rejects.toMatchObject({
      name: 'PdfError',
      code: 'pdf-timestamp-failed',
      message: expect.stringContaining('timestamp-imprint-mismatch'),
    });
    await expect(signPdf(pdf, { signer, profile: 'pades-b-t', timestamp: { url: tsa.url, roots: [pki.signRoot.certificate] } })).rejects.toMatchObject({
      code: 'pdf-timestamp-failed',
      message: expect.stringContaining('timestamp-untrusted'),
    });
    const failing: typeof fetch = async () => new Response('no', { status: 503 });
    await expect(signPdf(pdf, { signer, profile: 'pades-b-t', timestamp: { url: tsa.url, fetch: failing } })).rejects.toMatchObject({ code: 'pdf-timestamp-failed' });
    await expect(signPdf(pdf, { signer, profile: 'pades-b-b', timestamp: { url: tsa.url } })).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(signPdf(pdf, { signer, profile: 'pades-b-t' })).rejects.toMatchObject({ code: 'invalid-argument' });
  });
});
