import { describe, expect, it } from 'vitest';
import { fromHex } from '../../src/bytes.js';
import { MynacardError } from '../../src/errors.js';
import {
  decodeTlv,
  validateTlv,
  TlvError,
  type DecodeTlvOptions,
  type TlvErrorCode,
  type TlvNode,
} from '../../src/tlv/index.js';

function expectTlvError(fn: () => unknown, code: TlvErrorCode, offset: number): void {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(TlvError);
  expect(caught).toBeInstanceOf(MynacardError);
  expect((caught as TlvError).code).toBe(code);
  expect((caught as TlvError).offset).toBe(offset);
}

function decodeError(hex: string, code: TlvErrorCode, offset: number, options?: DecodeTlvOptions): void {
  const bytes = fromHex(hex);
  expectTlvError(() => decodeTlv(bytes, options), code, offset);
  expectTlvError(() => validateTlv(bytes, options), code, offset);
}

const shape = (n: TlvNode): object => ({
  tag: n.tag,
  tagClass: n.tagClass,
  tagNumber: n.tagNumber,
  constructed: n.constructed,
  offset: n.offset,
  headerLength: n.headerLength,
  length: n.length,
  totalLength: n.totalLength,
  indefinite: n.indefinite,
});

describe('decodeTlv: tags and positions', () => {
  it('decodes multi-byte tags (FF20, DF21, 5F4E, 7F21, 9F1F) with class, number and offsets', () => {
    const bytes = fromHex('FF200F DF2102000E 5F4E01AA 7F2103 9F1F00');
    const [root, ...rest] = decodeTlv(bytes);
    expect(rest).toEqual([]);
    expect(shape(root!)).toEqual({
      tag: 0xff20, tagClass: 'private', tagNumber: 0x20, constructed: true,
      offset: 0, headerLength: 3, length: 15, totalLength: 18, indefinite: false,
    });
    const [df21, a5f4e, a7f21] = root!.children;
    expect(root!.children).toHaveLength(3);
    expect(shape(df21!)).toEqual({
      tag: 0xdf21, tagClass: 'private', tagNumber: 0x21, constructed: false,
      offset: 3, headerLength: 3, length: 2, totalLength: 5, indefinite: false,
    });
    expect([...df21!.value]).toEqual([0x00, 0x0e]);
    expect(df21!.children).toEqual([]);
    expect(shape(a5f4e!)).toEqual({
      tag: 0x5f4e, tagClass: 'application', tagNumber: 0x4e, constructed: false,
      offset: 8, headerLength: 3, length: 1, totalLength: 4, indefinite: false,
    });
    expect([...a5f4e!.value]).toEqual([0xaa]);
    expect(shape(a7f21!)).toEqual({
      tag: 0x7f21, tagClass: 'application', tagNumber: 0x21, constructed: true,
      offset: 12, headerLength: 3, length: 3, totalLength: 6, indefinite: false,
    });
    expect(a7f21!.children.map(shape)).toEqual([{
      tag: 0x9f1f, tagClass: 'context', tagNumber: 0x1f, constructed: false,
      offset: 15, headerLength: 3, length: 0, totalLength: 3, indefinite: false,
    }]);
  });

  it('decodes three- and four-byte tags; a four-byte tag is an unsigned 32-bit integer', () => {
    const [three] = decodeTlv(fromHex('DF810100'));
    expect(three!.tag).toBe(0xdf8101);
    expect(three!.tagNumber).toBe(129);
    expect(three!.headerLength).toBe(4);
    const [four] = decodeTlv(fromHex('DF81810101AB'));
    expect(four!.tag).toBe(0xdf818101);
    expect(four!.tag).toBe(3749806337);
    expect(four!.tagNumber).toBe(16513);
    expect(four!.headerLength).toBe(5);
    expect([...four!.value]).toEqual([0xab]);
  });

  it('decodes several top-level objects and universal/context classes', () => {
    const nodes = decodeTlv(fromHex('020105 A003020106 0400'));
    expect(nodes.map((n) => [n.tag, n.tagClass, n.offset, n.length])).toEqual([
      [0x02, 'universal', 0, 1],
      [0xa0, 'context', 3, 3],
      [0x04, 'universal', 8, 0],
    ]);
    expect(nodes[1]!.children.map((c) => [c.tag, c.offset, [...c.value]])).toEqual([[0x02, 5, [0x06]]]);
  });

  it('returns no nodes for empty input', () => {
    expect(decodeTlv(new Uint8Array(0))).toEqual([]);
    expect(validateTlv(new Uint8Array(0))).toBe(0);
  });

  it('reads long-form lengths 81, 82, 83 and 84', () => {
    for (const [hexLength, length] of [['8180', 0x80], ['82 0100', 0x100], ['83 010000', 0x10000], ['84 01000000', 0x1000000]] as const) {
      const header = fromHex('04' + hexLength);
      const bytes = new Uint8Array(header.length + length);
      bytes.set(header);
      bytes[bytes.length - 1] = 0x5a;
      const [node] = decodeTlv(bytes);
      expect(node!.length).toBe(length);
      expect(node!.headerLength).toBe(header.length);
      expect(node!.value[length - 1]).toBe(0x5a);
    }
  });

  it('caches children and value (same objects on every access)', () => {
    const [root] = decodeTlv(fromHex('3006020101020102'));
    expect(root!.children).toBe(root!.children);
    expect(root!.children[0]!.value).toBe(root!.children[0]!.value);
  });
});

