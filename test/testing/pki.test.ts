import 'reflect-metadata';

import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate as NodeX509 } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import { AsnConvert } from '@peculiar/asn1-schema';
import {
  AuthorityInfoAccessSyntax,
  AuthorityKeyIdentifier,
  Certificate,
  CertificatePolicies,
  CRLDistributionPoints,
  ExtendedKeyUsage,
  IssueAlternativeName,
  Name,
  SubjectAlternativeName,
  SubjectKeyIdentifier,
} from '@peculiar/asn1-x509';
import { X509Certificate as PeculiarX509 } from '@peculiar/x509';
import { beforeAll, describe, expect, it } from 'vitest';

import { isValidMyNumber } from '../../src/aps/my-number.js';
import { InvalidArgumentError } from '../../src/errors.js';
import {
  AUTH_POLICY_OID,
  eraCode,
  fifthBirthdayAfter,
  issueTestAuthLeaf,
  issueTestPkiForHolder,
  issueTestRoot,
  issueTestSignLeaf,
  JPKI_CPS_URL,
  jpkiSanValues,
  loadTestPki,
  sanBirthDate,
  SIGN_POLICY_OID,
  TEST_OCSP_URL,
  TEST_PKI_DATA,
  type TestHolder,
  type TestPki,
} from '../../src/testing/pki.js';

const VECTORS = join(import.meta.dirname, '../vectors/pki');
const REAL = join(import.meta.dirname, '../vectors/real');
const FILES = ['auth-root', 'sign-root', 'auth-leaf', 'sign-leaf'] as const;
function hex(b: ArrayBuffer | Uint8Array): string {
  if (b instanceof Uint8Array) return Buffer.from(b).toString('hex');
  if (b instanceof ArrayBuffer) return Buffer.from(new Uint8Array(b)).toString('hex');
  throw new TypeError('hex() needs bytes');
}
const der = (name: (typeof FILES)[number]): Uint8Array => new Uint8Array(readFileSync(join(VECTORS, `${name}.der`)));
const parse = (bytes: Uint8Array): Certificate => AsnConvert.parse(bytes, Certificate);
const extensions = (bytes: Uint8Array) => parse(bytes).tbsCertificate.extensions ?? [];
const extension = (bytes: Uint8Array, id: string) => {
  const found = extensions(bytes).find((e) => e.extnID === id);
  if (found === undefined) throw new Error(`missing extension ${id}`);
  return found;
};
const extValue = (bytes: Uint8Array, id: string): Uint8Array => new Uint8Array(extension(bytes, id).extnValue.buffer);
const layout = (bytes: Uint8Array): [string, boolean][] => extensions(bytes).map((e) => [e.extnID, e.critical]);
const nameBytes = (name: Name): string => hex(AsnConvert.serialize(name));

const OID = {
  ski: '2.5.29.14',
  ku: '2.5.29.15',
  san: '2.5.29.17',
  ian: '2.5.29.18',
  bc: '2.5.29.19',
  crldp: '2.5.29.31',
  cp: '2.5.29.32',
  aki: '2.5.29.35',
  eku: '2.5.29.37',
  aia: '1.3.6.1.5.5.7.1.1',
};

/** Every Name in a certificate: subject, issuer and the DirNames inside extensions. */
function allNames(bytes: Uint8Array): Name[] {
  const cert = parse(bytes);
  const names: Name[] = [cert.tbsCertificate.subject, cert.tbsCertificate.issuer];
  for (const ext of cert.tbsCertificate.extensions ?? []) {
    const general =
      ext.extnID === OID.san
        ? [...AsnConvert.parse(ext.extnValue, SubjectAlternativeName)]
        : ext.extnID === OID.ian
          ? [...AsnConvert.parse(ext.extnValue, IssueAlternativeName)]
          : ext.extnID === OID.crldp
            ? AsnConvert.parse(ext.extnValue, CRLDistributionPoints).flatMap((dp) => dp.distributionPoint?.fullName ?? [])
            : ext.extnID === OID.aki
              ? (AsnConvert.parse(ext.extnValue, AuthorityKeyIdentifier).authorityCertIssuer ?? [])
              : [];
    for (const g of general) if (g.directoryName !== undefined) names.push(g.directoryName);
  }
  return names;
}

