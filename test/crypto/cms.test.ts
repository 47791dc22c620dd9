import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateKey, type JsonWebKey as NodeJsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { Attribute, CertificateChoices, CertificateSet, ContentInfo, SignedData } from '@peculiar/asn1-cms';
import { Certificate, Time } from '@peculiar/asn1-x509';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, equalBytes, fromHex, toHex } from '../../src/bytes.js';
import { CryptoError } from '../../src/errors.js';
import { signCms, verifyCms } from '../../src/crypto/cms.js';
import { SigningCertificateV2 } from './ess-oracle.js';
import { MyNumberCard } from '../../src/aps/card.js';
import { decodeTlv, encodeTlv } from '../../src/tlv/index.js';
import { DEFAULT_SIGN_PASSWORD, VirtualMyNumberCard } from '../../src/testing/index.js';
import { issueTestPkiForHolder, loadTestPki, type TestPki } from '../../src/testing/pki.js';
import { keyCard, openssl, pemFile, put, tempDir } from './helpers.js';

const AT = new Date('2026-06-01T00:00:00Z');
const ATTIME = String(Math.floor(AT.getTime() / 1000));
const SIGNING_TIME = new Date('2026-05-31T09:30:00Z');
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

function signedDataOf(cms: Uint8Array): SignedData {
  return AsnConvert.parse(AsnConvert.parse(cms, ContentInfo).content, SignedData);
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

describe('signCms / verifyCms with the virtual card, checked by OpenSSL', () => {
  let virtual: VirtualMyNumberCard;
  let card: MyNumberCard;
  let rootPem: string;
  const tmp = tempDir();
  const content = text('転入届 2026-05-31 申請者の署名');

  beforeAll(async () => {
    virtual = await VirtualMyNumberCard.create();
    card = await MyNumberCard.connect(virtual);
    rootPem = pemFile(tmp.dir, 'sign-root', virtual.roots.sign);
  });
  afterAll(async () => {
    await card.close();
    tmp.cleanup();
  });

  it('attached: the SDK and OpenSSL accept it; one changed content byte is rejected by both', async () => {
    const cms = await signCms(card, content, { pin: DEFAULT_SIGN_PASSWORD, signingTime: SIGNING_TIME });
    const result = await verifyCms(cms, { at: AT, roots: [virtual.roots.sign] });
    expect(result.reasons).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.content).toEqual(content);
    expect(result.signingTime).toEqual(SIGNING_TIME);
    expect(result.signer?.kind).toBe('sign');
    expect(result.signer?.der).toEqual(virtual.certificates.sign);

    const cmsPath = put(tmp.dir, 'attached.der', cms);
    const outPath = join(tmp.dir, 'attached.out');
    const ok = openssl(['cms', '-verify', '-inform', 'DER', '-in', cmsPath, '-CAfile', rootPem, '-attime', ATTIME, '-binary', '-out', outPath]);
    expect(ok.output).toContain('Verification successful');
    expect(ok.status).toBe(0);
    expect(new Uint8Array(readFileSync(outPath))).toEqual(content);

    const at = indexOf(cms, content);
    expect(at).toBeGreaterThan(0);
    const tampered = cms.slice();
    tampered[at + 3] = tampered[at + 3]! ^ 0x01;
    const bad = openssl(['cms', '-verify', '-inform', 'DER', '-in', put(tmp.dir, 'tampered.der', tampered), '-CAfile', rootPem, '-attime', ATTIME, '-binary', '-out', outPath]);
    expect(bad.status).not.toBe(0);
    expect(bad.output).toContain('Verification failure');
    expect((await verifyCms(tampered, { at: AT, roots: [virtual.roots.sign] })).reasons).toEqual(['message-digest-mismatch']);
  });

  it('detached: OpenSSL verifies with -content; one changed byte of the content fails', async () => {
    const cms = await signCms(card, content, { pin: DEFAULT_SIGN_PASSWORD, detached: true, signingTime: SIGNING_TIME });
    expect(indexOf(cms, content)).toBe(-1);
    expect(signedDataOf(cms).encapContentInfo.eContent).toBeUndefined();
    const cmsPath = put(tmp.dir, 'detached.der', cms);
    const contentPath = put(tmp.dir, 'content.bin', content);
    const ok = openssl(['cms', '-verify', '-inform', 'DER', '-in', cmsPath, '-content', contentPath, '-binary', '-CAfile', rootPem, '-attime', ATTIME, '-out', join(tmp.dir, 'd.out')]);
    expect(ok.output).toContain('Verification successful');
    expect(ok.status).toBe(0);

    const changed = content.slice();
    changed[0] = changed[0]! ^ 0x01;
    const changedPath = put(tmp.dir, 'changed.bin', changed);
    const bad = openssl(['cms', '-verify', '-inform', 'DER', '-in', cmsPath, '-content', changedPath, '-binary', '-CAfile', rootPem, '-attime', ATTIME, '-out', join(tmp.dir, 'd2.out')]);
    expect(bad.status).not.toBe(0);

    const roots = [virtual.roots.sign];
    expect((await verifyCms(cms, { at: AT, roots, content })).reasons).toEqual([]);
    expect((await verifyCms(cms, { at: AT, roots, content: changed })).reasons).toEqual(['message-digest-mismatch']);
    expect((await verifyCms(cms, { at: AT, roots })).reasons).toEqual(['content-missing']);
  });

  it('a wrong password costs one try and nothing is signed', async () => {
    const before = await card.jpki.remainingTries('sign');
    expect(before).toEqual({ state: 'tries', remaining: 5, max: 5 });
    await expect(signCms(card, content, { pin: 'WRONG1' })).rejects.toMatchObject({ code: 'pin-incorrect' });
    expect(await card.jpki.remainingTries('sign')).toEqual({ state: 'tries', remaining: 4, max: 5 });
    await card.jpki.sign('sign', content, { pin: DEFAULT_SIGN_PASSWORD }); // a correct VERIFY restores the counter
  });
});

