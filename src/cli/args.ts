/**
 * The CLI's argument parser: a small table-driven parser with no dependency. It refuses any
 * option that looks like a secret (`--pin`, `--password`, `--auth-pin=…`) before anything
 * else happens, and never repeats an argument that might be a secret in its messages.
 * @packageDocumentation
 */
import { CliError, EXIT } from './exit-codes.js';
import type { Messages } from './i18n.js';

/** One option of a command (or a global one). */
export interface OptionSpec {
  /** Long name without dashes, e.g. `'reader'`. */
  readonly name: string;
  /** `'flag'` takes no value; `'string'` takes one (`--x v` or `--x=v`); `'list'` may repeat. */
  readonly type: 'flag' | 'string' | 'list';
  /** Allowed values of a string option. */
  readonly values?: readonly string[];
  /** One-letter alias (`-h`). */
  readonly short?: string;
}

/** One command: its options and positional arguments. */
export interface CommandSpec {
  /** Options besides the global ones. */
  readonly options: readonly OptionSpec[];
  /** Names of the positional arguments, in order; `values` restricts them. */
  readonly positionals: readonly { readonly name: string; readonly values?: readonly string[]; readonly optional?: boolean }[];
}

/** Options every command accepts. */
export const GLOBAL_OPTIONS: readonly OptionSpec[] = [
  { name: 'reader', type: 'string' },
  { name: 'simulator', type: 'flag' },
  { name: 'json', type: 'flag' },
  { name: 'lang', type: 'string', values: ['ja', 'en'] },
  { name: 'trace', type: 'flag' },
  { name: 'pin-stdin', type: 'flag' },
  { name: 'allow-last-try', type: 'flag' },
  { name: 'help', type: 'flag', short: 'h' },
  { name: 'version', type: 'flag', short: 'V' },
];

const CERT_KINDS = ['auth', 'sign', 'auth-ca', 'sign-ca'] as const;
const KEY_KINDS = ['auth', 'sign'] as const;
const HASHES = ['SHA-256', 'SHA-384', 'SHA-512', 'SHA-1'] as const;

/** The commands (`pin` has the sub-commands `status` and `change`; `card-ap` has `probe` and `read`). */
export const COMMANDS: Readonly<Record<string, CommandSpec>> = {
  readers: { options: [], positionals: [] },
  info: {
    options: [
      { name: 'aid', type: 'list' },
      { name: 'card-ap', type: 'list' },
    ],
    positionals: [],
  },
  cert: {
    options: [
      { name: 'pem', type: 'flag' },
      { name: 'der', type: 'flag' },
      { name: 'out', type: 'string' },
      { name: 'force', type: 'flag' },
    ],
    positionals: [{ name: 'kind', values: CERT_KINDS }],
  },
  'verify-cert': {
    options: [
      { name: 'at', type: 'string' },
      { name: 'roots', type: 'list' },
      { name: 'trust-test-roots', type: 'flag' },
    ],
    positionals: [{ name: 'file' }],
  },
  sign: {
    options: [
      { name: 'key', type: 'string', values: KEY_KINDS },
      { name: 'in', type: 'string' },
      { name: 'out', type: 'string' },
      { name: 'cms', type: 'flag' },
      { name: 'detached', type: 'flag' },
      { name: 'hash', type: 'string', values: HASHES },
      { name: 'cert-out', type: 'string' },
      { name: 'force', type: 'flag' },
    ],
    positionals: [],
  },
  verify: {
    options: [
      { name: 'cms', type: 'string' },
      { name: 'content', type: 'string' },
      { name: 'in', type: 'string' },
      { name: 'sig', type: 'string' },
      { name: 'cert', type: 'string' },
      { name: 'hash', type: 'string', values: HASHES },
      { name: 'at', type: 'string' },
      { name: 'roots', type: 'list' },
      { name: 'trust-test-roots', type: 'flag' },
      { name: 'show-signer', type: 'flag' },
      { name: 'content-out', type: 'string' },
      { name: 'allow-auth-key', type: 'flag' },
      { name: 'allow-sha1', type: 'flag' },
      { name: 'force', type: 'flag' },
    ],
    positionals: [],
  },
  text: { options: [{ name: 'show-my-number', type: 'flag' }], positionals: [] },
  face: {
    options: [
      { name: 'photo', type: 'string' },
      { name: 'credential', type: 'string', values: ['text-pin', 'verification-b'] },
      { name: 'force', type: 'flag' },
    ],
    positionals: [],
  },
  'pdf sign': {
    options: [
      { name: 'in', type: 'string' },
      { name: 'out', type: 'string' },
      { name: 'profile', type: 'string', values: ['registry', 'pades-b-b', 'pades-b-t'] },
      { name: 'tsa', type: 'string' },
      { name: 'tsa-roots', type: 'list' },
      { name: 'visible', type: 'string' },
      { name: 'page', type: 'string' },
      { name: 'force', type: 'flag' },
    ],
    positionals: [],
  },
  'pdf verify': {
    options: [
      { name: 'at', type: 'string' },
      { name: 'roots', type: 'list' },
      { name: 'trust-test-roots', type: 'flag' },
      { name: 'show-signer', type: 'flag' },
      { name: 'tsa-roots', type: 'list' },
    ],
    positionals: [{ name: 'file' }],
  },
  'pin status': { options: [], positionals: [] },
  'pin change': { options: [], positionals: [{ name: 'kind', values: ['auth', 'sign', 'text'] }] },
  sim: {
    options: [
      { name: 'vpcd', type: 'string' },
      { name: 'profile', type: 'string', values: ['card', 'android', 'iphone', 'juki'] },
    ],
    positionals: [],
  },
  demo: { options: [{ name: 'at', type: 'string' }], positionals: [] },
  bridge: {
    options: [
      { name: 'allow-origin', type: 'list' },
      { name: 'port', type: 'string' },
      { name: 'token-file', type: 'string' },
      { name: 'print-systemd-unit', type: 'flag' },
    ],
    positionals: [],
  },
  'card-ap probe': {
    options: [
      { name: 'aid', type: 'list' },
      { name: 'card-ap', type: 'list' },
    ],
    positionals: [],
  },
  'card-ap read': {
    options: [
      { name: 'descriptor', type: 'string' },
      { name: 'file', type: 'list' },
    ],
    positionals: [],
  },
};

