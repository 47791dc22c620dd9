/**
 * What every command receives: the parsed arguments, the language, the secret source, and the
 * card (opened on first use, closed by `runCli`). Also the secret providers the commands hand to
 * the SDK, which reads the tries and guards before it asks (no extra APDU).
 * @packageDocumentation
 */
import { readFile, realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { FileNotFoundError, PinBlockedError, PinIncorrectError } from '../apdu/status.js';
import { formatTraceEvent, type ApduTraceEvent } from '../apdu/trace.js';
import { MyNumberCard } from '../aps/card.js';
import { PinFormatError, PinRetryGuardError } from '../errors.js';
import { flag, type ParsedArgs } from './args.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { checkOutput, errnoCode, writeFileAtomic } from './files.js';
import type { Lang, Messages, SecretName } from './i18n.js';
import type { CliIo } from './io.js';
import { createProgress, type Progress } from './progress.js';
import type { SecretSource } from './secrets.js';
import type { SecretProvider, SecretRequest, TriesState } from '../secret.js';
import { escapeControls } from './terminal.js';
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

/** The tries to show before a secret is asked for (`Infinity`: no limit, or verified without a published maximum). */
function triesOf(tries: TriesState): { readonly remaining: number; readonly max?: number | undefined } {
  switch (tries.state) {
    case 'tries':
      return { remaining: tries.remaining, max: tries.max };
    case 'verified':
      return { remaining: tries.max ?? Number.POSITIVE_INFINITY, max: tries.max };
    case 'blocked':
      return { remaining: 0 };
    case 'unlimited':
      return { remaining: Number.POSITIVE_INFINITY };
  }
}

/** The state of one CLI run. */
export class CommandContext {
  readonly io: CliIo;
  readonly msg: Messages;
  readonly lang: Lang;
  readonly args: ParsedArgs;
  readonly secrets: SecretSource;
  #opened: OpenedTransport | undefined;
  /** Real paths of the files read so far (an output may not replace one). */
  readonly #inputs = new Set<string>();
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

  /** `--force`: outputs may replace existing files. */
  get force(): boolean {
    return flag(this.args.options, 'force');
  }

  /** Read a file named on the command line (exit 2, saying why, when it cannot be read). */
  async readFile(file: string): Promise<Uint8Array> {
    const path = this.path(file);
    try {
      const bytes = new Uint8Array(await readFile(path));
      this.#inputs.add(await realpath(path));
      return bytes;
    } catch (error) {
      throw new CliError('file-read', EXIT.usage, this.msg.fileRead(file, errnoCode(error)), { cause: error });
    }
  }

  /**
   * Check an output file before the card is used (exit 2, nothing done): not a symbolic link,
   * not an input read so far, not existing unless `--force`, in an existing folder.
   */
  async checkOutput(file: string): Promise<void> {
    const problem = await checkOutput(this.path(file), { force: this.force, inputs: this.#inputs }).catch(
      (error: unknown) => {
        throw new CliError('file-write', EXIT.usage, this.msg.fileWrite(file, this.msg.fileProblem(errnoCode(error))), { cause: error });
      },
    );
    if (problem === undefined) return;
    const message = {
      exists: this.msg.outputExists,
      symlink: this.msg.outputSymlink,
      'not-file': this.msg.outputNotFile,
      'is-input': this.msg.outputIsInput,
      'dir-missing': this.msg.outputDirMissing,
    }[problem](file);
    throw new CliError(`output-${problem}`, EXIT.usage, message);
  }

  /**
   * Write an output file (checked again first): a new 0600 file renamed into place (outputs may
   * hold personal data). A failure exits 13; `signed` says the card has already signed.
   */
  async writeFile(file: string, data: string | Uint8Array, options: { readonly signed?: boolean } = {}): Promise<void> {
    let reason: string;
    let cause: unknown;
    try {
      // Checked again: the file system may have changed since the first check.
      const problem = await checkOutput(this.path(file), { force: this.force, inputs: this.#inputs });
      if (problem === undefined) {
        await writeFileAtomic(this.path(file), data);
        return;
      }
      reason = this.msg.outputProblem(problem);
    } catch (error) {
      reason = this.msg.fileProblem(errnoCode(error));
      cause = error;
    }
    throw options.signed === true
      ? new CliError('signature-not-written', EXIT.outputNotWritten, this.msg.signedNotWritten(file, reason), { cause })
      : new CliError('file-write', EXIT.outputNotWritten, this.msg.fileWrite(file, reason), { cause });
  }

  /** A line on stderr (notes that must not mix with the stdout result). */
  note(text: string): void {
    this.io.stderr.write(`${escapeControls(text, 'text')}\n`);
  }

  /**
   * A secret provider for the SDK (`pin: context.secretProvider('sign')`): the SDK reads the
   * tries and refuses when the secret is blocked or at the last try without `--allow-last-try`
   * (exit 6 / 7 through {@link withSecret}) before it asks; the provider then shows the tries
   * and takes the value from stdin, the environment or the prompt. The value is asked once per
   * command and reused for its other VERIFYs of the same secret (e.g. `text --show-my-number`,
   * `sign --cert-out`). `purpose: 'new'` asks for the new value of a PIN change.
   */
  secretProvider(name: SecretName, fallback?: { readonly value: string; readonly note: string }): SecretProvider {
    return this.#memo(`name:${name}`, (request) =>
      request.purpose === 'new'
        ? this.secrets.next(name as 'auth' | 'sign' | 'text')
        : this.secrets.current({ name, ...triesOf(request.tries) }, fallback),
    );
  }

  /**
   * {@link secretProvider} for a secret the CLI knows only from a descriptor (a card-AP secret),
   * with its label and environment variable.
   */
  namedSecretProvider(label: string, env: string): SecretProvider {
    return this.#memo(`env:${env}`, (request) => this.secrets.named({ label, env, ...triesOf(request.tries) }));
  }

  /** Values already given in this run, by secret (strings: what stdin, the environment or the prompt gave). */
  readonly #given = new Map<string, string>();

  #memo(key: string, ask: (request: SecretRequest) => Promise<string>): SecretProvider {
    return async (request) => {
      const slot = `${key}:${request.purpose}`;
      const known = this.#given.get(slot);
      if (known !== undefined) return known;
      const value = await ask(request);
      this.#given.set(slot, value);
      return value;
    };
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
      const label = typeof name === 'string' ? this.msg.secretShort[name] : name.label;
      if (error instanceof PinIncorrectError) {
        throw new CliError('pin-incorrect', EXIT.wrongPin, this.msg.pinIncorrect(label, error.remaining), {
          cause: error,
          remaining: error.remaining,
        });
      }
      if (error instanceof PinBlockedError) {
        throw new CliError('pin-blocked', EXIT.pinBlocked, this.msg.pinBlocked(label), { cause: error, remaining: 0 });
      }
      if (error instanceof PinFormatError) {
        throw new CliError('pin-format', EXIT.usage, this.msg.pinFormat(label), { cause: error });
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
    this.#given.clear();
    await this.secrets.close();
  }
}
