/**
 * What every example shares: open the card (`--simulator` or a PC/SC `--reader`, exactly like
 * the `mynacard` CLI), get secrets the safe way (env / `--pin-stdin` / hidden prompt — never
 * argv), and pick the trust anchors (the J-LIS roots, or the virtual card's TEST roots).
 *
 * In your own project, import the SDK as `mynacard`, `mynacard/pcsc` and `mynacard/testing`;
 * the examples import the sources so that they run from a clone without a build.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MyNumberCard } from '../../src/aps/index.js';
import type { JpkiTrustAnchor } from '../../src/crypto/index.js';
import { refuseSecretOptions } from '../../src/cli/args.js';
import { testRoots } from '../../src/cli/certificates.js';
import { CliError, EXIT, exitCodeOf } from '../../src/cli/exit-codes.js';
import { defaultLang, messages, type Messages, type SecretName } from '../../src/cli/i18n.js';
import type { CliIo } from '../../src/cli/io.js';
import { SecretSource } from '../../src/cli/secrets.js';
import { openTransport, type OpenedTransport } from '../../src/cli/transport.js';
import { PinBlockedError, PinIncorrectError } from '../../src/apdu/index.js';
import { MynacardError, PinRetryGuardError } from '../../src/errors.js';
import { describeError } from '../../src/messages/index.js';

export type { CliIo } from '../../src/cli/io.js';
export { EXIT } from '../../src/cli/exit-codes.js';

/** Parsed example arguments: flags and string options, by name (without dashes). */
export interface ExampleArgs {
  readonly flags: ReadonlySet<string>;
  readonly values: ReadonlyMap<string, string>;
}

/**
 * A tiny argument parser for the examples. `--simulator`, `--reader <name>`, `--pin-stdin`
 * and `--allow-last-try` are always known. Secret-looking options are refused first.
 *
 * @throws CliError (exit 2)
 */
export function parseExampleArgs(
  argv: readonly string[],
  spec: { readonly flags?: readonly string[]; readonly values?: readonly string[] },
  msg: Messages,
): ExampleArgs {
  refuseSecretOptions(argv, msg);
  const flagNames = new Set(['simulator', 'pin-stdin', 'allow-last-try', ...(spec.flags ?? [])]);
  const valueNames = new Set(['reader', ...(spec.values ?? [])]);
  const flags = new Set<string>();
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    const name = token.replace(/^--/, '');
    if (token.startsWith('--') && flagNames.has(name)) {
      flags.add(name);
    } else if (token.startsWith('--') && valueNames.has(name)) {
      const value = argv[i + 1];
      if (value === undefined || value.startsWith('--')) throw new CliError('usage', EXIT.usage, msg.missingValue(token));
      values.set(name, value);
      i++;
    } else {
      throw new CliError('usage', EXIT.usage, token.startsWith('--') ? msg.unknownOption(token, 'example') : msg.unexpectedArgument(i + 1));
    }
  }
  return { flags, values };
}

/** An open card plus what the example needs around it. */
export interface ExampleSession {
  /** The card session. */
  readonly card: MyNumberCard;
  /** Whether this is the embedded virtual card. */
  readonly simulated: boolean;
  /** Trust anchors: the virtual card's TEST roots when simulated, else `undefined` (= J-LIS roots). */
  readonly roots: readonly JpkiTrustAnchor[] | undefined;
  /** The CLI messages (for prompts and errors). */
  readonly msg: Messages;
  /**
   * A secret, after showing the tries left; refuses without asking when blocked or at the
   * last try (unless `--allow-last-try`).
   */
  secret(name: SecretName, remaining: number, max?: number): Promise<string>;
  /** `--allow-last-try` was given. */
  readonly allowLastTry: boolean;
  /** Close the session and the reader. */
  close(): Promise<void>;
}

/** The examples' messages: Japanese or English from the environment, like the CLI. */
export function exampleMessages(io: CliIo): Messages {
  return messages(defaultLang(io.env, io.locale));
}

/** Open the card named by `args` (`--simulator` or `--reader`). */
export async function openSession(args: ExampleArgs, io: CliIo): Promise<ExampleSession> {
  const msg = exampleMessages(io);
  const opened: OpenedTransport = await openTransport(io, msg, {
    simulator: args.flags.has('simulator'),
    reader: args.values.get('reader'),
  });
  let card: MyNumberCard;
  try {
    card = await MyNumberCard.connect(opened.transport);
  } catch (error) {
    await opened.close();
    throw error;
  }
  const secrets = new SecretSource(io, msg, { pinStdin: args.flags.has('pin-stdin') });
  const allowLastTry = args.flags.has('allow-last-try');
  return {
    card,
    simulated: opened.simulated,
    roots: opened.simulated ? await testRoots(opened.transport) : undefined,
    msg,
    allowLastTry,
    async secret(name, remaining, max) {
      const label = msg.secretLabel[name];
      if (remaining === 0) throw new CliError('pin-blocked', EXIT.pinBlocked, msg.pinBlocked(label));
      if (remaining === 1 && !allowLastTry) throw new CliError('pin-retry-guard', EXIT.guardRefused, msg.guardRefused(label));
      return secrets.current({ name, remaining, max });
    },
    async close() {
      await card.close().catch(() => undefined);
      await opened.close().catch(() => undefined);
      await secrets.close();
    },
  };
}

/** Print an error the way the CLI does and return its exit code. */
export function reportError(io: CliIo, error: unknown): number {
  const msg = exampleMessages(io);
  let text: string;
  if (error instanceof PinIncorrectError || error instanceof PinBlockedError || error instanceof PinRetryGuardError) {
    text = describeError(error, defaultLang(io.env, io.locale)).text;
  } else if (error instanceof MynacardError) text = error.message;
  else text = `${msg.internal} ${error instanceof Error ? error.message : String(error)}`;
  io.stderr.write(`${msg.errorPrefix}: ${text}\n`);
  return exitCodeOf(error);
}

/**
 * Run an example program: its exit code, or, when it throws, the error printed the way the CLI
 * does (see {@link reportError}) and the error's exit code.
 */
export async function runExample(io: CliIo, program: () => Promise<number>): Promise<number> {
  try {
    return await program();
  } catch (error) {
    return reportError(io, error);
  }
}

/**
 * Open the card named by `args`, run `use` with it, and close the session whatever happens.
 * Resolves to {@link EXIT}.ok when `use` completes; its errors propagate (after the close).
 */
export async function withSession(
  args: ExampleArgs,
  io: CliIo,
  use: (session: ExampleSession) => Promise<void>,
): Promise<number> {
  const session = await openSession(args, io);
  try {
    await use(session);
    return EXIT.ok;
  } finally {
    await session.close();
  }
}

/** The process as a {@link CliIo}, for running an example from the command line. */
export function processIo(): CliIo {
  return { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env };
}

/** Whether the module at `url` is the program being run (`npx tsx examples/x/index.ts`). */
export function isMain(url: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && url === pathToFileURL(resolve(entry)).href;
}
