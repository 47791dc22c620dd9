import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { escapeHtml, main, prefillForm, renderForm, toWareki } from '../../examples/form-prefill/index.js';
import { MyNumberCard } from '../../src/aps/index.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import { HOLDER_ADDRESS, HOLDER_NAME, MY_NUMBER, NOW, TEXT_PIN, makeIo, tempDir } from '../cli/helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => cleanup());

/** The text of a pre-filled cell. */
function cell(html: string, field: string): string | undefined {
  return new RegExp(`data-field="${field}">([^<]*)</td>`).exec(html)?.[1];
}

describe('form-prefill', () => {
  test('writes a print-ready form with the 基本4情報 of the virtual card', async () => {
    const out = join(dir, 'form.html');
    const t = makeIo({ env: { MYNACARD_TEXT_PIN: TEXT_PIN } });
    expect(await main(['--simulator', '--out', out, '--municipality', '由利本荘市'], t.io)).toBe(0);
    expect(t.stdout.text).toBe(`申請書を作成しました (form written): ${out}\n`);
    const html = await readFile(out, 'utf8');
    expect(cell(html, 'name')).toBe(HOLDER_NAME);
    expect(cell(html, 'address')).toBe(HOLDER_ADDRESS);
    expect(cell(html, 'birth-date')).toBe('平成2年1月2日（1990-01-02）');
    expect(cell(html, 'sex')).toBe('女');
    expect(html).toContain('<p>由利本荘市 受付日 2026-04-01</p>');
    expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`);
    expect(html).toContain('<tr><th>申請者署名</th><td class="sign">&nbsp;</td></tr>');
    expect(html).not.toContain(MY_NUMBER);
    expect(html).not.toContain('<script');
  });

  test('values from the card are escaped: nothing on a card can inject markup', async () => {
    const vc = await VirtualMyNumberCard.create({
      holder: { name: '<script>alert(1)</script>　"花子"', address: '秋田県&<img src=x onerror=alert(1)>' },
    });
    const html = await prefillForm(await MyNumberCard.connect(vc), { pin: TEXT_PIN, date: NOW });
    expect(cell(html, 'name')).toBe('&lt;script&gt;alert(1)&lt;/script&gt;　&quot;花子&quot;');
    expect(cell(html, 'address')).toBe('秋田県&amp;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
  });

  test('和暦 dates and escaping helpers', () => {
    expect(toWareki('1990-01-02')).toBe('平成2年1月2日');
    expect(toWareki('2019-05-01')).toBe('令和元年5月1日');
    expect(toWareki('1989-01-07')).toBe('昭和64年1月7日');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    const html = renderForm(
      { name: 'A', address: 'B', birthDate: '2000-02-29', sex: { value: 'not-applicable', code: '9' } },
      { date: NOW, title: '転入届<>' },
    );
    expect(html).toContain('<title>転入届&lt;&gt;</title>');
    expect(cell(html, 'sex')).toBe('—');
  });

  test('wrong PIN: exit 5, no file', async () => {
    const out = join(dir, 'form.html');
    const t = makeIo({ env: { MYNACARD_TEXT_PIN: '9999' } });
    expect(await main(['--simulator', '--out', out], t.io)).toBe(5);
    await expect(readFile(out)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
