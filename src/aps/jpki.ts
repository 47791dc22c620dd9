/**
 * 公的個人認証AP (JPKI AP): certificates, signatures, PIN status and PIN change.
 * @packageDocumentation
 */
import { CommandApdu } from '../apdu/command.js';
import { SecurityStatusNotSatisfiedError, statusWordError } from '../apdu/status.js';
import { CardDataError, InvalidArgumentError } from '../errors.js';
import { decodeTlv } from '../tlv/index.js';
import { changeApPin, type ChangePinOptions } from './change-pin.js';
import {
  CLA_PROPRIETARY,
  INS,
  JPKI_EF,
  MAX_TRIES,
  MIN_SIGNATURE_LENGTH,
  SIGN_P2_CURRENT_KEY,
  sfiReference,
} from './constants.js';
import { DEFAULT_HASH, assertHashAlgorithm, digestInfoOf, type HashAlgorithm } from '../hash/digest-info.js';
import type { SecretInput, TriesState } from '../secret.js';
import { encodeSecret } from './pin-format.js';
import { queryTries, type PinCallOptions, type PinReference } from './pin.js';
import { prepareSecret, type PreparedSecret } from './secret-input.js';
import { readTlvObject, type ReadOptions } from './read-file.js';
import type { TokenInfo } from './records.js';
import type { CardSession } from './session.js';
import { readToken } from './token.js';

/**
 * A certificate of the JPKI AP:
 * - `'auth'` — 利用者証明用電子証明書 (EF 000A);
 * - `'sign'` — 署名用電子証明書 (EF 0001, needs the signing password);
 * - `'auth-ca'` — 利用者証明用CA証明書 (EF 000B);
 * - `'sign-ca'` — 署名用CA証明書 (EF 0002).
 */
export type JpkiCertificateKind = 'auth' | 'sign' | 'auth-ca' | 'sign-ca';

/**
 * A JPKI key and its secret:
 * - `'auth'` — 利用者証明用 key (EF 0017), unlocked by the 4-digit 利用者証明用電子証明書 暗証番号;
 * - `'sign'` — 署名用 key (EF 001A), unlocked by the 6–16 character 署名用電子証明書 パスワード.
 */
export type JpkiKeyKind = 'auth' | 'sign';

/** Options of {@link JpkiAp.readCertificate}. */
export interface ReadCertificateOptions extends PinCallOptions, ReadOptions {
  /**
   * The secret the certificate needs: the signing password for `'sign'`; the auth PIN for
   * `'auth'` on a smartphone (Android, card-facts §7), used on other devices only if the card
   * refuses the read with `6982`. Ignored for the CA certificates. A value, or a provider asked
   * only when a VERIFY is needed (`SecretInput`).
   */
  readonly pin?: SecretInput;
  /**
   * `'sign'` only: return a 署名用電子証明書 cached earlier in this session without any APDU
   * and without checking `pin`. Default `false`: a cached copy is returned only after this
   * call's password passed VERIFY (the read itself is then skipped).
   */
  readonly cache?: boolean;
}

/** Options of {@link JpkiAp.sign}. */
export interface SignOptions extends PinCallOptions {
  /** The auth PIN (`'auth'`) or the signing password (`'sign'`): a value or a provider (`SecretInput`). */
  readonly pin: SecretInput;
  /** Abort while waiting for the card or for the provider's answer (a VERIFY already sent is not interrupted). */
  readonly signal?: AbortSignal;
  /** Hash applied to the data before the DigestInfo is built. Default `'SHA-256'`. */
  readonly hash?: HashAlgorithm;
}

/** Options of {@link JpkiAp.signDigestInfo}. */
export interface SignDigestInfoOptions extends PinCallOptions {
  /** The auth PIN (`'auth'`) or the signing password (`'sign'`): a value or a provider (`SecretInput`). */
  readonly pin: SecretInput;
  /** Abort while waiting for the card or for the provider's answer (a VERIFY already sent is not interrupted). */
  readonly signal?: AbortSignal;
}

interface CertificateSpec {
  readonly fid: number;
  readonly name: string;
  readonly sensitive: boolean;
}

