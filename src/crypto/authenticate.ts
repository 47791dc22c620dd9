/**
 * Challenge–response authentication with the 利用者証明用 key (JPKI user authentication): the
 * client signs a server nonce on the card; the server checks nonce, signature and chain. The basis
 * of staff clock-in and local ID checks.
 * @packageDocumentation
 */
import { equalBytes } from '../bytes.js';
import { CryptoError, InvalidArgumentError } from '../errors.js';
import type { HashAlgorithm } from '../aps/digest-info.js';
import type { JpkiCard } from './card.js';
import { verifyJpkiChain, type ChainReason, type JpkiChainResult, type VerifyJpkiChainOptions } from './chain.js';
import { verifyWithCertificateKey } from './signature.js';
import { decodeCertificate } from './x509.js';

/** Length of a generated challenge (bytes). */
export const DEFAULT_CHALLENGE_LENGTH = 32;
/** Shortest challenge accepted on either side: 128 bits of server randomness. */
export const MIN_CHALLENGE_LENGTH = 16;

const HASHES: readonly HashAlgorithm[] = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'];

/** Options of {@link authenticate}. */
export interface AuthenticateOptions {
  /** 利用者証明用電子証明書の暗証番号 (4 digits). Never logged, never retried. */
  readonly pin: string;
  /** The server's nonce; default: {@link DEFAULT_CHALLENGE_LENGTH} random bytes. */
  readonly challenge?: Uint8Array;
  /** Hash of the signed DigestInfo; default `'SHA-256'`. */
  readonly hash?: HashAlgorithm;
}

/** What the client sends back to the server. */
export interface JpkiAuthentication {
  /** The 利用者証明用 certificate DER. */
  readonly certificate: Uint8Array;
  /** The signed challenge. */
  readonly challenge: Uint8Array;
  /** RSASSA-PKCS1-v1_5 signature of the challenge by the card's auth key. */
  readonly signature: Uint8Array;
  /** Hash used in the signature's DigestInfo. */
  readonly hash: HashAlgorithm;
}

function checkChallenge(challenge: unknown, what: string): asserts challenge is Uint8Array {
  if (!(challenge instanceof Uint8Array) || challenge.length < MIN_CHALLENGE_LENGTH) {
    throw new InvalidArgumentError(`${what} must be a Uint8Array of at least ${MIN_CHALLENGE_LENGTH} bytes`);
  }
}

/**
 * Sign a challenge with the card's 利用者証明用 key and read its certificate.
 *
 * The signature comes first, so a wrong PIN costs one try and nothing else is sent; the
 * certificate read then reuses the PIN (needed on smartphone JPKI, harmless on cards).
 *
 * @throws InvalidArgumentError for a bad challenge or hash; card errors (wrong PIN, blocked PIN,
 *   removed card) as the card raises them.
 */
export async function authenticate(card: JpkiCard, options: AuthenticateOptions): Promise<JpkiAuthentication> {
  if (typeof options?.pin !== 'string') throw new InvalidArgumentError('options.pin is required');
  const hash = options.hash ?? 'SHA-256';
  if (!HASHES.includes(hash)) throw new InvalidArgumentError("hash must be 'SHA-1', 'SHA-256', 'SHA-384' or 'SHA-512'");
  let challenge: Uint8Array;
  if (options.challenge === undefined) {
    const c = globalThis.crypto;
    if (c?.getRandomValues === undefined) {
      throw new CryptoError('No secure random source (crypto.getRandomValues)', { code: 'webcrypto-unavailable' });
    }
    challenge = c.getRandomValues(new Uint8Array(DEFAULT_CHALLENGE_LENGTH));
  } else {
    checkChallenge(options.challenge, 'challenge');
    challenge = Uint8Array.from(options.challenge);
  }
  const signature = await card.jpki.sign('auth', challenge, { pin: options.pin, hash });
  const certificate = await card.jpki.readCertificate('auth', { pin: options.pin });
  return { certificate, challenge, signature, hash };
}

/**
 * Why an authentication is not valid: chain reasons plus
 * - `challenge-mismatch`: the signed challenge is not the one the server issued;
 * - `challenge-signature-invalid`: the signature does not verify with the certificate key;
 * - `kind-mismatch`: the certificate is not a 利用者証明用 certificate.
 */
export type AuthenticationReason = ChainReason | 'challenge-mismatch' | 'challenge-signature-invalid' | 'kind-mismatch';

/** Options of {@link verifyAuthentication}. */
export interface VerifyAuthenticationOptions extends VerifyJpkiChainOptions {
  /** The nonce this server issued for this login (single use: the caller forgets it afterwards). */
  readonly expectedChallenge: Uint8Array;
}

/** Result of {@link verifyAuthentication}. */
export interface AuthenticationResult {
  /** `true` exactly when `reasons` is empty. */
  readonly valid: boolean;
  /** Every problem found. */
  readonly reasons: readonly AuthenticationReason[];
  /** The chain validation (its `certificate` identifies the holder's certificate). */
  readonly chain: JpkiChainResult;
}

/**
 * Server side of {@link authenticate}: the challenge must be the expected one (freshness: the
 * server issues a new random nonce per attempt and accepts it once), the signature must verify
 * with the certificate key, and the certificate must be a valid 利用者証明用 certificate at
 * `options.at`. Revocation (OCSP at `ocspUrl`) is not checked here.
 *
 * @throws InvalidArgumentError for a missing `at`, a short `expectedChallenge`, or fields that
 *   are not Uint8Arrays.
 */
export async function verifyAuthentication(
  result: JpkiAuthentication,
  options: VerifyAuthenticationOptions,
): Promise<AuthenticationResult> {
  checkChallenge(options?.expectedChallenge, 'expectedChallenge');
  if (
    !(result?.certificate instanceof Uint8Array) ||
    !(result.challenge instanceof Uint8Array) ||
    !(result.signature instanceof Uint8Array)
  ) {
    throw new InvalidArgumentError('certificate, challenge and signature must be Uint8Arrays');
  }
  const chain = await verifyJpkiChain(result.certificate, options);
  const reasons = new Set<AuthenticationReason>(chain.reasons);
  if (!equalBytes(result.challenge, options.expectedChallenge)) reasons.add('challenge-mismatch');
  if (chain.certificate !== undefined && chain.certificate.kind !== 'auth') reasons.add('kind-mismatch');
  if (!HASHES.includes(result.hash)) {
    reasons.add('unsupported-algorithm');
  } else {
    if (result.hash === 'SHA-1' && options.allowSha1 !== true) reasons.add('sha1-signature');
    if (!reasons.has('malformed-certificate')) {
      const ok = await verifyWithCertificateKey(
        decodeCertificate(result.certificate),
        result.hash,
        result.signature,
        result.challenge,
      ).catch((error: unknown) => {
        if (error instanceof CryptoError) return false;
        throw error;
      });
      if (!ok) reasons.add('challenge-signature-invalid');
    }
  }
  const list = [...reasons];
  return { valid: list.length === 0, reasons: list, chain };
}
