/**
 * The message that `authenticate` signs with the 利用者証明用 key: a domain-separated,
 * length-prefixed structure (context, relying party, server nonce, timestamp), so that a login
 * signature can never be taken for a signature over anything else, and a signature over
 * anything else can never be taken for a login. Layout: docs/authentication.md.
 * @packageDocumentation
 */
import { CryptoError, InvalidArgumentError } from '../errors.js';

/** The fixed context string, the first field of every authentication message (UTF-8, 21 bytes). */
export const AUTHENTICATION_CONTEXT = 'mynacard-jpki-auth-v1';
/** Shortest challenge accepted on either side: 128 bits of server randomness. */
export const MIN_CHALLENGE_LENGTH = 16;
/** Longest challenge accepted on either side (bytes). */
export const MAX_CHALLENGE_LENGTH = 1024;
/** Longest relying-party identifier, in UTF-8 bytes. */
export const MAX_ORIGIN_LENGTH = 1024;

/** The fields of an authentication message, as decoded. */
export interface AuthenticationMessage {
  /** The context string (equals {@link AUTHENTICATION_CONTEXT} in a message of this version). */
  readonly context: string;
  /** The relying party's origin or identifier, e.g. `https://login.example.jp`. */
  readonly origin: string;
  /** The server's nonce. */
  readonly challenge: Uint8Array;
  /** When the client signed, as the client's clock saw it (millisecond precision). */
  readonly timestamp: Date;
}

/** The fields a client chooses (the context is fixed). */
export interface AuthenticationMessageFields {
  /** The relying party's origin or identifier (1–{@link MAX_ORIGIN_LENGTH} UTF-8 bytes, no control characters). */
  readonly origin: string;
  /** The server's nonce ({@link MIN_CHALLENGE_LENGTH}–{@link MAX_CHALLENGE_LENGTH} bytes). */
  readonly challenge: Uint8Array;
  /** The signing time (millisecond precision; not before 1970-01-01T00:00:00Z). */
  readonly timestamp: Date;
}

const encoder = new TextEncoder();
const TIMESTAMP_LENGTH = 8;
/** The last millisecond a Date can hold (ECMA-262 §21.4.1.1). */
const MAX_TIME_MS = 8_640_000_000_000_000;
// C0 controls and DEL: an identifier is compared byte for byte, so invisible characters are refused.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** UTF-8 of a relying-party identifier, or an InvalidArgumentError. @internal */
export function originBytes(origin: unknown, what = 'origin'): Uint8Array {
  if (typeof origin !== 'string' || origin.length === 0) throw new InvalidArgumentError(`${what} must be a non-empty string`);
  const bytes = encoder.encode(origin);
  // A lone surrogate would encode as U+FFFD: two different strings, one message. Refuse it.
  if (new TextDecoder().decode(bytes) !== origin || CONTROL.test(origin) || bytes.length > MAX_ORIGIN_LENGTH) {
    throw new InvalidArgumentError(`${what} must be well-formed text of at most ${MAX_ORIGIN_LENGTH} UTF-8 bytes without control characters`);
  }
  return bytes;
}

/** Check a nonce's type and length. @internal */
export function checkChallenge(challenge: unknown, what: string): asserts challenge is Uint8Array {
  if (!(challenge instanceof Uint8Array) || challenge.length < MIN_CHALLENGE_LENGTH || challenge.length > MAX_CHALLENGE_LENGTH) {
    throw new InvalidArgumentError(`${what} must be a Uint8Array of ${MIN_CHALLENGE_LENGTH} to ${MAX_CHALLENGE_LENGTH} bytes`);
  }
}

function timestampMs(timestamp: unknown): number {
  const ms = timestamp instanceof Date ? timestamp.getTime() : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms < 0) throw new InvalidArgumentError('timestamp must be a valid Date not before 1970');
  return ms;
}

