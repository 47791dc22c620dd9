/**
 * 券面事項入力補助AP (text AP): the 個人番号 and the 基本4情報 as text.
 * @packageDocumentation
 */
import { CommandApdu } from '../apdu/command.js';
import { statusWordError } from '../apdu/status.js';
import { InvalidArgumentError } from '../errors.js';
import { CHANGE_P1_NEW_ONLY, CHANGE_P2_CURRENT_EF, INS, MAX_TRIES, TEXT_EF, sfiReference } from './constants.js';
import { encodeSecret, type SecretKind } from './pin-format.js';
import { queryTries, type PinCallOptions, type PinReference } from './pin.js';
import type { ChangePinSecrets } from './jpki.js';
import { readTlvObject } from './read-file.js';
import { decodeMyNumberRecord, decodeTextAttributes, type TextAttributes } from './records.js';
import type { CardSession } from './session.js';

/** The 券面事項入力補助用 暗証番号 as a credential. */
export interface TextPinCredential {
  /** 券面事項入力補助用 暗証番号: 4 digits. */
  readonly pin: string;
}

/** 照合番号A as a credential. */
export interface VerificationACredential {
  /** 照合番号A: the 12-digit 個人番号 (check digit validated before sending). */
  readonly verificationA: string;
}

/** 照合番号B as a credential. */
export interface VerificationBCredential {
  /** 照合番号B: 14 digits (生年月日 YYMMDD, 有効期限の年 YYYY, セキュリティコード). */
  readonly verificationB: string;
}

/** The 個人番号 is opened by the 券面事項入力補助用 暗証番号 or by 照合番号A (the 個人番号 itself). */
export type MyNumberCredential = TextPinCredential | VerificationACredential;

/** The 基本4情報 are opened by the 券面事項入力補助用 暗証番号 or by 照合番号B. */
export type AttributesCredential = TextPinCredential | VerificationBCredential;

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
  },
  // Tries of the 照合番号 are not published (card-facts §5 [U]).
  verificationA: { p2: sfiReference(TEXT_EF.verificationA), name: '照合番号A', maxTries: undefined, secret: 'verification-a' },
  verificationB: { p2: sfiReference(TEXT_EF.verificationB), name: '照合番号B', maxTries: undefined, secret: 'verification-b' },
};

/**
 * Which secret a credential object carries, its reference and its encoded bytes (checked).
 * Exactly one of the allowed keys must be present.
 */
export function credentialSecret(
  credential: unknown,
  allowed: readonly TextSecretKind[],
  refs: Readonly<Record<string, PinReference & { readonly secret: SecretKind }>>,
  what: string,
): { ref: PinReference; secret: Uint8Array } {
  const present =
    typeof credential === 'object' && credential !== null
      ? allowed.filter((k) => (credential as Record<string, unknown>)[k] !== undefined)
      : [];
  if (present.length !== 1) {
    throw new InvalidArgumentError(`${what} needs exactly one of ${allowed.map((k) => `{ ${k} }`).join(' or ')}`);
  }
  const kind = present[0]!;
  const ref = refs[kind]!;
  return { ref, secret: encodeSecret(ref.secret, (credential as Record<string, unknown>)[kind]) };
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
   * 照合番号A (`{ verificationA }`): SELECT AP if needed → tries query → VERIFY → READ EF 0001
   * → security status dropped. The value never appears in traces or errors.
   *
   * @throws PinFormatError (nothing sent), PinRetryGuardError, PinIncorrectError,
   *   PinBlockedError, CardDataError, StatusWordError
   */
  async readMyNumber(credential: MyNumberCredential, options: PinCallOptions = {}): Promise<string> {
    const { ref, secret } = credentialSecret(credential, ['pin', 'verificationA'], REFS, 'readMyNumber');
    const session = this.#session;
    return session.run(
      (port) =>
        session.withVerified(port, 'text', ref, secret, options, async () => {
          const record = await readTlvObject(port, TEXT_EF.myNumber, { sensitive: true, context: 'READ 個人番号' });
          try {
            return decodeMyNumberRecord(record);
          } finally {
            record.fill(0);
          }
        }),
      { wipe: [secret] },
    );
  }

  /**
   * Read the 基本4情報 with the text PIN (`{ pin }`) or 照合番号B (`{ verificationB }`):
   * SELECT AP if needed → tries query → VERIFY → READ EF 0002 → security status dropped.
   *
   * @throws PinFormatError (nothing sent), PinRetryGuardError, PinIncorrectError,
   *   PinBlockedError, CardDataError, StatusWordError
   */
  async readAttributes(credential: AttributesCredential, options: PinCallOptions = {}): Promise<TextAttributes> {
    const { ref, secret } = credentialSecret(credential, ['pin', 'verificationB'], REFS, 'readAttributes');
    const session = this.#session;
    return session.run(
      (port) =>
        session.withVerified(port, 'text', ref, secret, options, async () => {
          const record = await readTlvObject(port, TEXT_EF.attributes, { sensitive: true, context: 'READ 基本4情報' });
          try {
            return decodeTextAttributes(record);
          } finally {
            record.fill(0);
          }
        }),
      { wipe: [secret] },
    );
  }

  /**
   * Tries left (0 when blocked) for the text PIN (default), 照合番号A or 照合番号B, without
   * spending one. `Infinity` when the card reports the secret verified and its maximum is not
   * published (照合番号), or reports no retry limit.
   */
  async remainingTries(kind: TextSecretKind = 'pin'): Promise<number> {
    const ref = refOf(kind);
    const session = this.#session;
    return session.run(async (port) => {
      await session.select(port, 'text');
      return queryTries(port, ref);
    });
  }

  /**
   * Change the 券面事項入力補助用 暗証番号: tries query → VERIFY `current` → SELECT EF 0011 →
   * `00 24 01 80 04 <next>` → security status dropped.
   *
   * @throws PinFormatError (nothing sent), PinRetryGuardError, PinIncorrectError,
   *   PinBlockedError, StatusWordError
   */
  async changePin(secrets: ChangePinSecrets, options: PinCallOptions = {}): Promise<void> {
    const current = encodeSecret('text-pin', secrets?.current);
    let next: Uint8Array;
    try {
      next = encodeSecret('text-pin', secrets?.next);
    } catch (error) {
      current.fill(0);
      throw error;
    }
    const session = this.#session;
    await session.run(
      (port) =>
        session.withVerified(port, 'text', REFS.pin, current, options, async () => {
          await session.selectEf(port, TEXT_EF.pin, REFS.pin.name);
          const response = await port.transmit(
            new CommandApdu({ ins: INS.changeReferenceData, p1: CHANGE_P1_NEW_ONLY, p2: CHANGE_P2_CURRENT_EF, data: next }),
          );
          if (!response.ok) throw statusWordError(response.sw, `CHANGE REFERENCE DATA ${REFS.pin.name}`);
        }),
      { wipe: [current, next] },
    );
  }
}
