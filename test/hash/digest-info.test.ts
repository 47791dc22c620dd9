import { createHash, generateKeyPairSync, privateEncrypt, sign as nodeSign, constants } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fromHex, toHex } from '../../src/bytes.js';
import {
  digestInfoHash,
  digestInfoOf,
  digestLength,
  encodeDigestInfo,
  hashData,
  type HashAlgorithm,
} from '../../src/hash/digest-info.js';

const NODE_NAME: Record<HashAlgorithm, string> = {
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};
const ALL: HashAlgorithm[] = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'];

describe('DigestInfo', () => {
  it('SHA-256 prefix is the one card-facts §4 quotes (Lc 0x33)', () => {
    const di = encodeDigestInfo('SHA-256', new Uint8Array(32));
    expect(di.length).toBe(0x33);
    expect(toHex(di.subarray(0, 19))).toBe('3031300d060960864801650304020105000420');
  });

  it('exact bytes for each hash of "abc"', () => {
    const abc = new TextEncoder().encode('abc');
    expect(toHex(digestInfoOf('SHA-1', abc))).toBe(
      '3021300906052b0e03021a05000414' + 'a9993e364706816aba3e25717850c26c9cd0d89d',
    );
    expect(toHex(digestInfoOf('SHA-256', abc))).toBe(
      '3031300d060960864801650304020105000420' +
        'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(toHex(digestInfoOf('SHA-384', abc)).slice(0, 38)).toBe('3041300d060960864801650304020205000430');
    expect(toHex(digestInfoOf('SHA-512', abc)).slice(0, 38)).toBe('3051300d060960864801650304020305000440');
  });

  it('matches node:crypto hashes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.constantFrom(...ALL), (data, hash) => {
        const expected = createHash(NODE_NAME[hash]).update(data).digest();
        expect(toHex(hashData(hash, data))).toBe(expected.toString('hex'));
        expect(digestLength(hash)).toBe(expected.length);
      }),
    );
  });

  it('an RSA PKCS#1 v1.5 signature over our DigestInfo equals node:crypto sign()', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const data = new TextEncoder().encode('mynacard digest-info cross-check');
    for (const hash of ALL) {
      const viaDigestInfo = privateEncrypt(
        { key: privateKey, padding: constants.RSA_PKCS1_PADDING },
        digestInfoOf(hash, data),
      );
      const viaNode = nodeSign(NODE_NAME[hash], data, privateKey);
      expect(viaDigestInfo.toString('hex')).toBe(viaNode.toString('hex'));
    }
  });

  it('digestInfoHash recognises each encoding and rejects others', () => {
    for (const hash of ALL) {
      expect(digestInfoHash(encodeDigestInfo(hash, new Uint8Array(digestLength(hash)).fill(7)))).toBe(hash);
    }
    const di = encodeDigestInfo('SHA-256', new Uint8Array(32));
    expect(digestInfoHash(di.subarray(0, 50))).toBeUndefined();
    const tampered = di.slice();
    tampered[14] = 0x02; // SHA-256 OID arc → SHA-384 arc with a 32-byte digest
    expect(digestInfoHash(tampered)).toBeUndefined();
    expect(digestInfoHash(fromHex('3000'))).toBeUndefined();
  });

  it('rejects a digest of the wrong length and unknown hash names', () => {
    expect(() => encodeDigestInfo('SHA-256', new Uint8Array(31))).toThrowError(/32 bytes/);
    expect(() => encodeDigestInfo('MD5' as HashAlgorithm, new Uint8Array(16))).toThrowError(
      expect.objectContaining({ code: 'invalid-argument' }),
    );
    expect(() => hashData('SHA-256', 'abc' as unknown as Uint8Array)).toThrowError(
      expect.objectContaining({ code: 'invalid-argument' }),
    );
  });
});
