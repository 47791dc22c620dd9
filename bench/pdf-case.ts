/**
 * One case of the PDF benchmark, run in its own process so that its peak memory (maxRSS) is its
 * own: read a PDF file, sign it (a WebCrypto key of the test PKI: the card is left out), verify
 * the result, print `{ bytes, signMs, verifyMs, baseRssMb, peakRssMb }` as JSON.
 * Usage: `tsx bench/pdf-case.ts <file.pdf>`.
 * @packageDocumentation
 */
import { readFileSync } from 'node:fs';
import { signPdf, verifyPdf } from '../src/pdf/index.js';
import { loadTestPki } from '../src/testing/pki.js';

const pki = await loadTestPki();
const signer = {
  certificate: pki.signLeaf.certificate,
  sign: async (data: Uint8Array) => new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', pki.signLeaf.privateKey, Uint8Array.from(data))),
};
const file = process.argv[2]!;
const input = new Uint8Array(readFileSync(file));
globalThis.gc?.();
const baseRssMb = process.resourceUsage().maxRSS / 1024;
let t = performance.now();
const signed = await signPdf(input, { signer, signingTime: new Date('2026-05-31T00:00:00Z') });
const signMs = performance.now() - t;
t = performance.now();
const result = await verifyPdf(signed, { at: new Date('2026-06-01T00:00:00Z'), roots: [pki.signRoot.certificate] });
const verifyMs = performance.now() - t;
if (!result.valid) throw new Error(`not valid: ${JSON.stringify(result.signatures.map((s) => s.reasons))}`);
console.log(JSON.stringify({ bytes: input.length, signMs, verifyMs, baseRssMb, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