/** Commands that take a sub-command (`pin status`, `card-ap read`, …), with the sub-commands. */
const GROUPS: Readonly<Record<string, readonly string[]>> = {
  pin: ['status', 'change'],
  pdf: ['sign', 'verify'],
  'card-ap': ['probe', 'read'],
};

/** Option values after parsing: flags are `true`, strings a string, lists an array. */
export type OptionValues = Readonly<Record<string, string | boolean | readonly string[]>>;

/** The parsed command line. */
export interface ParsedArgs {
  /** The command (`'pin status'`, `'card-ap read'`, … for the sub-commands), or `undefined` with `--help`/`--version` alone. */
  readonly command: string | undefined;
  /** Positional arguments after the command, by name. */
  readonly positionals: Readonly<Record<string, string>>;
  /** Global and command options. */
  readonly options: OptionValues;
}

/**
 * Option names that would carry a secret. Any long option whose name contains one of these
 * words is refused, except the allowed `--pin-stdin`.
 */
const SECRET_WORDS = /pin|pass|pwd|secret|暗証|照合/i;
const ALLOWED_SECRET_LIKE = new Set(['pin-stdin']);

/** The option name of a token (`--pin=1234` → `--pin`), never its value. */
function optionName(token: string): string {
  const eq = token.indexOf('=');
  return eq < 0 ? token : token.slice(0, eq);
}

/**
 * Throw when any option before `--` looks like a secret. Runs first, so that a secret on the
 * command line is refused whatever else is wrong with it.
 */
export function refuseSecretOptions(argv: readonly string[], msg: Messages): void {
  for (const token of argv) {
    if (token === '--') return;
    if (!token.startsWith('-') || token === '-') continue;
    const name = optionName(token).replace(/^-+/, '');
    if (SECRET_WORDS.test(name) && !ALLOWED_SECRET_LIKE.has(name.toLowerCase())) {
      throw new CliError('secret-in-argv', EXIT.usage, msg.secretOption(optionName(token)));
    }
    // `-p` style short options are not defined; a bare `-p1234` is caught as unknown below.
  }
}

/**
 * A word from the command line as it may be shown in a message: only when it looks like a
 * command or option name, so that a mistyped secret is never echoed.
 */
function safeName(word: string): string {
  return /^-{0,2}[A-Za-z][A-Za-z-]{0,30}$/.test(word) ? word : '(not shown)';
}