describe('decodeTlv: zero copy', () => {
  it('returns value and encoded views into the input buffer at the right byte offsets', () => {
    const backing = new Uint8Array(64);
    backing.set(fromHex('3008 0C03414243 0401FF'), 10);
    const input = backing.subarray(10, 20);
    const [root] = decodeTlv(input);
    const [text, octets] = root!.children;
    expect(root!.value.buffer).toBe(input.buffer);
    expect(root!.value.byteOffset).toBe(12);
    expect(text!.value.buffer).toBe(input.buffer);
    expect(text!.value.byteOffset).toBe(input.byteOffset + text!.offset + text!.headerLength);
    expect(text!.value.byteOffset).toBe(14);
    expect([...text!.value]).toEqual([0x41, 0x42, 0x43]);
    expect(octets!.value.byteOffset).toBe(19);
    expect(text!.encoded.byteOffset).toBe(12);
    expect([...text!.encoded]).toEqual([0x0c, 0x03, 0x41, 0x42, 0x43]);
    // A view, not a copy: a write to the input is visible through it.
    backing[14] = 0x5a;
    expect(text!.value[0]).toBe(0x5a);
  });
});

describe('decodeTlv: error codes and offsets', () => {
  it('truncated: header or content runs past the data or the parent', () => {
    decodeError('30', 'truncated', 0);
    decodeError('DF', 'truncated', 0);
    decodeError('DF81', 'truncated', 0);
    decodeError('3082 01', 'truncated', 0);
    decodeError('3005 020101', 'truncated', 0);
    decodeError('3003 020201', 'truncated', 2);
    decodeError('3004 020101 02', 'truncated', 5);
    decodeError('3004 020101 00', 'bad-tag', 5);
    decodeError('3004 020101 30', 'truncated', 5);
  });

  it('length-overflow: lengths of 2^31 and more, and the reserved length byte FF', () => {
    decodeError('0484 80000000', 'length-overflow', 0);
    decodeError('0485 0080000000', 'length-overflow', 0, { mode: 'ber' });
    decodeError('04FF', 'length-overflow', 0);
    decodeError('3006 0484FFFFFFFF', 'length-overflow', 2);
  });

  it('indefinite-in-der', () => {
    decodeError('3080 020105 0000', 'indefinite-in-der', 0);
    decodeError('3007 3080 020105 0000', 'indefinite-in-der', 2);
  });

  it('non-minimal-length in DER', () => {
    decodeError('048101AA', 'non-minimal-length', 0);
    decodeError('04820001AA', 'non-minimal-length', 0);
    decodeError('0483000100' + '00'.repeat(256), 'non-minimal-length', 0);
    decodeError('3004 048101AA', 'non-minimal-length', 2);
  });

  it('depth-exceeded at the first node that is too deep', () => {
    decodeError('3004 3002 3000', 'depth-exceeded', 4, { maxDepth: 2 });
    decodeError('3003 020105', 'depth-exceeded', 2, { maxDepth: 1 });
    expect(decodeTlv(fromHex('3004 3002 3000'), { maxDepth: 3 })).toHaveLength(1);
    // An empty constructed node at the limit is not descended into.
    expect(decodeTlv(fromHex('3002 3000'), { maxDepth: 2 })).toHaveLength(1);
  });

  it('trailing-bytes: 00/FF padding after the objects', () => {
    decodeError('020105 FFFF', 'trailing-bytes', 3);
    decodeError('020105 00', 'trailing-bytes', 3);
    decodeError('020105 020106 00FF00', 'trailing-bytes', 6);
  });

  it('bad-tag: EOC outside an indefinite length, too-long tags, non-minimal tags in DER', () => {
    decodeError('0000', 'bad-tag', 0);
    decodeError('0000', 'bad-tag', 0, { mode: 'ber' });
    decodeError('3002 0000', 'bad-tag', 2, { mode: 'ber' });
    decodeError('DF81818101 00', 'bad-tag', 0);
    decodeError('9F0501AA', 'bad-tag', 0); // tag number 5 in the long form
    decodeError('FF100100', 'bad-tag', 0); // the card's FF10 (tag number 16) is not DER
    decodeError('9F802101AA', 'bad-tag', 0, { mode: 'der' }); // leading 0x80 tag byte
    decodeError('0480 AA0000', 'bad-tag', 0, { mode: 'ber' }); // indefinite primitive
    decodeError('3080 0001 00', 'bad-tag', 2, { mode: 'ber' }); // EOC with a non-zero length
  });

  it('messages name the problem and offset, never data bytes', () => {
    try {
      decodeTlv(fromHex('0C 05 313233'));
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).toBe('TLV truncated at offset 0: data ends inside a TLV object');
      expect((error as Error).name).toBe('TlvError');
    }
  });
});

