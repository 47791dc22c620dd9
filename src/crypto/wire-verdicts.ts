/**
 * JSON wire forms of verification verdicts — {@link verifyJpkiChain}, {@link verifyCms} and
 * {@link verifyAuthentication} results — for a verifier service that answers another program:
 * byte arrays (certificate DER, content, nonce) as unpadded base64url, times as ISO 8601 UTC,
 * a `version` and a `type`. Certificates travel as DER and are parsed again when read, so a
 * read verdict has the same shape as a fresh one.
 *
 * A verdict read back is a claim of whoever sent it: it is not verified again. Trust it only as
 * far as the channel it came through (e.g. your own verifier over an authenticated connection).
 * A 署名用 signer certificate carries the holder's 基本4情報: so does its wire form.
 * @packageDocumentation
 */
import type { JpkiChainResult, ChainReason, JpkiChainRoot } from './chain.js';
import type { CmsReason, CmsVerificationResult } from './cms.js';
import type { AuthenticationReason, AuthenticationResult } from './authenticate.js';
import type { AuthenticationMessage } from './auth-message.js';
import { MAX_ORIGIN_LENGTH } from './auth-message.js';
import { bytesToBase64url } from './base64.js';
import { parseJpkiCertificate } from './parse.js';
import type { SignatureAlgorithmName } from './signature.js';
import { MAX_WIRE_CERTIFICATE_LENGTH, parseWire, WIRE_VERSION, WireReader, wireError } from './wire.js';
import { revocationFromJSON, revocationToJSON, type CertificateRevocationJson } from './revocation/wire.js';

/** Longest CMS content a verdict carries (bytes). */
export const MAX_WIRE_CONTENT_LENGTH = 16 << 20;

const CHAIN_REASONS = [
  'malformed-certificate', 'kind-unknown', 'leaf-is-ca', 'leaf-self-signed', 'no-issuer-found',
  'signature-invalid', 'issuer-name-mismatch', 'authority-key-id-mismatch', 'root-purpose-mismatch',
  'leaf-expired', 'leaf-not-yet-valid', 'root-expired', 'root-not-yet-valid', 'root-not-ca',
  'key-usage-mismatch', 'extended-key-usage-mismatch', 'policy-mismatch', 'unknown-critical-extension',
  'weak-key', 'sha1-signature', 'unsupported-algorithm', 'unsupported-curve', 'hash-curve-mismatch',
  'malformed-signature', 'certificate-revoked', 'revocation-status-unknown',
] as const satisfies readonly ChainReason[];
const CMS_REASONS = [
  ...CHAIN_REASONS, 'malformed-cms', 'unsupported-signer-count', 'signed-attributes-missing',
  'signed-attributes-not-der', 'content-missing', 'content-mismatch', 'content-type-mismatch',
  'message-digest-mismatch', 'signer-certificate-missing', 'cms-signature-invalid',
  'signing-certificate-missing', 'signing-certificate-mismatch', 'kind-mismatch',
] as const satisfies readonly CmsReason[];
const AUTHENTICATION_REASONS = [
  ...CHAIN_REASONS, 'malformed-message', 'context-mismatch', 'origin-mismatch', 'challenge-mismatch',
  'timestamp-too-old', 'timestamp-in-future', 'challenge-signature-invalid', 'kind-mismatch',
] as const satisfies readonly AuthenticationReason[];
const SIGNATURE_ALGORITHMS = [
  'rsa-pkcs1-sha1', 'rsa-pkcs1-sha256', 'rsa-pkcs1-sha384', 'rsa-pkcs1-sha512', 'ecdsa-p256-sha256', 'ecdsa-p384-sha384',
] as const satisfies readonly SignatureAlgorithmName[];
// Compile-time: a reason added to a union without being added here fails the build.
type Exhaustive<Union, Listed> = [Exclude<Union, Listed>] extends [never] ? true : never;
const exhaustive: [
  Exhaustive<ChainReason, (typeof CHAIN_REASONS)[number]>,
  Exhaustive<CmsReason, (typeof CMS_REASONS)[number]>,
  Exhaustive<AuthenticationReason, (typeof AUTHENTICATION_REASONS)[number]>,
  Exhaustive<SignatureAlgorithmName, (typeof SIGNATURE_ALGORITHMS)[number]>,
] = [true, true, true, true];
void exhaustive;

