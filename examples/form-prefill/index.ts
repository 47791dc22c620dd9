/**
 * 書かない窓口 (the "no-writing counter"): fill an application form from the card's 基本4情報
 * and write it as an HTML page ready to print — the applicant only checks it and signs.
 *
 *   MYNACARD_TEXT_PIN=5678 npx tsx examples/form-prefill/index.ts --simulator --out form.html
 *
 * Every value from the card is HTML-escaped, and the page carries a Content-Security-Policy
 * that forbids scripts, so nothing on a card can ever run in the browser that prints it.
 */
import { writeFile } from 'node:fs/promises';
import type { MyNumberCard, SecretInput, TextAttributes } from 'mynacard';
import {
  isMain,
  parseExampleArgs,
  processIo,
  runExample,
  withSession,
  type ExampleIo,
} from '../shared/session.js';

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** A Gregorian `YYYY-MM-DD` in the Japanese calendar, e.g. `平成2年1月2日` (和暦). */
export function toWareki(isoDate: string): string {
  const date = new Date(`${isoDate}T00:00:00Z`);
  return new Intl.DateTimeFormat('ja-JP-u-ca-japanese', {
    era: 'long',
    year: 'numeric',
    month: 'long',
    day: 'numeric',
    timeZone: 'UTC',
  }).format(date);
}

const SEX_JA: Readonly<Record<string, string>> = { male: '男', female: '女', 'not-applicable': '—', unknown: '—' };

/** Options of {@link renderForm}. */
export interface FormOptions {
  /** Form title. Default 住民票の写し等交付申請書. */
  readonly title?: string;
  /** The municipality printed in the header. */
  readonly municipality?: string;
  /** The application date (受付日). */
  readonly date: Date;
}

/** Render the pre-filled form as a complete HTML page (A4, print-ready). */
export function renderForm(attributes: Pick<TextAttributes, 'name' | 'address' | 'birthDate' | 'sex'>, options: FormOptions): string {
  const title = options.title ?? '住民票の写し等交付申請書';
  const day = options.date.toISOString().slice(0, 10);
  const e = escapeHtml;
  return `<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="referrer" content="no-referrer">
<title>${e(title)}</title>
<style>
  @page { size: A4; margin: 18mm; }
  body { font-family: "Noto Sans JP", "Hiragino Kaku Gothic ProN", "Yu Gothic", sans-serif; font-size: 11pt; }
  h1 { font-size: 16pt; text-align: center; letter-spacing: 0.2em; }
  table { width: 100%; border-collapse: collapse; margin-top: 8mm; }
  th, td { border: 1px solid #000; padding: 3mm; text-align: left; vertical-align: top; }
  th { width: 28%; background: #f2f2f2; font-weight: normal; }
  .sign { height: 22mm; }
  .note { font-size: 9pt; margin-top: 6mm; }
  .prefilled { font-size: 13pt; }
</style>
</head>
<body>
<h1>${e(title)}</h1>
<p>${e(options.municipality ?? '')}${options.municipality === undefined ? '' : ' '}受付日 ${e(day)}</p>
<table>
  <tr><th>氏名</th><td class="prefilled" data-field="name">${e(attributes.name)}</td></tr>
  <tr><th>住所</th><td class="prefilled" data-field="address">${e(attributes.address)}</td></tr>
  <tr><th>生年月日</th><td class="prefilled" data-field="birth-date">${e(toWareki(attributes.birthDate))}（${e(attributes.birthDate)}）</td></tr>
  <tr><th>性別</th><td class="prefilled" data-field="sex">${e(SEX_JA[attributes.sex.value] ?? '—')}</td></tr>
  <tr><th>必要な証明書</th><td>□ 住民票の写し　□ 住民票記載事項証明書　通数（　　）通</td></tr>
  <tr><th>使用目的</th><td>&nbsp;</td></tr>
  <tr><th>申請者署名</th><td class="sign">&nbsp;</td></tr>
</table>
<p class="note">氏名・住所・生年月日・性別はマイナンバーカードの券面事項入力補助APから読み取りました。内容をご確認のうえ、署名欄にご署名ください。個人番号は読み取っていません。</p>
</body>
</html>
`;
}

/** Read the 基本4情報 with the text PIN and render the form. */
export async function prefillForm(
  card: MyNumberCard,
  options: FormOptions & { readonly pin: SecretInput; readonly allowLastTry?: boolean },
): Promise<string> {
  const attributes = await card.text.readAttributes({ pin: options.pin, allowLastTry: options.allowLastTry ?? false });
  return renderForm(attributes, options);
}

/** The program: `--out <file>` (default `form.html`), `--municipality <name>`, `--simulator` or `--reader`. */
export async function main(argv: readonly string[], io: ExampleIo): Promise<number> {
  return runExample(io, async () => {
    const args = parseExampleArgs(argv, { values: ['out', 'municipality'] });
    const out = args.values.get('out') ?? 'form.html';
    const municipality = args.values.get('municipality');
    return withSession(args, io, async (session) => {
      // A provider: the SDK reads the tries, refuses a blocked PIN or the last try, then asks.
      const html = await prefillForm(session.card, {
        pin: session.secret('text'),
        date: io.now?.() ?? new Date(),
        allowLastTry: session.allowLastTry,
        ...(municipality === undefined ? {} : { municipality }),
      });
      await writeFile(out, html, { mode: 0o600 });
      io.stdout.write(`申請書を作成しました (form written): ${out}\n`);
    });
  });
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2), processIo());
