/**
 * Challenge–response authentication with the 利用者証明用 key (JPKI user authentication). The
 * card never signs the server's bytes as they are: it signs an authentication message
 * (context, relying party, nonce, timestamp; see {@link encodeAuthenticationMessage}), so a
 * login cannot be used as a signing oracle, and the verifier checks every field.
 * @packageDocumentation
 */
import { isSecretInput, reusableSecret, type SecretInput } from '../secret.js';
import { equalBytes } from '../bytes.js';
import { CryptoError, InvalidArgumentError } from '../errors.js';
import type { HashAlgorithm } from '../hash/digest-info.js';
import {
  AUTHENTICATION_CONTEXT,
  checkChallenge,
  decodeAuthenticationMessage,
  encodeAuthenticationMessage,
  originBytes,
  type AuthenticationMessage,
} from './auth-message.js';
import type { JpkiCard } from './card.js';
import { verifyJpkiChain, type ChainReason, type JpkiChainResult, type VerifyJpkiChainOptions } from './chain.js';
import { checkCertificateSignature, type SignatureAlgorithmName } from './signature.js';
import { carriedSignature, checkSignerKey, signerScheme } from './signer.js';
import { decodeCertificate } from './x509.js';

/** Length of a challenge made by {@link createChallenge} (bytes). */
export const DEFAULT_CHALLENGE_LENGTH = 32;
/** Default of {@link VerifyAuthenticationOptions.timestampWindowMs}: 5 minutes either side of `at`. */
export const DEFAULT_TIMESTAMP_WINDOW_MS = 300_000;

const HASHES: readonly HashAlgorithm[] = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'];

/**
 * Server side: a fresh random nonce of {@link DEFAULT_CHALLENGE_LENGTH} bytes for one login
 * attempt. Keep it with the session, accept it once, then forget it.
 *
 * @throws CryptoError `webcrypto-unavailable` when there is no `crypto.getRandomValues`.
 */
export function createChallenge(): Uint8Array {
  const c = globalThis.crypto;
  if (c?.getRandomValues === undefined) {
    throw new CryptoError('No secure random source (crypto.getRandomValues)', { code: 'webcrypto-unavailable' });
  }
  return c.getRandomValues(new Uint8Array(DEFAULT_CHALLENGE_LENGTH));
}

/** Options of {@link authenticate}. */
export interface AuthenticateOptions {
  /**
   * 利用者証明用電子証明書の暗証番号 (4 digits): a value, or a provider asked once (its answer is
   * reused when the certificate read needs the PIN too, on a smartphone). Never logged, never retried.
   */
  readonly pin: SecretInput;
  /**
   * The relying party the holder logs in to (its web origin such as `https://login.example.jp`,
   * or another identifier the server checks byte for byte). The client states it, not the
   * server: a browser app takes it from `location.origin`, never from the server's message.
   */
  readonly origin: string;
  /** The server's nonce (16 to 1024 bytes, see {@link createChallenge}). */
  readonly challenge: Uint8Array;
  /** Signing time written into the message; default: now. */
  readonly now?: Date;
  /**
   * Hash of the signed DigestInfo; default `'SHA-256'`. An ECDSA card (see {@link JpkiCard}'s
   * `keyAlgorithm`) uses its curve's hash: leave this out, or give exactly that hash.
   */
  readonly hash?: HashAlgorithm;
}

/** What the client sends back to the server. */
export interface JpkiAuthentication {
  /** The 利用者証明用 certificate DER. */
  readonly certificate: Uint8Array;
  /** The signed authentication message ({@link encodeAuthenticationMessage}), exactly as signed. */
  readonly message: Uint8Array;
  /**
   * Signature of `message` by the card's auth key: RSASSA-PKCS1-v1_5, or a DER `ECDSA-Sig-Value`
   * for an ECDSA key (the verifier tells them apart by the certificate's key).
   */
  readonly signature: Uint8Array;
  /** Hash used in the signature (the DigestInfo's for RSA; the curve's for ECDSA). */
  readonly hash: HashAlgorithm;
}