describe('CMS structure and verification rules (test PKI key double)', () => {
  let pki: TestPki;
  let roots: Uint8Array[];
  const content = text('hello CMS');

  beforeAll(async () => {
    pki = await loadTestPki();
    roots = [pki.signRoot.certificate];
  });

  function testCard(): ReturnType<typeof keyCard> {
    return keyCard({
      auth: { certificate: pki.authLeaf.certificate, jwk: pki.authLeaf.jwk },
      sign: { certificate: pki.signLeaf.certificate, jwk: pki.signLeaf.jwk },
    });
  }

  it('is a DER SignedData v1 with CAdES-BES signed attributes in DER order', async () => {
    const card = testCard();
    const cms = await signCms(card, content, { pin: 'ABC123', signingTime: SIGNING_TIME, extraCertificates: [pki.signRoot.certificate] });
    expect(card.calls).toEqual(['read:sign', 'sign:sign']);
    expect(() => decodeTlv(cms)).not.toThrow(); // strict DER framing
    const contentInfo = AsnConvert.parse(cms, ContentInfo);
    expect(contentInfo.contentType).toBe('1.2.840.113549.1.7.2');
    const sd = signedDataOf(cms);
    expect(sd.version).toBe(1);
    expect(sd.digestAlgorithms.map((a) => [a.algorithm, a.parameters])).toEqual([['2.16.840.1.101.3.4.2.1', undefined]]);
    expect(sd.encapContentInfo.eContentType).toBe('1.2.840.113549.1.7.1');
    expect(new Uint8Array(sd.encapContentInfo.eContent!.single!.buffer)).toEqual(content);
    const certs = sd.certificates!.map((c) => new Uint8Array(AsnConvert.serialize(c.certificate)));
    expect(certs).toHaveLength(2);
    expect(certs.some((c) => equalBytes(c, pki.signLeaf.certificate))).toBe(true);
    expect(certs.some((c) => equalBytes(c, pki.signRoot.certificate))).toBe(true);
    expect(sd.signerInfos).toHaveLength(1);
    const si = sd.signerInfos[0]!;
    expect(si.version).toBe(1);
    expect(toHex(new Uint8Array(si.sid.issuerAndSerialNumber!.serialNumber))).toBe(pki.signLeaf.serial.toLowerCase());
    expect(si.digestAlgorithm.algorithm).toBe('2.16.840.1.101.3.4.2.1');
    expect(si.signatureAlgorithm.algorithm).toBe('1.2.840.113549.1.1.1');
    const attributes = si.signedAttrs!;
    const encoded = attributes.map((a) => new Uint8Array(AsnConvert.serialize(a)));
    const derOrder = (a: Uint8Array, b: Uint8Array): number => {
      for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
      return a.length - b.length;
    };
    expect([...encoded].sort(derOrder).map(toHex)).toEqual(encoded.map(toHex));
    const byType = new Map(attributes.map((a) => [a.attrType, new Uint8Array(a.attrValues[0]!)]));
    expect([...byType.keys()].sort()).toEqual([
      '1.2.840.113549.1.9.16.2.47',
      '1.2.840.113549.1.9.3',
      '1.2.840.113549.1.9.4',
      '1.2.840.113549.1.9.5',
    ]);
    expect(toHex(byType.get('1.2.840.113549.1.9.3')!)).toBe('06092a864886f70d010701');
    expect(new Uint8Array(AsnConvert.parse(byType.get('1.2.840.113549.1.9.4')!, OctetString).buffer)).toEqual(sha256(content));
    expect(AsnConvert.parse(byType.get('1.2.840.113549.1.9.5')!, Time).utcTime).toEqual(SIGNING_TIME);
    const ess = AsnConvert.parse(byType.get('1.2.840.113549.1.9.16.2.47')!, SigningCertificateV2);
    expect(ess.certs).toHaveLength(1);
    expect(ess.certs[0]!.hashAlgorithm).toBeUndefined(); // DEFAULT id-sha256 is omitted in DER
    expect(new Uint8Array(ess.certs[0]!.certHash.buffer)).toEqual(sha256(pki.signLeaf.certificate));
    expect(toHex(new Uint8Array(ess.certs[0]!.issuerSerial!.serialNumber))).toBe(pki.signLeaf.serial.toLowerCase());

    // The signature is over the DER SET OF the signed attributes (RFC 5652 §5.4).
    const signedAttrs = encodeTlv(0x31, encoded);
    const signature = Uint8Array.from(new Uint8Array(si.signature.buffer));
    expect(await crypto.subtle.verify('RSASSA-PKCS1-v1_5', pki.signLeaf.publicKey, signature, Uint8Array.from(signedAttrs))).toBe(true);
    expect((await verifyCms(cms, { at: AT, roots })).reasons).toEqual([]);
  });

  it('a swapped certificate with the same key, issuer and serial is caught by ESS signingCertificateV2', async () => {
    const cms = await signCms(testCard(), content, { pin: 'ABC123', signingTime: SIGNING_TIME });
    const other = await issueTestPkiForHolder({ ...pki.holder, name: '本荘　太郎', nameSubstitutionFlags: '00000' }, pki);
    expect(other.signLeaf.serial).toBe(pki.signLeaf.serial);
    expect(other.signLeaf.certificate).not.toEqual(pki.signLeaf.certificate);
    const contentInfo = AsnConvert.parse(cms, ContentInfo);
    const sd = AsnConvert.parse(contentInfo.content, SignedData);
    sd.certificates = new CertificateSet([new CertificateChoices({ certificate: AsnConvert.parse(other.signLeaf.certificate, Certificate) })]);
    const swapped = new Uint8Array(AsnConvert.serialize(new ContentInfo({ contentType: contentInfo.contentType, content: AsnConvert.serialize(sd) })));
    const result = await verifyCms(swapped, { at: AT, roots });
    expect(result.reasons).toEqual(['signing-certificate-mismatch']);
    expect(result.valid).toBe(false);
    expect(result.signer?.person?.name).toBe('本荘　太郎');
  });

  it('reports a bad signature, a foreign root, an expired signer and malformed input', async () => {
    const cms = await signCms(testCard(), content, { pin: 'ABC123', signingTime: SIGNING_TIME });
    const sd = signedDataOf(cms);
    const signature = new Uint8Array(sd.signerInfos[0]!.signature.buffer);
    const at = indexOf(cms, signature);
    const badSignature = cms.slice();
    badSignature[at + 10] = badSignature[at + 10]! ^ 0x01;
    expect((await verifyCms(badSignature, { at: AT, roots })).reasons).toEqual(['cms-signature-invalid']);
    expect((await verifyCms(cms, { at: AT })).reasons).toEqual(['no-issuer-found']);
    expect((await verifyCms(cms, { at: new Date('2031-01-01T00:00:00Z'), roots })).reasons).toEqual(['leaf-expired']);
    for (const bad of [cms.subarray(0, cms.length - 1), concatBytes(cms, Uint8Array.of(1)), text('not a cms'), new Uint8Array(0)]) {
      expect(await verifyCms(bad, { at: AT, roots })).toEqual({ valid: false, reasons: ['malformed-cms'] });
    }
    await expect(verifyCms(cms, {} as { at: Date })).rejects.toMatchObject({ code: 'invalid-argument' });
  });

  /** Re-sign a CMS after changing its signed attributes (a signer that builds them wrongly). */
  async function resign(cms: Uint8Array, mutate: (attributes: Attribute[]) => Attribute[]): Promise<Uint8Array> {
    const contentInfo = AsnConvert.parse(cms, ContentInfo);
    const sd = AsnConvert.parse(contentInfo.content, SignedData);
    const si = sd.signerInfos[0]!;
    si.signedAttrs = mutate(si.signedAttrs!);
    delete si.signedAttrsRaw;
    const signedAttrs = encodeTlv(0x31, si.signedAttrs.map((a) => new Uint8Array(AsnConvert.serialize(a))));
    si.signature = new OctetString(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', pki.signLeaf.privateKey, Uint8Array.from(signedAttrs)));
    return new Uint8Array(AsnConvert.serialize(new ContentInfo({ contentType: contentInfo.contentType, content: AsnConvert.serialize(sd) })));
  }

  it('CAdES-BES attributes are required: ESS signingCertificateV2, contentType, messageDigest', async () => {
    const cms = await signCms(testCard(), content, { pin: 'ABC123', signingTime: SIGNING_TIME });
    const without = (type: string) => (attributes: Attribute[]): Attribute[] => attributes.filter((a) => a.attrType !== type);
    const check = async (changed: Uint8Array): Promise<readonly string[]> => (await verifyCms(changed, { at: AT, roots })).reasons;
    expect(await check(await resign(cms, (a) => a))).toEqual([]);
    expect(await check(await resign(cms, without('1.2.840.113549.1.9.16.2.47')))).toEqual(['signing-certificate-missing']);
    expect(await check(await resign(cms, without('1.2.840.113549.1.9.3')))).toEqual(['content-type-mismatch']);
    expect(await check(await resign(cms, without('1.2.840.113549.1.9.4')))).toEqual(['message-digest-mismatch']);
    expect(await check(await resign(cms, (a) => [...a, a[0]!]))).toEqual(['malformed-cms']);
    const wrongType = (attributes: Attribute[]): Attribute[] =>
      attributes.map((a) =>
        a.attrType === '1.2.840.113549.1.9.3' ? new Attribute({ attrType: a.attrType, attrValues: [fromHex('06092a864886f70d010702').buffer as ArrayBuffer] }) : a,
      );
    expect(await check(await resign(cms, wrongType))).toEqual(['content-type-mismatch']);
  });

  it('verifies CMS made by OpenSSL (-cades adds ESS signingCertificateV2; without it, it is missing)', async () => {
    const tmp = tempDir();
    try {
      const keyPem = createPrivateKey({ key: pki.signLeaf.jwk as NodeJsonWebKey, format: 'jwk' }).export({ type: 'pkcs8', format: 'pem' });
      const keyPath = put(tmp.dir, 'sign.key', keyPem as string);
      const certPath = pemFile(tmp.dir, 'sign', pki.signLeaf.certificate);
      const contentPath = put(tmp.dir, 'content.bin', content);
      const sign = (extra: string[], out: string): Uint8Array => {
        const run = openssl(['cms', '-sign', '-binary', '-nodetach', '-md', 'sha256', '-in', contentPath, '-signer', certPath, '-inkey', keyPath, '-outform', 'DER', '-out', join(tmp.dir, out), ...extra]);
        expect(run.status).toBe(0);
        return new Uint8Array(readFileSync(join(tmp.dir, out)));
      };
      const cades = await verifyCms(sign(['-cades'], 'cades.der'), { at: AT, roots });
      expect(cades.reasons).toEqual([]);
      expect(cades.content).toEqual(content);
      expect((await verifyCms(sign([], 'plain.der'), { at: AT, roots })).reasons).toEqual(['signing-certificate-missing']);
    } finally {
      tmp.cleanup();
    }
  });

  it('refuses to sign with a certificate that is not a 署名用 certificate', async () => {
    const card = keyCard({
      auth: { certificate: pki.authLeaf.certificate, jwk: pki.authLeaf.jwk },
      sign: { certificate: pki.authLeaf.certificate, jwk: pki.authLeaf.jwk },
    });
    await expect(signCms(card, content, { pin: 'ABC123' })).rejects.toBeInstanceOf(CryptoError);
    await expect(signCms(card, content, { pin: 'ABC123' })).rejects.toMatchObject({ code: 'kind-mismatch' });
    expect(card.calls).not.toContain('sign:sign');
  });
});
