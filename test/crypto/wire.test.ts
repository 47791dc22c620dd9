import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { authenticate, verifyAuthentication, type JpkiAuthentication } from '../../src/crypto/authenticate.js';
import { verifyJpkiChain } from '../../src/crypto/chain.js';
import { signCms, verifyCms } from '../../src/crypto/cms.js';
import { authenticationFromJSON, authenticationToJSON, MAX_WIRE_JSON_LENGTH } from '../../src/crypto/wire.js';
import {
  authenticationResultFromJSON,
  authenticationResultToJSON,
  chainResultFromJSON,
  chainResultToJSON,
  cmsResultFromJSON,
  cmsResultToJSON,
} from '../../src/crypto/wire-verdicts.js';
import { MyNumberCard } from '../../src/aps/card.js';
import { DEFAULT_AUTH_PIN, DEFAULT_SIGN_PASSWORD, issueGen2HypotheticalPki, VirtualMyNumberCard } from '../../src/testing/index.js';
import { REAL, vector } from './helpers.js';

const b64u = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
const AT = new Date('2026-06-01T00:00:00Z');
const ORIGIN = 'https://login.example.jp';

describe('authenticate() response wire form', () => {
  const small: JpkiAuthentication = {
    certificate: Uint8Array.of(1, 2, 3),
    message: Uint8Array.of(0xfb, 0xff),
    signature: Uint8Array.of(0),
    hash: 'SHA-256',
  };
  const text = '{"version":1,"type":"jpki-authentication","certificate":"AQID","message":"-_8","signature":"AA","hash":"SHA-256"}';

  it('writes exact JSON and reads it back from text or a parsed value', () => {
    expect(JSON.stringify(authenticationToJSON(small))).toBe(text);
    expect(authenticationFromJSON(text)).toEqual(small);
    expect(authenticationFromJSON(JSON.parse(text))).toEqual(small);
  });

  const bad: Record<string, unknown> = {
    'an extra field': { ...JSON.parse(text), extra: 1 },
    'a missing field': { ...JSON.parse(text), hash: undefined },
    'version 2': { ...JSON.parse(text), version: 2 },
    'version "1"': { ...JSON.parse(text), version: '1' },
    'another type': { ...JSON.parse(text), type: 'jpki-chain-result' },
    'padded base64url': { ...JSON.parse(text), certificate: 'AQID=' },
    'standard base64': { ...JSON.parse(text), message: '+/8' },
    'non-canonical bits': { ...JSON.parse(text), signature: 'AB' },
    'bytes as an array': { ...JSON.parse(text), signature: [0] },
    'an unknown hash': { ...JSON.parse(text), hash: 'MD5' },
    'a signature over 1 KiB': { ...JSON.parse(text), signature: b64u(new Uint8Array(1025)) },
    'a message over 4 KiB': { ...JSON.parse(text), message: b64u(new Uint8Array(4097)) },
    'a certificate over 64 KiB': { ...JSON.parse(text), certificate: b64u(new Uint8Array(65_537)) },
    'an array': [JSON.parse(text)],
    null: null,
    'a number': 1,
    'text that is not JSON': '{"version":1,',
    'text over the limit': ' '.repeat(MAX_WIRE_JSON_LENGTH + 1),
  };
  for (const [name, value] of Object.entries(bad)) {
    it(`refuses ${name}`, () => {
      const input = name === 'a missing field' ? JSON.parse(JSON.stringify(value)) : value;
      expect(() => authenticationFromJSON(input)).toThrow(InvalidArgumentError);
    });
  }

  it('the error names the problem, not the value', () => {
    expect(() => authenticationFromJSON({ ...JSON.parse(text), secret山田: 1 })).toThrow('Bad wire JSON: authentication has an unexpected field');
    expect(() => authenticationToJSON({ ...small, certificate: [1] as unknown as Uint8Array })).toThrow(InvalidArgumentError);
  });
});

