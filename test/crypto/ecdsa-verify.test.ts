/**
 * ECDSA P-256 / P-384 end to end on the HYPOTHETICAL `gen2-hypothetical` test profile: chain,
 * CMS (checked by OpenSSL too), authentication and raw signatures; wrong curves, explicit
 * parameters, tampered / malformed / out-of-range / high-S signatures, the hash–curve pairing
 * and key-usage violations.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import { ContentInfo, SignedData } from '@peculiar/asn1-cms';
import { sha384 } from '@noble/hashes/sha2.js';
import { concatBytes, fromHex, toHex } from '../../src/bytes.js';
import { CryptoError, InvalidArgumentError } from '../../src/errors.js';
import { authenticate, createChallenge, verifyAuthentication } from '../../src/crypto/authenticate.js';
import type { JpkiCard } from '../../src/crypto/card.js';
import { verifyJpkiChain } from '../../src/crypto/chain.js';
import { signCms, verifyCms } from '../../src/crypto/cms.js';
import { EC_CURVES, ecdsaSignatureFromRaw, ecdsaSignatureToRaw } from '../../src/crypto/ecdsa.js';
import { parseJpkiCertificate } from '../../src/crypto/parse.js';
import { verifyRawSignature } from '../../src/crypto/signature.js';
import { decodeTlv, encodeTlv } from '../../src/tlv/index.js';
import {
  GEN2_HYPOTHETICAL_PROFILE,
  gen2HypotheticalSigner,
  issueGen2HypotheticalPki,
  type Gen2HypotheticalEntry,
  type Gen2HypotheticalPki,
} from '../../src/testing/pki-gen2.js';
import { loadTestPki } from '../../src/testing/pki.js';
import { oid, printableString, sequence, tlv, utf8String } from '../../src/testing/pki-der.js';
import { AUTH_POLICY_OID, certificatePolicies, encodeName, SIGN_POLICY_OID } from '../../src/testing/pki-names.js';
import { authorityKeyIdentifier, extension, publicKeyInfo, readIssuerInfo, signCertificate } from '../../src/testing/pki-x509.js';
import { keyCard, openssl, pemFile, put, tempDir } from './helpers.js';

const AT = new Date('2029-06-01T00:00:00Z');
const ATTIME = String(Math.floor(AT.getTime() / 1000));
const SIGNING_TIME = new Date('2029-05-31T09:30:00Z');
const ORIGIN = 'https://login.example.jp';
const OIDS = {
  ecPublicKey: '1.2.840.10045.2.1',
  p256: '1.2.840.10045.3.1.7',
  ecdsaSha256: '1.2.840.10045.4.3.2',
  ecdsaSha384: '1.2.840.10045.4.3.3',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
};
/** `openssl ecparam -name prime256v1 -param_enc explicit -outform DER`: explicit P-256 parameters. */
const EXPLICIT_P256 = fromHex(
  '3081f7020101302c06072a8648ce3d0101022100ffffffff00000001000000000000000000000000ffffffffffffffffffffffff305b0420ffffffff00000001000000000000000000000000fffffffffffffffffffffffc04205ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b031500c49d360886e704936a6678e1139d26b7819f7e900441046b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c2964fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5022100ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551020101',
);
const text = (s: string): Uint8Array => new TextEncoder().encode(s);

const rootsOf = (pki: Gen2HypotheticalPki) => [
  { der: pki.authRoot.certificate, purpose: 'auth' as const },
  { der: pki.signRoot.certificate, purpose: 'sign' as const },
];

function order(curve: 'P-256' | 'P-384'): bigint {
  return BigInt(`0x${toHex(EC_CURVES[curve].order)}`);
}
function big(bytes: Uint8Array): bigint {
  return BigInt(`0x${toHex(bytes)}`);
}
function fixed(value: bigint, size: number): Uint8Array {
  return fromHex(value.toString(16).padStart(2 * size, '0'));
}

/** A DER signature with (r, s) changed by `change`, re-encoded minimally (no range checks). */
function derWith(der: Uint8Array, curve: 'P-256' | 'P-384', change: (r: bigint, s: bigint) => [bigint, bigint]): Uint8Array {
  const raw = ecdsaSignatureToRaw(der, curve);
  const size = EC_CURVES[curve].size;
  const [r, s] = change(big(raw.subarray(0, size)), big(raw.subarray(size)));
  const integer = (v: bigint): Uint8Array => {
    let hex = v.toString(16);
    if (hex.length % 2 === 1) hex = `0${hex}`;
    if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
    return encodeTlv(0x02, fromHex(hex));
  };
  return encodeTlv(0x30, [integer(r), integer(s)]);
}