/** Certificate EFs. card-facts §3.1 */
const CERTIFICATES: Readonly<Record<JpkiCertificateKind, CertificateSpec>> = {
  auth: { fid: JPKI_EF.authCert, name: '利用者証明用電子証明書', sensitive: false },
  // The sign certificate's SAN carries the holder's 基本4情報 (card-facts §6.2).
  sign: { fid: JPKI_EF.signCert, name: '署名用電子証明書', sensitive: true },
  'auth-ca': { fid: JPKI_EF.authCaCert, name: '利用者証明用CA証明書', sensitive: false },
  'sign-ca': { fid: JPKI_EF.signCaCert, name: '署名用CA証明書', sensitive: false },
};

interface KeySpec {
  readonly secret: 'auth-pin' | 'sign-password';
  readonly pin: PinReference;
  readonly pinFid: number;
  readonly keyFid: number;
  readonly keyName: string;
}

/** PIN IEFs and private keys. card-facts §3.1, §5 */
const KEYS: Readonly<Record<JpkiKeyKind, KeySpec>> = {
  auth: {
    secret: 'auth-pin',
    pin: {
      p2: sfiReference(JPKI_EF.authPin),
      name: '利用者証明用電子証明書 暗証番号 (auth PIN)',
      maxTries: MAX_TRIES.authPin,
      kind: 'auth-pin',
      nameJa: '利用者証明用電子証明書 暗証番号',
      nameEn: 'auth PIN',
    },
    pinFid: JPKI_EF.authPin,
    keyFid: JPKI_EF.authKey,
    keyName: '利用者証明用 private key (EF 0017)',
  },
  sign: {
    secret: 'sign-password',
    pin: {
      p2: sfiReference(JPKI_EF.signPin),
      name: '署名用電子証明書 パスワード (signing password)',
      maxTries: MAX_TRIES.signPassword,
      kind: 'sign-password',
      nameJa: '署名用電子証明書 パスワード',
      nameEn: 'signing password',
    },
    pinFid: JPKI_EF.signPin,
    keyFid: JPKI_EF.signKey,
    keyName: '署名用 private key (EF 001A)',
  },
};

function certificateSpec(kind: unknown): CertificateSpec {
  if (typeof kind !== 'string' || !Object.hasOwn(CERTIFICATES, kind)) {
    throw new InvalidArgumentError("certificate kind must be 'auth', 'sign', 'auth-ca' or 'sign-ca'");
  }
  return CERTIFICATES[kind as JpkiCertificateKind];
}

function keySpec(kind: unknown): KeySpec {
  if (typeof kind !== 'string' || !Object.hasOwn(KEYS, kind)) {
    throw new InvalidArgumentError("key kind must be 'auth' or 'sign'");
  }
  return KEYS[kind as JpkiKeyKind];
}

/** Devices on which the auth certificate sits behind the auth PIN (card-facts §7 [S]). */
function authCertificateNeedsPin(profile: string): boolean {
  return profile === 'android' || profile === 'iphone';
}

/** Throws unless `digestInfo` is exactly one DER SEQUENCE. */
function checkDigestInfo(digestInfo: unknown): asserts digestInfo is Uint8Array {
  if (!(digestInfo instanceof Uint8Array) || digestInfo.length === 0) {
    throw new InvalidArgumentError('digestInfo must be the DER bytes of a DigestInfo');
  }
  let ok = false;
  try {
    const nodes = decodeTlv(digestInfo, { mode: 'der' });
    ok = nodes.length === 1 && nodes[0]!.tag === 0x30;
  } catch {
    ok = false;
  }
  if (!ok) throw new InvalidArgumentError('digestInfo must be one DER SEQUENCE (a DigestInfo)');
}

/**
 * 公的個人認証AP (JPKI AP, AID `D392F000260100000001`): the 利用者証明用電子証明書 and
 * 署名用電子証明書, their CA certificates, signatures with the two private keys, and the PIN
 * counters. Obtain it as `card.jpki`.
 */
export class JpkiAp {
  readonly #session: CardSession;

  /** @internal Created by {@link MyNumberCard.connect}. */
  constructor(session: CardSession) {
    this.#session = session;
  }

