/**
 * `runCli(argv, io)`: the whole `mynacard` command, runnable in-process (tests) or from
 * `main.ts` (the `mynacard` binary). Returns the exit code; never calls `process.exit`.
 * @packageDocumentation
 */
import { PinBlockedError, PinIncorrectError } from '../apdu/status.js';
import { CardApNotInstalledError } from '../aps/card-ap/errors.js';
import { InvalidArgumentError, MynacardError, PinRetryGuardError } from '../errors.js';
import { describeError } from '../messages/describe.js';
import { flag, parseArgs, type ParsedArgs } from './args.js';
import { CommandContext, type Command } from './context.js';
import { CliError, EXIT, exitCodeOf, type ExitCode } from './exit-codes.js';
import { defaultLang, isLang, messages, type Lang, type Messages } from './i18n.js';
import type { CliIo } from './io.js';
import { SCHEMA_VERSION, writeJson, type JsonError } from './output.js';
import { SecretSource } from './secrets.js';
import { escapeControls } from './terminal.js';
import { certCommand, verifyCertCommand } from './commands/cert.js';
import { bridgeCommand } from './commands/bridge.js';
import { demoCommand, readersCommand, simCommand } from './commands/misc.js';
import { faceCommand, pinChangeCommand, textCommand } from './commands/personal.js';
import { signCommand, verifyCommand } from './commands/sign.js';
import { pdfSignCommand, pdfVerifyCommand } from './commands/pdf.js';
import { cardApProbeCommand, cardApReadCommand } from './commands/card-ap.js';
import { infoCommand, pinStatusCommand } from './commands/status.js';
import packageJson from '../../package.json' with { type: 'json' };

/** The CLI's version (the package's). */
export const CLI_VERSION: string = packageJson.version;

const COMMAND_TABLE: Readonly<Record<string, Command>> = {
  readers: readersCommand,
  info: infoCommand,
  cert: certCommand,
  'verify-cert': verifyCertCommand,
  sign: signCommand,
  verify: verifyCommand,
  text: textCommand,
  face: faceCommand,
  'pdf sign': pdfSignCommand,
  'pdf verify': pdfVerifyCommand,
  'pin status': pinStatusCommand,
  'pin change': pinChangeCommand,
  sim: simCommand,
  demo: demoCommand,
  bridge: bridgeCommand,
  'card-ap probe': cardApProbeCommand,
  'card-ap read': cardApReadCommand,
};

/** `--lang` from the raw argv (before parsing, so that parse errors are localized too). */
function langFromArgv(argv: readonly string[]): Lang | undefined {
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (token === '--') break;
    if (token === '--lang' && isLang(argv[i + 1])) return argv[i + 1] as Lang;
    if (token.startsWith('--lang=') && isLang(token.slice(7))) return token.slice(7) as Lang;
  }
  return undefined;
}

/**
 * The user-facing message of an error: the CLI's own text for a `CliError`, the SDK's shared
 * resident-facing text ({@link describeError}) for any other SDK error. Never an error's raw
 * message, which may name operations in the other language.
 */
function describe(error: unknown, msg: Messages, lang: Lang): string {
  if (error instanceof CliError) return error.message;
  // Raised by the SDK on a command-line value (--aid, a descriptor): its message names the rule
  // broken, never a secret (the SDK's rule), and is what the user must fix.
  if (error instanceof InvalidArgumentError) return error.message;
  if (error instanceof CardApNotInstalledError) return msg.cardApNamed(error.cardAp, describeError(error, lang).text);
  if (error instanceof MynacardError) return describeError(error, lang).text;
  const e = error instanceof Error ? error : new Error(String(error));
  return `${msg.internal} ${e.name}: ${e.message}`;
}

function errorJson(error: unknown, msg: Messages, lang: Lang): JsonError {
  const remaining =
    error instanceof CliError
      ? error.remaining
      : error instanceof PinIncorrectError || error instanceof PinRetryGuardError || error instanceof PinBlockedError
        ? error.remaining
        : undefined;
  return {
    code: error instanceof MynacardError ? error.code : 'internal',
    message: describe(error, msg, lang),
    ...(remaining === undefined ? {} : { remaining }),
    ...(error instanceof CardApNotInstalledError ? { removedOnMoveOut: error.removedOnMoveOut } : {}),
  };
}

function report(io: CliIo, msg: Messages, lang: Lang, json: boolean, command: string | null, error: unknown): ExitCode {
  const exitCode = exitCodeOf(error);
  if (json) {
    writeJson(io.stdout, { schemaVersion: SCHEMA_VERSION, command, ok: false, exitCode, error: errorJson(error, msg, lang) });
  } else {
    io.stderr.write(`${msg.errorPrefix}: ${escapeControls(describe(error, msg, lang), 'text')}\n`);
  }
  return exitCode;
}

/** Whether `--json` is on, read leniently from the raw argv (for errors before parsing). */
function jsonFromArgv(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).includes('--json');
}

/**
 * Run the `mynacard` command line `argv` (without `node` and the script name) against `io`.
 * Resolves to the exit code (see `EXIT`).
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const lang = langFromArgv(argv) ?? defaultLang(io.env, io.locale);
  const msg = messages(lang);
  let args: ParsedArgs;
  try {
    args = parseArgs(argv, msg);
  } catch (error) {
    return report(io, msg, lang, jsonFromArgv(argv), null, error);
  }
  const json = flag(args.options, 'json');
  if (flag(args.options, 'version')) {
    if (json) writeJson(io.stdout, { schemaVersion: SCHEMA_VERSION, command: 'version', ok: true, exitCode: 0, result: { version: CLI_VERSION } });
    else io.stdout.write(`mynacard ${CLI_VERSION}\n`);
    return EXIT.ok;
  }
  if (flag(args.options, 'help') || args.command === undefined) {
    io.stdout.write(msg.help);
    return EXIT.ok;
  }
  const command: string = args.command;
  // `demo` uses the embedded virtual card unless a reader is named.
  if (command === 'demo' && typeof args.options['reader'] !== 'string') {
    args = { ...args, options: { ...args.options, simulator: true } };
  }
  const context = new CommandContext(io, msg, lang, args, new SecretSource(io, msg, { pinStdin: flag(args.options, 'pin-stdin') }));
  try {
    const output = await COMMAND_TABLE[command]!(context);
    const exitCode = output.exitCode ?? EXIT.ok;
    if (json) {
      writeJson(io.stdout, { schemaVersion: SCHEMA_VERSION, command, ok: exitCode === EXIT.ok, exitCode, result: output.result });
    } else if (output.human instanceof Uint8Array) {
      io.stdout.write(output.human);
    } else if (output.human !== '') {
      const text = escapeControls(output.human, 'text');
      io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    }
    return exitCode;
  } catch (error) {
    return report(io, msg, lang, json, command, error);
  } finally {
    await context.close();
  }
}
