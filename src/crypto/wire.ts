/**
 * JSON wire form of what {@link authenticate} returns, so a browser can POST it and a server
 * can read it back: byte arrays as unpadded base64url, a `version` and a `type`, and a strict
 * reader that refuses anything unexpected with a typed error. Browser-safe.
 * @packageDocumentation
 */
import { InvalidArgumentError } from '../errors.js';
import type { HashAlgorithm } from '../hash/digest-info.js';
import type { JpkiAuthentication } from './authenticate.js';
import { base64urlToBytes, bytesToBase64url } from './base64.js';

/** The version every wire form of this module writes and the only one it reads. */
export const WIRE_VERSION = 1;
/** Longest JSON text the `…FromJSON` readers parse (characters); a parsed object is bounded per field. */
export const MAX_WIRE_JSON_LENGTH = 32 << 20;
/** Longest certificate a wire form carries (bytes); JPKI certificates are under 2 KiB. */
export const MAX_WIRE_CERTIFICATE_LENGTH = 65_536;

const HASHES: readonly HashAlgorithm[] = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'];
const MAX_MESSAGE_LENGTH = 4096; // context + origin (≤ 1024) + nonce (≤ 1024) + timestamp, with room
const MAX_SIGNATURE_LENGTH = 1024; // RSA-8192

/** {@link JpkiAuthentication} as JSON. */
export interface JpkiAuthenticationJson {
  /** {@link WIRE_VERSION}. */
  readonly version: 1;
  /** What this object is. */
  readonly type: 'jpki-authentication';
  /** The 利用者証明用 certificate DER, base64url. */
  readonly certificate: string;
  /** The signed authentication message, base64url. */
  readonly message: string;
  /** The signature, base64url. */
  readonly signature: string;
  /** Hash of the signature's DigestInfo. */
  readonly hash: HashAlgorithm;
}

/** A JSON object read field by field; every read is checked. @internal */
export class WireReader {
  readonly #object: Record<string, unknown>;
  readonly #path: string;

  constructor(value: unknown, path: string, type: string | undefined, keys: readonly string[], required: readonly string[]) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw wireError(path, 'must be an object');
    this.#object = value as Record<string, unknown>;
    this.#path = path;
    for (const key of Object.keys(value)) if (!keys.includes(key)) throw wireError(path, 'has an unexpected field');
    for (const key of required) if (!Object.hasOwn(value, key)) throw wireError(path, `lacks "${key}"`);
    if (type !== undefined) {
      if (this.#object['version'] !== WIRE_VERSION) throw wireError(path, `version must be ${WIRE_VERSION}`);
      if (this.#object['type'] !== type) throw wireError(path, `type must be "${type}"`);
    }
  }

  has(key: string): boolean {
    return Object.hasOwn(this.#object, key);
  }

  raw(key: string): unknown {
    return this.#object[key];
  }

  bytes(key: string, max: number): Uint8Array {
    const value = this.#object[key];
    if (typeof value !== 'string' || value.length > Math.ceil((max * 4) / 3)) {
      throw wireError(this.#path, `${key} must be base64url of at most ${max} bytes`);
    }
    try {
      return base64urlToBytes(value);
    } catch {
      throw wireError(this.#path, `${key} is not canonical unpadded base64url`);
    }
  }

  string(key: string, max: number): string {
    const value = this.#object[key];
    if (typeof value !== 'string' || value.length > max) throw wireError(this.#path, `${key} must be a string of at most ${max} characters`);
    return value;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const value = this.#object[key];
    if (!allowed.includes(value as T)) throw wireError(this.#path, `${key} has an unknown value`);
    return value as T;
  }

  boolean(key: string): boolean {
    const value = this.#object[key];
    if (typeof value !== 'boolean') throw wireError(this.#path, `${key} must be a boolean`);
    return value;
  }

  integer(key: string): number {
    const value = this.#object[key];
    if (!Number.isSafeInteger(value)) throw wireError(this.#path, `${key} must be an integer`);
    return value as number;
  }

  /** An ISO 8601 UTC time as `Date.prototype.toISOString` writes it. */
  date(key: string): Date {
    const value = this.#object[key];
    const date = typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value) ? new Date(value) : undefined;
    if (date === undefined || Number.isNaN(date.getTime()) || date.toISOString() !== value) {
      throw wireError(this.#path, `${key} must be a UTC time like 2026-06-01T00:00:00.000Z`);
    }
    return date;
  }

  /** A list of distinct values from `allowed`, at most `allowed.length` long. */
  distinct<T extends string>(key: string, allowed: readonly T[]): T[] {
    const value = this.#object[key];
    if (!Array.isArray(value) || value.length > allowed.length) throw wireError(this.#path, `${key} must be an array`);
    const seen = new Set<T>();
    for (const item of value) {
      if (!allowed.includes(item as T) || seen.has(item as T)) throw wireError(this.#path, `${key} holds an unknown or repeated value`);
      seen.add(item as T);
    }
    return [...seen];
  }
}

/** The typed error of every wire reader. @internal */
export function wireError(path: string, problem: string): InvalidArgumentError {
  // No cause and no value: the input may hold personal data (a sign certificate's SAN).
  return new InvalidArgumentError(`Bad wire JSON: ${path} ${problem}`);
}

/** A JSON text (bounded, then parsed) or an already parsed value. @internal */
export function parseWire(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  if (input.length > MAX_WIRE_JSON_LENGTH) throw wireError('the text', `is longer than ${MAX_WIRE_JSON_LENGTH} characters`);
  try {
    return JSON.parse(input) as unknown;
  } catch {
    throw wireError('the text', 'is not JSON');
  }
}

/**
 * The wire form of an {@link authenticate} response (to send with `JSON.stringify`).
 * @throws InvalidArgumentError when a byte field is not a Uint8Array or the hash is unknown
 */
export function authenticationToJSON(authentication: JpkiAuthentication): JpkiAuthenticationJson {
  const { certificate, message, signature, hash } = authentication ?? ({} as JpkiAuthentication);
  if (!(certificate instanceof Uint8Array) || !(message instanceof Uint8Array) || !(signature instanceof Uint8Array)) {
    throw new InvalidArgumentError('certificate, message and signature must be Uint8Arrays');
  }
  if (!HASHES.includes(hash)) throw new InvalidArgumentError('hash is not a supported hash');
  return {
    version: WIRE_VERSION,
    type: 'jpki-authentication',
    certificate: bytesToBase64url(certificate),
    message: bytesToBase64url(message),
    signature: bytesToBase64url(signature),
    hash,
  };
}

/**
 * Read an {@link authenticate} response from its wire form (the JSON text, or the value a body
 * parser made of it), ready for {@link verifyAuthentication}. Reading checks the form only;
 * trust comes from verifying the result.
 *
 * @throws InvalidArgumentError for anything but exactly the fields of
 *   {@link JpkiAuthenticationJson} with version {@link WIRE_VERSION}, canonical base64url and
 *   sizes within bounds (certificate ≤ 64 KiB, message ≤ 4 KiB, signature ≤ 1 KiB)
 */
export function authenticationFromJSON(input: unknown): JpkiAuthentication {
  const keys = ['version', 'type', 'certificate', 'message', 'signature', 'hash'];
  const r = new WireReader(parseWire(input), 'authentication', 'jpki-authentication', keys, keys);
  return {
    certificate: r.bytes('certificate', MAX_WIRE_CERTIFICATE_LENGTH),
    message: r.bytes('message', MAX_MESSAGE_LENGTH),
    signature: r.bytes('signature', MAX_SIGNATURE_LENGTH),
    hash: r.oneOf('hash', HASHES),
  };
}