/** The parts of a certificate, and the same certificate with another signature. */
function certificateParts(der: Uint8Array): { tbs: Uint8Array; algorithm: Uint8Array; signature: Uint8Array } {
  const [tbs, algorithm, signature] = decodeTlv(der)[0]!.children;
  return { tbs: tbs!.encoded, algorithm: algorithm!.encoded, signature: signature!.value.subarray(1) };
}
function withSignature(der: Uint8Array, signature: Uint8Array): Uint8Array {
  const { tbs, algorithm } = certificateParts(der);
  return encodeTlv(0x30, [tbs, algorithm, encodeTlv(0x03, [Uint8Array.of(0), signature])]);
}

/** Replace every occurrence of `from` by `to` (same length) in `bytes`. */
function replaceBytes(bytes: Uint8Array, from: Uint8Array, to: Uint8Array): Uint8Array {
  const out = bytes.slice();
  let found = 0;
  outer: for (let i = 0; i + from.length <= out.length; i++) {
    for (let j = 0; j < from.length; j++) if (out[i + j] !== from[j]) continue outer;
    out.set(to, i);
    found++;
  }
  expect(found).toBeGreaterThan(0);
  return out;
}

/** A leaf with its own extensions or SubjectPublicKeyInfo, issued under `issuer` (ECDSA). */
async function customLeaf(params: {
  issuer: Gen2HypotheticalEntry;
  kind: 'auth' | 'sign';
  keyUsage: Uint8Array;
  publicKey?: CryptoKey;
  spki?: Uint8Array;
}): Promise<Uint8Array> {
  const info = readIssuerInfo(params.issuer.certificate);
  const spki = params.spki ?? (await publicKeyInfo(params.publicKey!)).spki;
  const keyId = new Uint8Array(20).fill(7);
  const extensions = [
    extension('2.5.29.15', true, params.keyUsage),
    ...(params.kind === 'auth' ? [extension('2.5.29.37', false, sequence(oid('1.3.6.1.5.5.7.3.2')))] : []),
    extension('2.5.29.32', true, certificatePolicies(params.kind === 'auth' ? AUTH_POLICY_OID : SIGN_POLICY_OID)),
    extension('2.5.29.35', false, authorityKeyIdentifier(info)),
    extension('2.5.29.14', false, tlv(0x04, keyId)),
  ];
  return signCertificate({
    serial: '7E5720C1',
    issuer: info.subject,
    notBefore: new Date('2028-04-01T01:23:45Z'),
    notAfter: new Date('2033-03-31T14:59:59Z'),
    subject: encodeName([
      ['2.5.4.6', printableString('JP')],
      ['2.5.4.3', utf8String('JPKITEST0GEN2CUSTOM0001')],
    ]),
    spki,
    extensions,
    signingKey: params.issuer.privateKey,
  });
}

/** Re-sign a certificate's TBS with another ECDSA algorithm identifier and hash. */
async function resign(der: Uint8Array, key: CryptoKey, fromOid: string, toOid: string, hash: 'SHA-256' | 'SHA-384'): Promise<Uint8Array> {
  const { tbs, algorithm } = certificateParts(der);
  const newAlgorithm = replaceBytes(algorithm, oid(fromOid), oid(toOid));
  const newTbs = replaceBytes(tbs, algorithm, newAlgorithm);
  const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash }, key, newTbs.slice()));
  const curve = (key.algorithm as EcKeyAlgorithm).namedCurve as 'P-256' | 'P-384';
  return encodeTlv(0x30, [newTbs, newAlgorithm, encodeTlv(0x03, [Uint8Array.of(0), ecdsaSignatureFromRaw(raw, curve)])]);
}

let p384: Gen2HypotheticalPki;
let p256: Gen2HypotheticalPki;

beforeAll(async () => {
  [p384, p256] = await Promise.all([issueGen2HypotheticalPki(), issueGen2HypotheticalPki({ curve: 'P-256' })]);
});