  /**
   * Read a certificate: exactly its DER bytes (filler after the object is never returned).
   * Certificates are cached for the life of the session (a copy is returned each time; a
   * cached 署名用電子証明書 is returned only after this call's password passed VERIFY, unless
   * `cache: true`). `close()` wipes the cache.
   *
   * - `'sign'` (署名用電子証明書) needs `pin` = the signing password: tries query → VERIFY →
   *   read → security status dropped.
   * - `'auth'` (利用者証明用電子証明書) needs no secret on the plastic card; on a smartphone
   *   (Android, iPhone profiles) pass the auth PIN.
   *
   * With extended length the read is one APDU (`00 B0 8A 00 00 00 00`); otherwise the DER
   * header in the first 256 bytes gives the length and 256-byte chunks follow.
   *
   * @throws PinFormatError (nothing sent), PinRetryGuardError, PinIncorrectError,
   *   PinBlockedError, SecurityStatusNotSatisfiedError, CardDataError, StatusWordError
   */
  async readCertificate(kind: JpkiCertificateKind, options: ReadCertificateOptions = {}): Promise<Uint8Array> {
    const spec = certificateSpec(kind);
    const key = `jpki:${kind}`;
    const session = this.#session;
    if (kind === 'sign') {
      if (options.cache === true) {
        const hit = session.cached(key);
        if (hit !== undefined) {
          if (options.pin instanceof Uint8Array) options.pin.fill(0);
          return hit;
        }
      }
      const secret = prepareSecret(options.pin, (value) => encodeSecret('sign-password', value));
      return session.run(async (port) => {
        // The cached copy (the holder's 基本4情報) is served only behind a VERIFY of this call's
        // password: a well-formed but wrong one must not open it.
        const der = await session.withVerified(port, 'jpki', KEYS.sign.pin, secret, options, async () => {
          const hit = session.cached(key);
          if (hit !== undefined) return hit;
          return readTlvObject(port, spec.fid, { ...readOptions(options), sensitive: true, context: `READ ${spec.name}` });
        });
        session.remember(key, der);
        return der;
      }, { signal: options.signal, wipe: [secret] });
    }
    const secret =
      kind === 'auth' && options.pin !== undefined
        ? prepareSecret(options.pin, (value) => encodeSecret('auth-pin', value))
        : undefined;
    const hit = session.cached(key);
    if (hit !== undefined) {
      secret?.wipe();
      return hit;
    }
    return session.run(async (port) => {
      const read = (): Promise<Uint8Array> =>
        readTlvObject(port, spec.fid, { ...readOptions(options), sensitive: spec.sensitive, context: `READ ${spec.name}` });
      let der: Uint8Array;
      try {
        if (secret !== undefined && authCertificateNeedsPin(session.profile)) {
          der = await session.withVerified(port, 'jpki', KEYS.auth.pin, secret, options, read);
        } else {
          await session.select(port, 'jpki');
          try {
            der = await read();
          } catch (error) {
            // A device may keep the auth certificate behind the auth PIN ([S], card-facts §7).
            if (!(error instanceof SecurityStatusNotSatisfiedError) || secret === undefined) throw error;
            der = await session.withVerified(port, 'jpki', KEYS.auth.pin, secret, options, read);
          }
        }
      } finally {
        secret?.wipe();
      }
      session.remember(key, der);
      return der;
    }, { signal: options.signal, wipe: secret === undefined ? [] : [secret] });
  }

  /**
   * The state of the auth PIN's or the signing password's counter, read with an empty VERIFY
   * that spends no try (`00 20 00 98` / `00 20 00 9B`): 1 APDU, 2 when the JPKI AP must be
   * selected first. `{ state: 'tries', remaining, max }`, `{ state: 'blocked' }`,
   * `{ state: 'verified', max }` (currently verified) or `{ state: 'unlimited' }` (see `TriesState`).
   */
  async remainingTries(kind: JpkiKeyKind): Promise<TriesState> {
    const spec = keySpec(kind);
    const session = this.#session;
    return session.run(async (port) => {
      await session.select(port, 'jpki');
      return queryTries(port, spec.pin);
    });
  }

