/**
 * Integrity checks read straight from a card session: the files of the 券面事項入力補助AP or
 * the 券面事項確認AP are read with one VERIFY and checked with {@link verifyTextApIntegrity} /
 * {@link verifyFaceApIntegrity}. What a valid result proves (and does not) is explained in
 * `crypto/integrity.ts`: the records are unchanged since the EF 0004 key signed them; not that the
 * card is genuine, nor that it is present.
 *
 * `card-trust` is the layer above both the card sessions (`aps`) and trust (`crypto`): the
 * trust operations that need a card. Neither of those imports it.
 * @packageDocumentation
 */
import type { FaceCredential, ReadFaceOptions } from '../aps/face.js';
import type { FaceRecord } from '../aps/records.js';
import type { AttributesCredential, ReadAttributesOptions, TextIntegrityFiles } from '../aps/text.js';
import {
  verifyFaceApIntegrity,
  verifyTextApIntegrity,
  type FaceApIntegrityResult,
  type IntegrityOptions,
  type TextApIntegrityResult,
} from '../crypto/integrity.js';

/** A card with the text-AP read {@link verifyCardTextIntegrity} uses (a `MyNumberCard` fits). */
export interface TextIntegrityCard {
  /** 券面事項入力補助AP. */
  readonly text: {
    /** One VERIFY, then EF 0001 (PIN only), 0002, 0003; EF 0004 is free. */
    readIntegrityFiles(options: ReadAttributesOptions): Promise<TextIntegrityFiles>;
  };
}

/** A card with the face-AP reads {@link verifyCardFaceIntegrity} uses (a `MyNumberCard` fits). */
export interface FaceIntegrityCard {
  /** 券面事項確認AP. */
  readonly face: {
    /** One VERIFY, then EF 0002 (the card face). */
    readFace(options: ReadFaceOptions): Promise<FaceRecord>;
    /** EF 0004, free. */
    readCvCertificate(): Promise<Uint8Array>;
  };
}

/** Options of the card integrity checks: the PIN rules of the read and the check's options. */
export interface CardIntegrityOptions extends IntegrityOptions {
  /** Send the VERIFY even when one try is left (see `PinCallOptions.allowLastTry`). */
  readonly allowLastTry?: boolean;
  /** Keep the security status after the read (see `PinCallOptions.keepSecurityStatus`). */
  readonly keepSecurityStatus?: boolean;
  /** Abort while waiting for the card or for a secret provider. */
  readonly signal?: AbortSignal;
}

/** `FF 10 0C`: the header of the EF 0001 object. card-facts §3.2 */
const MY_NUMBER_HEADER = [0xff, 0x10, 0x0c] as const;
/** Digits of the 個人番号. card-facts §3.2 */
const MY_NUMBER_DIGITS = 12;

/**
 * The 12 digits of a well-formed EF 0001 object, so that `verifyTextApIntegrity` rebuilds the
 * physical file with its filler (the digest covers the 17-byte file, card-facts §3.2); any
 * other bytes are passed on as they are (they then cannot match). The check digit is not
 * checked here: a wrong value is a digest mismatch, not an exception.
 */
function myNumberInput(object: Uint8Array): Uint8Array | string {
  const wellFormed =
    object.length === MY_NUMBER_HEADER.length + MY_NUMBER_DIGITS &&
    MY_NUMBER_HEADER.every((b, i) => object[i] === b) &&
    object.subarray(MY_NUMBER_HEADER.length).every((b) => b >= 0x30 && b <= 0x39);
  return wellFormed ? String.fromCharCode(...object.subarray(MY_NUMBER_HEADER.length)) : object;
}

/** The read's options: the secret (`pin`, `verificationA` or `verificationB`) and the PIN rules, nothing else. */
function readOptions<C>(options: C & CardIntegrityOptions): C {
  const picked: Record<string, unknown> = {};
  for (const key of ['pin', 'verificationA', 'verificationB', 'allowLastTry', 'keepSecurityStatus', 'signal']) {
    const value = (options as Record<string, unknown> | undefined)?.[key];
    if (value !== undefined) picked[key] = value;
  }
  return picked as C;
}

function checkOptions(options: CardIntegrityOptions): IntegrityOptions {
  return options.cvIssuerKey === undefined ? {} : { cvIssuerKey: options.cvIssuerKey };
}

/**
 * Read the 券面事項入力補助AP files with one VERIFY (`card.text.readIntegrityFiles`) and check
 * them with {@link verifyTextApIntegrity}. With the text PIN (`options.pin`) every part is
 * checked; 照合番号B (`{ verificationB }`) does not open EF 0001, so `myNumber` is then
 * `'not-checked'`. The personal data read is wiped before the result is returned.
 *
 * @throws what the read throws (PinFormatError, PinRetryGuardError, PinIncorrectError,
 *   PinBlockedError, CardDataError, StatusWordError, the transport's errors); a record that
 *   does not verify is reported in the result, not thrown.
 */
export async function verifyCardTextIntegrity(
  card: TextIntegrityCard,
  options: AttributesCredential & CardIntegrityOptions,
): Promise<TextApIntegrityResult> {
  const files = await card.text.readIntegrityFiles(readOptions<ReadAttributesOptions>(options));
  try {
    return await verifyTextApIntegrity(
      {
        ...(files.myNumber === undefined ? {} : { myNumber: myNumberInput(files.myNumber) }),
        attributes: files.attributes,
        integrityRecord: files.integrityRecord,
        cvCertificate: files.cvCertificate,
      },
      checkOptions(options),
    );
  } finally {
    files.myNumber?.fill(0);
    files.attributes.fill(0);
    files.integrityRecord.fill(0);
  }
}

/**
 * Read the 券面事項確認AP card face with one VERIFY of 照合番号A or 照合番号B
 * (`card.face.readFace`) and its EF 0004 (free), and check the `DF28` signature with
 * {@link verifyFaceApIntegrity}.
 *
 * @throws what the reads throw; a face that does not verify is reported in the result.
 */
export async function verifyCardFaceIntegrity(
  card: FaceIntegrityCard,
  options: FaceCredential & CardIntegrityOptions,
): Promise<FaceApIntegrityResult> {
  const cvCertificate = await card.face.readCvCertificate();
  const record = await card.face.readFace(readOptions<ReadFaceOptions>(options));
  try {
    return await verifyFaceApIntegrity({ face: record.raw, cvCertificate }, checkOptions(options));
  } finally {
    record.raw.fill(0);
  }
}