describe('the gen2-hypothetical test profile', () => {
  it('is marked hypothetical and issues P-384 keys with ecdsa-with-SHA384 by default', async () => {
    expect(p384.profile).toBe(GEN2_HYPOTHETICAL_PROFILE);
    expect(GEN2_HYPOTHETICAL_PROFILE).toBe('gen2-hypothetical');
    expect([p384.curve, p384.hash, p256.curve, p256.hash]).toEqual(['P-384', 'SHA-384', 'P-256', 'SHA-256']);
    const leaf = parseJpkiCertificate(p384.signLeaf.certificate);
    const point = new Uint8Array(await crypto.subtle.exportKey('raw', p384.signLeaf.publicKey));
    expect(leaf.kind).toBe('sign');
    expect(leaf.serialNumber).toBe('7E5720B2');
    expect(leaf.publicKey).toEqual({ algorithm: 'EC', curve: 'P-384', point });
    expect(point.length).toBe(97);
    expect(leaf.signatureAlgorithm).toEqual({ oid: OIDS.ecdsaSha384, hash: 'SHA-384' });
    expect(leaf.keyUsage).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(leaf.notBefore).toEqual(new Date('2028-04-01T01:23:45Z'));
    expect(leaf.notAfter).toEqual(new Date('2033-03-31T14:59:59Z'));
    expect(leaf.person?.name).toBe(p384.holder.name);
    // The outer AlgorithmIdentifier has no parameters field (RFC 5758 §3.2): 30 0A 06 08 2A 86 48 CE 3D 04 03 03.
    expect(toHex(certificateParts(p384.signLeaf.certificate).algorithm)).toBe('300a06082a8648ce3d040303');
    const auth = parseJpkiCertificate(p256.authLeaf.certificate);
    expect(auth.kind).toBe('auth');
    expect(auth.publicKey).toMatchObject({ algorithm: 'EC', curve: 'P-256' });
    expect(toHex(certificateParts(p256.authLeaf.certificate).algorithm)).toBe('300a06082a8648ce3d040302');
  });

  it('OpenSSL reads its certificates as ECDSA on the named curve', () => {
    const tmp = tempDir();
    try {
      const out = openssl(['x509', '-inform', 'DER', '-in', put(tmp.dir, 'leaf.der', p384.signLeaf.certificate), '-noout', '-text']);
      expect(out.status).toBe(0);
      expect(out.output).toContain('Signature Algorithm: ecdsa-with-SHA384');
      expect(out.output).toContain('ASN1 OID: secp384r1');
    } finally {
      tmp.cleanup();
    }
  });
});

