/**
 * Leak scan: every API flow (also over a transport whose errors echo the command) and every CLI
 * command with tracing on; traces, warnings, stdout,
 * stderr, thrown messages, stacks and causes are searched for the PINs, the 個人番号, the name,
 * the address and the birth date of the virtual holder, in several encodings. A secret may
 * appear only where the caller asked for it (the value an API call returns; `text
 * --show-my-number`, `--json` of attributes, `cert sign`, `verify --show-signer` on stdout).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MyNumberCard } from '../../src/aps/card.js';
import { formatTraceEvent, type ApduTraceEvent } from '../../src/apdu/trace.js';
import { runCli } from '../../src/cli/run.js';
import type { CliIo } from '../../src/cli/io.js';
import { deriveVerificationB, VirtualMyNumberCard, type VirtualCardOptions } from '../../src/testing/index.js';
import { FaultyTransport } from './fault-transport.js';
import { OPERATIONS } from './operations.js';
import { dump, errorText, findLeaks, LEAK_PINS, NEW_PINS, WRONG_PINS, type Secret } from './secrets.js';

const EXPIRY = '2035-01-02';
const SECURITY_CODE = '2468';
const CARD_OPTIONS: VirtualCardOptions = {
  pins: LEAK_PINS,
  cardInfo: { expiryDate: EXPIRY, securityCode: SECURITY_CODE },
};

let holder: VirtualMyNumberCard['holder'];
let PINS: Secret[];
let PERSONAL: { myNumber: Secret[]; attributes: Secret[] };
const totals = { flows: 0, cliRuns: 0, bytesScanned: 0, leaks: 0 };

beforeAll(async () => {
  holder = (await VirtualMyNumberCard.create(CARD_OPTIONS)).holder;
  const vb = deriveVerificationB(holder.birthDate, EXPIRY, SECURITY_CODE);
  PINS = [
    ...Object.entries(LEAK_PINS).map(([k, v]) => ({ name: `${k} PIN`, value: v })),
    ...Object.entries(WRONG_PINS).map(([k, v]) => ({ name: `wrong ${k} PIN`, value: v })),
    ...Object.entries(NEW_PINS).map(([k, v]) => ({ name: `new ${k} PIN`, value: v })),
    { name: '照合番号B', value: vb },
    { name: 'malformed text PIN', value: `${LEAK_PINS.text}9` },
    { name: 'malformed sign password', value: 'qz7x9k4w!' },
  ];
  PERSONAL = {
    myNumber: [{ name: '個人番号', value: holder.myNumber }],
    attributes: [
      { name: 'name', value: holder.name },
      { name: 'address', value: holder.address },
      { name: 'birth date', value: holder.birthDate },
      { name: 'birth date (YYYYMMDD)', value: holder.birthDate.replaceAll('-', '') },
    ],
  };
});

afterAll(() => {
  console.log(
    `[adversarial leaks] API flows=${totals.flows} CLI runs=${totals.cliRuns} characters scanned=${totals.bytesScanned} leaks=${totals.leaks}`,
  );
});

function expectClean(where: string, haystack: string, secrets: readonly Secret[]): void {
  totals.bytesScanned += haystack.length;
  const leaks = findLeaks(haystack, secrets);
  totals.leaks += leaks.length;
  expect(leaks, where).toEqual([]);
}

describe('the scanner', () => {
  it('finds a secret in each encoding, and a 4-digit PIN only where it stands alone', () => {
    const pin: Secret = { name: 'pin', value: '7391' };
    expect(findLeaks('PIN 7391 refused', [pin])).toEqual(['pin as text']);
    expect(findLeaks('00 20 00 81 04 37 33 39 31', [pin])).toEqual(['pin as hexU spaced', 'pin as hexl spaced']);
    expect(findLeaks('0020008104373339319000', [pin])).toEqual(['pin as hexU', 'pin as hexl']);
    expect(findLeaks('A07391FF', [pin])).toEqual([]); // inside a hex dump: not the PIN
    const name: Secret = { name: 'name', value: '由利　花子' };
    const b64 = btoa(String.fromCharCode(0x41, ...new TextEncoder().encode('由利　花子')));
    expect(findLeaks(`x${b64}y`, [name])).toEqual(['name as base64']);
  });
});

describe('API flows with onTrace and onWarning', () => {
  it('traces, warnings and errors of every operation (success, wrong secret, card pulled mid-way)', async () => {
    const secrets = (): Secret[] => [...PINS, ...PERSONAL.myNumber, ...PERSONAL.attributes];
    for (const op of OPERATIONS) {
      for (const variant of ['ok', 'wrong', 'pulled', 'truncated', 'echo'] as const) {
        const vc = await VirtualMyNumberCard.create(CARD_OPTIONS);
        const ft = new FaultyTransport(vc);
        const log: string[] = [];
        const onTrace = (e: ApduTraceEvent): void => {
          log.push(formatTraceEvent(e), dump(e));
        };
        const onWarning = (w: unknown, context: string): void => {
          log.push(dump(w), context);
        };
        const card = await MyNumberCard.connect(ft, { onTrace, onWarning });
        const pins = variant === 'wrong' ? WRONG_PINS : LEAK_PINS;
        const myNumber = variant === 'wrong' ? '000000000000' : holder.myNumber;
        if (variant === 'pulled') ft.arm(3, { kind: 'remove' });
        if (variant === 'truncated') ft.arm(4, { kind: 'truncate', keep: 'half' });
        // A custom transport whose error echoes the VERIFY: the SDK's error must not keep it.
        if (variant === 'echo') ft.echoSecretCommands = true;
        let error: unknown;
        try {
          await op.run(card, { transport: ft, myNumber, pins });
        } catch (e) {
          error = e;
        }
        ft.disarm();
        await card.close().catch((e: unknown) => log.push(errorText(e)));
        totals.flows++;
        expectClean(`${op.name} (${variant}) traces`, log.join('\n'), secrets());
        if (error !== undefined) expectClean(`${op.name} (${variant}) error`, errorText(error), secrets());
        // The card's own log keeps no PIN either (it is what a bridge or a test would print).
        expectClean(`${op.name} (${variant}) card log`, dump(vc.log.map((e) => ({ ...e }))), PINS);
      }
    }
  }, 120_000);
});

/** In-memory streams and an io for runCli. */
function cliIo(env: Record<string, string>, cwd: string, stdin: string[] = []): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const text = (c: string | Uint8Array): string => (typeof c === 'string' ? c : new TextDecoder().decode(c) + '\n' + dump(c));
  const io: CliIo = {
    stdin: {
      isTTY: false,
      async *[Symbol.asyncIterator]() {
        for (const line of stdin) yield `${line}\n`;
      },
    },
    stdout: { write: (c) => out.push(text(c)) },
    stderr: { write: (c) => err.push(text(c)) },
    env,
    cwd,
    now: () => new Date('2026-04-01T00:00:00Z'),
    simulator: () => VirtualMyNumberCard.create(CARD_OPTIONS),
    locale: 'en',
  };
  return { io, out, err };
}

