/**
 * Input checks and small encoders shared by the content builders.
 * @packageDocumentation
 */
import { asciiBytes, concatBytes } from '../../bytes.js';
import { InvalidArgumentError } from '../../errors.js';

/** Length of a key identifier (証明者鍵ID / 被証明者鍵ID and the APs' key references). */
export const KEY_ID_LENGTH = 16;

/**
 * A calendar date as the card writes it, `YYYYMMDD` ASCII (card-facts §3.2 DF24, §3.3 DF22).
 * Accepts `YYYY-MM-DD` or `YYYYMMDD` and checks that the day exists (Gregorian).
 *
 * @throws InvalidArgumentError otherwise (the message does not repeat the value).
 */
export function cardDate(date: string, what: string): Uint8Array {
  const m = /^(\d{4})-?(\d{2})-?(\d{2})$/.exec(date);
  if (m === null || (date.length !== 8 && date.length !== 10)) {
    throw new InvalidArgumentError(`${what} must be YYYY-MM-DD or YYYYMMDD`);
  }
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (
    month < 1 ||
    month > 12 ||
    probe.getUTCFullYear() !== year ||
    probe.getUTCMonth() !== month - 1 ||
    probe.getUTCDate() !== day
  ) {
    throw new InvalidArgumentError(`${what} is not a calendar date`);
  }
  return asciiBytes(`${m[1]}${m[2]}${m[3]}`);
}

/** `length` ASCII digits, else InvalidArgumentError naming `what` (never the value). */
export function digits(value: string, length: number, what: string): Uint8Array {
  if (value.length !== length || !/^[0-9]+$/.test(value)) {
    throw new InvalidArgumentError(`${what} must be ${length} ASCII digits`);
  }
  return asciiBytes(value);
}

/** Sex codes the card stores (card-facts §3.2 DF25: 1 male, 2 female, 9 not applicable, 0 unknown). */
export const SEX_CODES = ['0', '1', '2', '9'] as const;

/** One sex-code byte; only `0`, `1`, `2`, `9` are accepted. */
export function sexCode(sex: string): Uint8Array {
  if (!(SEX_CODES as readonly string[]).includes(sex)) {
    throw new InvalidArgumentError("sex must be the card code '1', '2', '9' or '0'");
  }
  return asciiBytes(sex);
}

/** Checks a 16-byte key identifier and returns a copy. */
export function keyId(value: Uint8Array, what: string): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length !== KEY_ID_LENGTH) {
    throw new InvalidArgumentError(`${what} must be ${KEY_ID_LENGTH} bytes`);
  }
  return Uint8Array.from(value);
}

/**
 * A key identifier in the layout the card uses (MC data.rs, [S]): 7 ASCII digits, `08 05`,
 * 3 ASCII digits, 4 padding bytes. The builders' defaults start with `9`, a hierarchy that
 * is neither production (`5…`) nor the JPKI test cards (`6…`), so they are plainly fictional.
 */
export function makeKeyId(number: string, group = '001'): Uint8Array {
  return concatBytes(
    digits(number, 7, 'key number'),
    Uint8Array.of(0x08, 0x05),
    digits(group, 3, 'key group'),
    new Uint8Array(4),
  );
}

/** UTF-8 bytes of `text` (name, address). */
export function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** Validates a filler length/byte pair. */
export function filler(length: number, byte: number, what: string): Uint8Array {
  if (!Number.isInteger(length) || length < 0 || length > 0x7fff) {
    throw new InvalidArgumentError(`${what} length must be an integer in 0..32767`);
  }
  if (byte !== 0x00 && byte !== 0xff) {
    throw new InvalidArgumentError(`${what} byte must be 0x00 or 0xFF`);
  }
  return new Uint8Array(length).fill(byte);
}