/** Levenshtein distance (insert, delete, substitute), for the did-you-mean suggestions. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/**
 * The known word closest to `word`, when close enough to be a typo: at most 1 edit for words
 * of up to 4 characters, 2 up to 8, else 3; a word that starts one of the candidates also
 * matches (`--detach` → `--detached`). Ties go to the first candidate.
 */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  const limit = word.length <= 4 ? 1 : word.length <= 8 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of candidates) {
    const distance = candidate.startsWith(word) && word.length >= 3 ? 1 : editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** Every command as typed: `info`, `pin status`, … */
const COMMAND_WORDS: readonly string[] = Object.keys(COMMANDS);

function usage(message: string, code = 'usage'): CliError {
  return new CliError(code, EXIT.usage, message);
}

/**
 * Parse `argv` (without `node` and the script). Global options may appear anywhere.
 *
 * @throws CliError (exit 2) for a secret-like option, an unknown command or option, a missing
 *   or extra argument, or a value outside the allowed set
 */
export function parseArgs(argv: readonly string[], msg: Messages): ParsedArgs {
  refuseSecretOptions(argv, msg);
  const tokens = argv;
  const values: Record<string, string | boolean | string[]> = {};
  const positional: string[] = [];
  let command: string | undefined;
  let spec: CommandSpec | undefined;
  let optionsOnly = false;

  const lookup = (token: string): OptionSpec | undefined => {
    const all = [...GLOBAL_OPTIONS, ...(spec?.options ?? [])];
    if (token.startsWith('--')) return all.find((o) => o.name === optionName(token).slice(2));
    return all.find((o) => o.short !== undefined && `-${o.short}` === token);
  };

  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (!optionsOnly && token === '--') {
      optionsOnly = true;
      continue;
    }
    if (!optionsOnly && token.startsWith('-') && token !== '-') {
      const option = lookup(token);
      const name = optionName(token);
      if (option === undefined) {
        const known = [...GLOBAL_OPTIONS, ...(spec?.options ?? [])].map((o) => `--${o.name}`);
        const shown = safeName(name);
        const hint = shown === '(not shown)' ? undefined : suggest(name, known);
        throw usage(msg.unknownOption(shown, command ?? 'mynacard', hint), 'unknown-option');
      }
      const inline = token.startsWith('--') && token.includes('=') ? token.slice(token.indexOf('=') + 1) : undefined;
      if (option.type === 'flag') {
        if (inline !== undefined) throw usage(msg.flagWithValue(name));
        values[option.name] = true;
        continue;
      }
      let value = inline;
      if (value === undefined) {
        const next = tokens[i + 1];
        if (next === undefined || (next.startsWith('-') && next !== '-')) throw usage(msg.missingValue(name));
        value = next;
        i++;
      }
      if (option.values !== undefined && !option.values.includes(value)) throw usage(msg.badValue(name, option.values));
      if (option.type === 'list') {
        const list = (values[option.name] as string[] | undefined) ?? [];
        list.push(value);
        values[option.name] = list;
      } else {
        values[option.name] = value;
      }
      continue;
    }
    if (command === undefined) {
      const group = Object.hasOwn(GROUPS, token) ? GROUPS[token] : undefined;
      if (group !== undefined) {
        const sub = tokens[i + 1];
        if (sub !== undefined && group.includes(sub)) {
          command = `${token} ${sub}`;
          i++;
        } else {
          const hint = sub === undefined ? undefined : suggest(sub, group);
          throw usage(msg.missingArgument(group.join(' | '), hint === undefined ? undefined : `${token} ${hint}`));
        }
      } else if (Object.hasOwn(COMMANDS, token) && !token.includes(' ')) {
        command = token;
      } else {
        const shown = safeName(token);
        // `pin stauts` is one word away from `pin status` too: suggest among full commands.
        const typed = tokens[i + 1] !== undefined && Object.hasOwn(GROUPS, token) ? `${token} ${tokens[i + 1]}` : token;
        const hint = shown === '(not shown)' ? undefined : suggest(typed, COMMAND_WORDS) ?? suggest(token, COMMAND_WORDS);
        throw usage(msg.unknownCommand(shown, hint), 'unknown-command');
      }
      spec = COMMANDS[command];
      continue;
    }
    positional.push(token);
  }

  if (command === undefined) {
    if (values['help'] === true || values['version'] === true) return { command: undefined, positionals: {}, options: values };
    throw usage(msg.missingCommand, 'missing-command');
  }
  const positionals: Record<string, string> = {};
  const expected = spec!.positionals;
  if (values['help'] !== true) {
    for (let p = 0; p < expected.length; p++) {
      const want = expected[p]!;
      const got = positional[p];
      if (got === undefined) {
        if (want.optional === true) continue;
        throw usage(
          want.values === undefined ? msg.missingArgument(want.name) : msg.missingArgument(`${want.name} (${want.values.join(' | ')})`),
        );
      }
      if (want.values !== undefined && !want.values.includes(got)) throw usage(msg.badArgument(want.name, want.values));
      positionals[want.name] = got;
    }
    if (positional.length > expected.length) throw usage(msg.unexpectedArgument(expected.length + 1), 'unexpected-argument');
  }
  return { command, positionals, options: values };
}

/** A string option's value, or `undefined`. */
export function stringOption(options: OptionValues, name: string): string | undefined {
  const value = options[name];
  return typeof value === 'string' ? value : undefined;
}

/** A list option's values (empty when absent). */
export function listOption(options: OptionValues, name: string): readonly string[] {
  const value = options[name];
  return Array.isArray(value) ? (value as readonly string[]) : [];
}

/** Whether a flag is set. */
export function flag(options: OptionValues, name: string): boolean {
  return options[name] === true;
}
