import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { FakeTty, runWith, tempDir, TEXT_PIN, AUTH_PIN, HOLDER_NAME } from './helpers.js';

describe('hidden prompt (a terminal on stdin)', () => {
  test('shows the tries left, echoes nothing, restores the terminal', async () => {
    const tty = new FakeTty([`${TEXT_PIN}\r`]);
    const r = await runWith(['--simulator', 'text'], { tty });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('Enter the text PIN (券面事項入力補助用 暗証番号, 4 digits) (3 tries left): \n');
    expect(r.stderr).not.toContain(TEXT_PIN);
    expect(r.stdout).not.toContain(TEXT_PIN);
    expect(tty.rawModes).toEqual([true, false]);
    expect(r.stdout).toContain(HOLDER_NAME);
  });

  test('backspace and Ctrl-U edit the hidden input', async () => {
    const tty = new FakeTty([`99\u0015${TEXT_PIN.slice(0, 3)}7\u007f${TEXT_PIN.slice(3)}\n`]);
    const r = await runWith(['--simulator', 'text'], { tty });
    expect(r.code).toBe(0);
    expect(r.card!.pinState('text').remaining).toBe(3);
  });

  test('the prompt shows the reduced count after a wrong try (Japanese)', async () => {
    const tty = new FakeTty([`${AUTH_PIN}\r`]);
    const { dir, cleanup } = await tempDir();
    await writeFile(join(dir, 'in.txt'), 'x');
    const r = await runWith(['--lang', 'ja', '--simulator', 'sign', '--key', 'auth', '--in', 'in.txt', '--out', 'out.sig'], {
      tty,
      card: { tries: { auth: 2 } },
      cwd: dir,
    });
    await cleanup();
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('利用者証明用電子証明書の暗証番号（数字4桁）を入力してください（残り2回）: \n');
  });

  test('Ctrl-C at the prompt: exit 130, nothing sent', async () => {
    const tty = new FakeTty(['12\u0003']);
    const r = await runWith(['--simulator', 'text'], { tty });
    expect(r.code).toBe(130);
    expect(r.stderr).toBe('Enter the text PIN (券面事項入力補助用 暗証番号, 4 digits) (3 tries left): \nError: Interrupted.\n');
    expect(r.card!.log.filter((e) => e.verifyWithData === true)).toHaveLength(0);
    expect(tty.rawModes).toEqual([true, false]);
  });

  test('pin change asks for the new value twice and refuses a mismatch without sending it', async () => {
    const tty = new FakeTty([`${AUTH_PIN}\r`, '1111\r', '2222\r']);
    const r = await runWith(['--simulator', 'pin', 'change', 'auth'], { tty });
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'Enter the auth PIN (利用者証明用電子証明書 暗証番号, 4 digits) (3 tries left): \n' +
        'Enter the new auth PIN (利用者証明用電子証明書 暗証番号, 4 digits): \n' +
        'Enter the new auth PIN (利用者証明用電子証明書 暗証番号, 4 digits) again: \n' +
        'Error: The two entries of the new secret differ: nothing was sent.\n',
    );
    expect(r.card!.log.filter((e) => e.verifyWithData === true)).toHaveLength(0);
    const ok = await runWith(['--simulator', 'pin', 'change', 'auth'], { tty: new FakeTty([`${AUTH_PIN}\r`, '1111\r', '1111\r']) });
    expect(ok.code).toBe(0);
    expect(ok.card!.pinState('auth').remaining).toBe(3);
  });

  test('the environment wins over the prompt', async () => {
    const tty = new FakeTty([]);
    const r = await runWith(['--simulator', 'text'], { tty, env: { MYNACARD_TEXT_PIN: TEXT_PIN } });
    expect(r.code).toBe(0);
    expect(tty.rawModes).toEqual([]);
  });
});
