/**
 * Terminal escapes: card data, certificate names, the SAN, token labels, reader and file names
 * are printed with control characters escaped (one function, escapeControls); --json is left
 * as it is (JSON strings escape controls themselves).
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { toPem } from '../../src/cli/output.js';
import { runCli } from '../../src/cli/run.js';
import { escapeControls } from '../../src/cli/terminal.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import { SIGN_PASSWORD, TEXT_PIN, makeIo, runWith, sharedTransport, tempDir } from './helpers.js';

/** Sets the window title, clears the screen, and starts a fake line (23 characters, the CN's length). */
const ATTACK = '\u001b]0;t\u0007\u001b[2J\nChain: valid';
const ATTACK_SHOWN = '\\x1B]0;t\\x07\\x1B[2J\\x0AChain: valid';

/** No raw control character (other than the line feeds of the output itself) reached the terminal. */
function expectNoControls(text: string): void {
  expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
}

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => cleanup());

describe('escapeControls', () => {
  test('C0, DEL, C1, bidi controls and line separators; printable text unchanged', () => {
    expect(escapeControls('a\u0000b\u001b[31mc\u007fd\u0085e\u009bf')).toBe('a\\x00b\\x1B[31mc\\x7Fd\\x85e\\x9Bf');
    expect(escapeControls('\u202eevil\u202c \u2066x\u2069 \u2028')).toBe('\\u202Eevil\\u202C \\u2066x\\u2069 \\u2028');
    expect(escapeControls('line\nfeed\ttab')).toBe('line\\x0Afeed\\x09tab');
    expect(escapeControls('line\nfeed\ttab\u001b', 'text')).toBe('line\nfeed\ttab\\x1B');
    expect(escapeControls('由利　花子 C=JP, O=JPKI ＡＢ')).toBe('由利　花子 C=JP, O=JPKI ＡＢ');
  });
});

describe('verify-cert', () => {
  test("a subject with ESC ]0; BEL, ESC[2J and a fake 'Chain: valid' line prints escaped (exit 8)", async () => {
    const vc = await VirtualMyNumberCard.create();
    const der = Uint8Array.from(vc.certificates.auth);
    const cn = new TextEncoder().encode('JPKITEST0AUTH0000000001');
    const at = Buffer.from(der).indexOf(Buffer.from(cn));
    expect(at).toBeGreaterThan(0);
    der.set(new TextEncoder().encode(ATTACK), at);
    await writeFile(join(dir, 'evil.pem'), toPem(der));

    const r = await runWith(['verify-cert', 'evil.pem'], { cwd: dir });
    expect(r.code).toBe(8);
    expectNoControls(r.stdout);
    expect(r.stdout).toContain(`Subject        C=JP, CN=${ATTACK_SHOWN}\n`);
    expect(r.stdout.split('\n').filter((line) => line.startsWith('Chain'))).toEqual(['Chain          INVALID']);

    // --json stays as it is: the exact value, escaped by JSON itself.
    const json = await runWith(['--json', 'verify-cert', 'evil.pem'], { cwd: dir });
    expect(JSON.parse(json.stdout).result.certificate.subject).toBe(`C=JP, CN=${ATTACK}`);
    expect(json.stdout).not.toContain('\u001b');
  });

  test('a file name with controls is escaped in messages', async () => {
    const name = 'a\u001b[2Jb\u202e.pem';
    const r = await runWith(['verify-cert', name], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('Error: Cannot read the file a\\x1B[2Jb\\u202E.pem: it does not exist.\n');
  });
});

describe('through a virtual card', () => {
  test('the holder name (text AP and the signing certificate SAN) prints escaped', async () => {
    const name = `由利　${ATTACK}\u202e`;
    const vc = await VirtualMyNumberCard.create({ holder: { name } });
    const text = await runWith(['--simulator', 'text'], { card: vc, env: { MYNACARD_TEXT_PIN: TEXT_PIN } });
    expect(text.code).toBe(0);
    expectNoControls(text.stdout);
    expect(text.stdout).toContain(`Name (氏名)            由利　${ATTACK_SHOWN}\\u202E\n`);
    expect(text.stdout.split('\n').some((line) => line.startsWith('Chain'))).toBe(false);

    await writeFile(join(dir, 'doc.txt'), 'document');
    const signed = await runWith(['--simulator', 'sign', '--key', 'sign', '--cms', '--in', 'doc.txt', '--out', 'doc.p7s'], {
      card: vc,
      cwd: dir,
      env: { MYNACARD_SIGN_PASSWORD: SIGN_PASSWORD },
    });
    expect(signed.code).toBe(0);
    const verify = await runWith(['verify', '--trust-test-roots', '--cms', 'doc.p7s', '--show-signer'], { cwd: dir });
    expect(verify.code).toBe(0);
    expectNoControls(verify.stdout);
    expect(verify.stdout).toContain(`  Name (氏名)            由利　${ATTACK_SHOWN}\\u202E\n`);
  });

  test('the token label prints escaped (info)', async () => {
    const vc = await VirtualMyNumberCard.create();
    const inner = sharedTransport(vc);
    const label = new TextEncoder().encode('\u001b]0;t\u0007\u001b[2J\nToken: ok'.padEnd(32, ' '));
    // READ BINARY of the token EF by SFI 6 (00 B0 86 00 20): answer the planted label.
    const transport = {
      ...inner,
      transmit: async (command: Uint8Array) => {
        const response = await inner.transmit(command);
        if (command[1] === 0xb0 && command[2] === 0x86) return Uint8Array.of(...label, 0x90, 0x00);
        return response;
      },
    };
    const test = makeIo({});
    const code = await runCli(['--simulator', 'info'], { ...test.io, simulator: async () => transport });
    expect(code).toBe(0);
    expectNoControls(test.stdout.text);
    expect(test.stdout.text).toContain('Token label  \\x1B]0;t\\x07\\x1B[2J\\x0AToken: ok\n');
  });
});

describe('messages', () => {
  test('every string (and list of strings) handed to a message is escaped', async () => {
    const { messages } = await import('../../src/cli/i18n.js');
    const en = messages('en');
    expect(en.cardApUnknownFile('x', 'ap\u001b[2J', ['a\nb', 'c'])).toBe(
      'The card AP "ap\\x1B[2J" has no file named "x". Its files: a\\x0Ab, c.',
    );
    expect(messages('ja').notCertificate('a\u202e.pem')).toBe('a\\u202E.pem は証明書（DER または PEM）ではありません。');
  });
});
