/**
 * Typed readers for universal ASN.1 types held in a {@link TlvNode}. Each checks the tag
 * (`bad-tag`) and the content (`bad-value`) and throws only {@link TlvError}.
 * @packageDocumentation
 */
import { TlvError } from './errors.js';
import type { TlvNode } from './node.js';

/** Universal tag bytes used by the readers. */
export const TlvUniversalTag = {
  /** BOOLEAN (universal 1). */
  BOOLEAN: 0x01,
  /** INTEGER (universal 2): serial numbers, RSA modulus and exponent. */
  INTEGER: 0x02,
  /** BIT STRING (universal 3): public keys, signatures, key usage. */
  BIT_STRING: 0x03,
  /** OCTET STRING (universal 4): extension values, digests. */
  OCTET_STRING: 0x04,
  /** NULL (universal 5): e.g. the empty parameters of an RSA AlgorithmIdentifier. */
  NULL: 0x05,
  /** OBJECT IDENTIFIER (universal 6): algorithm, attribute and extension OIDs. */
  OBJECT_IDENTIFIER: 0x06,
  /** ENUMERATED (universal 10): e.g. a CRL reason code. */
  ENUMERATED: 0x0a,
  /** UTF8String (universal 12): Japanese names and addresses in certificates. */
  UTF8_STRING: 0x0c,
  /** NumericString (universal 18): digits and space only. */
  NUMERIC_STRING: 0x12,
  /** PrintableString (universal 19): restricted ASCII, e.g. country `JP`. */
  PRINTABLE_STRING: 0x13,
  /** TeletexString, formerly T61String (universal 20). */
  T61_STRING: 0x14,
  /** IA5String (universal 22): ASCII, e.g. URIs and e-mail addresses. */
  IA5_STRING: 0x16,
  /** UTCTime (universal 23): `YYMMDDhhmmssZ`, validity dates before 2050. */
  UTC_TIME: 0x17,
  /** GeneralizedTime (universal 24): `YYYYMMDDhhmmssZ`, validity dates from 2050. */
  GENERALIZED_TIME: 0x18,
  /** VisibleString (universal 26): printable ASCII. */
  VISIBLE_STRING: 0x1a,
  /** GeneralString (universal 27). */
  GENERAL_STRING: 0x1b,
  /** UniversalString (universal 28): UCS-4 / UTF-32BE. */
  UNIVERSAL_STRING: 0x1c,
  /** BMPString (universal 30): UCS-2 / UTF-16BE. */
  BMP_STRING: 0x1e,
  /** SEQUENCE / SEQUENCE OF (universal 16, constructed). */
  SEQUENCE: 0x30,
  /** SET / SET OF (universal 17, constructed): e.g. an RDN. */
  SET: 0x31,
} as const;

function expectTag(node: TlvNode, tag: number, what: string): void {
  if (node.tag !== tag) throw new TlvError('bad-tag', node.offset, `expected ${what}`);
}

function badValue(node: TlvNode, what: string): TlvError {
  return new TlvError('bad-value', node.offset, `invalid ${what}`);
}

/**
 * An INTEGER (or ENUMERATED, or an implicitly tagged integer when `tag` is given) as a bigint.
 * Rejects empty and non-minimal encodings (X.690 §8.3.2).
 */
export function readTlvInteger(node: TlvNode, tag: number = TlvUniversalTag.INTEGER): bigint {
  expectTag(node, tag, 'INTEGER');
  const v = node.value;
  const n = v.length;
  if (n === 0) throw badValue(node, 'INTEGER (empty)');
  if (n > 1 && ((v[0] === 0x00 && v[1]! < 0x80) || (v[0] === 0xff && v[1]! >= 0x80))) {
    throw badValue(node, 'INTEGER (not minimally encoded)');
  }
  if (n <= 6) {
    let x = v[0]! >= 0x80 ? v[0]! - 256 : v[0]!;
    for (let i = 1; i < n; i++) x = x * 256 + v[i]!;
    return BigInt(x);
  }
  let hex = '';
  for (let i = 0; i < n; i++) hex += (v[i]! < 16 ? '0' : '') + v[i]!.toString(16);
  let x = BigInt('0x' + hex);
  if (v[0]! >= 0x80) x -= 1n << BigInt(8 * n);
  return x;
}

/** A BOOLEAN: one content byte, zero is false (DER uses `FF` for true; BER any non-zero). */
export function readTlvBoolean(node: TlvNode, tag: number = TlvUniversalTag.BOOLEAN): boolean {
  expectTag(node, tag, 'BOOLEAN');
  if (node.length !== 1) throw badValue(node, 'BOOLEAN (length must be 1)');
  return node.value[0] !== 0;
}

