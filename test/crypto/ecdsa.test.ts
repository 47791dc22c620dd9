/**
 * DER ECDSA-Sig-Value ↔ raw r ‖ s (src/crypto/ecdsa.ts): exact bytes, every refusal with its
 * typed code, and fast-check properties against a BigInt oracle.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromHex, toHex } from '../../src/bytes.js';
import { CryptoError, InvalidArgumentError } from '../../src/errors.js';
import { EC_CURVES, ecdsaSignatureFromRaw, ecdsaSignatureToRaw, type EcCurveName } from '../../src/crypto/ecdsa.js';

const N: Record<EcCurveName, bigint> = {
  'P-256': BigInt(`0x${toHex(EC_CURVES['P-256'].order)}`),
  'P-384': BigInt(`0x${toHex(EC_CURVES['P-384'].order)}`),
};
const SIZE: Record<EcCurveName, number> = { 'P-256': 32, 'P-384': 48 };

function fixed(value: bigint, size: number): Uint8Array {
  return fromHex(value.toString(16).padStart(2 * size, '0'));
}

/** Oracle: a minimal DER INTEGER of a non-negative BigInt (X.690 §8.3), written independently. */
function oracleInteger(value: bigint): string {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return `02${(hex.length / 2).toString(16).padStart(2, '0')}${hex}`;
}

function oracleDer(r: bigint, s: bigint): string {
  const body = oracleInteger(r) + oracleInteger(s);
  return `30${(body.length / 2).toString(16).padStart(2, '0')}${body}`;
}

function rejects(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CryptoError);
    expect((error as CryptoError).code).toBe(code);
    return;
  }
  throw new Error('expected a rejection');
}

describe('ecdsaSignatureFromRaw / ecdsaSignatureToRaw: exact bytes', () => {
  it('r = 1, s = n - 1 on P-256: minimal INTEGERs, a leading 00 only where the top bit is set', () => {
    const raw = new Uint8Array(64);
    raw[31] = 1;
    raw.set(fixed(N['P-256'] - 1n, 32), 32);
    const der = ecdsaSignatureFromRaw(raw, 'P-256');
    expect(toHex(der)).toBe(`3026020101022100${'ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632550'}`);
    expect(ecdsaSignatureToRaw(der, 'P-256')).toEqual(raw);
  });

  it('leading zero bytes of r are dropped, and restored on the way back (P-384)', () => {
    const r = 0x7f_00_01n;
    const s = 0x80n;
    const raw = new Uint8Array([...fixed(r, 48), ...fixed(s, 48)]);
    const der = ecdsaSignatureFromRaw(raw, 'P-384');
    expect(toHex(der)).toBe('300902037f000102020080');
    expect(ecdsaSignatureToRaw(der, 'P-384')).toEqual(raw);
  });

  it('refuses raw signatures of the wrong length or with r, s outside [1, n-1]', () => {
    rejects(() => ecdsaSignatureFromRaw(new Uint8Array(95), 'P-384'), 'malformed-signature');
    rejects(() => ecdsaSignatureFromRaw(new Uint8Array(64), 'P-384'), 'malformed-signature');
    const zeroR = new Uint8Array(64);
    zeroR[63] = 1;
    rejects(() => ecdsaSignatureFromRaw(zeroR, 'P-256'), 'malformed-signature');
    const rIsN = new Uint8Array([...fixed(N['P-256'], 32), ...fixed(1n, 32)]);
    rejects(() => ecdsaSignatureFromRaw(rIsN, 'P-256'), 'malformed-signature');
    const sAllOnes = new Uint8Array([...fixed(1n, 48), ...new Uint8Array(48).fill(0xff)]);
    rejects(() => ecdsaSignatureFromRaw(sAllOnes, 'P-384'), 'malformed-signature');
  });

  it('refuses DER that is not minimal, negative, out of range, trailing, or not two INTEGERs', () => {
    const cases: Record<string, string> = {
      'non-minimal INTEGER (00 before a byte < 80)': '3007020200010201 01'.replace(/ /g, ''),
      'negative r': '3006020180020101',
      'r = 0': '3006020100020101',
      'empty INTEGER': '30050200020101',
      'r = n': `3029022100${toHex(EC_CURVES['P-256'].order)}020101`,
      'r = n + 1 (33 bytes)': `3029022100${(N['P-256'] + 1n).toString(16)}020101`,
      'trailing byte after the SEQUENCE': '300602010102010100',
      'three INTEGERs': '3009020101020101020101',
      'one INTEGER': '3003020101',
      'BIT STRING instead of INTEGER': '3006030101020101',
      'SET instead of SEQUENCE': '3106020101020101',
      'non-minimal length octets': '308106020101020101',
      'indefinite length': '3080020101020101' + '0000',
      'truncated': '30060201010201',
      'empty input': '',
    };
    for (const [name, hex] of Object.entries(cases)) {
      try {
        ecdsaSignatureToRaw(fromHex(hex), 'P-256');
        throw new Error(`accepted: ${name}`);
      } catch (error) {
        expect(error, name).toBeInstanceOf(CryptoError);
        expect((error as CryptoError).code, name).toBe('malformed-signature');
      }
    }
  });

  it('bounds the input by the curve size before decoding (a 1 MB input is refused at once)', () => {
    const huge = new Uint8Array(1 << 20);
    huge[0] = 0x30;
    rejects(() => ecdsaSignatureToRaw(huge, 'P-384'), 'malformed-signature');
    // The longest valid P-256 signature (both INTEGERs 33 bytes) is 72 bytes; 73 is refused.
    const longest = ecdsaSignatureFromRaw(new Uint8Array([...fixed(N['P-256'] - 1n, 32), ...fixed(N['P-256'] - 1n, 32)]), 'P-256');
    expect(longest.length).toBe(72);
    rejects(() => ecdsaSignatureToRaw(new Uint8Array([...longest, 0]), 'P-256'), 'malformed-signature');
  });

  it('a P-384 size r is out of range for P-256', () => {
    const der = ecdsaSignatureFromRaw(new Uint8Array([...fixed(N['P-384'] - 1n, 48), ...fixed(1n, 48)]), 'P-384');
    rejects(() => ecdsaSignatureToRaw(der, 'P-256'), 'malformed-signature');
  });

  it('argument errors are InvalidArgumentError', () => {
    expect(() => ecdsaSignatureToRaw('30' as unknown as Uint8Array, 'P-256')).toThrow(InvalidArgumentError);
    expect(() => ecdsaSignatureFromRaw(new Uint8Array(64), 'P-521' as EcCurveName)).toThrow(InvalidArgumentError);
  });
});

