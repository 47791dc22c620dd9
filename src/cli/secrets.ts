/**
 * Where the CLI gets secrets (暗証番号, パスワード, 照合番号B) — never from argv:
 * 1. `--pin-stdin`: one line of standard input per secret, in the order asked (when stdin is a
 *    terminal, the hidden prompt is used instead so that nothing is echoed);
 * 2. an environment variable (`MYNACARD_AUTH_PIN`, `MYNACARD_SIGN_PASSWORD`, `MYNACARD_TEXT_PIN`,
 *    `MYNACARD_VERIFICATION_B`; `MYNACARD_NEW_*` for the new value of `pin change`;
 *    `MYNACARD_CARD_AP_<SECRET>` for a card-AP secret, see `cardApSecretEnv`);
 * 3. a hidden prompt on the terminal (raw mode: nothing is echoed).
 *
 * The remaining tries are shown (on stderr) before a secret is asked for or taken from the
 * environment. Bytes read from stdin or the terminal are kept in buffers that are zeroed after
 * use; the resulting JS string cannot be wiped (strings are immutable), so it is dropped as
 * soon as the SDK call that needs it returns.
 * @packageDocumentation
 */
import { escapeControls } from './terminal.js';
import { CliError, EXIT } from './exit-codes.js';
import type { Messages, SecretName } from './i18n.js';
import type { CliIo } from './io.js';

/** Environment variable of each secret. */
export const SECRET_ENV: Readonly<Record<SecretName, string>> = {
  auth: 'MYNACARD_AUTH_PIN',
  sign: 'MYNACARD_SIGN_PASSWORD',
  text: 'MYNACARD_TEXT_PIN',
  verificationB: 'MYNACARD_VERIFICATION_B',
};

/** Environment variable of the new value for `pin change`. */
export const NEW_SECRET_ENV: Readonly<Record<'auth' | 'sign' | 'text', string>> = {
  auth: 'MYNACARD_NEW_AUTH_PIN',
  sign: 'MYNACARD_NEW_SIGN_PASSWORD',
  text: 'MYNACARD_NEW_TEXT_PIN',
};

/** Longest secret accepted from stdin or the prompt (the signing password has at most 16). */
const MAX_SECRET_BYTES = 64;
const CTRL_C = 0x03;
const CTRL_D = 0x04;
const CTRL_U = 0x15;
const BACKSPACE = 0x08;
const DELETE = 0x7f;
const CR = 0x0d;
const LF = 0x0a;

function asBytes(chunk: string | Uint8Array): Uint8Array {
  return typeof chunk === 'string' ? new TextEncoder().encode(chunk) : chunk;
}

/** ASCII bytes → string (secrets are ASCII; other bytes were refused on input). */
function asciiString(bytes: Uint8Array, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += String.fromCharCode(bytes[i]!);
  return text;
}

/** Reads `--pin-stdin` lines one at a time, never more of the stream than needed. */
class StdinLines {
  readonly #iterator: AsyncIterator<string | Uint8Array>;
  #buffer = new Uint8Array(0);
  #ended = false;

  constructor(io: CliIo) {
    this.#iterator = io.stdin[Symbol.asyncIterator]();
  }

