import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { parseArgs, refuseSecretOptions } from '../../src/cli/args.js';
import { CliError, EXIT } from '../../src/cli/exit-codes.js';
import { messages } from '../../src/cli/i18n.js';
import { runWith } from './helpers.js';

const msg = messages('en');

function parseError(argv: readonly string[]): CliError {
  try {
    parseArgs(argv, msg);
  } catch (error) {
    if (error instanceof CliError) return error;
    throw error;
  }
  throw new Error('parseArgs did not throw');
}

describe('secret options are refused', () => {
  test.each([
    [['text', '--pin', '5678']],
    [['text', '--pin=5678']],
    [['--password', 'ABC123', 'cert', 'sign']],
    [['sign', '--key', 'auth', '--auth-pin=1234']],
    [['cert', 'sign', '--sign-password', 'ABC123']],
    [['text', '--text-pin=5678']],
    [['text', '--PIN=5678']],
    [['text', '--passwd=5678']],
    [['text', '--secret=5678']],
    [['nosuchcommand', '--pin=5678']],
  ])('%j → exit 2, code secret-in-argv, value never echoed', (argv) => {
    const error = parseError(argv);
    expect(error.code).toBe('secret-in-argv');
    expect(error.exitCode).toBe(EXIT.usage);
    expect(error.message).toContain('MYNACARD_AUTH_PIN, MYNACARD_SIGN_PASSWORD, MYNACARD_TEXT_PIN');
    expect(error.message).toContain('--pin-stdin');
    expect(error.message).toContain('hidden prompt');
    for (const secret of ['5678', '1234', 'ABC123']) expect(error.message).not.toContain(secret);
  });

  test('the message names the option without its value', () => {
    expect(parseError(['text', '--text-pin=5678']).message.startsWith('The option --text-pin is refused:')).toBe(true);
  });

  test('--pin-stdin is the one allowed pin option', () => {
    expect(() => refuseSecretOptions(['--pin-stdin', 'text'], msg)).not.toThrow();
    expect(parseArgs(['--pin-stdin', 'text'], msg).options['pin-stdin']).toBe(true);
  });

  test('tokens after -- are not options', () => {
    expect(() => refuseSecretOptions(['verify-cert', '--', '--pin.pem'], msg)).not.toThrow();
    expect(parseArgs(['verify-cert', '--', '--pin.pem'], msg).positionals).toEqual({ file: '--pin.pem' });
  });

  test('property: any option naming a pin or password is refused and its value never appears', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('pin', 'PIN', 'pass', 'password', 'passwd', 'pwd', 'secret', 'auth-pin', 'sign-pass', 'my-pin-code'),
        fc.string({ minLength: 4, maxLength: 16, unit: fc.constantFrom(...'0123456789ABCDEFXYZ') }),
        fc.boolean(),
        fc.constantFrom('text', 'cert', 'sign', 'info', 'pin'),
        (name, value, inline, command) => {
          const argv = inline ? [command, `--${name}=${value}`] : [command, `--${name}`, value];
          let error: unknown;
          try {
            parseArgs(argv, msg);
          } catch (e) {
            error = e;
          }
          return error instanceof CliError && error.code === 'secret-in-argv' && !error.message.includes(`=${value}`) && !error.message.includes(` ${value}`);
        },
      ),
    );
  });
});

describe('parsing', () => {
  test('global options anywhere, sub-commands, positionals', () => {
    expect(parseArgs(['pin', 'change', 'auth', '--simulator', '--json'], msg)).toEqual({
      command: 'pin change',
      positionals: { kind: 'auth' },
      options: { simulator: true, json: true },
    });
    expect(parseArgs(['--lang=ja', 'cert', '--out', 'a.pem', 'sign-ca', '--reader', 'PaSoRi'], msg)).toEqual({
      command: 'cert',
      positionals: { kind: 'sign-ca' },
      options: { lang: 'ja', out: 'a.pem', reader: 'PaSoRi' },
    });
    expect(parseArgs(['verify-cert', 'leaf.pem', '--roots', 'a.pem', '--roots=b.pem'], msg).options['roots']).toEqual(['a.pem', 'b.pem']);
    expect(parseArgs(['-h'], msg)).toEqual({ command: undefined, positionals: {}, options: { help: true } });
  });

  test.each([
    [[], 'missing-command', 'No command given. Run "mynacard --help".'],
    [['frobnicate'], 'unknown-command', 'Unknown command "frobnicate". Run "mynacard --help".'],
    [['123456789018'], 'unknown-command', 'Unknown command "(not shown)". Run "mynacard --help".'],
    [['cert'], 'usage', 'Missing argument: kind (auth | sign | auth-ca | sign-ca).'],
    [['cert', 'root'], 'usage', 'The kind must be one of: auth, sign, auth-ca, sign-ca.'],
    [['cert', 'auth', '--frob'], 'unknown-option', 'Unknown option --frob for "cert". Run "mynacard cert --help".'],
    [['info', '--pem'], 'unknown-option', 'Unknown option --pem for "info". Run "mynacard info --help".'],
    [['--lang', 'fr', 'info'], 'usage', 'The option --lang must be one of: ja, en.'],
    [['info', '--reader'], 'usage', 'The option --reader needs a value.'],
    [['info', '--json=yes'], 'usage', 'The option --json takes no value.'],
    [['pin'], 'usage', 'Missing argument: status | change.'],
    [
      ['pin', 'change', 'auth', '1234'],
      'unexpected-argument',
      'Unexpected argument #2 (not shown). Secrets are never accepted on the command line: use the prompt, an environment variable or --pin-stdin.',
    ],
  ])('%j → %s', (argv, code, message) => {
    const error = parseError(argv);
    expect(error.code).toBe(code);
    expect(error.exitCode).toBe(EXIT.usage);
    expect(error.message).toBe(message);
  });
});

describe('through runCli', () => {
  test('--pin is refused with exit 2 before anything else, in Japanese too', async () => {
    const en = await runWith(['--simulator', 'text', '--pin', '5678']);
    expect(en.code).toBe(2);
    expect(en.stdout).toBe('');
    expect(en.stderr).toBe(`Error: ${msg.secretOption('--pin')}\n`);
    expect(en.card).toBeUndefined(); // no card was even opened
    const ja = await runWith(['--lang', 'ja', '--simulator', 'text', '--pin=5678']);
    expect(ja.code).toBe(2);
    expect(ja.stderr).toBe(`エラー: ${messages('ja').secretOption('--pin')}\n`);
    expect(ja.stderr).not.toContain('5678');
  });

  test('--json errors are one JSON document on stdout', async () => {
    const r = await runWith(['--json', 'text', '--sign-password=ABC123']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({
      schemaVersion: 1,
      command: null,
      ok: false,
      exitCode: 2,
      error: { code: 'secret-in-argv', message: msg.secretOption('--sign-password') },
    });
  });

  test('--help and --version', async () => {
    const help = await runWith(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toBe(msg.help);
    const ja = await runWith(['--lang', 'ja', 'info', '--help']);
    expect(ja.stdout).toBe(messages('ja').help);
    const version = await runWith(['--version']);
    expect(version.stdout).toMatch(/^mynacard \d+\.\d+\.\d+\n$/);
  });
});
