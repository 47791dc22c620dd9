import { describe, expect, test } from 'vitest';
import {
  FileNotFoundError,
  PinBlockedError,
  PinIncorrectError,
  SecurityStatusNotSatisfiedError,
  StatusWordError,
} from '../../src/apdu/status.js';
import {
  AbortedError,
  CardBusyError,
  CardDataError,
  CardRemovedError,
  CryptoError,
  PcscServiceError,
  PinFormatError,
  PinRetryGuardError,
  ReaderUnavailableError,
  TransportError,
} from '../../src/errors.js';
import { CliError, EXIT, EXIT_TABLE, exitCodeOf } from '../../src/cli/exit-codes.js';
import { defaultLang, messages } from '../../src/cli/i18n.js';
import { displayWidth, fieldLines, toJsonValue, toPem } from '../../src/cli/output.js';
import { createProgress, renderProgress } from '../../src/cli/progress.js';
import { parseHostPort } from '../../src/cli/commands/misc.js';
import { certificatesFrom, parseAt } from '../../src/cli/certificates.js';
import { MemoryWritable } from './helpers.js';
import { Readable } from 'node:stream';

describe('exit codes', () => {
  test('the documented table', () => {
    expect(EXIT_TABLE).toEqual([
      [0, 'ok'],
      [1, 'internal'],
      [2, 'usage'],
      [3, 'noReader'],
      [4, 'noCard'],
      [5, 'wrongPin'],
      [6, 'pinBlocked'],
      [7, 'guardRefused'],
      [8, 'verificationFailed'],
      [9, 'cardError'],
      [10, 'notSupported'],
      [11, 'secretUnavailable'],
      [12, 'cardBusy'],
      [13, 'outputNotWritten'],
      [130, 'interrupted'],
    ]);
  });

  test.each([
    [new PinIncorrectError(2), 5],
    [new PinBlockedError(), 6],
    [new PinBlockedError(0x63c0), 6],
    [new PinRetryGuardError(1), 7],
    [new PinFormatError('bad'), 2],
    [new PcscServiceError('no pcscd'), 3],
    [new ReaderUnavailableError('gone'), 3],
    [new CardRemovedError(), 4],
    [new CardBusyError('busy'), 12],
    [new AbortedError(), 130],
    [new FileNotFoundError('SELECT'), 10],
    [new SecurityStatusNotSatisfiedError('READ'), 9],
    [new StatusWordError(0x6f00), 9],
    [new CardDataError('bad record'), 9],
    [new TransportError('io'), 9],
    [new CryptoError('bad cert'), 8],
    [new CliError('x', EXIT.secretUnavailable, 'm'), 11],
    [new TypeError('bug'), 1],
  ])('%s → %i', (error, code) => {
    expect(exitCodeOf(error)).toBe(code);
  });
});

describe('language', () => {
  test.each([
    [{ LANG: 'ja_JP.UTF-8' }, 'en-US', 'ja'],
    [{ LANG: 'en_US.UTF-8' }, 'ja-JP', 'en'],
    [{ LC_ALL: 'ja_JP.UTF-8', LANG: 'en_US.UTF-8' }, 'en-US', 'ja'],
    [{ LC_ALL: 'C', LANG: 'ja_JP.eucJP' }, 'en-US', 'ja'],
    [{ LANG: 'C.UTF-8' }, 'ja-JP', 'ja'],
    [{}, 'ja-JP', 'ja'],
    [{}, 'en-GB', 'en'],
  ] as const)('%j with Intl %s → %s', (env, locale, lang) => {
    expect(defaultLang(env, locale)).toBe(lang);
  });

  test('both catalogues have every message', () => {
    const en = messages('en');
    const ja = messages('ja');
    expect(Object.keys(ja).sort()).toEqual(Object.keys(en).sort());
    // The PIN texts are the SDK's shared ones (describeError), naming the secret.
    expect(ja.pinIncorrect('暗証番号', 1)).toBe(
      '暗証番号が違います。あと1回間違えるとロックされます。ロックの解除はお住まいの市区町村の窓口で行います。',
    );
    expect(en.pinIncorrect('auth PIN', 1)).toBe(
      'The auth PIN is incorrect. 1 more wrong entry will lock it. A locked PIN is reset at the municipal office (市区町村の窓口) where the cardholder lives.',
    );
    expect(en.triesLine('PIN', 1, undefined)).toBe('PIN: 1 try left');
    expect(en.triesLine('PIN', 2, 3)).toBe('PIN: 2 of 3 tries left');
  });
});

