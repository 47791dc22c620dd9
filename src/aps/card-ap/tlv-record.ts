/**
 * `tlvRecord`: a card-AP file (or a member) holding named BER-TLV data objects, built on the
 * SDK's TLV core (`encodeTlv`, `decodeTlv`).
 *
 * ```ts
 * const loan = tlvRecord({
 *   memberNumber: { tag: 0xdf01, codec: digitsCodec(10) },
 *   validUntil: { tag: 0xdf02, codec: digitsCodec(8), optional: true },
 *   note: 0xdf03, // raw bytes
 * });
 * // value type: { memberNumber: string; validUntil?: string; note: Uint8Array }
 * ```
 *
 * Encoding: the members in declaration order (absent optional members are left out), wrapped
 * in `template` when given. In a file the record is followed by filler (`FF` by default) up to
 * the end of the file, so no earlier, longer record survives behind it. Decoding accepts the
 * members in any order, skips tags the descriptor does not name, and rejects duplicates, a
 * missing required member and anything but `00`/`FF` filler after the record. A write replaces
 * the whole record: members the descriptor does not name are not kept.
 * @packageDocumentation
 */
import { concatBytes } from '../../bytes.js';
import { InvalidArgumentError } from '../../errors.js';
import { decodeTlv, encodeTlv, tlvTagByteLength, type TlvNode } from '../../tlv/index.js';
import { DEFAULT_TLV_FILLER } from './constants.js';
import type { CardApCodec, CardApCodecJson, CardApTlvMemberJson } from './codecs.js';
import { CardApCodecError, CardApValueTooLargeError } from './errors.js';

/** A member of a TLV record: a tag (raw bytes value), or a tag with a codec and optionality. */
export type CardApTlvMember =
  | number
  | {
      /** The BER tag, all tag bytes as one integer (`0xDF01`, `0x5F20`, `0x80`). */
      readonly tag: number;
      /** How the member's value is encoded; default raw bytes. */
      readonly codec?: CardApCodec<any>;
      /** The member may be absent (its property is then optional in the value type). */
      readonly optional?: boolean;
    };

/** The members of a TLV record, by property name. */
export type CardApTlvMembers = Readonly<Record<string, CardApTlvMember>>;

/** The value type of one member: its codec's, or `Uint8Array` for a bare tag. */
export type CardApTlvMemberValue<M> = M extends {
  /** The member's codec, whose value type is the member's. */
  readonly codec: CardApCodec<infer T>;
}
  ? T
  : Uint8Array;

/** The value type of a TLV record with members `M` (members marked `optional: true` are optional properties). */
export type CardApTlvRecordValue<M extends CardApTlvMembers> = ({
  -readonly [K in keyof M as M[K] extends {
    /** Marks a member that may be absent: left out of the required properties. */
    readonly optional: true;
  }
    ? never
    : K]: CardApTlvMemberValue<M[K]>;
} & {
  -readonly [K in keyof M as M[K] extends {
    /** Marks a member that may be absent: it becomes an optional property. */
    readonly optional: true;
  }
    ? K
    : never]?: CardApTlvMemberValue<M[K]>;
}) extends infer O
  ? { [K in keyof O]: O[K] }
  : never;

/** Options of {@link tlvRecord}. */
export interface CardApTlvRecordOptions {
  /** Wrap the members in this (constructed) tag, e.g. `0x70` or `0xFF20`. Default: no template. */
  readonly template?: number | undefined;
  /** Filler after the record in its file: `0xFF` (default) or `0x00`. */
  readonly filler?: 0x00 | 0xff | undefined;
}

interface ResolvedMember {
  readonly name: string;
  readonly tag: number;
  readonly codec: CardApCodec<unknown> | undefined;
  readonly optional: boolean;
}

/** Upper-case hex of a tag's bytes (`DF01`). */
export function tagHex(tag: number): string {
  const hex = tag.toString(16).toUpperCase();
  return hex.length % 2 === 0 ? hex : `0${hex}`;
}