describe('decodeTlv: BER', () => {
  it('accepts an indefinite length; length and value exclude the end-of-contents', () => {
    const bytes = fromHex('3080 020105 0000');
    const [root] = decodeTlv(bytes, { mode: 'ber' });
    expect(shape(root!)).toEqual({
      tag: 0x30, tagClass: 'universal', tagNumber: 0x10, constructed: true,
      offset: 0, headerLength: 2, length: 3, totalLength: 7, indefinite: true,
    });
    expect([...root!.value]).toEqual([0x02, 0x01, 0x05]);
    expect([...root!.encoded]).toEqual([...bytes]);
    expect(root!.children.map(shape)).toEqual([{
      tag: 0x02, tagClass: 'universal', tagNumber: 2, constructed: false,
      offset: 2, headerLength: 2, length: 1, totalLength: 3, indefinite: false,
    }]);
  });

  it('nests indefinite lengths, alone and inside definite ones', () => {
    const [outer] = decodeTlv(fromHex('3080 3080 0401AA 0000 0000'), { mode: 'ber' });
    expect([outer!.length, outer!.totalLength]).toEqual([7, 11]);
    const [inner] = outer!.children;
    expect([inner!.offset, inner!.headerLength, inner!.length, inner!.totalLength]).toEqual([2, 2, 3, 7]);
    expect([...inner!.children[0]!.value]).toEqual([0xaa]);

    const [mixed] = decodeTlv(fromHex('3006 3080 0200 0000'), { mode: 'ber' });
    expect(mixed!.length).toBe(6);
    expect(mixed!.children.map((c) => [c.tag, c.indefinite, c.length, c.totalLength])).toEqual([[0x30, true, 2, 6]]);
    const nodes = decodeTlv(fromHex('3080 0000 020107'), { mode: 'ber' });
    expect(nodes.map((n) => [n.tag, n.length, n.totalLength])).toEqual([[0x30, 0, 4], [0x02, 1, 3]]);
  });

  it('reports a missing end-of-contents as truncated', () => {
    decodeError('3080 020105', 'truncated', 5, { mode: 'ber' });
    decodeError('3004 3080 0200 0000', 'truncated', 6, { mode: 'ber' });
  });

  it('accepts non-minimal lengths and long-form low tag numbers', () => {
    const [a] = decodeTlv(fromHex('048101AA'), { mode: 'ber' });
    expect([a!.headerLength, a!.length, a!.value[0]]).toEqual([3, 1, 0xaa]);
    const [b] = decodeTlv(fromHex('0484 00000001 AA'), { mode: 'ber' });
    expect([b!.headerLength, b!.length]).toEqual([6, 1]);
    const [c] = decodeTlv(fromHex('9F0501AA'), { mode: 'ber' });
    expect([c!.tag, c!.tagNumber, c!.tagClass]).toEqual([0x9f05, 5, 'context']);
  });
});

