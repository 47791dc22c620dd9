/**
 * Generate the JPKI TEST PKI (`O=JPKI-TEST`) and its committed outputs:
 *
 * - test/vectors/pki/{auth-root,sign-root,auth-leaf,sign-leaf}.{der,pem}
 * - test/vectors/pki/keys/*.jwk.json (TEST-ONLY private keys)
 * - src/testing/test-pki-data.ts (the same, as a browser-safe data module)
 *
 * Run: `npx tsx scripts/generate-test-pki.ts [--force]`. New RSA keys are generated on every run,
 * so every vector changes: regenerate only on purpose. Without `--force` the script refuses to
 * overwrite existing outputs.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

import { isValidMyNumber } from '../src/aps/my-number.js';
import { bytesToBase64 } from '../src/crypto/base64.js';
import {
  TEST_KEY_ALGORITHM,
  fifthBirthdayAfter,
  issueTestAuthLeaf,
  issueTestRoot,
  issueTestSignLeaf,
  type TestHolder,
} from '../src/testing/pki-issuer.js';
import type { TestPkiCertificateData, TestPkiData } from '../src/testing/test-pki-types.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const VECTORS = join(ROOT, 'test/vectors/pki');
const KEYS = join(VECTORS, 'keys');
const DATA_MODULE = join(ROOT, 'src/testing/test-pki-data.ts');

/** The fictional holder. The address is the public address of 由利本荘市役所, not a residence. */
const HOLDER: TestHolder = {
  name: '由利　花子',
  address: '秋田県由利本荘市尾崎１７番地',
  birthDate: '1990-01-02',
  sex: '2',
  myNumber: '123456789018',
};
const PREFECTURE = 'Akita-ken';
const MUNICIPALITY = 'Yurihonjo-shi';

// Roots mirror gen3 (2023-07-16 → 2033-07-15 14:59:59Z).
const ROOT_NOT_BEFORE = new Date('2023-07-16T01:00:00Z');
const ROOT_NOT_AFTER = new Date('2033-07-15T14:59:59Z');
// Leaves issued 2025-04-01 10:23:45 JST; valid until the holder's 5th birthday after issuance.
const LEAF_NOT_BEFORE = new Date('2025-04-01T01:23:45Z');
const LEAF_NOT_AFTER = fifthBirthdayAfter(HOLDER.birthDate, LEAF_NOT_BEFORE);

const SERIAL = {
  authRoot: '7E570A01',
  signRoot: '7E570A02',
  authLeaf: '7E57A001',
  signLeaf: '7E57B001',
} as const;

/** 23 ASCII characters like the real auth CN; contents opaque and visibly fake. */
const AUTH_CN = 'JPKITEST0AUTH0000000001';
/** Request time (JST) `20250401102345` + sequence `00001` + 9-character window code. */
const SIGN_CN = '20250401102345' + '00001' + 'TEST05210';

async function newKeyPair(): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(
    { ...TEST_KEY_ALGORITHM, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
    true,
    ['sign', 'verify'],
  );
}

async function privateJwk(keys: CryptoKeyPair): Promise<JsonWebKey> {
  const jwk = await crypto.subtle.exportKey('jwk', keys.privateKey);
  for (const field of ['n', 'e', 'd', 'p', 'q', 'dp', 'dq', 'qi'] as const) {
    if (typeof jwk[field] !== 'string') throw new Error(`exported JWK lacks ${field}`);
  }
  return jwk;
}

function pem(der: Uint8Array): string {
  const body = bytesToBase64(der).replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}

