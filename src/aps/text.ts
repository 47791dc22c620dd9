/**
 * 券面事項入力補助AP (text AP): the 個人番号 and the 基本4情報 as text.
 * @packageDocumentation
 */
import { InvalidArgumentError } from '../errors.js';
import { changeApPin } from './change-pin.js';
import { MAX_TRIES, TEXT_EF, sfiReference } from './constants.js';
import type { SecretInput, TriesState } from '../secret.js';
import { encodeSecret, type SecretKind } from './pin-format.js';
import { queryTries, type PinCallOptions, type PinReference } from './pin.js';
import type { ChangePinOptions } from './change-pin.js';
import { prepareSecret, type PreparedSecret } from './secret-input.js';
import { readCvCertificate, readCvCertificateIn } from './cv-certificate.js';
import { readTlvObject } from './read-file.js';
import { decodeMyNumberRecord, decodeTextAttributes, type TextAttributes } from './records.js';
import type { CardSession } from './session.js';

/** The 券面事項入力補助用 暗証番号 as a credential. */
export interface TextPinCredential {
  /** 券面事項入力補助用 暗証番号: 4 digits, as a value or a provider (`SecretInput`). */
  readonly pin: SecretInput;
}

/** 照合番号A as a credential. */
export interface VerificationACredential {
  /** 照合番号A: the 12-digit 個人番号 (check digit validated before sending). */
  readonly verificationA: SecretInput;
}

/** 照合番号B as a credential. */
export interface VerificationBCredential {
  /** 照合番号B: 14 digits (生年月日 YYMMDD, 有効期限の年 YYYY, セキュリティコード). */
  readonly verificationB: SecretInput;
}

/** The 個人番号 is opened by the 券面事項入力補助用 暗証番号 or by 照合番号A (the 個人番号 itself). */
export type MyNumberCredential = TextPinCredential | VerificationACredential;

/** The 基本4情報 are opened by the 券面事項入力補助用 暗証番号 or by 照合番号B. */
export type AttributesCredential = TextPinCredential | VerificationBCredential;

/**
 * Any secret of the text AP: the 券面事項入力補助用 暗証番号 (`{ pin }`), 照合番号A
 * (`{ verificationA }`) or 照合番号B (`{ verificationB }`). Each opens the integrity record
 * EF 0003 (card-facts §3.2).
 */
export type TextCredential = TextPinCredential | VerificationACredential | VerificationBCredential;

/** Options of the text AP's reads besides the secret: the PIN rules and an abort signal. */
export interface TextReadOptions extends PinCallOptions {
  /** Abort while waiting for the card or for a provider's answer (a VERIFY already sent is not interrupted). */
  readonly signal?: AbortSignal;
}

/** Options of {@link TextAp.readMyNumber}: `{ pin }` or `{ verificationA }`, and the PIN rules. */
export type ReadMyNumberOptions = MyNumberCredential & TextReadOptions;

/** Options of {@link TextAp.readAttributes} and {@link TextAp.readIntegrityFiles}: `{ pin }` or `{ verificationB }`. */
export type ReadAttributesOptions = AttributesCredential & TextReadOptions;

/** Options of {@link TextAp.readIntegrityRecord}: `{ pin }`, `{ verificationA }` or `{ verificationB }`. */
export type ReadIntegrityRecordOptions = TextCredential & TextReadOptions;

/**
 * The text-AP files an integrity check (`verifyTextApIntegrity`) needs, as the card returned
 * them: whole TLV objects, without the filler that may follow them in the EF.
 */
export interface TextIntegrityFiles {
  /**
   * EF 0001: the `FF10` object (`FF 10 0C` + the 12 digits of the 個人番号). Absent when the
   * credential does not open EF 0001 (照合番号B). Personal data: wipe it when done.
   */
  readonly myNumber?: Uint8Array;
  /** EF 0002: the `FF20` object (基本4情報). Personal data. */
  readonly attributes: Uint8Array;
  /** EF 0003: the `FF30` integrity record (DF31, DF32 digests and the DF33 signature). */
  readonly integrityRecord: Uint8Array;
  /** EF 0004: the `7F21` card-verifiable certificate whose key signed DF33. */
  readonly cvCertificate: Uint8Array;
}

/** Operation names of the integrity reads (error contexts; never a value). */
const CONTEXT = {
  myNumber: 'READ 個人番号',
  attributes: 'READ 基本4情報',
  integrity: 'READ 券面事項入力補助AP EF 0003 (integrity record)',
} as const;

/**
 * A secret of the text AP: `'pin'` (券面事項入力補助用 暗証番号, 4 digits), `'verificationA'`
 * (照合番号A) or `'verificationB'` (照合番号B).
 */
export type TextSecretKind = 'pin' | 'verificationA' | 'verificationB';

