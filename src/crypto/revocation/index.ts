/**
 * Revocation checking (失効確認) for relying parties: the {@link RevocationChecker} contract,
 * an OCSP checker and a CRL checker, and the decoders of both formats.
 * @packageDocumentation
 */
export type {
  CertificateRevocation,
  CrlReason,
  RevocationChecker,
  RevocationCheckOptions,
  RevocationResult,
  RevocationSource,
  RevocationStatus,
  RevocationUnknownReason,
} from './types.js';
export { DEFAULT_REVOCATION_CLOCK_SKEW_MS } from './common.js';
export { crlChecker } from './crl-checker.js';
export type { CrlCheckerOptions, CrlLoader, CrlRequest } from './crl-checker.js';
export { parseCrl, MAX_CRL_LENGTH } from './crl.js';
export type { Crl, IssuingDistributionPoint, RevokedCertificate } from './crl.js';
export { ocspChecker, DEFAULT_OCSP_MAX_RESPONSE_BYTES, DEFAULT_OCSP_TIMEOUT_MS } from './ocsp-checker.js';
export type { OcspCheckerOptions, OcspFetch } from './ocsp-checker.js';
export { encodeOcspRequest, parseOcspResponse } from './ocsp.js';
export type { BasicOcspResponse, OcspCertId, OcspResponse, OcspResponseStatus, OcspSingleResponse } from './ocsp.js';
