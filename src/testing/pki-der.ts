/**
 * DER building blocks for the test PKI issuer, on the SDK's own TLV encoder and header reader
 * (`src/tlv`): the one ASN.1 writer of the project.
 *
 * Every byte of a test certificate (string types, extension order, criticality, explicit/implicit
 * tags) is exactly what `docs/cert-profile.md` describes, with no library choosing an encoding for us.
 * Browser-safe: Uint8Array only.
 * @packageDocumentation
 */
import { concatBytes, fromHex } from '../bytes.js';
import { CryptoError, InvalidArgumentError } from '../errors.js';
import { encodeTlv, readTlvHeader } from '../tlv/index.js';

/** Universal and context tags used by the issuer. */
export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  ia5String: 0x16,
  utcTime: 0x17,
  generalizedTime: 0x18,
  sequence: 0x30,
  set: 0x31,
} as const;

const utf8 = new TextEncoder();

/** One TLV with a single-byte tag. */
export function tlv(tag: number, ...contents: readonly Uint8Array[]): Uint8Array {
  return encodeTlv(tag, contents);
}

/** SEQUENCE of the given encoded elements. */
export function sequence(...elements: readonly Uint8Array[]): Uint8Array {
  return tlv(TAG.sequence, ...elements);
}

/** OBJECT IDENTIFIER from dotted text. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map((a) => {
    if (!/^[0-9]+$/.test(a)) throw new InvalidArgumentError('Malformed object identifier');
    return Number(a);
  });
  const [first, second, ...rest] = arcs;
  if (first === undefined || second === undefined || first > 2) {
    throw new InvalidArgumentError('Malformed object identifier');
  }
  const out: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const chunk: number[] = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift((n & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(TAG.oid, Uint8Array.from(out));
}

/** UTF8String. */
export function utf8String(text: string): Uint8Array {
  return tlv(TAG.utf8String, utf8.encode(text));
}

/** PrintableString (checked against the PrintableString alphabet). */
export function printableString(text: string): Uint8Array {
  if (!/^[A-Za-z0-9 '()+,\-./:=?]*$/.test(text)) {
    throw new InvalidArgumentError('Not a PrintableString value');
  }
  return tlv(TAG.printableString, utf8.encode(text));
}

/** IA5String (ASCII). */
export function ia5String(text: string): Uint8Array {
  if (!/^[\x00-\x7f]*$/.test(text)) throw new InvalidArgumentError('Not an IA5String value');
  return tlv(TAG.ia5String, utf8.encode(text));
}

/** BOOLEAN TRUE (DER: 0xFF). */
export const BOOLEAN_TRUE: Uint8Array = Uint8Array.of(TAG.boolean, 0x01, 0xff);

/** NULL. */
export const NULL: Uint8Array = Uint8Array.of(TAG.null, 0x00);

/**
 * A positive INTEGER from big-endian hex (e.g. a certificate serial): leading zero octets are
 * removed, and one is added back when the top bit is set so the value stays positive.
 */
export function positiveIntegerFromHex(hex: string): Uint8Array {
  if (!/^[0-9a-fA-F]+$/.test(hex)) throw new InvalidArgumentError('Serial must be hex digits');
  let bytes = fromHex(hex.length % 2 === 0 ? hex : `0${hex}`);
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0) start++;
  bytes = bytes.subarray(start);
  if (bytes.length === 1 && bytes[0] === 0) throw new InvalidArgumentError('Serial must not be zero');
  if (bytes.length > 20) throw new InvalidArgumentError('Serial longer than 20 octets');
  return tlv(TAG.integer, (bytes[0]! & 0x80) !== 0 ? concatBytes(Uint8Array.of(0), bytes) : bytes);
}

/** UTCTime for 1950–2049, GeneralizedTime otherwise (RFC 5280 §4.1.2.5); whole seconds, `Z`. */
export function time(date: Date): Uint8Array {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new InvalidArgumentError('Invalid date');
  if (ms % 1000 !== 0) throw new InvalidArgumentError('Certificate times must be whole seconds');
  const y = date.getUTCFullYear();
  const two = (n: number): string => String(n).padStart(2, '0');
  const rest =
    two(date.getUTCMonth() + 1) +
    two(date.getUTCDate()) +
    two(date.getUTCHours()) +
    two(date.getUTCMinutes()) +
    two(date.getUTCSeconds()) +
    'Z';
  if (y >= 1950 && y <= 2049) return tlv(TAG.utcTime, utf8.encode(two(y % 100) + rest));
  if (y < 0 || y > 9999) throw new InvalidArgumentError('Year out of range');
  return tlv(TAG.generalizedTime, utf8.encode(String(y).padStart(4, '0') + rest));
}

/** One parsed TLV: `tag`, the whole element `[start, end)` and its contents `[contentStart, end)`. */
export interface DerElement {
  /** The (single-byte) tag. */
  readonly tag: number;
  /** Offset of the tag byte. */
  readonly start: number;
  /** Offset of the first content byte. */
  readonly contentStart: number;
  /** Offset just past the element. */
  readonly end: number;
}

/** Read the TLV that starts at `offset` (definite lengths only, as DER requires). */
export function readElement(der: Uint8Array, offset: number): DerElement {
  let header;
  try {
    header = readTlvHeader(der, offset, { mode: 'der' });
  } catch (error) {
    throw new CryptoError('Truncated or unsupported DER element', { cause: error });
  }
  if (header.tag > 0xff || header.totalLength === null) throw new CryptoError('Truncated or unsupported DER element');
  const contentStart = offset + header.headerLength;
  const end = offset + header.totalLength;
  if (end > der.length) throw new CryptoError('DER element overruns its buffer');
  return { tag: header.tag, start: offset, contentStart, end };
}

/** The child elements of a constructed element. */
export function children(der: Uint8Array, parent: DerElement): DerElement[] {
  const out: DerElement[] = [];
  for (let offset = parent.contentStart; offset < parent.end; ) {
    const child = readElement(der, offset);
    out.push(child);
    offset = child.end;
  }
  return out;
}

/** The bytes of a whole element. */
export function elementBytes(der: Uint8Array, element: DerElement): Uint8Array {
  return der.subarray(element.start, element.end);
}

/** The content bytes of an element. */
export function contentBytes(der: Uint8Array, element: DerElement): Uint8Array {
  return der.subarray(element.contentStart, element.end);
}
