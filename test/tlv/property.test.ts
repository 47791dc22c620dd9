import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  decodeTlv,
  encodeTlv,
  readTlvBitString,
  readTlvBoolean,
  readTlvHeader,
  readTlvInteger,
  readTlvOid,
  readTlvString,
  readTlvTime,
  tlvCursor,
  validateTlv,
  TlvError,
  type DecodeTlvOptions,
  type TlvCursor,
  type TlvNode,
} from '../../src/tlv/index.js';

const CODES = ['truncated', 'length-overflow', 'indefinite-in-der', 'non-minimal-length', 'depth-exceeded', 'trailing-bytes', 'bad-tag', 'bad-value'];

const REAL_CERTS = [
  'real-auth-leaf-2019-issued-by-authca01__my-number-myna.der',
  'real-auth-leaf-2020-issued-by-authca02__mynawallet-myna_cert.der',
  'real-auth-leaf-2020-issued-by-authca02__siketyan-keychain.der',
  'real-auth-leaf-2023-issued-by-authca02__mynawallet-myna_new_cert.der',
  'synthetic-sign-leaf-fake-jlis-issuer__mynawallet-dummy_secret_cert.der',
].map((file) => new Uint8Array(readFileSync(new URL(`../vectors/certs/${file}`, import.meta.url))));

// ---- arbitrary trees

type Tree =
  | { readonly kind: 'primitive'; readonly tag: number; readonly value: Uint8Array }
  | { readonly kind: 'constructed'; readonly tag: number; readonly children: readonly Tree[]; readonly indefinite: boolean };

/** A DER-valid tag: single byte below 31 (never universal 0), else the minimal long form. */
const tag = (constructed: boolean): fc.Arbitrary<number> =>
  fc.tuple(fc.integer({ min: 0, max: 3 }), fc.oneof(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 31, max: 0x1fffff })))
    .filter(([cls, n]) => !(cls === 0 && n === 0))
    .map(([cls, n]) => {
      const first = (cls << 6) | (constructed ? 0x20 : 0);
      if (n < 31) return first | n;
      const rest = [n & 0x7f];
      for (let v = n >> 7; v > 0; v >>= 7) rest.unshift((v & 0x7f) | 0x80);
      return [first | 0x1f, ...rest].reduce((t, b) => t * 256 + b, 0);
    });

const tree: fc.Arbitrary<Tree> = fc.letrec<{ node: Tree }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({
      kind: fc.constant('primitive' as const),
      tag: tag(false),
      value: fc.oneof(fc.uint8Array({ maxLength: 20 }), fc.uint8Array({ minLength: 120, maxLength: 300 })),
    }),
    fc.record({
      kind: fc.constant('constructed' as const),
      tag: tag(true),
      children: fc.array(tie('node'), { maxLength: 4 }),
      indefinite: fc.boolean(),
    }),
  ),
})).node;