/** {@link JpkiChainRoot} as JSON. */
export interface JpkiChainRootJson {
  /** Root certificate DER, base64url. */
  readonly der: string;
  /** Root serial number, upper-case hex. */
  readonly serialNumber: string;
  /** Root subjectKeyIdentifier, lower-case hex. */
  readonly subjectKeyIdentifier?: string;
  /** Which leaves it may issue. */
  readonly purpose?: 'auth' | 'sign';
  /** Generation. */
  readonly generation?: number;
  /** Label such as `signca02`. */
  readonly name?: string;
}

/** The fields of a chain verdict, also nested in the CMS and authentication verdicts. */
export interface JpkiChainFieldsJson {
  /** `true` exactly when `reasons` is empty. */
  readonly valid: boolean;
  /** Every problem found. */
  readonly reasons: readonly ChainReason[];
  /** The leaf DER (base64url), when it could be parsed. */
  readonly certificate?: string;
  /** The anchor that verified the leaf. */
  readonly root?: JpkiChainRootJson;
  /** That anchor's generation. */
  readonly generation?: number;
  /** The revocation outcome per certificate checked, when a checker was given. */
  readonly revocation?: readonly CertificateRevocationJson[];
  /** The leaf signature's algorithm as the anchor verified it. */
  readonly signatureAlgorithm?: SignatureAlgorithmName;
}

/** {@link JpkiChainResult} as JSON. */
export interface JpkiChainResultJson extends JpkiChainFieldsJson {
  /** {@link WIRE_VERSION}. */
  readonly version: 1;
  /** What this object is. */
  readonly type: 'jpki-chain-result';
}

/** {@link CmsVerificationResult} as JSON. */
export interface CmsVerificationResultJson {
  /** {@link WIRE_VERSION}. */
  readonly version: 1;
  /** What this object is. */
  readonly type: 'jpki-cms-result';
  /** `true` exactly when `reasons` is empty. */
  readonly valid: boolean;
  /** Every problem found. */
  readonly reasons: readonly CmsReason[];
  /** The signer certificate DER, base64url. */
  readonly signer?: string;
  /** The claimed signingTime, ISO 8601 UTC. */
  readonly signingTime?: string;
  /** The signed content, base64url. */
  readonly content?: string;
  /** The chain verdict of the signer. */
  readonly chain?: JpkiChainFieldsJson;
  /** The SignerInfo signature's algorithm. */
  readonly signatureAlgorithm?: SignatureAlgorithmName;
}

/** {@link AuthenticationMessage} as JSON. */
export interface AuthenticationMessageJson {
  /** The context string. */
  readonly context: string;
  /** The relying party. */
  readonly origin: string;
  /** The nonce, base64url. */
  readonly challenge: string;
  /** The signing time, ISO 8601 UTC. */
  readonly timestamp: string;
}

/** {@link AuthenticationResult} as JSON. */
export interface AuthenticationResultJson {
  /** {@link WIRE_VERSION}. */
  readonly version: 1;
  /** What this object is. */
  readonly type: 'jpki-authentication-result';
  /** `true` exactly when `reasons` is empty. */
  readonly valid: boolean;
  /** Every problem found. */
  readonly reasons: readonly AuthenticationReason[];
  /** The decoded message, when well formed. */
  readonly message?: AuthenticationMessageJson;
  /** The chain verdict of the certificate. */
  readonly chain: JpkiChainFieldsJson;
  /** The login signature's algorithm. */
  readonly signatureAlgorithm?: SignatureAlgorithmName;
}

const opt = <K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } =>
  (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };

function chainFields(result: JpkiChainResult): JpkiChainFieldsJson {
  const root = result.root;
  return {
    valid: result.valid,
    reasons: [...result.reasons],
    ...opt('certificate', result.certificate === undefined ? undefined : bytesToBase64url(result.certificate.der)),
    ...opt(
      'root',
      root === undefined
        ? undefined
        : {
            der: bytesToBase64url(root.der),
            serialNumber: root.serialNumber,
            ...opt('subjectKeyIdentifier', root.subjectKeyIdentifier),
            ...opt('purpose', root.purpose),
            ...opt('generation', root.generation),
            ...opt('name', root.name),
          },
    ),
    ...opt('generation', result.generation),
    ...opt('revocation', result.revocation === undefined ? undefined : revocationToJSON(result.revocation)),
    ...opt('signatureAlgorithm', result.signatureAlgorithm),
  };
}

