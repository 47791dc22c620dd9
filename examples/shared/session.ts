/**
 * What the terminal examples share: open the card (`--simulator`: the virtual card of
 * `mynacard/testing`; otherwise a PC/SC reader through `mynacard/pcsc`), hand out secret
 * providers (env / `--pin-stdin` / hidden prompt, see `secrets.ts`), and pick the trust anchors
 * (the J-LIS roots, or the virtual card's TEST roots).
 *
 * Public API only: inside this repository `mynacard` resolves to the sources (tsconfig `paths`);
 * in your project it is the npm package.
 */
import { MyNumberCard, type JpkiTrustAnchor, type SecretProvider, type Transport } from 'mynacard';
import { EXIT, ExampleError, exampleLanguage, type ExampleArgs, type ExampleIo } from './io.js';
import { terminalSecretProvider } from './secrets.js';

export * from './io.js';
export { terminalSecretProvider, triesText } from './secrets.js';

/** Environment variables of the card's secrets (the same as the `mynacard` CLI's). */
export const SECRET_ENV = {
  auth: 'MYNACARD_AUTH_PIN',
  sign: 'MYNACARD_SIGN_PASSWORD',
  text: 'MYNACARD_TEXT_PIN',
  verificationB: 'MYNACARD_VERIFICATION_B',
} as const;

/** An open card plus what the example needs around it. */
export interface ExampleSession {
  /** The card session. */
  readonly card: MyNumberCard;
  /** Whether this is the virtual card. */
  readonly simulated: boolean;
  /** Trust anchors: the virtual card's TEST roots when simulated, else `undefined` (= the J-LIS roots). */
  readonly roots: readonly JpkiTrustAnchor[] | undefined;
  /** A provider for one of the card's secrets (pass it as `pin`); the SDK asks it after reading the tries. */
  secret(name: keyof typeof SECRET_ENV): SecretProvider;
  /** `--allow-last-try` was given. */
  readonly allowLastTry: boolean;
  /** The line to print when the TEST roots are used, in the example's language. */
  readonly testRootsNote: string;
  /** Close the session and the reader. */
  close(): Promise<void>;
}

/** The note printed when the virtual card's TEST roots are trusted. */
export function testRootsNote(io: ExampleIo): string {
  return exampleLanguage(io) === 'ja'
    ? '仮想カードのテスト用ルート（O=JPKI-TEST）で検証しました。J-LIS のルートではありません（本物の証明書はここでは無効になります）。'
    : "Checked against the virtual card's TEST roots (O=JPKI-TEST), NOT the J-LIS roots: a real certificate fails here.";
}

/** The virtual card's TEST roots as trust anchors (`testTrustAnchors()` of `mynacard/testing`). */
export async function testRoots(): Promise<JpkiTrustAnchor[]> {
  const { testTrustAnchors } = await import('mynacard/testing');
  return testTrustAnchors();
}

/** Open a transport: the virtual card, or the PC/SC reader named `reader` (or the first with a card). */
async function openTransport(io: ExampleIo, simulator: boolean, reader: string | undefined): Promise<Transport> {
  if (simulator) {
    if (io.simulator !== undefined) return io.simulator();
    const { VirtualMyNumberCard } = await import('mynacard/testing');
    return VirtualMyNumberCard.create();
  }
  // Loaded on demand: a browser or a simulator-only run never needs the native PC/SC module.
  const pcsc = await import('mynacard/pcsc');
  const readers = await pcsc.listReaders();
  const matching = readers.filter((r) => reader === undefined || r.name === reader || r.name.toLowerCase().includes(reader.toLowerCase()));
  if (matching.length === 0) throw new ExampleError('no-reader', reader === undefined ? 'No card reader found' : `No reader named "${reader}"`, EXIT.noReader);
  const withCard = matching.find((r) => r.cardPresent);
  if (withCard === undefined) throw new ExampleError('no-card', 'No card in the reader', EXIT.noCard);
  return pcsc.connect(withCard.name);
}

/** Open the card named by `args` (`--simulator` or `--reader`). */
export async function openSession(args: ExampleArgs, io: ExampleIo): Promise<ExampleSession> {
  const simulated = args.flags.has('simulator');
  const transport = await openTransport(io, simulated, args.values.get('reader'));
  let card: MyNumberCard;
  try {
    card = await MyNumberCard.connect(transport);
  } catch (error) {
    await transport.close?.();
    throw error;
  }
  const pinStdin = args.flags.has('pin-stdin');
  return {
    card,
    simulated,
    roots: simulated ? await testRoots() : undefined,
    allowLastTry: args.flags.has('allow-last-try'),
    testRootsNote: testRootsNote(io),
    secret: (name) => terminalSecretProvider(io, { env: SECRET_ENV[name], pinStdin }),
    async close() {
      await card.close().catch(() => undefined);
      await transport.close?.()?.catch(() => undefined);
    },
  };
}

/**
 * Open the card named by `args`, run `use` with it, and close the session whatever happens.
 * Resolves to `EXIT.ok` when `use` completes; its errors propagate (after the close).
 */
export async function withSession(args: ExampleArgs, io: ExampleIo, use: (session: ExampleSession) => Promise<void>): Promise<number> {
  const session = await openSession(args, io);
  try {
    await use(session);
    return EXIT.ok;
  } finally {
    await session.close();
  }
}