function openssl(args: string[]): { ok: boolean; output: string } {
  try {
    return { ok: true, output: execFileSync('openssl', args, { encoding: 'utf8', stdio: 'pipe' }) };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return { ok: false, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const ON_2026_11_27 = String(Date.UTC(2026, 10, 27) / 1000);

let pki: TestPki;
beforeAll(async () => {
  pki = await loadTestPki();
});

describe('committed test PKI files', () => {
  it('parse with node:crypto and @peculiar/x509, and equal the data module and their PEM twins', () => {
    for (const name of FILES) {
      const bytes = der(name);
      const key = name.replace(/-(\w)/, (_, c: string) => c.toUpperCase()) as 'authRoot';
      expect(Buffer.from(bytes).toString('base64')).toBe(TEST_PKI_DATA[key].certificate);
      expect(pki[key].certificate).toEqual(bytes);
      const pem = readFileSync(join(VECTORS, `${name}.pem`), 'utf8');
      expect(new NodeX509(pem).raw.equals(Buffer.from(bytes))).toBe(true);
      expect(new NodeX509(bytes).serialNumber).toBe(TEST_PKI_DATA[key].serial);
      const peculiar = new PeculiarX509(bytes.slice());
      expect(peculiar.notBefore.toISOString()).toBe(TEST_PKI_DATA[key].notBefore);
      expect(peculiar.notAfter.toISOString()).toBe(TEST_PKI_DATA[key].notAfter);
      expect(peculiar.signatureAlgorithm.name).toBe('RSASSA-PKCS1-v1_5');
    }
  });

  it('chain-verify with openssl (strict, with the policy, valid on 2026-11-27) and node:crypto', () => {
    const pem = (n: string) => join(VECTORS, `${n}.pem`);
    const auth = openssl(['verify', '-x509_strict', '-no_check_time', '-CAfile', pem('auth-root'), pem('auth-leaf')]);
    expect(auth).toEqual({ ok: true, output: `${pem('auth-leaf')}: OK\n` });
    const sign = openssl(['verify', '-x509_strict', '-no_check_time', '-CAfile', pem('sign-root'), pem('sign-leaf')]);
    expect(sign).toEqual({ ok: true, output: `${pem('sign-leaf')}: OK\n` });
    for (const [root, leaf, policy] of [
      ['auth-root', 'auth-leaf', AUTH_POLICY_OID],
      ['sign-root', 'sign-leaf', SIGN_POLICY_OID],
    ] as const) {
      const args = ['verify', '-attime', ON_2026_11_27, '-policy', policy, '-explicit_policy'];
      expect(openssl([...args, '-CAfile', pem(root), pem(leaf)]).ok).toBe(true);
    }
    // Crossing the hierarchies must fail.
    expect(openssl(['verify', '-no_check_time', '-CAfile', pem('sign-root'), pem('auth-leaf')]).ok).toBe(false);
    expect(openssl(['verify', '-no_check_time', '-CAfile', pem('auth-root'), pem('sign-leaf')]).ok).toBe(false);

    const authRoot = new NodeX509(der('auth-root'));
    const signRoot = new NodeX509(der('sign-root'));
    const authLeaf = new NodeX509(der('auth-leaf'));
    const signLeaf = new NodeX509(der('sign-leaf'));
    expect(authRoot.verify(authRoot.publicKey)).toBe(true);
    expect(signRoot.verify(signRoot.publicKey)).toBe(true);
    expect(authLeaf.checkIssued(authRoot) && authLeaf.verify(authRoot.publicKey)).toBe(true);
    expect(signLeaf.checkIssued(signRoot) && signLeaf.verify(signRoot.publicKey)).toBe(true);
    expect(authLeaf.verify(signRoot.publicKey)).toBe(false);
  });

  it('match the committed JWKs, which are complete RSA-2048 private keys with e = 65537', async () => {
    const keyFiles = {
      'auth-root': TEST_PKI_DATA.authRoot.privateKey,
      'sign-root': TEST_PKI_DATA.signRoot.privateKey,
      'auth-leaf': TEST_PKI_DATA.authLeaf.privateKey,
      'sign-leaf': TEST_PKI_DATA.signLeaf.privateKey,
      'card-verifiable': TEST_PKI_DATA.cardVerifiable.privateKey,
      'cv-issuer': TEST_PKI_DATA.cardVerifiable.issuerPrivateKey,
    };
    const moduli = new Set<string>();
    for (const [file, jwk] of Object.entries(keyFiles)) {
      expect(JSON.parse(readFileSync(join(VECTORS, 'keys', `${file}.jwk.json`), 'utf8'))).toEqual(jwk);
      for (const field of ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const) expect(typeof jwk[field]).toBe('string');
      expect(jwk.kty).toBe('RSA');
      expect(jwk.e).toBe('AQAB');
      expect(Buffer.from(jwk.n!, 'base64url').length).toBe(256);
      moduli.add(jwk.n!);
    }
    expect(moduli.size).toBe(6);
    // Each certificate holds the public half of its private key.
    for (const name of FILES) {
      const key = name.replace(/-(\w)/, (_, c: string) => c.toUpperCase()) as 'authRoot';
      const message = new TextEncoder().encode(`test ${name}`);
      const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', pki[key].privateKey, message);
      const certKey = await new PeculiarX509(pki[key].certificate.slice()).publicKey.export();
      expect(await crypto.subtle.verify('RSASSA-PKCS1-v1_5', certKey, signature, message)).toBe(true);
    }
  });

  it('are the exact output of the issuers fed with the committed keys and parameters', async () => {
    const d = TEST_PKI_DATA;
    const authRoot = await issueTestRoot({
      purpose: 'auth',
      keys: { privateKey: pki.authRoot.privateKey, publicKey: pki.authRoot.publicKey },
      serial: d.authRoot.serial,
      notBefore: new Date(d.authRoot.notBefore),
      notAfter: new Date(d.authRoot.notAfter),
    });
    const signRoot = await issueTestRoot({
      purpose: 'sign',
      keys: { privateKey: pki.signRoot.privateKey, publicKey: pki.signRoot.publicKey },
      serial: d.signRoot.serial,
      notBefore: new Date(d.signRoot.notBefore),
      notAfter: new Date(d.signRoot.notAfter),
    });
    const authLeaf = await issueTestAuthLeaf({
      issuer: { certificate: authRoot, privateKey: pki.authRoot.privateKey },
      publicKey: pki.authLeaf.publicKey,
      serial: d.authLeaf.serial,
      notBefore: new Date(d.authLeaf.notBefore),
      notAfter: new Date(d.authLeaf.notAfter),
      cn: d.authCn,
      prefecture: d.prefecture,
      municipality: d.municipality,
    });
    const signLeaf = await issueTestSignLeaf({
      issuer: { certificate: signRoot, privateKey: pki.signRoot.privateKey },
      publicKey: pki.signLeaf.publicKey,
      serial: d.signLeaf.serial,
      notBefore: new Date(d.signLeaf.notBefore),
      notAfter: new Date(d.signLeaf.notAfter),
      cn: d.signCn,
      holder: d.holder,
      prefectureRomaji: d.prefecture,
      municipalityRomaji: d.municipality,
    });
    expect(hex(authRoot)).toBe(hex(der('auth-root')));
    expect(hex(signRoot)).toBe(hex(der('sign-root')));
    expect(hex(authLeaf)).toBe(hex(der('auth-leaf')));
    expect(hex(signLeaf)).toBe(hex(der('sign-leaf')));
  });

  it('use the documented dates, serials and a holder with a valid My Number', () => {
    const d = TEST_PKI_DATA;
    expect([d.authRoot.serial, d.signRoot.serial, d.authLeaf.serial, d.signLeaf.serial]).toEqual([
      '7E570A01',
      '7E570A02',
      '7E57A001',
      '7E57B001',
    ]);
    for (const root of [d.authRoot, d.signRoot]) {
      expect([root.notBefore, root.notAfter]).toEqual(['2023-07-16T01:00:00.000Z', '2033-07-15T14:59:59.000Z']);
    }
    for (const leaf of [d.authLeaf, d.signLeaf]) {
      expect([leaf.notBefore, leaf.notAfter]).toEqual(['2025-04-01T01:23:45.000Z', '2030-01-02T14:59:59.000Z']);
    }
    expect(d.holder).toEqual({
      name: '由利　花子',
      address: '秋田県由利本荘市尾崎１７番地',
      birthDate: '1990-01-02',
      sex: '2',
      myNumber: '123456789018',
    });
    expect(isValidMyNumber(d.holder.myNumber)).toBe(true);
    expect(d.authCn).toHaveLength(23);
    expect(d.signCn).toHaveLength(28);
    expect(d.signCn.startsWith('20250401102345')).toBe(true); // request time in JST = notBefore + 9 h
  });
});

describe('profile of the test roots (mirrors the J-LIS gen3 roots)', () => {
  it('have the real extension order and criticality', () => {
    const real = new Uint8Array(readFileSync(join(import.meta.dirname, '../vectors/jlis-roots/jlis-jpki-auth-root-gen3-2023-authca03.der')));
    const expected: [string, boolean][] = [
      [OID.ku, true],
      [OID.san, false],
      [OID.bc, true],
      [OID.crldp, false],
      [OID.ski, false],
    ];
    expect(layout(real)).toEqual(expected);
    expect(layout(der('auth-root'))).toEqual(expected);
    expect(layout(der('sign-root'))).toEqual(expected);
  });

  it('encode KU, BC, CRLDP, SAN and SKI like the real roots', () => {
    for (const [name, purpose] of [
      ['auth-root', 'JPKI for user authentication'],
      ['sign-root', 'JPKI for digital signature'],
    ] as const) {
      const bytes = der(name);
      const cert = parse(bytes);
      expect(hex(extValue(bytes, OID.ku))).toBe('03020106');
      expect(hex(extValue(bytes, OID.bc))).toBe('30030101ff');
      expect(new NodeX509(bytes).subject).toBe(
        `C=JP\nO=JPKI-TEST\nOU=${purpose}\nOU=Japan Agency for Local Authority Information Systems`,
      );
      expect(nameBytes(cert.tbsCertificate.issuer)).toBe(nameBytes(cert.tbsCertificate.subject));
      const crldp = AsnConvert.parse(extValue(bytes, OID.crldp), CRLDistributionPoints);
      expect(crldp).toHaveLength(1);
      expect(crldp[0]!.distributionPoint!.fullName).toHaveLength(1);
      expect(nameBytes(crldp[0]!.distributionPoint!.fullName![0]!.directoryName!)).toBe(nameBytes(cert.tbsCertificate.subject));
      const san = AsnConvert.parse(extValue(bytes, OID.san), SubjectAlternativeName);
      expect(san).toHaveLength(1);
      const ja = purpose.includes('user') ? '公的個人認証サービス利用者証明用' : '公的個人認証サービス署名用';
      expect(san[0]!.directoryName!.map((rdn) => rdn[0]!.value.toString())).toEqual([
        'JP',
        '公的個人認証サービス（テスト）',
        ja,
        '地方公共団体情報システム機構',
      ]);
      // SKI = SHA-1 of the RSAPublicKey bits (as J-LIS computes it).
      const spkiBits = new Uint8Array(cert.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey);
      const ski = AsnConvert.parse(extValue(bytes, OID.ski), SubjectKeyIdentifier);
      expect(hex(ski.buffer)).toBe(createHash('sha1').update(spkiBits).digest('hex'));
      expect(new NodeX509(bytes).ca).toBe(true);
    }
  });
});

describe('profile of the test auth leaf (mirrors the real 利用者証明用 leaves)', () => {
  const bytes = () => der('auth-leaf');

  it('has the real extension order and criticality', () => {
    const real = new Uint8Array(readFileSync(join(REAL, 'real-auth-leaf-2023-issued-by-authca02__mynawallet-myna_new_cert.der')));
    const expected: [string, boolean][] = [
      [OID.ku, true],
      [OID.eku, false],
      [OID.cp, true],
      [OID.ian, false],
      [OID.crldp, false],
      [OID.aia, false],
      [OID.aki, false],
      [OID.ski, false],
    ];
    expect(layout(real)).toEqual(expected);
    expect(layout(bytes())).toEqual(expected);
  });

  it('has subject C=JP, CN=<opaque>, KU 03 02 07 80, EKU clientAuth, policy …3.30 with CPS, OCSP AIA', () => {
    expect(new NodeX509(bytes()).subject).toBe('C=JP\nCN=JPKITEST0AUTH0000000001');
    expect(hex(extValue(bytes(), OID.ku))).toBe('03020780');
    expect([...AsnConvert.parse(extValue(bytes(), OID.eku), ExtendedKeyUsage)]).toEqual(['1.3.6.1.5.5.7.3.2']);
    const policies = AsnConvert.parse(extValue(bytes(), OID.cp), CertificatePolicies);
    expect(policies.map((p) => p.policyIdentifier)).toEqual([AUTH_POLICY_OID]);
    expect(policies[0]!.policyQualifiers!.map((q) => q.policyQualifierId)).toEqual(['1.3.6.1.5.5.7.2.1']);
    // The CPS URI is an IA5String (0x16) holding the real CPS address.
    expect(hex(new Uint8Array(policies[0]!.policyQualifiers![0]!.qualifier!))).toBe(
      `16${JPKI_CPS_URL.length.toString(16)}${hex(Buffer.from(JPKI_CPS_URL))}`,
    );
    const aia = AsnConvert.parse(extValue(bytes(), OID.aia), AuthorityInfoAccessSyntax);
    expect(aia.map((a) => [a.accessMethod, a.accessLocation.uniformResourceIdentifier])).toEqual([
      ['1.3.6.1.5.5.7.48.1', TEST_OCSP_URL],
    ]);
    expect(TEST_OCSP_URL).toBe('http://ocspauthnorm.jpki.test');
  });

  it('names the municipality in a DirName-only CRLDP', () => {
    const crldp = AsnConvert.parse(extValue(bytes(), OID.crldp), CRLDistributionPoints);
    const names = crldp[0]!.distributionPoint!.fullName!;
    expect(names).toHaveLength(1);
    expect(names[0]!.uniformResourceIdentifier).toBeUndefined();
    expect(names[0]!.directoryName!.map((rdn) => rdn[0]!.value.toString())).toEqual([
      'JP',
      'JPKI-TEST',
      'JPKI for user authentication',
      'CRL Distribution Points',
      'Akita-ken',
      'Yurihonjo-shi CRLDP',
    ]);
  });
});

describe('profile of the test sign leaf (mirrors the 署名用 profile)', () => {
  const bytes = () => der('sign-leaf');

  it('has the extension order and criticality of the 署名用 profile', () => {
    const lookalike = new Uint8Array(readFileSync(join(REAL, 'synthetic-sign-leaf-fake-jlis-issuer__mynawallet-dummy_secret_cert.der')));
    const expected: [string, boolean][] = [
      [OID.ku, true],
      [OID.san, false],
      [OID.cp, true],
      [OID.ian, false],
      [OID.crldp, false],
      [OID.aki, false],
      [OID.ski, false],
    ];
    expect(layout(lookalike)).toEqual(expected);
    expect(layout(bytes())).toEqual(expected);
  });

  it('has subject C, L, L, CN, KU 03 02 06 C0 and policy …1.20 with CPS', () => {
    expect(new NodeX509(bytes()).subject).toBe('C=JP\nL=Akita-ken\nL=Yurihonjo-shi\nCN=2025040110234500001TEST05210');
    expect(hex(extValue(bytes(), OID.ku))).toBe('030206c0');
    const policies = AsnConvert.parse(extValue(bytes(), OID.cp), CertificatePolicies);
    expect(policies.map((p) => p.policyIdentifier)).toEqual([SIGN_POLICY_OID]);
    expect(hex(extValue(bytes(), OID.cp))).toBe(
      hex(extValue(new Uint8Array(readFileSync(join(REAL, 'synthetic-sign-leaf-fake-jlis-issuer__mynawallet-dummy_secret_cert.der'))), OID.cp)),
    );
  });

  it('carries the six JPKI otherNames in the real order, each [0] EXPLICIT UTF8String', () => {
    const san = AsnConvert.parse(extValue(bytes(), OID.san), SubjectAlternativeName);
    const entries = san.map((g) => {
      const inner = new Uint8Array(g.otherName!.value);
      return { oid: g.otherName!.typeId, tag: inner[0], value: Buffer.from(inner.subarray(2)).toString('utf8'), len: inner[1] };
    });
    expect(entries.map((e) => e.oid)).toEqual([
      '1.2.392.200149.8.5.5.1',
      '1.2.392.200149.8.5.5.4',
      '1.2.392.200149.8.5.5.3',
      '1.2.392.200149.8.5.5.5',
      '1.2.392.200149.8.5.5.2',
      '1.2.392.200149.8.5.5.6',
    ]);
    for (const e of entries) {
      expect(e.tag).toBe(0x0c);
      expect(e.len).toBe(Buffer.byteLength(e.value)); // short-form length covers the whole value
    }
    const [name, dob, sex, address, nameFlags, addressFlags] = entries.map((e) => e.value);
    expect(name).toBe('由利　花子');
    expect(name!.charAt(2)).toBe('\u3000');
    expect(dob).toBe('419900102');
    expect(dob!.slice(0, 1)).toBe(eraCode('1990-01-02'));
    expect(sex).toBe('2');
    expect(address).toBe('秋田県由利本荘市尾崎１７番地');
    expect(nameFlags).toBe('0'.repeat([...name!].length));
    expect(addressFlags).toBe('0'.repeat([...address!].length));
    expect(nameFlags).toHaveLength(5);
    expect(addressFlags).toHaveLength(14);
  });
});

describe('shared leaf properties', () => {
  for (const [leafName, rootName, ja] of [
    ['auth-leaf', 'auth-root', '公的個人認証サービス利用者証明用'],
    ['sign-leaf', 'sign-root', '公的個人認証サービス署名用'],
  ] as const) {
    it(`${leafName}: AKI = root keyid + root DirName + root serial; IAN = root SAN`, () => {
      const leaf = der(leafName);
      const root = der(rootName);
      const aki = AsnConvert.parse(extValue(leaf, OID.aki), AuthorityKeyIdentifier);
      const rootSki = AsnConvert.parse(extValue(root, OID.ski), SubjectKeyIdentifier);
      expect(hex(aki.keyIdentifier!.buffer)).toBe(hex(rootSki.buffer));
      expect(rootSki.buffer.byteLength).toBe(20);
      expect(aki.authorityCertIssuer).toHaveLength(1);
      expect(nameBytes(aki.authorityCertIssuer![0]!.directoryName!)).toBe(nameBytes(parse(root).tbsCertificate.subject));
      expect(hex(aki.authorityCertSerialNumber!)).toBe(hex(parse(root).tbsCertificate.serialNumber));
      expect(nameBytes(parse(leaf).tbsCertificate.issuer)).toBe(nameBytes(parse(root).tbsCertificate.subject));
      // The IAN of the leaf is byte-identical to the root's SAN, as on real certificates.
      expect(hex(extValue(leaf, OID.ian))).toBe(hex(extValue(root, OID.san)));
      const ian = AsnConvert.parse(extValue(leaf, OID.ian), IssueAlternativeName);
      expect(ian[0]!.directoryName!.map((rdn) => rdn[0]!.value.toString())[2]).toBe(ja);
      const ski = AsnConvert.parse(extValue(leaf, OID.ski), SubjectKeyIdentifier);
      const bits = new Uint8Array(parse(leaf).tbsCertificate.subjectPublicKeyInfo.subjectPublicKey);
      expect(hex(ski.buffer)).toBe(createHash('sha1').update(bits).digest('hex'));
    });

    it(`${leafName}: ends at 14:59:59Z and is an RSA-2048 e=65537 sha256WithRSA certificate`, () => {
      const cert = parse(der(leafName));
      expect(cert.signatureAlgorithm.algorithm).toBe('1.2.840.113549.1.1.11');
      // AlgorithmIdentifier sha256WithRSAEncryption with explicit NULL parameters, in TBS and outer.
      const algorithm = '300d06092a864886f70d01010b0500';
      expect(hex(der(leafName)).split(algorithm)).toHaveLength(3);
      expect(cert.tbsCertificate.validity.notAfter.utcTime!.toISOString()).toBe('2030-01-02T14:59:59.000Z');
      const key = new NodeX509(der(leafName)).publicKey;
      expect(key.asymmetricKeyDetails).toEqual({ modulusLength: 2048, publicExponent: 65537n });
    });
  }

  it('use PrintableString for C and UTF8String for every other attribute, in every Name', () => {
    let seen = 0;
    for (const name of FILES) {
      const bytes = der(name);
      for (const dn of allNames(bytes)) {
        for (const rdn of dn) {
          expect(rdn).toHaveLength(1);
          const attr = rdn[0]!;
          seen++;
          if (attr.type === '2.5.4.6') {
            expect(attr.value.printableString).toBe('JP');
            expect(attr.value.utf8String).toBeUndefined();
          } else {
            expect(attr.value.utf8String).toBeDefined();
            expect(attr.value.printableString).toBeUndefined();
          }
        }
      }
      // Raw-byte check: C=JP is `06 03 55 04 06 13 02 4A 50` and never UTF8String-encoded.
      expect(hex(bytes)).toContain('0603550406' + '13024a50');
      expect(hex(bytes)).not.toContain('0603550406' + '0c024a50');
    }
    expect(seen).toBeGreaterThan(60);
  });
});

describe('issuers', () => {
  const holder2: TestHolder = {
    name: '本荘　太郎',
    nameSubstitutionFlags: '01000',
    address: '秋田県由利本荘市石脇字田尻野１番地',
    birthDate: '2019-05-01',
    sex: '1',
    myNumber: '000000000019',
  };

  it('are deterministic: the same keys and parameters give byte-identical certificates', async () => {
    const params = {
      purpose: 'sign' as const,
      keys: { privateKey: pki.signRoot.privateKey, publicKey: pki.signRoot.publicKey },
      serial: '01',
      notBefore: new Date('2024-01-01T00:00:00Z'),
      notAfter: new Date('2034-01-01T14:59:59Z'),
    };
    expect(hex(await issueTestRoot(params))).toBe(hex(await issueTestRoot(params)));
    const again = await issueTestPkiForHolder(holder2, pki);
    const twice = await issueTestPkiForHolder(holder2, pki);
    expect(hex(again.signLeaf.certificate)).toBe(hex(twice.signLeaf.certificate));
  });

  it('issueTestPkiForHolder gives back the committed leaves for the committed holder', async () => {
    const same = await issueTestPkiForHolder(TEST_PKI_DATA.holder, pki);
    expect(hex(same.signLeaf.certificate)).toBe(hex(der('sign-leaf')));
    expect(hex(same.authLeaf.certificate)).toBe(hex(der('auth-leaf')));
  });

  it('issueTestPkiForHolder re-issues the sign leaf for another holder, same key/serial/dates', async () => {
    const other = await issueTestPkiForHolder(holder2, pki, { municipality: 'Yurihonjo-shi' });
    expect(other.holder).toBe(holder2);
    expect(other.signLeaf.privateKey).toBe(pki.signLeaf.privateKey);
    expect(hex(other.authLeaf.certificate)).toBe(hex(der('auth-leaf')));
    const cert = new NodeX509(other.signLeaf.certificate);
    expect(cert.serialNumber).toBe(TEST_PKI_DATA.signLeaf.serial);
    expect(cert.verify(new NodeX509(der('sign-root')).publicKey)).toBe(true);
    expect(cert.publicKey.equals(new NodeX509(der('sign-leaf')).publicKey)).toBe(true);
    const san = AsnConvert.parse(extValue(other.signLeaf.certificate, OID.san), SubjectAlternativeName);
    const values = san.map((g) => Buffer.from(new Uint8Array(g.otherName!.value).subarray(2)).toString('utf8'));
    expect(values).toEqual([
      '本荘　太郎',
      '520190501',
      '1',
      '秋田県由利本荘市石脇字田尻野１番地',
      '01000',
      '0'.repeat(17),
    ]);
  });

  it('issueTestPkiForHolder moves both CRLDPs and the sign L= to another municipality', async () => {
    const moved = await issueTestPkiForHolder(TEST_PKI_DATA.holder, pki, { prefecture: 'Tokyo-to', municipality: 'Kiyose-shi' });
    expect(new NodeX509(moved.signLeaf.certificate).subject).toBe(`C=JP\nL=Tokyo-to\nL=Kiyose-shi\nCN=${TEST_PKI_DATA.signCn}`);
    for (const leaf of [moved.authLeaf.certificate, moved.signLeaf.certificate]) {
      const dn = AsnConvert.parse(extValue(leaf, OID.crldp), CRLDistributionPoints)[0]!.distributionPoint!.fullName![0]!.directoryName!;
      expect(dn.slice(4).map((rdn) => rdn[0]!.value.toString())).toEqual(['Tokyo-to', 'Kiyose-shi CRLDP']);
    }
    expect(moved.prefecture).toBe('Tokyo-to');
  });

  it('reject parameters outside the profile', async () => {
    const base = {
      issuer: { certificate: pki.signRoot.certificate, privateKey: pki.signRoot.privateKey },
      publicKey: pki.signLeaf.publicKey,
      serial: '01',
      notBefore: new Date('2025-04-01T00:00:00Z'),
      notAfter: new Date('2030-01-02T14:59:59Z'),
      cn: TEST_PKI_DATA.signCn,
      holder: TEST_PKI_DATA.holder,
      prefectureRomaji: 'Akita-ken',
      municipalityRomaji: 'Yurihonjo-shi',
    };
    await expect(issueTestSignLeaf({ ...base, notAfter: new Date('2030-01-02T15:00:00Z') })).rejects.toThrow(InvalidArgumentError);
    await expect(issueTestSignLeaf({ ...base, notBefore: new Date('2031-01-01T00:00:00Z') })).rejects.toThrow(InvalidArgumentError);
    await expect(issueTestSignLeaf({ ...base, serial: '00' })).rejects.toThrow(InvalidArgumentError);
    await expect(issueTestSignLeaf({ ...base, serial: 'xyz' })).rejects.toThrow(InvalidArgumentError);
    await expect(issueTestSignLeaf({ ...base, cn: '' })).rejects.toThrow(InvalidArgumentError);
    await expect(issueTestSignLeaf({ ...base, prefectureRomaji: '秋田県' })).rejects.toThrow(InvalidArgumentError);
    await expect(
      issueTestSignLeaf({ ...base, holder: { ...base.holder, nameSubstitutionFlags: '0000' } }),
    ).rejects.toThrow(InvalidArgumentError);
    await expect(
      issueTestSignLeaf({ ...base, holder: { ...base.holder, addressSubstitutionFlags: '2'.repeat(14) } }),
    ).rejects.toThrow(InvalidArgumentError);
    await expect(
      issueTestSignLeaf({ ...base, holder: { ...base.holder, birthDate: '1990-02-30' } }),
    ).rejects.toThrow(InvalidArgumentError);
    // A SHA-1 signing key would not match the sha256WithRSAEncryption OID written into the certificate.
    const sha1Key = await crypto.subtle.importKey(
      'jwk',
      { ...TEST_PKI_DATA.signRoot.privateKey, alg: 'RS1' },
      { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-1' },
      false,
      ['sign'],
    );
    await expect(
      issueTestSignLeaf({ ...base, issuer: { certificate: pki.signRoot.certificate, privateKey: sha1Key } }),
    ).rejects.toThrow(InvalidArgumentError);
  });

  it('encode serials as positive minimal INTEGERs', async () => {
    const issue = (serial: string) =>
      issueTestRoot({
        purpose: 'auth',
        keys: { privateKey: pki.authRoot.privateKey, publicKey: pki.authRoot.publicKey },
        serial,
        notBefore: new Date('2024-01-01T00:00:00Z'),
        notAfter: new Date('2034-01-01T14:59:59Z'),
      });
    expect(hex(parse(await issue('0001')).tbsCertificate.serialNumber)).toBe('01');
    expect(hex(parse(await issue('FF')).tbsCertificate.serialNumber)).toBe('00ff');
    expect(hex(parse(await issue('80000000')).tbsCertificate.serialNumber)).toBe('0080000000');
  });
});

describe('SAN helpers', () => {
  it('eraCode switches on the first day of each era', () => {
    const cases: [string, string][] = [
      ['1868-10-23', '1'],
      ['1912-07-29', '1'],
      ['1912-07-30', '2'],
      ['1926-12-24', '2'],
      ['1926-12-25', '3'],
      ['1989-01-07', '3'],
      ['1989-01-08', '4'],
      ['2019-04-30', '4'],
      ['2019-05-01', '5'],
      ['2026-11-27', '5'],
    ];
    for (const [date, code] of cases) expect([date, eraCode(date)]).toEqual([date, code]);
    for (const bad of ['1868-10-22', '1990-1-2', '19900102', '1990-13-01', '2023-02-29']) {
      expect(() => eraCode(bad)).toThrow(InvalidArgumentError);
    }
  });

  it('sanBirthDate prefixes the era digit to the Gregorian YYYYMMDD', () => {
    expect(sanBirthDate('1990-01-02')).toBe('419900102');
    expect(sanBirthDate('1989-01-07')).toBe('319890107');
    expect(sanBirthDate('2008-10-31')).toBe('420081031'); // the value in the MynaWallet lookalike
  });

  it('jpkiSanValues counts characters (code points), not UTF-16 units', () => {
    const values = jpkiSanValues({ ...TEST_PKI_DATA.holder, name: '𠮷田　花子' });
    expect(values.nameSubstitutionFlags).toBe('00000');
    expect(() => jpkiSanValues({ ...TEST_PKI_DATA.holder, sex: '4' as '1' })).toThrow(InvalidArgumentError);
  });

  it('fifthBirthdayAfter counts JST birthdays strictly after issuance, ending 23:59:59 JST', () => {
    const at = (iso: string) => fifthBirthdayAfter('1990-01-02', new Date(iso)).toISOString();
    expect(at('2025-04-01T01:23:45Z')).toBe('2030-01-02T14:59:59.000Z');
    // Issued on the birthday itself (JST): that birthday does not count.
    expect(at('2025-01-02T00:00:00Z')).toBe('2030-01-02T14:59:59.000Z');
    // 2025-01-01T15:00Z is already 2025-01-02 in JST.
    expect(at('2025-01-01T15:00:00Z')).toBe('2030-01-02T14:59:59.000Z');
    // The day before the birthday (JST): this year's birthday counts.
    expect(at('2025-01-01T14:59:59Z')).toBe('2029-01-02T14:59:59.000Z');
    // 29 February falls back to 28 February in common years.
    expect(fifthBirthdayAfter('2000-02-29', new Date('2025-04-01T00:00:00Z')).toISOString()).toBe('2030-02-28T14:59:59.000Z');
    expect(fifthBirthdayAfter('2000-02-29', new Date('2023-04-01T00:00:00Z')).toISOString()).toBe('2028-02-29T14:59:59.000Z');
  });
});