function checkTag(tag: unknown, what: string): number {
  if (typeof tag !== 'number') throw new InvalidArgumentError(`${what}: the tag must be a number`);
  tlvTagByteLength(tag); // throws InvalidArgumentError for a malformed tag
  // 00 and FF are padding between data objects (ISO 7816-4 §5.2.2), never a tag's first byte.
  const first = Math.floor(tag / 2 ** (8 * (tlvTagByteLength(tag) - 1)));
  if (first === 0x00 || first === 0xff) {
    throw new InvalidArgumentError(`${what}: a tag cannot start with 00 or FF (padding bytes)`);
  }
  return tag;
}

function isFiller(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x00 && b !== 0xff) return false;
  }
  return true;
}

function resolveMembers(members: CardApTlvMembers): ResolvedMember[] {
  if (typeof members !== 'object' || members === null) throw new InvalidArgumentError('tlvRecord needs an object of members');
  const out: ResolvedMember[] = [];
  const tags = new Set<number>();
  for (const [name, spec] of Object.entries(members)) {
    let member: ResolvedMember;
    if (typeof spec === 'number') {
      member = { name, tag: checkTag(spec, `tlvRecord member "${name}"`), codec: undefined, optional: false };
    } else if (typeof spec === 'object' && spec !== null) {
      const codec = spec.codec;
      if (codec !== undefined && (typeof codec !== 'object' || codec === null || typeof codec.encode !== 'function')) {
        throw new InvalidArgumentError(`tlvRecord member "${name}": codec must be a codec`);
      }
      if (spec.optional !== undefined && typeof spec.optional !== 'boolean') {
        throw new InvalidArgumentError(`tlvRecord member "${name}": optional must be a boolean`);
      }
      member = { name, tag: checkTag(spec.tag, `tlvRecord member "${name}"`), codec, optional: spec.optional === true };
    } else {
      throw new InvalidArgumentError(`tlvRecord member "${name}" must be a tag or { tag, codec?, optional? }`);
    }
    if (tags.has(member.tag)) throw new InvalidArgumentError(`tlvRecord: tag ${tagHex(member.tag)} is used twice`);
    tags.add(member.tag);
    out.push(member);
  }
  if (out.length === 0) throw new InvalidArgumentError('tlvRecord needs at least one member');
  return out;
}

function memberError(error: unknown, name: string): unknown {
  return error instanceof CardApCodecError || error instanceof CardApValueTooLargeError ? error.inFile(name) : error;
}

/**
 * A record of BER-TLV members; see the module documentation.
 *
 * @throws InvalidArgumentError for malformed or duplicate tags, bad codecs or options
 */
