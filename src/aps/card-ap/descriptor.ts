/**
 * Card-AP descriptors: what the installer of a free-area card AP knows — its AID, its files and
 * their access rules, its secrets — written down once, so the SDK can give typed, safe access.
 * The SDK holds no list of card APs: AIDs are assigned by the issuer, layouts by the installer.
 * @packageDocumentation
 */
import { fromHex, toHex } from '../../bytes.js';
import { InvalidArgumentError } from '../../errors.js';
import type { CardApIssuerAuth } from './auth.js';
import type { CardApCodec, CardApCodecValue } from './codecs.js';
import { MAX_AID_LENGTH, MAX_FILE_SIZE, MIN_AID_LENGTH, RESERVED_AIDS, type CardApArea } from './constants.js';
import { CardApReservedAidError } from './errors.js';

/** Who may read a file: anyone (`'free'`), or after VERIFY of one of the card AP's secrets. */
export type CardApReadAccess<S extends string = string> =
  | 'free'
  | {
      /** Name of the secret (a key of the descriptor's `secrets`) to VERIFY before reading. */
      readonly secret: S;
    };

/**
 * Who may write a file: nobody (`'never'`), the installer after issuer authentication
 * (`'issuer'`, see {@link CardApIssuerAuth}), or anyone after VERIFY of a secret.
 */
export type CardApWriteAccess<S extends string = string> =
  | 'never'
  | 'issuer'
  | {
      /** Name of the secret (a key of the descriptor's `secrets`) to VERIFY before writing. */
      readonly secret: S;
    };

/** A transparent EF of a card AP. */
export interface CardApFileSpec<T = unknown, S extends string = string> {
  /** File identifier (`0x0001`–`0xFFFE`, not `3F00`), selected with `00 A4 02 0C 02 <FID>`. */
  readonly fid: number;
  /** File size in bytes (1–32768: READ / UPDATE BINARY offsets are 15 bits). */
  readonly size: number;
  /** Read access. */
  readonly read: CardApReadAccess<S>;
  /** Write access. */
  readonly write: CardApWriteAccess<S>;
  /**
   * How the bytes map to a value. A fixed-size codec occupies the first `codec.size` bytes of
   * the file; a TLV record is followed by filler up to `size`. Variable-size codecs are only
   * for TLV members.
   */
  readonly codec: CardApCodec<T>;
  /**
   * Keep the file's bytes out of APDU traces (READ responses and UPDATE data). Default `true`:
   * a card AP may hold personal data. Set `false` for non-personal data to debug with traces.
   */
  readonly sensitive?: boolean;
}

/** Characters a secret may contain: `'digits'` 0–9, `'alphanumeric'` A–Z a–z 0–9, `'ascii'` printable ASCII. */
export type CardApSecretCharset = 'digits' | 'alphanumeric' | 'ascii';

/**
 * A secret (PIN) of a card AP: an IEF with a retry counter, checked with VERIFY. The value is
 * format-checked before anything is sent and sent as ASCII (like the card's PINs, card-facts §5).
 */
export interface CardApSecretSpec {
  /**
   * The PIN IEF. `0x0001`–`0x001E` is verified by SFI (`00 20 00 <80|SFI>`); any other FID is
   * selected first and verified as the current EF (`00 20 00 80`).
   */
  readonly fid: number;
  /** Shortest value (default 4). */
  readonly minLength?: number;
  /** Longest value (default 4; at most 64). */
  readonly maxLength?: number;
  /** Allowed characters (default `'digits'`). */
  readonly charset?: CardApSecretCharset;
  /** The counter's published maximum, reported when the card answers `9000` to a tries query. */
  readonly maxTries?: number;
  /** A name for messages, e.g. `'図書館カード暗証番号'` (never the value). */
  readonly label?: string;
}

/** Files of a card AP, by name. */
export type CardApFiles = Readonly<Record<string, CardApFileSpec<any, string>>>;
/** Secrets of a card AP, by name. */
export type CardApSecrets = Readonly<Record<string, CardApSecretSpec>>;

