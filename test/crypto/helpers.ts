/**
 * Helpers for the crypto tests: vector files, a certificate factory on @peculiar/x509 (fresh
 * keys, copied issuer DNs and AKIs, any extension), OpenSSL runners and a card double.
 */
import 'reflect-metadata';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  AuthorityKeyIdentifier,
  BasicConstraints,
  CertificatePolicies,
  ExtendedKeyUsage,
  GeneralName,
  KeyIdentifier,
  KeyUsage,
  Name,
  PolicyInformation,
} from '@peculiar/asn1-x509';
import { fromHex } from '../../src/bytes.js';
import type { JpkiCard } from '../../src/crypto/card.js';
import type { HashAlgorithm } from '../../src/hash/digest-info.js';

x509.cryptoProvider.set(globalThis.crypto);

/** Bytes of a file under test/vectors/. */
export function vector(path: string): Uint8Array {
  return new Uint8Array(readFileSync(join('test/vectors', path)));
}

export const REAL = {
  auth2019: 'real/real-auth-leaf-2019-issued-by-authca01__my-number-myna.der',
  auth2020mw: 'real/real-auth-leaf-2020-issued-by-authca02__mynawallet-myna_cert.der',
  auth2020sk: 'real/real-auth-leaf-2020-issued-by-authca02__siketyan-keychain.der',
  auth2023: 'real/real-auth-leaf-2023-issued-by-authca02__mynawallet-myna_new_cert.der',
  lookalike: 'real/synthetic-sign-leaf-fake-jlis-issuer__mynawallet-dummy_secret_cert.der',
  bridgeCa: 'real/jpki-legacy-prefectural-association-bridgeca-2003-2013.der',
  signatures: 'real/card-signature-vectors__my-number-myna.json',
} as const;

export const ROOT_FILES = {
  authca01: 'jlis-roots/jlis-jpki-auth-root-gen1-2015-authca01.der',
  authca02: 'jlis-roots/jlis-jpki-auth-root-gen2-2019-authca02.der',
  authca03: 'jlis-roots/jlis-jpki-auth-root-gen3-2023-authca03.der',
  signca01: 'jlis-roots/jlis-jpki-sign-root-gen1-2015-signca01.der',
  signca02: 'jlis-roots/jlis-jpki-sign-root-gen2-2019-signca02.der',
  signca03: 'jlis-roots/jlis-jpki-sign-root-gen3-2023-signca03.der',
} as const;

export const OIDS = {
  authPolicy: '1.2.392.200149.8.5.1.3.30',
  signPolicy: '1.2.392.200149.8.5.1.1.20',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  certificatePolicies: '2.5.29.32',
  extKeyUsage: '2.5.29.37',
  authorityKeyIdentifier: '2.5.29.35',
  subjectKeyIdentifier: '2.5.29.14',
  subjectAltName: '2.5.29.17',
} as const;

/** RSA key generation parameters for WebCrypto. */
export function rsaAlgorithm(hash: HashAlgorithm = 'SHA-256', modulusLength = 2048): RsaHashedKeyGenParams {
  return { name: 'RSASSA-PKCS1-v1_5', hash, modulusLength, publicExponent: new Uint8Array([1, 0, 1]) };
}

/** A fresh RSA key pair. */
export async function freshKeys(modulusLength = 2048): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(rsaAlgorithm('SHA-256', modulusLength), true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** Re-import a private JWK for signing with another hash (WebCrypto binds the hash to the key). */
export async function signingKeyWithHash(jwk: JsonWebKey, hash: HashAlgorithm): Promise<CryptoKey> {
  const { alg: _alg, key_ops: _ops, ...rest } = jwk;
  return crypto.subtle.importKey('jwk', rest, { name: 'RSASSA-PKCS1-v1_5', hash }, false, ['sign']);
}

const KU: Record<string, number> = {
  digitalSignature: 1,
  nonRepudiation: 2,
  keyEncipherment: 4,
  dataEncipherment: 8,
  keyAgreement: 16,
  keyCertSign: 32,
  cRLSign: 64,
};

/** Extension builders (DER values through @peculiar/asn1-x509). */
export const ext = {
  raw(oid: string, critical: boolean, value: Uint8Array): x509.Extension {
    return new x509.Extension(oid, critical, Uint8Array.from(value));
  },
  keyUsage(bits: readonly string[], critical = true): x509.Extension {
    const flags = bits.reduce((n, b) => n | KU[b]!, 0);
    return ext.raw(OIDS.keyUsage, critical, new Uint8Array(AsnConvert.serialize(new KeyUsage(flags))));
  },
  basicConstraints(ca: boolean, critical = true): x509.Extension {
    return ext.raw(OIDS.basicConstraints, critical, new Uint8Array(AsnConvert.serialize(new BasicConstraints({ cA: ca }))));
  },
  policies(oids: readonly string[], critical = true): x509.Extension {
    const value = new CertificatePolicies(oids.map((policyIdentifier) => new PolicyInformation({ policyIdentifier })));
    return ext.raw(OIDS.certificatePolicies, critical, new Uint8Array(AsnConvert.serialize(value)));
  },
  eku(oids: readonly string[]): x509.Extension {
    return ext.raw(OIDS.extKeyUsage, false, new Uint8Array(AsnConvert.serialize(new ExtendedKeyUsage([...oids]))));
  },
  /** AKI with keyIdentifier and, optionally, the issuer DN and serial (as JPKI leaves carry them). */
  aki(keyIdHex: string, issuer?: { nameDer: Uint8Array; serialHex: string }): x509.Extension {
    const value = new AuthorityKeyIdentifier({
      keyIdentifier: new KeyIdentifier(fromHex(keyIdHex)),
      ...(issuer === undefined
        ? {}
        : {
            authorityCertIssuer: [new GeneralName({ directoryName: AsnConvert.parse(issuer.nameDer, Name) })],
            authorityCertSerialNumber: Uint8Array.from(fromHex(issuer.serialHex)).buffer,
          }),
    });
    return ext.raw(OIDS.authorityKeyIdentifier, false, new Uint8Array(AsnConvert.serialize(value)));
  },
  ski(hex: string): x509.Extension {
    return ext.raw(OIDS.subjectKeyIdentifier, false, new Uint8Array(AsnConvert.serialize(new OctetString(fromHex(hex)))));
  },
};

/** Parameters of {@link issue}. */
export interface IssueParams {
  /** Issuer DN as DER (copied byte for byte) or as a string. */
  readonly issuer: Uint8Array | string;
  readonly subject: Uint8Array | string;
  readonly publicKey: CryptoKey;
  readonly signingKey: CryptoKey;
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly serial?: string;
  readonly extensions?: readonly x509.Extension[];
  readonly hash?: HashAlgorithm;
}

function nameOf(name: Uint8Array | string): x509.Name {
  return typeof name === 'string' ? new x509.Name(name) : new x509.Name(Uint8Array.from(name));
}

/** Issue a certificate with @peculiar/x509 (any issuer DN, any extension). */
export async function issue(params: IssueParams): Promise<Uint8Array> {
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: params.serial ?? '0a0b0c0d',
    issuer: nameOf(params.issuer),
    subject: nameOf(params.subject),
    notBefore: params.notBefore ?? new Date('2024-01-01T00:00:00Z'),
    notAfter: params.notAfter ?? new Date('2030-12-31T14:59:59Z'),
    publicKey: params.publicKey,
    signingKey: params.signingKey,
    signingAlgorithm: { name: 'RSASSA-PKCS1-v1_5', hash: params.hash ?? 'SHA-256' } as Algorithm,
    extensions: [...(params.extensions ?? [])],
  });
  return new Uint8Array(certificate.rawData);
}

