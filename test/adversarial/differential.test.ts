/**
 * Differential test of the trust decoders (issue 14): 10 000 seeded mutations of real and test
 * certificates and of CAdES-BES CMS blobs, through the SDK (TLV core) and through independent
 * parsers: node:crypto `X509Certificate` (OpenSSL) and `@peculiar/x509` for certificates,
 * `@peculiar/asn1-cms` for CMS.
 *
 * - When the SDK and a peer both accept, they read the same fields.
 * - The SDK never accepts what both peers reject.
 * - Every SDK rejection is a typed error (`CryptoError` with a known code; CMS problems are
 *   reported as reasons, never thrown).
 */
import 'reflect-metadata';
import { X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as x509 from '@peculiar/x509';
import { AsnConvert } from '@peculiar/asn1-schema';
import { ContentInfo, SignedData } from '@peculiar/asn1-cms';
import { toHex } from '../../src/bytes.js';
import { CryptoError } from '../../src/errors.js';
import { decodeCertificate, isRsaKey, type DecodedCertificate } from '../../src/crypto/x509.js';
import { describeCertificate, type CertificateDescription } from '../../src/crypto/parse.js';
import { verifyCms } from '../../src/crypto/cms.js';
import { cmsFixture } from './cms-fixture.js';

const CERTIFICATE_CASES = 8000;
const CMS_CASES = 2000;
const SEED = 0x1a2b3c4d;

/** mulberry32: a small seeded PRNG, so every run sees the same 10 000 inputs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One to three edits: overwrite, flip, length-byte, insert, delete, truncate. */
function mutate(seed: Uint8Array, random: () => number): Uint8Array {
  let b = seed.slice();
  const edits = 1 + Math.floor(random() * 3);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(random() * b.length);
    const kind = Math.floor(random() * 6);
    if (kind === 0) b[at] = Math.floor(random() * 256);
    else if (kind === 1) b[at] = b[at]! ^ (1 << Math.floor(random() * 8));
    else if (kind === 2) b[at] = [0x00, 0x7f, 0x80, 0x81, 0x82, 0x84, 0xff][Math.floor(random() * 7)]!;
    else if (kind === 3) {
      const grown = new Uint8Array(b.length + 1);
      grown.set(b.subarray(0, at));
      grown[at] = Math.floor(random() * 256);
      grown.set(b.subarray(at), at + 1);
      b = grown;
    } else if (kind === 4) {
      const n = Math.min(1 + Math.floor(random() * 4), b.length - at);
      const shrunk = new Uint8Array(b.length - n);
      shrunk.set(b.subarray(0, at));
      shrunk.set(b.subarray(at + n), at);
      b = shrunk;
    } else {
      b = b.slice(0, at);
    }
    if (b.length === 0) break;
  }
  return b;
}

function certificateSeeds(): Uint8Array[] {
  const read = (dir: string): Uint8Array[] =>
    readdirSync(join('test/vectors', dir))
      .filter((f) => f.endsWith('.der') && !f.includes('bridgeca'))
      .map((f) => new Uint8Array(readFileSync(join('test/vectors', dir, f))));
  return [...read('real'), ...read('pki'), ...read('jlis-roots')];
}

const CERTIFICATE_CODES = new Set(['malformed-certificate', 'malformed-san']);

type Ours = { decoded: DecodedCertificate; description: CertificateDescription } | CryptoError;

function ours(der: Uint8Array): Ours {
  try {
    const decoded = decodeCertificate(der);
    return { decoded, description: describeCertificate(decoded) };
  } catch (error) {
    if (error instanceof CryptoError && CERTIFICATE_CODES.has(error.code)) return error;
    throw error; // not a typed rejection: the test fails
  }
}

function nodeCertificate(der: Uint8Array): X509Certificate | undefined {
  try {
    const certificate = new X509Certificate(der);
    void certificate.serialNumber;
    return certificate;
  } catch {
    return undefined;
  }
}

function peculiarCertificate(der: Uint8Array): x509.X509Certificate | undefined {
  try {
    const certificate = new x509.X509Certificate(Uint8Array.from(der));
    void certificate.subject;
    void certificate.issuer;
    void certificate.extensions;
    return certificate;
  } catch {
    return undefined;
  }
}

const b64url = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const seconds = (d: Date): number => Math.floor(d.getTime() / 1000);

