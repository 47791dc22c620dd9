/**
 * signPdf with the virtual card: incremental updates over classic and stream cross-references,
 * two signers, both profiles; checked by pdfsig (poppler), qpdf --check and openssl cms -verify.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { PDFDocument } from 'pdf-lib';
import { MyNumberCard } from '../../src/aps/card.js';
import { signPdf, verifyPdf, PdfError, type PdfProfile } from '../../src/pdf/index.js';
import { DEFAULT_SIGN_PASSWORD, VirtualMyNumberCard } from '../../src/testing/index.js';
import { cmsLayout } from '../../src/crypto/cms-layout.js';
import { signedAttributesOf } from '../../src/crypto/cms-layout.js';
import { pemFile, put, tempDir } from '../crypto/helpers.js';
import { covered, makePdf, run, signaturesOf, text } from './helpers.js';

const SIGNING_TIME = new Date('2026-05-31T09:30:00Z');
const ATTIME = String(Math.floor(new Date('2026-06-01T00:00:00Z').getTime() / 1000));
const OID_SIGNING_TIME = '1.2.840.113549.1.9.5';
const OID_ESS_V2 = '1.2.840.113549.1.9.16.2.47';

describe('signPdf with the virtual card, checked by pdfsig, qpdf and openssl', () => {
  let virtual: VirtualMyNumberCard;
  let card: MyNumberCard;
  let rootPem: string;
  const tmp = tempDir();

  beforeAll(async () => {
    virtual = await VirtualMyNumberCard.create();
    card = await MyNumberCard.connect(virtual);
    rootPem = pemFile(tmp.dir, 'sign-root', virtual.roots.sign);
  });
  afterAll(async () => {
    await card.close();
    tmp.cleanup();
  });

  function externalChecks(signed: Uint8Array, name: string, expected: readonly { subFilter: string; total: boolean }[]): void {
    const path = put(tmp.dir, `${name}.pdf`, signed);
    const qpdf = run('qpdf', ['--check', path]);
    expect(qpdf.output).toContain('No syntax or stream encoding errors found');
    expect(qpdf.status).toBe(0);
    const pdfsig = run('pdfsig', [path]);
    const blocks = pdfsig.output.split(/Signature #\d+:/).slice(1);
    expect(blocks).toHaveLength(expected.length);
    blocks.forEach((block, i) => {
      expect(block).toContain('Signature Validation: Signature is Valid.');
      expect(block).toContain(`Signature Type: ${expected[i]!.subFilter}`);
      expect(block).toContain('Signer Certificate Common Name: 2025040110234500001TEST05210');
      expect(block).toContain(expected[i]!.total ? 'Total document signed' : 'Not total document signed');
    });
    // openssl verifies each CMS over exactly the bytes its ByteRange covers.
    signaturesOf(signed).forEach((sig, i) => {
      const cmsPath = put(tmp.dir, `${name}-${i}.p7s`, sig.cms);
      const contentPath = put(tmp.dir, `${name}-${i}.bin`, covered(signed, sig.range));
      const ok = run('openssl', ['cms', '-verify', '-inform', 'DER', '-in', cmsPath, '-content', contentPath, '-binary', '-CAfile', rootPem, '-attime', ATTIME, '-out', '/dev/null']);
      expect(ok.output).toContain('Verification successful');
      expect(ok.status).toBe(0);
    });
  }

  for (const objectStreams of [false, true]) {
    const form = objectStreams ? 'xref and object streams' : 'a classic xref table';
    it(`registry profile over ${form}: the original bytes kept, ByteRange = all but Contents, /Name and /M set`, async () => {
      const original = await makePdf({ objectStreams });
      const signed = await signPdf(original, { card, pin: DEFAULT_SIGN_PASSWORD, signingTime: SIGNING_TIME });
      expect(signed.subarray(0, original.length)).toEqual(original);
      const update = text(signed.subarray(original.length));
      // The update's cross-reference has the form of the file's last section.
      expect(update.includes('\nxref\n')).toBe(!objectStreams);
      expect(update.includes('/Type /XRef')).toBe(objectStreams);
      expect(update).toMatch(/\/Prev \d+/);
      expect(update).toContain('/SubFilter /adbe.pkcs7.detached');
      expect(update).toContain('/M (D:20260531093000Z)');
      // 氏名 of the virtual card's holder, as a UTF-16BE text string.
      const nameHex = update.match(/\/Name <FEFF([0-9A-F]+)>/)![1]!;
      expect(Buffer.from(nameHex, 'hex').swap16().toString('utf16le')).toBe(virtual.holder.name);
      const [sig] = signaturesOf(signed);
      const { range, contentsAt } = sig!;
      expect(range[0]).toBe(0);
      expect(range[1]).toBe(contentsAt);
      expect(signed[range[2]! - 1]).toBe(0x3e);
      expect(range[2]! + range[3]!).toBe(signed.length);
      // SHA-256, signingTime present (registry), signing certificate embedded.
      const layout = cmsLayout(sig!.cms, 'der');
      expect(layout.signerInfo!.digestAlgorithm).toBe('2.16.840.1.101.3.4.2.1');
      expect(layout.certificates).toHaveLength(1);
      expect([...signedAttributesOf(layout.signerInfo!.signedAttrs!)!.values.keys()]).toContain(OID_SIGNING_TIME);
      expect(layout.eContent).toBeUndefined();
      externalChecks(signed, `registry-${objectStreams}`, [{ subFilter: 'adbe.pkcs7.detached', total: true }]);
      // pdf-lib still reads it, with the field in the AcroForm.
      const reread = await PDFDocument.load(signed);
      expect(reread.getForm().getFields().map((f) => f.getName())).toEqual(['Signature1']);
    });

    it(`pades-b-b over ${form}, then a second signer: both stay valid`, async () => {
      const original = await makePdf({ objectStreams, pages: 2 });
      const first = await signPdf(original, { card, pin: DEFAULT_SIGN_PASSWORD, profile: 'pades-b-b', signingTime: SIGNING_TIME });
      const second = await signPdf(first, { card, pin: DEFAULT_SIGN_PASSWORD, profile: 'registry', signingTime: SIGNING_TIME });
      expect(second.subarray(0, first.length)).toEqual(first);
      const sigs = signaturesOf(second);
      expect(sigs.map((s) => s.range[2]! + s.range[3]!)).toEqual([first.length, second.length]);
      const attrs = signedAttributesOf(cmsLayout(sigs[0]!.cms, 'der').signerInfo!.signedAttrs!)!;
      expect(attrs.derOrder).toBe(true);
      expect(attrs.values.has(OID_ESS_V2)).toBe(true);
      expect(attrs.values.has(OID_SIGNING_TIME)).toBe(false); // PAdES: the time is /M
      externalChecks(second, `two-${objectStreams}`, [
        { subFilter: 'ETSI.CAdES.detached', total: false },
        { subFilter: 'adbe.pkcs7.detached', total: true },
      ]);
      const reread = await PDFDocument.load(second);
      expect(reread.getForm().getFields().map((f) => f.getName())).toEqual(['Signature1', 'Signature2']);
    });
  }

  for (const [name, qpdfArgs] of [
    ['qpdf object streams (xref stream with the PNG Up predictor)', ['--object-streams=generate']],
    ['a linearized file (first-page xref whose /Prev points forward)', ['--linearize']],
    ['a linearized file with object streams', ['--linearize', '--object-streams=generate']],
  ] as const) {
    it(`${name}: signed twice, both valid for verifyPdf, pdfsig and qpdf`, async () => {
      const plain = put(tmp.dir, 'plain.pdf', await makePdf({ objectStreams: false, pages: 3 }));
      const rewritten = `${tmp.dir}/rewritten.pdf`;
      expect(run('qpdf', [...qpdfArgs, plain, rewritten]).status).toBe(0);
      const original = new Uint8Array(readFileSync(rewritten));
      const first = await signPdf(original, { card, pin: DEFAULT_SIGN_PASSWORD, signingTime: SIGNING_TIME });
      const second = await signPdf(first, { card, pin: DEFAULT_SIGN_PASSWORD, profile: 'pades-b-b', signingTime: SIGNING_TIME });
      expect(second.subarray(0, original.length)).toEqual(original);
      const result = await verifyPdf(second, { at: new Date('2026-06-01T00:00:00Z'), roots: [virtual.roots.sign] });
      expect(result.signatures.map((s) => [s.field, s.reasons, s.laterRevisions])).toEqual([
        ['Signature1', [], 'signatures-only'],
        ['Signature2', [], 'none'],
      ]);
      externalChecks(second, name.replace(/\W+/g, '-'), [
        { subFilter: 'adbe.pkcs7.detached', total: false },
        { subFilter: 'ETSI.CAdES.detached', total: true },
      ]);
    });
  }

  it('a visible box on page 2 with the signer name: pdftotext reads it; pdfsig, qpdf and verifyPdf accept it', async () => {
    const original = await makePdf({ objectStreams: true, pages: 3 });
    const signed = await signPdf(original, { card, pin: DEFAULT_SIGN_PASSWORD, signingTime: SIGNING_TIME, visible: { page: 1, rect: [300, 60, 560, 110] } });
    const twice = await signPdf(signed, { card, pin: DEFAULT_SIGN_PASSWORD, signingTime: SIGNING_TIME });
    const path = put(tmp.dir, 'visible.pdf', twice);
    const page2 = run('pdftotext', ['-f', '2', '-l', '2', path, '-']).output;
    // pdftotext prints the ideographic space (U+3000) of the name as a plain space.
    expect(page2).toContain(`電子署名 ${virtual.holder.name.replace(/\u3000/g, ' ')}`);
    expect(page2).toContain('2026-05-31T09:30:00Z');
    expect(run('pdftotext', ['-f', '1', '-l', '1', path, '-']).output).not.toContain('電子署名');
    externalChecks(twice, 'visible', [
      { subFilter: 'adbe.pkcs7.detached', total: false },
      { subFilter: 'adbe.pkcs7.detached', total: true },
    ]);
    const result = await verifyPdf(twice, { at: new Date('2026-06-01T00:00:00Z'), roots: [virtual.roots.sign] });
    expect(result.signatures.map((s) => [s.field, s.reasons])).toEqual([['Signature1', []], ['Signature2', []]]);
    await expect(signPdf(original, { card, pin: DEFAULT_SIGN_PASSWORD, visible: { rect: [10, 10, 5, 20] } })).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(signPdf(original, { card, pin: DEFAULT_SIGN_PASSWORD, visible: { page: 3, rect: [0, 0, 10, 10] } })).rejects.toMatchObject({ code: 'pdf-malformed' });
  });

  it('a wrong password: one VERIFY, the card error as raised, no retry, no signature', async () => {
    const pdf = await makePdf({ objectStreams: false });
    const before = await card.jpki.remainingTries('sign');
    expect(before.state).toBe('tries');
    const left = before.state === 'tries' ? before.remaining : Number.NaN;
    virtual.clearLog();
    const error = await signPdf(pdf, { card, pin: 'WRONG1' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'PinIncorrectError', remaining: left - 1 });
    expect(virtual.log.filter((e) => e.verifyWithData === true)).toHaveLength(1);
    expect(virtual.log.some((e) => e.command?.[1] === 0x2a)).toBe(false); // no PSO: COMPUTE DIGITAL SIGNATURE
    expect(String((error as Error).message)).not.toContain('WRONG1');
    // A correct password resets the counter for the other tests.
    await signPdf(pdf, { card, pin: DEFAULT_SIGN_PASSWORD });
    expect(await card.jpki.remainingTries('sign')).toEqual(before);
  });

  it('an encrypted PDF: PdfError pdf-encrypted, and the card is not asked', async () => {
    const path = put(tmp.dir, 'plain.pdf', await makePdf({ objectStreams: false }));
    const encrypted = `${tmp.dir}/enc.pdf`;
    expect(run('qpdf', ['--encrypt', 'user', 'owner', '256', '--', path, encrypted]).status).toBe(0);
    const bytes = new Uint8Array(readFileSync(encrypted));
    const calls: string[] = [];
    const spy = {
      jpki: {
        sign: async () => { calls.push('sign'); return new Uint8Array(256); },
        readCertificate: async () => { calls.push('read'); return new Uint8Array(0); },
      },
    };
    await expect(signPdf(bytes, { card: spy, pin: DEFAULT_SIGN_PASSWORD })).rejects.toMatchObject({ name: 'PdfError', code: 'pdf-encrypted' });
    expect(calls).toEqual([]);
  });

  it('damaged PDFs: PdfError pdf-malformed, never an output', async () => {
    const good = await makePdf({ objectStreams: false });
    const cases: Uint8Array[] = [
      new Uint8Array(0),
      new TextEncoder().encode('hello'),
      good.subarray(0, good.length - 40), // truncated: no startxref
      good.subarray(0, Math.floor(good.length / 2)),
      (() => { const b = good.slice(); const t = text(b); const at = t.lastIndexOf('startxref'); b.set(Buffer.from('startxref\n9'), at); return b; })(),
      // A second copy of the page after %%EOF: pdf-lib reads it, viewers read the xref's copy.
      (() => {
        const t = text(good);
        const page = /(\d+) 0 obj\s*<<\s*\/Type \/Page\b[\s\S]*?endobj/.exec(t)!;
        return Buffer.concat([good, Buffer.from(`\n${page[0].replace('/Type /Page', '/Type /Page /Rotate 90')}\n`, 'latin1')]);
      })(),
      // Cross-reference offsets that miss their objects (one digit changed in the first in-use entry).
      (() => { const t = text(good); const at = t.indexOf(' 00000 n', t.lastIndexOf('\nxref')) - 1; const b = good.slice(); b[at] = b[at] === 0x30 ? 0x31 : 0x30; return b; })(),
    ];
    for (const bytes of cases) {
      const error = await signPdf(bytes, { card, pin: DEFAULT_SIGN_PASSWORD }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PdfError);
      expect((error as PdfError).code).toBe('pdf-malformed');
    }
  });

  it('options are checked before anything else', async () => {
    const pdf = await makePdf({ objectStreams: false });
    await expect(signPdf(pdf, { card, pin: DEFAULT_SIGN_PASSWORD, profile: 'pades-b-x' as PdfProfile })).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(signPdf(pdf, { card, pin: DEFAULT_SIGN_PASSWORD, contentsSize: 10 })).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(signPdf(pdf, { card, pin: DEFAULT_SIGN_PASSWORD, contentsSize: 1024 })).rejects.toMatchObject({ code: 'pdf-signature-too-large' });
  });
});