/** A validated, frozen card-AP descriptor; build one with {@link defineCardAp}. */
export interface CardApDescriptor<F extends CardApFiles = CardApFiles, S extends CardApSecrets = CardApSecrets> {
  /** A name for messages and probes (e.g. `'city-library'`). */
  readonly name: string;
  /** The free area the card AP lives in. */
  readonly area: CardApArea;
  /** The DF name (5–16 bytes), assigned by the issuer. */
  readonly aid: Uint8Array;
  /** The card AP's files. */
  readonly files: F;
  /** The card AP's secrets. */
  readonly secrets: S;
  /** Issuer authentication for files written `'issuer'`; may also be given per session or per call. */
  readonly auth: CardApIssuerAuth | undefined;
  /**
   * Send secrets, writes and issuer authentication even when the card's SELECT answer carries
   * no DF name to confirm the selection (see {@link CardApDefinition.allowUnverifiedSelect}).
   * `undefined` = `false`.
   */
  readonly allowUnverifiedSelect?: boolean | undefined;
}

/** What {@link defineCardAp} takes. */
export interface CardApDefinition<F, S> {
  /** A name for messages and probes. */
  readonly name: string;
  /** `'regional'` (地域住民向け領域) or `'extension'` (拡張利用領域). */
  readonly area: CardApArea;
  /** The DF name: bytes or hex (5–16 bytes). */
  readonly aid: Uint8Array | string;
  /** The files, by name. */
  readonly files: F;
  /** The secrets, by name (default none). */
  readonly secrets?: S;
  /** Issuer authentication for `'issuer'` writes. */
  readonly auth?: CardApIssuerAuth | undefined;
  /**
   * The SDK selects a card AP with `00 A4 04 00 Lc <AID> 00` (FCI requested) and checks that the
   * DF name (tag `84`) the card returns is the AID; a different one is always refused. When the
   * card returns no DF name, reads without secrets proceed, but VERIFY with a value, UPDATE
   * BINARY and issuer authentication are refused (`CardApSelectionError` `'df-name-missing'`)
   * unless this is `true`. Default `false`. Set it only for a card AP known to answer SELECT
   * without an FCI, on cards that select by exact DF name.
   */
  readonly allowUnverifiedSelect?: boolean | undefined;
}

/** Names of the files of descriptor `D`. */
export type CardApFileName<D> = D extends CardApDescriptor<infer F, any> ? Extract<keyof F, string> : never;

/** Names of the files of descriptor `D` whose `write` is not `'never'`. */
export type CardApWritableFileName<D> =
  D extends CardApDescriptor<infer F, any>
    ? Extract<{ [K in keyof F]: F[K]['write'] extends 'never' ? never : K }[keyof F], string>
    : never;

/** The value type of file `K` of descriptor `D`. */
export type CardApFileValue<D, K> =
  D extends CardApDescriptor<infer F, any> ? (K extends keyof F ? CardApCodecValue<F[K]['codec']> : never) : never;

/** Names of the secrets of descriptor `D`. */
export type CardApSecretName<D> = D extends CardApDescriptor<any, infer S> ? Extract<keyof S, string> : never;

/** Every value of a card AP, by file name (what `installCardAp` of the virtual card takes). */
export type CardApContents<D> = { readonly [K in CardApFileName<D>]?: CardApFileValue<D, K> };

const CHARSETS: readonly CardApSecretCharset[] = ['digits', 'alphanumeric', 'ascii'];
/** Largest secret accepted (VERIFY data is short). */
const MAX_SECRET_LENGTH = 64;
/** Descriptors made by {@link defineCardAp} (frozen, so they stay valid). */
const VALIDATED = new WeakSet<object>();
/** The MF's FID: never a card-AP file (card-facts §2 notes). */
const FID_MF = 0x3f00;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Check and normalise a DF name of a free-area card AP (5–16 bytes; neither equal to, a prefix
 * of, nor an extension of a reserved DF name: the JPKI, text, face, common and 住基 APs, the
 * GlobalPlatform ISD). Returns a copy.
 * @throws InvalidArgumentError; CardApReservedAidError (a subclass) for an overlapping AID
 */
export function cardApAid(aid: Uint8Array | string, what = 'aid'): Uint8Array {
  let bytes: Uint8Array;
  if (typeof aid === 'string') bytes = fromHex(aid);
  else if (aid instanceof Uint8Array) bytes = aid.slice();
  else throw new InvalidArgumentError(`${what} must be bytes or a hex string`);
  if (bytes.length < MIN_AID_LENGTH || bytes.length > MAX_AID_LENGTH) {
    throw new InvalidArgumentError(`${what} must be ${MIN_AID_LENGTH}–${MAX_AID_LENGTH} bytes, got ${bytes.length}`);
  }
  const hex = toHex(bytes).toUpperCase();
  // Equal, prefix or extension: a card that matches partial DF names could select the reserved AP.
  const reserved = RESERVED_AIDS.find((r) => r.startsWith(hex) || hex.startsWith(r));
  if (reserved !== undefined) throw new CardApReservedAidError(what, reserved);
  return bytes;
}

