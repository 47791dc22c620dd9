/**
 * Lazily materialised TLV nodes over a validated buffer.
 *
 * `decodeTlv` validates the whole tree first and stores nothing per node; a node object is made
 * only when it is reached (through the top-level array or a `children` getter) by re-reading its
 * header, which the validation pass has already proven well-formed.
 * @packageDocumentation
 */

/** ASN.1 tag class (タグクラス), from bits 8–7 of the first tag byte. */
export type TlvTagClass = 'universal' | 'application' | 'context' | 'private';

const TAG_CLASSES: readonly TlvTagClass[] = ['universal', 'application', 'context', 'private'];

/** The tag class of a first tag byte. */
export function tlvTagClassOf(firstTagByte: number): TlvTagClass {
  return TAG_CLASSES[(firstTagByte >> 6) & 3]!;
}

/**
 * One decoded BER/DER TLV object. Every byte array is a view into the decoded input (zero copy):
 * keep the input unchanged while nodes are in use.
 */
export interface TlvNode {
  /** All tag bytes as one unsigned integer: `0x30`, `0x02`, `0xDF21`, `0x7F21`, `0xFF20`, `0x5F4E`. */
  readonly tag: number;
  /** Tag class from the first tag byte. */
  readonly tagClass: TlvTagClass;
  /** Tag number (the tag without class and constructed bits), e.g. `0x21` for `DF21`. */
  readonly tagNumber: number;
  /** Whether bit 6 of the first tag byte is set. */
  readonly constructed: boolean;
  /** Offset of the first tag byte in the decoded input. */
  readonly offset: number;
  /** Bytes of tag plus length field. */
  readonly headerLength: number;
  /** Content length in bytes. For an indefinite length (BER) it excludes the end-of-contents bytes. */
  readonly length: number;
  /** Whether the length was encoded in the indefinite form (BER only). */
  readonly indefinite: boolean;
  /** Bytes the whole object takes: header, content and, for an indefinite length, `00 00`. */
  readonly totalLength: number;
  /** Content bytes as a view of the input (no copy). Excludes the end-of-contents of an indefinite length. */
  readonly value: Uint8Array;
  /** The whole encoding (header, content, end-of-contents) as a view of the input, e.g. a certificate's TBS part. */
  readonly encoded: Uint8Array;
  /**
   * Child nodes of a constructed node, created on first access and cached. Empty for primitive
   * nodes and for nodes whose tag was listed in `opaqueTags`.
   */
  readonly children: readonly TlvNode[];
}

const EMPTY: readonly TlvNode[] = Object.freeze([]);

/** State shared by all nodes of one decoded buffer. */
export class TlvTree {
  /** The decoded input. */
  declare readonly bytes: Uint8Array;
  /** Tags not descended into, or `null`. */
  declare readonly opaqueTags: readonly number[] | null;
  /** Content lengths of indefinite-length nodes, keyed by content start offset (BER only). */
  declare indefinite: Map<number, number> | null;
  // `bytes.buffer` and `bytes.byteOffset`, fetched on the first view: the `buffer` getter costs
  // as much as a view, and validation alone never needs it.
  declare private buffer: ArrayBufferLike | null;
  declare private byteOffset: number;

  constructor(bytes: Uint8Array, opaqueTags: readonly number[] | null) {
    this.bytes = bytes;
    this.opaqueTags = opaqueTags;
    this.indefinite = null;
    this.buffer = null;
    this.byteOffset = 0;
  }

  /** A view of `length` input bytes from `start` (no copy). */
  view(start: number, length: number): Uint8Array {
    let buffer = this.buffer;
    if (buffer === null) {
      buffer = this.buffer = this.bytes.buffer;
      this.byteOffset = this.bytes.byteOffset;
    }
    return new Uint8Array(buffer, this.byteOffset + start, length);
  }
}

/** Node implementation: fields are filled from the (already validated) header. */
class LazyTlvNode implements TlvNode {
  // `declare`: plain assignments in the constructor, no define-semantics field initialisers.
  declare readonly tree: TlvTree;
  declare readonly tag: number;
  declare readonly offset: number;
  declare readonly headerLength: number;
  declare readonly length: number;
  declare readonly constructed: boolean;
  declare readonly indefinite: boolean;
  declare private cachedValue: Uint8Array | undefined;
  declare private cachedChildren: readonly TlvNode[] | undefined;

  constructor(
    tree: TlvTree,
    tag: number,
    offset: number,
    headerLength: number,
    length: number,
    constructed: boolean,
    indefinite: boolean,
  ) {
    this.tree = tree;
    this.tag = tag;
    this.offset = offset;
    this.headerLength = headerLength;
    this.length = length;
    this.constructed = constructed;
    this.indefinite = indefinite;
    this.cachedValue = undefined;
    this.cachedChildren = undefined;
  }

  get tagClass(): TlvTagClass {
    return TAG_CLASSES[this.tree.bytes[this.offset]! >> 6]!;
  }

