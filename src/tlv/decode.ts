/**
 * The BER/DER decoder: one iterative validation pass over the whole tree (explicit stack, no
 * recursion, no allocation per node), then lazily materialised nodes.
 * @packageDocumentation
 */
import { InvalidArgumentError } from '../errors.js';
import { TlvError, type TlvErrorCode } from './errors.js';
import { materialiseNode, isOpaque, TlvTree, type TlvNode } from './node.js';

/** Options of {@link decodeTlv}. */
export interface DecodeTlvOptions {
  /**
   * `'der'` (default) rejects indefinite lengths, non-minimal lengths and non-minimal tags (a
   * long-form tag number below 31, such as the card's `FF10`). `'ber'` accepts them and
   * indefinite lengths closed by end-of-contents (`00 00`).
   */
  readonly mode?: 'der' | 'ber';
  /** Deepest allowed nesting; top-level objects are at depth 1. Default 64. */
  readonly maxDepth?: number;
  /**
   * Accept bytes after the first object that are not complete objects: `00`/`FF` padding
   * (ISO 7816-4 allows it around data objects) or any other filler. Decoding stops at the first
   * object after the first that fails to decode. Default `false`, where trailing padding is a
   * `trailing-bytes` error and other junk fails with its own framing error.
   */
  readonly allowTrailing?: boolean;
  /**
   * Tags whose content is not decoded even if the constructed bit is set; such nodes have no
   * children. The card's 個人番号 EF holds `FF10` (constructed bit set) with plain ASCII digits.
   * (An opaque node with an indefinite length is still scanned to find its end-of-contents.)
   */
  readonly opaqueTags?: readonly number[];
}

/** Default nesting limit of {@link decodeTlv}. */
export const DEFAULT_TLV_MAX_DEPTH = 64;

const MAX_LENGTH = 0x7fffffff;

// Reusable explicit stack (decoding is synchronous, so one pair per module is safe).
let savedBounds = new Int32Array(64); // the parent's bound, restored when a level closes
let indefiniteStarts = new Int32Array(64); // content start of an indefinite level, -1 when definite

// Failures are returned as one negative number, `-(offset * 16 + code) - 1`, so the hot loop
// neither throws nor writes shared state; the caller turns it into a TlvError.
const CODES: readonly TlvErrorCode[] = [
  'truncated',
  'length-overflow',
  'indefinite-in-der',
  'non-minimal-length',
  'depth-exceeded',
  'trailing-bytes',
  'bad-tag',
];
const TRUNCATED = 0;
const LENGTH_OVERFLOW = 1;
const INDEFINITE_IN_DER = 2;
const NON_MINIMAL_LENGTH = 3;
const DEPTH_EXCEEDED = 4;
const BAD_TAG = 6;

function fail(code: number, offset: number): number {
  return -(offset * 16 + code) - 1;
}

function toError(failure: number): TlvError {
  const encoded = -failure - 1;
  return new TlvError(CODES[encoded % 16]!, Math.floor(encoded / 16));
}

function growStack(): void {
  const size = savedBounds.length * 2;
  const b = new Int32Array(size);
  b.set(savedBounds);
  const s = new Int32Array(size);
  s.set(indefiniteStarts);
  savedBounds = b;
  indefiniteStarts = s;
}

/**
 * Rest of a tag of three or four bytes whose second byte (at `p - 1`) had bit 8 set: returns the
 * offset after the tag, or -1.
 */
function skipLongTag(bytes: Uint8Array, p: number, bound: number, pos: number): number {
  if (p >= bound) return fail(TRUNCATED, pos);
  if (bytes[p++]! < 0x80) return p;
  if (p >= bound) return fail(TRUNCATED, pos);
  if (bytes[p++]! < 0x80) return p;
  return fail(BAD_TAG, pos); // more than four tag bytes
}

/** A long-form length of `k` (>= 3) bytes at `p` (all present): the length, or -1. */
function readLongLength(bytes: Uint8Array, p: number, k: number, der: boolean, pos: number): number {
  if (der && bytes[p] === 0) return fail(NON_MINIMAL_LENGTH, pos);
  let length = 0;
  for (let i = 0; i < k; i++) {
    length = length * 256 + bytes[p + i]!;
    if (length > MAX_LENGTH) return fail(LENGTH_OVERFLOW, pos);
  }
  if (der && length < 0x80) return fail(NON_MINIMAL_LENGTH, pos);
  return length;
}

