import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { base64ToBytes, bytesToBase64 } from '../../src/crypto/base64.js';
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
