/**
 * The JSON wire form of per-certificate revocation outcomes, nested in chain verdicts (see
 * `wire-verdicts.ts`): times as ISO 8601 UTC, every code checked against its list when read.
 * @packageDocumentation
 */
import { WireReader, wireError } from '../wire.js';
import type { CertificateRevocation, CrlReason, RevocationUnknownReason } from './types.js';

/** {@link CertificateRevocation} as JSON. */
export interface CertificateRevocationJson {
  /** `leaf` or `intermediate`. */
  readonly position: 'leaf' | 'intermediate';
  /** Serial number, upper-case hex. */
  readonly serialNumber: string;
  /** `good`, `revoked` or `unknown`. */
  readonly status: 'good' | 'revoked' | 'unknown';
  /** Why `unknown`. */
  readonly reason?: RevocationUnknownReason;
  /** Revocation time, ISO 8601 UTC. */
  readonly revokedAt?: string;
  /** CRLReason. */
  readonly revocationReason?: CrlReason;
  /** Which source answered. */
  readonly source: string;
  /** thisUpdate, ISO 8601 UTC. */
  readonly thisUpdate?: string;
  /** nextUpdate, ISO 8601 UTC. */
  readonly nextUpdate?: string;
  /** OCSP URL. */
  readonly url?: string;
  /** From the checker's cache. */
  readonly cached?: boolean;
}

const UNKNOWN_REASONS = [
  'ocsp-no-url', 'ocsp-unreachable', 'ocsp-timeout', 'ocsp-http-error', 'ocsp-response-too-large',
  'ocsp-malformed-response', 'ocsp-unsuccessful', 'ocsp-signature-invalid', 'ocsp-responder-unauthorized',
  'ocsp-cert-id-mismatch', 'ocsp-status-unknown', 'ocsp-nonce-missing', 'ocsp-nonce-mismatch', 'crl-not-found',
  'crl-unavailable', 'crl-malformed', 'crl-delta-unsupported', 'crl-scope-unsupported',
  'crl-unsupported-critical-extension', 'crl-signature-invalid', 'response-stale', 'response-not-yet-valid',
  'unsupported-algorithm',
] as const satisfies readonly RevocationUnknownReason[];
const CRL_REASONS = [
  'unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded', 'cessationOfOperation',
  'certificateHold', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise',
] as const satisfies readonly CrlReason[];
// Compile-time: a code added to a union without being added here fails the build.
type Exhaustive<Union, Listed> = [Exclude<Union, Listed>] extends [never] ? true : never;
const exhaustive: [Exhaustive<RevocationUnknownReason, (typeof UNKNOWN_REASONS)[number]>, Exhaustive<CrlReason, (typeof CRL_REASONS)[number]>] = [true, true];
void exhaustive;

const KEYS = ['position', 'serialNumber', 'status', 'reason', 'revokedAt', 'revocationReason', 'source', 'thisUpdate', 'nextUpdate', 'url', 'cached'];

/** Outcomes as JSON (key order as the fields of {@link CertificateRevocation}). @internal */
export function revocationToJSON(outcomes: readonly CertificateRevocation[]): CertificateRevocationJson[] {
  return outcomes.map((o) => {
    const out: Record<string, unknown> = { position: o.position, serialNumber: o.serialNumber, status: o.status };
    if (o.reason !== undefined) out['reason'] = o.reason;
    if (o.revokedAt !== undefined) out['revokedAt'] = o.revokedAt.toISOString();
    if (o.revocationReason !== undefined) out['revocationReason'] = o.revocationReason;
    out['source'] = o.source;
    if (o.thisUpdate !== undefined) out['thisUpdate'] = o.thisUpdate.toISOString();
    if (o.nextUpdate !== undefined) out['nextUpdate'] = o.nextUpdate.toISOString();
    if (o.url !== undefined) out['url'] = o.url;
    if (o.cached !== undefined) out['cached'] = o.cached;
    return out as unknown as CertificateRevocationJson;
  });
}

/** Read outcomes back (at most 8, each field checked). @internal */
export function revocationFromJSON(value: unknown, path: string): CertificateRevocation[] {
  if (!Array.isArray(value) || value.length > 8) throw wireError(path, 'must be an array of at most 8 outcomes');
  return value.map((item) => {
    const r = new WireReader(item, path, undefined, KEYS, ['position', 'serialNumber', 'status', 'source']);
    const serialNumber = r.string('serialNumber', 64);
    if (!/^[0-9A-F]+$/.test(serialNumber)) throw wireError(path, 'serialNumber must be upper-case hex');
    const status = r.oneOf('status', ['good', 'revoked', 'unknown'] as const);
    if ((status === 'unknown') !== r.has('reason')) throw wireError(path, 'reason must be present exactly when status is unknown');
    const out: Record<string, unknown> = { position: r.oneOf('position', ['leaf', 'intermediate'] as const), serialNumber, status };
    if (r.has('reason')) out['reason'] = r.oneOf('reason', UNKNOWN_REASONS);
    if (r.has('revokedAt')) out['revokedAt'] = r.date('revokedAt');
    if (r.has('revocationReason')) out['revocationReason'] = r.oneOf('revocationReason', CRL_REASONS);
    out['source'] = r.string('source', 64);
    if (r.has('thisUpdate')) out['thisUpdate'] = r.date('thisUpdate');
    if (r.has('nextUpdate')) out['nextUpdate'] = r.date('nextUpdate');
    if (r.has('url')) out['url'] = r.string('url', 2048);
    if (r.has('cached')) out['cached'] = r.boolean('cached');
    return out as unknown as CertificateRevocation;
  });
}
