import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { main as signMain, signApplication } from '../../examples/smart-application/sign.js';
import { main as verifyMain, verifyApplication } from '../../examples/smart-application/verify.js';
import { MyNumberCard } from '../../src/aps/index.js';
import { testRoots } from '../../src/cli/certificates.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import { HOLDER_ADDRESS, HOLDER_NAME, NOW, SIGN_PASSWORD, makeIo, tempDir } from '../cli/helpers.js';

const APPLICATION = '{"procedure":"児童手当 現況届","children":2}';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  await writeFile(join(dir, 'application.json'), APPLICATION);
});
afterEach(async () => cleanup());

async function signed(): Promise<Uint8Array> {
  const t = makeIo({ env: { MYNACARD_SIGN_PASSWORD: SIGN_PASSWORD } });
  const out = join(dir, 'application.p7s');
  expect(await signMain(['--simulator', '--in', join(dir, 'application.json'), '--out', out], t.io)).toBe(0);
  return new Uint8Array(await readFile(out));
}

describe('smart-application', () => {
  test('client signs with the signing key; the server verifies at the submission date and prints the signer', async () => {
    const cms = await signed();
    const t = makeIo();
    expect(await verifyMain(['--in', join(dir, 'application.p7s'), '--test-roots', '--submitted-at', '2026-04-01T09:05:00+09:00'], t.io)).toBe(0);
    expect(t.stdout.text).toBe(
      [
        "Checked against the virtual card's TEST roots (O=JPKI-TEST), NOT the J-LIS roots: a real certificate fails here.",
        '署名は有効です (valid signature, chain checked at 2026-04-01T00:05:00.000Z)',
        `署名日時 (claimed): ${NOW.toISOString()}`,
        `氏名: ${HOLDER_NAME}`,
        `住所: ${HOLDER_ADDRESS}`,
        '生年月日: 1990-01-02',
        '性別: 女',
        '証明書シリアル: 7E57B001',
        `申請内容: ${JSON.stringify(JSON.parse(APPLICATION))}`,
        '',
      ].join('\n'),
    );
    expect(cms[0]).toBe(0x30);
  });

  test('the chain is checked at the submission date: valid in 2029, expired in 2031', async () => {
    const cms = await signed();
    const roots = await testRoots();
    expect((await verifyApplication(cms, { submittedAt: new Date('2029-12-31T00:00:00Z'), roots })).valid).toBe(true);
    const late = await verifyApplication(cms, { submittedAt: new Date('2031-01-01T00:00:00Z'), roots });
    expect(late.valid).toBe(false);
    expect(late.reasons).toEqual(['leaf-expired']);
    expect(late.signer).toBeUndefined();
  });

  test('refused: signed after the submission, tampered, or not from a trusted root', async () => {
    const cms = await signed();
    const roots = await testRoots();
    const early = await verifyApplication(cms, { submittedAt: new Date('2026-03-31T00:00:00Z'), roots });
    expect(early.reasons).toEqual(['signed-after-submission']);
    const tampered = cms.slice();
    const at = Buffer.from(tampered).indexOf(Buffer.from('"children":2'));
    tampered[at + 11] = 0x33;
    expect((await verifyApplication(tampered, { submittedAt: NOW, roots })).reasons).toContain('message-digest-mismatch');
    const t = makeIo();
    expect(await verifyMain(['--in', join(dir, 'application.p7s'), '--submitted-at', NOW.toISOString()], t.io)).toBe(8);
    expect(t.stdout.text).toBe('受理できません (rejected): no-issuer-found\n');
    expect(t.stdout.text).not.toContain(HOLDER_NAME);
  });

  test('the client refuses a document that is not a JSON object, before touching the card', async () => {
    const vc = await VirtualMyNumberCard.create();
    const card = await MyNumberCard.connect(vc);
    vc.clearLog();
    await expect(
      signApplication(card, new TextEncoder().encode('[1,2]'), { password: SIGN_PASSWORD, signingTime: NOW }),
    ).rejects.toThrow('The application must be a UTF-8 JSON object');
    expect(vc.log).toHaveLength(0);
  });

  test('wrong signing password: exit 5, nothing written', async () => {
    const t = makeIo({ env: { MYNACARD_SIGN_PASSWORD: 'WRONG99' } });
    const out = join(dir, 'x.p7s');
    expect(await signMain(['--simulator', '--in', join(dir, 'application.json'), '--out', out], t.io)).toBe(5);
    await expect(readFile(out)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
