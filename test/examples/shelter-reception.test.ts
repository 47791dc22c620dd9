import { createHmac } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { checkIn, csvField, main, parseCsv, personKey, readRoster } from '../../examples/shelter-reception/index.js';
import { MyNumberCard } from '../../src/aps/index.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import { HOLDER_ADDRESS, HOLDER_BIRTH_DATE, HOLDER_NAME, MY_NUMBER, NOW, TEXT_PIN, makeIo, tempDir } from '../cli/helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => cleanup());

describe('shelter-reception', () => {
  test('first check-in appends the 基本4情報; the second is recognised; no 個人番号 anywhere', async () => {
    const vc = await VirtualMyNumberCard.create();
    const roster = join(dir, 'roster.csv');
    const first = makeIo({ card: vc, env: { MYNACARD_TEXT_PIN: TEXT_PIN } });
    expect(await main(['--simulator', '--roster', roster], first.io)).toBe(0);
    expect(first.stdout.text).toBe(`受付しました (checked in): ${HOLDER_NAME}\n`);
    const second = makeIo({ card: vc, env: { MYNACARD_TEXT_PIN: TEXT_PIN } });
    expect(await main(['--simulator', '--roster', roster], second.io)).toBe(0);
    expect(second.stdout.text).toBe(`受付済みです (already checked in at ${NOW.toISOString()}): ${HOLDER_NAME}\n`);

    const salt = Buffer.from((await readFile(`${roster}.salt`, 'utf8')).trim(), 'hex');
    expect(salt).toHaveLength(32);
    const key = createHmac('sha256', salt).update(`由利花子\u00001990-01-02`, 'utf8').digest('hex');
    const text = await readFile(roster, 'utf8');
    expect(text).toBe(
      'checked_in_at,person_key,name,address,birth_date,sex\r\n' +
        `${NOW.toISOString()},${key},${HOLDER_NAME},${HOLDER_ADDRESS},${HOLDER_BIRTH_DATE},female\r\n`,
    );
    expect(text).not.toContain(MY_NUMBER);
    expect((await stat(roster)).mode & 0o777).toBe(0o600);
    expect((await stat(`${roster}.salt`)).mode & 0o777).toBe(0o600);
    // The 個人番号 was never read from the card.
    expect(vc.log.some((e) => Buffer.from(e.command).toString('hex').toUpperCase().startsWith('00B08100'))).toBe(false);
  });

  test('another holder is a new check-in; the same holder under another salt gets another key', async () => {
    const roster = join(dir, 'roster.csv');
    const card = await MyNumberCard.connect(await VirtualMyNumberCard.create());
    const other = await MyNumberCard.connect(
      await VirtualMyNumberCard.create({ holder: { name: '秋田　太郎', birthDate: '1985-06-30', sex: '1', address: '秋田県秋田市山王４丁目１番１号' } }),
    );
    const salt = new Uint8Array(32).fill(7);
    const a = await checkIn(card, { pin: TEXT_PIN, rosterPath: roster, salt, now: NOW });
    const b = await checkIn(other, { pin: TEXT_PIN, rosterPath: roster, salt, now: NOW });
    const again = await checkIn(card, { pin: TEXT_PIN, rosterPath: roster, salt, now: new Date('2026-04-02T00:00:00Z') });
    expect([a.status, b.status, again.status]).toEqual(['new', 'new', 'repeat']);
    expect(again.entry).toEqual(a.entry);
    expect((await readRoster(roster)).map((e) => e.name)).toEqual([HOLDER_NAME, '秋田　太郎']);
    expect(personKey(new Uint8Array(32).fill(8), { name: HOLDER_NAME, birthDate: '1990-01-02' })).not.toBe(a.entry.personKey);
    // Spacing and full-width forms do not change the key.
    expect(personKey(salt, { name: '由利 花子', birthDate: '1990-01-02' })).toBe(a.entry.personKey);
  });

  test('wrong text PIN: exit 5 and nothing written', async () => {
    const roster = join(dir, 'roster.csv');
    const t = makeIo({ env: { MYNACARD_TEXT_PIN: '0000' } });
    expect(await main(['--simulator', '--roster', roster], t.io)).toBe(5);
    await expect(readFile(roster)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('a PIN option is refused', async () => {
    const t = makeIo();
    expect(await main(['--simulator', '--pin', TEXT_PIN], t.io)).toBe(2);
    expect(t.stderr.text).not.toContain(TEXT_PIN);
  });

  test('CSV: formula cells are neutralised, quoting round-trips', () => {
    expect(csvField('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`);
    expect(csvField('+81')).toBe("'+81");
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('plain')).toBe('plain');
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '名', ' ') }), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 4 }), (rows) => {
        const safeRows = rows.map((r) => r.map((v) => v.replace(/^[=+\-@\t\r]/, 'x')));
        const text = safeRows.map((r) => r.map(csvField).join(',')).join('\r\n') + '\r\n';
        expect(parseCsv(text)).toEqual(safeRows);
      }),
    );
  });
});