/** Auth-leaf extensions as cert-profile §2 lists them (KU 07 80, EKU clientAuth, policy …3.30). */
export function authLeafExtensions(akiHex: string): x509.Extension[] {
  return [ext.keyUsage(['digitalSignature']), ext.eku([OIDS.clientAuth]), ext.policies([OIDS.authPolicy]), ext.aki(akiHex)];
}

/** Sign-leaf extensions (KU 06 C0, policy …1.20). */
export function signLeafExtensions(akiHex: string): x509.Extension[] {
  return [ext.keyUsage(['digitalSignature', 'nonRepudiation']), ext.policies([OIDS.signPolicy]), ext.aki(akiHex)];
}

/** Root extensions (KU keyCertSign+cRLSign critical, BC CA critical, SKI). */
export function rootExtensions(skiHex: string): x509.Extension[] {
  return [ext.keyUsage(['keyCertSign', 'cRLSign']), ext.basicConstraints(true), ext.ski(skiHex)];
}

/** The DER of a certificate's subject Name. */
export function subjectDer(der: Uint8Array): Uint8Array {
  return new Uint8Array(new x509.X509Certificate(Uint8Array.from(der)).subjectName.toArrayBuffer());
}

/** A card double over WebCrypto keys: records calls, signs like the JPKI AP (DigestInfo of data). */
export function keyCard(keys: {
  readonly auth: { readonly certificate: Uint8Array; readonly jwk: JsonWebKey };
  readonly sign: { readonly certificate: Uint8Array; readonly jwk: JsonWebKey };
  readonly pins?: { readonly auth: string; readonly sign: string };
}): JpkiCard & { calls: string[] } {
  const calls: string[] = [];
  const pins = keys.pins ?? { auth: '1234', sign: 'ABC123' };
  return {
    calls,
    jpki: {
      async sign(kind, data, options) {
        calls.push(`sign:${kind}`);
        if (options.pin !== pins[kind]) throw new Error('wrong PIN');
        const key = await signingKeyWithHash(keys[kind].jwk, options.hash ?? 'SHA-256');
        return new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, Uint8Array.from(data)));
      },
      async readCertificate(kind, options) {
        calls.push(`read:${kind}`);
        if (kind === 'sign' && options?.pin !== pins.sign) throw new Error('wrong PIN');
        return Uint8Array.from(keys[kind].certificate);
      },
    },
  };
}

/** A temporary directory removed by the returned function. */
export function tempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'mynacard-crypto-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Write bytes into `dir/name` and return the path. */
export function put(dir: string, name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

/** PEM of a DER certificate (through the system OpenSSL). */
export function pemFile(dir: string, name: string, der: Uint8Array): string {
  const derPath = put(dir, `${name}.der`, der);
  const pemPath = join(dir, `${name}.pem`);
  execFileSync('openssl', ['x509', '-inform', 'DER', '-in', derPath, '-out', pemPath]);
  return pemPath;
}

/** Run the system OpenSSL; returns the exit status and combined output. */
export function openssl(args: readonly string[]): { status: number; output: string } {
  const run = spawnSync('openssl', [...args], { encoding: 'utf8' });
  return { status: run.status ?? -1, output: `${run.stdout}${run.stderr}` };
}
