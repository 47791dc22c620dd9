/**
 * The examples' terminal secret provider (examples/shared/secrets.ts): asked by the SDK after
 * the tries query, it announces the tries, reads a hidden prompt in raw mode (nothing echoed),
 * and is never asked for a blocked PIN or a refused last try.
 */
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { main } from '../../examples/form-prefill/index.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import { FakeTty, TEXT_PIN, makeIo, tempDir } from '../cli/helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => cleanup());

describe('examples/shared terminal secret provider', () => {
  test('hidden prompt: tries shown first, raw mode on and off, the PIN never echoed', async () => {
    const tty = new FakeTty([`${TEXT_PIN}\r`]);
    const t = makeIo({ tty });
    expect(await main(['--simulator', '--out', join(dir, 'form.html')], t.io)).toBe(0);
    expect(t.stderr.text).toBe(
      'text PIN (券面事項入力補助用 暗証番号): 3 of 3 tries left\ntext PIN (券面事項入力補助用 暗証番号): \n',
    );
    expect(tty.rawModes).toEqual([true, false]);
  });

  test('blocked: exit 6, the provider is never asked (no prompt, no tries line), nothing sent with data', async () => {
    const vc = await VirtualMyNumberCard.create({ tries: { text: 0 } });
    const tty = new FakeTty([`${TEXT_PIN}\r`]);
    const t = makeIo({ tty, card: vc });
    expect(await main(['--simulator', '--out', join(dir, 'form.html')], t.io)).toBe(6);
    expect(tty.rawModes).toEqual([]);
    expect(t.stderr.text).not.toContain('tries left');
    expect(vc.log.filter((e) => e.verifyWithData === true)).toHaveLength(0);
  });

  test('one try left: refused without asking (exit 7); with --allow-last-try the prompt warns', async () => {
    const refused = makeIo({ card: await VirtualMyNumberCard.create({ tries: { text: 1 } }), env: { MYNACARD_TEXT_PIN: TEXT_PIN } });
    expect(await main(['--simulator', '--out', join(dir, 'a.html')], refused.io)).toBe(7);
    expect(refused.stderr.text).not.toContain('tries left');
    const allowed = makeIo({ card: await VirtualMyNumberCard.create({ tries: { text: 1 } }), env: { MYNACARD_TEXT_PIN: TEXT_PIN } });
    expect(await main(['--simulator', '--allow-last-try', '--out', join(dir, 'b.html')], allowed.io)).toBe(0);
    expect(allowed.stderr.text).toBe(
      'text PIN (券面事項入力補助用 暗証番号): 1 of 3 tries left This is the last try: a wrong value blocks it. (MYNACARD_TEXT_PIN)\n',
    );
  });
});
