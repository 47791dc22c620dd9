/**
 * An allocation-free walk over validated TLV: one cursor object moves from node to node (first
 * child, next sibling, parent) and exposes the header of the node it stands on; a `value` view is
 * made only when asked for. The same validation as {@link decodeTlv}, without node objects.
 * @packageDocumentation
 */
import { InvalidArgumentError } from '../errors.js';
import { validateForCursor, validatedEnd, type DecodeTlvOptions } from './decode.js';
import { TlvError } from './errors.js';
import { isOpaque, materialiseNode, tlvTagClassOf, TlvTree, type TlvNode, type TlvTagClass } from './node.js';

/**
 * A position in a validated TLV buffer, made by {@link tlvCursor}. It starts on the first
 * top-level object; {@link TlvCursor.firstChild}, {@link TlvCursor.nextSibling} and
 * {@link TlvCursor.parent} move it and return whether they did (it stays put when they return
 * `false`). Moving never throws and allocates nothing: the framing was validated up front.
 *
 * A full depth-first walk:
 * ```ts
 * const c = tlvCursor(der);
 * do {
 *   visit(c.tag, c.length);
 *   if (c.firstChild()) continue;
 *   while (!c.nextSibling()) if (!c.parent()) return;
 * } while (true);
 * ```
 * Byte arrays are views of the input (zero copy): keep it unchanged while the cursor is in use.
 */
export class TlvCursor {
  /** Opaque tags and indefinite lengths; `null` for DER without opaque tags until {@link node} needs one. */
  declare private tree: TlvTree | null;
  declare private readonly bytes: Uint8Array;
  declare private readonly opaque: readonly number[] | null;
  /**
   * Per ancestor, three numbers: its offset, its end, and the bound of its own level:
   * `[offset0, end0, bound0, offset1, …]`.
   */
  declare private readonly stack: number[];
  declare private level: number;
  /** Where the current level's objects end: the parent's content end, or the top-level region's. */
  declare private bound: number;
  declare private at: number;
  declare private tagValue: number;
  declare private header: number;
  declare private contentLength: number;
  /** Offset after the current object (its next sibling, if any). */
  declare private end: number;
  declare private buffer: ArrayBufferLike | null;
  declare private byteOffset: number;

  /** @internal Use {@link tlvCursor}. */
  constructor(bytes: Uint8Array, tree: TlvTree | null, limit: number) {
    this.tree = tree;
    this.bytes = bytes;
    this.opaque = tree === null ? null : tree.opaqueTags;
    // Room for eight levels without growing the array (certificates nest six deep).
    this.stack = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    this.level = 0;
    this.bound = limit;
    this.at = 0;
    this.tagValue = 0;
    this.header = 0;
    this.contentLength = 0;
    this.end = 0;
    this.buffer = null;
    this.byteOffset = 0;
    this.read(0);
  }

  /** All tag bytes as one unsigned integer (`0x30`, `0xDF21`, `0xFF20`), as {@link TlvNode.tag}. */
  get tag(): number {
    return this.tagValue;
  }

  /** Tag class from the first tag byte. */
  get tagClass(): TlvTagClass {
    return tlvTagClassOf(this.bytes[this.at]!);
  }

  /** Whether bit 6 of the first tag byte is set. */
  get constructed(): boolean {
    return (this.bytes[this.at]! & 0x20) !== 0;
  }

  /** Offset of the first tag byte in the input. */
  get offset(): number {
    return this.at;
  }

  /** Bytes of tag plus length field. */
  get headerLength(): number {
    return this.header;
  }

  /** Content length in bytes (for an indefinite length, without the end-of-contents). */
  get length(): number {
    return this.contentLength;
  }

  /** Whether the length was encoded in the indefinite form (BER only). */
  get indefinite(): boolean {
    return this.end !== this.at + this.header + this.contentLength;
  }

  /** Offset of the first content byte in the input. */
  get valueOffset(): number {
    return this.at + this.header;
  }

  /** Bytes the whole object takes: header, content and, for an indefinite length, `00 00`. */
  get totalLength(): number {
    return this.end - this.at;
  }

  /** Nesting depth: 0 for a top-level object. */
  get depth(): number {
    return this.level;
  }

  /** The content bytes as a new view of the input (no copy), made on each access. */
  get value(): Uint8Array {
    return this.view(this.at + this.header, this.contentLength);
  }

  /** The whole encoding (header, content, end-of-contents) as a new view of the input. */
  get encoded(): Uint8Array {
    return this.view(this.at, this.end - this.at);
  }

  /**
   * Move to the first child. `false` (and no move) for a primitive node, an empty constructed
   * node, or a node whose tag was listed in `opaqueTags`.
   */
  firstChild(): boolean {
    if ((this.bytes[this.at]! & 0x20) === 0 || this.contentLength === 0) return false;
    const opaque = this.opaque;
    if (opaque !== null && isOpaque(opaque, this.tagValue)) return false;
    const stack = this.stack;
    const i = this.level * 3;
    stack[i] = this.at;
    stack[i + 1] = this.end;
    stack[i + 2] = this.bound;
    this.level++;
    const start = this.at + this.header;
    this.bound = start + this.contentLength;
    this.read(start);
    return true;
  }

