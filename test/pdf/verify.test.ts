/**
 * verifyPdf: SDK signatures verify with exact facts; the attack corpus made here (appended
 * content, an unsigned second /Sig, ByteRange gap and overlap, a shadowed object, an xref that
 * re-points into the signed revision, a CMS for other content, a certificate outside its
 * validity, a non-JPKI signer) is rejected with its reason code, none crashing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { PDFArray, PDFDocument, PDFName, PDFRef } from 'pdf-lib';
import { MAX_SIGNATURE_FIELDS, signPdf, verifyPdf, type PdfSigner } from '../../src/pdf/index.js';
import { loadTestPki, type TestPki } from '../../src/testing/pki.js';
import { ext, freshKeys, issue } from '../crypto/helpers.js';
import { appendUpdate, lastTrailer, makePdf, patch, signaturesOf, text } from './helpers.js';

const AT = new Date('2026-06-01T00:00:00Z');
const SIGNING_TIME = new Date('2026-05-31T09:30:00Z');

function keySigner(certificate: Uint8Array, privateKey: CryptoKey): PdfSigner {
  return { certificate, sign: async (data) => new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', privateKey, Uint8Array.from(data))) };
}

describe('verifyPdf', () => {
  let pki: TestPki;
  let signer: PdfSigner;
  let roots: Uint8Array[];
  let original: Uint8Array;
  let signed: Uint8Array;
  let twice: Uint8Array;

  beforeAll(async () => {
    pki = await loadTestPki();
    signer = keySigner(pki.signLeaf.certificate, pki.signLeaf.privateKey);
    roots = [pki.signRoot.certificate];
    original = await makePdf({ objectStreams: false });
    signed = await signPdf(original, { signer, signingTime: SIGNING_TIME });
    twice = await signPdf(signed, { signer, profile: 'pades-b-b', signingTime: SIGNING_TIME });
  });

  it('one signature: valid, with the ByteRange facts, the signer and 基本4情報', async () => {
    const result = await verifyPdf(signed, { at: AT, roots });
    expect(result.reasons).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.signatures).toHaveLength(1);
    const [sig] = result.signatures;
    expect(sig!.reasons).toEqual([]);
    expect(sig).toMatchObject({
      field: 'Signature1',
      valid: true,
      subFilter: 'adbe.pkcs7.detached',
      revisionEnd: signed.length,
      coversWholeFile: true,
      laterRevisions: 'none',
      changedObjects: [],
      name: pki.holder.name,
      signingTime: SIGNING_TIME,
      registryProfile: true,
    });
    expect(sig!.byteRange).toEqual(signaturesOf(signed)[0]!.range);
    expect(sig!.person).toMatchObject({ name: pki.holder.name, address: pki.holder.address, sex: pki.holder.sex });
    expect(sig!.person!.birthDate.date).toBe(pki.holder.birthDate);
    expect(sig!.signer!.kind).toBe('sign');
    expect(sig!.signer!.keyUsage).toContain('nonRepudiation');
    expect(sig!.signer!.subjectKeyIdentifier ?? sig!.signer!.authorityKeyIdentifier?.keyIdentifier).toBeDefined();
    expect(sig!.cms!.valid).toBe(true);
    expect(sig!.cms!.content).toBeUndefined();
  });

  it('two signatures: both valid; the first covers its revision, later ones only add a signature', async () => {
    const result = await verifyPdf(twice, { at: AT, roots });
    expect(result.valid).toBe(true);
    const [first, second] = result.signatures;
    expect(first).toMatchObject({ field: 'Signature1', valid: true, coversWholeFile: false, laterRevisions: 'signatures-only', revisionEnd: signed.length });
    expect(first!.changedObjects.length).toBeGreaterThan(0);
    expect(second).toMatchObject({ field: 'Signature2', valid: true, coversWholeFile: true, laterRevisions: 'none', subFilter: 'ETSI.CAdES.detached' });
    // The registry refuses updates after a signature and ETSI SubFilters: neither is in its form.
    expect([first!.registryProfile, second!.registryProfile]).toEqual([false, false]);
    // Also over object streams.
    const streams = await makePdf({ objectStreams: true });
    const s2 = await signPdf(await signPdf(streams, { signer, signingTime: SIGNING_TIME }), { signer, signingTime: SIGNING_TIME });
    const r2 = await verifyPdf(s2, { at: AT, roots });
    expect(r2.signatures.map((s) => [s.field, s.valid, s.laterRevisions])).toEqual([
      ['Signature1', true, 'signatures-only'],
      ['Signature2', true, 'none'],
    ]);
  });

  it('an unsigned PDF, a damaged one and an encrypted-looking one are reported, not thrown', async () => {
    expect(await verifyPdf(original, { at: AT, roots })).toEqual({ valid: false, reasons: ['no-signatures'], signatures: [] });
    expect(await verifyPdf(new Uint8Array(10), { at: AT, roots })).toEqual({ valid: false, reasons: ['document-malformed'], signatures: [] });
    await expect(verifyPdf(signed, { at: new Date(NaN), roots })).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  describe('attack corpus', () => {
    const reasonsOf = async (bytes: Uint8Array): Promise<string[][]> =>
      (await verifyPdf(bytes, { at: AT, roots })).signatures.map((s) => [...s.reasons]);

    it('content appended after signing (no revision) → appended-unknown-data', async () => {
      const attacked = Buffer.concat([signed, Buffer.from('\n4 0 obj\n<< /Length 0 >>\nstream\n\nendstream\nendobj\n', 'latin1')]);
      const result = await verifyPdf(attacked, { at: AT, roots });
      expect(result.valid).toBe(false);
      expect(result.signatures[0]!.reasons).toEqual(['appended-unknown-data']);
      expect(result.signatures[0]!.coversWholeFile).toBe(false);
    });

    it('a shadowed object (the page content redefined in an update) → changed-after-signing', async () => {
      const doc = await PDFDocument.load(original);
      const entry = doc.getPage(0).node.get(PDFName.of('Contents'));
      const ref = entry instanceof PDFArray ? entry.get(0) : entry;
      const number = ref instanceof PDFRef ? ref.objectNumber : -1;
      expect(number).toBeGreaterThan(0);
      const stream = 'BT /F1 40 Tf 50 700 Td (FORGED) Tj ET';
      const attacked = appendUpdate(signed, [{ number, body: `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream` }]);
      const result = await verifyPdf(attacked, { at: AT, roots });
      expect(result.valid).toBe(false);
      expect(result.signatures[0]).toMatchObject({ reasons: ['changed-after-signing'], laterRevisions: 'content-changed', changedObjects: [number] });
    });

    it('an annotation overlaid in a later revision (page /Annots gains a FreeText) → changed-after-signing', async () => {
      const doc = await PDFDocument.load(signed);
      const pageRef = doc.getPage(0).ref;
      const page = doc.getPage(0).node;
      const annots = page.lookup(PDFName.of('Annots'), PDFArray);
      const { size } = lastTrailer(signed);
      const existing = annots.asArray().map((r) => r.toString()).join(' ');
      const pageBody = page.toString().replace(/\/Annots \[[^\]]*\]/, `/Annots [${existing} ${size} 0 R]`);
      const attacked = appendUpdate(signed, [
        { number: size, body: '<< /Type /Annot /Subtype /FreeText /Rect [50 700 400 760] /Contents (PAID IN FULL) /DA (/Helv 24 Tf 0 g) >>' },
        { number: pageRef.objectNumber, body: pageBody },
      ]);
      expect(text(attacked)).toContain(`${size} 0 R]`);
      const result = await verifyPdf(attacked, { at: AT, roots });
      expect(result.signatures[0]).toMatchObject({ reasons: ['changed-after-signing'], laterRevisions: 'content-changed', changedObjects: [pageRef.objectNumber] });
    });

    it('a later xref that re-points an object into the signed revision → xref-points-into-signed-revision', async () => {
      const { root } = lastTrailer(signed);
      const catalogNumber = Number(root.split(' ')[0]);
      const infoAt = text(signed).indexOf('1 0 obj');
      const attacked = appendUpdate(signed, [], [{ number: catalogNumber, offset: infoAt }]);
      const [reasons] = await reasonsOf(attacked);
      expect(reasons).toContain('xref-points-into-signed-revision');
      expect(reasons).toContain('changed-after-signing');
    });

    it('a second /Sig that is unsigned (zero Contents) → signature-empty; the first stays valid', async () => {
      const [, second] = signaturesOf(twice);
      const hexLength = (second!.range[2]! - second!.range[1]!) - 2;
      const attacked = Uint8Array.from(twice);
      attacked.set(Buffer.from('0'.repeat(hexLength), 'latin1'), second!.contentsAt + 1);
      const result = await verifyPdf(attacked, { at: AT, roots });
      expect(result.valid).toBe(false);
      expect(result.signatures.map((s) => s.reasons)).toEqual([[], ['signature-empty']]);
    });

    it('a signature field without a value → unsigned-field', async () => {
      const { size } = lastTrailer(signed);
      const attacked = appendUpdate(signed, [{ number: size, body: '<< /FT /Sig /T (Empty) /Rect [0 0 0 0] /Subtype /Widget >>' }]);
      const result = await verifyPdf(attacked, { at: AT, roots });
      expect(result.valid).toBe(false);
      const empty = result.signatures.find((s) => s.field === 'Empty');
      expect(empty?.reasons).toEqual(['unsigned-field']);
    });

    it('ByteRange with a gap, overlapping the Contents, not from 0 → its reason code', async () => {
      const [sig] = signaturesOf(signed);
      const [a, b, c, d] = sig!.range as [number, number, number, number];
      const old = text(signed).match(/\/ByteRange (\[[^\]]*\])/)![1]!;
      const rewrite = (r: number[]): Uint8Array => patch(signed, old, `[${r.join(' ')}`.padEnd(old.length - 1, ' ') + ']');
      expect((await reasonsOf(rewrite([a, b - 20, c, d])))[0]).toEqual(expect.arrayContaining(['byte-range-gap', 'message-digest-mismatch']));
      expect((await reasonsOf(rewrite([a, c + 10, c, d])))[0]).toEqual(expect.arrayContaining(['byte-range-overlap']));
      expect((await reasonsOf(rewrite([10, b - 10, c, d])))[0]).toEqual(expect.arrayContaining(['byte-range-not-from-start']));
      expect((await reasonsOf(rewrite([a, b, c, d - 30])))[0]).toEqual(expect.arrayContaining(['byte-range-not-revision-end']));
      expect((await reasonsOf(rewrite([a, b, c, d + 30])))[0]).toEqual(['byte-range-malformed']);
    });

    it('a CMS for other content → message-digest-mismatch', async () => {
      const other = await signPdf(await makePdf({ objectStreams: false, text: 'Another form' }), { signer, signingTime: SIGNING_TIME });
      const [mine] = signaturesOf(signed);
      const [theirs] = signaturesOf(other);
      const attacked = Uint8Array.from(signed);
      const hex = Buffer.from(theirs!.cms).toString('hex').toUpperCase();
      attacked.set(Buffer.from(hex, 'latin1'), mine!.contentsAt + 1);
      expect((await reasonsOf(attacked))[0]).toEqual(['message-digest-mismatch']);
    });

    it('a certificate outside its validity at signing time → signing-time-outside-validity; at a later at → leaf-expired', async () => {
      const before = new Date(pki.signLeaf.notBefore.getTime() - 86_400_000);
      const early = await signPdf(original, { signer, signingTime: before });
      expect((await reasonsOf(early))[0]).toEqual(['signing-time-outside-validity']);
      const late = new Date(pki.signLeaf.notAfter.getTime() + 86_400_000);
      const result = await verifyPdf(signed, { at: late, roots });
      expect(result.signatures[0]!.reasons).toContain('leaf-expired');
    });

    it('a non-JPKI signer → rejected by the chain checks', async () => {
      const keys = await freshKeys();
      const certificate = await issue({ issuer: 'CN=Someone', subject: 'CN=Someone', publicKey: keys.publicKey, signingKey: keys.privateKey, extensions: [ext.keyUsage(['digitalSignature', 'nonRepudiation'])] });
      const bytes = await signPdf(original, { signer: keySigner(certificate, keys.privateKey), signingTime: SIGNING_TIME, name: 'Someone' });
      const result = await verifyPdf(bytes, { at: AT, roots });
      expect(result.valid).toBe(false);
      expect(result.signatures[0]!.reasons).toEqual(['policy-mismatch', 'leaf-self-signed', 'no-issuer-found']);
      expect(result.signatures[0]!.cms!.reasons.length).toBeGreaterThan(0);
    });

    it('more signature fields than MAX_SIGNATURE_FIELDS → too-many-signature-fields, nothing else parsed', async () => {
      const { size } = lastTrailer(signed);
      const objects = Array.from({ length: MAX_SIGNATURE_FIELDS }, (_, i) => ({ number: size + i, body: `<< /FT /Sig /T (F${i}) >>` }));
      expect(await verifyPdf(appendUpdate(signed, objects), { at: AT, roots })).toEqual({ valid: false, reasons: ['too-many-signature-fields'], signatures: [] });
      const fewer = await verifyPdf(appendUpdate(signed, objects.slice(1)), { at: AT, roots });
      expect(fewer.signatures).toHaveLength(MAX_SIGNATURE_FIELDS);
    });

    it('no attack crashes: every truncation and byte flip of a signed PDF gives a result', async () => {
      for (let cut = signed.length - 1; cut > 0; cut -= 997) {
        const result = await verifyPdf(signed.subarray(0, cut), { at: AT, roots });
        expect(result.valid).toBe(false);
      }
      for (let i = 0; i < signed.length; i += 211) {
        const flipped = Uint8Array.from(signed);
        flipped[i] = flipped[i]! ^ 0x55;
        const result = await verifyPdf(flipped, { at: AT, roots });
        expect(typeof result.valid).toBe('boolean');
        if (i < signaturesOf(signed)[0]!.range[1]!) expect(result.valid).toBe(false);
      }
    });
  });
});