export function tlvRecord<const M extends CardApTlvMembers>(
  members: M,
  options: CardApTlvRecordOptions = {},
): CardApCodec<CardApTlvRecordValue<M>> {
  const resolved = resolveMembers(members);
  const byTag = new Map(resolved.map((m) => [m.tag, m]));
  const template = options.template === undefined ? undefined : checkTag(options.template, 'tlvRecord template');
  if (template !== undefined && byTag.has(template)) {
    throw new InvalidArgumentError('tlvRecord: the template tag is also a member tag');
  }
  const filler = options.filler ?? DEFAULT_TLV_FILLER;
  if (filler !== 0x00 && filler !== 0xff) throw new InvalidArgumentError('tlvRecord filler must be 0x00 or 0xFF');
  const opaqueTags = [...byTag.keys()];
  const names = new Set(resolved.map((m) => m.name));

  function encodeMember(m: ResolvedMember, value: unknown): Uint8Array {
    if (m.codec === undefined) {
      if (!(value instanceof Uint8Array)) throw new CardApCodecError('encode', 'expected a Uint8Array', { file: m.name });
      return encodeTlv(m.tag, value);
    }
    try {
      return encodeTlv(m.tag, m.codec.encode(value));
    } catch (error) {
      throw memberError(error, m.name);
    }
  }

  function decodeMembers(nodes: readonly TlvNode[]): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const node of nodes) {
      const m = byTag.get(node.tag);
      if (m === undefined) continue; // a member this descriptor does not name
      if (Object.hasOwn(out, m.name)) {
        throw new CardApCodecError('decode', `tag ${tagHex(m.tag)} appears twice`, { file: m.name });
      }
      if (m.codec === undefined) {
        out[m.name] = node.value.slice();
      } else {
        try {
          out[m.name] = m.codec.decode(node.value);
        } catch (error) {
          throw memberError(error, m.name);
        }
      }
    }
    for (const m of resolved) {
      if (!m.optional && !Object.hasOwn(out, m.name)) {
        throw new CardApCodecError('decode', `the required member (tag ${tagHex(m.tag)}) is missing`, { file: m.name });
      }
    }
    return out;
  }

  function decodeTlvOrThrow(bytes: Uint8Array, trailing: boolean): TlvNode[] {
    try {
      return decodeTlv(bytes, {
        mode: 'ber',
        allowTrailing: trailing,
        opaqueTags: template === undefined ? opaqueTags : [...opaqueTags, template],
      });
    } catch (error) {
      throw new CardApCodecError('decode', 'the bytes are not a well-formed BER-TLV record', { cause: error });
    }
  }

  const codec: CardApCodec<CardApTlvRecordValue<M>> & { readonly filler: number } = {
    type: 'tlv-record',
    layout: 'tlv',
    size: undefined,
    maxSize: undefined,
    filler,
    encode(value) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new CardApCodecError('encode', 'expected an object of members');
      }
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (!names.has(key)) throw new CardApCodecError('encode', `"${key}" is not a member of this record`);
      }
      const parts: Uint8Array[] = [];
      for (const m of resolved) {
        const v = record[m.name];
        if (v === undefined) {
          if (m.optional) continue;
          throw new CardApCodecError('encode', 'the required member is missing', { file: m.name });
        }
        parts.push(encodeMember(m, v));
      }
      return template === undefined ? concatBytes(...parts) : encodeTlv(template, parts);
    },
    decode(bytes) {
      if (!(bytes instanceof Uint8Array)) throw new CardApCodecError('decode', 'expected bytes');
      if (isFiller(bytes, 0)) {
        if (template !== undefined) throw new CardApCodecError('decode', 'the file holds no record (only filler)');
        return decodeMembers([]) as CardApTlvRecordValue<M>;
      }
      const nodes = decodeTlvOrThrow(bytes, true);
      const last = nodes[nodes.length - 1]!;
      if (!isFiller(bytes, last.offset + last.totalLength)) {
        throw new CardApCodecError('decode', 'bytes after the record are neither 00 nor FF filler');
      }
      if (template === undefined) return decodeMembers(nodes) as CardApTlvRecordValue<M>;
      const outer = nodes[0]!;
      if (nodes.length !== 1 || outer.tag !== template) {
        throw new CardApCodecError('decode', `expected one template ${tagHex(template)}`);
      }
      return decodeMembers(decodeTlvOrThrow(outer.value, false)) as CardApTlvRecordValue<M>;
    },
    toJSON(): CardApCodecJson {
      const json: Record<string, CardApTlvMemberJson> = {};
      for (const m of resolved) {
        json[m.name] =
          m.codec === undefined && !m.optional
            ? tagHex(m.tag)
            : {
                tag: tagHex(m.tag),
                ...(m.codec === undefined ? {} : { codec: m.codec.toJSON() }),
                ...(m.optional ? { optional: true } : {}),
              };
      }
      return {
        type: 'tlv-record',
        members: json,
        ...(template === undefined ? {} : { template: tagHex(template) }),
        ...(filler === DEFAULT_TLV_FILLER ? {} : { filler }),
      };
    },
  };
  return codec;
}

/** The filler of a TLV-record codec (the default for other codecs). */
export function fillerOf(codec: CardApCodec<unknown>): number {
  const f = (codec as { readonly filler?: unknown }).filler;
  return f === 0x00 || f === 0xff ? f : DEFAULT_TLV_FILLER;
}