async function main(): Promise<void> {
  const force = process.argv.includes('--force');
  const outputs = [DATA_MODULE, join(VECTORS, 'auth-root.der'), join(KEYS, 'auth-root.jwk.json')];
  if (!force && outputs.some((p) => existsSync(p))) {
    console.error('Test PKI outputs already exist; pass --force to regenerate (this changes every vector).');
    process.exitCode = 1;
    return;
  }
  if (!isValidMyNumber(HOLDER.myNumber)) throw new Error('The fictional My Number has a bad check digit');
  if (!(LEAF_NOT_AFTER > new Date('2026-11-27T00:00:00Z'))) throw new Error('Leaves must be valid on 2026-11-27');

  const keys = {
    authRoot: await newKeyPair(),
    signRoot: await newKeyPair(),
    authLeaf: await newKeyPair(),
    signLeaf: await newKeyPair(),
    cardVerifiable: await newKeyPair(),
    cvIssuer: await newKeyPair(),
  };
  const authRoot = await issueTestRoot({
    purpose: 'auth',
    keys: keys.authRoot,
    serial: SERIAL.authRoot,
    notBefore: ROOT_NOT_BEFORE,
    notAfter: ROOT_NOT_AFTER,
  });
  const signRoot = await issueTestRoot({
    purpose: 'sign',
    keys: keys.signRoot,
    serial: SERIAL.signRoot,
    notBefore: ROOT_NOT_BEFORE,
    notAfter: ROOT_NOT_AFTER,
  });
  const authLeaf = await issueTestAuthLeaf({
    issuer: { certificate: authRoot, privateKey: keys.authRoot.privateKey },
    publicKey: keys.authLeaf.publicKey,
    serial: SERIAL.authLeaf,
    notBefore: LEAF_NOT_BEFORE,
    notAfter: LEAF_NOT_AFTER,
    cn: AUTH_CN,
    prefecture: PREFECTURE,
    municipality: MUNICIPALITY,
  });
  const signLeaf = await issueTestSignLeaf({
    issuer: { certificate: signRoot, privateKey: keys.signRoot.privateKey },
    publicKey: keys.signLeaf.publicKey,
    serial: SERIAL.signLeaf,
    notBefore: LEAF_NOT_BEFORE,
    notAfter: LEAF_NOT_AFTER,
    cn: SIGN_CN,
    holder: HOLDER,
    prefectureRomaji: PREFECTURE,
    municipalityRomaji: MUNICIPALITY,
  });

  const entry = async (
    der: Uint8Array,
    pair: CryptoKeyPair,
    serial: string,
    notBefore: Date,
    notAfter: Date,
  ): Promise<TestPkiCertificateData> => ({
    certificate: bytesToBase64(der),
    privateKey: await privateJwk(pair),
    serial,
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
  });
  const data: TestPkiData = {
    authRoot: await entry(authRoot, keys.authRoot, SERIAL.authRoot, ROOT_NOT_BEFORE, ROOT_NOT_AFTER),
    signRoot: await entry(signRoot, keys.signRoot, SERIAL.signRoot, ROOT_NOT_BEFORE, ROOT_NOT_AFTER),
    authLeaf: await entry(authLeaf, keys.authLeaf, SERIAL.authLeaf, LEAF_NOT_BEFORE, LEAF_NOT_AFTER),
    signLeaf: await entry(signLeaf, keys.signLeaf, SERIAL.signLeaf, LEAF_NOT_BEFORE, LEAF_NOT_AFTER),
    cardVerifiable: {
      privateKey: await privateJwk(keys.cardVerifiable),
      issuerPrivateKey: await privateJwk(keys.cvIssuer),
    },
    holder: HOLDER,
    authCn: AUTH_CN,
    signCn: SIGN_CN,
    prefecture: PREFECTURE,
    municipality: MUNICIPALITY,
  };

  mkdirSync(KEYS, { recursive: true });
  const certificates = { 'auth-root': authRoot, 'sign-root': signRoot, 'auth-leaf': authLeaf, 'sign-leaf': signLeaf };
  for (const [name, der] of Object.entries(certificates)) {
    writeFileSync(join(VECTORS, `${name}.der`), der);
    writeFileSync(join(VECTORS, `${name}.pem`), pem(der));
  }
  const jwks: Record<string, JsonWebKey> = {
    'auth-root': data.authRoot.privateKey,
    'sign-root': data.signRoot.privateKey,
    'auth-leaf': data.authLeaf.privateKey,
    'sign-leaf': data.signLeaf.privateKey,
    'card-verifiable': data.cardVerifiable.privateKey,
    'cv-issuer': data.cardVerifiable.issuerPrivateKey,
  };
  for (const [name, jwk] of Object.entries(jwks)) {
    writeFileSync(join(KEYS, `${name}.jwk.json`), `${JSON.stringify(jwk, null, 2)}\n`);
  }
  writeFileSync(DATA_MODULE, dataModule(data));
  for (const p of [VECTORS, DATA_MODULE]) console.log(`wrote ${relative(ROOT, p)}`);
  console.log(`leaf validity ${LEAF_NOT_BEFORE.toISOString()} → ${LEAF_NOT_AFTER.toISOString()}`);
}

function dataModule(data: TestPkiData): string {
  return `/**
 * GENERATED by scripts/generate-test-pki.ts — do not edit. TEST-ONLY keys: never trust them.
 *
 * The JPKI test PKI (\`O=JPKI-TEST\`), shaped by {@link TestPkiData}:
 *
 * \`\`\`ts
 * TEST_PKI_DATA: {
 *   authRoot, signRoot, authLeaf, signLeaf: {
 *     certificate: string;      // base64 DER
 *     privateKey: JsonWebKey;   // RSA-2048, e=65537, RS256; n e d p q dp dq qi present
 *     serial: string;           // hex
 *     notBefore: string; notAfter: string;  // ISO 8601 UTC
 *   };
 *   cardVerifiable: { privateKey: JsonWebKey; issuerPrivateKey: JsonWebKey };
 *   holder: TestHolder;         // { name, address, birthDate 'YYYY-MM-DD', sex, myNumber, flags? }
 *   authCn: string; signCn: string;
 *   prefecture: string; municipality: string;  // romaji
 * }
 * \`\`\`
 *
 * Use \`loadTestPki()\` from ./pki.js to get CryptoKeys and DER bytes.
 * @packageDocumentation
 */
import type { TestPkiData } from './test-pki-types.js';

/** The committed test PKI (see the module comment). TEST ONLY. */
export const TEST_PKI_DATA: TestPkiData = ${JSON.stringify(data, null, 2)};
`;
}

await main();
