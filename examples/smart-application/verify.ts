/**
 * スマート申請, server side: verify an uploaded CMS signature — the signature, the chain of the
 * 署名用電子証明書 at the **submission date**, and a signing time no later than the submission —
 * then print the signer's 基本4情報 (from the certificate) and the application.
 *
 *   npx tsx examples/smart-application/verify.ts --in application.p7s --submitted-at 2026-04-01T10:00:00+09:00
 *   npx tsx examples/smart-application/verify.ts --in application.p7s --test-roots   # virtual-card signatures
 *
 * Legal note: verifying JPKI signatures as a business (署名検証者) requires the approval of the
 * Minister for Internal Affairs and Communications under 公的個人認証法, and a production
 * verifier must also check revocation (CRL/OCSP through J-LIS), which this example does not.
 */
import { readFile } from 'node:fs/promises';
import { verifyCms, type CmsReason, type JpkiTrustAnchor } from 'mynacard';
import {
  EXIT,
  ExampleError,
  isMain,
  parseExampleArgs,
  processIo,
  reportError,
  testRoots,
  testRootsNote,
  type ExampleIo,
} from '../shared/session.js';

/** Accepted clock difference between the signer's claimed signing time and the submission. */
export const SIGNING_TIME_SKEW_MS = 5 * 60_000;

/** Why an application is refused: the CMS reasons plus `signed-after-submission` and `not-json`. */
export type ApplicationReason = CmsReason | 'signed-after-submission' | 'not-json';

/** The verifier's verdict. */
export interface ApplicationVerdict {
  readonly valid: boolean;
  readonly reasons: readonly ApplicationReason[];
  /** The signer's 基本4情報 from the 署名用電子証明書 (only when the signature verified). */
  readonly signer?: {
    readonly name: string;
    readonly address: string;
    readonly birthDate: string;
    readonly sex: string;
    readonly certificateSerial: string;
  };
  /** The application JSON (only when valid). */
  readonly application?: unknown;
  /** The claimed signing time. */
  readonly signingTime?: Date;
}

/**
 * Verify an application signature as of `submittedAt` (the chain is checked at that date, so an
 * application submitted while the certificate was valid stays verifiable later).
 */
export async function verifyApplication(
  cms: Uint8Array,
  options: { readonly submittedAt: Date; readonly roots?: readonly JpkiTrustAnchor[] | undefined },
): Promise<ApplicationVerdict> {
  const result = await verifyCms(cms, { at: options.submittedAt, ...(options.roots === undefined ? {} : { roots: options.roots }) });
  const reasons: ApplicationReason[] = [...result.reasons];
  if (result.signingTime !== undefined && result.signingTime.getTime() > options.submittedAt.getTime() + SIGNING_TIME_SKEW_MS) {
    reasons.push('signed-after-submission');
  }
  let application: unknown;
  if (result.content !== undefined) {
    try {
      application = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(result.content));
    } catch {
      reasons.push('not-json');
    }
  }
  const valid = reasons.length === 0;
  const person = result.signer?.person;
  return {
    valid,
    reasons,
    ...(result.signingTime === undefined ? {} : { signingTime: result.signingTime }),
    ...(valid && person !== undefined && result.signer !== undefined
      ? {
          signer: {
            name: person.name,
            address: person.address,
            birthDate: person.birthDate.date,
            sex: person.sex === '1' ? '男' : person.sex === '2' ? '女' : '不明',
            certificateSerial: result.signer.serialNumber,
          },
          application,
        }
      : {}),
  };
}

/** The program: `--in <file.p7s> [--submitted-at <ISO date>] [--test-roots]`. */
export async function main(argv: readonly string[], io: ExampleIo): Promise<number> {
  try {
    const args = parseExampleArgs(argv, { values: ['in', 'submitted-at'], flags: ['test-roots'] });
    const input = args.values.get('in');
    if (input === undefined) throw new ExampleError('usage', '--in <file> is required', EXIT.usage);
    const at = args.values.get('submitted-at');
    const submittedAt = at === undefined ? (io.now?.() ?? new Date()) : new Date(at);
    if (Number.isNaN(submittedAt.getTime())) throw new ExampleError('usage', '--submitted-at is not a date (ISO 8601)', EXIT.usage);
    const roots = args.flags.has('test-roots') ? await testRoots() : undefined;
    const verdict = await verifyApplication(new Uint8Array(await readFile(input)), { submittedAt, roots });
    if (roots !== undefined) io.stdout.write(`${testRootsNote(io)}\n`);
    if (!verdict.valid) {
      io.stdout.write(`受理できません (rejected): ${verdict.reasons.join(', ')}\n`);
      return EXIT.verificationFailed;
    }
    const s = verdict.signer!;
    io.stdout.write(
      [
        `署名は有効です (valid signature, chain checked at ${submittedAt.toISOString()})`,
        `署名日時 (claimed): ${verdict.signingTime?.toISOString() ?? '-'}`,
        `氏名: ${s.name}`,
        `住所: ${s.address}`,
        `生年月日: ${s.birthDate}`,
        `性別: ${s.sex}`,
        `証明書シリアル: ${s.certificateSerial}`,
        `申請内容: ${JSON.stringify(verdict.application)}`,
        '',
      ].join('\n'),
    );
    return EXIT.ok;
  } catch (error) {
    return reportError(io, error);
  }
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2), processIo());
