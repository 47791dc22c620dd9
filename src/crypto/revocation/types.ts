/**
 * The revocation-checking contract (失効確認) between the verifiers and a revocation source:
 * a {@link RevocationChecker} answers `good`, `revoked` or `unknown` (with a stable reason) for
 * one certificate and its issuer at a validation time. J-LIS gives revocation information only
 * to registered verifiers (署名検証者・利用者証明検証者) or through platform operators, so the
 * SDK ships checkers that talk to the source a relying party is entitled to (OCSP, CRLs it
 * obtained) and never fetches anything on its own. Browser-safe.
 * @packageDocumentation
 */
import type { JpkiCertificate } from '../parse.js';

/** Outcome of a revocation check. `unknown` always carries a {@link RevocationUnknownReason}. */
export type RevocationStatus = 'good' | 'revoked' | 'unknown';

/** RFC 5280 §5.3.1 CRLReason (also used by OCSP `revocationReason`), by its ASN.1 name. */
export type CrlReason =
  | 'unspecified'
  | 'keyCompromise'
  | 'cACompromise'
  | 'affiliationChanged'
  | 'superseded'
  | 'cessationOfOperation'
  | 'certificateHold'
  | 'removeFromCRL'
  | 'privilegeWithdrawn'
  | 'aACompromise';

/**
 * Why a revocation status is `unknown`. Stable strings:
 *
 * OCSP (RFC 6960):
 * - `ocsp-no-url`: no URL given and the certificate has no AIA OCSP address;
 * - `ocsp-unreachable`: the request failed (connection refused, DNS, TLS, network);
 * - `ocsp-timeout`: no complete answer within `timeoutMs`;
 * - `ocsp-http-error`: an HTTP status other than 200, or a content type other than
 *   `application/ocsp-response`;
 * - `ocsp-response-too-large`: the body exceeds `maxResponseBytes`;
 * - `ocsp-malformed-response`: the body is not a well-formed OCSPResponse / BasicOCSPResponse;
 * - `ocsp-unsuccessful`: `responseStatus` is not `successful` (malformedRequest, internalError,
 *   tryLater, sigRequired, unauthorized);
 * - `ocsp-signature-invalid`: the response signature does not verify with the responder's key;
 * - `ocsp-responder-unauthorized`: the signer is neither the issuer nor a responder certificate
 *   issued by the issuer with id-kp-OCSPSigning, valid at `at`;
 * - `ocsp-cert-id-mismatch`: no SingleResponse names this certificate (issuer name hash, issuer
 *   key hash and serial number);
 * - `ocsp-status-unknown`: the responder answered `unknown` for this certificate;
 * - `ocsp-nonce-missing` / `ocsp-nonce-mismatch`: a nonce was sent and the response has none /
 *   another one (a replayed response).
 *
 * CRL (RFC 5280 §5, §6.3):
 * - `crl-not-found`: no supplied CRL covers the certificate (issuer and distribution point);
 * - `crl-unavailable`: the CRL loader failed (its error is not kept: see the checker's docs);
 * - `crl-malformed`: a CRL the loader returned is not a well-formed DER CRL;
 * - `crl-delta-unsupported`: the only matching CRLs are delta CRLs, which are refused;
 * - `crl-scope-unsupported`: the matching CRL covers only some reasons, is indirect or covers
 *   only CA or attribute certificates;
 * - `crl-unsupported-critical-extension`: the CRL or one of its entries has a critical
 *   extension this checker does not process;
 * - `crl-signature-invalid`: the CRL signature does not verify with the issuer's key.
 *
 * Both:
 * - `response-stale`: the newest evidence expired before `at` (`nextUpdate` < `at`, or older than
 *   `maxAgeMs` without `nextUpdate`);
 * - `response-not-yet-valid`: the evidence was produced after `at` (`thisUpdate` > `at` + skew);
 * - `unsupported-algorithm`: the evidence is signed with an algorithm or key the SDK does not
 *   verify.
 */
export type RevocationUnknownReason =
  | 'ocsp-no-url'
  | 'ocsp-unreachable'
  | 'ocsp-timeout'
  | 'ocsp-http-error'
  | 'ocsp-response-too-large'
  | 'ocsp-malformed-response'
  | 'ocsp-unsuccessful'
  | 'ocsp-signature-invalid'
  | 'ocsp-responder-unauthorized'
  | 'ocsp-cert-id-mismatch'
  | 'ocsp-status-unknown'
  | 'ocsp-nonce-missing'
  | 'ocsp-nonce-mismatch'
  | 'crl-not-found'
  | 'crl-unavailable'
  | 'crl-malformed'
  | 'crl-delta-unsupported'
  | 'crl-scope-unsupported'
  | 'crl-unsupported-critical-extension'
  | 'crl-signature-invalid'
  | 'response-stale'
  | 'response-not-yet-valid'
  | 'unsupported-algorithm';

/** Where a status came from: the SDK's checkers say `ocsp` or `crl`; a custom one names itself. */
export type RevocationSource = 'ocsp' | 'crl' | (string & {});

/** Options of {@link RevocationChecker.check}. */
export interface RevocationCheckOptions {
  /** The validation time: the evidence must be current at this time. */
  readonly at: Date;
  /** Cancels the check (an `AbortedError` is thrown). */
  readonly signal?: AbortSignal;
}

/** The answer of a {@link RevocationChecker}. */
export interface RevocationResult {
  /** `good`, `revoked`, or `unknown` (then {@link RevocationResult.reason} says why). */
  readonly status: RevocationStatus;
  /** Why the status is `unknown` (present exactly then). */
  readonly reason?: RevocationUnknownReason;
  /** The revocation time (`revoked` only). */
  readonly revokedAt?: Date;
  /** The CRLReason given by the source (`revoked` only, when the source gives one). */
  readonly revocationReason?: CrlReason;
  /** Which source answered. */
  readonly source: RevocationSource;
  /** When the evidence was known correct (OCSP / CRL `thisUpdate`), when there is evidence. */
  readonly thisUpdate?: Date;
  /** When newer evidence is due (`nextUpdate`), when given. */
  readonly nextUpdate?: Date;
  /** The OCSP URL asked (OCSP only). */
  readonly url?: string;
  /** Whether the answer came from the checker's cache. */
  readonly cached?: boolean;
}

/**
 * A revocation source. `check` must not throw for a source that cannot answer: it resolves
 * `unknown` with a reason. It may reject with `AbortedError` when `options.signal` aborts, and
 * with `InvalidArgumentError` for bad arguments.
 */
export interface RevocationChecker {
  /**
   * The revocation status of `certificate`, issued by `issuer`, at `options.at`.
   * @param certificate the certificate to check (a leaf, or an intermediate CA)
   * @param issuer the certificate of the CA that issued it (for JPKI leaves: the J-LIS root)
   */
  check(certificate: JpkiCertificate, issuer: JpkiCertificate, options: RevocationCheckOptions): Promise<RevocationResult>;
}

/** The revocation outcome of one certificate of a chain, as the verifiers report it. */
export interface CertificateRevocation extends RevocationResult {
  /** Which certificate: the leaf, or an intermediate CA (JPKI paths have none). */
  readonly position: 'leaf' | 'intermediate';
  /** Its serial number, upper-case hex. */
  readonly serialNumber: string;
}