/** All tag bytes at `pos` (already validated) as one integer. */
export function tagAt(bytes: Uint8Array, pos: number): number {
  let tag = bytes[pos]!;
  if ((tag & 0x1f) !== 0x1f) return tag;
  for (let p = pos + 1; ; p++) {
    const b = bytes[p]!;
    tag = tag * 256 + b;
    if (b < 0x80) return tag;
  }
}

/**
 * Validate the framing of the one object starting at `start` (which must be `< limit`), and
 * everything nested in it. Returns the offset after it, or a negative failure (see `fail`).
 * Iterative: `bound` is where the current level's children must end; each open level saves its
 * parent's bound, and marks whether it is an indefinite level (closed by `00 00`).
 */
function validateObject(
  bytes: Uint8Array,
  start: number,
  limit: number,
  der: boolean,
  maxDepth: number,
  tree: TlvTree,
): number {
  const opaque = tree.opaqueTags;
  let saved = savedBounds;
  let indef = indefiniteStarts;
  let depth = 0;
  let bound = limit;
  let pos = start;
  for (;;) {
    if (pos >= bound) return fail(TRUNCATED, pos);
    const b0 = bytes[pos]!;
    let p = pos + 1;
    if ((b0 & 0x1f) === 0x1f) {
      if (p >= bound) return fail(TRUNCATED, pos);
      const b1 = bytes[p++]!;
      if (der && (b1 < 0x1f || b1 === 0x80)) return fail(BAD_TAG, pos);
      if (b1 >= 0x80) {
        p = skipLongTag(bytes, p, bound, pos);
        if (p < 0) return p;
      }
    } else if (b0 === 0) {
      // End-of-contents: only valid as `00 00` closing the innermost indefinite level.
      if (depth === 0 || indef[depth - 1]! < 0) return fail(BAD_TAG, pos);
      if (p >= bound) return fail(TRUNCATED, pos);
      if (bytes[p] !== 0) return fail(BAD_TAG, pos);
      depth--;
      const contentStart = indef[depth]!;
      (tree.indefinite ??= new Map()).set(contentStart, pos - contentStart);
      bound = saved[depth]!;
      pos = p + 1;
      while (depth > 0 && pos === bound && indef[depth - 1]! < 0) bound = saved[--depth]!;
      if (depth === 0) return pos;
      continue;
    }
    if (p >= bound) return fail(TRUNCATED, pos);
    let length = bytes[p++]!;
    if (length > 0x80) {
      const k = length - 0x80;
      if (k === 1) {
        if (p >= bound) return fail(TRUNCATED, pos);
        length = bytes[p++]!;
        if (der && length < 0x80) return fail(NON_MINIMAL_LENGTH, pos);
      } else if (k === 2) {
        if (p + 2 > bound) return fail(TRUNCATED, pos);
        length = (bytes[p]! << 8) | bytes[p + 1]!;
        p += 2;
        if (der && length < 0x100) return fail(NON_MINIMAL_LENGTH, pos);
      } else {
        if (k === 0x7f) return fail(LENGTH_OVERFLOW, pos); // 0xFF is reserved (X.690 8.1.3.5 c)
        if (p + k > bound) return fail(TRUNCATED, pos);
        length = readLongLength(bytes, p, k, der, pos);
        if (length < 0) return length;
        p += k;
      }
    } else if (length === 0x80) {
      // Indefinite length: constructed only, BER only.
      if (der) return fail(INDEFINITE_IN_DER, pos);
      if ((b0 & 0x20) === 0) return fail(BAD_TAG, pos);
      if (depth + 1 >= maxDepth) return fail(DEPTH_EXCEEDED, p);
      if (depth === saved.length) {
        growStack();
        saved = savedBounds;
        indef = indefiniteStarts;
      }
      saved[depth] = bound;
      indef[depth] = p;
      depth++;
      pos = p;
      continue;
    }
    const end = p + length;
    if (end > bound) return fail(TRUNCATED, pos);
    if (
      (b0 & 0x20) !== 0 &&
      length !== 0 &&
      (opaque === null || !isOpaque(opaque, tagAt(bytes, pos)))
    ) {
      // Descend into the constructed content.
      if (depth + 1 >= maxDepth) return fail(DEPTH_EXCEEDED, p);
      if (depth === saved.length) {
        growStack();
        saved = savedBounds;
        indef = indefiniteStarts;
      }
      saved[depth] = bound;
      indef[depth] = -1;
      depth++;
      bound = end;
      pos = p;
      continue;
    }
    pos = end;
    // Close every definite level that ends here.
    while (depth > 0 && pos === bound && indef[depth - 1]! < 0) bound = saved[--depth]!;
    if (depth === 0) return pos;
  }
}

