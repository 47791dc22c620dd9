/**
 * Small DER helpers over the TLV core for the trust modules: shape checks that throw one typed
 * error, distinguished names, and a DER writer for the few structures the SDK builds. Every
 * reader works on zero-copy {@link TlvNode} views. Browser-safe.
 * @packageDocumentation
 */
import { toHex } from '../bytes.js';
import { CryptoError } from '../errors.js';
import { decodeTlv, encodeTlv, readTlvOid, readTlvString, readTlvTime, TlvError, type TlvNode } from '../tlv/index.js';
import { OID } from './oid.js';

/** A CryptoError whose message never holds input data. @internal */
export function derError(code: string, message: string, cause?: unknown): CryptoError {
  return new CryptoError(message, { code, ...(cause === undefined ? {} : { cause }) });
}

/**
 * Run a TLV reader; a {@link TlvError} (bad tag, bad value) becomes a CryptoError `code`.
 * @internal
 */
export function guard<T>(code: string, what: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof TlvError) throw derError(code, `${what}: ${error.code}`, error);
    throw error;
  }
}

/** Decode exactly one DER object (nothing after it). @internal */
export function decodeOne(bytes: Uint8Array, code: string, what: string): TlvNode {
  let nodes: TlvNode[];
  try {
    nodes = decodeTlv(bytes);
  } catch (error) {
    throw derError(code, `${what} is not valid DER`, error);
  }
  if (nodes.length !== 1) throw derError(code, `${what} must be exactly one DER object`);
  return nodes[0]!;
}

/** Short names of the DN attribute types seen in JPKI certificates (cert-profile §2). */
const NAME_TYPES: Readonly<Record<string, string>> = {
  [OID.countryName]: 'C',
  [OID.organizationName]: 'O',
  [OID.organizationalUnitName]: 'OU',
  [OID.localityName]: 'L',
  [OID.stateOrProvinceName]: 'ST',
  [OID.commonName]: 'CN',
  [OID.serialNumber]: 'serialNumber',
};

/** Tags read as text in a DN (DirectoryString choices and IA5String); others are shown as hex. */
const DN_STRING_TAGS: ReadonlySet<number> = new Set([0x0c, 0x13, 0x14, 0x16, 0x1c, 0x1e]);

/** One attribute of a distinguished name (識別名). */
export interface NameAttribute {
  /** Attribute type OID, e.g. `2.5.4.3`. */
  readonly oid: string;
  /** Short name (`C`, `O`, `OU`, `L`, `ST`, `CN`) or the OID when unknown. */
  readonly type: string;
  /** The value as text. */
  readonly value: string;
}

/** A distinguished name: attributes in encoding order plus a display string. */
export interface DistinguishedName {
  /** `C=JP, O=JPKI, OU=…` in encoding order (for display only; compare names by DER). */
  readonly text: string;
  /** Every attribute in encoding order (one per RDN in all JPKI certificates). */
  readonly attributes: readonly NameAttribute[];
}

/** Whether `node` is an OBJECT IDENTIFIER whose encoding is well-formed (cheap, no string). */
function isOidNode(node: TlvNode | undefined): boolean {
  if (node?.tag !== 0x06 || node.length === 0) return false;
  const v = node.value;
  return v[v.length - 1]! < 0x80;
}

/**
 * Check that `name` is an RDNSequence: `SEQUENCE OF SET OF SEQUENCE { OID, value }` with a
 * non-empty SET. Throws `code` otherwise. @internal
 */
export function checkName(name: TlvNode, code: string, what: string): void {
  if (name.tag !== 0x30) throw derError(code, `${what} is not a Name`);
  for (const rdn of name.children) {
    const atvs = rdn.children;
    if (rdn.tag !== 0x31 || atvs.length === 0) throw derError(code, `${what} is not a Name`);
    for (const atv of atvs) {
      const parts = atv.children;
      if (atv.tag !== 0x30 || parts.length !== 2 || !isOidNode(parts[0])) throw derError(code, `${what} is not a Name`);
    }
  }
}

/**
 * Check that every attribute value of a checked Name that has a string or time tag decodes as
 * that type (a PrintableString retagged as UTCTime is not a name). TLV errors are thrown. @internal
 */
