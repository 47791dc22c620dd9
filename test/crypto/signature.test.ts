import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromHex } from '../../src/bytes.js';
import { CryptoError, InvalidArgumentError } from '../../src/errors.js';
import { verifyRawSignature, type VerifySignatureOptions } from '../../src/crypto/signature.js';
import { MyNumberCard } from '../../src/aps/card.js';
import { DEFAULT_AUTH_PIN, DEFAULT_SIGN_PASSWORD, VirtualMyNumberCard } from '../../src/testing/index.js';
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { freshKeys, issue, openssl, pemFile, put, REAL, tempDir, vector } from './helpers.js';

interface CardVector {
  readonly certificateFile: string;
  readonly message: { readonly ascii: string };
  readonly message2_unsigned: { readonly ascii: string };
  readonly vectors: readonly { readonly hash: 'SHA-1' | 'SHA-256'; readonly signatureHex: string }[];
}

const json = JSON.parse(readFileSync(join('test/vectors', REAL.signatures), 'utf8')) as CardVector;
const text = (s: string): Uint8Array => new TextEncoder().encode(s);
/** Whether the signature verifies; the real-card vectors are auth-key signatures, so opt in to both. */
const verifies = async (c: Uint8Array, d: Uint8Array, sig: Uint8Array, o: VerifySignatureOptions = {}): Promise<boolean> =>
  (await verifyRawSignature(c, d, sig, { allowAuthKey: true, allowSha1: true, ...o })).valid;

