/**
 * The JSON form of a card-AP descriptor, for tools (the CLI's `card-ap read --descriptor
 * <file.json>`) and for installers who keep their layout as data. Codecs are named; tags, FIDs
 * and the AID are hex strings:
 *
 * ```json
 * {
 *   "name": "city-library", "area": "regional", "aid": "F0000000A1B2C3D4E501",
 *   "secrets": { "pin": { "fid": "0011", "maxTries": 3 } },
 *   "files": {
 *     "memberNumber": { "fid": "0001", "size": 10, "read": "free", "write": "issuer",
 *                       "codec": { "type": "digits", "size": 10 } },
 *     "loans": { "fid": "0002", "size": 32, "read": { "secret": "pin" }, "write": "issuer",
 *                "codec": { "type": "tlv-record", "members": {
 *                  "limit": { "tag": "DF01", "codec": { "type": "uint", "size": 1 } },
 *                  "note": "DF02" } } }
 *   }
 * }
 * ```
 * An issuer authentication hook is code, so it is never part of the JSON: pass it to
 * {@link cardApDescriptorFromJson} or to `openCardAp`.
 * @packageDocumentation
 */
import { toHex } from '../../bytes.js';
import { InvalidArgumentError } from '../../errors.js';
import type { CardApIssuerAuth } from './auth.js';
import {
  bytesCodec,
  digitsCodec,
  textCodec,
  uintCodec,
  type CardApCodec,
  type CardApCodecJson,
  type CardApSize,
  type CardApTextEncoding,
  type CardApTextPad,
} from './codecs.js';
import type { CardApArea } from './constants.js';
import {
  defineCardAp,
  type CardApDescriptor,
  type CardApFileSpec,
  type CardApFiles,
  type CardApReadAccess,
  type CardApSecretCharset,
  type CardApSecretSpec,
  type CardApSecrets,
  type CardApWriteAccess,
} from './descriptor.js';
import { tlvRecord, type CardApTlvMember } from './tlv-record.js';

/** JSON form of a secret. */
export interface CardApSecretJson {
  /** FID as hex (`"0011"`) or a number. */
  readonly fid: string | number;
  /** See {@link CardApSecretSpec.minLength}. */
  readonly minLength?: number;
  /** See {@link CardApSecretSpec.maxLength}. */
  readonly maxLength?: number;
  /** See {@link CardApSecretSpec.charset}. */
  readonly charset?: CardApSecretCharset;
  /** See {@link CardApSecretSpec.maxTries}. */
  readonly maxTries?: number;
  /** See {@link CardApSecretSpec.label}. */
  readonly label?: string;
}

/** JSON form of a file. */
export interface CardApFileJson {
  /** FID as hex (`"0001"`) or a number. */
  readonly fid: string | number;
  /** File size in bytes. */
  readonly size: number;
  /** `"free"` or `{ "secret": name }`. */
  readonly read: CardApReadAccess;
  /** `"never"`, `"issuer"` or `{ "secret": name }`. */
  readonly write: CardApWriteAccess;
  /** The codec by name (see {@link CardApCodecJson}). */
  readonly codec: CardApCodecJson;
  /** See {@link CardApFileSpec.sensitive}. */
  readonly sensitive?: boolean;
}

/** JSON form of a descriptor. */
export interface CardApDescriptorJson {
  /** The card AP's name. */
  readonly name: string;
  /** `"regional"` or `"extension"`. */
  readonly area: CardApArea;
  /** DF name as hex. */
  readonly aid: string;
  /** Secrets by name. */
  readonly secrets?: Readonly<Record<string, CardApSecretJson>>;
  /** Files by name. */
  readonly files: Readonly<Record<string, CardApFileJson>>;
  /** See `CardApDefinition.allowUnverifiedSelect` (default `false`). */
  readonly allowUnverifiedSelect?: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(path: string, problem: string): never {
  throw new InvalidArgumentError(`${path}: ${problem}`);
}

/** A hex string (`"DF01"`, `"0001"`) or a non-negative integer as a number. */
function hexNumber(value: unknown, path: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^(?:[0-9A-Fa-f]{2}){1,4}$/.test(value)) return parseInt(value, 16);
  return fail(path, 'expected hex such as "DF01" or a non-negative integer');
}

function sizeOf(json: Record<string, unknown>, path: string): CardApSize {
  const { size, maxSize } = json;
  if (size !== undefined && maxSize !== undefined) fail(path, 'give size or maxSize, not both');
  if (typeof size === 'number') return size;
  if (typeof maxSize === 'number') return { max: maxSize };
  return fail(path, 'needs a numeric size (fixed) or maxSize (variable, inside a TLV record)');
}

function memberOf(json: unknown, path: string): CardApTlvMember {
  if (typeof json === 'string' || typeof json === 'number') return hexNumber(json, path);
  if (!isObject(json)) return fail(path, 'expected a tag or { tag, codec?, optional? }');
  const optional = json.optional;
  if (optional !== undefined && typeof optional !== 'boolean') fail(`${path}.optional`, 'expected a boolean');
  return {
    tag: hexNumber(json.tag, `${path}.tag`),
    ...(json.codec === undefined ? {} : { codec: codecOf(json.codec, `${path}.codec`) }),
    ...(optional === true ? { optional: true } : {}),
  };
}