function encode(t: Tree, ber: boolean): Uint8Array {
  if (t.kind === 'primitive') return encodeTlv(t.tag, t.value);
  const children = t.children.map((c) => encode(c, ber));
  if (!(ber && t.indefinite)) return encodeTlv(t.tag, children);
  const tagBytes = encodeTlv(t.tag, new Uint8Array(0)).subarray(0, -1);
  const size = tagBytes.length + 1 + children.reduce((n, c) => n + c.length, 0) + 2;
  const out = new Uint8Array(size);
  out.set(tagBytes);
  out[tagBytes.length] = 0x80;
  let at = tagBytes.length + 1;
  for (const c of children) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

function expectSame(node: TlvNode, t: Tree, bytes: Uint8Array, ber: boolean): void {
  expect(node.tag).toBe(t.tag);
  expect(node.constructed).toBe(t.kind === 'constructed');
  expect([...node.encoded]).toEqual([...encode(t, ber)]);
  expect(node.encoded.buffer).toBe(bytes.buffer);
  if (t.kind === 'primitive') {
    expect([...node.value]).toEqual([...t.value]);
    expect(node.children).toEqual([]);
  } else {
    expect(node.indefinite).toBe(ber && t.indefinite);
    expect(node.children).toHaveLength(t.children.length);
    let offset = node.offset + node.headerLength;
    node.children.forEach((child, i) => {
      expect(child.offset).toBe(offset);
      offset += child.totalLength;
      expectSame(child, t.children[i]!, bytes, ber);
    });
    expect(offset).toBe(node.offset + node.headerLength + node.length);
  }
}

const READERS = [readTlvInteger, readTlvOid, readTlvString, readTlvTime, readTlvBoolean, readTlvBitString];

/** Walk everything and call every reader; only TlvError may escape a reader. Plain checks (hot). */
function exercise(nodes: readonly TlvNode[], bytes: Uint8Array): number {
  let count = 0;
  const stack = [...nodes];
  while (stack.length > 0) {
    const n = stack.pop()!;
    count++;
    if (n.offset + n.totalLength > bytes.length) throw new Error(`node at ${n.offset} extends past the input`);
    if (n.value.byteOffset + n.value.length > bytes.byteOffset + bytes.length) throw new Error('value out of bounds');
    if (n.encoded.length !== n.totalLength) throw new Error('encoded length differs from totalLength');
    if (!['universal', 'application', 'context', 'private'].includes(n.tagClass) || !(n.tagNumber >= 0)) {
      throw new Error('bad tag class or number');
    }
    for (const read of READERS) {
      try {
        read(n);
      } catch (error) {
        if (!(error instanceof TlvError) || !CODES.includes(error.code)) throw error;
      }
    }
    stack.push(...n.children);
  }
  return count;
}

const options: fc.Arbitrary<DecodeTlvOptions> = fc.record({
  mode: fc.constantFrom('der' as const, 'ber' as const),
  maxDepth: fc.integer({ min: 1, max: 10 }),
  allowTrailing: fc.boolean(),
  opaqueTags: fc.constantFrom([], [0x30], [0xff10, 0xa0]),
});

/** Decode; on failure, check that only a well-formed TlvError was thrown. */
function decodeOrError(bytes: Uint8Array, opts: DecodeTlvOptions): TlvNode[] | TlvError {
  try {
    return decodeTlv(bytes, opts);
  } catch (error) {
    expect(error).toBeInstanceOf(TlvError);
    const e = error as TlvError;
    expect(CODES).toContain(e.code);
    expect(e.offset).toBeGreaterThanOrEqual(0);
    expect(e.offset).toBeLessThanOrEqual(bytes.length);
    return e;
  }
}

describe('TLV properties', () => {
  it('decode(encode(tree)) returns the tree (DER)', () => {
    fc.assert(fc.property(fc.array(tree, { minLength: 1, maxLength: 3 }), (trees) => {
      const parts = trees.map((t) => encode(t, false));
      const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        bytes.set(p, at);
        at += p.length;
      }
      const nodes = decodeTlv(bytes, { maxDepth: 1000 });
      expect(nodes).toHaveLength(trees.length);
      nodes.forEach((n, i) => expectSame(n, trees[i]!, bytes, false));
      expect(validateTlv(bytes, { maxDepth: 1000 })).toBe(trees.length);
      expect(readTlvHeader(bytes, 0, { mode: 'der' }).totalLength).toBe(nodes[0]!.totalLength);
    }), { numRuns: 500 });
  });

  it('decode(encode(tree)) returns the tree with indefinite lengths (BER)', () => {
    fc.assert(fc.property(tree, (t) => {
      const bytes = encode(t, true);
      const [node, ...rest] = decodeTlv(bytes, { mode: 'ber', maxDepth: 1000 });
      expect(rest).toEqual([]);
      expectSame(node!, t, bytes, true);
    }), { numRuns: 500 });
  });

  it('arbitrary bytes produce nodes or a TlvError, never another exception', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), options, (bytes, opts) => {
      const result = decodeOrError(bytes, opts);
      let count: number | TlvError;
      try {
        count = validateTlv(bytes, opts);
      } catch (error) {
        count = error as TlvError;
      }
      if (result instanceof TlvError) {
        expect(count).toBeInstanceOf(TlvError);
        expect([(count as TlvError).code, (count as TlvError).offset]).toEqual([result.code, result.offset]);
      } else {
        expect(count).toBe(result.length);
        exercise(result, bytes);
      }
      try {
        readTlvHeader(bytes, 0, { mode: opts.mode ?? 'der' });
      } catch (error) {
        expect(error).toBeInstanceOf(TlvError);
      }
    }), { numRuns: 5000 });
  });

  it('mutated encodings (TLV-shaped noise) produce nodes or a TlvError', () => {
    const mutation = fc.record({
      at: fc.nat(),
      kind: fc.constantFrom('set', 'insert', 'delete'),
      byte: fc.constantFrom(0x00, 0x80, 0x81, 0x82, 0x84, 0x8f, 0xff, 0x1f, 0x30, 0x7f),
    });
    fc.assert(fc.property(tree, fc.array(mutation, { minLength: 1, maxLength: 4 }), options, (t, mutations, opts) => {
      const bytes = [...encode(t, opts.mode === 'ber')];
      for (const m of mutations) {
        if (bytes.length === 0) break;
        const at = m.at % bytes.length;
        if (m.kind === 'set') bytes[at] = m.byte;
        else if (m.kind === 'insert') bytes.splice(at, 0, m.byte);
        else bytes.splice(at, 1);
      }
      const input = Uint8Array.from(bytes);
      const result = decodeOrError(input, opts);
      if (!(result instanceof TlvError)) exercise(result, input);
    }), { numRuns: 3000 });
  });

  it('every truncation of real certificates is `truncated` at offset 0', () => {
    for (const cert of REAL_CERTS) {
      for (let n = 1; n < cert.length; n++) {
        const prefix = cert.subarray(0, n);
        try {
          decodeTlv(prefix);
          expect.unreachable(`prefix ${n}`);
        } catch (error) {
          expect(error).toBeInstanceOf(TlvError);
          expect([(error as TlvError).code, (error as TlvError).offset]).toEqual(['truncated', 0]);
        }
      }
    }
  });

  it('every truncation of a certificate’s TBS part, re-framed, fails inside it with a TlvError', () => {
    const cert = REAL_CERTS[0]!;
    const tbs = decodeTlv(cert)[0]!.children[0]!;
    const content = tbs.value;
    fc.assert(fc.property(fc.integer({ min: 0, max: content.length - 1 }), (cut) => {
      // A correct outer header around a cut inner content: the error is inside.
      const framed = encodeTlv(0x30, content.subarray(0, cut));
      const result = decodeOrError(framed, {});
      if (!(result instanceof TlvError)) exercise(result, framed);
    }), { numRuns: 1000 });
  });

  it('single-byte changes to a real certificate produce nodes or a TlvError', () => {
    const cert = REAL_CERTS[0]!;
    fc.assert(fc.property(fc.integer({ min: 0, max: cert.length - 1 }), fc.integer({ min: 0, max: 255 }), options, (at, value, opts) => {
      const copy = cert.slice();
      copy[at] = value;
      const result = decodeOrError(copy, opts);
      if (!(result instanceof TlvError)) exercise(result, copy);
    }), { numRuns: 1000 });
  });
});