describe('verifyJpkiChain with ECDSA', () => {
  it('accepts auth and sign leaves on P-384 and P-256 and names the algorithm', async () => {
    for (const [pki, name] of [
      [p384, 'ecdsa-p384-sha384'],
      [p256, 'ecdsa-p256-sha256'],
    ] as const) {
      for (const leaf of [pki.authLeaf, pki.signLeaf]) {
        const result = await verifyJpkiChain(leaf.certificate, { at: AT, roots: rootsOf(pki) });
        expect(result.reasons).toEqual([]);
        expect(result.valid).toBe(true);
        expect(result.signatureAlgorithm).toBe(name);
      }
    }
    const sign = await verifyJpkiChain(p384.signLeaf.certificate, { at: AT, roots: rootsOf(p384) });
    expect(sign.root?.serialNumber).toBe('7E5720A2');
    expect(sign.root?.purpose).toBe('sign');
  });

  it('RSA chains name their algorithm too (rsa-pkcs1-sha256)', async () => {
    const pki = await loadTestPki();
    const result = await verifyJpkiChain(pki.authLeaf.certificate, { at: new Date('2026-06-01T00:00:00Z'), roots: [pki.authRoot.certificate] });
    expect(result.reasons).toEqual([]);
    expect(result.signatureAlgorithm).toBe('rsa-pkcs1-sha256');
  });

  it('a tampered signature or a tampered TBS is signature-invalid', async () => {
    const leaf = p384.authLeaf.certificate;
    const changed = derWith(certificateParts(leaf).signature, 'P-384', (r, s) => [r, s ^ 1n]);
    const result = await verifyJpkiChain(withSignature(leaf, changed), { at: AT, roots: rootsOf(p384) });
    expect(result.reasons).toEqual(['signature-invalid']);
    expect(result.signatureAlgorithm).toBeUndefined();
    const cn = text('JPKITEST0GEN2AUTH000001');
    const renamed = replaceBytes(leaf, cn, text('JPKITEST0GEN2AUTH000002'));
    expect((await verifyJpkiChain(renamed, { at: AT, roots: rootsOf(p384) })).reasons).toEqual(['signature-invalid']);
  });

  it('high-S (n − s) is a valid ECDSA signature and is accepted', async () => {
    const leaf = p384.signLeaf.certificate;
    const n = order('P-384');
    const high = derWith(certificateParts(leaf).signature, 'P-384', (r, s) => [r, n - s]);
    expect(high).not.toEqual(certificateParts(leaf).signature);
    const result = await verifyJpkiChain(withSignature(leaf, high), { at: AT, roots: rootsOf(p384) });
    expect(result.reasons).toEqual([]);
  });

  it('r or s outside [1, n−1], non-minimal or trailing DER: malformed-signature', async () => {
    const leaf = p256.signLeaf.certificate;
    const signature = certificateParts(leaf).signature;
    const n = order('P-256');
    const variants = {
      'r = n': derWith(signature, 'P-256', (_r, s) => [n, s]),
      'r = r + n': derWith(signature, 'P-256', (r, s) => [r + n, s]),
      's = 0': derWith(signature, 'P-256', (r) => [r, 0n]),
      'non-minimal r': (() => {
        const raw = ecdsaSignatureToRaw(signature, 'P-256');
        const r = raw.subarray(0, 32);
        const padded = (r[0]! & 0x80) === 0 ? concatBytes(Uint8Array.of(0, 0), r) : concatBytes(Uint8Array.of(0, 0), r);
        return encodeTlv(0x30, [encodeTlv(0x02, padded), decodeTlv(signature)[0]!.children[1]!.encoded]);
      })(),
      'trailing byte': concatBytes(signature, Uint8Array.of(0)),
      'raw r ‖ s instead of DER': ecdsaSignatureToRaw(signature, 'P-256'),
    };
    for (const [name, bad] of Object.entries(variants)) {
      const result = await verifyJpkiChain(withSignature(leaf, bad), { at: AT, roots: rootsOf(p256) });
      expect(result.reasons, name).toEqual(['malformed-signature']);
    }
  });

  it('refuses ecdsa-with-SHA256 under a P-384 key (hash-curve-mismatch)', async () => {
    const mismatched = await resign(p384.authLeaf.certificate, p384.authRoot.privateKey, OIDS.ecdsaSha384, OIDS.ecdsaSha256, 'SHA-256');
    expect(parseJpkiCertificate(mismatched).signatureAlgorithm).toEqual({ oid: OIDS.ecdsaSha256, hash: 'SHA-256' });
    const result = await verifyJpkiChain(mismatched, { at: AT, roots: rootsOf(p384) });
    expect(result.reasons).toEqual(['hash-curve-mismatch']);
    // Control: the same re-signing with the matching hash verifies.
    const matched = await resign(p384.authLeaf.certificate, p384.authRoot.privateKey, OIDS.ecdsaSha384, OIDS.ecdsaSha384, 'SHA-384');
    expect((await verifyJpkiChain(matched, { at: AT, roots: rootsOf(p384) })).reasons).toEqual([]);
  });

  it('a leaf key on another curve (P-521) or with explicit parameters is unsupported-curve', async () => {
    const p521 = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-521' }, true, ['sign', 'verify']);
    const leaf = await customLeaf({ issuer: p384.authRoot, kind: 'auth', keyUsage: Uint8Array.of(0x03, 0x02, 0x07, 0x80), publicKey: p521.publicKey });
    expect(parseJpkiCertificate(leaf).publicKey).toEqual({ algorithm: OIDS.ecPublicKey });
    expect((await verifyJpkiChain(leaf, { at: AT, roots: rootsOf(p384) })).reasons).toEqual(['unsupported-curve']);

    const point = new Uint8Array(await crypto.subtle.exportKey('raw', p256.authLeaf.publicKey));
    const explicit = sequence(sequence(oid(OIDS.ecPublicKey), EXPLICIT_P256), tlv(0x03, Uint8Array.of(0), point));
    const leaf2 = await customLeaf({ issuer: p384.authRoot, kind: 'auth', keyUsage: Uint8Array.of(0x03, 0x02, 0x07, 0x80), spki: explicit });
    expect(parseJpkiCertificate(leaf2).publicKey).toEqual({ algorithm: OIDS.ecPublicKey });
    expect((await verifyJpkiChain(leaf2, { at: AT, roots: rootsOf(p384) })).reasons).toEqual(['unsupported-curve']);
    // Control: the same point under the named curve is accepted.
    const named = sequence(sequence(oid(OIDS.ecPublicKey), oid(OIDS.p256)), tlv(0x03, Uint8Array.of(0), point));
    const leaf3 = await customLeaf({ issuer: p384.authRoot, kind: 'auth', keyUsage: Uint8Array.of(0x03, 0x02, 0x07, 0x80), spki: named });
    expect((await verifyJpkiChain(leaf3, { at: AT, roots: rootsOf(p384) })).reasons).toEqual([]);
  });

  it('a compressed or off-curve point, or ECDSA algorithm parameters, make the certificate malformed', async () => {
    const point = new Uint8Array(await crypto.subtle.exportKey('raw', p256.authLeaf.publicKey));
    const compressed = concatBytes(Uint8Array.of(0x02 | (point[64]! & 1)), point.subarray(1, 33));
    const spki = sequence(sequence(oid(OIDS.ecPublicKey), oid(OIDS.p256)), tlv(0x03, Uint8Array.of(0), compressed));
    const leaf = await customLeaf({ issuer: p384.authRoot, kind: 'auth', keyUsage: Uint8Array.of(0x03, 0x02, 0x07, 0x80), spki });
    expect((await verifyJpkiChain(leaf, { at: AT, roots: rootsOf(p384) })).reasons).toEqual(['malformed-certificate']);
    expect(() => parseJpkiCertificate(leaf)).toThrow(CryptoError);
    // A point off the curve (Y changed) and X ≥ p are refused by the parser too.
    const offCurve = point.slice();
    offCurve[64] = offCurve[64]! ^ 1;
    const fieldOverflow = concatBytes(Uint8Array.of(4), new Uint8Array(32).fill(0xff), point.subarray(33));
    for (const bad of [offCurve, fieldOverflow]) {
      const badSpki = sequence(sequence(oid(OIDS.ecPublicKey), oid(OIDS.p256)), tlv(0x03, Uint8Array.of(0), bad));
      const badLeaf = await customLeaf({ issuer: p384.authRoot, kind: 'auth', keyUsage: Uint8Array.of(0x03, 0x02, 0x07, 0x80), spki: badSpki });
      expect((await verifyJpkiChain(badLeaf, { at: AT, roots: rootsOf(p384) })).reasons).toEqual(['malformed-certificate']);
    }

    const withNull = (() => {
      const der = p384.authLeaf.certificate;
      const { tbs, algorithm, signature } = certificateParts(der);
      const nulled = sequence(oid(OIDS.ecdsaSha384), Uint8Array.of(0x05, 0x00));
      const newTbs = replaceBytes(tbs, algorithm, algorithm); // unchanged TBS: only the outer one differs
      return encodeTlv(0x30, [newTbs, nulled, encodeTlv(0x03, [Uint8Array.of(0), signature])]);
    })();
    expect((await verifyJpkiChain(withNull, { at: AT, roots: rootsOf(p384) })).reasons).toEqual(['malformed-certificate']);
  });

  it('key-usage violations: keyEncipherment on an EC auth key, a sign leaf without nonRepudiation', async () => {
    // 03 02 05 A0: digitalSignature + keyEncipherment (RFC 5480 §3 forbids the latter with EC keys).
    const encipher = await customLeaf({ issuer: p384.authRoot, kind: 'auth', keyUsage: Uint8Array.of(0x03, 0x02, 0x05, 0xa0), publicKey: p384.authLeaf.publicKey });
    expect(parseJpkiCertificate(encipher).keyUsage).toEqual(['digitalSignature', 'keyEncipherment']);
    expect((await verifyJpkiChain(encipher, { at: AT, roots: rootsOf(p384) })).reasons).toEqual(['key-usage-mismatch']);
    const noNonRepudiation = await customLeaf({ issuer: p384.signRoot, kind: 'sign', keyUsage: Uint8Array.of(0x03, 0x02, 0x07, 0x80), publicKey: p384.signLeaf.publicKey });
    expect((await verifyJpkiChain(noNonRepudiation, { at: AT, roots: rootsOf(p384) })).reasons).toEqual(['key-usage-mismatch']);
    // Control: the profile's own bits pass through the same builder.
    const ok = await customLeaf({ issuer: p384.authRoot, kind: 'auth', keyUsage: Uint8Array.of(0x03, 0x02, 0x07, 0x80), publicKey: p384.authLeaf.publicKey });
    expect((await verifyJpkiChain(ok, { at: AT, roots: rootsOf(p384) })).reasons).toEqual([]);
  });

  it('validity, purpose and issuer checks are those of RSA', async () => {
    const leaf = p384.authLeaf.certificate;
    expect((await verifyJpkiChain(leaf, { at: new Date('2033-04-01T00:00:00Z'), roots: rootsOf(p384) })).reasons).toEqual(['leaf-expired']);
    expect((await verifyJpkiChain(leaf, { at: new Date('2028-03-01T00:00:00Z'), roots: rootsOf(p384) })).reasons).toEqual([
      'leaf-not-yet-valid',
      'root-not-yet-valid',
    ]);
    const swapped = [{ der: p384.authRoot.certificate, purpose: 'sign' as const }];
    expect((await verifyJpkiChain(leaf, { at: AT, roots: swapped })).reasons).toEqual(['root-purpose-mismatch']);
    // Another P-384 hierarchy with the same names: its root's key does not verify.
    expect((await verifyJpkiChain(leaf, { at: AT, roots: rootsOf(p256) })).reasons).toEqual(['signature-invalid']);
    // The RSA test roots (same DNs) cannot verify an ECDSA signature.
    const rsa = await loadTestPki();
    expect((await verifyJpkiChain(leaf, { at: AT, roots: [rsa.authRoot.certificate] })).reasons).toEqual(['signature-invalid']);
  });
});

