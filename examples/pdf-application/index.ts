/**
 * 電子申請 with a signed PDF: the city makes an application form (a small PDF), the resident
 * signs it with the 署名用 key of the My Number Card, and the city verifies every signature of the
 * file it receives.
 *
 *   MYNACARD_SIGN_PASSWORD=ABC123 npx tsx examples/pdf-application/index.ts --simulator --out signed.pdf
 *   MYNACARD_SIGN_PASSWORD=…      npx tsx examples/pdf-application/index.ts --out signed.pdf   (a real card, PC/SC)
 *
 * The password comes from the environment (or a prompt in a real application), never from the
 * command line. With --simulator the city trusts the virtual card's TEST roots and says so.
 *
 * Only public entries are used: `mynacard`, `mynacard/pdf`, `mynacard/testing`, `mynacard/pcsc`
 * (imported from the sources here so that it runs from a clone).
 */
import { writeFile } from 'node:fs/promises';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { MyNumberCard, describeReason, type JpkiCard } from 'mynacard';
import { signPdf, verifyPdf, type PdfVerificationResult } from 'mynacard/pdf';
import { VirtualMyNumberCard } from 'mynacard/testing';

/** The city's application form: a one-page PDF with the applicant's fields (ASCII: the standard fonts have no kana). */
export async function makeApplicationForm(fields: Readonly<Record<string, string>>): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const page = doc.addPage([595, 842]);
  page.drawText('Application for a residence certificate (Jyuminhyo)', { x: 50, y: 780, size: 16, font });
  let y = 740;
  for (const [label, value] of Object.entries(fields)) {
    page.drawText(`${label}: ${value}`, { x: 50, y, size: 12, font });
    y -= 24;
  }
  doc.setTitle('Application form');
  return doc.save();
}

/** The resident signs the form with the card's 署名用 key, in the profile the registry accepts. */
export async function residentSigns(card: JpkiCard, form: Uint8Array, password: string, signingTime: Date): Promise<Uint8Array> {
  return signPdf(form, { card, pin: password, profile: 'registry', signingTime });
}

/** What the city reads from the signed file: a verdict per signature, with the signer's 氏名 and 住所. */
export interface CityVerdict {
  readonly valid: boolean;
  readonly lines: readonly string[];
}

/** The city verifies every signature of the received file at `at` against `roots`. */
export async function cityVerifies(signed: Uint8Array, at: Date, roots?: readonly Uint8Array[]): Promise<CityVerdict> {
  const result: PdfVerificationResult = await verifyPdf(signed, { at, ...(roots === undefined ? {} : { roots }) });
  const lines = result.reasons.map((r) => `document: ${describeReason(r, 'en').text} [${r}]`);
  for (const s of result.signatures) {
    lines.push(`${s.field}: ${s.valid ? 'valid' : 'INVALID'}${s.person === undefined ? '' : ` — ${s.person.name}, ${s.person.address}`}`);
    for (const r of s.reasons) lines.push(`  ${describeReason(r, 'en').text} [${r}]`);
  }
  return { valid: result.valid, lines };
}

/** `main(argv)`: make, sign, write and verify. Returns the exit code. */
export async function main(argv: readonly string[], write: (line: string) => void = console.log): Promise<number> {
  const simulator = argv.includes('--simulator');
  const outIndex = argv.indexOf('--out');
  const out = outIndex >= 0 ? argv[outIndex + 1] : undefined;
  const password = process.env['MYNACARD_SIGN_PASSWORD'];
  if (out === undefined || password === undefined) {
    write('usage: MYNACARD_SIGN_PASSWORD=… pdf-application [--simulator] --out <signed.pdf>');
    return 2;
  }
  let roots: readonly Uint8Array[] | undefined;
  let card: MyNumberCard;
  if (simulator) {
    const virtual = await VirtualMyNumberCard.create();
    roots = [virtual.roots.sign];
    card = await MyNumberCard.connect(virtual);
  } else {
    const { waitForCard } = await import('mynacard/pcsc');
    card = await MyNumberCard.connect(await waitForCard());
  }
  try {
    const now = new Date();
    const form = await makeApplicationForm({ 'Certificates requested': '1', Purpose: 'Employment' });
    const signed = await residentSigns(card, form, password, now);
    await writeFile(out, signed, { flag: 'wx', mode: 0o600 });
    const verdict = await cityVerifies(signed, now, roots);
    for (const line of verdict.lines) write(line);
    if (simulator) write('(checked against the virtual card TEST roots, not the J-LIS roots)');
    return verdict.valid ? 0 : 8;
  } finally {
    await card.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main(process.argv.slice(2));