describe('decodeTlv: options', () => {
  it('maxDepth defaults to 64', () => {
    const nest = (levels: number): Uint8Array => {
      let inner = new Uint8Array(0);
      for (let i = 0; i < levels; i++) {
        const next = new Uint8Array(inner.length + (inner.length < 0x80 ? 2 : 3));
        next[0] = 0x30;
        if (inner.length < 0x80) next[1] = inner.length;
        else {
          next[1] = 0x81;
          next[2] = inner.length;
        }
        next.set(inner, next.length - inner.length);
        inner = next;
      }
      return inner;
    };
    // 64 single-child levels are allowed; a 65th (the innermost `30 00`, at the end) is not.
    expect(decodeTlv(nest(64))).toHaveLength(1);
    const deep = nest(65);
    expectTlvError(() => decodeTlv(deep), 'depth-exceeded', deep.length - 2);
    expect(decodeTlv(deep, { maxDepth: 65 })).toHaveLength(1);
  });

  it('allowTrailing stops at padding or at the first object that does not decode', () => {
    expect(decodeTlv(fromHex('020105 FFFF'), { allowTrailing: true }).map((n) => n.offset)).toEqual([0]);
    expect(decodeTlv(fromHex('020105 020106 0000'), { allowTrailing: true }).map((n) => n.offset)).toEqual([0, 3]);
    expect(decodeTlv(fromHex('020105 3005 01'), { allowTrailing: true }).map((n) => n.offset)).toEqual([0]);
    expect(validateTlv(fromHex('020105 3005 01'), { allowTrailing: true })).toBe(1);
    // The first object must decode.
    decodeError('3005 01', 'truncated', 0, { allowTrailing: true });
    decodeError('FFFF', 'truncated', 0, { allowTrailing: true });
  });

  it('opaqueTags: the 個人番号 EF (FF10, constructed bit set, ASCII digits, FF filler)', () => {
    const ef = fromHex('FF100C 313233343536373839303132 FFFF');
    const options: DecodeTlvOptions = { mode: 'ber', opaqueTags: [0xff10], allowTrailing: true };
    const nodes = decodeTlv(ef, options);
    expect(nodes).toHaveLength(1);
    const [node] = nodes;
    expect([node!.tag, node!.constructed, node!.offset, node!.headerLength, node!.length]).toEqual([0xff10, true, 0, 3, 12]);
    expect(node!.children).toEqual([]);
    expect(new TextDecoder().decode(node!.value)).toBe('123456789012');
    // Without the opaque mark the digits are read as TLV: '1' '2' is a SET of 0x32 bytes.
    decodeError('FF100C313233343536373839303132FFFF', 'truncated', 3, { mode: 'ber', allowTrailing: true });
    // Without allowTrailing the filler is reported.
    decodeError('FF100C313233343536373839303132FFFF', 'trailing-bytes', 15, { mode: 'ber', opaqueTags: [0xff10] });
  });

  it('opaque tags inside a tree are not descended', () => {
    const [root] = decodeTlv(fromHex('3006 A104 FFFFFFFF'), { opaqueTags: [0xa1] });
    expect(root!.children.map((c) => [c.tag, c.children.length, c.length])).toEqual([[0xa1, 0, 4]]);
  });

  it('rejects bad options and non-Uint8Array input with InvalidArgumentError', () => {
    const bytes = fromHex('020105');
    expect(() => decodeTlv(bytes, { maxDepth: 0 })).toThrowError(/maxDepth/);
    expect(() => decodeTlv(bytes, { maxDepth: 1.5 })).toThrowError(/maxDepth/);
    expect(() => decodeTlv(bytes, { mode: 'xer' as 'der' })).toThrowError(/mode/);
    expect(() => decodeTlv([2, 1, 5] as unknown as Uint8Array)).toThrowError(/Uint8Array/);
    expect(() => decodeTlv(bytes, { maxDepth: -1 })).toThrowError(expect.objectContaining({ code: 'invalid-argument' }));
  });
});

