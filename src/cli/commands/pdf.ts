/**
 * `mynacard pdf sign` (a PDF signed with the card's 署名用 key, as an incremental update) and
 * `mynacard pdf verify` (every signature field of a PDF, offline, with the chain).
 * @packageDocumentation
 */
import type { JpkiCard } from '../../crypto/card.js';
import { signPdf, verifyPdf, type PdfProfile, type PdfVisibleSignature } from '../../pdf/index.js';
import { flag, listOption, stringOption } from '../args.js';
import { parseAt, reasonRows, singleCertificate, summarize, trustNote } from '../certificates.js';
import type { Command, CommandContext } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { fieldLines } from '../output.js';
import { chooseTrust } from './cert.js';

/** DER certificates from files (PEM or DER). */
async function readAll(context: CommandContext, files: readonly string[]): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const file of files) out.push(singleCertificate(await context.readFile(file), file, context.msg));
  return out;
}

/** `--visible x1,y1,x2,y2 [--page n]` (page 1-based on the command line). */
function visibleOption(context: CommandContext): PdfVisibleSignature | undefined {
  const box = stringOption(context.args.options, 'visible');
  const page = stringOption(context.args.options, 'page');
  if (box === undefined) {
    if (page !== undefined) throw new CliError('usage', EXIT.usage, context.msg.missingOption('--visible'));
    return undefined;
  }
  const rect = box.split(',').map(Number);
  const pageNumber = page === undefined ? 1 : Number(page);
  if (rect.length !== 4 || !rect.every(Number.isFinite) || !Number.isSafeInteger(pageNumber) || pageNumber < 1) {
    throw new CliError('usage', EXIT.usage, context.msg.pdfBadVisible);
  }
  return { page: pageNumber - 1, rect: rect as [number, number, number, number] };
}

function required(context: CommandContext, name: string): string {
  const value = stringOption(context.args.options, name);
  if (value === undefined) throw new CliError('usage', EXIT.usage, context.msg.missingOption(`--${name}`));
  return value;
}

/** `mynacard pdf sign --in <file> --out <file> [--profile registry|pades-b-b|pades-b-t --tsa <url> [--tsa-roots <file>]] [--force]`. */
export const pdfSignCommand: Command = async (context) => {
  const { msg, args } = context;
  const input = required(context, 'in');
  const out = required(context, 'out');
  const profile = (stringOption(args.options, 'profile') ?? 'registry') as PdfProfile;
  const tsa = stringOption(args.options, 'tsa');
  if ((profile === 'pades-b-t') !== (tsa !== undefined)) throw new CliError('usage', EXIT.usage, msg.missingOption(tsa === undefined ? '--tsa' : '--profile pades-b-t'));
  const tsaRoots = await readAll(context, listOption(args.options, 'tsa-roots'));
  const visible = visibleOption(context);
  const data = await context.readFile(input);
  // Before the card is touched: an output that would be refused is refused now.
  await context.checkOutput(out);
  const card = await context.card();
  // Asked by the SDK after its own tries query (no extra APDU), once for both VERIFYs.
  const pin = context.secretProvider('sign');
  const allowLastTry = context.allowLastTry;
  const jpkiCard: JpkiCard = {
    jpki: {
      sign: (kind, bytes, options) => card.jpki.sign(kind, bytes, { ...options, allowLastTry }),
      readCertificate: (kind, options) => card.jpki.readCertificate(kind, { ...options, allowLastTry }),
    },
  };
  const output = await context.withSecret('sign', () => signPdf(data, {
      card: jpkiCard,
      pin,
      profile,
      signingTime: context.now(),
      ...(visible === undefined ? {} : { visible }),
      ...(tsa === undefined ? {} : { timestamp: { url: tsa, ...(tsaRoots.length === 0 ? {} : { roots: tsaRoots }) } }),
    }));
  await context.writeFile(out, output, { signed: true });
  return {
    result: { profile, input: { file: input, bytes: data.length }, out, outBytes: output.length },
    human: msg.pdfSigned(input, out, profile),
  };
};

/** 性別 of the JPKI SAN: `'1'` male, `'2'` female, `'3'` unknown. */
function sanSex(code: string): string {
  return code === '1' ? 'male' : code === '2' ? 'female' : 'unknown';
}

/** `mynacard pdf verify <file> [--at <date>] [--roots <file> | --trust-test-roots] [--show-signer]`. */
export const pdfVerifyCommand: Command = async (context) => {
  const { msg, args } = context;
  const file = args.positionals['file']!;
  const at = parseAt(stringOption(args.options, 'at'), context.now(), msg);
  const trust = await chooseTrust(context);
  const showSigner = flag(args.options, 'show-signer');
  const tsaRoots = await readAll(context, listOption(args.options, 'tsa-roots'));
  const result = await verifyPdf(await context.readFile(file), {
    at,
    ...(trust.roots === undefined ? {} : { roots: trust.roots }),
    ...(tsaRoots.length === 0 ? {} : { tsaRoots }),
  });
  const lines: string[] = [...fieldLines([[msg.fieldSignature, result.valid ? msg.valid : msg.invalid], ...reasonRows(result.reasons, msg)])];
  for (const sig of result.signatures) {
    const rows: [string, string][] = [[msg.fieldSignature, sig.valid ? msg.valid : msg.invalid]];
    if (sig.subFilter !== undefined) rows.push(['SubFilter', sig.subFilter]);
    rows.push([msg.pdfCoverage, sig.coversWholeFile ? msg.pdfWholeFile : msg.pdfLaterRevisions(sig.laterRevisions)]);
    if (sig.signingTime !== undefined) rows.push([msg.fieldSigningTime, sig.signingTime.toISOString()]);
    rows.push(...reasonRows(sig.reasons, msg));
    if (showSigner && sig.person !== undefined) {
      rows.push(
        [msg.fieldName, sig.person.name],
        [msg.fieldAddress, sig.person.address],
        [msg.fieldBirthDate, sig.person.birthDate.date],
        [msg.fieldSex, msg.sexLabel[sanSex(sig.person.sex)] ?? sig.person.sex],
      );
    }
    lines.push(`${msg.pdfField(sig.field)}:`, ...fieldLines(rows, '  '));
    if (!showSigner && sig.person !== undefined) lines.push(`  ${msg.signerHidden}`);
  }
  lines.push(trustNote(trust, msg));
  return {
    result: {
      format: 'pdf',
      valid: result.valid,
      reasons: result.reasons,
      signatures: result.signatures.map((sig) => ({
        field: sig.field,
        valid: sig.valid,
        reasons: sig.reasons,
        subFilter: sig.subFilter,
        byteRange: sig.byteRange,
        revisionEnd: sig.revisionEnd,
        coversWholeFile: sig.coversWholeFile,
        laterRevisions: sig.laterRevisions,
        changedObjects: sig.changedObjects,
        signingTime: sig.signingTime,
        timestamp: sig.timestamp,
        signer: sig.signer === undefined ? undefined : summarize(sig.signer),
        signerPerson:
          showSigner && sig.person !== undefined
            ? { name: sig.person.name, address: sig.person.address, birthDate: sig.person.birthDate.date, sex: sanSex(sig.person.sex), sexCode: sig.person.sex }
            : undefined,
      })),
    },
    human: lines.join('\n'),
    exitCode: result.valid ? EXIT.ok : EXIT.verificationFailed,
  };
};
