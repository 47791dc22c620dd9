/**
 * The CLI hands the SDK a secret provider: the SDK reads the tries (one empty VERIFY), guards,
 * then asks; the CLI no longer queries the tries itself first. Exact command traces of the
 * virtual card, from the first command after connect.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toHex } from '../../src/bytes.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import { runWith, SIGN_PASSWORD, tempDir, TEXT_PIN } from './helpers.js';

const SELECT_JPKI = '00A4040C0AD392F000260100000001';
const SELECT_TEXT = '00A4040C0AD3921000310001010408';

/** The card's log after connect: VERIFY with data shown as `<header>+PIN` (the card redacts it). */
async function trace(argv: readonly string[], env: Record<string, string>, cwd: string): Promise<{ code: number; stderr: string; log: string[] }> {
  const vc = await VirtualMyNumberCard.create();
  const r = await runWith(argv, { card: vc, env, cwd });
  // connect = SELECT JPKI + READ token; what follows is the command's own exchange.
  const log = vc.log.map((e) => (e.verifyWithData === true ? `${toHex(e.command.subarray(0, 4)).toUpperCase()}+PIN` : toHex(e.command).toUpperCase()));
  const afterConnect = log.slice(log.indexOf('00B0860020') + 1);
  return { code: r.code, stderr: r.stderr, log: afterConnect };
}

let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
  await writeFile(join(dir, 'doc.txt'), '申請書\n');
});
afterAll(async () => cleanup());

describe('one tries query per VERIFY (the SDK asks the CLI after its guard)', () => {
  test('sign --key sign: one empty VERIFY 00 20 00 9B, then one VERIFY with the password', async () => {
    const r = await trace(['--simulator', 'sign', '--key', 'sign', '--in', 'doc.txt', '--out', 'doc.sig'], { MYNACARD_SIGN_PASSWORD: SIGN_PASSWORD }, dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('signing password (署名用電子証明書 パスワード, 6–16 characters): 5 of 5 tries left (using MYNACARD_SIGN_PASSWORD)\n');
    expect(r.log).toEqual([
      '0020009B', // the SDK's tries query (no try spent); the provider is asked now
      '0020009B+PIN',
      '00A4020C02001A', // the 署名用 key
      expect.stringMatching(/^802A00803[0-9A-F]+00$/), // COMPUTE DIGITAL SIGNATURE of the DigestInfo
      SELECT_JPKI, // drops the security status
    ]);
  });

  test('text (基本4情報): one empty VERIFY 00 20 00 91, then one VERIFY with the text PIN', async () => {
    const r = await trace(['--simulator', 'text'], { MYNACARD_TEXT_PIN: TEXT_PIN }, dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('text PIN (券面事項入力補助用 暗証番号, 4 digits): 3 of 3 tries left (using MYNACARD_TEXT_PIN)\n');
    expect(r.log).toEqual([SELECT_TEXT, '00200091', '00200091+PIN', '00B08200000000', SELECT_TEXT]);
  });

  test('text --show-my-number: the secret is asked once, each VERIFY has its own tries query', async () => {
    const r = await trace(['--simulator', 'text', '--show-my-number'], { MYNACARD_TEXT_PIN: TEXT_PIN }, dir);
    expect(r.code).toBe(0);
    expect(r.stderr.split('\n').filter((l) => l !== '')).toHaveLength(1);
    expect(r.log.filter((c) => c.startsWith('0020'))).toEqual(['00200091', '00200091+PIN', '00200091', '00200091+PIN']);
  });

  test('a blocked secret is refused by the SDK before anything is asked (exit 6, no VERIFY with data)', async () => {
    const vc = await VirtualMyNumberCard.create({ tries: { sign: 0 } });
    const r = await runWith(['--simulator', 'sign', '--key', 'sign', '--in', 'doc.txt', '--out', 'doc2.sig'], {
      card: vc,
      env: { MYNACARD_SIGN_PASSWORD: SIGN_PASSWORD },
      cwd: dir,
    });
    expect(r.code).toBe(6);
    expect(r.stderr).not.toContain('tries left');
    expect(vc.log.filter((e) => e.verifyWithData === true)).toHaveLength(0);
    expect(vc.log.filter((e) => toHex(e.command).toUpperCase() === '0020009B')).toHaveLength(1);
  });
});
