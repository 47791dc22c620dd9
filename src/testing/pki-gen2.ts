/**
 * The HYPOTHETICAL next-generation test profile `gen2-hypothetical`: the JPKI-TEST hierarchy
 * (`O=JPKI-TEST`, the same names, extensions and policies as the RSA test PKI) with ECDSA keys,
 * P-384 with SHA-384 by default (P-256 with SHA-256 on request), and a signer of the
 * {@link JpkiCard} shape that returns raw `r ‖ s` as a device would.
 *
 * NOT A PUBLISHED CARD PROFILE. It is based on reports of the card planned for about FY2028
 * (ECDSA P-384 with SHA-384), not on a primary source: J-LIS has published neither the
 * certificates nor the card's commands. It exists so that the SDK's ECDSA paths are tested
 * end to end; tests only. Keys are generated at every call (nothing committed, nothing to trust).
 * Browser-safe (WebCrypto).
 * @packageDocumentation
 */
import type { JpkiCard } from '../crypto/card.js';
import { InvalidArgumentError } from '../errors.js';
import type { HashAlgorithm } from '../hash/digest-info.js';
import type { SecretInput } from '../secret.js';
import { issueTestAuthLeaf, issueTestRoot, issueTestSignLeaf, type TestHolder } from './pki-issuer.js';
import { arrayBuffer, subtle } from './pki-x509.js';
import { TEST_PKI_DATA } from './test-pki-data.js';

/** The name of the hypothetical profile (never a real card generation's name). */
export const GEN2_HYPOTHETICAL_PROFILE = 'gen2-hypothetical';

/** A curve of the hypothetical profile. */
export type Gen2HypotheticalCurve = 'P-256' | 'P-384';

/** A certificate of the hypothetical profile with its ECDSA key pair. */
export interface Gen2HypotheticalEntry {
  /** Certificate DER. */
  readonly certificate: Uint8Array;
  /** ECDSA private key (extractable, usage `sign`). TEST ONLY. */
  readonly privateKey: CryptoKey;
  /** ECDSA public key (usage `verify`). */
  readonly publicKey: CryptoKey;
  /** Serial number, big-endian upper-case hex. */
  readonly serial: string;
  /** Start of validity. */
  readonly notBefore: Date;
  /** End of validity (14:59:59Z). */
  readonly notAfter: Date;
}

/** The hypothetical ECDSA hierarchy: two roots and two leaves, all on {@link Gen2HypotheticalPki.curve}. */
export interface Gen2HypotheticalPki {
  /** Always {@link GEN2_HYPOTHETICAL_PROFILE}: a reminder that this is not a published profile. */
  readonly profile: typeof GEN2_HYPOTHETICAL_PROFILE;
  /** The curve of every key. */
  readonly curve: Gen2HypotheticalCurve;
  /** The hash every signature uses (the curve's). */
  readonly hash: HashAlgorithm;
  /** 利用者証明用 root (self-signed). */
  readonly authRoot: Gen2HypotheticalEntry;
  /** 署名用 root (self-signed). */
  readonly signRoot: Gen2HypotheticalEntry;
  /** 利用者証明用 leaf. */
  readonly authLeaf: Gen2HypotheticalEntry;
  /** 署名用 leaf (the holder in its SAN). */
  readonly signLeaf: Gen2HypotheticalEntry;
  /** The holder in the sign leaf (the committed test PKI's fictional holder by default). */
  readonly holder: TestHolder;
}

/** Options of {@link issueGen2HypotheticalPki}. */
export interface IssueGen2HypotheticalPkiOptions {
  /** Curve of every key; default `'P-384'` (what the reports describe). */
  readonly curve?: Gen2HypotheticalCurve;
  /** The holder of the sign leaf; default the committed test PKI's. */
  readonly holder?: TestHolder;
}

/** Serials and dates of the hypothetical profile (fixed; the keys are fresh each time). */
export const GEN2_HYPOTHETICAL_DATES = {
  /** Roots: notBefore. */
  rootNotBefore: new Date('2028-04-01T00:00:00Z'),
  /** Roots: notAfter. */
  rootNotAfter: new Date('2043-03-31T14:59:59Z'),
  /** Leaves: notBefore. */
  leafNotBefore: new Date('2028-04-01T01:23:45Z'),
  /** Leaves: notAfter. */
  leafNotAfter: new Date('2033-03-31T14:59:59Z'),
} as const;

async function keyPair(curve: Gen2HypotheticalCurve): Promise<CryptoKeyPair> {
  return subtle().generateKey({ name: 'ECDSA', namedCurve: curve }, true, ['sign', 'verify']);
}

function entry(certificate: Uint8Array, keys: CryptoKeyPair, serial: string, notBefore: Date, notAfter: Date): Gen2HypotheticalEntry {
  return { certificate, privateKey: keys.privateKey, publicKey: keys.publicKey, serial, notBefore, notAfter };
}

/**
 * Issue the HYPOTHETICAL `gen2-hypothetical` test hierarchy with fresh ECDSA keys: roots
 * 7E5720A1 (auth) and 7E5720A2 (sign), leaves 7E5720B1 (auth) and 7E5720B2 (sign), valid
 * {@link GEN2_HYPOTHETICAL_DATES}; certificates signed with ecdsa-with-SHA384 (P-384) or
 * ecdsa-with-SHA256 (P-256). Not a published card profile; tests only.
 */