  get tagNumber(): number {
    const first = this.tree.bytes[this.offset]!;
    if ((first & 0x1f) !== 0x1f) return first & 0x1f;
    let n = 0;
    for (let p = this.offset + 1; ; p++) {
      const b = this.tree.bytes[p]!;
      n = n * 128 + (b & 0x7f);
      if ((b & 0x80) === 0) return n;
    }
  }

  get totalLength(): number {
    return this.indefinite
      ? this.headerLength + this.length + 2
      : this.headerLength + this.length;
  }

  get value(): Uint8Array {
    let v = this.cachedValue;
    if (v === undefined) {
      v = this.tree.view(this.offset + this.headerLength, this.length);
      this.cachedValue = v;
    }
    return v;
  }

  get encoded(): Uint8Array {
    return this.tree.view(this.offset, this.totalLength);
  }

  get children(): readonly TlvNode[] {
    let c = this.cachedChildren;
    if (c === undefined) {
      if (!this.constructed || this.length === 0 || isOpaque(this.tree.opaqueTags, this.tag)) c = EMPTY;
      else {
        const start = this.offset + this.headerLength;
        c = materialiseRange(this.tree, start, start + this.length);
      }
      this.cachedChildren = c;
    }
    return c;
  }
}

/** Whether `tag` is in the (small) opaque list. */
export function isOpaque(opaqueTags: readonly number[] | null, tag: number): boolean {
  if (opaqueTags === null) return false;
  for (let i = 0; i < opaqueTags.length; i++) if (opaqueTags[i] === tag) return true;
  return false;
}

/** Make the node whose header starts at `pos` (the header is known to be valid). */
export function materialiseNode(tree: TlvTree, pos: number): LazyTlvNode {
  const bytes = tree.bytes;
  const b0 = bytes[pos]!;
  let p = pos + 1;
  let tag = b0;
  if ((b0 & 0x1f) === 0x1f) {
    let b = bytes[p++]!;
    tag = (tag << 8) | b;
    if (b >= 0x80) {
      b = bytes[p++]!;
      tag = (tag << 8) | b;
      if (b >= 0x80) tag = tag * 256 + bytes[p++]!;
    }
  }
  let length = bytes[p++]!;
  let indefinite = false;
  if (length > 0x80) {
    if (length === 0x81) {
      length = bytes[p++]!;
    } else if (length === 0x82) {
      length = (bytes[p]! << 8) | bytes[p + 1]!;
      p += 2;
    } else {
      let k = length & 0x7f;
      length = 0;
      while (k-- > 0) length = length * 256 + bytes[p++]!;
    }
  } else if (length === 0x80) {
    indefinite = true;
    length = tree.indefinite?.get(p) ?? 0;
  }
  return new LazyTlvNode(tree, tag, pos, p - pos, length, (b0 & 0x20) !== 0, indefinite);
}

/** Offset after the (validated) object `node`. */
function endOf(node: LazyTlvNode): number {
  return node.indefinite ? node.offset + node.headerLength + node.length + 2 : node.offset + node.headerLength + node.length;
}

/**
 * Nodes of the consecutive (validated) objects in `[start, end)`, each header read once.
 * The first four go straight into an array literal, which V8 allocates inline (most
 * constructed nodes of certificates and card records have one to four children); no shared
 * scratch array either, whose stores of new nodes would pay V8's old-to-new write barrier.
 */
function materialiseRange(tree: TlvTree, start: number, end: number): TlvNode[] {
  const a = materialiseNode(tree, start);
  let pos = endOf(a);
  if (pos >= end) return [a];
  const b = materialiseNode(tree, pos);
  pos = endOf(b);
  if (pos >= end) return [a, b];
  const c = materialiseNode(tree, pos);
  pos = endOf(c);
  if (pos >= end) return [a, b, c];
  const d = materialiseNode(tree, pos);
  pos = endOf(d);
  if (pos >= end) return [a, b, c, d];
  // Longer lists (an FF20 record has five): count first, then fill an exact-size array (growing
  // a literal by `push` reallocates its backing store).
  let count = 4;
  for (let p = pos; p < end; p = skipObject(tree, p)) count++;
  const out = new Array<TlvNode>(count);
  out[0] = a;
  out[1] = b;
  out[2] = c;
  out[3] = d;
  for (let i = 4; i < count; i++) {
    const node = materialiseNode(tree, pos);
    out[i] = node;
    pos = endOf(node);
  }
  return out;
}

/** Offset after the (validated) object whose header starts at `pos`, without making a node. */
function skipObject(tree: TlvTree, pos: number): number {
  const bytes = tree.bytes;
  let p = pos + 1;
  if ((bytes[pos]! & 0x1f) === 0x1f) while (bytes[p++]! >= 0x80);
  let length = bytes[p++]!;
  if (length === 0x80) return p + (tree.indefinite?.get(p) ?? 0) + 2;
  if (length > 0x80) {
    let k = length & 0x7f;
    length = 0;
    while (k-- > 0) length = length * 256 + bytes[p++]!;
  }
  return p + length;
}
