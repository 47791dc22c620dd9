/** `tlvRecord`: BER-TLV members with typed values, filler, templates and decoding rules. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../src/bytes.js';
import { InvalidArgumentError } from '../../src/errors.js';
import {
  CardApCodecError,
  bytesCodec,
  digitsCodec,
  textCodec,
  tlvRecord,
  uintCodec,
  type CardApTlvRecordValue,
} from '../../src/aps/card-ap/index.js';
import { hex } from './helpers.js';

const members = {
  memberNumber: { tag: 0xdf01, codec: digitsCodec(10) },
  validUntil: { tag: 0xdf02, codec: digitsCodec(8), optional: true },
  limit: { tag: 0x81, codec: uintCodec({ max: 2 }) },
  note: { tag: 0x5f20, optional: true },
  raw: 0xdf7f,
} as const;
const record = tlvRecord(members);

function thrown(fn: () => unknown): Error & Record<string, unknown> {
  try {
    fn();
  } catch (error) {
    return error as Error & Record<string, unknown>;
  }
  throw new Error('expected a throw');
}

describe('tlvRecord encoding', () => {
  it('encodes the members in declaration order, absent optional members left out', () => {
    const value: CardApTlvRecordValue<typeof members> = { memberNumber: '0012345678', limit: 300, raw: Uint8Array.of(0xab) };
    expect(hex(record.encode(value))).toBe('DF010A30303132333435363738' + '8102012C' + 'DF7F01AB');
  });

  it('wraps the members in a template', () => {
    const wrapped = tlvRecord({ a: { tag: 0x80, codec: uintCodec(1) }, b: 0x81 }, { template: 0x70 });
    expect(hex(wrapped.encode({ a: 7, b: new Uint8Array(0) }))).toBe('7005800107' + '8100');
    expect(wrapped.decode(fromHex('7005800107810000FFFF'))).toEqual({ a: 7, b: new Uint8Array(0) });
    expect(wrapped.toJSON()).toEqual({
      type: 'tlv-record',
      members: { a: { tag: '80', codec: { type: 'uint', size: 1 } }, b: '81' },
      template: '70',
    });
  });

  it('names the member in errors: missing, too large, not encodable, unknown', () => {
    expect(thrown(() => record.encode({ limit: 1, raw: new Uint8Array() } as never))).toMatchObject({
      code: 'card-ap-codec',
      file: 'memberNumber',
    });
    expect(thrown(() => record.encode({ memberNumber: '0012345678', limit: 70000, raw: new Uint8Array() }))).toMatchObject({
      code: 'card-ap-value-too-large',
      file: 'limit',
      limit: 2,
    });
    expect(thrown(() => record.encode({ memberNumber: '0012345678', limit: 1, raw: 'x' as never }))).toMatchObject({
      code: 'card-ap-codec',
      file: 'raw',
    });
    expect(
      thrown(() => record.encode({ memberNumber: '0012345678', limit: 1, raw: new Uint8Array(), extra: 1 } as never)),
    ).toBeInstanceOf(CardApCodecError);
  });

  it('rejects malformed definitions', () => {
    expect(() => tlvRecord({})).toThrow(InvalidArgumentError);
    expect(() => tlvRecord({ a: 0xdf01, b: 0xdf01 })).toThrow('used twice');
    expect(() => tlvRecord({ a: 0x1f })).toThrow(InvalidArgumentError); // first byte says "more tag bytes follow"
    expect(() => tlvRecord({ a: 0xff20 })).toThrow('padding');
    expect(() => tlvRecord({ a: 0x00 })).toThrow('padding');
    expect(() => tlvRecord({ a: 0x80 }, { template: 0x80 })).toThrow('template');
    expect(() => tlvRecord({ a: 0x80 }, { filler: 0x20 as 0xff })).toThrow(InvalidArgumentError);
    expect(() => tlvRecord({ a: { tag: 0x80, codec: {} as never } })).toThrow(InvalidArgumentError);
  });
});

describe('tlvRecord decoding', () => {
  const file = (hexBody: string, size = 32) => {
    const body = fromHex(hexBody);
    const out = new Uint8Array(size).fill(0xff);
    out.set(body);
    return out;
  };

  it('reads members in any order, skips unknown tags and the filler', () => {
    const value = record.decode(file('DF7F0100' + 'DF2201AA' + '810105' + 'DF010A30303132333435363738'));
    expect(value).toEqual({ memberNumber: '0012345678', limit: 5, raw: Uint8Array.of(0) });
  });

  it('an all-filler file is an empty record: fine when every member is optional, else a missing member', () => {
    const optional = tlvRecord({ a: { tag: 0x80, optional: true } });
    expect(optional.decode(new Uint8Array(8).fill(0xff))).toEqual({});
    expect(optional.decode(new Uint8Array(8))).toEqual({});
    expect(thrown(() => record.decode(new Uint8Array(8).fill(0xff)))).toMatchObject({
      direction: 'decode',
      file: 'memberNumber',
    });
  });

  it('rejects duplicates, bad member values, junk after the record and broken framing', () => {
    expect(thrown(() => record.decode(file('810101810102DF7F00DF010A30303132333435363738')))).toMatchObject({
      file: 'limit',
    });
    expect(thrown(() => record.decode(file('DF010A' + '303031323334353637' + '41' + '810101DF7F00')))).toMatchObject({
      file: 'memberNumber',
    });
    expect(thrown(() => record.decode(file('810101DF7F00DF010A30303132333435363738' + '12')))).toBeInstanceOf(
      CardApCodecError,
    );
    expect(thrown(() => record.decode(file('DF017F3030')))).toBeInstanceOf(CardApCodecError);
    expect(thrown(() => record.decode(file('810200')))).toMatchObject({ direction: 'decode' });
  });

  it('requires the template when one is declared', () => {
    const wrapped = tlvRecord({ a: 0x80 }, { template: 0x70 });
    expect(thrown(() => wrapped.decode(file('8000')))).toBeInstanceOf(CardApCodecError);
    expect(thrown(() => wrapped.decode(new Uint8Array(4).fill(0xff)))).toBeInstanceOf(CardApCodecError);
  });

  it('nests records and decodes constructed member tags as opaque values', () => {
    const inner = tlvRecord({ x: { tag: 0x80, codec: uintCodec(1) } });
    const outer = tlvRecord({ nested: { tag: 0xbf01, codec: inner }, picture: 0x7f21 });
    const encoded = outer.encode({ nested: { x: 9 }, picture: fromHex('0102') });
    expect(hex(encoded)).toBe('BF0103800109' + '7F21020102');
    expect(outer.decode(encoded)).toEqual({ nested: { x: 9 }, picture: fromHex('0102') });
  });

  it('round-trips random values through a padded file (property)', () => {
    const codec = tlvRecord({
      id: { tag: 0xdf01, codec: digitsCodec({ max: 12 }) },
      name: { tag: 0xdf02, codec: textCodec({ max: 40 }), optional: true },
      count: { tag: 0xdf03, codec: uintCodec(2), optional: true },
      blob: { tag: 0xdf04, codec: bytesCodec({ max: 200 }) },
    });
    fc.assert(
      fc.property(
        fc.record(
          {
            id: fc.stringMatching(/^[0-9]{0,12}$/),
            name: fc.string({ unit: 'grapheme', maxLength: 10 }),
            count: fc.integer({ min: 0, max: 0xffff }),
            blob: fc.uint8Array({ maxLength: 200 }),
          },
          { requiredKeys: ['id', 'blob'] },
        ),
        fc.constantFrom(0x00, 0xff),
        (value, fill) => {
          const name = value.name;
          fc.pre(name === undefined || new TextEncoder().encode(name).length <= 40);
          const encoded = codec.encode(value);
          const image = new Uint8Array(encoded.length + 17).fill(fill);
          image.set(encoded);
          expect(codec.decode(image)).toEqual(value);
        },
      ),
    );
  });
});