/** PIN IEFs of the text AP. card-facts §3.2, §5 */
const REFS: Readonly<Record<TextSecretKind, PinReference & { readonly secret: SecretKind }>> = {
  pin: {
    p2: sfiReference(TEXT_EF.pin),
    name: '券面事項入力補助用 暗証番号 (text PIN)',
    maxTries: MAX_TRIES.textPin,
    secret: 'text-pin',
    kind: 'text-pin',
    nameJa: '券面事項入力補助用 暗証番号',
    nameEn: 'text PIN',
  },
  // Tries of the 照合番号 are not published (card-facts §5 [U]).
  verificationA: verificationRef(TEXT_EF.verificationA, 'A'),
  verificationB: verificationRef(TEXT_EF.verificationB, 'B'),
};

/** The reference of 照合番号A or B in the IEF `fid` of an AP (text or face). card-facts §5 */
export function verificationRef(fid: number, which: 'A' | 'B'): PinReference & { readonly secret: SecretKind } {
  return {
    p2: sfiReference(fid),
    name: `照合番号${which}`,
    maxTries: undefined,
    secret: which === 'A' ? 'verification-a' : 'verification-b',
    kind: which === 'A' ? 'verification-a' : 'verification-b',
    nameJa: `照合番号${which}`,
    nameEn: `verification number ${which}`,
  };
}

/**
 * Which secret an options object carries, its reference and the prepared secret (a value is
 * checked now). Exactly one of the allowed keys must be present.
 */
export function credentialSecret(
  credential: unknown,
  allowed: readonly TextSecretKind[],
  refs: Readonly<Record<string, PinReference & { readonly secret: SecretKind }>>,
  what: string,
): { ref: PinReference; secret: PreparedSecret } {
  const present =
    typeof credential === 'object' && credential !== null
      ? allowed.filter((k) => (credential as Record<string, unknown>)[k] !== undefined)
      : [];
  if (present.length !== 1) {
    throw new InvalidArgumentError(`${what} needs exactly one of ${allowed.map((k) => `{ ${k} }`).join(' or ')}`);
  }
  const kind = present[0]!;
  const ref = refs[kind]!;
  const input = (credential as Record<string, unknown>)[kind];
  return { ref, secret: prepareSecret(input, (value) => encodeSecret(ref.secret, value)) };
}

function refOf(kind: unknown): PinReference {
  if (typeof kind !== 'string' || !Object.hasOwn(REFS, kind)) {
    throw new InvalidArgumentError("text AP secret kind must be 'pin', 'verificationA' or 'verificationB'");
  }
  return REFS[kind as TextSecretKind];
}

/**
 * 券面事項入力補助AP (AID `D3921000310001010408`): the 個人番号 and the 基本4情報 (氏名, 住所,
 * 生年月日, 性別) as text. Obtain it as `card.text`. Not present on smartphones.
 */
export class TextAp {
  readonly #session: CardSession;

  /** @internal Created by {@link MyNumberCard.connect}. */
  constructor(session: CardSession) {
    this.#session = session;
  }

  /**
   * Read the 個人番号 (12 digits, check digit validated) with the text PIN (`{ pin }`) or
   * 照合番号A (`{ verificationA }`) in `options`: SELECT AP if needed → tries query → VERIFY → READ EF 0001
   * → security status dropped. The value never appears in traces or errors.
   *
   * @throws PinFormatError (nothing sent), PinRetryGuardError, PinIncorrectError,
   *   PinBlockedError, CardDataError, StatusWordError
   */
  async readMyNumber(options: ReadMyNumberOptions): Promise<string> {
    const { ref, secret } = credentialSecret(options, ['pin', 'verificationA'], REFS, 'readMyNumber');
    const session = this.#session;
    return session.run(
      (port) =>
        session.withVerified(port, 'text', ref, secret, options, async () => {
          const record = await readTlvObject(port, TEXT_EF.myNumber, { sensitive: true, context: CONTEXT.myNumber });
          try {
            return decodeMyNumberRecord(record);
          } finally {
            record.fill(0);
          }
        }),
      { signal: options.signal, wipe: [secret] },
    );
  }

  /**
   * Read the 基本4情報 with the text PIN (`{ pin }`) or 照合番号B (`{ verificationB }`):
   * SELECT AP if needed → tries query → VERIFY → READ EF 0002 → security status dropped.
   *
   * @throws PinFormatError (nothing sent), PinRetryGuardError, PinIncorrectError,
   *   PinBlockedError, CardDataError, StatusWordError
   */
  async readAttributes(options: ReadAttributesOptions): Promise<TextAttributes> {
    const { ref, secret } = credentialSecret(options, ['pin', 'verificationB'], REFS, 'readAttributes');
    const session = this.#session;
    return session.run(
      (port) =>
        session.withVerified(port, 'text', ref, secret, options, async () => {
          const record = await readTlvObject(port, TEXT_EF.attributes, { sensitive: true, context: CONTEXT.attributes });
          try {
            return decodeTextAttributes(record);
          } finally {
            record.fill(0);
          }
        }),
      { signal: options.signal, wipe: [secret] },
    );
  }

