/**
 * The revocation step of chain validation: ask the caller's checker about the leaf, record the
 * outcome, and turn it into chain reasons.
 * @packageDocumentation
 */
import type { ChainReason, JpkiChainResult } from '../chain.js';
import type { JpkiCertificate } from '../parse.js';
import type { CertificateRevocation, RevocationChecker } from './types.js';

/** `result` with the leaf's revocation outcome (and its reasons) added. @internal */
export async function checkRevocation(
  result: JpkiChainResult,
  leaf: JpkiCertificate,
  root: JpkiCertificate,
  options: {
    readonly at: Date;
    readonly revocation?: RevocationChecker;
    readonly requireRevocationStatus?: boolean;
    readonly signal?: AbortSignal;
  },
): Promise<JpkiChainResult> {
  const checker = options.revocation!;
  const answer = await checker.check(leaf, root, {
    at: options.at,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const outcome: CertificateRevocation = { ...answer, position: 'leaf', serialNumber: leaf.serialNumber };
  const reasons: ChainReason[] = [...result.reasons];
  if (answer.status === 'revoked') reasons.push('certificate-revoked');
  else if (answer.status !== 'good' && options.requireRevocationStatus === true) reasons.push('revocation-status-unknown');
  return { ...result, valid: reasons.length === 0, reasons, revocation: [outcome] };
}