function wrap<T>(path: string, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof InvalidArgumentError) fail(path, error.message);
    throw error;
  }
}

/**
 * Build a codec from its JSON form (`{ "type": "digits", "size": 10 }` …).
 * @throws InvalidArgumentError naming the path of the first problem
 */
export function cardApCodecFromJson(json: unknown, path = 'codec'): CardApCodec<unknown> {
  return codecOf(json, path);
}

function codecOf(json: unknown, path: string): CardApCodec<unknown> {
  if (!isObject(json)) return fail(path, 'expected an object with a type');
  switch (json.type) {
    case 'bytes':
      return wrap(path, () => bytesCodec(sizeOf(json, path)));
    case 'digits':
      return wrap(path, () => digitsCodec(sizeOf(json, path)));
    case 'uint':
      return wrap(path, () => uintCodec(sizeOf(json, path)));
    case 'text':
      return wrap(path, () =>
        textCodec(sizeOf(json, path), {
          encoding: json.encoding as CardApTextEncoding | undefined,
          pad: json.pad as CardApTextPad | undefined,
        }),
      );
    case 'tlv-record': {
      const members = json.members;
      if (!isObject(members)) return fail(`${path}.members`, 'expected an object');
      const resolved: Record<string, CardApTlvMember> = {};
      for (const [name, member] of Object.entries(members)) resolved[name] = memberOf(member, `${path}.members.${name}`);
      const template = json.template === undefined ? undefined : hexNumber(json.template, `${path}.template`);
      return wrap(
        path,
        () =>
          tlvRecord(resolved, { template, filler: json.filler as 0x00 | 0xff | undefined }) as CardApCodec<unknown>,
      );
    }
    default:
      return fail(`${path}.type`, "expected 'bytes', 'digits', 'text', 'uint' or 'tlv-record'");
  }
}

/**
 * Build a descriptor from its JSON form (an object, or JSON text). Values are typed `unknown`
 * (the JSON's codecs are only known at run time).
 *
 * @param options.auth - issuer authentication for `'issuer'` writes
 * @throws InvalidArgumentError naming the path of the first problem (`files.loans.codec.type: …`)
 */
export function cardApDescriptorFromJson(
  json: unknown,
  options: { readonly auth?: CardApIssuerAuth | undefined } = {},
): CardApDescriptor<CardApFiles, CardApSecrets> {
  let data = json;
  if (typeof data === 'string') {
    try {
      data = JSON.parse(data) as unknown;
    } catch {
      fail('descriptor', 'not valid JSON');
    }
  }
  if (!isObject(data)) return fail('descriptor', 'expected an object');
  if (typeof data.aid !== 'string') fail('aid', 'expected a hex string');
  const secretsJson = data.secrets ?? {};
  if (!isObject(secretsJson)) fail('secrets', 'expected an object');
  const secrets: Record<string, Record<string, unknown>> = {};
  for (const [name, spec] of Object.entries(secretsJson)) {
    if (!isObject(spec)) fail(`secrets.${name}`, 'expected an object');
    secrets[name] = { ...spec, fid: hexNumber(spec.fid, `secrets.${name}.fid`) };
  }
  if (!isObject(data.files)) fail('files', 'expected an object');
  const files: Record<string, Record<string, unknown>> = {};
  for (const [name, spec] of Object.entries(data.files)) {
    if (!isObject(spec)) fail(`files.${name}`, 'expected an object');
    files[name] = {
      ...spec,
      fid: hexNumber(spec.fid, `files.${name}.fid`),
      codec: codecOf(spec.codec, `files.${name}.codec`),
    };
  }
  return defineCardAp({
    name: data.name as string,
    area: data.area as CardApArea,
    aid: data.aid as string,
    files: files as unknown as CardApFiles,
    secrets: secrets as unknown as CardApSecrets,
    auth: options.auth,
    allowUnverifiedSelect: data.allowUnverifiedSelect as boolean | undefined,
  }) as CardApDescriptor<CardApFiles, CardApSecrets>;
}

function fidHex(fid: number): string {
  return fid.toString(16).toUpperCase().padStart(4, '0');
}

/** The JSON form of a descriptor (the `auth` hook is left out: it is code). */
export function cardApDescriptorToJson(descriptor: CardApDescriptor): CardApDescriptorJson {
  const secrets: Record<string, CardApSecretJson> = {};
  for (const [name, spec] of Object.entries(descriptor.secrets)) secrets[name] = { ...spec, fid: fidHex(spec.fid) };
  const files: Record<string, CardApFileJson> = {};
  for (const [name, spec] of Object.entries(descriptor.files)) {
    files[name] = {
      fid: fidHex(spec.fid),
      size: spec.size,
      read: spec.read,
      write: spec.write,
      codec: spec.codec.toJSON(),
      ...(spec.sensitive === undefined ? {} : { sensitive: spec.sensitive }),
    };
  }
  return {
    name: descriptor.name,
    area: descriptor.area,
    aid: toHex(descriptor.aid).toUpperCase(),
    ...(Object.keys(secrets).length === 0 ? {} : { secrets }),
    files,
    ...(descriptor.allowUnverifiedSelect === true ? { allowUnverifiedSelect: true } : {}),
  };
}