describe('signCms / verifyCms with an ECDSA signer, checked by OpenSSL', () => {
  const tmp = tempDir();
  const content = text('転入届 2029-05-31 申請者の署名 (gen2-hypothetical)');
  afterAll(() => tmp.cleanup());

  function signedData(cms: Uint8Array): SignedData {
    return AsnConvert.parse(AsnConvert.parse(cms, ContentInfo).content, SignedData);
  }
  function withCmsSignature(cms: Uint8Array, signature: Uint8Array): Uint8Array {
    const info = AsnConvert.parse(cms, ContentInfo);
    const sd = AsnConvert.parse(info.content, SignedData);
    sd.signerInfos[0]!.signature = new OctetString(signature);
    info.content = AsnConvert.serialize(sd);
    return new Uint8Array(AsnConvert.serialize(info));
  }

  it('P-384: SHA-384 digest, ecdsa-with-SHA384 without parameters, DER signature; the SDK and OpenSSL accept it', async () => {
    const cms = await signCms(gen2HypotheticalSigner(p384), content, { pin: 'ABC123', signingTime: SIGNING_TIME });
    const sd = signedData(cms);
    expect(sd.digestAlgorithms.map((a) => a.algorithm)).toEqual([OIDS.sha384]);
    const si = sd.signerInfos[0]!;
    expect(si.digestAlgorithm.algorithm).toBe(OIDS.sha384);
    expect(si.signatureAlgorithm.algorithm).toBe(OIDS.ecdsaSha384);
    expect(si.signatureAlgorithm.parameters).toBeUndefined();
    const messageDigest = si.signedAttrs!.find((a) => a.attrType === '1.2.840.113549.1.9.4')!;
    expect(new Uint8Array(AsnConvert.parse(messageDigest.attrValues[0]!, OctetString).buffer)).toEqual(sha384(content));
    const signature = new Uint8Array(si.signature.buffer);
    expect(ecdsaSignatureToRaw(signature, 'P-384').length).toBe(96);

    const result = await verifyCms(cms, { at: AT, roots: rootsOf(p384) });
    expect(result.reasons).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.signatureAlgorithm).toBe('ecdsa-p384-sha384');
    expect(result.chain?.signatureAlgorithm).toBe('ecdsa-p384-sha384');
    expect(result.signingTime).toEqual(SIGNING_TIME);
    expect(result.content).toEqual(content);
    expect(result.signer?.serialNumber).toBe('7E5720B2');

    const rootPem = pemFile(tmp.dir, 'p384-sign-root', p384.signRoot.certificate);
    const out = join(tmp.dir, 'p384.out');
    const ok = openssl(['cms', '-verify', '-inform', 'DER', '-in', put(tmp.dir, 'p384.der', cms), '-CAfile', rootPem, '-attime', ATTIME, '-binary', '-out', out]);
    expect(ok.output).toContain('Verification successful');
    expect(ok.status).toBe(0);
    expect(new Uint8Array(readFileSync(out))).toEqual(content);

    const tampered = withCmsSignature(cms, derWith(signature, 'P-384', (r, s) => [r, s ^ 1n]));
    const bad = openssl(['cms', '-verify', '-inform', 'DER', '-in', put(tmp.dir, 'p384-bad.der', tampered), '-CAfile', rootPem, '-attime', ATTIME, '-binary', '-out', out]);
    expect(bad.status).not.toBe(0);
    expect(bad.output).toContain('Verification failure');
    expect((await verifyCms(tampered, { at: AT, roots: rootsOf(p384) })).reasons).toEqual(['cms-signature-invalid']);
  });

  it('P-256 detached: SHA-256 and ecdsa-with-SHA256; OpenSSL verifies with -content', async () => {
    const cms = await signCms(gen2HypotheticalSigner(p256), content, { pin: 'ABC123', signingTime: SIGNING_TIME, detached: true });
    const si = signedData(cms).signerInfos[0]!;
    expect([si.digestAlgorithm.algorithm, si.signatureAlgorithm.algorithm]).toEqual([OIDS.sha256, OIDS.ecdsaSha256]);
    const result = await verifyCms(cms, { at: AT, roots: rootsOf(p256), content });
    expect(result.reasons).toEqual([]);
    expect(result.signatureAlgorithm).toBe('ecdsa-p256-sha256');
    const rootPem = pemFile(tmp.dir, 'p256-sign-root', p256.signRoot.certificate);
    const ok = openssl([
      'cms', '-verify', '-inform', 'DER', '-in', put(tmp.dir, 'p256.der', cms), '-content', put(tmp.dir, 'p256.bin', content),
      '-binary', '-CAfile', rootPem, '-attime', ATTIME, '-out', join(tmp.dir, 'p256.out'),
    ]);
    expect(ok.output).toContain('Verification successful');
    expect(ok.status).toBe(0);
  });

  it('high-S is accepted; out-of-range and malformed DER signatures are malformed-signature', async () => {
    const cms = await signCms(gen2HypotheticalSigner(p384), content, { pin: 'ABC123', signingTime: SIGNING_TIME });
    const signature = new Uint8Array(signedData(cms).signerInfos[0]!.signature.buffer);
    const n = order('P-384');
    const roots = rootsOf(p384);
    expect((await verifyCms(withCmsSignature(cms, derWith(signature, 'P-384', (r, s) => [r, n - s])), { at: AT, roots })).reasons).toEqual([]);
    for (const bad of [
      derWith(signature, 'P-384', (_r, s) => [n, s]),
      derWith(signature, 'P-384', (r) => [r, 0n]),
      concatBytes(signature, Uint8Array.of(0)),
      ecdsaSignatureToRaw(signature, 'P-384'),
    ]) {
      const result = await verifyCms(withCmsSignature(cms, bad), { at: AT, roots });
      expect(result.reasons).toEqual(['malformed-signature']);
      expect(result.valid).toBe(false);
    }
  });

  it('a signer whose declared algorithm differs from its certificate key is refused before it signs', async () => {
    const calls: string[] = [];
    const base = gen2HypotheticalSigner(p384);
    const wrong: JpkiCard = {
      jpki: {
        keyAlgorithm: 'ecdsa-p256',
        sign: async (...args) => {
          calls.push('sign');
          return base.jpki.sign(...args);
        },
        readCertificate: base.jpki.readCertificate,
      },
    };
    await expect(signCms(wrong, content, { pin: 'ABC123' })).rejects.toMatchObject({ code: 'key-algorithm-mismatch' });
    expect(calls).toEqual([]);
    // An RSA card declared as ECDSA, and an ECDSA card declared as RSA (no keyAlgorithm).
    const rsa = await loadTestPki();
    const rsaCard = keyCard({ auth: { certificate: rsa.authLeaf.certificate, jwk: rsa.authLeaf.jwk }, sign: { certificate: rsa.signLeaf.certificate, jwk: rsa.signLeaf.jwk } });
    const declared: JpkiCard = { jpki: { ...rsaCard.jpki, keyAlgorithm: 'ecdsa-p384' } };
    await expect(signCms(declared, content, { pin: 'ABC123' })).rejects.toMatchObject({ code: 'key-algorithm-mismatch' });
    const undeclared: JpkiCard = { jpki: { sign: base.jpki.sign, readCertificate: base.jpki.readCertificate } };
    await expect(signCms(undeclared, content, { pin: 'ABC123' })).rejects.toMatchObject({ code: 'key-algorithm-mismatch' });
    expect(rsaCard.calls).toEqual(['read:sign']);
  });

  it('a device that returns a raw signature of the wrong length or with r = 0 is refused (malformed-signature)', async () => {
    const base = gen2HypotheticalSigner(p384);
    for (const raw of [new Uint8Array(95).fill(1), new Uint8Array(96).fill(0)]) {
      const device: JpkiCard = { jpki: { ...base.jpki, keyAlgorithm: 'ecdsa-p384', sign: async () => raw } };
      const error = await signCms(device, content, { pin: 'ABC123' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CryptoError);
      expect((error as CryptoError).code).toBe('malformed-signature');
    }
  });
});

