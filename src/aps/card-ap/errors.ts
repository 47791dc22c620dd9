/**
 * Errors of the free-area card APs (地域住民向け領域 / 拡張利用領域). Every one is a
 * {@link MynacardError} with a stable `code`. Messages name files, areas and lengths, never a
 * value (a card AP may hold personal data) and never a secret.
 * @packageDocumentation
 */
import { InvalidArgumentError, MynacardError } from '../../errors.js';
import type { CardApArea } from './constants.js';

const AREA_NAMES: Readonly<Record<CardApArea, string>> = {
  regional: '地域住民向け領域 (regional area)',
  extension: '拡張利用領域 (extension area)',
};

/** The official name of an area with its English gloss, for messages. */
export function cardApAreaName(area: CardApArea): string {
  return AREA_NAMES[area];
}

/**
 * SELECT of the card AP answered `6A82`: the card does not hold it. For the regional area the
 * message says why that is normal: regional card APs disappear when the holder moves to
 * another municipality (転出).
 */
export class CardApNotInstalledError extends MynacardError {
  /** The descriptor's name. */
  readonly cardAp: string;
  /** The area the card AP was expected in. */
  readonly area: CardApArea;
  /** True for the regional area, where a move to another municipality removes the card AP. */
  readonly removedOnMoveOut: boolean;

  constructor(cardAp: string, area: CardApArea) {
    super(
      'card-ap-not-installed',
      area === 'regional'
        ? `The card AP "${cardAp}" is not on this card (${AREA_NAMES.regional}). Regional card APs are removed ` +
            'automatically when the holder moves to another municipality (転出); the municipality where the holder ' +
            'is now registered must install it again.'
        : `The card AP "${cardAp}" is not on this card (${AREA_NAMES.extension}). Extension-area card APs stay ` +
            'when the holder moves; it was never installed on this card or its installer removed it.',
    );
    this.name = 'CardApNotInstalledError';
    this.cardAp = cardAp;
    this.area = area;
    this.removedOnMoveOut = area === 'regional';
  }
}

/**
 * A value does not fit: longer than its codec's size, than its file, or out of a number
 * codec's range. Thrown before anything is sent; the card keeps its previous value.
 */
export class CardApValueTooLargeError extends MynacardError {
  /** The file (or `file.member` of a TLV record); `undefined` when thrown by a bare codec. */
  readonly file: string | undefined;
  /** The largest size (bytes) allowed. */
  readonly limit: number;
  /** The size (bytes) the value needs. */
  readonly actual: number;

  constructor(limit: number, actual: number, file?: string) {
    super(
      'card-ap-value-too-large',
      `${file === undefined ? 'The value' : `The value of "${file}"`} needs ${actual} bytes; at most ${limit} fit`,
    );
    this.name = 'CardApValueTooLargeError';
    this.file = file;
    this.limit = limit;
    this.actual = actual;
  }

  /** The same error attributed to `file` (prefixing a member path that is already set). */
  inFile(file: string): CardApValueTooLargeError {
    return new CardApValueTooLargeError(this.limit, this.actual, joinPath(file, this.file));
  }
}

/**
 * A value cannot be encoded (wrong type, a character the encoding lacks, not digits) or the
 * file's bytes cannot be decoded (not the layout the descriptor says). An encode error is
 * thrown before anything is sent.
 */
export class CardApCodecError extends MynacardError {
  /** `'encode'` (a value handed to `write`) or `'decode'` (bytes read from the card). */
  readonly direction: 'encode' | 'decode';
  /** The file (or `file.member`); `undefined` when thrown by a bare codec. */
  readonly file: string | undefined;
  /** What is wrong, without the value (the message is `file: problem`). */
  readonly problem: string;

  constructor(direction: 'encode' | 'decode', problem: string, options?: { file?: string | undefined; cause?: unknown }) {
    const file = options?.file;
    super('card-ap-codec', `${direction === 'encode' ? 'Cannot encode' : 'Cannot decode'} ${file === undefined ? 'the value' : `"${file}"`}: ${problem}`, {
      cause: options?.cause,
    });
    this.name = 'CardApCodecError';
    this.direction = direction;
    this.file = file;
    this.problem = problem;
  }

  /** The same error attributed to `file` (prefixing a member path that is already set). */
  inFile(file: string): CardApCodecError {
    return new CardApCodecError(this.direction, this.problem, { file: joinPath(file, this.file), cause: this.cause });
  }
}

/**
 * The value read back after UPDATE BINARY differs from the value written. The SDK wrote the
 * previous contents back; `restored` says whether that restore was itself verified.
 */
export class CardApWriteVerifyError extends MynacardError {
  /** The file. */
  readonly file: string;
  /** Whether the previous contents were written back and read back identical. */
  readonly restored: boolean;

  constructor(file: string, restored: boolean, options?: { cause?: unknown }) {
    super(
      'card-ap-write-verify',
      `The bytes read back from "${file}" differ from those written; ` +
        (restored
          ? 'the previous contents were restored and verified'
          : 'restoring the previous contents failed too: the file content is uncertain'),
      options,
    );
    this.name = 'CardApWriteVerifyError';
    this.file = file;
    this.restored = restored;
  }
}

/**
 * The issuer authentication (`auth` hook: GET CHALLENGE + EXTERNAL AUTHENTICATE or the
 * installer's own exchange) failed: the card refused the cryptogram, or the hook threw.
 */