export function checkNameValues(name: TlvNode): void {
  for (const rdn of name.children) {
    for (const atv of rdn.children) {
      const value = atv.children[1]!;
      const tag = value.tag;
      if (tag === 0x17 || tag === 0x18) readTlvTime(value);
      else if (DN_STRING_TAGS.has(tag) || tag === 0x12 || tag === 0x1a || tag === 0x1b) readTlvString(value);
    }
  }
}

/** A checked Name node as {@link DistinguishedName}. @internal */
export function distinguishedName(name: TlvNode, code: string): DistinguishedName {
  return guard(code, 'bad name', () => {
    const attributes: NameAttribute[] = [];
    let text = '';
    for (const rdn of name.children) {
      for (const atv of rdn.children) {
        const [typeNode, valueNode] = atv.children as [TlvNode, TlvNode];
        const oid = readOid(typeNode);
        const type = Object.hasOwn(NAME_TYPES, oid) ? NAME_TYPES[oid]! : oid;
        const value = DN_STRING_TAGS.has(valueNode.tag) ? readTlvString(valueNode) : toHex(valueNode.encoded);
        attributes.push({ oid, type, value });
        text += (text === '' ? '' : ', ') + type + '=' + value;
      }
    }
    return { text, attributes };
  });
}

/** Dotted OIDs by their encoding (hex): the few dozen OIDs a verifier sees repeat on every call. */
const oidCache = new Map<string, string>();

/** An OBJECT IDENTIFIER as dotted text, memoised by encoding (bounded cache). @internal */
export function readOid(node: TlvNode): string {
  if (node.tag !== 0x06) throw new TlvError('bad-tag', node.offset, 'expected OBJECT IDENTIFIER');
  const v = node.value;
  if (v.length > 32) return readTlvOid(node);
  let key = '';
  for (let i = 0; i < v.length; i++) key += String.fromCharCode(v[i]!);
  let text = oidCache.get(key);
  if (text === undefined) {
    text = readTlvOid(node);
    if (oidCache.size < 512) oidCache.set(key, text);
  }
  return text;
}

/** A DER OBJECT IDENTIFIER for a dotted OID (arcs below 2^53). @internal */
export function encodeOid(oid: string): Uint8Array {
  const arcs = oid.split('.').map(Number);
  const body: number[] = [];
  const push = (arc: number): void => {
    const bytes = [arc % 128];
    for (let a = Math.floor(arc / 128); a > 0; a = Math.floor(a / 128)) bytes.unshift((a % 128) | 0x80);
    body.push(...bytes);
  };
  push(arcs[0]! * 40 + arcs[1]!);
  for (let i = 2; i < arcs.length; i++) push(arcs[i]!);
  return encodeTlv(0x06, Uint8Array.from(body));
}

/** DER SEQUENCE of encoded parts. @internal */
export function seq(...parts: Uint8Array[]): Uint8Array {
  return encodeTlv(0x30, parts);
}

/** DER SET OF: the parts sorted as X.690 §11.6 requires. @internal */
export function setOf(parts: Uint8Array[]): Uint8Array {
  return encodeTlv(0x31, [...parts].sort(compareDer));
}

/** DER SET OF order (X.690 §11.6): ascending encodings, a prefix sorting first. @internal */
export function compareDer(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/** A UTCTime (1950–2049) or GeneralizedTime, whole seconds, `Z` (RFC 5280 §4.1.2.5). @internal */
export function encodeTime(date: Date): Uint8Array {
  const whole = new Date(Math.floor(date.getTime() / 1000) * 1000);
  const year = whole.getUTCFullYear();
  const two = (n: number): string => String(n).padStart(2, '0');
  const rest =
    two(whole.getUTCMonth() + 1) + two(whole.getUTCDate()) + two(whole.getUTCHours()) + two(whole.getUTCMinutes()) +
    two(whole.getUTCSeconds()) + 'Z';
  const utc = year >= 1950 && year < 2050;
  const text = (utc ? two(year % 100) : String(year).padStart(4, '0')) + rest;
  return encodeTlv(utc ? 0x17 : 0x18, new TextEncoder().encode(text));
}
