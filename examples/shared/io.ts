/**
 * The process as the examples see it (streams, environment, clock; tests pass fakes), their
 * exit codes, a tiny argument parser and the error report. Public API only: copy this file
 * into your project as it is.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  AbortedError,
  CardRemovedError,
  InvalidArgumentError,
  MynacardError,
  PinBlockedError,
  PinFormatError,
  PinIncorrectError,
  PinRetryGuardError,
  describeError,
  type Transport,
} from 'mynacard';

/** A writable stream (process.stdout / process.stderr, or a test buffer). */
export interface ExampleWritable {
  write(chunk: string | Uint8Array): unknown;
  readonly isTTY?: boolean | undefined;
}

/** A readable stream (process.stdin, or a test stream). */
export interface ExampleReadable extends AsyncIterable<string | Uint8Array> {
  readonly isTTY?: boolean | undefined;
  setRawMode?(mode: boolean): unknown;
  on?(event: 'data', listener: (chunk: string | Uint8Array) => void): unknown;
  off?(event: 'data', listener: (chunk: string | Uint8Array) => void): unknown;
  resume?(): unknown;
  pause?(): unknown;
}

/** What an example needs from its process. */
export interface ExampleIo {
  readonly stdin: ExampleReadable;
  readonly stdout: ExampleWritable;
  readonly stderr: ExampleWritable;
  /** Environment variables (secrets may come from here, never from argv). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Clock (tests pin it). */
  readonly now?: () => Date;
  /** The card `--simulator` uses (tests pass one); default a fresh `VirtualMyNumberCard`. */
  readonly simulator?: () => Promise<Transport>;
  /** The `Intl` locale used when no LANG variable is set. */
  readonly locale?: string;
}

/** Exit codes, the same numbers as the `mynacard` CLI's. */
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  noReader: 3,
  noCard: 4,
  wrongPin: 5,
  pinBlocked: 6,
  guardRefused: 7,
  verificationFailed: 8,
  cardError: 9,
  secretUnavailable: 11,
  interrupted: 130,
} as const;

/** An error an example raises itself, with a stable `code` and its exit code. */
export class ExampleError extends Error {
  readonly code: string;
  readonly exitCode: number;

  constructor(code: string, message: string, exitCode: number) {
    super(message);
    this.name = 'ExampleError';
    this.code = code;
    this.exitCode = exitCode;
  }
}

/** `'ja'` or `'en'` from LC_ALL / LC_MESSAGES / LANG, else the locale. */
export function exampleLanguage(io: ExampleIo): 'ja' | 'en' {
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG']) {
    const value = io.env[name];
    if (value === undefined || value === '' || value === 'C' || value === 'POSIX' || value.startsWith('C.')) continue;
    return value.toLowerCase().startsWith('ja') ? 'ja' : 'en';
  }
  const locale = io.locale ?? Intl.DateTimeFormat().resolvedOptions().locale;
  return locale.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}

/** The exit code of an error. */
export function exitCodeOf(error: unknown): number {
  if (error instanceof ExampleError) return error.exitCode;
  if (error instanceof PinRetryGuardError) return EXIT.guardRefused;
  if (error instanceof PinBlockedError) return EXIT.pinBlocked;
  if (error instanceof PinIncorrectError) return EXIT.wrongPin;
  if (error instanceof PinFormatError || error instanceof InvalidArgumentError) return EXIT.usage;
  if (error instanceof CardRemovedError) return EXIT.noCard;
  if (error instanceof AbortedError) return EXIT.interrupted;
  if (error instanceof MynacardError) return EXIT.cardError;
  return EXIT.internal;
}

/** Print an error for a person (`describeError`: what happened and what to do) and return its exit code. */
export function reportError(io: ExampleIo, error: unknown): number {
  const lang = exampleLanguage(io);
  const text = error instanceof ExampleError ? error.message : describeError(error, lang).text;
  io.stderr.write(`${lang === 'ja' ? 'エラー' : 'Error'}: ${text}\n`);
  return exitCodeOf(error);
}

/** Run an example program: its exit code, or its error reported (see {@link reportError}). */
export async function runExample(io: ExampleIo, program: () => Promise<number>): Promise<number> {
  try {
    return await program();
  } catch (error) {
    return reportError(io, error);
  }
}

/** Parsed example arguments: flags and string options, by name (without dashes). */
export interface ExampleArgs {
  readonly flags: ReadonlySet<string>;
  readonly values: ReadonlyMap<string, string>;
}

/** Option names that look like a secret: refused, so that no PIN ever lands in a shell history. */
const SECRET_WORDS = /pin|pass|pwd|secret|暗証|照合/i;

/**
 * A tiny argument parser. `--simulator`, `--reader <name>`, `--pin-stdin` and
 * `--allow-last-try` are always known; a secret-looking option is refused before anything else.
 *
 * @throws ExampleError (exit 2)
 */
export function parseExampleArgs(
  argv: readonly string[],
  spec: { readonly flags?: readonly string[]; readonly values?: readonly string[] },
): ExampleArgs {
  const flagNames = new Set(['simulator', 'pin-stdin', 'allow-last-try', ...(spec.flags ?? [])]);
  const valueNames = new Set(['reader', ...(spec.values ?? [])]);
  for (const token of argv) {
    const name = token.replace(/^-+/, '').split('=')[0]!;
    if (token.startsWith('-') && SECRET_WORDS.test(name) && !flagNames.has(name)) {
      throw new ExampleError('usage', 'Secrets are never taken from the command line: use the environment, --pin-stdin or the prompt', EXIT.usage);
    }
  }
  const flags = new Set<string>();
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    const name = token.replace(/^--/, '');
    if (token.startsWith('--') && flagNames.has(name)) {
      flags.add(name);
    } else if (token.startsWith('--') && valueNames.has(name)) {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new ExampleError('usage', `${token} needs a value`, EXIT.usage);
      values.set(name, value);
      i++;
    } else {
      throw new ExampleError('usage', token.startsWith('--') ? `Unknown option ${token}` : `Unexpected argument #${i + 1}`, EXIT.usage);
    }
  }
  return { flags, values };
}

/** The process as an {@link ExampleIo}. */
export function processIo(): ExampleIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Whether the module at `url` is the program being run (`npx tsx examples/x/index.ts`). */
export function isMain(url: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && url === pathToFileURL(resolve(entry)).href;
}