  /** Move to the next node under the same parent (or the next top-level object). `false` at the last one. */
  nextSibling(): boolean {
    const next = this.end;
    if (next >= this.bound) return false;
    this.read(next);
    return true;
  }

  /** Move to the parent node. `false` on a top-level object. */
  parent(): boolean {
    if (this.level === 0) return false;
    const i = --this.level * 3;
    this.bound = this.stack[i + 2]!;
    this.read(this.stack[i]!);
    return true;
  }

  /**
   * Move to the next node in document order (depth first): the first child, else the next
   * sibling, else the next sibling of the nearest ancestor that has one. `false` (and no move)
   * after the last node. `do { … } while (c.next())` visits every node; {@link depth} tells
   * the nesting.
   */
  next(): boolean {
    if (this.firstChild()) return true;
    let pos = this.end;
    let bound = this.bound;
    let level = this.level;
    const stack = this.stack;
    while (pos >= bound) {
      if (level === 0) return false;
      const i = --level * 3;
      pos = stack[i + 1]!;
      bound = stack[i + 2]!;
    }
    this.level = level;
    this.bound = bound;
    this.read(pos);
    return true;
  }

  /** Move back to the first top-level object. */
  reset(): void {
    if (this.level > 0) this.bound = this.stack[2]!;
    this.level = 0;
    this.read(0);
  }

  /**
   * A {@link TlvNode} for the node the cursor stands on, to hand to the typed readers
   * (`readTlvInteger`, `readTlvOid`, …). Allocates one node; its children are lazy as usual.
   */
  node(): TlvNode {
    return materialiseNode((this.tree ??= new TlvTree(this.bytes, null)), this.at);
  }

  /**
   * Read the (validated) header at `pos`. Small, so that V8 inlines it into each move of a
   * caller's walk (its inlining budget is per optimised function): a one-byte tag with a length
   * below 64 KiB here, the rest in {@link readRare}.
   */
  private read(pos: number): void {
    const bytes = this.bytes;
    const tag = bytes[pos]!;
    let length = bytes[pos + 1]!;
    let p = pos + 2;
    if ((tag & 0x1f) === 0x1f) return this.readRare(pos);
    if (length >= 0x80) {
      if (length === 0x81) length = bytes[p++]!;
      else if (length === 0x82) {
        length = (bytes[p]! << 8) | bytes[p + 1]!;
        p += 2;
      } else return this.readRare(pos);
    }
    this.at = pos;
    this.tagValue = tag;
    this.header = p - pos;
    this.contentLength = length;
    this.end = p + length;
  }

  /** {@link read} for any header: long tags, long lengths, indefinite lengths. */
  private readRare(pos: number): void {
    const bytes = this.bytes;
    const b0 = bytes[pos]!;
    let p = pos + 1;
    let tag = b0;
    if ((b0 & 0x1f) === 0x1f) {
      for (;;) {
        const b = bytes[p++]!;
        tag = tag * 256 + b;
        if (b < 0x80) break;
      }
    }
    let length = bytes[p++]!;
    let end: number;
    if (length === 0x80) {
      length = this.tree?.indefinite?.get(p) ?? 0;
      end = p + length + 2;
    } else {
      if (length > 0x80) {
        let k = length & 0x7f;
        length = 0;
        while (k-- > 0) length = length * 256 + bytes[p++]!;
      }
      end = p + length;
    }
    this.at = pos;
    this.tagValue = tag;
    this.header = p - pos;
    this.contentLength = length;
    this.end = end;
  }

  private view(start: number, length: number): Uint8Array {
    let buffer = this.buffer;
    if (buffer === null) {
      // `buffer` and `byteOffset` once per cursor: the getter costs as much as a view.
      buffer = this.buffer = this.bytes.buffer;
      this.byteOffset = this.bytes.byteOffset;
    }
    return new Uint8Array(buffer, this.byteOffset + start, length);
  }
}

/**
 * Validate `bytes` like {@link decodeTlv} (same options, rules and errors) and return a cursor on
 * the first top-level object, for walking the tree without node objects.
 *
 * @throws TlvError on malformed framing, and `truncated` at offset 0 for empty input (there is
 *   no object to stand on).
 * @throws InvalidArgumentError on bad options.
 */
export function tlvCursor(bytes: Uint8Array, options?: DecodeTlvOptions): TlvCursor {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('tlvCursor expects a Uint8Array');
  const tree = validateForCursor(bytes, options);
  if (bytes.length === 0) throw new TlvError('truncated', 0);
  return new TlvCursor(bytes, tree, validatedEnd());
}
