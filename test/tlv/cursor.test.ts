import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import {
  decodeTlv,
  readTlvInteger,
  readTlvOid,
  tlvCursor,
  TlvError,
  type TlvCursor,
  type TlvNode,
} from '../../src/tlv/index.js';

const vector = (file: string): Uint8Array =>
  new Uint8Array(readFileSync(new URL(`../vectors/certs/${file}`, import.meta.url)));

const AUTH_2019 = vector('real-auth-leaf-2019-issued-by-authca01__my-number-myna.der');

/**
 * `openssl asn1parse -inform DER` of the 2019 auth leaf, as `offset:depth:headerLength:length:firstTagByte`
 * (OpenSSL's own walk: every node in document order; it does not descend into BIT or OCTET STRINGs).
 */
const OPENSSL_ASN1PARSE = `
0:0:4:1569:30 4:1:4:1289:30 8:2:2:3:a0 10:3:2:1:02 13:2:2:4:02 19:2:2:13:30 21:3:2:9:06 32:3:2:0:05
34:2:3:130:30 37:3:2:11:31 39:4:2:9:30 41:5:2:3:06 46:5:2:2:13 50:3:2:13:31 52:4:2:11:30 54:5:2:3:06
59:5:2:4:0c 65:3:2:37:31 67:4:2:35:30 69:5:2:3:06 74:5:2:28:0c 104:3:2:61:31 106:4:2:59:30
108:5:2:3:06 113:5:2:52:0c 167:2:2:30:30 169:3:2:13:17 184:3:2:13:17 199:2:2:47:30 201:3:2:11:31
203:4:2:9:30 205:5:2:3:06 210:5:2:2:13 214:3:2:32:31 216:4:2:30:30 218:5:2:3:06 223:5:2:23:0c
248:2:4:290:30 252:3:2:13:30 254:4:2:9:06 265:4:2:0:05 267:3:4:271:03 542:2:4:751:a3 546:3:4:747:30
550:4:2:14:30 552:5:2:3:06 557:5:2:1:01 560:5:2:4:04 566:4:2:19:30 568:5:2:3:06 573:5:2:12:04
587:4:2:73:30 589:5:2:3:06 594:5:2:1:01 597:5:2:63:04 662:4:3:183:30 665:5:2:3:06 670:5:3:175:04
848:4:3:177:30 851:5:2:3:06 856:5:3:169:04 1028:4:2:58:30 1030:5:2:8:06 1040:5:2:46:04
1088:4:3:175:30 1091:5:2:3:06 1096:5:3:167:04 1266:4:2:29:30 1268:5:2:3:06 1273:5:2:22:04
1297:1:2:13:30 1299:2:2:9:06 1310:2:2:0:05 1312:1:4:257:03`
  .trim()
  .split(/\s+/);

const row = (c: TlvCursor): string =>
  `${c.offset}:${c.depth}:${c.headerLength}:${c.length}:${c.tag.toString(16).padStart(2, '0')}`;

/** Depth-first walk with firstChild / nextSibling / parent. */
function navigate(c: TlvCursor, visit: (c: TlvCursor) => void): void {
  for (;;) {
    visit(c);
    if (c.firstChild()) continue;
    while (!c.nextSibling()) if (!c.parent()) return;
  }
}

/** The same walk with next(). */
function preorder(c: TlvCursor, visit: (c: TlvCursor) => void): void {
  do visit(c);
  while (c.next());
}

function nodeRows(nodes: readonly TlvNode[], depth = 0, out: string[] = []): string[] {
  for (const n of nodes) {
    out.push(`${n.offset}:${depth}:${n.headerLength}:${n.length}:${n.tag.toString(16).padStart(2, '0')}`);
    nodeRows(n.children, depth + 1, out);
  }
  return out;
}

