/**
 * 地域ポイントの本人確認 (identity check for a local points scheme): verify the
 * 利用者証明用電子証明書 chain and a fresh challenge signed by the card, then emit an identity
 * assertion keyed by the certificate — a pairwise pseudonym — never by personal data.
 *
 *   MYNACARD_AUTH_PIN=1234 LOCAL_ID_SERVICE_KEY=<64 hex digits> \
 *     npx tsx examples/local-id/index.ts --simulator --audience points.example.lg.jp
 *
 * The assertion is a compact JWS (HS256) under a key derived from the service key. Its `sub`
 * is the library's `holderPseudonym` of the certificate for this audience (HMAC-SHA-256 under a
 * subkey of the service key, over the audience and the certificate's public key): stable for
 * this service and this certificate, unlinkable across services, and free of the holder's
 * name, address, birth date and 個人番号. A renewed certificate (every five years, or a new
 * card) has a new key, hence a new `sub`: the holder links the account again then.
 *
 * Legal note: verifying JPKI 利用者証明 as a business requires the approval of the Minister for
 * Internal Affairs and Communications under 公的個人認証法; production use must also check
 * revocation (OCSP), which this example does not.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  authenticate,
  holderPseudonym,
  verifyAuthentication,
  type JpkiTrustAnchor,
  type MyNumberCard,
  type SecretInput,
} from 'mynacard';
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

/** Lifetime of an assertion. */
export const ASSERTION_LIFETIME_S = 300;

/** The claims of an identity assertion. */
export interface IdentityClaims {
  readonly iss: string;
  readonly aud: string;
  /** Pairwise pseudonym of the certificate (base64url HMAC-SHA-256). */
  readonly sub: string;
  readonly iat: number;
  readonly exp: number;
  /** How the holder was authenticated. */
  readonly amr: readonly ['jpki-auth'];
  /** The authenticating certificate (no personal data: JPKI auth certificates carry none). */
  readonly cert: { readonly serialNumber: string; readonly notAfter: string };
}

const b64url = (bytes: Uint8Array | string): string => Buffer.from(bytes).toString('base64url');

/** Subkeys of the service key: one for pseudonyms, one for the assertion MAC. */
function subkey(serviceKey: Uint8Array, purpose: 'sub' | 'jws'): Buffer {
  return createHmac('sha256', serviceKey).update(`local-id-example/${purpose}`).digest();
}

/** The pairwise pseudonym of a certificate for this service and audience (the library's helper). */
export function pseudonym(serviceKey: Uint8Array, certificate: Uint8Array, audience: string): string {
  return holderPseudonym(certificate, { key: subkey(serviceKey, 'sub'), relyingParty: audience });
}

/** Sign claims as a compact JWS (HS256). */
export function signAssertion(claims: IdentityClaims, serviceKey: Uint8Array): string {
  const input = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}`;
  return `${input}.${b64url(createHmac('sha256', subkey(serviceKey, 'jws')).update(input).digest())}`;
}

/** Check an assertion's MAC, audience and lifetime; the claims, or `undefined` when invalid. */
export function verifyAssertion(token: string, serviceKey: Uint8Array, options: { readonly audience: string; readonly now: Date }): IdentityClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  const expected = createHmac('sha256', subkey(serviceKey, 'jws')).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2]!, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as IdentityClaims;
  const now = Math.floor(options.now.getTime() / 1000);
  return claims.aud === options.audience && claims.iat <= now && now < claims.exp ? claims : undefined;
}

/**
 * The whole check: challenge (server) → the card signs an authentication message naming the
 * audience (client) → verification of audience, nonce, timestamp, signature and chain (server)
 * → assertion.
 *
 * @throws ExampleError exit 8 when the authentication does not verify
 */
export async function identify(
  card: MyNumberCard,
  options: {
    readonly pin: SecretInput;
    readonly serviceKey: Uint8Array;
    readonly audience: string;
    readonly now: Date;
    readonly roots?: readonly JpkiTrustAnchor[] | undefined;
    readonly allowLastTry?: boolean;
  },
): Promise<{ readonly token: string; readonly claims: IdentityClaims }> {
  const challenge = Uint8Array.from(randomBytes(32));
  const allowLastTry = options.allowLastTry ?? false;
  const response = await authenticate(
    {
      jpki: {
        sign: (kind, data, o) => card.jpki.sign(kind, data, { ...o, allowLastTry }),
        readCertificate: (kind, o) => card.jpki.readCertificate(kind, { ...o, allowLastTry }),
      },
    },
    // The card signs the audience with the nonce and the time: a response made for another
    // service (another audience) is refused with origin-mismatch.
    { pin: options.pin, origin: options.audience, challenge, now: options.now },
  );
  const result = await verifyAuthentication(response, {
    expectedOrigin: options.audience,
    expectedChallenge: challenge,
    at: options.now,
    ...(options.roots === undefined ? {} : { roots: options.roots }),
  });
  const certificate = result.chain.certificate;
  if (!result.valid || certificate === undefined) {
    throw new ExampleError('authentication-failed', `Authentication failed: ${result.reasons.join(', ')}`, EXIT.verificationFailed);
  }
  const iat = Math.floor(options.now.getTime() / 1000);
  const claims: IdentityClaims = {
    iss: 'local-id-example',
    aud: options.audience,
    sub: pseudonym(options.serviceKey, response.certificate, options.audience),
    iat,
    exp: iat + ASSERTION_LIFETIME_S,
    amr: ['jpki-auth'],
    cert: { serialNumber: certificate.serialNumber, notAfter: certificate.notAfter.toISOString() },
  };
  return { token: signAssertion(claims, options.serviceKey), claims };
}

/** The program: `--audience <service>`, service key from `LOCAL_ID_SERVICE_KEY` (64 hex digits). */
export async function main(argv: readonly string[], io: ExampleIo): Promise<number> {
  return runExample(io, async () => {
    const args = parseExampleArgs(argv, { values: ['audience'] });
    const keyHex = io.env['LOCAL_ID_SERVICE_KEY'] ?? '';
    if (!/^[0-9a-fA-F]{64}$/.test(keyHex)) {
      throw new ExampleError('usage', 'Set LOCAL_ID_SERVICE_KEY to the service key (64 hex digits)', EXIT.usage);
    }
    const serviceKey = Uint8Array.from(Buffer.from(keyHex, 'hex'));
    return withSession(args, io, async (session) => {
      if (session.simulated) io.stderr.write(`${session.testRootsNote}\n`);
      const { token, claims } = await identify(session.card, {
        pin: session.secret('auth'), // asked after the SDK has read the tries
        serviceKey,
        audience: args.values.get('audience') ?? 'local-points',
        now: io.now?.() ?? new Date(),
        roots: session.roots,
        allowLastTry: session.allowLastTry,
      });
      io.stdout.write(`${JSON.stringify({ assertion: token, claims })}\n`);
    });
  });
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2), processIo());