function checkFid(fid: unknown, what: string): number {
  if (typeof fid !== 'number' || !Number.isInteger(fid) || fid < 0x0001 || fid > 0xfffe || fid === FID_MF) {
    throw new InvalidArgumentError(`${what}: fid must be an integer 0x0001..0xFFFE other than 0x3F00`);
  }
  return fid;
}

function checkSecret(name: string, spec: unknown): CardApSecretSpec {
  const what = `secret "${name}"`;
  if (!isObject(spec)) throw new InvalidArgumentError(`${what} must be an object`);
  checkFid(spec.fid, what);
  const min = spec.minLength ?? 4;
  const max = spec.maxLength ?? Math.max(4, typeof min === 'number' ? min : 4);
  if (typeof min !== 'number' || !Number.isInteger(min) || min < 1 || min > MAX_SECRET_LENGTH) {
    throw new InvalidArgumentError(`${what}: minLength must be an integer 1..${MAX_SECRET_LENGTH}`);
  }
  if (typeof max !== 'number' || !Number.isInteger(max) || max < min || max > MAX_SECRET_LENGTH) {
    throw new InvalidArgumentError(`${what}: maxLength must be an integer minLength..${MAX_SECRET_LENGTH}`);
  }
  if (spec.charset !== undefined && !CHARSETS.includes(spec.charset as CardApSecretCharset)) {
    throw new InvalidArgumentError(`${what}: charset must be 'digits', 'alphanumeric' or 'ascii'`);
  }
  const tries = spec.maxTries;
  if (tries !== undefined && (typeof tries !== 'number' || !Number.isInteger(tries) || tries < 1 || tries > 15)) {
    throw new InvalidArgumentError(`${what}: maxTries must be an integer 1..15`);
  }
  if (spec.label !== undefined && typeof spec.label !== 'string') throw new InvalidArgumentError(`${what}: label must be a string`);
  return spec as unknown as CardApSecretSpec;
}

function checkAccess(access: unknown, kind: 'read' | 'write', what: string, secrets: Record<string, unknown>): void {
  const words = kind === 'read' ? ['free'] : ['never', 'issuer'];
  if (typeof access === 'string' && words.includes(access)) return;
  if (isObject(access) && typeof access.secret === 'string') {
    if (!Object.hasOwn(secrets, access.secret)) {
      throw new InvalidArgumentError(`${what}: ${kind} names the unknown secret "${access.secret}"`);
    }
    return;
  }
  throw new InvalidArgumentError(`${what}: ${kind} must be ${words.map((w) => `'${w}'`).join(' or ')} or { secret }`);
}

function checkFile(name: string, spec: unknown, secrets: Record<string, unknown>): CardApFileSpec {
  const what = `file "${name}"`;
  if (!isObject(spec)) throw new InvalidArgumentError(`${what} must be an object`);
  checkFid(spec.fid, what);
  const size = spec.size;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_FILE_SIZE) {
    throw new InvalidArgumentError(`${what}: size must be an integer 1..${MAX_FILE_SIZE}`);
  }
  checkAccess(spec.read, 'read', what, secrets);
  checkAccess(spec.write, 'write', what, secrets);
  const codec = spec.codec as CardApCodec<unknown> | undefined;
  if (!isObject(codec) || typeof codec.encode !== 'function' || typeof codec.decode !== 'function') {
    throw new InvalidArgumentError(`${what}: codec must be a codec (bytesCodec, digitsCodec, textCodec, uintCodec, tlvRecord)`);
  }
  if (codec.layout === 'variable') {
    throw new InvalidArgumentError(`${what}: a variable-size codec needs an outer length; use a fixed size or a tlvRecord`);
  }
  if (codec.layout === 'fixed' && (codec.size ?? Infinity) > size) {
    throw new InvalidArgumentError(`${what}: the codec needs ${codec.size} bytes but the file has ${size}`);
  }
  if (spec.sensitive !== undefined && typeof spec.sensitive !== 'boolean') {
    throw new InvalidArgumentError(`${what}: sensitive must be a boolean`);
  }
  return spec as unknown as CardApFileSpec;
}