/**
 * {@link validateObject} specialised for the default case, DER without opaque tags (certificates,
 * most card records): no indefinite levels, so no end-of-contents bookkeeping, no mode
 * tests and no opaque lookup in the loop. Same results, failures and offsets as the general loop.
 */
function validateDerObject(bytes: Uint8Array, start: number, limit: number, maxDepth: number): number {
  let saved = savedBounds;
  let depth = 0;
  let bound = limit;
  let pos = start;
  // One test per descent instead of two: below `depthLimit` neither the nesting limit nor the
  // end of the stack is reached.
  let depthLimit = Math.min(maxDepth - 1, saved.length);
  // `pos < bound` holds at the top of the loop: `start < limit`, a descent only happens into
  // non-empty content, and levels that end where `pos` ends are closed before looping.
  for (;;) {
    const b0 = bytes[pos]!;
    let p = pos + 1;
    if ((b0 & 0x1f) === 0x1f) {
      if (p >= bound) return fail(TRUNCATED, pos);
      const b1 = bytes[p++]!;
      if (b1 < 0x1f || b1 === 0x80) return fail(BAD_TAG, pos);
      if (b1 >= 0x80) {
        p = skipLongTag(bytes, p, bound, pos);
        if (p < 0) return p;
      }
    } else if (b0 === 0) {
      return fail(BAD_TAG, pos); // end-of-contents, but DER has no indefinite level to close
    }
    if (p >= bound) return fail(TRUNCATED, pos);
    let length = bytes[p++]!;
    if (length >= 0x80) {
      if (length === 0x81) {
        if (p >= bound) return fail(TRUNCATED, pos);
        length = bytes[p++]!;
        if (length < 0x80) return fail(NON_MINIMAL_LENGTH, pos);
      } else if (length === 0x82) {
        if (p + 2 > bound) return fail(TRUNCATED, pos);
        length = (bytes[p]! << 8) | bytes[p + 1]!;
        p += 2;
        if (length < 0x100) return fail(NON_MINIMAL_LENGTH, pos);
      } else if (length === 0x80) {
        return fail(INDEFINITE_IN_DER, pos);
      } else {
        const k = length - 0x80;
        if (k === 0x7f) return fail(LENGTH_OVERFLOW, pos); // 0xFF is reserved (X.690 8.1.3.5 c)
        if (p + k > bound) return fail(TRUNCATED, pos);
        length = readLongLength(bytes, p, k, true, pos);
        if (length < 0) return length;
        p += k;
      }
    }
    const end = p + length;
    if (end > bound) return fail(TRUNCATED, pos);
    if ((b0 & 0x20) !== 0 && length !== 0) {
      // Descend into the constructed content.
      if (depth >= depthLimit) {
        if (depth + 1 >= maxDepth) return fail(DEPTH_EXCEEDED, p);
        growStack();
        saved = savedBounds;
        depthLimit = Math.min(maxDepth - 1, saved.length);
      }
      saved[depth++] = bound;
      bound = end;
      pos = p;
      continue;
    }
    pos = end;
    // Close every level that ends here.
    while (depth > 0 && pos === bound) bound = saved[--depth]!;
    if (depth === 0) return pos;
  }
}

function isPaddingFrom(bytes: Uint8Array, pos: number): boolean {
  for (let i = pos; i < bytes.length; i++) {
    const b = bytes[i];
    if (b !== 0x00 && b !== 0xff) return false;
  }
  return true;
}

interface ReadOptions {
  readonly der: boolean;
  readonly maxDepth: number;
  readonly allowTrailing: boolean;
  readonly opaque: readonly number[] | null;
}

// Shared by every call without options: no allocation per call.
const DEFAULT_OPTIONS: ReadOptions = {
  der: true,
  maxDepth: DEFAULT_TLV_MAX_DEPTH,
  allowTrailing: false,
  opaque: null,
};