describe('output helpers', () => {
  test('display width counts wide characters twice, and fields align on it', () => {
    expect(displayWidth('abc')).toBe(3);
    expect(displayWidth('氏名')).toBe(4);
    expect(displayWidth('ＡＢ１')).toBe(6);
    expect(fieldLines([
      ['氏名', 'x'],
      ['Name', 'y'],
      ['生年月日', 'z'],
    ])).toEqual(['氏名      x', 'Name      y', '生年月日  z']);
  });

  test('JSON values: bytes → base64, dates → ISO, Infinity → null, undefined members dropped', () => {
    expect(toJsonValue({ a: Uint8Array.of(1, 2, 3), d: new Date(0), n: Infinity, u: undefined, l: [Uint8Array.of(255)] })).toEqual({
      a: 'AQID',
      d: '1970-01-01T00:00:00.000Z',
      n: null,
      l: ['/w=='],
    });
  });

  test('PEM armour round-trips through certificatesFrom', () => {
    const der = Uint8Array.from({ length: 100 }, (_, i) => i);
    const pem = toPem(der);
    expect(pem.split('\n')[1]).toHaveLength(64);
    expect(certificatesFrom(new TextEncoder().encode(pem + pem))).toEqual([der, der]);
    expect(certificatesFrom(der)).toEqual([der]);
  });

  test('--at dates', () => {
    const msg = messages('en');
    const now = new Date('2026-01-01T00:00:00Z');
    expect(parseAt(undefined, now, msg)).toBe(now);
    expect(parseAt('2026-04-01', now, msg).toISOString()).toBe('2026-04-01T00:00:00.000Z');
    expect(parseAt('2026-04-01T09:00:00+09:00', now, msg).toISOString()).toBe('2026-04-01T00:00:00.000Z');
    expect(() => parseAt('next week', now, msg)).toThrow('The option --at must be an ISO 8601 date');
    expect(() => parseAt('2026-13-45', now, msg)).toThrow(CliError);
  });

  test('vpcd addresses', () => {
    expect(parseHostPort('127.0.0.1:35963', 'bad')).toEqual({ host: '127.0.0.1', port: 35963 });
    expect(parseHostPort('[::1]:35964', 'bad')).toEqual({ host: '::1', port: 35964 });
    expect(() => parseHostPort('localhost', 'bad')).toThrow('bad');
    expect(() => parseHostPort('h:70000', 'bad')).toThrow('bad');
  });
});

describe('progress bar', () => {
  test('frames', () => {
    expect(renderProgress('Reading', { loaded: 1024, total: 4096 })).toBe('Reading [######------------------]  25% 1.0/4.0 KiB');
    expect(renderProgress('Reading', { loaded: 4096, total: 4096 })).toBe('Reading [########################] 100% 4.0/4.0 KiB');
  });

  test('drawn only when stdout and stderr are terminals and --json is off', () => {
    const io = (stdoutTty: boolean, stderrTty: boolean) => ({
      stdin: Readable.from([]),
      stdout: new MemoryWritable(stdoutTty),
      stderr: new MemoryWritable(stderrTty),
      env: {},
    });
    const on = io(true, true);
    const bar = createProgress(on, 'Reading', false);
    bar.onProgress!({ loaded: 2048, total: 4096 });
    bar.done();
    expect(on.stderr.text).toBe('\rReading [############------------]  50% 2.0/4.0 KiB\r\u001b[K');
    expect(createProgress(io(false, true), 'Reading', false).onProgress).toBeUndefined();
    expect(createProgress(io(true, false), 'Reading', false).onProgress).toBeUndefined();
    expect(createProgress(io(true, true), 'Reading', true).onProgress).toBeUndefined();
  });
});