/** A BIT STRING's unused-bit count and its bit bytes (a view, no copy). */
export interface TlvBitString {
  /** Number of unused low bits in the last byte (0..7). */
  readonly unusedBits: number;
  /** The bit bytes without the leading unused-bits byte. */
  readonly bytes: Uint8Array;
}

/** A primitive BIT STRING. Rejects an empty content, `unusedBits > 7`, or unused bits with no bytes. */
export function readTlvBitString(node: TlvNode, tag: number = TlvUniversalTag.BIT_STRING): TlvBitString {
  expectTag(node, tag, 'BIT STRING');
  const v = node.value;
  if (v.length === 0) throw badValue(node, 'BIT STRING (empty)');
  const unusedBits = v[0]!;
  if (unusedBits > 7 || (v.length === 1 && unusedBits !== 0)) throw badValue(node, 'BIT STRING (unused bits)');
  return { unusedBits, bytes: v.subarray(1) };
}

/** An OBJECT IDENTIFIER in dotted form (`'1.2.392.200149.8.5.5.1'`). Arcs of any size. */
export function readTlvOid(node: TlvNode, tag: number = TlvUniversalTag.OBJECT_IDENTIFIER): string {
  expectTag(node, tag, 'OBJECT IDENTIFIER');
  const v = node.value;
  const n = v.length;
  if (n === 0 || v[n - 1]! >= 0x80) throw badValue(node, 'OBJECT IDENTIFIER');
  let out = '';
  let first = true;
  let i = 0;
  while (i < n) {
    if (v[i] === 0x80) throw badValue(node, 'OBJECT IDENTIFIER (non-minimal arc)');
    let arc = 0;
    let big: bigint | null = null;
    for (;;) {
      const b = v[i++]!;
      if (big === null) {
        arc = arc * 128 + (b & 0x7f);
        if (arc > 0x1fffffffffff) big = BigInt(arc);
      } else {
        big = big * 128n + BigInt(b & 0x7f);
      }
      if (b < 0x80) break;
    }
    if (first) {
      first = false;
      if (big !== null) out = '2.' + (big - 80n).toString();
      else if (arc < 40) out = '0.' + arc;
      else if (arc < 80) out = '1.' + (arc - 40);
      else out = '2.' + (arc - 80);
    } else {
      out += '.' + (big !== null ? big.toString() : arc);
    }
  }
  return out;
}

let utf8Decoder: TextDecoder | undefined;

function decodeUtf8(node: TlvNode, bytes: Uint8Array): string {
  // Short ASCII (country codes, romaji DN parts, URLs): no TextDecoder call, which costs more.
  if (bytes.length <= 64) {
    let ascii = '';
    let i = 0;
    for (; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (b >= 0x80) break;
      ascii += String.fromCharCode(b);
    }
    if (i === bytes.length) return ascii;
  }
  utf8Decoder ??= new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    return utf8Decoder.decode(bytes);
  } catch {
    throw badValue(node, 'UTF-8');
  }
}

function decodeLatin1(bytes: Uint8Array, asciiOnly: boolean, node: TlvNode): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 4096) {
    const chunk = bytes.subarray(i, Math.min(i + 4096, bytes.length));
    if (asciiOnly) for (let j = 0; j < chunk.length; j++) if (chunk[j]! >= 0x80) throw badValue(node, 'ASCII string');
    out += String.fromCharCode.apply(null, chunk as unknown as number[]);
  }
  return out;
}

function decodeBmp(node: TlvNode, bytes: Uint8Array): string {
  if (bytes.length % 2 !== 0) throw badValue(node, 'BMPString (odd length)');
  let out = '';
  for (let i = 0; i < bytes.length; i += 2) out += String.fromCharCode((bytes[i]! << 8) | bytes[i + 1]!);
  return out;
}

function decodeUniversal(node: TlvNode, bytes: Uint8Array): string {
  if (bytes.length % 4 !== 0) throw badValue(node, 'UniversalString (length)');
  let out = '';
  for (let i = 0; i < bytes.length; i += 4) {
    const cp = bytes[i]! * 0x1000000 + ((bytes[i + 1]! << 16) | (bytes[i + 2]! << 8) | bytes[i + 3]!);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw badValue(node, 'UniversalString (code point)');
    out += String.fromCodePoint(cp);
  }
  return out;
}