/**
 * Describe a free-area card AP. Values are typed from the codecs:
 *
 * ```ts
 * const library = defineCardAp({
 *   name: 'city-library',
 *   area: 'regional',
 *   aid: 'F0000000A1B2C3D4E501',           // assigned by the issuer
 *   secrets: { pin: { fid: 0x0011, maxTries: 3 } },
 *   files: {
 *     memberNumber: { fid: 0x0001, size: 10, read: 'free', write: 'issuer', codec: digitsCodec(10) },
 *     loans: { fid: 0x0002, size: 32, read: { secret: 'pin' }, write: 'issuer',
 *              codec: tlvRecord({ limit: { tag: 0xdf01, codec: uintCodec(1) } }) },
 *   },
 * });
 * ```
 *
 * @throws InvalidArgumentError for an AID that is not 5–16 bytes or is one of the card's own
 *   applications, duplicate FIDs, sizes out of range, a codec larger than its file, or an
 *   access rule naming an unknown secret
 */
export function defineCardAp<
  const F extends Readonly<Record<string, CardApFileSpec<any, NoInfer<Extract<keyof S, string>>>>>,
  const S extends CardApSecrets = {},
>(definition: CardApDefinition<F, S>): CardApDescriptor<F, S> {
  if (!isObject(definition)) throw new InvalidArgumentError('defineCardAp needs an object');
  const { name, area } = definition;
  if (typeof name !== 'string' || name.length === 0) throw new InvalidArgumentError('A card AP needs a non-empty name');
  if (area !== 'regional' && area !== 'extension') throw new InvalidArgumentError("area must be 'regional' or 'extension'");
  const aid = cardApAid(definition.aid);
  const rawSecrets: unknown = definition.secrets ?? {};
  if (!isObject(rawSecrets)) throw new InvalidArgumentError('secrets must be an object');
  const rawFiles: unknown = definition.files;
  if (!isObject(rawFiles) || Object.keys(rawFiles).length === 0) {
    throw new InvalidArgumentError('A card AP needs at least one file');
  }
  const fids = new Map<number, string>();
  const claim = (fid: number, owner: string): void => {
    const other = fids.get(fid);
    if (other !== undefined) throw new InvalidArgumentError(`${owner} and ${other} use the same fid`);
    fids.set(fid, owner);
  };
  const secrets: Record<string, CardApSecretSpec> = {};
  for (const [key, spec] of Object.entries(rawSecrets)) {
    secrets[key] = Object.freeze({ ...checkSecret(key, spec) });
    claim(secrets[key].fid, `secret "${key}"`);
  }
  const files: Record<string, CardApFileSpec> = {};
  for (const [key, spec] of Object.entries(rawFiles)) {
    files[key] = Object.freeze({ ...checkFile(key, spec, secrets) });
    claim(files[key].fid, `file "${key}"`);
  }
  const auth = definition.auth;
  if (auth !== undefined && typeof auth !== 'function') throw new InvalidArgumentError('auth must be a function');
  const allowUnverifiedSelect = definition.allowUnverifiedSelect ?? false;
  if (typeof allowUnverifiedSelect !== 'boolean') throw new InvalidArgumentError('allowUnverifiedSelect must be a boolean');
  const descriptor: CardApDescriptor<F, S> = Object.freeze({
    name,
    area,
    aid,
    files: Object.freeze(files) as unknown as F,
    secrets: Object.freeze(secrets) as unknown as S,
    auth,
    allowUnverifiedSelect,
  });
  VALIDATED.add(descriptor);
  return descriptor;
}

/**
 * Re-check a descriptor (one made by hand rather than with {@link defineCardAp}). Returns it
 * unchanged when valid.
 * @throws InvalidArgumentError
 */
export function checkCardApDescriptor<D extends CardApDescriptor>(descriptor: D): D {
  if (!isObject(descriptor)) throw new InvalidArgumentError('Expected a card-AP descriptor (see defineCardAp)');
  if (VALIDATED.has(descriptor)) return descriptor;
  defineCardAp({
    name: descriptor.name,
    area: descriptor.area,
    aid: descriptor.aid,
    files: descriptor.files,
    secrets: descriptor.secrets,
    auth: descriptor.auth,
    allowUnverifiedSelect: descriptor.allowUnverifiedSelect,
  } as CardApDefinition<CardApFiles, CardApSecrets>);
  return descriptor;
}