describe('decodeTlv: very deep nesting', () => {
  const LEVELS = 100_000;
  const openers = (levels: number): Uint8Array => {
    const b = new Uint8Array(levels * 2);
    for (let i = 0; i < levels; i++) b[2 * i] = 0x30, b[2 * i + 1] = 0x80;
    return b;
  };

  it('100 000 nested indefinite lengths: depth-exceeded by default, truncated when unlimited', () => {
    const bytes = openers(LEVELS);
    expectTlvError(() => decodeTlv(bytes, { mode: 'ber' }), 'depth-exceeded', 128);
    expectTlvError(() => decodeTlv(bytes, { mode: 'ber', maxDepth: Infinity }), 'truncated', 2 * LEVELS);
  });

  it('100 000 nested levels decode iteratively with maxDepth Infinity (no stack overflow)', () => {
    const bytes = new Uint8Array(LEVELS * 4);
    bytes.set(openers(LEVELS));
    const [root] = decodeTlv(bytes, { mode: 'ber', maxDepth: Infinity });
    let depth = 1;
    let node = root!;
    while (node.children.length > 0) {
      node = node.children[0]!;
      depth++;
    }
    expect(depth).toBe(LEVELS);
    expect([root!.length, root!.totalLength]).toEqual([LEVELS * 4 - 4, LEVELS * 4]);
    expect([node.offset, node.length, node.totalLength]).toEqual([2 * LEVELS - 2, 0, 4]);
  });

  it('100 000 nested definite lengths: depth-exceeded', () => {
    // Build from the inside out: each level adds a 30 + minimal length header.
    const parts: number[][] = [];
    let size = 0;
    for (let i = 0; i < LEVELS; i++) {
      const header = size < 0x80 ? [0x30, size] : size < 0x100 ? [0x30, 0x81, size] : size < 0x10000
        ? [0x30, 0x82, size >> 8, size & 0xff] : [0x30, 0x83, size >> 16, (size >> 8) & 0xff, size & 0xff];
      parts.push(header);
      size += header.length;
    }
    const bytes = new Uint8Array(size);
    let at = 0;
    for (let i = parts.length - 1; i >= 0; i--) {
      bytes.set(parts[i]!, at);
      at += parts[i]!.length;
    }
    expect(() => decodeTlv(bytes)).toThrowError(TlvError);
    try {
      decodeTlv(bytes);
    } catch (error) {
      expect((error as TlvError).code).toBe('depth-exceeded');
    }
    expect(validateTlv(bytes, { maxDepth: Infinity })).toBe(1);
    // The DER fast loop grows its explicit stack past 64 levels.
    const [root] = decodeTlv(bytes, { maxDepth: Infinity });
    expect(root!.totalLength).toBe(size);
    let depth = 1;
    for (let node = root!; node.children.length > 0; node = node.children[0]!) depth++;
    expect(depth).toBe(LEVELS);
  });
});