// ---- the cursor walk and the node walk agree

/** What a walk sees of one node. */
type Seen = [number, number, number, number, number, number, boolean, boolean, string, string];

function seenOfNodes(nodes: readonly TlvNode[], depth = 0, out: Seen[] = []): Seen[] {
  for (const n of nodes) {
    out.push([n.offset, depth, n.tag, n.headerLength, n.length, n.totalLength, n.indefinite, n.constructed, n.tagClass, Buffer.from(n.value).toString('hex')]);
    seenOfNodes(n.children, depth + 1, out);
  }
  return out;
}

const seenOfCursor = (c: TlvCursor): Seen => {
  const v = c.value;
  expect(c.valueOffset).toBe(c.offset + c.headerLength);
  expect(c.encoded.length).toBe(c.totalLength);
  return [c.offset, c.depth, c.tag, c.headerLength, c.length, c.totalLength, c.indefinite, c.constructed, c.tagClass, Buffer.from(v).toString('hex')];
};

/** firstChild / nextSibling / parent, depth first. */
function navigateAll(c: TlvCursor): Seen[] {
  const out: Seen[] = [];
  for (;;) {
    out.push(seenOfCursor(c));
    if (c.firstChild()) continue;
    while (!c.nextSibling()) if (!c.parent()) return out;
  }
}

