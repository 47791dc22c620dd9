import { beforeAll, describe, expect, it } from 'vitest';
import { concatBytes } from '../../src/bytes.js';
import { CryptoError, InvalidArgumentError } from '../../src/errors.js';
import { verifyJpkiChain } from '../../src/crypto/chain.js';
import { parseJpkiCertificate } from '../../src/crypto/parse.js';
import { loadTestPki, type TestPki } from '../../src/testing/pki.js';
import {
  authLeafExtensions,
  ext,
  freshKeys,
  issue,
  OIDS,
  REAL,
  ROOT_FILES,
  rootExtensions,
  signingKeyWithHash,
  signLeafExtensions,
  subjectDer,
  vector,
} from './helpers.js';

const at = (iso: string): { at: Date } => ({ at: new Date(iso) });

describe('verifyJpkiChain: real certificates against the bundled J-LIS roots', () => {
  it.each([
    [REAL.auth2019, '2020-01-01T00:00:00Z', 'authca01', 1, '01'],
    [REAL.auth2020mw, '2022-01-01T00:00:00Z', 'authca02', 2, '0133C349'],
    [REAL.auth2020sk, '2024-06-01T00:00:00Z', 'authca02', 2, '0133C349'],
    [REAL.auth2023, '2026-06-01T00:00:00Z', 'authca02', 2, '0133C349'],
  ])('%s is valid at %s under %s', async (file, date, name, generation, serial) => {
    const result = await verifyJpkiChain(vector(file), at(date));
    expect(result.reasons).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.generation).toBe(generation);
    expect(result.root).toMatchObject({ name, purpose: 'auth', generation, serialNumber: serial });
    expect(result.root?.der).toEqual(vector(ROOT_FILES[name as keyof typeof ROOT_FILES]));
    expect(result.certificate?.kind).toBe('auth');
  });

  it('validity ends at notAfter inclusive (14:59:59Z)', async () => {
    expect((await verifyJpkiChain(vector(REAL.auth2019), at('2024-05-02T14:59:59Z'))).reasons).toEqual([]);
    expect((await verifyJpkiChain(vector(REAL.auth2019), at('2024-05-02T15:00:00Z'))).reasons).toEqual(['leaf-expired']);
  });

  it('reports an expired leaf and an expired generation-1 root together', async () => {
    const result = await verifyJpkiChain(vector(REAL.auth2019), at('2026-01-01T00:00:00Z'));
    expect(result.valid).toBe(false);
    expect(result.reasons).toEqual(['leaf-expired', 'root-expired']);
    expect(result.root?.name).toBe('authca01');
  });

  it('reports a leaf that is not yet valid', async () => {
    expect((await verifyJpkiChain(vector(REAL.auth2019), at('2019-07-01T00:00:00Z'))).reasons).toEqual(['leaf-not-yet-valid']);
  });

  it('rejects the MynaWallet look-alike (signca02 DN and AKI, another key)', async () => {
    const result = await verifyJpkiChain(vector(REAL.lookalike), at('2021-01-01T00:00:00Z'));
    expect(result.valid).toBe(false);
    expect(result.reasons).toEqual(['signature-invalid']);
    expect(result.root).toBeUndefined();
    expect(result.certificate?.kind).toBe('sign');
  });

  it('rejects look-alikes built here: fresh key, issuer DN and AKI copied from signca02 / authca02', async () => {
    const keys = await freshKeys();
    const holderKeys = await freshKeys();
    for (const [rootFile, extensionsOf] of [
      [ROOT_FILES.signca02, signLeafExtensions],
      [ROOT_FILES.authca02, authLeafExtensions],
    ] as const) {
      const root = parseJpkiCertificate(vector(rootFile));
      const issuerDn = subjectDer(vector(rootFile));
      const aki = ext.aki(root.subjectKeyIdentifier!, { nameDer: issuerDn, serialHex: root.serialNumber });
      const fake = await issue({
        issuer: issuerDn,
        subject: 'C=JP, CN=FAKE0000000000000000000',
        publicKey: holderKeys.publicKey,
        signingKey: keys.privateKey,
        extensions: [...extensionsOf(root.subjectKeyIdentifier!).slice(0, -1), aki],
      });
      expect(parseJpkiCertificate(fake).issuer.text).toBe(root.subject.text);
      expect(parseJpkiCertificate(fake).authorityKeyIdentifier).toEqual({
        keyIdentifier: root.subjectKeyIdentifier,
        serialNumber: root.serialNumber,
      });
      const result = await verifyJpkiChain(fake, at('2025-01-01T00:00:00Z'));
      expect(result.reasons).toEqual(['signature-invalid']);
      expect(result.valid).toBe(false);
    }
  });

  it('a foreign issuer that claims nothing is "no-issuer-found"', async () => {
    const keys = await freshKeys();
    const holderKeys = await freshKeys();
    const foreign = await issue({
      issuer: 'C=JP, O=Elsewhere',
      subject: 'C=JP, CN=x',
      publicKey: holderKeys.publicKey,
      signingKey: keys.privateKey,
      extensions: authLeafExtensions('0102030405060708090a0b0c0d0e0f1011121314'),
    });
    expect((await verifyJpkiChain(foreign, at('2025-01-01T00:00:00Z'))).reasons).toEqual(['no-issuer-found']);
  });

  it('rejects a root passed as the leaf', async () => {
    const result = await verifyJpkiChain(vector(ROOT_FILES.signca02), at('2024-01-01T00:00:00Z'));
    expect(result.valid).toBe(false);
    // The other generations share the DN, so the claim by name makes it "signature-invalid".
    expect(result.reasons).toEqual(['leaf-is-ca', 'leaf-self-signed', 'signature-invalid']);
    expect(result.root).toBeUndefined();
  });

  it('rejects the legacy SHA-1 BridgeCA, even when it is offered as its own root', async () => {
    const bridge = vector(REAL.bridgeCa);
    const result = await verifyJpkiChain(bridge, { at: new Date('2010-01-01T00:00:00Z'), roots: [bridge] });
    expect(result.reasons).toEqual(['sha1-signature', 'leaf-is-ca', 'leaf-self-signed', 'no-issuer-found']);
    const allowed = await verifyJpkiChain(bridge, { at: new Date('2010-01-01T00:00:00Z'), roots: [bridge], allowSha1: true });
    expect(allowed.reasons).toEqual(['leaf-is-ca', 'leaf-self-signed', 'no-issuer-found']);
  });

  it('malformed leaves are reported, not thrown', async () => {
    const der = vector(REAL.auth2023);
    for (const bad of [der.subarray(0, der.length - 3), concatBytes(der, Uint8Array.of(0)), new Uint8Array(0)]) {
      expect(await verifyJpkiChain(bad, at('2025-01-01T00:00:00Z'))).toEqual({ valid: false, reasons: ['malformed-certificate'] });
    }
  });

  it('argument errors throw', async () => {
    const der = vector(REAL.auth2023);
    await expect(verifyJpkiChain(der, {} as { at: Date })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(verifyJpkiChain(der, { at: new Date('nonsense') })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(verifyJpkiChain(der, { at: new Date(), roots: 'x' as never })).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(verifyJpkiChain(der, { at: new Date(), roots: [der.subarray(0, 10)] })).rejects.toMatchObject({
      code: 'malformed-certificate',
    });
    await expect(verifyJpkiChain(der, { at: new Date(), roots: [der.subarray(0, 10)] })).rejects.toBeInstanceOf(CryptoError);
  });
});

describe('verifyJpkiChain: test PKI and constructed certificates', () => {
  let pki: TestPki;
  let roots: Uint8Array[];
  let authSki: string;
  let signSki: string;
  let authIssuer: Uint8Array;
  let signIssuer: Uint8Array;
  const when = at('2026-01-01T00:00:00Z');

  /** A leaf from the test auth root with the test auth leaf's key. */
  async function authLeaf(overrides: Partial<Parameters<typeof issue>[0]> = {}): Promise<Uint8Array> {
    return issue({
      issuer: authIssuer,
      subject: 'C=JP, CN=JPKITEST0AUTH0000000099',
      publicKey: pki.authLeaf.publicKey,
      signingKey: pki.authRoot.privateKey,
      extensions: authLeafExtensions(authSki),
      ...overrides,
    });
  }

  beforeAll(async () => {
    pki = await loadTestPki();
    roots = [pki.authRoot.certificate, pki.signRoot.certificate];
    authSki = parseJpkiCertificate(pki.authRoot.certificate).subjectKeyIdentifier!;
    signSki = parseJpkiCertificate(pki.signRoot.certificate).subjectKeyIdentifier!;
    authIssuer = subjectDer(pki.authRoot.certificate);
    signIssuer = subjectDer(pki.signRoot.certificate);
  });

  it('accepts the test auth and sign leaves with the test roots, not with the J-LIS roots', async () => {
    for (const leaf of [pki.authLeaf.certificate, pki.signLeaf.certificate]) {
      const result = await verifyJpkiChain(leaf, { ...when, roots });
      expect(result.reasons).toEqual([]);
      expect(result.generation).toBeUndefined();
      expect((await verifyJpkiChain(leaf, when)).reasons).toEqual(['no-issuer-found']);
    }
    const sign = await verifyJpkiChain(pki.signLeaf.certificate, { ...when, roots });
    expect(sign.root?.der).toEqual(pki.signRoot.certificate);
    expect(sign.certificate?.person?.name).toBe(pki.holder.name);
  });

  it('the constructed auth leaf is valid as built (baseline for the negative cases)', async () => {
    expect((await verifyJpkiChain(await authLeaf(), { ...when, roots })).reasons).toEqual([]);
  });

  it('chooses among same-DN roots by signature, never by name', async () => {
    const keys = await freshKeys();
    const twin = await issue({
      issuer: authIssuer,
      subject: authIssuer,
      publicKey: keys.publicKey,
      signingKey: keys.privateKey,
      serial: '7e570b01',
      notBefore: new Date('2023-01-01T00:00:00Z'),
      notAfter: new Date('2033-01-01T14:59:59Z'),
      extensions: rootExtensions('00112233445566778899aabbccddeeff00112233'),
    });
    const leaf = await issue({
      issuer: authIssuer,
      subject: 'C=JP, CN=JPKITEST0AUTH0000000100',
      publicKey: pki.authLeaf.publicKey,
      signingKey: keys.privateKey,
      extensions: authLeafExtensions('00112233445566778899aabbccddeeff00112233').slice(0, -1),
    });
    const result = await verifyJpkiChain(leaf, {
      ...when,
      roots: [
        { der: pki.authRoot.certificate, generation: 1, purpose: 'auth' },
        { der: twin, generation: 2, purpose: 'auth' },
      ],
    });
    expect(result.reasons).toEqual([]);
    expect(result.generation).toBe(2);
    expect(result.root?.serialNumber).toBe('7E570B01');
  });

  it('wrong key usage, EKU and policy', async () => {
    const cases: [ReturnType<typeof ext.keyUsage>[], string[]][] = [
      [[ext.keyUsage(['keyEncipherment']), ext.eku([OIDS.clientAuth]), ext.policies([OIDS.authPolicy])], ['key-usage-mismatch']],
      [[ext.keyUsage(['digitalSignature', 'keyCertSign']), ext.eku([OIDS.clientAuth]), ext.policies([OIDS.authPolicy])], ['key-usage-mismatch']],
      [[ext.eku([OIDS.clientAuth]), ext.policies([OIDS.authPolicy])], ['key-usage-mismatch']],
      [[ext.keyUsage(['digitalSignature']), ext.policies([OIDS.authPolicy])], ['extended-key-usage-mismatch']],
      [[ext.keyUsage(['digitalSignature']), ext.eku(['1.3.6.1.5.5.7.3.1']), ext.policies([OIDS.authPolicy])], ['extended-key-usage-mismatch']],
      [[ext.keyUsage(['digitalSignature']), ext.eku([OIDS.clientAuth]), ext.policies(['1.2.392.200149.8.5.1.0.20'])], ['policy-mismatch']],
      [[ext.keyUsage(['digitalSignature']), ext.eku([OIDS.clientAuth])], ['policy-mismatch']],
    ];
    for (const [extensions, reasons] of cases) {
      const leaf = await authLeaf({ extensions: [...extensions, ext.aki(authSki)] });
      expect((await verifyJpkiChain(leaf, { ...when, roots })).reasons).toEqual(reasons);
    }
    const signWithoutNonRepudiation = await issue({
      issuer: signIssuer,
      subject: 'C=JP, CN=2025040110234500001TEST05299',
      publicKey: pki.signLeaf.publicKey,
      signingKey: pki.signRoot.privateKey,
      extensions: [ext.keyUsage(['digitalSignature']), ext.policies([OIDS.signPolicy]), ext.aki(signSki)],
    });
    expect((await verifyJpkiChain(signWithoutNonRepudiation, { ...when, roots })).reasons).toEqual(['key-usage-mismatch']);
  });

  it('an unidentifiable leaf is "kind-unknown"', async () => {
    const leaf = await authLeaf({ extensions: [ext.keyUsage(['digitalSignature']), ext.aki(authSki)] });
    expect((await verifyJpkiChain(leaf, { ...when, roots })).reasons).toEqual(['kind-unknown']);
  });

  it('unknown critical extensions on the leaf; a non-critical unknown one is fine', async () => {
    const critical = await authLeaf({ extensions: [...authLeafExtensions(authSki), ext.raw('1.2.3.4.5', true, Uint8Array.of(5, 0))] });
    expect((await verifyJpkiChain(critical, { ...when, roots })).reasons).toEqual(['unknown-critical-extension']);
    const plain = await authLeaf({ extensions: [...authLeafExtensions(authSki), ext.raw('1.2.3.4.5', false, Uint8Array.of(5, 0))] });
    expect((await verifyJpkiChain(plain, { ...when, roots })).reasons).toEqual([]);
  });

  it('RSA keys below 2048 bits are "weak-key"', async () => {
    const small = await freshKeys(1024);
    const leaf = await authLeaf({ publicKey: small.publicKey });
    expect((await verifyJpkiChain(leaf, { ...when, roots })).reasons).toEqual(['weak-key']);
  });

  it('keys other than RSA and EC P-256/P-384: "unsupported-algorithm" or "unsupported-curve"', async () => {
    // Since issue 19 an EC P-256 leaf key under an RSA root is accepted (the root still signs with RSA).
    const ec = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    const leaf = await authLeaf({ publicKey: ec.publicKey });
    expect((await verifyJpkiChain(leaf, { ...when, roots })).reasons).toEqual([]);
    const p521 = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-521' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    expect((await verifyJpkiChain(await authLeaf({ publicKey: p521.publicKey }), { ...when, roots })).reasons).toEqual(['unsupported-curve']);
    const ed = (await crypto.subtle.generateKey({ name: 'Ed25519' }, true, ['sign', 'verify'])) as CryptoKeyPair;
    expect((await verifyJpkiChain(await authLeaf({ publicKey: ed.publicKey }), { ...when, roots })).reasons).toEqual(['unsupported-algorithm']);
  });

  it('SHA-1 signed leaves are rejected unless allowSha1', async () => {
    const sha1Key = await signingKeyWithHash(pki.authRoot.jwk, 'SHA-1');
    const leaf = await authLeaf({ signingKey: sha1Key, hash: 'SHA-1' });
    expect(parseJpkiCertificate(leaf).signatureAlgorithm).toEqual({ oid: '1.2.840.113549.1.1.5', hash: 'SHA-1' });
    expect((await verifyJpkiChain(leaf, { ...when, roots })).reasons).toEqual(['sha1-signature']);
    expect((await verifyJpkiChain(leaf, { ...when, roots, allowSha1: true })).reasons).toEqual([]);
  });

  it('collects every reason of a leaf with many faults', async () => {
    const sha1Key = await signingKeyWithHash(pki.authRoot.jwk, 'SHA-1');
    const leaf = await authLeaf({
      signingKey: sha1Key,
      hash: 'SHA-1',
      notAfter: new Date('2025-06-30T14:59:59Z'),
      extensions: [ext.policies([OIDS.authPolicy]), ext.aki(authSki), ext.raw('1.2.3.4.5', true, Uint8Array.of(5, 0))],
    });
    const result = await verifyJpkiChain(leaf, { ...when, roots: [{ der: pki.authRoot.certificate, purpose: 'sign' }] });
    expect(result.valid).toBe(false);
    expect(result.reasons).toEqual([
      'sha1-signature',
      'unknown-critical-extension',
      'leaf-expired',
      'key-usage-mismatch',
      'extended-key-usage-mismatch',
      'root-purpose-mismatch',
    ]);
  });

  it('root checks: validity, CA constraints, SHA-1 self-signature', async () => {
    const keys = await freshKeys();
    const rootName = 'C=JP, O=JPKI-TEST, OU=Constructed root';
    const ski = 'aabbccddeeff00112233445566778899aabbccdd';
    const makeRoot = (overrides: Partial<Parameters<typeof issue>[0]>): Promise<Uint8Array> =>
      issue({
        issuer: rootName,
        subject: rootName,
        publicKey: keys.publicKey,
        signingKey: keys.privateKey,
        notBefore: new Date('2020-01-01T00:00:00Z'),
        notAfter: new Date('2035-01-01T00:00:00Z'),
        extensions: rootExtensions(ski),
        ...overrides,
      });
    const leaf = await issue({
      issuer: rootName,
      subject: 'C=JP, CN=JPKITEST0AUTH0000000101',
      publicKey: pki.authLeaf.publicKey,
      signingKey: keys.privateKey,
      notBefore: new Date('2020-01-01T00:00:00Z'),
      notAfter: new Date('2030-01-01T14:59:59Z'),
      extensions: authLeafExtensions(ski),
    });
    const check = async (root: Uint8Array, date: string): Promise<readonly string[]> =>
      (await verifyJpkiChain(leaf, { at: new Date(date), roots: [root] })).reasons;

    expect(await check(await makeRoot({}), '2024-01-01T00:00:00Z')).toEqual([]);
    expect(await check(await makeRoot({ notAfter: new Date('2022-01-01T00:00:00Z') }), '2023-01-01T00:00:00Z')).toEqual(['root-expired']);
    expect(await check(await makeRoot({ notBefore: new Date('2025-01-01T00:00:00Z') }), '2024-06-01T00:00:00Z')).toEqual([
      'root-not-yet-valid',
    ]);
    expect(await check(await makeRoot({ extensions: [ext.keyUsage(['keyCertSign', 'cRLSign']), ext.ski(ski)] }), '2024-01-01T00:00:00Z')).toEqual([
      'root-not-ca',
    ]);
    expect(
      await check(await makeRoot({ extensions: [ext.keyUsage(['digitalSignature']), ext.basicConstraints(true), ext.ski(ski)] }), '2024-01-01T00:00:00Z'),
    ).toEqual(['root-not-ca']);
    const sha1Root = await makeRoot({
      signingKey: await signingKeyWithHash(await crypto.subtle.exportKey('jwk', keys.privateKey), 'SHA-1'),
      hash: 'SHA-1',
    });
    expect(await check(sha1Root, '2024-01-01T00:00:00Z')).toEqual(['sha1-signature']);
  });

  it('issuer DN and AKI must match the root whose key verified the leaf', async () => {
    const otherName = await authLeaf({ issuer: 'C=JP, O=JPKI-TEST, OU=Somebody else' });
    expect((await verifyJpkiChain(otherName, { ...when, roots })).reasons).toEqual(['issuer-name-mismatch']);
    const otherAki = await authLeaf({
      extensions: [...authLeafExtensions(authSki).slice(0, -1), ext.aki('0000000000000000000000000000000000000000')],
    });
    expect((await verifyJpkiChain(otherAki, { ...when, roots })).reasons).toEqual(['authority-key-id-mismatch']);
    const otherSerial = await authLeaf({
      extensions: [...authLeafExtensions(authSki).slice(0, -1), ext.aki(authSki, { nameDer: authIssuer, serialHex: '01' })],
    });
    expect((await verifyJpkiChain(otherSerial, { ...when, roots })).reasons).toEqual(['authority-key-id-mismatch']);
  });

  it('a self-signed leaf is rejected', async () => {
    const keys = await freshKeys();
    const self = await issue({
      issuer: 'C=JP, CN=self',
      subject: 'C=JP, CN=self',
      publicKey: keys.publicKey,
      signingKey: keys.privateKey,
      extensions: authLeafExtensions('0102030405060708090a0b0c0d0e0f1011121314'),
    });
    expect((await verifyJpkiChain(self, { ...when, roots: [...roots, self] })).reasons).toEqual(['leaf-self-signed', 'no-issuer-found']);
  });
});