/**
 * Encode an authentication message. Four fields, each a 2-byte big-endian length followed by
 * that many bytes, nothing after the last:
 *
 * 1. context: UTF-8 of {@link AUTHENTICATION_CONTEXT} (`00 15 6D 79 6E 61 …`);
 * 2. origin: UTF-8 of the relying party's identifier, exactly as given (no normalisation);
 * 3. challenge: the server's nonce;
 * 4. timestamp: length 8 (`00 08`), then milliseconds since the Unix epoch as an unsigned
 *    64-bit big-endian integer.
 *
 * @throws InvalidArgumentError for an empty, malformed or over-long origin, a challenge outside
 *   {@link MIN_CHALLENGE_LENGTH}–{@link MAX_CHALLENGE_LENGTH} bytes, or an invalid date.
 */
export function encodeAuthenticationMessage(fields: AuthenticationMessageFields): Uint8Array {
  const origin = originBytes(fields?.origin);
  checkChallenge(fields.challenge, 'challenge');
  const ms = timestampMs(fields.timestamp);
  const time = new Uint8Array(TIMESTAMP_LENGTH);
  const view = new DataView(time.buffer);
  view.setUint32(0, Math.floor(ms / 0x1_0000_0000));
  view.setUint32(4, ms % 0x1_0000_0000);
  const parts = [encoder.encode(AUTHENTICATION_CONTEXT), origin, fields.challenge, time];
  const out = new Uint8Array(parts.reduce((n, p) => n + 2 + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out[offset] = part.length >> 8;
    out[offset + 1] = part.length & 0xff;
    out.set(part, offset + 2);
    offset += 2 + part.length;
  }
  return out;
}

function malformed(why: string): CryptoError {
  return new CryptoError(`Malformed authentication message: ${why}`, { code: 'malformed-auth-message' });
}

/**
 * Decode an authentication message strictly: exactly four length-prefixed fields, no trailing
 * byte, UTF-8 text, lengths within the limits of {@link encodeAuthenticationMessage}. The
 * context is returned as found (not compared): `verifyAuthentication` compares it.
 *
 * @throws CryptoError with code `malformed-auth-message`.
 */
export function decodeAuthenticationMessage(message: Uint8Array): AuthenticationMessage {
  if (!(message instanceof Uint8Array)) throw new InvalidArgumentError('message must be a Uint8Array');
  const fields: Uint8Array[] = [];
  let offset = 0;
  while (offset < message.length) {
    if (fields.length === 4) throw malformed('trailing bytes');
    if (offset + 2 > message.length) throw malformed('truncated length');
    const length = (message[offset]! << 8) | message[offset + 1]!;
    if (offset + 2 + length > message.length) throw malformed('truncated field');
    fields.push(message.subarray(offset + 2, offset + 2 + length));
    offset += 2 + length;
  }
  if (fields.length !== 4) throw malformed('four fields expected');
  const [context, origin, challenge, time] = fields as [Uint8Array, Uint8Array, Uint8Array, Uint8Array];
  const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  let contextText: string;
  let originText: string;
  try {
    contextText = utf8.decode(context);
    originText = utf8.decode(origin);
  } catch {
    throw malformed('text field is not UTF-8');
  }
  if (origin.length === 0 || origin.length > MAX_ORIGIN_LENGTH) throw malformed('origin length');
  if (challenge.length < MIN_CHALLENGE_LENGTH || challenge.length > MAX_CHALLENGE_LENGTH) throw malformed('challenge length');
  if (time.length !== TIMESTAMP_LENGTH) throw malformed('timestamp length');
  const view = new DataView(time.buffer, time.byteOffset, TIMESTAMP_LENGTH);
  const ms = view.getUint32(0) * 0x1_0000_0000 + view.getUint32(4);
  if (ms > MAX_TIME_MS) throw malformed('timestamp out of range');
  return { context: contextText, origin: originText, challenge: Uint8Array.from(challenge), timestamp: new Date(ms) };
}