function readOptions(options: DecodeTlvOptions | undefined): ReadOptions {
  if (options === undefined) return DEFAULT_OPTIONS;
  const mode = options.mode ?? 'der';
  if (mode !== 'der' && mode !== 'ber') throw new InvalidArgumentError("TLV mode must be 'der' or 'ber'");
  const maxDepth = options.maxDepth ?? DEFAULT_TLV_MAX_DEPTH;
  if (!(maxDepth >= 1) || (!Number.isInteger(maxDepth) && maxDepth !== Infinity)) {
    throw new InvalidArgumentError('TLV maxDepth must be a positive integer');
  }
  const opaque = options.opaqueTags;
  return {
    der: mode === 'der',
    maxDepth,
    allowTrailing: options.allowTrailing === true,
    opaque: opaque === undefined || opaque.length === 0 ? null : opaque,
  };
}

/**
 * Decode BER or DER TLV data into its top-level nodes.
 *
 * The framing of the whole tree is validated before this returns, so walking the result never
 * throws; node objects are created only when reached, and every `value` is a view of `bytes`.
 * `bytes` may hold several consecutive top-level objects.
 *
 * @throws TlvError on malformed framing (`code` and `offset` say what and where).
 * @throws InvalidArgumentError on bad options.
 */
export function decodeTlv(bytes: Uint8Array, options?: DecodeTlvOptions): TlvNode[] {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('decodeTlv expects a Uint8Array');
  const { der, maxDepth, allowTrailing, opaque } = readOptions(options);
  const n = bytes.length;
  if (n === 0) return [];
  const tree = new TlvTree(bytes, opaque);
  const fast = der && opaque === null;
  // The first object must decode, even with `allowTrailing`.
  let pos = fast ? validateDerObject(bytes, 0, n, maxDepth) : validateObject(bytes, 0, n, der, maxDepth, tree);
  if (pos < 0) throw toError(pos);
  // Usually the only object: an exact-size literal costs less than `[]` plus a growing push.
  const nodes: TlvNode[] = [materialiseNode(tree, 0)];
  while (pos < n) {
    if (isPaddingFrom(bytes, pos)) {
      if (allowTrailing) break;
      throw new TlvError('trailing-bytes', pos);
    }
    const end = fast ? validateDerObject(bytes, pos, n, maxDepth) : validateObject(bytes, pos, n, der, maxDepth, tree);
    if (end < 0) {
      if (allowTrailing) break;
      throw toError(end);
    }
    nodes.push(materialiseNode(tree, pos));
    pos = end;
  }
  return nodes;
}

/**
 * Validate framing only, without creating nodes: returns the number of top-level objects.
 * Same rules and errors as {@link decodeTlv}.
 */
export function validateTlv(bytes: Uint8Array, options?: DecodeTlvOptions): number {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('validateTlv expects a Uint8Array');
  const read = readOptions(options);
  // The general loop records indefinite lengths in a tree; the DER loop needs none.
  return validateRegion(bytes, read, read.der && read.opaque === null ? null : new TlvTree(bytes, read.opaque));
}

/** End of the region accepted by the last {@link validateRegion} call. */
let regionEnd = 0;

/**
 * Validate every top-level object of `bytes` (the rules of {@link decodeTlv}): returns their
 * count and leaves the end of the accepted region in `regionEnd`. `tree` (null only for DER
 * without opaque tags) receives the indefinite lengths.
 */
function validateRegion(bytes: Uint8Array, read: ReadOptions, tree: TlvTree | null): number {
  const { der, maxDepth, allowTrailing } = read;
  const n = bytes.length;
  let count = 0;
  let pos = 0;
  while (pos < n) {
    if (count > 0 && isPaddingFrom(bytes, pos)) {
      if (allowTrailing) break;
      throw new TlvError('trailing-bytes', pos);
    }
    const end = tree === null ? validateDerObject(bytes, pos, n, maxDepth) : validateObject(bytes, pos, n, der, maxDepth, tree);
    if (end < 0) {
      if (allowTrailing && count > 0) break;
      throw toError(end);
    }
    count++;
    pos = end;
  }
  regionEnd = pos;
  return count;
}

/**
 * Validate `bytes` as {@link decodeTlv} does, for a cursor: returns the tree holding opaque tags
 * and indefinite lengths (`null` for DER without opaque tags, which needs neither), and leaves
 * the end of the accepted region in `validatedEnd()`.
 * @internal
 */
export function validateForCursor(bytes: Uint8Array, options: DecodeTlvOptions | undefined): TlvTree | null {
  const read = readOptions(options);
  const tree = read.der && read.opaque === null ? null : new TlvTree(bytes, read.opaque);
  validateRegion(bytes, read, tree);
  return tree;
}

/** End of the region accepted by the last validation. @internal */
export function validatedEnd(): number {
  return regionEnd;
}