/**
 * A character string. The type comes from the node's universal tag, or from `type` (a universal
 * string tag such as `0x16`) for implicitly tagged strings like a SAN's `[2] dNSName` (`0x82`).
 *
 * UTF8String (0C) is strict UTF-8; PrintableString (13), IA5String (16), NumericString (12) and
 * VisibleString (1A) must be 7-bit; T61String (14) and GeneralString (1B) are read as Latin-1;
 * BMPString (1E) is UTF-16BE; UniversalString (1C) is UTF-32BE.
 */
export function readTlvString(node: TlvNode, type?: number): string {
  const t = type ?? node.tag;
  const v = node.value;
  switch (t) {
    case TlvUniversalTag.UTF8_STRING:
      return decodeUtf8(node, v);
    case TlvUniversalTag.PRINTABLE_STRING:
    case TlvUniversalTag.IA5_STRING:
    case TlvUniversalTag.NUMERIC_STRING:
    case TlvUniversalTag.VISIBLE_STRING:
      return decodeLatin1(v, true, node);
    case TlvUniversalTag.T61_STRING:
    case TlvUniversalTag.GENERAL_STRING:
      return decodeLatin1(v, false, node);
    case TlvUniversalTag.BMP_STRING:
      return decodeBmp(node, v);
    case TlvUniversalTag.UNIVERSAL_STRING:
      return decodeUniversal(node, v);
    default:
      throw new TlvError('bad-tag', node.offset, 'expected a character string');
  }
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function digits(v: Uint8Array, at: number, count: number): number {
  let x = 0;
  for (let i = at; i < at + count; i++) {
    const d = (v[i] ?? 0) - 0x30;
    if (d < 0 || d > 9 || i >= v.length) return -1;
    x = x * 10 + d;
  }
  return x;
}

/**
 * A UTCTime (17; years 50–99 are 1950–1999 and 00–49 are 2000–2049, RFC 5280 §4.1.2.5.1) or
 * GeneralizedTime (18) as a `Date`. Accepts `Z` or a `±hhmm` offset, optional seconds in UTCTime,
 * and optional minutes, seconds and a fraction in GeneralizedTime; the time is required to name
 * its zone (a local time without zone is rejected).
 */
export function readTlvTime(node: TlvNode): Date {
  const v = node.value;
  let i: number;
  let year: number;
  if (node.tag === TlvUniversalTag.UTC_TIME) {
    const yy = digits(v, 0, 2);
    if (yy < 0) throw badValue(node, 'UTCTime');
    year = yy < 50 ? 2000 + yy : 1900 + yy;
    i = 2;
  } else if (node.tag === TlvUniversalTag.GENERALIZED_TIME) {
    year = digits(v, 0, 4);
    if (year < 0) throw badValue(node, 'GeneralizedTime');
    i = 4;
  } else {
    throw new TlvError('bad-tag', node.offset, 'expected UTCTime or GeneralizedTime');
  }
  const utc = node.tag === TlvUniversalTag.UTC_TIME;
  const month = digits(v, i, 2);
  const day = digits(v, i + 2, 2);
  const hour = digits(v, i + 4, 2);
  i += 6;
  let minute = 0;
  let second = 0;
  let millis = 0;
  if (utc || digits(v, i, 2) >= 0) {
    minute = digits(v, i, 2);
    i += 2;
    if (digits(v, i, 2) >= 0) {
      second = digits(v, i, 2);
      i += 2;
      if (!utc && (v[i] === 0x2e || v[i] === 0x2c)) {
        // Fraction of a second: keep millisecond precision.
        i++;
        const fracStart = i;
        let scale = 100;
        while (i < v.length && v[i]! >= 0x30 && v[i]! <= 0x39) {
          millis += (v[i]! - 0x30) * scale;
          scale /= 10;
          i++;
        }
        if (i === fracStart) throw badValue(node, 'time (fraction)');
        millis = Math.floor(millis);
      }
    }
  }
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  if (
    month < 1 || month > 12 || day < 1 ||
    day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!) ||
    hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59
  ) {
    throw badValue(node, 'time');
  }
  let offsetMinutes = 0;
  const zone = v[i];
  if (zone === 0x5a && i + 1 === v.length) {
    // 'Z'
  } else if ((zone === 0x2b || zone === 0x2d) && i + 5 === v.length) {
    const oh = digits(v, i + 1, 2);
    const om = digits(v, i + 3, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) throw badValue(node, 'time (offset)');
    offsetMinutes = (zone === 0x2b ? 1 : -1) * (oh * 60 + om);
  } else {
    throw badValue(node, 'time (zone)');
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, millis);
  return new Date(date.getTime() - offsetMinutes * 60_000);
}