describe('CLI commands with --trace', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mynacard-leaks-'));
    writeFileSync(join(dir, 'doc.txt'), 'leak scan document\n');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const env = (): Record<string, string> => ({
    MYNACARD_AUTH_PIN: LEAK_PINS.auth,
    MYNACARD_SIGN_PASSWORD: LEAK_PINS.sign,
    MYNACARD_TEXT_PIN: LEAK_PINS.text,
    MYNACARD_VERIFICATION_B: deriveVerificationB(holder.birthDate, EXPIRY, SECURITY_CODE),
  });

  /** argv, environment override, which personal data stdout may show, and the expected exit code. */
  const RUNS: {
    argv: string[];
    env?: Record<string, string>;
    stdin?: string[];
    stdoutMay?: ('myNumber' | 'attributes')[];
    exit?: number;
  }[] = [
    { argv: ['info'] },
    { argv: ['info', '--json'] },
    { argv: ['cert', 'auth'] },
    { argv: ['cert', 'auth-ca', '--json'] },
    { argv: ['cert', 'sign'], stdoutMay: ['attributes'] },
    { argv: ['cert', 'sign', '--json'], stdoutMay: ['attributes'] },
    { argv: ['cert', 'sign', '--out', 'sign.der', '--der'] },
    { argv: ['text'], stdoutMay: ['attributes'] },
    { argv: ['text', '--json'], stdoutMay: ['attributes'] },
    { argv: ['text', '--show-my-number'], stdoutMay: ['attributes', 'myNumber'] },
    { argv: ['text', '--show-my-number', '--json'], stdoutMay: ['attributes', 'myNumber'] },
    { argv: ['face', '--photo', 'photo.jp2'], stdoutMay: ['attributes'] },
    { argv: ['face', '--credential', 'verification-b', '--json'], stdoutMay: ['attributes'] },
    { argv: ['pin', 'status'] },
    { argv: ['pin', 'status', '--json'] },
    { argv: ['sign', '--key', 'auth', '--in', 'doc.txt', '--out', 'doc.auth.sig', '--cert-out', 'auth.der'] },
    { argv: ['sign', '--key', 'sign', '--in', 'doc.txt', '--out', 'doc.p7s', '--cms'] },
    { argv: ['sign', '--key', 'sign', '--in', 'doc.txt', '--out', 'doc.det.p7s', '--cms', '--detached', '--json'] },
    { argv: ['verify', '--trust-test-roots', '--cms', 'doc.p7s', '--at', '2026-04-01'] },
    { argv: ['verify', '--trust-test-roots', '--cms', 'doc.p7s', '--at', '2026-04-01', '--json'] },
    { argv: ['verify', '--trust-test-roots', '--cms', 'doc.p7s', '--at', '2026-04-01', '--show-signer'], stdoutMay: ['attributes'] },
    { argv: ['verify', '--trust-test-roots', '--in', 'doc.txt', '--sig', 'doc.auth.sig', '--cert', 'auth.der', '--allow-auth-key', '--at', '2026-04-01'] },
    { argv: ['verify-cert', 'sign.der', '--trust-test-roots', '--at', '2026-04-01'] },
    { argv: ['verify-cert', 'sign.der', '--trust-test-roots', '--at', '2026-04-01', '--json'] },
    { argv: ['demo'], stdoutMay: ['attributes'] },
    { argv: ['demo', '--json'], stdoutMay: ['attributes'] },
    { argv: ['pin', 'change', 'auth'], env: { MYNACARD_NEW_AUTH_PIN: NEW_PINS.auth } },
    { argv: ['pin', 'change', 'sign', '--json'], env: { MYNACARD_NEW_SIGN_PASSWORD: NEW_PINS.sign } },
    { argv: ['pin', 'change', 'text'], env: { MYNACARD_NEW_TEXT_PIN: NEW_PINS.text } },
    // Wrong secrets: the error must name neither the wrong nor the right value.
    { argv: ['text'], env: { MYNACARD_TEXT_PIN: WRONG_PINS.text }, exit: 5 },
    { argv: ['text', '--json'], env: { MYNACARD_TEXT_PIN: WRONG_PINS.text }, exit: 5 },
    { argv: ['cert', 'sign'], env: { MYNACARD_SIGN_PASSWORD: WRONG_PINS.sign }, exit: 5 },
    { argv: ['sign', '--key', 'auth', '--in', 'doc.txt', '--out', 'x.sig'], env: { MYNACARD_AUTH_PIN: WRONG_PINS.auth }, exit: 5 },
    { argv: ['pin', 'change', 'auth'], env: { MYNACARD_AUTH_PIN: WRONG_PINS.auth, MYNACARD_NEW_AUTH_PIN: NEW_PINS.auth }, exit: 5 },
    { argv: ['face', '--credential', 'verification-b'], env: { MYNACARD_VERIFICATION_B: '00000000000000' }, exit: 5 },
    // Malformed secrets (refused before anything is sent).
    { argv: ['text'], env: { MYNACARD_TEXT_PIN: `${LEAK_PINS.text}9` }, exit: 2 },
    { argv: ['sign', '--key', 'sign', '--in', 'doc.txt', '--out', 'y.sig'], env: { MYNACARD_SIGN_PASSWORD: 'qz7x9k4w!' }, exit: 2 },
    // Secrets from stdin.
    { argv: ['text', '--pin-stdin'], stdin: [LEAK_PINS.text], stdoutMay: ['attributes'] },
    { argv: ['text', '--pin-stdin', '--json'], stdin: [WRONG_PINS.text], exit: 5 },
  ];

  for (const run of RUNS) {
    const label = `mynacard ${run.argv.join(' ')}${run.env === undefined ? '' : ` (${Object.keys(run.env).join(', ')})`}`;
    it(label, async () => {
      const base = run.stdin === undefined ? env() : {};
      const { io, out, err } = cliIo({ ...base, ...(run.env ?? {}) }, dir, run.stdin);
      let thrown: unknown;
      let exitCode = -1;
      try {
        exitCode = await runCli(['--simulator', '--trace', '--lang', 'en', ...run.argv], io);
      } catch (e) {
        thrown = e;
      }
      totals.cliRuns++;
      expect(exitCode, `${label}: exit code`).toBe(run.exit ?? 0);
      const everything = [...PINS, ...PERSONAL.myNumber, ...PERSONAL.attributes];
      const stdoutMay = new Set(run.stdoutMay ?? []);
      const stdoutSecrets = [
        ...PINS,
        ...(stdoutMay.has('myNumber') ? [] : PERSONAL.myNumber),
        ...(stdoutMay.has('attributes') ? [] : PERSONAL.attributes),
      ];
      expectClean(`${label}: stdout`, out.join(''), stdoutSecrets);
      expectClean(`${label}: stderr (trace)`, err.join(''), everything);
      if (thrown !== undefined) expectClean(`${label}: thrown`, errorText(thrown), everything);
      expect(err.join('').length + out.join('').length, `${label}: produced output`).toBeGreaterThan(0);
    }, 30_000);
  }

  it('explicit requests really show the data (the scanner finds what is there)', async () => {
    const { io, out } = cliIo(env(), dir);
    expect(await runCli(['--simulator', '--lang', 'en', 'text', '--show-my-number', '--json'], io)).toBe(0);
    const stdout = out.join('');
    expect(findLeaks(stdout, PERSONAL.myNumber)).toContain('個人番号 as text');
    expect(findLeaks(stdout, PERSONAL.attributes)).toContain('name as text');
  });
});
