/**
 * CLI output: human-readable text on stdout, or with `--json` exactly one JSON document
 * (`schemaVersion` 1) on stdout; prompts, notes, progress and traces go to stderr.
 *
 * JSON schema (stable within a `schemaVersion`):
 * ```
 * { "schemaVersion": 1, "command": "info", "ok": true,  "exitCode": 0, "result": { … } }
 * { "schemaVersion": 1, "command": "text", "ok": false, "exitCode": 5,
 *   "error": { "code": "pin-incorrect", "message": "…", "remaining": 2 } }
 * ```
 * `ok` is `exitCode === 0`. A verification that ran but failed has both `result` (with
 * `valid: false`) and `exitCode` 8. Byte strings are base64; dates are ISO 8601 UTC. Exception:
 * the decoded values of `card-ap read` (`result.files.<name>.value`) print a `bytes` codec's
 * value (and a TLV member's) as upper-case hex, as the descriptor's codec displays it.
 * @packageDocumentation
 */
import { bytesToBase64 } from '../crypto/base64.js';
import type { CliWritable } from './io.js';
import { escapeControls } from './terminal.js';

/** Version of the JSON output schema. Bumped only for incompatible changes. */
export const SCHEMA_VERSION = 1;

/** The error part of a JSON document. */
export interface JsonError {
  /** Stable error code (the SDK's `MynacardError.code`, or the CLI's own). */
  readonly code: string;
  /** Human-readable message in the chosen language. Never contains a secret. */
  readonly message: string;
  /** Tries left, for PIN errors. */
  readonly remaining?: number;
  /**
   * For `card-ap-not-installed`: true when the card AP is in the regional area (地域住民向け領域),
   * which a move to another municipality (転出) empties.
   */
  readonly removedOnMoveOut?: boolean;
}

/** The one JSON document printed with `--json`. */
export interface JsonEnvelope {
  readonly schemaVersion: typeof SCHEMA_VERSION;
  readonly command: string | null;
  readonly ok: boolean;
  readonly exitCode: number;
  readonly result?: unknown;
  readonly error?: JsonError;
}

/** Convert a result to plain JSON values: bytes → base64, dates → ISO strings, Infinity → null. */
export function toJsonValue(value: unknown): unknown {
  if (value instanceof Uint8Array) return bytesToBase64(value);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number' && !Number.isFinite(value)) return null;
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = toJsonValue(v);
    }
    return out;
  }
  return value;
}

/** Print `envelope` as one JSON document (two-space indented) and a newline. */
export function writeJson(stream: CliWritable, envelope: JsonEnvelope): void {
  stream.write(`${JSON.stringify(toJsonValue(envelope), null, 2)}\n`);
}

/** Display width of a string: East Asian wide and full-width characters count 2. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    width +=
      (cp >= 0x1100 && cp <= 0x115f) ||
      (cp >= 0x2e80 && cp <= 0xa4cf) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) ||
      (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) ||
      cp >= 0x20000
        ? 2
        : 1;
  }
  return width;
}

/**
 * `label: value` lines with the values aligned, each line prefixed by `indent`. Labels and
 * values are escaped ({@link escapeControls}): a value never starts a line of its own.
 */
export function fieldLines(rows: readonly (readonly [string, string])[], indent = ''): string[] {
  const safe = rows.map(([label, value]) => [escapeControls(label), escapeControls(value)] as const);
  const width = Math.max(0, ...safe.map(([label]) => displayWidth(label)));
  return safe.map(([label, value]) => `${indent}${label}${' '.repeat(width - displayWidth(label))}  ${value}`);
}

/** PEM armour of DER bytes (64-character lines). */
export function toPem(der: Uint8Array, label = 'CERTIFICATE'): string {
  const b64 = bytesToBase64(der);
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** `YYYY-MM-DD` of a date in UTC. */
export function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}