describe('tlvCursor on a real JPKI auth certificate (2019)', () => {
  it('visits every node in the order, depth, header and length openssl asn1parse reports', () => {
    const navigated: string[] = [];
    navigate(tlvCursor(AUTH_2019), (c) => navigated.push(row(c)));
    expect(navigated).toEqual(OPENSSL_ASN1PARSE);
    const stepped: string[] = [];
    preorder(tlvCursor(AUTH_2019), (c) => stepped.push(row(c)));
    expect(stepped).toEqual(OPENSSL_ASN1PARSE);
    expect(nodeRows(decodeTlv(AUTH_2019))).toEqual(OPENSSL_ASN1PARSE);
  });

  it('stands on the certificate, its TBS part, serial and signature with exact offsets and views', () => {
    const c = tlvCursor(AUTH_2019);
    expect([c.offset, c.tag, c.headerLength, c.length, c.totalLength, c.valueOffset, c.depth]).toEqual([0, 0x30, 4, 1569, 1573, 4, 0]);
    expect([c.constructed, c.indefinite, c.tagClass]).toEqual([true, false, 'universal']);
    expect(c.firstChild()).toBe(true); // tbsCertificate
    const tbs = c.encoded;
    expect([tbs.byteOffset, tbs.length, tbs.buffer]).toEqual([4, 1293, AUTH_2019.buffer]);
    expect(c.firstChild()).toBe(true); // [0] version
    expect([c.tag, c.tagClass, c.constructed]).toEqual([0xa0, 'context', true]);
    expect(c.nextSibling()).toBe(true); // serialNumber
    expect([c.offset, c.tag, c.valueOffset]).toEqual([13, 0x02, 15]);
    expect([...c.value]).toEqual([0x01, 0x2d, 0x57, 0xca]);
    expect(readTlvInteger(c.node())).toBe(0x012d57can);
    expect(c.nextSibling()).toBe(true); // signature AlgorithmIdentifier
    expect(c.firstChild()).toBe(true);
    expect(readTlvOid(c.node())).toBe('1.2.840.113549.1.1.11');
    expect(c.parent() && c.parent()).toBe(true); // back on tbsCertificate
    expect([c.offset, c.depth]).toEqual([4, 1]);
    expect(c.parent()).toBe(true); // the certificate
    expect([c.offset, c.depth]).toEqual([0, 0]);
    expect(c.firstChild() && c.nextSibling() && c.nextSibling()).toBe(true); // signatureValue
    expect([c.offset, c.tag, c.headerLength, c.length, c.depth]).toEqual([1312, 0x03, 4, 257, 1]);
    const signature = c.value;
    expect([signature.byteOffset, signature.length, signature[0]]).toEqual([1316, 257, 0]);
    expect(c.value).not.toBe(signature); // a new view on each access
  });

  it('does not move when a move is impossible', () => {
    const c = tlvCursor(AUTH_2019);
    expect(c.parent()).toBe(false); // top level
    expect(c.nextSibling()).toBe(false); // the only top-level object
    expect(c.offset).toBe(0);
    c.firstChild();
    c.firstChild();
    c.firstChild(); // INTEGER 02 inside [0]
    expect([c.offset, c.constructed]).toEqual([10, false]);
    expect(c.firstChild()).toBe(false); // primitive
    expect(c.nextSibling()).toBe(false); // last child of [0]
    expect([c.offset, c.depth]).toEqual([10, 3]);
    c.reset();
    expect([c.offset, c.depth]).toEqual([0, 0]);
    while (c.next());
    expect([c.offset, c.tag, c.depth]).toEqual([1312, 0x03, 1]); // the last node
    expect(c.next()).toBe(false);
    expect([c.offset, c.depth]).toEqual([1312, 1]);
  });
});

