/**
 * 券面事項確認AP (face AP): the card face as images, and the 個人番号 image.
 * @packageDocumentation
 */
import { InvalidArgumentError } from '../errors.js';
import type { TriesState } from '../secret.js';
import { FACE_EF } from './constants.js';
import { readCvCertificate } from './cv-certificate.js';
import type { SecretKind } from './pin-format.js';
import { queryTries, type PinCallOptions, type PinReference } from './pin.js';
import { readTlvObject, type ReadOptions } from './read-file.js';
import { decodeFaceRecord, decodeMyNumberImage, type FaceRecord, type MyNumberImage } from './records.js';
import type { CardSession } from './session.js';
import { credentialSecret, verificationRef, type VerificationACredential, type VerificationBCredential } from './text.js';

/** The card face is opened by 照合番号A (the 個人番号) or 照合番号B (14 digits). */
export type FaceCredential = VerificationACredential | VerificationBCredential;

/** A secret of the face AP: `'verificationA'` (照合番号A) or `'verificationB'` (照合番号B). */
export type FaceSecretKind = 'verificationA' | 'verificationB';

/** Options of the face AP reads besides the secret. */
export interface FaceReadOptions extends PinCallOptions, ReadOptions {}

/** Options of {@link FaceAp.readFace}: `{ verificationA }` or `{ verificationB }`, and the read options. */
export type ReadFaceOptions = FaceCredential & FaceReadOptions;

/** Options of {@link FaceAp.readMyNumberImage}: `{ verificationA }` and the read options. */
export type ReadMyNumberImageOptions = VerificationACredential & FaceReadOptions;

/** PIN IEFs of the face AP; their tries are not published (card-facts §3.3, §5 [U]). */
const REFS: Readonly<Record<FaceSecretKind, PinReference & { readonly secret: SecretKind }>> = {
  verificationA: verificationRef(FACE_EF.verificationA, 'A'),
  verificationB: verificationRef(FACE_EF.verificationB, 'B'),
};

/**
 * 券面事項確認AP (AID `D3921000310001010402`): the card face — 生年月日, 性別, 氏名 and 住所
 * images, 顔写真, 有効期限, セキュリティコード image and the signature over them — and the
 * 個人番号 image. Obtain it as `card.face`. Not present on smartphones.
 */
export class FaceAp {
  readonly #session: CardSession;

  /** @internal Created by {@link MyNumberCard.connect}. */
  constructor(session: CardSession) {
    this.#session = session;
  }

  /**
   * Read the card face (EF 0002, several KB) with 照合番号A or 照合番号B (in `options`): SELECT AP if needed
   * → tries query → VERIFY → READ (one extended APDU, or 256-byte chunks with `onProgress`)
   * → security status dropped. `signal` aborts between APDUs (the status is still dropped).
   *
   * @throws PinFormatError (nothing sent), PinRetryGuardError, PinIncorrectError,
   *   PinBlockedError, AbortedError, CardDataError, StatusWordError
   */
  async readFace(options: ReadFaceOptions): Promise<FaceRecord> {
    const { ref, secret } = credentialSecret(options, ['verificationA', 'verificationB'], REFS, 'readFace');
    const session = this.#session;
    return session.run(
      (port) =>
        session.withVerified(port, 'face', ref, secret, options, async () => {
          const record = await readTlvObject(port, FACE_EF.face, {
            sensitive: true,
            context: 'READ 券面 (face record)',
            onProgress: options.onProgress,
            signal: options.signal,
          });
          try {
            return decodeFaceRecord(record);
          } finally {
            record.fill(0);
          }
        }),
      { signal: options.signal, wipe: [secret] },
    );
  }

  /**
   * Read the 個人番号 image (EF 0005, PNG) with 照合番号A only.
   *
   * @throws PinFormatError (nothing sent), PinRetryGuardError, PinIncorrectError,
   *   PinBlockedError, AbortedError, CardDataError, StatusWordError
   */
  async readMyNumberImage(options: ReadMyNumberImageOptions): Promise<MyNumberImage> {
    const { ref, secret } = credentialSecret(options, ['verificationA'], REFS, 'readMyNumberImage');
    const session = this.#session;
    return session.run(
      (port) =>
        session.withVerified(port, 'face', ref, secret, options, async () => {
          const record = await readTlvObject(port, FACE_EF.myNumberImage, {
            sensitive: true,
            context: 'READ 個人番号 image',
            onProgress: options.onProgress,
            signal: options.signal,
          });
          try {
            return decodeMyNumberImage(record);
          } finally {
            record.fill(0);
          }
        }),
      { signal: options.signal, wipe: [secret] },
    );
  }

  /**
   * Read the カード検証可能証明書 (card-verifiable certificate, EF 0004, `7F21`) of this AP,
   * whose key signed the card face (`DF28` of EF 0002): SELECT AP if needed → `00 B0 84 …`.
   * No secret is needed. Cached for the life of the session (a copy is returned each time).
   * Check the face with `verifyFaceApIntegrity({ face: record.raw, cvCertificate })`.
   *
   * @throws CardDataError, StatusWordError (`6A82` when the AP is absent)
   */
  async readCvCertificate(): Promise<Uint8Array> {
    return readCvCertificate(this.#session, 'face');
  }

  /**
   * The state of the counter of 照合番号A or 照合番号B of this AP, read without spending a try
   * (see `TriesState`; their maximum is not published).
   */
  async remainingTries(kind: FaceSecretKind): Promise<TriesState> {
    if (typeof kind !== 'string' || !Object.hasOwn(REFS, kind)) {
      throw new InvalidArgumentError("face AP secret kind must be 'verificationA' or 'verificationB'");
    }
    const ref = REFS[kind];
    const session = this.#session;
    return session.run(async (port) => {
      await session.select(port, 'face');
      return queryTries(port, ref);
    });
  }
}
