/**
 * スマート申請, client side: sign an application (a JSON document) with the 署名用 key of the
 * card as CMS SignedData (CAdES-BES), ready to upload.
 *
 *   MYNACARD_SIGN_PASSWORD=ABC123 npx tsx examples/smart-application/sign.ts --simulator \
 *     --in application.json --out application.p7s
 *
 * The signed bytes are exactly the file's bytes: the server verifies what the applicant saw.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { signCms, type MyNumberCard, type SecretInput } from 'mynacard';
import {
  EXIT,
  ExampleError,
  isMain,
  parseExampleArgs,
  processIo,
  runExample,
  withSession,
  type ExampleIo,
} from '../shared/session.js';

/**
 * Sign `application` (UTF-8 JSON bytes) with the card's 署名用 key: the result is a DER CMS
 * ContentInfo with the content embedded and the signer's certificate included.
 *
 * @throws ExampleError (exit 2) when the bytes are not a JSON object
 */
export async function signApplication(
  card: MyNumberCard,
  application: Uint8Array,
  options: { readonly password: SecretInput; readonly signingTime: Date; readonly allowLastTry?: boolean },
): Promise<Uint8Array> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(application));
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ExampleError('not-json', 'The application must be a UTF-8 JSON object', EXIT.usage);
  }
  const allowLastTry = options.allowLastTry ?? false;
  // signCms reads the signing certificate and signs, both with the password; pass the last-try choice through.
  return signCms(
    {
      jpki: {
        sign: (kind, data, o) => card.jpki.sign(kind, data, { ...o, allowLastTry }),
        readCertificate: (kind, o) => card.jpki.readCertificate(kind, { ...o, allowLastTry }),
      },
    },
    application,
    { pin: options.password, signingTime: options.signingTime },
  );
}

/** The program: `--in <application.json> --out <application.p7s>`, `--simulator` or `--reader`. */
export async function main(argv: readonly string[], io: ExampleIo): Promise<number> {
  return runExample(io, async () => {
    const args = parseExampleArgs(argv, { values: ['in', 'out'] });
    const input = args.values.get('in');
    const out = args.values.get('out');
    if (input === undefined) throw new ExampleError('usage', '--in <file> is required', EXIT.usage);
    if (out === undefined) throw new ExampleError('usage', '--out <file> is required', EXIT.usage);
    const application = new Uint8Array(await readFile(input));
    return withSession(args, io, async (session) => {
      const cms = await signApplication(session.card, application, {
        password: session.secret('sign'), // asked once, after the SDK has read the tries
        signingTime: io.now?.() ?? new Date(),
        allowLastTry: session.allowLastTry,
      });
      await writeFile(out, cms);
      io.stdout.write(`署名しました (signed): ${out} (${cms.length} bytes)\n`);
    });
  });
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2), processIo());