describe('tlvCursor on card data', () => {
  it('reads two-byte tags of an FF20 text record and opaque tags', () => {
    const record = Uint8Array.from([0xff, 0x20, 0x08, 0xdf, 0x21, 0x01, 0x41, 0xdf, 0x22, 0x01, 0x42]);
    const c = tlvCursor(record);
    expect([c.tag, c.headerLength, c.length, c.tagClass]).toEqual([0xff20, 3, 8, 'private']);
    expect(c.firstChild()).toBe(true);
    expect([c.tag, c.offset, c.valueOffset, [...c.value]]).toEqual([0xdf21, 3, 6, [0x41]]);
    expect(c.nextSibling()).toBe(true);
    expect([c.tag, c.offset, [...c.value]]).toEqual([0xdf22, 7, [0x42]]);
    expect(c.nextSibling()).toBe(false);
    // The 個人番号 EF: FF10 has the constructed bit but holds digits.
    const myNumber = Uint8Array.from([0xff, 0x10, 0x02, 0x31, 0x32]);
    const o = tlvCursor(myNumber, { mode: 'ber', opaqueTags: [0xff10] });
    expect([o.tag, o.constructed, o.firstChild(), o.next()]).toEqual([0xff10, true, false, false]);
  });

  it('walks BER indefinite lengths, several top-level objects and allowed trailing filler', () => {
    // 30 80 { 02 01 05, 24 80 { 04 01 AA } 00 00 } 00 00, then 05 00, then FF padding
    const bytes = Uint8Array.from([0x30, 0x80, 0x02, 0x01, 0x05, 0x24, 0x80, 0x04, 0x01, 0xaa, 0x00, 0x00, 0x00, 0x00, 0x05, 0x00, 0xff, 0xff]);
    const c = tlvCursor(bytes, { mode: 'ber', allowTrailing: true });
    expect([c.indefinite, c.headerLength, c.length, c.totalLength]).toEqual([true, 2, 10, 14]);
    expect(c.encoded.length).toBe(14);
    const rows: string[] = [];
    preorder(c, (x) => rows.push(`${x.offset}:${x.depth}:${x.tag.toString(16)}:${x.length}:${x.indefinite}`));
    expect(rows).toEqual(['0:0:30:10:true', '2:1:2:1:false', '5:1:24:3:true', '7:2:4:1:false', '14:0:5:0:false']);
    const navigated: string[] = [];
    navigate(tlvCursor(bytes, { mode: 'ber', allowTrailing: true }), (x) => navigated.push(`${x.offset}:${x.depth}:${x.tag.toString(16)}:${x.length}:${x.indefinite}`));
    expect(navigated).toEqual(rows);
  });

  it('rejects what decodeTlv rejects, with the same code and offset', () => {
    const cases: [number[], object | undefined][] = [
      [[0x30, 0x03, 0x02, 0x01], undefined], // truncated
      [[0x30, 0x80, 0x00, 0x00], undefined], // indefinite in DER
      [[0x04, 0x81, 0x01, 0x00], undefined], // non-minimal length
      [[0x02, 0x01, 0x00, 0xff], undefined], // trailing padding
      [[0x30, 0x02, 0x30, 0x00], { maxDepth: 1 }], // depth
    ];
    for (const [bytes, options] of cases) {
      const input = Uint8Array.from(bytes);
      let expected: TlvError | undefined;
      try {
        decodeTlv(input, options);
      } catch (error) {
        expected = error as TlvError;
      }
      expect(expected).toBeInstanceOf(TlvError);
      expect(() => tlvCursor(input, options)).toThrow(expected);
      try {
        tlvCursor(input, options);
      } catch (error) {
        expect([(error as TlvError).code, (error as TlvError).offset]).toEqual([expected!.code, expected!.offset]);
      }
    }
    expect(() => tlvCursor(new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'truncated', offset: 0 }));
    expect(() => tlvCursor([0x05, 0x00] as unknown as Uint8Array)).toThrow(InvalidArgumentError);
    expect(() => tlvCursor(Uint8Array.of(5, 0), { mode: 'xer' as 'der' })).toThrow(InvalidArgumentError);
  });

  it('makes views of a subarray input relative to its buffer', () => {
    const backing = new Uint8Array([0xee, 0xee, 0x04, 0x02, 0x61, 0x62, 0xee]);
    const c = tlvCursor(backing.subarray(2, 6));
    expect([c.offset, c.valueOffset]).toEqual([0, 2]);
    expect([c.value.byteOffset, [...c.value], c.encoded.byteOffset, c.encoded.length]).toEqual([4, [0x61, 0x62], 2, 4]);
  });
});