  /** The next line without its `\n` / `\r\n`, or `undefined` at the end of the input. */
  async next(): Promise<string | undefined> {
    for (;;) {
      const nl = this.#buffer.indexOf(LF);
      if (nl >= 0 || (this.#ended && this.#buffer.length > 0)) {
        const end = nl >= 0 ? nl : this.#buffer.length;
        const lineEnd = end > 0 && this.#buffer[end - 1] === CR ? end - 1 : end;
        const line = asciiString(this.#buffer, lineEnd);
        const rest = this.#buffer.slice(nl >= 0 ? nl + 1 : end);
        this.#buffer.fill(0);
        this.#buffer = rest;
        return line;
      }
      if (this.#ended) return undefined;
      const { value, done } = await this.#iterator.next();
      if (done === true) {
        this.#ended = true;
        continue;
      }
      const chunk = asBytes(value);
      const merged = new Uint8Array(this.#buffer.length + chunk.length);
      merged.set(this.#buffer);
      merged.set(chunk, this.#buffer.length);
      this.#buffer.fill(0);
      if (chunk !== value) chunk.fill(0);
      else if (value instanceof Uint8Array) value.fill(0);
      this.#buffer = merged;
    }
  }

  /** Zero what is left and release the stream. */
  async close(): Promise<void> {
    this.#buffer.fill(0);
    this.#buffer = new Uint8Array(0);
    await this.#iterator.return?.();
  }
}

/**
 * Read one secret from the terminal with echo off. Resolves with the typed text; rejects with
 * exit 130 on Ctrl-C (or Ctrl-D on an empty line).
 */
export async function promptHidden(io: CliIo, question: string, msg: Messages): Promise<string> {
  const stdin = io.stdin;
  if (stdin.setRawMode === undefined || stdin.on === undefined || stdin.off === undefined) {
    throw new CliError('secret-unavailable', EXIT.secretUnavailable, msg.secretUnavailable('secret', 'MYNACARD_*'));
  }
  io.stderr.write(escapeControls(question, 'text'));
  const buffer = new Uint8Array(MAX_SECRET_BYTES);
  let length = 0;
  stdin.setRawMode(true);
  stdin.resume?.();
  try {
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: string | Uint8Array): void => {
        const bytes = asBytes(chunk);
        for (const byte of bytes) {
          if (byte === CR || byte === LF) {
            finish();
            resolve();
            break;
          }
          if (byte === CTRL_C || (byte === CTRL_D && length === 0)) {
            finish();
            reject(new CliError('interrupted', EXIT.interrupted, msg.interrupted));
            break;
          }
          if (byte === BACKSPACE || byte === DELETE) {
            if (length > 0) buffer[--length] = 0;
          } else if (byte === CTRL_U) {
            buffer.fill(0);
            length = 0;
          } else if (byte >= 0x20 && byte < 0x7f && length < MAX_SECRET_BYTES) {
            buffer[length++] = byte;
          }
          // Other bytes (escape sequences, non-ASCII) are ignored: secrets are ASCII.
        }
        bytes.fill(0);
      };
      const finish = (): void => {
        stdin.off!('data', onData);
      };
      stdin.on!('data', onData);
    });
    return asciiString(buffer, length);
  } finally {
    buffer.fill(0);
    stdin.setRawMode(false);
    stdin.pause?.();
    io.stderr.write('\n');
  }
}

/** What a command tells the source about the secret it needs. */
export interface SecretRequest {
  /** Which secret. */
  readonly name: SecretName;
  /** Tries left (shown before asking); `undefined` when unknown. */
  readonly remaining?: number | undefined;
  /** The counter's maximum, when published. */
  readonly max?: number | undefined;
}

/** A secret the CLI knows only from a descriptor (a card-AP secret). */
export interface NamedSecretRequest {
  /** What the prompt and messages call it (never its value). */
  readonly label: string;
  /** Its environment variable. */
  readonly env: string;
  /** Tries left (shown before asking); `undefined` when unknown. */
  readonly remaining?: number | undefined;
  /** The counter's maximum, when published. */
  readonly max?: number | undefined;
}

/** The tries part of a request. */
type Tries = { readonly remaining?: number | undefined; readonly max?: number | undefined };

/** Hands out secrets from `--pin-stdin`, the environment or the prompt. */
export class SecretSource {
  readonly #io: CliIo;
  readonly #msg: Messages;
  readonly #pinStdin: boolean;
  #lines: StdinLines | undefined;

  constructor(io: CliIo, msg: Messages, options: { readonly pinStdin: boolean }) {
    this.#io = io;
    this.#msg = msg;
    this.#pinStdin = options.pinStdin;
  }

  /**
   * The current value of a secret. The tries left are shown first: in the prompt, or on a
   * stderr line when the value comes from stdin or the environment.
   *
   * @throws CliError exit 11 when no source can supply it, 130 when the prompt is interrupted
   */
  async current(request: SecretRequest, fallback?: { readonly value: string; readonly note: string }): Promise<string> {
    return this.#get(this.#msg.secretLabel[request.name], request, SECRET_ENV[request.name], 'current', fallback);
  }

  /**
   * The current value of a secret the CLI does not know by name (a card-AP secret): same
   * sources and order as {@link current}, with the caller's label and environment variable.
   *
   * @throws CliError exit 11 when no source can supply it, 130 when the prompt is interrupted
   */
  async named(request: NamedSecretRequest): Promise<string> {
    return this.#get(request.label, request, request.env, 'current');
  }

  /**
   * The new value for `pin change` (asked twice at the prompt, and refused when the two differ).
   */
  async next(name: 'auth' | 'sign' | 'text'): Promise<string> {
    return this.#get(this.#msg.secretLabel[name], {}, NEW_SECRET_ENV[name], 'new');
  }

  async #get(
    label: string,
    request: Tries,
    env: string,
    purpose: 'current' | 'new',
    fallback?: { readonly value: string; readonly note: string },
  ): Promise<string> {
    const msg = this.#msg;
    const io = this.#io;
    // On a terminal, --pin-stdin would echo the typed secret: the hidden prompt is used instead.
    if (this.#pinStdin && io.stdin.isTTY !== true) {
      if (purpose === 'current') this.#announceWith(label, request, msg.secretFromStdin);
      this.#lines ??= new StdinLines(io);
      const line = await this.#lines.next();
      if (line === undefined) throw new CliError('secret-unavailable', EXIT.secretUnavailable, msg.stdinExhausted(label));
      return line;
    }
    const fromEnv = io.env[env];
    if (fromEnv !== undefined && fromEnv !== '') {
      if (purpose === 'current') this.#announceWith(label, request, msg.secretFromEnv(env));
      return fromEnv;
    }
    if (fallback !== undefined) {
      this.#announceWith(label, request, fallback.note);
      return fallback.value;
    }
    if (io.stdin.isTTY !== true || io.stdin.setRawMode === undefined) {
      throw new CliError('secret-unavailable', EXIT.secretUnavailable, msg.secretUnavailable(label, env));
    }
    if (purpose === 'current') return promptHidden(io, msg.prompt(label, request.remaining), msg);
    const first = await promptHidden(io, msg.promptNew(label), msg);
    const second = await promptHidden(io, msg.promptConfirm(label), msg);
    if (first !== second) throw new CliError('secret-mismatch', EXIT.usage, msg.secretMismatch);
    return first;
  }

  #announceWith(label: string, request: Tries, note: string): void {
    if (request.remaining === undefined) {
      this.#io.stderr.write(`${escapeControls(label)} ${note}\n`);
      return;
    }
    const line = Number.isFinite(request.remaining)
      ? this.#msg.triesLine(label, request.remaining, request.max)
      : this.#msg.triesUnlimited(label);
    this.#io.stderr.write(`${escapeControls(line, 'text')} ${note}\n`);
  }

  /** Release stdin (when `--pin-stdin` read from it) and zero what is buffered. */
  async close(): Promise<void> {
    await this.#lines?.close();
    this.#lines = undefined;
  }
}