describe('authenticate / verifyAuthentication with an ECDSA signer', () => {
  it('P-384 and P-256: valid, DER signature, the curve hash, the algorithm named', async () => {
    for (const [pki, name, hash, size] of [
      [p384, 'ecdsa-p384-sha384', 'SHA-384', 48],
      [p256, 'ecdsa-p256-sha256', 'SHA-256', 32],
    ] as const) {
      const challenge = createChallenge();
      const login = await authenticate(gen2HypotheticalSigner(pki), { pin: '1234', origin: ORIGIN, challenge, now: AT });
      expect(login.hash).toBe(hash);
      expect(login.certificate).toEqual(pki.authLeaf.certificate);
      expect(ecdsaSignatureToRaw(login.signature, pki.curve).length).toBe(2 * size);
      const result = await verifyAuthentication(login, { at: AT, roots: rootsOf(pki), expectedOrigin: ORIGIN, expectedChallenge: challenge });
      expect(result.reasons).toEqual([]);
      expect(result.valid).toBe(true);
      expect(result.signatureAlgorithm).toBe(name);
      expect(result.message?.origin).toBe(ORIGIN);
      expect(result.chain.signatureAlgorithm).toBe(name);
    }
  });

  it('a hash other than the curve’s is refused before any card command', async () => {
    const calls: string[] = [];
    const base = gen2HypotheticalSigner(p384);
    const card: JpkiCard = { jpki: { ...base.jpki, keyAlgorithm: 'ecdsa-p384', sign: async (...a) => (calls.push('sign'), base.jpki.sign(...a)) } };
    await expect(authenticate(card, { pin: '1234', origin: ORIGIN, challenge: createChallenge(), hash: 'SHA-256' })).rejects.toThrow(InvalidArgumentError);
    expect(calls).toEqual([]);
  });

  it('tampered, malformed and mislabelled signatures', async () => {
    const challenge = createChallenge();
    const login = await authenticate(gen2HypotheticalSigner(p384), { pin: '1234', origin: ORIGIN, challenge, now: AT });
    const options = { at: AT, roots: rootsOf(p384), expectedOrigin: ORIGIN, expectedChallenge: challenge };
    const n = order('P-384');
    const check = async (change: Partial<typeof login>) => (await verifyAuthentication({ ...login, ...change }, options)).reasons;
    expect(await check({ signature: derWith(login.signature, 'P-384', (r, s) => [r ^ 1n, s]) })).toEqual(['challenge-signature-invalid']);
    expect(await check({ signature: derWith(login.signature, 'P-384', (r, s) => [r, n - s]) })).toEqual([]);
    expect(await check({ signature: derWith(login.signature, 'P-384', (r, s) => [r, s + n]) })).toEqual(['malformed-signature']);
    expect(await check({ signature: ecdsaSignatureToRaw(login.signature, 'P-384') })).toEqual(['malformed-signature']);
    expect(await check({ hash: 'SHA-256' })).toEqual(['hash-curve-mismatch']);
    // The sign leaf's key answering a login: the chain says kind-mismatch.
    expect(await check({ certificate: p384.signLeaf.certificate })).toEqual(expect.arrayContaining(['kind-mismatch', 'challenge-signature-invalid']));
  });
});