/**
 * Log in with the card: sign an authentication message (context {@link AUTHENTICATION_CONTEXT},
 * `origin`, the server's `challenge`, the time) with the 利用者証明用 key and read its
 * certificate.
 *
 * The signature comes first, so a wrong PIN costs one try and nothing else is sent; the
 * certificate read then reuses the PIN (needed on smartphone JPKI, harmless on cards). To sign
 * arbitrary bytes with the auth key (a raw PKCS #1 signature, not accepted by
 * {@link verifyAuthentication}), call the low-level `card.jpki.sign('auth', data, …)` explicitly.
 *
 * An ECDSA card (declared by {@link JpkiCard}'s `keyAlgorithm`) returns raw `r ‖ s`; the
 * result carries it as a DER `ECDSA-Sig-Value`, and its certificate's key must be on the
 * declared curve.
 *
 * @throws InvalidArgumentError for a bad origin, challenge, date or hash (before any card
 *   command); CryptoError `malformed-signature` / `key-algorithm-mismatch` for an ECDSA card
 *   whose signature or certificate does not fit; card errors (wrong PIN, blocked PIN, removed
 *   card) as the card raises them.
 */
export async function authenticate(card: JpkiCard, options: AuthenticateOptions): Promise<JpkiAuthentication> {
  if (!isSecretInput(options?.pin)) throw new InvalidArgumentError('options.pin is required');
  const scheme = signerScheme(card);
  const hash = options.hash ?? scheme.hash ?? 'SHA-256';
  if (!HASHES.includes(hash)) throw new InvalidArgumentError("hash must be 'SHA-1', 'SHA-256', 'SHA-384' or 'SHA-512'");
  if (scheme.hash !== undefined && hash !== scheme.hash) {
    throw new InvalidArgumentError(`an ${scheme.algorithm} card signs with ${scheme.hash} only`);
  }
  const message = encodeAuthenticationMessage({
    origin: options.origin,
    challenge: options.challenge,
    timestamp: options.now ?? new Date(),
  });
  const pin = reusableSecret(options.pin);
  try {
    const signed = await card.jpki.sign('auth', message, { pin: pin.use(), hash });
    // Before the PIN is used again: an unusable ECDSA signature stops here.
    const signature = carriedSignature(scheme, signed);
    const certificate = await card.jpki.readCertificate('auth', { pin: pin.use() });
    if (scheme.curve !== undefined) checkSignerKey(scheme, decodeCertificate(certificate));
    return { certificate, message, signature, hash };
  } finally {
    pin.wipe();
  }
}

/**
 * Why an authentication is not valid: chain reasons plus
 * - `malformed-message`: `message` is not an authentication message (e.g. a raw signature of
 *   the bare nonce, or of any other data);
 * - `context-mismatch`: the context is not {@link AUTHENTICATION_CONTEXT};
 * - `origin-mismatch`: the message names another relying party;
 * - `challenge-mismatch`: the nonce is not the one the server issued;
 * - `timestamp-too-old` / `timestamp-in-future`: the time is outside the window around `at`;
 * - `challenge-signature-invalid`: the signature does not verify `message` with the certificate key;
 * - `kind-mismatch`: the certificate is not a 利用者証明用 certificate.
 */
export type AuthenticationReason =
  | ChainReason
  | 'malformed-message'
  | 'context-mismatch'
  | 'origin-mismatch'
  | 'challenge-mismatch'
  | 'timestamp-too-old'
  | 'timestamp-in-future'
  | 'challenge-signature-invalid'
  | 'kind-mismatch';

/** Options of {@link verifyAuthentication}. */
export interface VerifyAuthenticationOptions extends VerifyJpkiChainOptions {
  /** This relying party's origin or identifier, compared byte for byte (UTF-8) with the message's. */
  readonly expectedOrigin: string;
  /** The nonce this server issued for this login (single use: the caller forgets it afterwards). */
  readonly expectedChallenge: Uint8Array;
  /**
   * How far the message's timestamp may be from `at`, either way (ms); default
   * {@link DEFAULT_TIMESTAMP_WINDOW_MS}. It bounds clock skew and how long a response stays usable.
   */
  readonly timestampWindowMs?: number;
}

