import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ApduFormatError, CommandApdu, isExtendedCommand, type CommandApduInit } from '../../src/apdu/index.js';
import { equalBytes, fromHex, toHex } from '../../src/bytes.js';
import { InvalidArgumentError, MynacardError } from '../../src/errors.js';

const hex = (c: CommandApdu): string => toHex(c.toBytes());
const filled = (n: number, start = 0): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff);

describe('CommandApdu encoding', () => {
  it('case 1: header only', () => {
    const c = new CommandApdu({ ins: 0x20, p2: 0x98 });
    expect(hex(c)).toBe('00200098');
    expect(c.apduCase).toBe('1');
    expect(c.isExtended).toBe(false);
    expect(c.le).toBeUndefined();
    expect(c.data.length).toBe(0);
  });

  it('case 2S: Le 1, 255, 256 → 00', () => {
    expect(hex(new CommandApdu({ ins: 0xb0, p1: 0x86, le: 1 }))).toBe('00b0860001');
    expect(hex(new CommandApdu({ ins: 0xb0, p1: 0x86, le: 255 }))).toBe('00b08600ff');
    const c = new CommandApdu({ ins: 0xb0, p1: 0x8a, le: 256 });
    expect(hex(c)).toBe('00b08a0000');
    expect(c.apduCase).toBe('2S');
  });

  it('case 3S: SELECT JPKI AP (plan: connect)', () => {
    const c = new CommandApdu({ ins: 0xa4, p1: 0x04, p2: 0x0c, data: fromHex('D392F000260100000001') });
    expect(hex(c)).toBe('00a4040c0ad392f000260100000001');
    expect(c.apduCase).toBe('3S');
  });

  it('case 3S with Lc 255 stays short', () => {
    const bytes = new CommandApdu({ ins: 0xd6, data: filled(255) }).toBytes();
    expect(bytes.length).toBe(5 + 255);
    expect(toHex(bytes.subarray(0, 5))).toBe('00d60000ff');
    expect(toHex(bytes.subarray(5))).toBe(toHex(filled(255)));
  });

  it('case 4S: JPKI signature 80 2A 00 80 33 <DigestInfo> 00', () => {
    const digestInfo = fromHex('3031300d060960864801650304020105000420' + '11'.repeat(32));
    const c = new CommandApdu({ cla: 0x80, ins: 0x2a, p2: 0x80, data: digestInfo, le: 256 });
    expect(hex(c)).toBe('802a008033' + toHex(digestInfo) + '00');
    expect(c.apduCase).toBe('4S');
    expect(hex(new CommandApdu({ ins: 0x88, data: fromHex('0102'), le: 16 }))).toBe('00880000020102' + '10');
  });

  it('case 2E: Le 257 and 65536 → 00 00 00', () => {
    expect(hex(new CommandApdu({ ins: 0xb0, p1: 0x8a, le: 257 }))).toBe('00b08a00000101');
    const c = new CommandApdu({ ins: 0xb0, p1: 0x8a, le: 65536 });
    expect(hex(c)).toBe('00b08a00000000');
    expect(c.apduCase).toBe('2E');
    expect(c.isExtended).toBe(true);
    expect(hex(new CommandApdu({ ins: 0xb0, le: 65535 }))).toBe('00b0000000ffff');
  });

  it('case 3E: Lc 256 and 65535', () => {
    const b256 = new CommandApdu({ cla: 0x80, ins: 0xae, data: filled(256) }).toBytes();
    expect(toHex(b256.subarray(0, 7))).toBe('80ae0000000100');
    expect(b256.length).toBe(7 + 256);
    expect(toHex(b256.subarray(7))).toBe(toHex(filled(256)));
    const c = new CommandApdu({ ins: 0xd6, data: filled(65535, 3) });
    const b = c.toBytes();
    expect(c.apduCase).toBe('3E');
    expect(toHex(b.subarray(0, 7))).toBe('00d6000000ffff');
    expect(b.length).toBe(7 + 65535);
    expect(b[7]).toBe(3);
    expect(b[b.length - 1]).toBe((3 + 65534) & 0xff);
  });

  it('case 4E: long data with Le, and short data with Le 65536', () => {
    const c = new CommandApdu({ cla: 0x80, ins: 0xa2, data: filled(307), le: 256 });
    const b = c.toBytes();
    expect(c.apduCase).toBe('4E');
    expect(toHex(b.subarray(0, 7))).toBe('80a20000000133');
    expect(toHex(b.subarray(7 + 307))).toBe('0100');
    expect(b.length).toBe(7 + 307 + 2);
    expect(hex(new CommandApdu({ ins: 0xcb, p1: 0x3f, p2: 0xff, data: fromHex('5c0101'), le: 65536 }))).toBe(
      '00cb3fff0000035c01010000',
    );
  });

  it('forced extended encoding for small lengths', () => {
    expect(hex(new CommandApdu({ ins: 0xb0, p1: 0x81, le: 17, extended: true }))).toBe('00b08100000011');
    expect(hex(new CommandApdu({ ins: 0xb0, le: 256, extended: true }))).toBe('00b0000000' + '0100');
    expect(hex(new CommandApdu({ ins: 0xa4, p1: 4, p2: 0x0c, data: fromHex('0102'), extended: true }))).toBe(
      '00a4040c0000020102',
    );
    const c4 = new CommandApdu({ ins: 0x88, data: fromHex('aa'), le: 1, extended: true });
    expect(hex(c4)).toBe('008800000000' + '01aa' + '0001');
    expect(c4.apduCase).toBe('4E');
  });

  it('defaults CLA/P1/P2 to 0 and keeps data by reference', () => {
    const data = fromHex('31323334');
    const c = new CommandApdu({ ins: 0x20, p2: 0x98, data });
    expect(c.cla).toBe(0);
    expect(c.p1).toBe(0);
    expect(c.data).toBe(data);
  });

  it('withLe changes Le and keeps the rest', () => {
    const c = new CommandApdu({ ins: 0xb0, p1: 0x8a, le: 65536 });
    expect(hex(c.withLe(256))).toBe('00b08a0000');
    expect(hex(c.withLe(0x20))).toBe('00b08a0020');
    expect(hex(c.withLe(undefined))).toBe('00b08a00');
    const forced = new CommandApdu({ ins: 0xb0, le: 10, extended: true });
    expect(hex(forced.withLe(0x20))).toBe('00b00000000020');
    expect(hex(forced.withLe(0x20, { extended: false }))).toBe('00b0000020');
    expect(hex(forced.withLe(undefined))).toBe('00b00000');
  });

  it.each<[string, CommandApduInit]>([
    ['Lc 65536', { ins: 0xd6, data: new Uint8Array(65536) }],
    ['Le 0', { ins: 0xb0, le: 0 }],
    ['Le 65537', { ins: 0xb0, le: 65537 }],
    ['Le negative', { ins: 0xb0, le: -1 }],
    ['Le fractional', { ins: 0xb0, le: 1.5 }],
    ['Le NaN', { ins: 0xb0, le: Number.NaN }],
    ['INS 256', { ins: 256 }],
    ['CLA -1', { cla: -1, ins: 0xa4 }],
    ['P1 0x100', { ins: 0xa4, p1: 0x100 }],
    ['P2 fractional', { ins: 0xa4, p2: 0.5 }],
    ['extended case 1', { ins: 0x20, extended: true }],
    ['data not bytes', { ins: 0xa4, data: [1, 2] as unknown as Uint8Array }],
  ])('rejects %s with InvalidArgumentError', (_name, init) => {
    expect(() => new CommandApdu(init)).toThrow(InvalidArgumentError);
  });
});