export class CardApAuthenticationError extends MynacardError {
  /** The card AP. */
  readonly cardAp: string;
  /** The status word the card answered, when it refused the cryptogram. */
  readonly sw: number | undefined;

  constructor(cardAp: string, message: string, options?: { sw?: number | undefined; cause?: unknown }) {
    super('card-ap-auth-failed', `Issuer authentication of the card AP "${cardAp}" failed: ${message}`, {
      cause: options?.cause,
    });
    this.name = 'CardApAuthenticationError';
    this.cardAp = cardAp;
    this.sw = options?.sw;
  }
}

/** Why a card-AP operation was refused before anything was sent. */
export type CardApAccessReason = 'not-writable' | 'secret-required' | 'auth-required';

/**
 * The operation cannot be done as asked, and nothing was sent: the file is never writable,
 * a secret the file needs was not given, or the file needs issuer authentication and no
 * `auth` hook is set.
 */
export class CardApAccessError extends MynacardError {
  /** Which rule refused the operation. */
  readonly reason: CardApAccessReason;
  /** The file. */
  readonly file: string;

  constructor(reason: CardApAccessReason, file: string, detail: string) {
    super('card-ap-access', `"${file}": ${detail}`);
    this.name = 'CardApAccessError';
    this.reason = reason;
    this.file = file;
  }
}

/**
 * Installing a card AP would exceed the capacity of its area (the virtual card models each
 * area's capacity; a real card's installer, J-LIS's カードAP搭載システム, reports its own).
 */
export class CardApCapacityError extends MynacardError {
  /** The area. */
  readonly area: CardApArea;
  /** Capacity of the area in bytes. */
  readonly capacity: number;
  /** Bytes already used by installed card APs. */
  readonly used: number;
  /** Bytes the new card AP needs. */
  readonly requested: number;

  constructor(area: CardApArea, capacity: number, used: number, requested: number) {
    super(
      'card-ap-capacity',
      `The ${AREA_NAMES[area]} has ${capacity - used} of ${capacity} bytes free; the card AP needs ${requested}`,
    );
    this.name = 'CardApCapacityError';
    this.area = area;
    this.capacity = capacity;
    this.used = used;
    this.requested = requested;
  }
}

function joinPath(outer: string, inner: string | undefined): string {
  return inner === undefined ? outer : `${outer}.${inner}`;
}

/**
 * A card-AP AID that equals, is a prefix of, or starts with a reserved DF name (the JPKI, text,
 * face, common or 住基 AP, the GlobalPlatform ISD). On a card that selects by partial DF name
 * such a descriptor could send its secrets to one of the card's own applications. An
 * `InvalidArgumentError` (code `'invalid-argument'`), refused before anything is sent.
 */
export class CardApReservedAidError extends InvalidArgumentError {
  /** The reserved DF name it overlaps (upper-case hex). */
  readonly reservedAid: string;

  constructor(what: string, reservedAid: string) {
    super(
      `${what} overlaps the reserved DF name ${reservedAid} (it is equal to it, a prefix of it or starts with it): ` +
        'a card that selects by partial DF name could select one of its own applications',
    );
    this.name = 'CardApReservedAidError';
    this.reservedAid = reservedAid;
  }
}

/**
 * Why the SELECT of a card AP was not trusted:
 * - `'df-name-mismatch'` — the DF name (tag `84`) in the card's FCI is not the descriptor's AID
 *   (e.g. a card that selected by partial DF name);
 * - `'df-name-missing'` — the card returned no DF name, and the operation would send a secret,
 *   write or authenticate (allowed only with the descriptor's `allowUnverifiedSelect`);
 * - `'malformed-fci'` — the SELECT response is not a BER-TLV FCI/FCP template.
 */
export type CardApSelectionReason = 'df-name-mismatch' | 'df-name-missing' | 'malformed-fci';

/**
 * The card AP could not be confirmed as the application the card selected. Nothing secret was
 * sent: no VERIFY with data, no UPDATE BINARY, no issuer authentication.
 */
export class CardApSelectionError extends MynacardError {
  /** Which check failed. */
  readonly reason: CardApSelectionReason;
  /** The card AP (descriptor name). */
  readonly cardAp: string;
  /** The descriptor's AID (upper-case hex). */
  readonly expectedAid: string;
  /** The DF name the card returned (upper-case hex), when it returned one. */
  readonly dfName: string | undefined;

  constructor(reason: CardApSelectionReason, cardAp: string, expectedAid: string, dfName?: string) {
    super('card-ap-selection', selectionMessage(reason, cardAp, expectedAid, dfName));
    this.reason = reason;
    this.cardAp = cardAp;
    this.expectedAid = expectedAid;
    this.dfName = dfName;
  }
}

function selectionMessage(reason: CardApSelectionReason, cardAp: string, expected: string, dfName?: string): string {
  switch (reason) {
    case 'df-name-mismatch':
      return `SELECT card AP "${cardAp}" (${expected}): the card selected DF name ${dfName ?? '?'}; nothing secret was sent`;
    case 'df-name-missing':
      return (
        `SELECT card AP "${cardAp}" (${expected}): the card returned no DF name to confirm the selection; ` +
        'secrets, writes and issuer authentication need it (or the descriptor\'s allowUnverifiedSelect)'
      );
    case 'malformed-fci':
      return `SELECT card AP "${cardAp}" (${expected}): the response is not an FCI/FCP template; nothing secret was sent`;
  }
}
