/**
 * Every public operation of `MyNumberCard` on the virtual card with the default secrets, and
 * how many VERIFY commands with data it is allowed to send.
 */
import { MyNumberCard } from '../../src/aps/card.js';
import { authenticate, signCms } from '../../src/crypto/index.js';
import { verifyCardFaceIntegrity, verifyCardTextIntegrity } from '../../src/card-trust/integrity.js';
import { DEFAULT_AUTH_PIN, DEFAULT_SIGN_PASSWORD, DEFAULT_TEXT_PIN } from '../../src/testing/index.js';
import type { Transport } from '../../src/transport/transport.js';

/** What an operation may need besides the session. */
export interface OperationEnv {
  readonly transport: Transport;
  readonly myNumber: string;
  /** The card's secrets (default: the virtual card's defaults). */
  readonly pins?: { readonly auth: string; readonly sign: string; readonly text: string };
}

const auth = (env: OperationEnv): string => env.pins?.auth ?? DEFAULT_AUTH_PIN;
const sign = (env: OperationEnv): string => env.pins?.sign ?? DEFAULT_SIGN_PASSWORD;
const text = (env: OperationEnv): string => env.pins?.text ?? DEFAULT_TEXT_PIN;

/** One public operation: `run` on a connected card; `verifies` = VERIFY-with-data allowed. */
export interface Operation {
  readonly name: string;
  readonly verifies: number;
  /**
   * A faulty answer that is a legitimate answer: `'tries'` — a forged `63Cx`/`9000` on the
   * tries query is the count; `'profile'` — an unreadable token EF leaves the profile
   * `'unknown'` (documented in `MyNumberCard.connect`).
   */
  readonly faultyAnswer?: 'tries' | 'profile';
  /** Slow (several RSA signatures by the virtual card): `npm test` injects only the core faults. */
  readonly heavy?: boolean;
  readonly run: (card: MyNumberCard, env: OperationEnv) => Promise<unknown>;
}

const DATA = new TextEncoder().encode('adversarial');
const SIGNING_TIME = new Date('2026-05-31T09:30:00Z');
const CHALLENGE = new Uint8Array(32).fill(0x5a);
/** DigestInfo of SHA-256 over 32 zero bytes' worth (any 51-byte DigestInfo shape works). */
const DIGEST_INFO = Uint8Array.from([
  0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
  ...new Uint8Array(32).fill(0xab),
]);

export const OPERATIONS: readonly Operation[] = [
  { name: 'connect', verifies: 0, faultyAnswer: 'profile', run: async (_card, env) => (await MyNumberCard.connect(env.transport)).profile },
  { name: 'jpki.readCertificate(auth)', verifies: 0, run: (c) => c.jpki.readCertificate('auth') },
  { name: 'jpki.readCertificate(auth-ca)', verifies: 0, run: (c) => c.jpki.readCertificate('auth-ca') },
  { name: 'jpki.readCertificate(sign-ca)', verifies: 0, run: (c) => c.jpki.readCertificate('sign-ca') },
  {
    name: 'jpki.readCertificate(sign)',
    verifies: 1,
    run: (c, env) => c.jpki.readCertificate('sign', { pin: sign(env) }),
  },
  { name: 'jpki.remainingTries(auth)', verifies: 0, faultyAnswer: 'tries', run: (c) => c.jpki.remainingTries('auth') },
  { name: 'jpki.remainingTries(sign)', verifies: 0, faultyAnswer: 'tries', run: (c) => c.jpki.remainingTries('sign') },
  { name: 'jpki.tokenInfo', verifies: 0, run: (c) => c.jpki.tokenInfo() },
  { name: 'jpki.sign(auth)', verifies: 1, run: (c, env) => c.jpki.sign('auth', DATA, { pin: auth(env) }) },
  { name: 'jpki.sign(sign)', verifies: 1, run: (c, env) => c.jpki.sign('sign', DATA, { pin: sign(env) }) },
  {
    name: 'jpki.signDigestInfo(auth)',
    verifies: 1,
    run: (c, env) => c.jpki.signDigestInfo('auth', DIGEST_INFO, { pin: auth(env) }),
  },
  {
    name: 'jpki.changePin(auth, same value)',
    verifies: 1,
    run: (c, env) => c.jpki.changePin('auth', { pin: auth(env), newPin: auth(env) }),
  },
  {
    name: 'jpki.changePin(sign, same value)',
    verifies: 1,
    run: (c, env) => c.jpki.changePin('sign', { pin: sign(env), newPin: sign(env) }),
  },
  { name: 'text.readMyNumber(pin)', verifies: 1, run: (c, env) => c.text.readMyNumber({ pin: text(env) }) },
  {
    name: 'text.readMyNumber(verificationA)',
    verifies: 1,
    run: (c, env) => c.text.readMyNumber({ verificationA: env.myNumber }),
  },
  { name: 'text.readAttributes(pin)', verifies: 1, run: (c, env) => c.text.readAttributes({ pin: text(env) }) },
  { name: 'text.readIntegrityRecord(pin)', verifies: 1, run: (c, env) => c.text.readIntegrityRecord({ pin: text(env) }) },
  { name: 'text.readIntegrityFiles(pin)', verifies: 1, run: (c, env) => c.text.readIntegrityFiles({ pin: text(env) }) },
  { name: 'text.readCvCertificate', verifies: 0, run: (c) => c.text.readCvCertificate() },
  { name: 'text.remainingTries(pin)', verifies: 0, faultyAnswer: 'tries', run: (c) => c.text.remainingTries('pin') },
  {
    name: 'text.changePin(same value)',
    verifies: 1,
    run: (c, env) => c.text.changePin({ pin: text(env), newPin: text(env) }),
  },
  {
    name: 'face.readFace(verificationA)',
    verifies: 1,
    run: (c, env) => c.face.readFace({ verificationA: env.myNumber }),
  },
  {
    name: 'face.readMyNumberImage(verificationA)',
    verifies: 1,
    run: (c, env) => c.face.readMyNumberImage({ verificationA: env.myNumber }),
  },
  { name: 'face.readCvCertificate', verifies: 0, run: (c) => c.face.readCvCertificate() },
  { name: 'face.remainingTries(verificationB)', verifies: 0, faultyAnswer: 'tries', run: (c) => c.face.remainingTries('verificationB') },
  { name: 'common.readCardIdentifier', verifies: 0, run: (c) => c.common.readCardIdentifier() },
  // Crypto-level flows that drive the card.
  {
    name: 'crypto.signCms',
    heavy: true,
    verifies: 2, // the certificate read and the signature each need the password
    run: (c, env) => signCms(c, DATA, { pin: sign(env), signingTime: SIGNING_TIME }),
  },
  {
    name: 'crypto.authenticate',
    heavy: true,
    // One for the signature; one more only when the card refuses the certificate read with
    // 6982 and the SDK unlocks it with the same PIN (the smartphone path of readCertificate).
    verifies: 2,
    run: (c, env) => authenticate(c, { pin: auth(env), origin: 'https://rp.example', challenge: CHALLENGE, now: SIGNING_TIME }),
  },
  { name: 'crypto.verifyCardTextIntegrity', verifies: 1, run: (c, env) => verifyCardTextIntegrity(c, { pin: text(env) }) },
  {
    name: 'crypto.verifyCardFaceIntegrity',
    verifies: 1,
    run: (c, env) => verifyCardFaceIntegrity(c, { verificationA: env.myNumber }),
  },
];
