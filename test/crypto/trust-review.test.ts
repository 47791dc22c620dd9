/**
 * Review findings of issue 14 on the trust path, each pinned by a test that fails on 0.1.0:
 * oversized CV keys, signed attributes out of DER order, an EKU on a 署名用 leaf, and answers
 * longer than Le.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { concatBytes, fromHex } from '../../src/bytes.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { ApduChannel } from '../../src/apdu/channel.js';
import { CommandApdu } from '../../src/apdu/command.js';
import { MalformedResponseError } from '../../src/apdu/errors.js';
import { verifyFaceApIntegrity, type RsaPublicKeyParts } from '../../src/crypto/integrity.js';
import { verifyCms } from '../../src/crypto/cms.js';
import { verifyJpkiChain } from '../../src/crypto/chain.js';
import { parseJpkiCertificate } from '../../src/crypto/parse.js';
import { decodeTlv, encodeTlv } from '../../src/tlv/index.js';
import { buildFaceApFiles, type FaceApFiles } from '../../src/testing/index.js';
import { loadTestPki, type TestPki } from '../../src/testing/pki.js';
import { cmsFixture } from '../adversarial/cms-fixture.js';
import { ext, issue, OIDS, signLeafExtensions, subjectDer } from './helpers.js';

const b64url = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64url'));
const publicKeyOf = (jwk: JsonWebKey): RsaPublicKeyParts => ({ modulus: b64url(jwk.n!), exponent: b64url(jwk.e!) });

let pki: TestPki;
beforeAll(async () => {
  pki = await loadTestPki();
});

/** EF 0004 `7F21 { 5F4E { ids(32) 90 e 91 n }, 5F37 signature }` with the given key. */
function cvCertificate(modulus: Uint8Array, exponent: Uint8Array, signature: Uint8Array): Uint8Array {
  const body = concatBytes(new Uint8Array(32).fill(0x11), encodeTlv(0x90, exponent), encodeTlv(0x91, modulus));
  return encodeTlv(0x7f21, [encodeTlv(0x5f4e, body), encodeTlv(0x5f37, signature)]);
}

/** An odd modulus of exactly `bits` bits. */
function modulusOf(bits: number): Uint8Array {
  const m = new Uint8Array(bits / 8).fill(0xa5);
  m[0] = 0xc3;
  m[m.length - 1] = 0x01;
  return m;
}

describe('face-AP CV keys are bounded before any arithmetic', () => {
  let files: FaceApFiles;
  beforeAll(async () => {
    files = await buildFaceApFiles({
      birthDate: '1990-01-02',
      sex: '2',
      expiryDate: '2035-01-02',
      cardKey: pki.cardVerifiable.jwk,
      issuerKey: pki.cvIssuer.jwk,
    });
  });

  const malformed = { valid: false, reasons: ['malformed-cv-certificate'], signature: 'not-checked', cvCertificate: 'not-checked' };

  it('a card key over 2048 bits (4096, 8192) is malformed-cv-certificate', async () => {
    for (const bits of [4096, 8192]) {
      const signature = new Uint8Array(bits / 8).fill(0x01);
      const ef0004 = cvCertificate(modulusOf(bits), Uint8Array.of(1, 0, 1), signature);
      expect(await verifyFaceApIntegrity({ face: files.ef0002, cvCertificate: ef0004 })).toEqual(malformed);
    }
  });

  it('a card key below 2048 bits or with an exponent over 4 bytes is malformed-cv-certificate', async () => {
    const own = publicKeyOf(pki.cardVerifiable.jwk);
    const signature = new Uint8Array(256).fill(0x01);
    const fiveByteExponent = Uint8Array.of(1, 0, 0, 0, 1);
    expect(await verifyFaceApIntegrity({ face: files.ef0002, cvCertificate: cvCertificate(own.modulus, fiveByteExponent, signature) })).toEqual(malformed);
    expect(await verifyFaceApIntegrity({ face: files.ef0002, cvCertificate: cvCertificate(modulusOf(1024), Uint8Array.of(3), signature.subarray(0, 128)) })).toEqual(malformed);
    // Leading zero bytes do not count: the card key with a zero-padded exponent still verifies the face.
    const padded = cvCertificate(own.modulus, concatBytes(new Uint8Array(4), own.exponent), signature);
    expect((await verifyFaceApIntegrity({ face: files.ef0002, cvCertificate: padded })).reasons).toEqual([]);
  });

  it('an issuer key over 4096 bits or with a long exponent is refused with InvalidArgumentError', async () => {
    const issuer = publicKeyOf(pki.cvIssuer.jwk);
    for (const cvIssuerKey of [
      { modulus: modulusOf(8192), exponent: issuer.exponent },
      { modulus: issuer.modulus, exponent: new Uint8Array(64).fill(0xff) },
      { modulus: modulusOf(1024), exponent: issuer.exponent },
    ]) {
      await expect(verifyFaceApIntegrity({ face: files.ef0002, cvCertificate: files.ef0004 }, { cvIssuerKey })).rejects.toBeInstanceOf(
        InvalidArgumentError,
      );
    }
    expect(await verifyFaceApIntegrity({ face: files.ef0002, cvCertificate: files.ef0004 }, { cvIssuerKey: issuer })).toEqual({
      valid: true,
      reasons: [],
      signature: 'valid',
      cvCertificate: 'valid',
    });
  });
});

