/** Descriptors: validation, typed values (compile-time checks), and the JSON form the CLI reads. */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import {
  CardApReservedAidError,
  bytesCodec,
  cardApCodecFromJson,
  cardApDescriptorFromJson,
  cardApDescriptorToJson,
  checkCardApDescriptor,
  defineCardAp,
  digitsCodec,
  textCodec,
  tlvRecord,
  uintCodec,
  type CardApDescriptorJson,
  type CardApFileName,
  type CardApFileValue,
  type CardApSecretName,
  type CardApWritableFileName,
} from '../../src/aps/card-ap/index.js';
import { hex, hospital, library } from './helpers.js';

const base = {
  name: 'x',
  area: 'regional' as const,
  aid: 'F000000001',
  files: { a: { fid: 0x0001, size: 4, read: 'free' as const, write: 'never' as const, codec: bytesCodec(4) } },
};

describe('defineCardAp', () => {
  it('normalises the AID to bytes and freezes the descriptor', () => {
    const d = defineCardAp(base);
    expect(hex(d.aid)).toBe('F000000001');
    expect(d.secrets).toEqual({});
    expect(d.auth).toBeUndefined();
    expect(Object.isFrozen(d)).toBe(true);
    expect(Object.isFrozen(d.files)).toBe(true);
    expect(Object.isFrozen(d.files.a)).toBe(true);
  });

  it('accepts AIDs of 5 to 16 bytes, not those of the card’s own applications', () => {
    expect(() => defineCardAp({ ...base, aid: 'F0000001' })).toThrow('5–16 bytes');
    expect(() => defineCardAp({ ...base, aid: 'A0000002310400000000000000000000' })).not.toThrow();
    expect(() => defineCardAp({ ...base, aid: 'A000000231040000000000000000000000' })).toThrow('5–16 bytes');
    for (const own of ['D392F000260100000001', 'D3921000310001010408', 'D3921000310001010402', 'D3921000310001010100']) {
      expect(() => defineCardAp({ ...base, aid: own })).toThrow(CardApReservedAidError);
    }
    expect(() => defineCardAp({ ...base, aid: 'not hex' })).toThrow(InvalidArgumentError);
  });

  it('refuses an AID that is a prefix of a reserved DF name, or starts with one (issue 13 §4)', () => {
    const cases: [string, string][] = [
      ['D392F00026', 'D392F000260100000001'], // prefix of the JPKI AP: a partial-name match selects it
      ['D392F0002601', 'D392F000260100000001'],
      ['D39210003100010104', 'D3921000310001010408'], // prefix of the text AP (and of face, 住基)
      ['D392100031', 'D3921000310001010408'],
      ['D392F00026010000000155', 'D392F000260100000001'], // starts with the JPKI AID
      ['D392100031000101010001', 'D3921000310001010100'], // starts with the common AP's AID
      ['A0000001510000FF', 'A0000001510000'], // starts with the GlobalPlatform ISD
      ['A000000151', 'A0000001510000'],
    ];
    for (const [aid, reserved] of cases) {
      let error: unknown;
      try {
        defineCardAp({ ...base, aid });
      } catch (e) {
        error = e;
      }
      expect(error, aid).toBeInstanceOf(CardApReservedAidError);
      expect(error, aid).toBeInstanceOf(InvalidArgumentError);
      expect((error as CardApReservedAidError).reservedAid, aid).toBe(reserved);
    }
    // Near misses stay valid: they neither start nor end the comparison with a reserved name.
    expect(() => defineCardAp({ ...base, aid: 'D392F00027' })).not.toThrow();
    expect(() => defineCardAp({ ...base, aid: 'D392F000260200000001' })).not.toThrow();
    // The JSON route refuses it the same way.
    expect(() =>
      cardApDescriptorFromJson({
        name: 'x',
        area: 'regional',
        aid: 'D392F00026',
        files: { a: { fid: '0001', size: 4, read: 'free', write: 'never', codec: { type: 'bytes', size: 4 } } },
      }),
    ).toThrow(CardApReservedAidError);
  });

  it('checks names, areas, FIDs, sizes, codecs and access rules', () => {
    const file = base.files.a;
    const cases: [string, unknown][] = [
      ['non-empty name', { ...base, name: '' }],
      ["'regional' or 'extension'", { ...base, area: 'national' }],
      ['at least one file', { ...base, files: {} }],
      ['fid must be', { ...base, files: { a: { ...file, fid: 0x3f00 } } }],
      ['fid must be', { ...base, files: { a: { ...file, fid: 0 } } }],
      ['size must be', { ...base, files: { a: { ...file, size: 40000 } } }],
      ['codec needs 4 bytes but the file has 3', { ...base, files: { a: { ...file, size: 3 } } }],
      ['outer length', { ...base, files: { a: { ...file, codec: bytesCodec({ max: 4 }) } } }],
      ['codec must be a codec', { ...base, files: { a: { ...file, codec: {} } } }],
      ['unknown secret "pin"', { ...base, files: { a: { ...file, read: { secret: 'pin' } } } }],
      ["read must be 'free'", { ...base, files: { a: { ...file, read: 'issuer' } } }],
      ["write must be 'never' or 'issuer'", { ...base, files: { a: { ...file, write: 'free' } } }],
      ['same fid', { ...base, secrets: { pin: { fid: 0x0001 } } }],
      ['same fid', { ...base, files: { a: file, b: { ...file } } }],
      ['maxTries must be', { ...base, secrets: { pin: { fid: 0x11, maxTries: 16 } } }],
      ['maxLength must be', { ...base, secrets: { pin: { fid: 0x11, minLength: 6, maxLength: 4 } } }],
      ['charset must be', { ...base, secrets: { pin: { fid: 0x11, charset: 'kanji' } } }],
      ['auth must be a function', { ...base, auth: 'key' }],
    ];
    for (const [message, definition] of cases) {
      expect(() => defineCardAp(definition as never), message).toThrow(message);
    }
  });

  it('checkCardApDescriptor accepts defined descriptors and re-checks hand-made ones', () => {
    expect(checkCardApDescriptor(library)).toBe(library);
    const handMade = { ...library, aid: new Uint8Array(3) };
    expect(() => checkCardApDescriptor(handMade)).toThrow('5–16 bytes');
  });

  it('types values, writable files and secret names from the descriptor', () => {
    expectTypeOf<CardApFileName<typeof library>>().toEqualTypeOf<'memberNumber' | 'loans' | 'issuerCode'>();
    expectTypeOf<CardApWritableFileName<typeof library>>().toEqualTypeOf<'memberNumber' | 'loans'>();
    expectTypeOf<CardApSecretName<typeof library>>().toEqualTypeOf<'pin'>();
    expectTypeOf<CardApFileValue<typeof library, 'memberNumber'>>().toEqualTypeOf<string>();
    expectTypeOf<CardApFileValue<typeof library, 'issuerCode'>>().toEqualTypeOf<Uint8Array>();
    expectTypeOf<CardApFileValue<typeof library, 'loans'>>().toEqualTypeOf<{
      limit: number;
      validUntil?: string;
      name?: string;
    }>();
    expectTypeOf<CardApFileValue<typeof hospital, 'note'>>().toEqualTypeOf<string>();
    expect(() =>
      defineCardAp({
        ...base,
        secrets: { pin: { fid: 0x11 } },
        // @ts-expect-error an access rule must name a declared secret
        files: { a: { ...base.files.a, read: { secret: 'other' } } },
      }),
    ).toThrow('unknown secret "other"');
  });
});