export async function issueGen2HypotheticalPki(options: IssueGen2HypotheticalPkiOptions = {}): Promise<Gen2HypotheticalPki> {
  const curve = options.curve ?? 'P-384';
  if (curve !== 'P-256' && curve !== 'P-384') throw new InvalidArgumentError("curve must be 'P-256' or 'P-384'");
  const holder = options.holder ?? TEST_PKI_DATA.holder;
  const d = GEN2_HYPOTHETICAL_DATES;
  const [authRootKeys, signRootKeys, authLeafKeys, signLeafKeys] = await Promise.all([
    keyPair(curve),
    keyPair(curve),
    keyPair(curve),
    keyPair(curve),
  ]);
  const root = (purpose: 'auth' | 'sign', keys: CryptoKeyPair, serial: string): Promise<Uint8Array> =>
    issueTestRoot({ purpose, keys, serial, notBefore: d.rootNotBefore, notAfter: d.rootNotAfter });
  const authRoot = await root('auth', authRootKeys, '7E5720A1');
  const signRoot = await root('sign', signRootKeys, '7E5720A2');
  const authLeaf = await issueTestAuthLeaf({
    issuer: { certificate: authRoot, privateKey: authRootKeys.privateKey },
    publicKey: authLeafKeys.publicKey,
    serial: '7E5720B1',
    notBefore: d.leafNotBefore,
    notAfter: d.leafNotAfter,
    cn: 'JPKITEST0GEN2AUTH000001',
    prefecture: TEST_PKI_DATA.prefecture,
    municipality: TEST_PKI_DATA.municipality,
  });
  const signLeaf = await issueTestSignLeaf({
    issuer: { certificate: signRoot, privateKey: signRootKeys.privateKey },
    publicKey: signLeafKeys.publicKey,
    serial: '7E5720B2',
    notBefore: d.leafNotBefore,
    notAfter: d.leafNotAfter,
    cn: '2028040110234500001GEN205210',
    holder,
    prefectureRomaji: TEST_PKI_DATA.prefecture,
    municipalityRomaji: TEST_PKI_DATA.municipality,
  });
  return {
    profile: GEN2_HYPOTHETICAL_PROFILE,
    curve,
    hash: curve === 'P-384' ? 'SHA-384' : 'SHA-256',
    authRoot: entry(authRoot, authRootKeys, '7E5720A1', d.rootNotBefore, d.rootNotAfter),
    signRoot: entry(signRoot, signRootKeys, '7E5720A2', d.rootNotBefore, d.rootNotAfter),
    authLeaf: entry(authLeaf, authLeafKeys, '7E5720B1', d.leafNotBefore, d.leafNotAfter),
    signLeaf: entry(signLeaf, signLeafKeys, '7E5720B2', d.leafNotBefore, d.leafNotAfter),
    holder,
  };
}

/** Options of {@link gen2HypotheticalSigner}. */
export interface Gen2HypotheticalSignerOptions {
  /** The auth PIN the signer accepts (default `'1234'`). */
  readonly authPin?: string;
  /** The sign password the signer accepts (default `'ABC123'`). */
  readonly signPin?: string;
}

/**
 * A {@link JpkiCard}-shaped ECDSA signer over a {@link Gen2HypotheticalPki}: it declares
 * `keyAlgorithm` (`'ecdsa-p384'` or `'ecdsa-p256'`), hashes with the requested hash and returns
 * raw `r ‖ s` (WebCrypto's form, what a device returns), reads the leaf certificates, and
 * refuses a wrong PIN (InvalidArgumentError; no counters: it is not a card simulator). What a
 * future card AP would provide; tests only.
 */
export function gen2HypotheticalSigner(pki: Gen2HypotheticalPki, options: Gen2HypotheticalSignerOptions = {}): JpkiCard {
  const pins = { auth: options.authPin ?? '1234', sign: options.signPin ?? 'ABC123' };
  // Any secret form the SDK passes (a value, bytes or a provider, asked as a card with no retry
  // counter would ask it); bytes are wiped after the comparison.
  const check = async (kind: 'auth' | 'sign', pin: SecretInput | undefined): Promise<void> => {
    let value: string | Uint8Array | undefined = pin as string | Uint8Array | undefined;
    if (typeof pin === 'function') {
      value = await pin({
        kind: kind === 'auth' ? 'auth-pin' : 'sign-password',
        nameJa: kind === 'auth' ? '利用者証明用電子証明書 暗証番号' : '署名用電子証明書 暗証番号',
        nameEn: kind === 'auth' ? 'auth PIN' : 'signing password',
        purpose: 'current',
        tries: { state: 'unlimited' },
        lastTry: false,
      });
    }
    const text = value instanceof Uint8Array ? new TextDecoder().decode(value) : value;
    if (value instanceof Uint8Array) value.fill(0);
    if (text !== pins[kind]) throw new InvalidArgumentError(`wrong ${kind} PIN for the hypothetical signer`);
  };
  return {
    jpki: {
      keyAlgorithm: pki.curve === 'P-384' ? 'ecdsa-p384' : 'ecdsa-p256',
      async sign(kind, data, signOptions) {
        await check(kind, signOptions.pin);
        const key = (kind === 'auth' ? pki.authLeaf : pki.signLeaf).privateKey;
        const hash = signOptions.hash ?? pki.hash;
        return new Uint8Array(await subtle().sign({ name: 'ECDSA', hash }, key, arrayBuffer(data)));
      },
      async readCertificate(kind, readOptions) {
        if (kind === 'sign') await check(kind, readOptions?.pin);
        return (kind === 'auth' ? pki.authLeaf : pki.signLeaf).certificate.slice();
      },
    },
  };
}
