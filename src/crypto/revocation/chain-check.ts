/**
 * The revocation step of chain validation: ask the caller's checker about the leaf and turn its
 * answer into the outcome a result lists and, when it fails the chain, a reason.
 * @packageDocumentation
 */
import type { JpkiCertificate } from '../parse.js';
import type { CertificateRevocation, RevocationChecker } from './types.js';

/** Options the revocation step reads (a subset of the chain options). @internal */
export interface RevocationStepOptions {
  readonly at: Date;
  readonly revocation?: RevocationChecker;
  readonly requireRevocationStatus?: boolean;
  readonly signal?: AbortSignal;
}

/** The leaf's revocation outcome and the chain reason it gives, if any. @internal */
export async function checkRevocation(
  leaf: JpkiCertificate,
  root: JpkiCertificate,
  options: RevocationStepOptions,
): Promise<{ outcome: CertificateRevocation; reason?: 'certificate-revoked' | 'revocation-status-unknown' }> {
  const answer = await options.revocation!.check(leaf, root, {
    at: options.at,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const outcome: CertificateRevocation = { ...answer, position: 'leaf', serialNumber: leaf.serialNumber };
  if (answer.status === 'revoked') return { outcome, reason: 'certificate-revoked' };
  if (answer.status !== 'good' && options.requireRevocationStatus === true) return { outcome, reason: 'revocation-status-unknown' };
  return { outcome };
}
