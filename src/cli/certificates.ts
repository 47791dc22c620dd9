/**
 * Certificate helpers of the CLI: PEM/DER input, trust-anchor selection (J-LIS roots, the
 * virtual card's TEST roots, or `--roots` files), dates from `--at`, and the summaries
 * printed for a certificate or a chain result.
 * @packageDocumentation
 */
import { base64ToBytes } from '../crypto/base64.js';
import type { JpkiTrustAnchor } from '../crypto/anchors.js';
import type { JpkiChainResult } from '../crypto/chain.js';
import { parseJpkiCertificate, type JpkiCertificate } from '../crypto/parse.js';
import { TEST_PKI_ORGANIZATION } from '../testing/pki-issuer.js';
import { CliError, EXIT } from './exit-codes.js';
import type { Messages } from './i18n.js';
import { fieldLines, isoDay } from './output.js';

/** The DER certificates in `bytes`: every PEM `CERTIFICATE` block, or the bytes as one DER. */
export function certificatesFrom(bytes: Uint8Array): Uint8Array[] {
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  const blocks = [...text.matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)];
  if (blocks.length > 0) return blocks.map((m) => base64ToBytes(m[1]!.replace(/\s+/g, '')));
  return [bytes];
}

/** DER of a PEM/DER file that must hold exactly one certificate (exit 2 otherwise). */
export function singleCertificate(bytes: Uint8Array, file: string, msg: Messages): Uint8Array {
  let list: Uint8Array[];
  try {
    list = certificatesFrom(bytes);
  } catch (error) {
    throw new CliError('not-certificate', EXIT.usage, msg.notCertificate(file), { cause: error });
  }
  if (list.length !== 1) throw new CliError('not-certificate', EXIT.usage, msg.notCertificate(file));
  return list[0]!;
}

/** Which trust anchors a verification used. */
export interface TrustChoice {
  /** `undefined` = the bundled J-LIS roots. */
  readonly roots: readonly (Uint8Array | JpkiTrustAnchor)[] | undefined;
  /** `'jlis'`, `'test'` (the virtual card's O=JPKI-TEST roots) or `'custom'` (`--roots`). */
  readonly source: 'jlis' | 'test' | 'custom';
}

/** Test roots of the embedded virtual card, or of an injected simulator exposing `roots`. */
export async function testRoots(transport?: unknown): Promise<JpkiTrustAnchor[]> {
  const own = (transport as { roots?: { auth?: unknown; sign?: unknown } } | undefined)?.roots;
  if (own?.auth instanceof Uint8Array && own.sign instanceof Uint8Array) {
    return [
      { der: own.auth, purpose: 'auth', name: 'JPKI-TEST auth root' },
      { der: own.sign, purpose: 'sign', name: 'JPKI-TEST sign root' },
    ];
  }
  const { testTrustAnchors } = await import('../testing/trust-anchors.js');
  return testTrustAnchors();
}

/** The note printed under a chain result, saying which roots were used. */
export function trustNote(choice: TrustChoice, msg: Messages): string {
  if (choice.source === 'test') return msg.testRootsNote;
  if (choice.source === 'custom') return msg.customRootsNote(choice.roots?.length ?? 0);
  return msg.jlisRootsNote;
}

/** Parse `--at` (ISO 8601; a bare date is midnight UTC), or `now` when absent. */
export function parseAt(value: string | undefined, now: Date, msg: Messages): Date {
  if (value === undefined) return now;
  const date = /^\d{4}-\d{2}-\d{2}([T ][0-9:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value) ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) throw new CliError('bad-date', EXIT.usage, msg.badDate('--at'));
  return date;
}

/** The certificate fields printed by `cert --json`, `verify-cert` and `verify` (no personal data). */
export interface CertificateSummary {
  readonly kind: string;
  readonly serialNumber: string;
  readonly subject: string;
  readonly issuer: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly keyUsage: readonly string[];
  readonly policies: readonly string[];
  readonly ocspUrl?: string | undefined;
}