/** Result of {@link verifyAuthentication}. */
export interface AuthenticationResult {
  /** `true` exactly when `reasons` is empty. */
  readonly valid: boolean;
  /** Every problem found. */
  readonly reasons: readonly AuthenticationReason[];
  /** The decoded message, when it is well formed (even if invalid for another reason). */
  readonly message?: AuthenticationMessage;
  /** The chain validation (its `certificate` identifies the holder's certificate). */
  readonly chain: JpkiChainResult;
  /** The algorithm of the login signature, when the certificate's key and the hash fit together. */
  readonly signatureAlgorithm?: SignatureAlgorithmName;
}

function messageReasons(message: AuthenticationMessage, options: VerifyAuthenticationOptions, origin: Uint8Array): AuthenticationReason[] {
  const reasons: AuthenticationReason[] = [];
  if (message.context !== AUTHENTICATION_CONTEXT) reasons.push('context-mismatch');
  if (!equalBytes(new TextEncoder().encode(message.origin), origin)) reasons.push('origin-mismatch');
  if (!equalBytes(message.challenge, options.expectedChallenge)) reasons.push('challenge-mismatch');
  const window = options.timestampWindowMs ?? DEFAULT_TIMESTAMP_WINDOW_MS;
  const skew = message.timestamp.getTime() - options.at.getTime();
  if (skew < -window) reasons.push('timestamp-too-old');
  if (skew > window) reasons.push('timestamp-in-future');
  return reasons;
}

/**
 * Server side of {@link authenticate}: the message must be a well-formed authentication message
 * with this context, the expected origin, the nonce the server issued (freshness: a new random
 * nonce per attempt, accepted once) and a timestamp within `timestampWindowMs` of `at`; the
 * signature must verify with the certificate key; the certificate must be a valid 利用者証明用
 * certificate at `options.at`. Revocation is checked when `options.revocation` is given (e.g. an
 * `ocspChecker` for the certificate's `ocspUrl`); see {@link verifyJpkiChain}.
 *
 * @throws InvalidArgumentError for a missing `at` or `expectedOrigin`, a bad `expectedChallenge`
 *   or `timestampWindowMs`, or fields that are not Uint8Arrays.
 */
export async function verifyAuthentication(
  result: JpkiAuthentication,
  options: VerifyAuthenticationOptions,
): Promise<AuthenticationResult> {
  const origin = originBytes(options?.expectedOrigin, 'expectedOrigin');
  checkChallenge(options.expectedChallenge, 'expectedChallenge');
  const window = options.timestampWindowMs;
  if (window !== undefined && !(Number.isFinite(window) && window >= 0)) {
    throw new InvalidArgumentError('timestampWindowMs must be a finite number >= 0');
  }
  if (
    !(result?.certificate instanceof Uint8Array) ||
    !(result.message instanceof Uint8Array) ||
    !(result.signature instanceof Uint8Array)
  ) {
    throw new InvalidArgumentError('certificate, message and signature must be Uint8Arrays');
  }
  const chain = await verifyJpkiChain(result.certificate, options);
  const reasons = new Set<AuthenticationReason>(chain.reasons);
  let message: AuthenticationMessage | undefined;
  try {
    message = decodeAuthenticationMessage(result.message);
  } catch (error) {
    if (!(error instanceof CryptoError)) throw error;
    reasons.add('malformed-message');
  }
  if (message !== undefined) for (const reason of messageReasons(message, options, origin)) reasons.add(reason);
  if (chain.certificate !== undefined && chain.certificate.kind !== 'auth') reasons.add('kind-mismatch');
  let signatureAlgorithm: SignatureAlgorithmName | undefined;
  if (!HASHES.includes(result.hash)) {
    reasons.add('unsupported-algorithm');
  } else {
    if (result.hash === 'SHA-1' && options.allowSha1 !== true) reasons.add('sha1-signature');
    if (!reasons.has('malformed-certificate')) {
      const check = await checkCertificateSignature(
        decodeCertificate(result.certificate),
        'any',
        result.hash,
        result.signature,
        result.message,
      );
      signatureAlgorithm = check.algorithm;
      if (check.problem === 'malformed-signature' || check.problem === 'hash-curve-mismatch') reasons.add(check.problem);
      else if (!check.valid) reasons.add('challenge-signature-invalid');
    }
  }
  const list = [...reasons];
  return {
    valid: list.length === 0,
    reasons: list,
    ...(message === undefined ? {} : { message }),
    chain,
    ...(signatureAlgorithm === undefined ? {} : { signatureAlgorithm }),
  };
}