const CHAIN_KEYS = ['valid', 'reasons', 'certificate', 'root', 'generation', 'revocation', 'signatureAlgorithm'];

function readAlgorithm(r: WireReader): SignatureAlgorithmName | undefined {
  return r.has('signatureAlgorithm') ? r.oneOf('signatureAlgorithm', SIGNATURE_ALGORITHMS) : undefined;
}

function checkValid(r: WireReader, path: string, reasons: readonly string[]): boolean {
  const valid = r.boolean('valid');
  if (valid !== (reasons.length === 0)) throw wireError(path, 'valid must be true exactly when reasons is empty');
  return valid;
}

function readRoot(value: unknown): JpkiChainRoot {
  const r = new WireReader(value, 'chain.root', undefined, ['der', 'serialNumber', 'subjectKeyIdentifier', 'purpose', 'generation', 'name'], ['der', 'serialNumber']);
  const serialNumber = r.string('serialNumber', 64);
  if (!/^[0-9A-F]+$/.test(serialNumber)) throw wireError('chain.root', 'serialNumber must be upper-case hex');
  const ski = r.has('subjectKeyIdentifier') ? r.string('subjectKeyIdentifier', 128) : undefined;
  if (ski !== undefined && !/^[0-9a-f]+$/.test(ski)) throw wireError('chain.root', 'subjectKeyIdentifier must be lower-case hex');
  return {
    der: r.bytes('der', MAX_WIRE_CERTIFICATE_LENGTH),
    serialNumber,
    ...opt('subjectKeyIdentifier', ski),
    ...opt('purpose', r.has('purpose') ? r.oneOf('purpose', ['auth', 'sign'] as const) : undefined),
    ...opt('generation', r.has('generation') ? r.integer('generation') : undefined),
    ...opt('name', r.has('name') ? r.string('name', 256) : undefined),
  };
}

function readChainFields(r: WireReader, path: string): JpkiChainResult {
  const reasons = r.distinct('reasons', CHAIN_REASONS);
  return {
    valid: checkValid(r, path, reasons),
    reasons,
    ...opt('certificate', r.has('certificate') ? parseJpkiCertificate(r.bytes('certificate', MAX_WIRE_CERTIFICATE_LENGTH)) : undefined),
    ...opt('root', r.has('root') ? readRoot(r.raw('root')) : undefined),
    ...opt('generation', r.has('generation') ? r.integer('generation') : undefined),
    ...opt('revocation', r.has('revocation') ? revocationFromJSON(r.raw('revocation'), `${path}.revocation`) : undefined),
    ...opt('signatureAlgorithm', readAlgorithm(r)),
  };
}

function readNestedChain(value: unknown, path: string): JpkiChainResult {
  return readChainFields(new WireReader(value, path, undefined, CHAIN_KEYS, ['valid', 'reasons']), path);
}

/** The wire form of a {@link verifyJpkiChain} result. */
export function chainResultToJSON(result: JpkiChainResult): JpkiChainResultJson {
  return { version: WIRE_VERSION, type: 'jpki-chain-result', ...chainFields(result) };
}

/**
 * Read a chain verdict from its wire form (JSON text or parsed value). Not verified again.
 * @throws InvalidArgumentError for any unexpected field, value, version or size
 * @throws CryptoError `malformed-certificate` / `kind-unknown` when the certificate does not parse
 */
export function chainResultFromJSON(input: unknown): JpkiChainResult {
  const r = new WireReader(parseWire(input), 'chain', 'jpki-chain-result', ['version', 'type', ...CHAIN_KEYS], ['version', 'type', 'valid', 'reasons']);
  return readChainFields(r, 'chain');
}