/** The summary of a parsed certificate. The SAN's 基本4情報 are deliberately left out. */
export function summarize(certificate: JpkiCertificate): CertificateSummary {
  return {
    kind: certificate.kind,
    serialNumber: certificate.serialNumber,
    subject: certificate.subject.text,
    issuer: certificate.issuer.text,
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    keyUsage: certificate.keyUsage,
    policies: certificate.policies,
    ocspUrl: certificate.ocspUrl,
  };
}

/** Parse a certificate; `undefined` when it cannot be parsed. */
export function tryParse(der: Uint8Array): JpkiCertificate | undefined {
  try {
    return parseJpkiCertificate(der);
  } catch {
    return undefined;
  }
}

/** `[label, value]` rows of a certificate summary. */
export function certificateRows(summary: CertificateSummary, msg: Messages): [string, string][] {
  return [
    [msg.fieldKind, msg.kindName[summary.kind] ?? summary.kind],
    [msg.fieldSerial, summary.serialNumber],
    [msg.fieldSubject, summary.subject],
    [msg.fieldIssuer, summary.issuer],
    [msg.fieldValidity, `${isoDay(summary.notBefore)} – ${isoDay(summary.notAfter)}`],
  ];
}

/** JSON form of a chain result (the leaf as a summary, the root without its DER). */
export function chainJson(chain: JpkiChainResult, choice: TrustChoice, at: Date): Record<string, unknown> {
  return {
    valid: chain.valid,
    reasons: chain.reasons,
    checkedAt: at,
    trust: choice.source,
    root:
      chain.root === undefined
        ? undefined
        : {
            name: chain.root.name,
            purpose: chain.root.purpose,
            generation: chain.root.generation,
            serialNumber: chain.root.serialNumber,
          },
  };
}

/** `[label, value]` rows of a chain result. */
export function chainRows(chain: JpkiChainResult, at: Date, msg: Messages): [string, string][] {
  const rows: [string, string][] = [
    [msg.fieldChain, chain.valid ? msg.valid : msg.invalid],
    [msg.fieldCheckedAt, at.toISOString()],
  ];
  if (chain.root !== undefined) {
    const parts = [chain.root.name, chain.root.generation === undefined ? undefined : `gen ${chain.root.generation}`];
    rows.push([msg.fieldRoot, parts.filter((p) => p !== undefined).join(', ') || chain.root.serialNumber]);
  }
  rows.push(...reasonRows(chain.reasons, msg));
  return rows;
}

/**
 * `[label, value]` rows of verification reasons: each reason's shared resident-facing text
 * ({@link describeReason}) with its code, one per row (`--json` keeps the bare codes).
 */
export function reasonRows(reasons: readonly string[], msg: Messages): [string, string][] {
  return reasons.map((reason, i) => [i === 0 ? msg.fieldReasons : '', msg.reasonText(reason)]);
}

/** Whether `certificate` was issued under the virtual card's test PKI (issuer `O=JPKI-TEST`). */
export function issuedByTestPki(certificate: JpkiCertificate | undefined): boolean {
  return certificate?.issuer.attributes.some((a) => a.type === 'O' && a.value === TEST_PKI_ORGANIZATION) === true;
}

/**
 * Human lines of a certificate (when parsed) and its chain result, aligned together, then the
 * note naming the trust anchors.
 */
export function chainReport(
  certificate: JpkiCertificate | undefined,
  chain: JpkiChainResult,
  choice: TrustChoice,
  at: Date,
  msg: Messages,
  indent = '',
  extraRows: readonly [string, string][] = [],
): string[] {
  const rows = [
    ...extraRows,
    ...(certificate === undefined ? [] : certificateRows(summarize(certificate), msg)),
    ...chainRows(chain, at, msg),
  ];
  const lines = [...fieldLines(rows, indent), `${indent}${trustNote(choice, msg)}`];
  // A test certificate checked against other roots: say how to trust the test roots.
  if (!chain.valid && choice.source !== 'test' && issuedByTestPki(certificate)) lines.push(`${indent}${msg.testPkiHint}`);
  return lines;
}