describe('CommandApdu.parse', () => {
  it.each([
    ['00200098', '1', undefined, ''],
    ['00b0860020', '2S', 0x20, ''],
    ['00b08a0000', '2S', 256, ''],
    ['00a4040c0ad392f000260100000001', '3S', undefined, 'd392f000260100000001'],
    ['802a0080020102' + '00', '4S', 256, '0102'],
    ['00b08a00000000', '2E', 65536, ''],
    ['00b08a00000101', '2E', 257, ''],
    ['00a4040c000002' + '0102', '3E', undefined, '0102'],
    ['00cb3fff0000035c0101' + '0000', '4E', 65536, '5c0101'],
  ])('decodes %s as case %s', (h, apduCase, le, data) => {
    const c = CommandApdu.parse(fromHex(h));
    expect(c.apduCase).toBe(apduCase);
    expect(c.le).toBe(le);
    expect(toHex(c.data)).toBe(data);
    expect(toHex(c.toBytes())).toBe(h);
  });

  it('exposes header fields', () => {
    const c = CommandApdu.parse(fromHex('802a00800102'));
    expect([c.cla, c.ins, c.p1, c.p2]).toEqual([0x80, 0x2a, 0x00, 0x80]);
    expect(c.data).toEqual(fromHex('02'));
  });

  it.each([
    ['', 'empty'],
    ['00a404', '3 bytes'],
    ['00a4040c02d3', 'Lc longer than data'],
    ['00a4040c01d3f0f1', 'two bytes after short data'],
    ['00a4040c0000', '6 bytes with a zero B1'],
    ['00a4040c000002d3', 'extended Lc longer than data'],
    ['00a4040c0000000000', 'extended Lc 0'],
    ['00a4040c000001d30000ff', 'extended with 3 trailing bytes'],
    ['00a4040c000001d300', 'extended with a 1-byte Le'],
  ])('rejects %s (%s) with ApduFormatError', (h) => {
    expect(() => CommandApdu.parse(fromHex(h))).toThrow(ApduFormatError);
  });

  it('rejects non-bytes', () => {
    expect(() => CommandApdu.parse('00a40400' as unknown as Uint8Array)).toThrow(ApduFormatError);
  });

  it('ApduFormatError has code apdu-format', () => {
    try {
      CommandApdu.parse(new Uint8Array(2));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MynacardError);
      expect((e as MynacardError).code).toBe('apdu-format');
    }
  });
});