describe('verifyRawSignature with signatures made by a real card', () => {
  const certificate = vector(`real/${json.certificateFile}`);

  it('the vectors name the real 2019 auth leaf', () => {
    expect(certificate).toEqual(vector(REAL.auth2019));
    expect(json.vectors.map((v) => v.hash)).toEqual(['SHA-256', 'SHA-1']);
  });

  it.each(json.vectors.map((v) => [v.hash, v] as const))('the %s signature over "message1" verifies', async (hash, v) => {
    expect(await verifies(certificate, text(json.message.ascii), fromHex(v.signatureHex), { hash })).toBe(true);
  });

  it.each(json.vectors.map((v) => [v.hash, v] as const))('the %s signature does not verify "message2"', async (hash, v) => {
    expect(json.message2_unsigned.ascii).toBe('message2');
    expect(await verifies(certificate, text(json.message2_unsigned.ascii), fromHex(v.signatureHex), { hash })).toBe(false);
  });

  it('a wrong hash, a flipped bit, a short signature or another certificate fail', async () => {
    const sha256 = fromHex(json.vectors[0]!.signatureHex);
    const message = text(json.message.ascii);
    expect(await verifies(certificate, message, sha256)).toBe(true); // SHA-256 is the default
    expect(await verifies(certificate, message, sha256, { hash: 'SHA-1' })).toBe(false);
    const flipped = sha256.slice();
    flipped[100] = flipped[100]! ^ 1;
    expect(await verifies(certificate, message, flipped)).toBe(false);
    expect(await verifies(certificate, message, sha256.subarray(1))).toBe(false);
    expect(await verifies(vector(REAL.auth2023), message, sha256)).toBe(false);
  });

  it('bad input is a typed error', async () => {
    const sig = fromHex(json.vectors[0]!.signatureHex);
    await expect(verifyRawSignature(certificate.subarray(0, 50), text('m'), sig)).rejects.toMatchObject({ code: 'malformed-certificate' });
    await expect(verifyRawSignature(certificate.subarray(0, 50), text('m'), sig)).rejects.toBeInstanceOf(CryptoError);
    await expect(verifyRawSignature(certificate, 'm' as never, sig)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(verifyRawSignature(certificate, text('m'), sig, { hash: 'MD5' as never })).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('signatures of the virtual card keys: verifyRawSignature and OpenSSL agree', () => {
  let card: MyNumberCard;
  let virtual: VirtualMyNumberCard;
  const tmp = tempDir();

  beforeAll(async () => {
    virtual = await VirtualMyNumberCard.create();
    card = await MyNumberCard.connect(virtual);
  });
  afterAll(async () => {
    await card.close();
    tmp.cleanup();
  });

  it.each([
    ['auth', DEFAULT_AUTH_PIN, 'SHA-256'],
    ['sign', DEFAULT_SIGN_PASSWORD, 'SHA-256'],
    ['auth', DEFAULT_AUTH_PIN, 'SHA-384'],
    ['sign', DEFAULT_SIGN_PASSWORD, 'SHA-512'],
  ] as const)('%s key, %s', async (kind, pin, hash) => {
    const data = text(`申請データ ${kind} ${hash}`);
    const signature = await card.jpki.sign(kind, data, { pin, hash });
    const certificate = await card.jpki.readCertificate(kind, { pin });
    expect(certificate).toEqual(virtual.certificates[kind]);
    expect(await verifies(certificate, data, signature, { hash })).toBe(true);
    expect(await verifies(certificate, text('other data'), signature, { hash })).toBe(false);

    const certPem = pemFile(tmp.dir, `${kind}-${hash}`, certificate);
    const pubkey = openssl(['x509', '-in', certPem, '-pubkey', '-noout']);
    expect(pubkey.status).toBe(0);
    const keyPath = put(tmp.dir, `${kind}-${hash}.pub.pem`, pubkey.output);
    const dataPath = put(tmp.dir, `${kind}-${hash}.data`, data);
    const sigPath = put(tmp.dir, `${kind}-${hash}.sig`, signature);
    const digest = `-${hash.toLowerCase().replace('-', '')}`;
    const ok = openssl(['dgst', digest, '-verify', keyPath, '-signature', sigPath, dataPath]);
    expect(ok.output).toContain('Verified OK');
    expect(ok.status).toBe(0);
    const tampered = put(tmp.dir, `${kind}-${hash}.bad`, text('other data'));
    const bad = openssl(['dgst', digest, '-verify', keyPath, '-signature', sigPath, tampered]);
    expect(bad.status).not.toBe(0);
    expect(bad.output).toContain('Verification failure');
  });
});

describe('verifyRawSignature refuses auth-key and SHA-1 signatures unless asked (issue 13 §5)', () => {
  let card: MyNumberCard;
  let virtual: VirtualMyNumberCard;
  beforeAll(async () => {
    virtual = await VirtualMyNumberCard.create();
    card = await MyNumberCard.connect(virtual);
  });
  afterAll(async () => {
    await card.close();
  });

  it('a real card auth-key signature: refused by default, accepted with allowAuthKey', async () => {
    const certificate = vector(`real/${json.certificateFile}`);
    const message = text(json.message.ascii);
    const [sha256, sha1] = json.vectors.map((v) => fromHex(v.signatureHex)) as [Uint8Array, Uint8Array];
    expect(await verifyRawSignature(certificate, message, sha256)).toEqual({ valid: false, reasons: ['auth-key-not-allowed'], kind: 'auth', signatureAlgorithm: 'rsa-pkcs1-sha256' });
    expect(await verifyRawSignature(certificate, message, sha256, { allowAuthKey: true })).toEqual({ valid: true, reasons: [], kind: 'auth', signatureAlgorithm: 'rsa-pkcs1-sha256' });
    expect(await verifyRawSignature(certificate, message, sha1, { hash: 'SHA-1' })).toEqual({
      valid: false,
      reasons: ['auth-key-not-allowed', 'sha1-signature'],
      kind: 'auth',
      signatureAlgorithm: 'rsa-pkcs1-sha1',
    });
    expect(await verifyRawSignature(certificate, message, sha1, { hash: 'SHA-1', allowAuthKey: true })).toEqual({
      valid: false,
      reasons: ['sha1-signature'],
      kind: 'auth',
      signatureAlgorithm: 'rsa-pkcs1-sha1',
    });
  });

  it('the virtual card: auth key refused, sign key accepted, SHA-1 only with allowSha1, a CA never', async () => {
    const data = text('申請データ');
    const auth = await card.jpki.sign('auth', data, { pin: DEFAULT_AUTH_PIN });
    expect(await verifyRawSignature(virtual.certificates.auth, data, auth)).toEqual({ valid: false, reasons: ['auth-key-not-allowed'], kind: 'auth', signatureAlgorithm: 'rsa-pkcs1-sha256' });
    const sign = await card.jpki.sign('sign', data, { pin: DEFAULT_SIGN_PASSWORD });
    expect(await verifyRawSignature(virtual.certificates.sign, data, sign)).toEqual({ valid: true, reasons: [], kind: 'sign', signatureAlgorithm: 'rsa-pkcs1-sha256' });
    expect(await verifyRawSignature(virtual.certificates.sign, text('other'), sign)).toEqual({
      valid: false,
      reasons: ['data-signature-invalid'],
      kind: 'sign',
      signatureAlgorithm: 'rsa-pkcs1-sha256',
    });
    const sha1 = await card.jpki.sign('sign', data, { pin: DEFAULT_SIGN_PASSWORD, hash: 'SHA-1' });
    expect(await verifyRawSignature(virtual.certificates.sign, data, sha1, { hash: 'SHA-1' })).toEqual({
      valid: false,
      reasons: ['sha1-signature'],
      kind: 'sign',
      signatureAlgorithm: 'rsa-pkcs1-sha1',
    });
    expect(await verifyRawSignature(virtual.certificates.sign, data, sha1, { hash: 'SHA-1', allowSha1: true })).toEqual({
      valid: true,
      reasons: [],
      kind: 'sign',
      signatureAlgorithm: 'rsa-pkcs1-sha1',
    });
    expect(await verifyRawSignature(virtual.roots.sign, data, sign, { allowAuthKey: true })).toEqual({
      valid: false,
      reasons: ['not-signing-certificate', 'data-signature-invalid'],
      kind: 'ca',
      signatureAlgorithm: 'rsa-pkcs1-sha256',
    });
  });

  it('a certificate that is not a JPKI certificate is never a signing certificate, even with both opt-ins', async () => {
    const keys = await freshKeys();
    // One extension: an empty extensions list is not a valid certificate (RFC 5280: SIZE (1..MAX)).
    const extensions = [new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true)];
    const certificate = await issue({ issuer: 'CN=Someone', subject: 'CN=Someone', publicKey: keys.publicKey, signingKey: keys.privateKey, extensions });
    const data = text('data');
    const signature = new Uint8Array(await crypto.subtle.sign('RSASSA-PKCS1-v1_5', keys.privateKey, Uint8Array.from(data)));
    expect(await verifyRawSignature(certificate, data, signature, { allowAuthKey: true, allowSha1: true })).toEqual({
      valid: false,
      reasons: ['not-signing-certificate'],
      kind: undefined,
      signatureAlgorithm: 'rsa-pkcs1-sha256',
    });
  });
});