/** The wire form of a {@link verifyCms} result. */
export function cmsResultToJSON(result: CmsVerificationResult): CmsVerificationResultJson {
  return {
    version: WIRE_VERSION,
    type: 'jpki-cms-result',
    valid: result.valid,
    reasons: [...result.reasons],
    ...opt('signer', result.signer === undefined ? undefined : bytesToBase64url(result.signer.der)),
    ...opt('signingTime', result.signingTime?.toISOString()),
    ...opt('content', result.content === undefined ? undefined : bytesToBase64url(result.content)),
    ...opt('chain', result.chain === undefined ? undefined : chainFields(result.chain)),
    ...opt('signatureAlgorithm', result.signatureAlgorithm),
  };
}

/**
 * Read a CMS verdict from its wire form (JSON text or parsed value). Not verified again.
 * @throws InvalidArgumentError for any unexpected field, value, version or size (content ≤
 *   {@link MAX_WIRE_CONTENT_LENGTH})
 * @throws CryptoError when the signer certificate does not parse
 */
export function cmsResultFromJSON(input: unknown): CmsVerificationResult {
  const keys = ['version', 'type', 'valid', 'reasons', 'signer', 'signingTime', 'content', 'chain', 'signatureAlgorithm'];
  const r = new WireReader(parseWire(input), 'cms', 'jpki-cms-result', keys, ['version', 'type', 'valid', 'reasons']);
  const reasons = r.distinct('reasons', CMS_REASONS);
  return {
    valid: checkValid(r, 'cms', reasons),
    reasons,
    ...opt('signer', r.has('signer') ? parseJpkiCertificate(r.bytes('signer', MAX_WIRE_CERTIFICATE_LENGTH)) : undefined),
    ...opt('signingTime', r.has('signingTime') ? r.date('signingTime') : undefined),
    ...opt('content', r.has('content') ? r.bytes('content', MAX_WIRE_CONTENT_LENGTH) : undefined),
    ...opt('chain', r.has('chain') ? readNestedChain(r.raw('chain'), 'cms.chain') : undefined),
    ...opt('signatureAlgorithm', readAlgorithm(r)),
  };
}

function messageJson(message: AuthenticationMessage): AuthenticationMessageJson {
  return {
    context: message.context,
    origin: message.origin,
    challenge: bytesToBase64url(message.challenge),
    timestamp: message.timestamp.toISOString(),
  };
}

function readMessage(value: unknown): AuthenticationMessage {
  const keys = ['context', 'origin', 'challenge', 'timestamp'];
  const r = new WireReader(value, 'authentication.message', undefined, keys, keys);
  return {
    context: r.string('context', 256),
    origin: r.string('origin', MAX_ORIGIN_LENGTH),
    challenge: r.bytes('challenge', 1024),
    timestamp: r.date('timestamp'),
  };
}

/** The wire form of a {@link verifyAuthentication} result. */
export function authenticationResultToJSON(result: AuthenticationResult): AuthenticationResultJson {
  return {
    version: WIRE_VERSION,
    type: 'jpki-authentication-result',
    valid: result.valid,
    reasons: [...result.reasons],
    ...opt('message', result.message === undefined ? undefined : messageJson(result.message)),
    chain: chainFields(result.chain),
    ...opt('signatureAlgorithm', result.signatureAlgorithm),
  };
}

/**
 * Read an authentication verdict from its wire form (JSON text or parsed value). Not verified again.
 * @throws InvalidArgumentError for any unexpected field, value, version or size
 * @throws CryptoError when the certificate does not parse
 */
export function authenticationResultFromJSON(input: unknown): AuthenticationResult {
  const keys = ['version', 'type', 'valid', 'reasons', 'message', 'chain', 'signatureAlgorithm'];
  const r = new WireReader(parseWire(input), 'authentication', 'jpki-authentication-result', keys, ['version', 'type', 'valid', 'reasons', 'chain']);
  const reasons = r.distinct('reasons', AUTHENTICATION_REASONS);
  return {
    valid: checkValid(r, 'authentication', reasons),
    reasons,
    ...opt('message', r.has('message') ? readMessage(r.raw('message')) : undefined),
    chain: readNestedChain(r.raw('chain'), 'authentication.chain'),
    ...opt('signatureAlgorithm', readAlgorithm(r)),
  };
}