function stepAll(c: TlvCursor): Seen[] {
  const out: Seen[] = [];
  do out.push(seenOfCursor(c));
  while (c.next());
  return out;
}

/** Both cursor walks equal the node walk, or both decoders throw the same TlvError. */
function expectCursorAgrees(bytes: Uint8Array, opts: DecodeTlvOptions): void {
  const nodes = decodeOrError(bytes, opts);
  let cursor: TlvCursor | TlvError;
  try {
    cursor = tlvCursor(bytes, opts);
  } catch (error) {
    expect(error).toBeInstanceOf(TlvError);
    cursor = error as TlvError;
  }
  if (nodes instanceof TlvError || (Array.isArray(nodes) && nodes.length === 0)) {
    expect(cursor).toBeInstanceOf(TlvError);
    const expected = nodes instanceof TlvError ? ['' + nodes.code, nodes.offset] : ['truncated', 0];
    expect([(cursor as TlvError).code, (cursor as TlvError).offset]).toEqual(expected);
    return;
  }
  expect(cursor).not.toBeInstanceOf(TlvError);
  const c = cursor as TlvCursor;
  const expected = seenOfNodes(nodes);
  expect(navigateAll(c)).toEqual(expected);
  c.reset();
  expect(stepAll(c)).toEqual(expected);
  c.reset();
  expect(c.node().encoded).toEqual(nodes[0]!.encoded);
}

describe('tlvCursor agrees with the node walk', () => {
  it('on random DER and BER trees, several top-level objects, with and without opaque tags', () => {
    fc.assert(fc.property(fc.array(tree, { minLength: 1, maxLength: 3 }), fc.boolean(), fc.constantFrom([], [0x30], [0xa0, 0x31]), (trees, ber, opaqueTags) => {
      const parts = trees.map((t) => encode(t, ber));
      const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        bytes.set(p, at);
        at += p.length;
      }
      expectCursorAgrees(bytes, { mode: ber ? 'ber' : 'der', maxDepth: 1000, opaqueTags });
    }), { numRuns: 1000 });
  });

  it('on mutated encodings and arbitrary bytes, with random options', () => {
    const mutation = fc.record({
      at: fc.nat(),
      byte: fc.constantFrom(0x00, 0x80, 0x81, 0x82, 0x84, 0xff, 0x1f, 0x30, 0xa0),
    });
    fc.assert(fc.property(tree, fc.array(mutation, { maxLength: 3 }), options, (t, mutations, opts) => {
      const bytes = [...encode(t, opts.mode === 'ber')];
      for (const m of mutations) bytes[m.at % bytes.length] = m.byte;
      expectCursorAgrees(Uint8Array.from(bytes), opts);
    }), { numRuns: 2000 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), options, (bytes, opts) => {
      expectCursorAgrees(bytes, opts);
    }), { numRuns: 2000 });
  });

  it('on the real certificates, with and without trailing filler', () => {
    for (const cert of REAL_CERTS) {
      expectCursorAgrees(cert, {});
      const padded = new Uint8Array(cert.length + 3).fill(0xff);
      padded.set(cert);
      expectCursorAgrees(padded, { allowTrailing: true });
      expectCursorAgrees(padded, {});
    }
  });
});