  /**
   * Sign `data` with the 利用者証明用 (`'auth'`) or 署名用 (`'sign'`) private key: hash it
   * (SHA-256 by default), build the DER DigestInfo, then tries query → VERIFY → SELECT key EF
   * → `80 2A 00 80` → security status dropped. Returns the raw RSA signature (PKCS #1 v1.5).
   * Never retried, not even after a transport error.
   *
   * @throws PinFormatError (nothing sent), PinRetryGuardError, PinIncorrectError,
   *   PinBlockedError, StatusWordError, CardDataError (`9000` without exactly 256 signature bytes)
   */
  async sign(kind: JpkiKeyKind, data: Uint8Array, options: SignOptions): Promise<Uint8Array> {
    const spec = keySpec(kind);
    const hash = options?.hash ?? DEFAULT_HASH;
    assertHashAlgorithm(hash);
    if (!(data instanceof Uint8Array)) throw new InvalidArgumentError('data to sign must be a Uint8Array');
    const secret = prepareSecret(options?.pin, (value) => encodeSecret(spec.secret, value));
    return this.#signDigestInfo(spec, digestInfoOf(hash, data), secret, options);
  }

  /**
   * Like {@link JpkiAp.sign} for callers that hashed elsewhere: `digestInfo` is the DER
   * DigestInfo sent as is (`80 2A 00 80 Lc <digestInfo> 00`).
   */
  async signDigestInfo(kind: JpkiKeyKind, digestInfo: Uint8Array, options: SignDigestInfoOptions): Promise<Uint8Array> {
    const spec = keySpec(kind);
    checkDigestInfo(digestInfo);
    const secret = prepareSecret(options?.pin, (value) => encodeSecret(spec.secret, value));
    return this.#signDigestInfo(spec, digestInfo.slice(), secret, options);
  }

  async #signDigestInfo(
    spec: KeySpec,
    digestInfo: Uint8Array,
    secret: PreparedSecret,
    options: PinCallOptions & { readonly signal?: AbortSignal | undefined },
  ): Promise<Uint8Array> {
    const session = this.#session;
    return session.run(
      (port) =>
        session.withVerified(port, 'jpki', spec.pin, secret, options, async () => {
          await session.selectEf(port, spec.keyFid, spec.keyName);
          const response = await port.transmit(
            new CommandApdu({
              cla: CLA_PROPRIETARY,
              ins: INS.computeSignature,
              p1: 0x00,
              p2: SIGN_P2_CURRENT_KEY,
              data: digestInfo,
              le: 256,
            }),
          );
          if (!response.ok) throw statusWordError(response.sw, `COMPUTE DIGITAL SIGNATURE with the ${spec.keyName}`);
          // A 9000 without a whole signature (a lost or cut response) must not pass as a signature.
          // JPKI keys are RSA-2048 (card-facts §6): a longer answer is not a signature by this key either.
          if (response.data.length !== MIN_SIGNATURE_LENGTH) {
            const expected = response.data.length < MIN_SIGNATURE_LENGTH ? `at least ${MIN_SIGNATURE_LENGTH}` : `${MIN_SIGNATURE_LENGTH}`;
            throw new CardDataError(
              `COMPUTE DIGITAL SIGNATURE with the ${spec.keyName}: ${response.data.length} bytes returned, expected ${expected}`,
            );
          }
          return response.data.slice();
        }),
      { signal: options.signal, wipe: [secret] },
    );
  }

  /**
   * Change the auth PIN or the signing password: tries query → VERIFY `pin` → SELECT the
   * PIN EF → `00 24 01 80 Lc <newPin>` → security status dropped. Both values are checked
   * before anything is sent with them.
   *
   * @throws PinFormatError (nothing sent), PinRetryGuardError, PinIncorrectError,
   *   PinBlockedError, StatusWordError
   */
  async changePin(kind: JpkiKeyKind, options: ChangePinOptions): Promise<void> {
    const spec = keySpec(kind);
    await changeApPin(this.#session, { ap: 'jpki', secret: spec.secret, pin: spec.pin, pinFid: spec.pinFid }, options);
  }

  /**
   * The token information (トークン情報, EF 0006) read at connect: the label and the device
   * profile it names. Read again when connect could not read it.
   */
  async tokenInfo(): Promise<TokenInfo> {
    const session = this.#session;
    const token = session.token;
    if (token !== undefined) return { ...token, raw: token.raw.slice() };
    return session.run(async (port) => {
      await session.select(port, 'jpki');
      const info = await readToken(port);
      session.token = info;
      session.profile = info.profile;
      return { ...info, raw: info.raw.slice() };
    });
  }
}

function readOptions(options: ReadOptions): ReadOptions {
  return { onProgress: options.onProgress, signal: options.signal };
}