describe('ecdsaSignatureFromRaw / ecdsaSignatureToRaw: properties', () => {
  const curves = fc.constantFrom<EcCurveName>('P-256', 'P-384');
  const inRange = (curve: EcCurveName) => fc.bigInt({ min: 1n, max: N[curve] - 1n });
  // Small and boundary values too: leading-zero and top-bit cases are where DER goes wrong.
  const scalar = (curve: EcCurveName) =>
    fc.oneof(inRange(curve), fc.bigInt({ min: 1n, max: 0xffffn }), fc.constantFrom(1n, 0x7fn, 0x80n, 0xffn, N[curve] - 1n));

  it('raw → DER equals the oracle encoding, and DER → raw gives the raw back', () => {
    fc.assert(
      fc.property(
        curves.chain((curve) => fc.tuple(fc.constant(curve), scalar(curve), scalar(curve))),
        ([curve, r, s]) => {
          const raw = new Uint8Array([...fixed(r, SIZE[curve]), ...fixed(s, SIZE[curve])]);
          const der = ecdsaSignatureFromRaw(raw, curve);
          expect(toHex(der)).toBe(oracleDer(r, s));
          expect(ecdsaSignatureToRaw(der, curve)).toEqual(raw);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('any byte string is either refused with malformed-signature or is the canonical DER of its raw form', () => {
    fc.assert(
      fc.property(curves, fc.uint8Array({ maxLength: 120 }), (curve, bytes) => {
        let raw: Uint8Array;
        try {
          raw = ecdsaSignatureToRaw(bytes, curve);
        } catch (error) {
          expect(error).toBeInstanceOf(CryptoError);
          expect((error as CryptoError).code).toBe('malformed-signature');
          return;
        }
        expect(ecdsaSignatureFromRaw(raw, curve)).toEqual(bytes);
      }),
      { numRuns: 2000 },
    );
  });

  it('mutating one byte of a valid DER signature never yields a different accepted encoding of the same (r, s)', () => {
    fc.assert(
      fc.property(
        curves.chain((curve) => fc.tuple(fc.constant(curve), inRange(curve), inRange(curve), fc.nat(), fc.integer({ min: 1, max: 255 }))),
        ([curve, r, s, position, delta]) => {
          const der = ecdsaSignatureFromRaw(new Uint8Array([...fixed(r, SIZE[curve]), ...fixed(s, SIZE[curve])]), curve);
          const mutated = der.slice();
          const i = position % der.length;
          mutated[i] = (mutated[i]! + delta) & 0xff;
          let raw: Uint8Array | undefined;
          try {
            raw = ecdsaSignatureToRaw(mutated, curve);
          } catch (error) {
            expect((error as CryptoError).code).toBe('malformed-signature');
          }
          if (raw !== undefined) expect(ecdsaSignatureFromRaw(raw, curve)).toEqual(mutated);
        },
      ),
      { numRuns: 500 },
    );
  });
});
