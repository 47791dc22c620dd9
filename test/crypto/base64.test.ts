import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { base64ToBytes, base64urlToBytes, bytesToBase64, bytesToBase64url } from '../../src/crypto/base64.js';
import { InvalidArgumentError } from '../../src/errors.js';

describe('base64', () => {
  it('encodes and decodes the RFC 4648 §10 vectors', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ];
    for (const [text, encoded] of vectors) {
      const bytes = new TextEncoder().encode(text);
      expect(bytesToBase64(bytes)).toBe(encoded);
      expect(base64ToBytes(encoded)).toEqual(bytes);
    }
  });

  it('ignores whitespace (PEM bodies) and rejects malformed input', () => {
    expect(base64ToBytes('Zm9v\nYmFy\r\n')).toEqual(new TextEncoder().encode('foobar'));
    for (const bad of ['Zm9', 'Zm9v!', 'Z===', 'Zg=a', '=Zg=', 'Zm9vYmFy-_==', 'ＡＡＡＡ']) {
      expect(() => base64ToBytes(bad)).toThrow(InvalidArgumentError);
    }
  });

  it('agrees with Node Buffer both ways (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const expected = Buffer.from(bytes).toString('base64');
        expect(bytesToBase64(bytes)).toBe(expected);
        expect(base64ToBytes(expected)).toEqual(bytes);
      }),
    );
  });
});

describe('base64url', () => {
  it('encodes without padding and decodes strictly', () => {
    for (const length of [0, 1, 2, 3, 4, 5, 31, 32, 33]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 97 + 251) & 0xff);
      const text = bytesToBase64url(bytes);
      expect(text).toBe(Buffer.from(bytes).toString('base64url'));
      expect(base64urlToBytes(text)).toEqual(bytes);
    }
    expect(bytesToBase64url(Uint8Array.of(0xfb, 0xff))).toBe('-_8');
    for (const bad of ['-_8=', 'AQ==', 'A', 'AB', 'a+b/', 'AQ I', 'AR']) {
      expect(() => base64urlToBytes(bad), bad).toThrow(InvalidArgumentError);
    }
  });
});
