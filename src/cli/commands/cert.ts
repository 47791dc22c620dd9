/**
 * `mynacard cert <auth|sign|auth-ca|sign-ca>` (read a certificate from the card) and
 * `mynacard verify-cert <file>` (check a chain offline).
 * @packageDocumentation
 */
import type { MyNumberCard } from '../../aps/card.js';
import type { JpkiCertificateKind } from '../../aps/jpki.js';
import { verifyJpkiChain } from '../../crypto/chain.js';
import { flag, listOption, stringOption } from '../args.js';
import {
  certificatesFrom,
  chainJson,
  chainReport,
  parseAt,
  singleCertificate,
  summarize,
  testRoots,
  tryParse,
  type TrustChoice,
} from '../certificates.js';
import type { Command, CommandContext } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { toPem } from '../output.js';

/** Devices whose auth certificate sits behind the auth PIN (card-facts §7 [S]). */
const PIN_GUARDED_AUTH = new Set(['android', 'iphone']);

/**
 * Read a certificate with the right secret: the signing password for `'sign'`, the auth PIN
 * for `'auth'` on a smartphone, none otherwise. Shows a progress bar on a terminal.
 */
export async function readCardCertificate(
  context: CommandContext,
  card: MyNumberCard,
  kind: JpkiCertificateKind,
): Promise<Uint8Array> {
  const progress = context.progress(context.msg.readingCert);
  try {
    if (kind === 'sign') {
      const pin = context.secretProvider('sign');
      return await context.withSecret('sign', () =>
        card.jpki.readCertificate('sign', { pin, allowLastTry: context.allowLastTry, onProgress: progress.onProgress }),
      );
    }
    if (kind === 'auth' && PIN_GUARDED_AUTH.has(card.profile)) {
      const pin = context.secretProvider('auth');
      return await context.withSecret('auth', () =>
        card.jpki.readCertificate('auth', { pin, allowLastTry: context.allowLastTry, onProgress: progress.onProgress }),
      );
    }
    return await card.jpki.readCertificate(kind, { onProgress: progress.onProgress });
  } finally {
    progress.done();
  }
}

/** `mynacard cert`. */
export const certCommand: Command = async (context) => {
  const { msg, args } = context;
  const kind = args.positionals['kind'] as JpkiCertificateKind;
  const pem = flag(args.options, 'pem');
  const der = flag(args.options, 'der');
  const out = stringOption(args.options, 'out');
  if (pem && der) throw new CliError('usage', EXIT.usage, msg.conflictingOptions('--pem', '--der'));
  if (der && out === undefined && !context.json && context.io.stdout.isTTY === true) {
    throw new CliError('usage', EXIT.usage, msg.derToTerminal);
  }
  if (out !== undefined) await context.checkOutput(out);
  const card = await context.card();
  const bytes = await readCardCertificate(context, card, kind);
  const armoured = toPem(bytes);
  const parsed = tryParse(bytes);
  if (out !== undefined) await context.writeFile(out, der ? bytes : armoured);
  const result = {
    kind,
    certificate: parsed === undefined ? undefined : summarize(parsed),
    der: bytes,
    pem: armoured,
    out,
  };
  let human: string | Uint8Array;
  if (out !== undefined) human = msg.certWritten(msg.certLabel[kind] ?? kind, bytes.length, out);
  else human = der ? bytes : armoured;
  return { result, human };
};

/**
 * Trust anchors for an offline verification: `--roots` files, the virtual card's TEST roots
 * with `--trust-test-roots` (never implied by `--simulator`), else the bundled J-LIS roots.
 */
export async function chooseTrust(context: CommandContext): Promise<TrustChoice> {
  const files = listOption(context.args.options, 'roots');
  const testOnly = flag(context.args.options, 'trust-test-roots');
  if (files.length > 0 && testOnly) {
    throw new CliError('usage', EXIT.usage, context.msg.conflictingOptions('--roots', '--trust-test-roots'));
  }
  if (files.length > 0) {
    const roots: Uint8Array[] = [];
    for (const file of files) roots.push(...certificatesFrom(await context.readFile(file)));
    return { roots, source: 'custom' };
  }
  if (testOnly) return { roots: await testRoots(), source: 'test' };
  return { roots: undefined, source: 'jlis' };
}

/** `mynacard verify-cert <file>`. */
export const verifyCertCommand: Command = async (context) => {
  const { msg, args } = context;
  const file = args.positionals['file']!;
  const der = singleCertificate(await context.readFile(file), file, msg);
  const at = parseAt(stringOption(args.options, 'at'), context.now(), msg);
  const trust = await chooseTrust(context);
  const chain = await verifyJpkiChain(der, { at, ...(trust.roots === undefined ? {} : { roots: trust.roots }) });
  const lines = chainReport(chain.certificate, chain, trust, at, msg);
  return {
    result: {
      certificate: chain.certificate === undefined ? undefined : summarize(chain.certificate),
      chain: chainJson(chain, trust, at),
    },
    human: lines.join('\n'),
    exitCode: chain.valid ? EXIT.ok : EXIT.verificationFailed,
  };
};