  /**
   * Read the integrity record (EF 0003, `FF30`: `DF31` SHA-256 of EF 0001, `DF32` SHA-256 of
   * the 基本4情報, `DF33` the signature over them) with the text PIN (`{ pin }`), 照合番号A
   * (`{ verificationA }`) or 照合番号B (`{ verificationB }`): SELECT AP if needed → tries query
   * → VERIFY → `00 B0 83 …` → security status dropped. The response is kept out of traces: the
   * `DF31` digest of a 12-digit number can be searched exhaustively, so it is as personal as
   * the 個人番号 itself. Check it with `verifyTextApIntegrity`.
   *
   * @throws PinFormatError (nothing sent), PinRetryGuardError, PinIncorrectError,
   *   PinBlockedError, CardDataError, StatusWordError
   */
  async readIntegrityRecord(options: ReadIntegrityRecordOptions): Promise<Uint8Array> {
    const { ref, secret } = credentialSecret(
      options,
      ['pin', 'verificationA', 'verificationB'],
      REFS,
      'readIntegrityRecord',
    );
    const session = this.#session;
    return session.run(
      (port) =>
        session.withVerified(port, 'text', ref, secret, options, () =>
          readTlvObject(port, TEXT_EF.integrity, { sensitive: true, context: CONTEXT.integrity }),
        ),
      { signal: options.signal, wipe: [secret] },
    );
  }

  /**
   * Read the カード検証可能証明書 (card-verifiable certificate, EF 0004, `7F21`) that certifies
   * the key of the integrity record's signature: SELECT AP if needed → `00 B0 84 …`. No secret
   * is needed. Cached for the life of the session (a copy is returned each time).
   *
   * @throws CardDataError, StatusWordError (`6A82` when the AP is absent)
   */
  async readCvCertificate(): Promise<Uint8Array> {
    return readCvCertificate(this.#session, 'text');
  }

  /**
   * Read every file `verifyTextApIntegrity` needs with **one** VERIFY: EF 0004 (free, cached)
   * → tries query → VERIFY → EF 0001 (text PIN only) → EF 0002 → EF 0003 → security status
   * dropped. The text PIN (`{ pin }`) opens EF 0001–0003; 照合番号B (`{ verificationB }`) opens
   * EF 0002–0003 only, so `myNumber` is then absent. (照合番号A does not open EF 0002, so it
   * cannot check the 基本4情報 and is not accepted.) Responses with personal data are kept out
   * of traces; on failure every buffer already read is wiped.
   *
   * @throws PinFormatError (nothing sent), PinRetryGuardError, PinIncorrectError,
   *   PinBlockedError, CardDataError, StatusWordError
   */
  async readIntegrityFiles(options: ReadAttributesOptions): Promise<TextIntegrityFiles> {
    const { ref, secret } = credentialSecret(options, ['pin', 'verificationB'], REFS, 'readIntegrityFiles');
    const opensMyNumber = ref === REFS.pin;
    const session = this.#session;
    return session.run(
      async (port) => {
        const cvCertificate = await readCvCertificateIn(session, port, 'text');
        return session.withVerified(port, 'text', ref, secret, options, async () => {
          const read: Uint8Array[] = [];
          const next = async (fid: number, context: string): Promise<Uint8Array> => {
            const bytes = await readTlvObject(port, fid, { sensitive: true, context });
            read.push(bytes);
            return bytes;
          };
          try {
            const myNumber = opensMyNumber ? await next(TEXT_EF.myNumber, CONTEXT.myNumber) : undefined;
            const attributes = await next(TEXT_EF.attributes, CONTEXT.attributes);
            const integrityRecord = await next(TEXT_EF.integrity, CONTEXT.integrity);
            return { ...(myNumber === undefined ? {} : { myNumber }), attributes, integrityRecord, cvCertificate };
          } catch (error) {
            for (const bytes of read) bytes.fill(0);
            throw error;
          }
        });
      },
      { signal: options.signal, wipe: [secret] },
    );
  }

  /**
   * The state of the counter of the text PIN (default), 照合番号A or 照合番号B, read without
   * spending a try (see `TriesState`; the 照合番号 have no published maximum).
   */
  async remainingTries(kind: TextSecretKind = 'pin'): Promise<TriesState> {
    const ref = refOf(kind);
    const session = this.#session;
    return session.run(async (port) => {
      await session.select(port, 'text');
      return queryTries(port, ref);
    });
  }

  /**
   * Change the 券面事項入力補助用 暗証番号: tries query → VERIFY `pin` → SELECT EF 0011 →
   * `00 24 01 80 04 <newPin>` → security status dropped.
   *
   * @throws PinFormatError (nothing sent), PinRetryGuardError, PinIncorrectError,
   *   PinBlockedError, StatusWordError
   */
  async changePin(options: ChangePinOptions): Promise<void> {
    await changeApPin(this.#session, { ap: 'text', secret: 'text-pin', pin: REFS.pin, pinFid: TEXT_EF.pin }, options);
  }
}
