import { describe, expect, it } from 'vitest';
import { fromHex } from '../../src/bytes.js';
import { readTlvHeader, TlvError, type TlvErrorCode } from '../../src/tlv/index.js';

function headerError(hex: string, code: TlvErrorCode, offset: number, at = 0, mode?: 'der' | 'ber'): void {
  try {
    readTlvHeader(fromHex(hex), at, mode === undefined ? undefined : { mode });
    expect.unreachable();
  } catch (error) {
    expect(error).toBeInstanceOf(TlvError);
    expect([(error as TlvError).code, (error as TlvError).offset]).toEqual([code, offset]);
  }
}

describe('readTlvHeader', () => {
  it('sizes a certificate from its first four bytes (30 82 06 1F → 1571)', () => {
    expect(readTlvHeader(fromHex('3082061F'))).toEqual({
      tag: 0x30, tagClass: 'universal', constructed: true, offset: 0,
      headerLength: 4, length: 1567, totalLength: 1571,
    });
  });

  it('sizes a text record from FF 20 81 9A (→ 158)', () => {
    expect(readTlvHeader(fromHex('FF20819A'))).toEqual({
      tag: 0xff20, tagClass: 'private', constructed: true, offset: 0,
      headerLength: 4, length: 0x9a, totalLength: 158,
    });
  });

  it("reads the 個人番号 EF header FF 10 0C in the default 'ber' mode, and rejects it in 'der'", () => {
    expect(readTlvHeader(fromHex('FF100C3132'))).toEqual({
      tag: 0xff10, tagClass: 'private', constructed: true, offset: 0,
      headerLength: 3, length: 12, totalLength: 15,
    });
    headerError('FF100C', 'bad-tag', 0, 0, 'der');
  });

  it('reads a header at an offset', () => {
    expect(readTlvHeader(fromHex('AAAA 5F4E 820129'), 2)).toEqual({
      tag: 0x5f4e, tagClass: 'application', constructed: false, offset: 2,
      headerLength: 5, length: 0x129, totalLength: 0x12e,
    });
  });

  it('returns null lengths for an indefinite length (BER) and rejects it in DER', () => {
    expect(readTlvHeader(fromHex('3080'))).toEqual({
      tag: 0x30, tagClass: 'universal', constructed: true, offset: 0,
      headerLength: 2, length: null, totalLength: null,
    });
    headerError('3080', 'indefinite-in-der', 0, 0, 'der');
    headerError('0480', 'bad-tag', 0);
  });

  it('applies the length rules of the chosen mode', () => {
    expect(readTlvHeader(fromHex('048105')).length).toBe(5);
    headerError('048105', 'non-minimal-length', 0, 0, 'der');
    headerError('04820005', 'non-minimal-length', 0, 0, 'der');
    headerError('0485 0100000000', 'length-overflow', 0);
    headerError('04FF', 'length-overflow', 0);
  });

  it('reports an incomplete header as truncated, and malformed tags as bad-tag', () => {
    headerError('', 'truncated', 0);
    headerError('30', 'truncated', 0);
    headerError('308206', 'truncated', 0);
    headerError('DF', 'truncated', 0);
    headerError('DF81', 'truncated', 0);
    headerError('3082', 'truncated', 3, 3);
    headerError('0000', 'bad-tag', 0);
    headerError('DF81818101', 'bad-tag', 0);
  });

  it('rejects a bad offset with InvalidArgumentError', () => {
    expect(() => readTlvHeader(fromHex('0400'), -1)).toThrowError(/offset/);
    expect(() => readTlvHeader(fromHex('0400'), 0.5)).toThrowError(/offset/);
  });
});