describe('verifyRawSignature with ECDSA keys', () => {
  it('DER by default, raw on request; the curve hash by default; other hashes refused', async () => {
    const data = text('申請書 2029');
    const raw = new Uint8Array(await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-384' }, p384.signLeaf.privateKey, data.slice()));
    const der = ecdsaSignatureFromRaw(raw, 'P-384');
    const leaf = p384.signLeaf.certificate;
    expect(await verifyRawSignature(leaf, data, der)).toEqual({ valid: true, reasons: [], kind: 'sign', signatureAlgorithm: 'ecdsa-p384-sha384' });
    expect(await verifyRawSignature(leaf, data, raw, { ecdsaFormat: 'raw' })).toEqual({
      valid: true,
      reasons: [],
      kind: 'sign',
      signatureAlgorithm: 'ecdsa-p384-sha384',
    });
    expect((await verifyRawSignature(leaf, data, raw)).reasons).toEqual(['malformed-signature']);
    expect((await verifyRawSignature(leaf, data, raw.subarray(1), { ecdsaFormat: 'raw' })).reasons).toEqual(['malformed-signature']);
    expect((await verifyRawSignature(leaf, text('other'), der)).reasons).toEqual(['data-signature-invalid']);
    expect(await verifyRawSignature(leaf, data, der, { hash: 'SHA-256' })).toEqual({ valid: false, reasons: ['hash-curve-mismatch'], kind: 'sign' });
    expect((await verifyRawSignature(p384.authLeaf.certificate, data, der)).reasons).toEqual(['auth-key-not-allowed', 'data-signature-invalid']);
  });

  it('RSA results name their algorithm; a key on another curve is unsupported-algorithm (thrown, as before for non-RSA keys)', async () => {
    const rsa = await loadTestPki();
    const data = text('x');
    const result = await verifyRawSignature(rsa.signLeaf.certificate, data, new Uint8Array(256));
    expect(result).toEqual({ valid: false, reasons: ['data-signature-invalid'], kind: 'sign', signatureAlgorithm: 'rsa-pkcs1-sha256' });
    const p521 = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-521' }, true, ['sign', 'verify']);
    const leaf = await customLeaf({ issuer: p384.signRoot, kind: 'sign', keyUsage: Uint8Array.of(0x03, 0x02, 0x06, 0xc0), publicKey: p521.publicKey });
    await expect(verifyRawSignature(leaf, data, new Uint8Array(8))).rejects.toMatchObject({ code: 'unsupported-algorithm' });
  });
});