describe('verdict wire forms', () => {
  let virtual: VirtualMyNumberCard;
  let card: MyNumberCard;
  beforeAll(async () => {
    virtual = await VirtualMyNumberCard.create();
    card = await MyNumberCard.connect(virtual);
  });
  afterAll(async () => {
    await card.close();
  });

  it('a chain verdict without a root: exact JSON and round trip', async () => {
    const der = vector(REAL.auth2019);
    const result = await verifyJpkiChain(der, { at: AT, roots: [] });
    const json = chainResultToJSON(result);
    expect(json).toEqual({
      version: 1,
      type: 'jpki-chain-result',
      valid: false,
      reasons: ['leaf-expired', 'no-issuer-found'],
      certificate: b64u(der),
    });
    expect(Object.keys(json)).toEqual(['version', 'type', 'valid', 'reasons', 'certificate']);
    expect(chainResultFromJSON(JSON.stringify(json))).toEqual(result);
  });

  it('an authentication round trip through JSON text verifies, and its verdict round-trips', async () => {
    const challenge = Uint8Array.from({ length: 32 }, (_, i) => i);
    const response = await authenticate(card, { pin: DEFAULT_AUTH_PIN, origin: ORIGIN, challenge, now: AT });
    const sent = JSON.stringify(authenticationToJSON(response));
    const received = authenticationFromJSON(sent);
    expect(received).toEqual(response);
    const verdict = await verifyAuthentication(received, { at: AT, expectedOrigin: ORIGIN, expectedChallenge: challenge, roots: [virtual.roots.auth] });
    expect(verdict.valid).toBe(true);
    const json = authenticationResultToJSON(verdict);
    const root = verdict.chain.root!;
    expect(json).toEqual({
      version: 1,
      type: 'jpki-authentication-result',
      valid: true,
      reasons: [],
      message: {
        context: 'mynacard-jpki-auth-v1',
        origin: ORIGIN,
        challenge: 'AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8',
        timestamp: '2026-06-01T00:00:00.000Z',
      },
      chain: {
        valid: true,
        reasons: [],
        certificate: b64u(response.certificate),
        root: { der: b64u(virtual.roots.auth), serialNumber: root.serialNumber, subjectKeyIdentifier: root.subjectKeyIdentifier },
        signatureAlgorithm: 'rsa-pkcs1-sha256',
      },
      signatureAlgorithm: 'rsa-pkcs1-sha256',
    });
    expect(root.serialNumber).toMatch(/^[0-9A-F]+$/);
    expect(authenticationResultFromJSON(JSON.stringify(json))).toEqual(verdict);
  });

  it('a CMS verdict with signing time and content round-trips', async () => {
    const content = new TextEncoder().encode('申請書');
    const signingTime = new Date('2026-05-31T12:34:56.789Z');
    const cms = await signCms(card, content, { pin: DEFAULT_SIGN_PASSWORD, signingTime });
    const result = await verifyCms(cms, { at: AT, roots: [] });
    const json = cmsResultToJSON(result);
    expect(json).toEqual({
      version: 1,
      type: 'jpki-cms-result',
      valid: false,
      reasons: ['no-issuer-found'],
      signer: b64u(result.signer!.der),
      signingTime: '2026-05-31T12:34:56.000Z', // CMS signingTime (UTCTime) keeps whole seconds
      content: '55Sz6KuL5pu4',
      chain: { valid: false, reasons: ['no-issuer-found'], certificate: b64u(result.signer!.der) },
      signatureAlgorithm: 'rsa-pkcs1-sha256',
    });
    const back = cmsResultFromJSON(json);
    expect(back).toEqual(result);
    expect(back.signer?.person?.name).toBe(result.signer?.person?.name);
  });

  it('an ECDSA verdict keeps its algorithm; an unknown algorithm name is refused', async () => {
    const pki = await issueGen2HypotheticalPki();
    const at = new Date('2029-06-01T00:00:00Z');
    const result = await verifyJpkiChain(pki.signLeaf.certificate, { at, roots: [pki.signRoot.certificate] });
    expect(result.signatureAlgorithm).toBe('ecdsa-p384-sha384');
    const json = chainResultToJSON(result);
    expect(json.signatureAlgorithm).toBe('ecdsa-p384-sha384');
    expect(chainResultFromJSON(JSON.stringify(json))).toEqual(result);
    expect(() => chainResultFromJSON({ ...json, signatureAlgorithm: 'ecdsa-p521-sha512' })).toThrow(InvalidArgumentError);
  });

  it('refuses verdicts that are not exactly a wire form', () => {
    const chain = { version: 1, type: 'jpki-chain-result', valid: false, reasons: ['no-issuer-found'] };
    expect(chainResultFromJSON(chain)).toEqual({ valid: false, reasons: ['no-issuer-found'] });
    const bad: unknown[] = [
      { ...chain, valid: true },
      { ...chain, reasons: [] },
      { ...chain, reasons: ['no-issuer-found', 'no-issuer-found'] },
      { ...chain, reasons: ['made-up'] },
      { ...chain, reasons: ['content-missing'] },
      { ...chain, reasons: 'no-issuer-found' },
      { ...chain, generation: 1.5 },
      { ...chain, root: { der: 'AQID' } },
      { ...chain, root: { der: 'AQID', serialNumber: 'ab' } },
      { ...chain, root: { der: 'AQID', serialNumber: 'AB', purpose: 'login' } },
      { ...chain, type: 'jpki-cms-result' },
      { ...chain, version: 0 },
      { ...chain, extra: null },
    ];
    for (const value of bad) expect(() => chainResultFromJSON(value), JSON.stringify(value)).toThrow(InvalidArgumentError);
    const cms = { version: 1, type: 'jpki-cms-result', valid: false, reasons: ['content-missing'] };
    expect(cmsResultFromJSON(cms)).toEqual({ valid: false, reasons: ['content-missing'] });
    for (const signingTime of ['2026-05-31T12:34:56Z', '2026-02-30T00:00:00.000Z', '2026-05-31T12:34:56.789+09:00', 0]) {
      expect(() => cmsResultFromJSON({ ...cms, signingTime })).toThrow(InvalidArgumentError);
    }
    expect(() => cmsResultFromJSON({ ...cms, chain: { valid: true, reasons: [], extra: 1 } })).toThrow(InvalidArgumentError);
    const auth = { version: 1, type: 'jpki-authentication-result', valid: false, reasons: ['origin-mismatch'], chain: { valid: true, reasons: [] } };
    expect(authenticationResultFromJSON(auth)).toEqual({ valid: false, reasons: ['origin-mismatch'], chain: { valid: true, reasons: [] } });
    expect(() => authenticationResultFromJSON({ ...auth, chain: undefined })).toThrow(InvalidArgumentError);
    expect(() => authenticationResultFromJSON({ ...auth, message: { context: 'x', origin: 'y', challenge: 'AA' } })).toThrow(InvalidArgumentError);
  });
});
