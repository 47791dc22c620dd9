/**
 * What every command receives: the parsed arguments, the language, the secret source, and the
 * card (opened on first use, closed by `runCli`). Also the guarded-PIN flow shared by the
 * commands: tries first, refuse when blocked or at the last try, then ask for the secret.
 * @packageDocumentation
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { FileNotFoundError, PinBlockedError, PinIncorrectError } from '../apdu/status.js';
import { formatTraceEvent, type ApduTraceEvent } from '../apdu/trace.js';
import { MyNumberCard } from '../aps/card.js';
import { PinRetryGuardError } from '../errors.js';
import { flag, type ParsedArgs } from './args.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import type { Lang, Messages, SecretName } from './i18n.js';
import type { CliIo } from './io.js';
import { createProgress, type Progress } from './progress.js';
import type { SecretSource } from './secrets.js';
import { openTransport, type OpenedTransport } from './transport.js';

/** What a command returns: the JSON `result`, the human text, and the exit code (default 0). */
export interface CommandOutput {
  /** The JSON document's `result`. */
  readonly result: unknown;
  /** Text for stdout (a trailing newline is added when missing), or raw bytes (`cert --der`). */
  readonly human: string | Uint8Array;
  /** Exit code; default {@link EXIT.ok}. */
  readonly exitCode?: ExitCode;
}

/** A command's implementation. */
export type Command = (context: CommandContext) => Promise<CommandOutput>;

/** The state of one CLI run. */
export class CommandContext {
  readonly io: CliIo;
  readonly msg: Messages;
  readonly lang: Lang;
  readonly args: ParsedArgs;
  readonly secrets: SecretSource;
  #opened: OpenedTransport | undefined;
  #card: MyNumberCard | undefined;

  constructor(io: CliIo, msg: Messages, lang: Lang, args: ParsedArgs, secrets: SecretSource) {
    this.io = io;
    this.msg = msg;
    this.lang = lang;
    this.args = args;
    this.secrets = secrets;
  }

  /** `--json`. */
  get json(): boolean {
    return flag(this.args.options, 'json');
  }

  /** `--simulator`. */
  get simulator(): boolean {
    return flag(this.args.options, 'simulator');
  }

  /** `--allow-last-try`. */
  get allowLastTry(): boolean {
    return flag(this.args.options, 'allow-last-try');
  }

  /** The trace hook for `--trace`: one redacted line per APDU on stderr. */
  get trace(): ((event: ApduTraceEvent) => void) | undefined {
    if (!flag(this.args.options, 'trace')) return undefined;
    return (event) => {
      this.io.stderr.write(`${formatTraceEvent(event)}\n`);
    };
  }

  /** The current time. */
  now(): Date {
    return this.io.now?.() ?? new Date();
  }

  /** Open the reader or the simulator (once). */
  async transport(): Promise<OpenedTransport> {
    this.#opened ??= await openTransport(this.io, this.msg, {
      simulator: this.simulator,
      reader: typeof this.args.options['reader'] === 'string' ? this.args.options['reader'] : undefined,
    });
    return this.#opened;
  }

  /**
   * Connect to the card (once): SELECT the JPKI AP and read the token label.
   * @throws CliError exit 10 when the card has no JPKI AP
   */
  async card(): Promise<MyNumberCard> {
    if (this.#card !== undefined) return this.#card;
    const opened = await this.transport();
    try {
      this.#card = await MyNumberCard.connect(opened.transport, { onTrace: this.trace });
    } catch (error) {
      if (error instanceof FileNotFoundError) {
        throw new CliError('not-my-number-card', EXIT.notSupported, this.msg.notMyNumberCard, { cause: error });
      }
      throw error;
    }
    return this.#card;
  }

  /** A progress bar for a long read (silent unless interactive). */
  progress(label: string): Progress {
    return createProgress(this.io, label, this.json);
  }

  /** Absolute path of a file named on the command line. */
  path(file: string): string {
    return resolve(this.io.cwd ?? process.cwd(), file);
  }

  /** Read a file named on the command line (exit 2 when it cannot be read). */
  async readFile(file: string): Promise<Uint8Array> {
    try {
      return new Uint8Array(await readFile(this.path(file)));
    } catch (error) {
      throw new CliError('file-read', EXIT.usage, this.msg.fileRead(file), { cause: error });
    }
  }

  /** Write a file named on the command line (mode 0600: outputs may hold personal data). */
  async writeFile(file: string, data: string | Uint8Array): Promise<void> {
    try {
      await writeFile(this.path(file), data, { mode: 0o600 });
    } catch (error) {
      throw new CliError('file-write', EXIT.usage, this.msg.fileWrite(file), { cause: error });
    }
  }

  /** A line on stderr (notes that must not mix with the stdout result). */
  note(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  /**
   * The guarded secret flow: refuse without asking when the secret is blocked (exit 6) or has
   * one try left without `--allow-last-try` (exit 7); otherwise ask for it, showing the tries.
   */
  async secretFor(
    name: SecretName,
    remaining: number,
    max: number | undefined,
    fallback?: { readonly value: string; readonly note: string },
  ): Promise<string> {
    this.#guard(this.msg.secretLabel[name], remaining);
    return this.secrets.current({ name, remaining, max }, fallback);
  }

  /**
   * {@link secretFor} for a secret the CLI knows only from a descriptor (a card-AP secret),
   * with its label and environment variable.
   */
  async namedSecretFor(label: string, env: string, remaining: number, max: number | undefined): Promise<string> {
    this.#guard(label, remaining);
    return this.secrets.named({ label, env, remaining, max });
  }

  /** Refuse without asking when blocked (exit 6) or at the last try without `--allow-last-try` (exit 7). */
  #guard(label: string, remaining: number): void {
    if (remaining === 0) throw new CliError('pin-blocked', EXIT.pinBlocked, this.msg.pinBlocked(label), { remaining: 0 });
    if (remaining === 1 && !this.allowLastTry) {
      throw new CliError('pin-retry-guard', EXIT.guardRefused, this.msg.guardRefused(label), { remaining: 1 });
    }
  }

  /**
   * Run an SDK call that sends `name`'s secret, turning the PIN errors into localized CLI
   * errors that name the secret (exit 5 wrong, 6 blocked, 7 guard). `name` is one of the
   * card's secrets, or `{ label }` for a secret known only from a descriptor.
   */
  async withSecret<T>(name: SecretName | { readonly label: string }, call: () => Promise<T>): Promise<T> {
    try {
      return await call();
    } catch (error) {
      const label = typeof name === 'string' ? this.msg.secretLabel[name] : name.label;
      if (error instanceof PinIncorrectError) {
        throw new CliError('pin-incorrect', EXIT.wrongPin, this.msg.pinIncorrect(label, error.remaining), {
          cause: error,
          remaining: error.remaining,
        });
      }
      if (error instanceof PinBlockedError) {
        throw new CliError('pin-blocked', EXIT.pinBlocked, this.msg.pinBlocked(label), { cause: error, remaining: 0 });
      }
      if (error instanceof PinRetryGuardError) {
        throw new CliError('pin-retry-guard', EXIT.guardRefused, this.msg.guardRefused(label), {
          cause: error,
          remaining: error.remaining,
        });
      }
      throw error;
    }
  }

  /** Close the card session and the transport. Errors are swallowed (the card may be gone). */
  async close(): Promise<void> {
    try {
      await this.#card?.close();
    } catch {
      // The card may have been removed: nothing is left to drop.
    }
    try {
      await this.#opened?.close();
    } catch {
      // Same.
    }
    await this.secrets.close();
  }
}