describe('verifyCms: signed attributes must be a DER SET OF (sorted), as OpenSSL requires', () => {
  it('the same attributes, re-signed in another order, are signed-attributes-not-der', async () => {
    const f = await cmsFixture();
    const cms = f.attached.slice();
    const signerInfo = decodeTlv(cms)[0]!.children[1]!.children[0]!.children.at(-1)!.children[0]!;
    const attrs = signerInfo.children.find((n) => n.tag === 0xa0)!;
    const signature = signerInfo.children.at(-1)!;
    const sorted = attrs.children.map((a) => a.encoded.slice());
    const reordered = concatBytes(...[...sorted].reverse());
    cms.set(reordered, attrs.offset + attrs.headerLength); // same length: spliced in place
    const signedAttrs = encodeTlv(0x31, reordered);
    const key = pki.signLeaf.privateKey;
    const resigned = new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, signedAttrs));
    cms.set(resigned, signature.offset + signature.headerLength);
    const result = await verifyCms(cms, { at: f.at, roots: f.roots });
    expect(result.reasons).toEqual(['signed-attributes-not-der']);
    expect(result.valid).toBe(false);
    // The untouched CMS is valid (the fixture and key are right).
    expect((await verifyCms(f.attached, { at: f.at, roots: f.roots })).reasons).toEqual([]);
  });
});

describe('verifyJpkiChain: 署名用 leaves carry no EKU (cert-profile §2)', () => {
  it('a sign leaf with a critical serverAuth EKU is extended-key-usage-mismatch', async () => {
    const signSki = parseJpkiCertificate(pki.signRoot.certificate).subjectKeyIdentifier!;
    const build = (extra: ReturnType<typeof ext.raw>[]) =>
      issue({
        issuer: subjectDer(pki.signRoot.certificate),
        subject: 'C=JP, CN=JPKITEST0SIGN0000000000000099',
        publicKey: pki.signLeaf.publicKey,
        signingKey: pki.signRoot.privateKey,
        extensions: [...signLeafExtensions(signSki), ...extra],
      });
    const options = { at: new Date('2026-01-01T00:00:00Z'), roots: [pki.signRoot.certificate] };
    expect((await verifyJpkiChain(await build([]), options)).reasons).toEqual([]);
    const serverAuth = fromHex('300a06082b06010505070301');
    const result = await verifyJpkiChain(await build([ext.raw(OIDS.extKeyUsage, true, serverAuth)]), options);
    expect(result.reasons).toEqual(['extended-key-usage-mismatch']);
    expect(result.certificate?.kind).toBe('sign');
  });
});

describe('ApduChannel: an answer longer than Le is refused', () => {
  const answering = (dataLength: number) => ({
    transmit: async (): Promise<Uint8Array> => concatBytes(new Uint8Array(dataLength).fill(0x5a), Uint8Array.of(0x90, 0x00)),
  });

  it('257 bytes to Le 256 (a signature one byte longer than the RSA-2048 modulus) is MalformedResponseError', async () => {
    const command = new CommandApdu({ cla: 0x80, ins: 0x2a, p1: 0x00, p2: 0x80, data: new Uint8Array(51), le: 256 });
    await expect(new ApduChannel(answering(257)).transmit(command)).rejects.toBeInstanceOf(MalformedResponseError);
    expect((await new ApduChannel(answering(256)).transmit(command)).data.length).toBe(256);
  });

  it('5 bytes to READ BINARY Le 4 is MalformedResponseError; exactly Le and fewer are fine', async () => {
    const read = new CommandApdu({ ins: 0xb0, p1: 0, p2: 0, le: 4 });
    await expect(new ApduChannel(answering(5)).transmit(read)).rejects.toBeInstanceOf(MalformedResponseError);
    expect((await new ApduChannel(answering(4)).transmit(read)).data.length).toBe(4);
    expect((await new ApduChannel(answering(2)).transmit(read)).data.length).toBe(2);
  });
});