describe('differential: mutated certificates and CMS against node:crypto and @peculiar', () => {
  it(`${CERTIFICATE_CASES} mutated certificates: same fields when both accept, never accept what both reject, typed rejections`, () => {
    const random = prng(SEED);
    const seeds = certificateSeeds();
    expect(seeds.length).toBeGreaterThanOrEqual(14);
    const tally = { ours: 0, node: 0, peculiar: 0, bothPeersReject: 0, compared: 0 };
    for (let i = 0; i < CERTIFICATE_CASES; i++) {
      const der = mutate(seeds[i % seeds.length]!, random);
      const mine = ours(der);
      const node = nodeCertificate(der);
      const peculiar = peculiarCertificate(der);
      if (node !== undefined) tally.node++;
      if (peculiar !== undefined) tally.peculiar++;
      if (node === undefined && peculiar === undefined) {
        tally.bothPeersReject++;
        expect(mine instanceof CryptoError, `case ${i}: accepted what OpenSSL and @peculiar/x509 reject (${toHex(der)})`).toBe(true);
        continue;
      }
      if (mine instanceof CryptoError) continue;
      tally.ours++;
      const { decoded, description } = mine;
      const context = `case ${i} (${toHex(der)})`;
      if (node !== undefined) {
        tally.compared++;
        // OpenSSL prints a (non-conforming) negative serial with a sign; compare values.
        const signed = BigInt('0x' + toHex(decoded.serialBytes)) - ((decoded.serialBytes[0]! & 0x80) !== 0 ? 1n << BigInt(8 * decoded.serialBytes.length) : 0n);
        const nodeSerial = node.serialNumber.startsWith('-') ? -BigInt('0x' + node.serialNumber.slice(1)) : BigInt('0x' + node.serialNumber);
        expect(signed, context).toBe(nodeSerial);
        expect(seconds(description.notBefore), context).toBe(seconds(new Date(node.validFrom)));
        expect(seconds(description.notAfter), context).toBe(seconds(new Date(node.validTo)));
        const key = decoded.publicKey;
        if (isRsaKey(key) && node.publicKey.asymmetricKeyType === 'rsa') {
          const jwk = node.publicKey.export({ format: 'jwk' });
          expect(b64url(key.modulus), context).toBe(jwk.n);
          expect(b64url(key.exponent), context).toBe(jwk.e);
        }
      }
      if (peculiar !== undefined) {
        tally.compared++;
        expect(description.serialNumber, context).toBe(peculiar.serialNumber.toUpperCase());
        expect(seconds(description.notBefore), context).toBe(seconds(peculiar.notBefore));
        expect(seconds(description.notAfter), context).toBe(seconds(peculiar.notAfter));
        expect([...decoded.extensions].map(([oid, e]) => [oid, e.critical]), context).toEqual(
          peculiar.extensions.map((e) => [e.type, e.critical]),
        );
        expect(toHex(decoded.signature), context).toBe(toHex(new Uint8Array(peculiar.signature)));
      }
    }
    console.log(`[differential] certificates: ${CERTIFICATE_CASES} cases; accepted by ours ${tally.ours}, node:crypto ${tally.node}, @peculiar/x509 ${tally.peculiar}; both peers reject ${tally.bothPeersReject}; field comparisons ${tally.compared}`);
    // The mutations must exercise both sides: many rejections, and accepted variants compared.
    expect(tally.bothPeersReject).toBeGreaterThan(CERTIFICATE_CASES / 4);
    expect(tally.compared).toBeGreaterThan(CERTIFICATE_CASES / 10);
    // A bound against a hang, not a speed target: 8000 cases take ~10 s on CI and over 30 s on a loaded 2-core machine.
  }, 120_000);

  it(`${CMS_CASES} mutated CMS blobs: same content, signer and time when both parse; nothing @peculiar rejects is valid; never a throw`, async () => {
    const random = prng(SEED ^ 0x5a5a5a5a);
    const f = await cmsFixture();
    const seeds = [f.attached, f.detached];
    let valid = 0;
    let compared = 0;
    for (let i = 0; i < CMS_CASES; i++) {
      const cms = mutate(seeds[i % 2]!, random);
      const result = await verifyCms(cms, { at: f.at, roots: f.roots, ...(i % 2 === 1 ? { content: f.content } : {}) });
      expect(Array.isArray(result.reasons)).toBe(true);
      expect(result.valid).toBe(result.reasons.length === 0);
      let signedData: SignedData | undefined;
      try {
        signedData = AsnConvert.parse(AsnConvert.parse(cms, ContentInfo).content, SignedData);
      } catch {
        signedData = undefined;
      }
      const context = `case ${i} (${toHex(cms)})`;
      if (result.valid) {
        valid++;
        expect(signedData, `${context}: valid, but @peculiar/asn1-cms cannot parse it`).toBeDefined();
      }
      if (signedData !== undefined && result.signer !== undefined) {
        compared++;
        const single = signedData.encapContentInfo.eContent?.single;
        if (single !== undefined && i % 2 === 0) expect(result.content, context).toEqual(new Uint8Array(single.buffer));
        const sid = signedData.signerInfos[0]?.sid.issuerAndSerialNumber;
        if (sid !== undefined) expect(result.signer.serialNumber, context).toBe(toHex(new Uint8Array(sid.serialNumber)).toUpperCase());
      }
    }
    console.log(`[differential] CMS: ${CMS_CASES} cases; still valid ${valid}; compared with @peculiar/asn1-cms ${compared}`);
    expect(valid).toBeGreaterThan(0); // mutations of unsigned fields (e.g. versions) may stay valid
    expect(compared).toBeGreaterThan(CMS_CASES / 20);
  }, 120_000);
});