const byte = fc.integer({ min: 0, max: 255 });
const validCommand = fc
  .record({
    cla: byte,
    ins: byte,
    p1: byte,
    p2: byte,
    data: fc.oneof(
      { weight: 4, arbitrary: fc.uint8Array({ maxLength: 300 }) },
      { weight: 1, arbitrary: fc.integer({ min: 0, max: 65535 }).map((n) => new Uint8Array(n).fill(0xa5)) },
    ),
    le: fc.option(fc.oneof(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 1, max: 65536 })), { nil: undefined }),
    extended: fc.boolean(),
  })
  .map((r) => ({ ...r, extended: r.extended && (r.data.length > 0 || r.le !== undefined) }));

describe('CommandApdu properties', () => {
  it('parse(toBytes(x)) equals x', () => {
    fc.assert(
      fc.property(validCommand, (init) => {
        const c = new CommandApdu(init);
        const bytes = c.toBytes();
        const back = CommandApdu.parse(bytes);
        expect([back.cla, back.ins, back.p1, back.p2]).toEqual([init.cla, init.ins, init.p1, init.p2]);
        expect(back.le).toBe(init.le);
        expect(equalBytes(back.data, init.data)).toBe(true);
        expect(back.isExtended).toBe(c.isExtended);
        expect(back.apduCase).toBe(c.apduCase);
        expect(equalBytes(back.toBytes(), bytes)).toBe(true);
        const lengths = init.data.length > 255 || (init.le ?? 0) > 256;
        expect(c.isExtended).toBe(init.extended || lengths);
      }),
      { numRuns: 500 },
    );
  });

  it('arbitrary bytes either parse (and re-encode identically) or throw a MynacardError', () => {
    const shaped = fc.oneof(
      fc.uint8Array({ maxLength: 20 }),
      // Bias towards the interesting length-field region.
      fc.tuple(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.constantFrom(0, 1, 2, 3), fc.uint8Array({ maxLength: 12 }))
        .map(([h, b, rest]) => Uint8Array.from([...h, b, ...rest])),
      fc.tuple(fc.uint8Array({ minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 3 }), fc.uint8Array({ maxLength: 12 }))
        .map(([h, lo, rest]) => Uint8Array.from([...h, 0, 0, lo, ...rest])),
    );
    fc.assert(
      fc.property(shaped, (bytes) => {
        let parsed: CommandApdu | undefined;
        try {
          parsed = CommandApdu.parse(bytes);
        } catch (e) {
          expect(e).toBeInstanceOf(MynacardError);
          return;
        }
        expect(parsed.toBytes()).toEqual(bytes);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('isExtendedCommand', () => {
  it('recognises extended Lc/Le and leaves short commands alone; agrees with CommandApdu', () => {
    for (const hex of ['00B08A00000000', '00B0000000', '00A4040C0AD392F000260100000001', '00200098']) {
      expect(isExtendedCommand(fromHex(hex))).toBe(CommandApdu.parse(fromHex(hex)).isExtended);
    }
    expect(isExtendedCommand(fromHex('00B08A00000000'))).toBe(true);
    expect(isExtendedCommand(fromHex('00B0000000'))).toBe(false);
    expect(isExtendedCommand(fromHex('00A4040C0AD392F000260100000001'))).toBe(false);
    expect(isExtendedCommand(fromHex('802A008000003301020304'))).toBe(true);
    expect(isExtendedCommand(fromHex('00200098'))).toBe(false);
  });
});