const libraryJson: CardApDescriptorJson = {
  name: 'city-library',
  area: 'regional',
  aid: 'F0392000000000010001',
  secrets: { pin: { fid: '0011', maxTries: 3 } },
  files: {
    memberNumber: { fid: '0001', size: 10, read: 'free', write: 'issuer', codec: { type: 'digits', size: 10 } },
    loans: {
      fid: '0002',
      size: 48,
      read: { secret: 'pin' },
      write: { secret: 'pin' },
      codec: {
        type: 'tlv-record',
        members: {
          limit: { tag: 'DF01', codec: { type: 'uint', size: 1 } },
          validUntil: { tag: 'DF02', codec: { type: 'digits', size: 8 }, optional: true },
          name: { tag: 'DF03', codec: { type: 'text', maxSize: 24, encoding: 'shift_jis' }, optional: true },
          raw: 'DF04',
        },
      },
    },
  },
};

describe('JSON form', () => {
  it('builds a working descriptor from JSON (object or text) and writes the same JSON back', () => {
    const d = cardApDescriptorFromJson(libraryJson);
    expect(hex(d.aid)).toBe('F0392000000000010001');
    expect(d.files.memberNumber).toMatchObject({ fid: 1, size: 10, read: 'free', write: 'issuer' });
    expect(d.secrets.pin).toEqual({ fid: 0x11, maxTries: 3 });
    const loans = d.files.loans!.codec;
    const value = { limit: 4, name: '図書', raw: Uint8Array.of(1) };
    expect(loans.decode(loans.encode(value))).toEqual(value);
    const json = cardApDescriptorToJson(d);
    expect(json).toEqual(libraryJson);
    expect(cardApDescriptorToJson(cardApDescriptorFromJson(JSON.stringify(json)))).toEqual(libraryJson);
  });

  it('writes the JSON of a descriptor made in code', () => {
    const json = cardApDescriptorToJson(hospital);
    expect(json.files.note).toEqual({
      fid: '0002',
      size: 600,
      read: { secret: 'password' },
      write: { secret: 'password' },
      codec: { type: 'text', size: 600, encoding: 'utf-8', pad: 0 },
      sensitive: false,
    });
    expect(json.secrets).toEqual({
      password: { fid: '0101', minLength: 6, maxLength: 8, charset: 'alphanumeric', maxTries: 5 },
    });
    expect(cardApDescriptorToJson(cardApDescriptorFromJson(json))).toEqual(json);
  });

  it('attaches an auth hook given at load time', () => {
    const auth = async () => undefined;
    expect(cardApDescriptorFromJson(libraryJson, { auth }).auth).toBe(auth);
  });

  it('names the path of the first problem', () => {
    const bad = (patch: (j: Record<string, any>) => void): unknown => {
      const j = JSON.parse(JSON.stringify(libraryJson)) as Record<string, any>;
      patch(j);
      return j;
    };
    const cases: [string, unknown][] = [
      ['descriptor: not valid JSON', '{'],
      ['descriptor: expected an object', [1]],
      ['aid: expected a hex string', bad((j) => delete j.aid)],
      ['files.memberNumber.fid', bad((j) => (j.files.memberNumber.fid = 'xyz'))],
      ['files.memberNumber.codec.type', bad((j) => (j.files.memberNumber.codec.type = 'date'))],
      ['files.memberNumber.codec: needs a numeric size', bad((j) => delete j.files.memberNumber.codec.size)],
      ['files.memberNumber.codec: give size or maxSize', bad((j) => (j.files.memberNumber.codec.maxSize = 3))],
      ['files.loans.codec.members.limit.tag', bad((j) => (j.files.loans.codec.members.limit.tag = 'G1'))],
      ['files.loans.codec.members.raw', bad((j) => (j.files.loans.codec.members.raw = true))],
      ['files.loans.codec.members.validUntil.optional', bad((j) => (j.files.loans.codec.members.validUntil.optional = 'y'))],
      ['files.loans.codec: tlvRecord: tag DF01 is used twice', bad((j) => (j.files.loans.codec.members.raw = 'DF01'))],
      ['secrets.pin.fid', bad((j) => (j.secrets.pin.fid = -1))],
      ['unknown secret "pin"', bad((j) => delete j.secrets)],
    ];
    for (const [message, json] of cases) expect(() => cardApDescriptorFromJson(json), message).toThrow(message);
  });

  it('builds single codecs by name', () => {
    expect(cardApCodecFromJson({ type: 'text', size: 4, encoding: 'shift_jis', pad: 0 }).toJSON()).toEqual(
      textCodec(4, { encoding: 'shift_jis', pad: 0 }).toJSON(),
    );
    expect(cardApCodecFromJson({ type: 'uint', maxSize: 3 }).toJSON()).toEqual(uintCodec({ max: 3 }).toJSON());
    expect(cardApCodecFromJson({ type: 'digits', size: 2 }).toJSON()).toEqual(digitsCodec(2).toJSON());
    expect(cardApCodecFromJson({ type: 'tlv-record', members: { a: '80' }, template: '70', filler: 0 }).toJSON()).toEqual(
      tlvRecord({ a: 0x80 }, { template: 0x70, filler: 0 }).toJSON(),
    );
  });
});
