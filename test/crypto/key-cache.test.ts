import { afterEach, describe, expect, it, vi } from 'vitest';
import { verifyJpkiChain } from '../../src/crypto/chain.js';
import { importedKeyCount, importVerifyKey, KEY_CACHE_SIZE } from '../../src/crypto/signature.js';
import { freshKeys, REAL, ROOT_FILES, vector } from './helpers.js';

const AT = new Date('2020-01-01T00:00:00Z');

afterEach(() => {
  vi.restoreAllMocks();
});

describe('imported verification keys are cached by SubjectPublicKeyInfo bytes', () => {
  it('a caller root passed as a new array on every call is imported once', async () => {
    const leaf = vector(REAL.auth2019);
    const root = vector(ROOT_FILES.authca01);
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    for (let i = 0; i < 3; i++) {
      const result = await verifyJpkiChain(leaf, { at: AT, roots: [root.slice()] });
      expect(result.valid).toBe(true);
      expect(result.reasons).toEqual([]);
    }
    expect(importKey.mock.calls.filter((call) => call[0] === 'spki')).toHaveLength(1);
  });

  it('the same key with another hash is a separate import', async () => {
    const spki = new Uint8Array(await crypto.subtle.exportKey('spki', (await freshKeys(1024)).publicKey));
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    const sha256 = await importVerifyKey(spki, 'SHA-256');
    const sha384 = await importVerifyKey(spki, 'SHA-384');
    expect(await importVerifyKey(spki.slice(), 'SHA-256')).toBe(sha256);
    expect((sha256.algorithm as RsaHashedKeyAlgorithm).hash.name).toBe('SHA-256');
    expect((sha384.algorithm as RsaHashedKeyAlgorithm).hash.name).toBe('SHA-384');
    expect(importKey).toHaveBeenCalledTimes(2);
  });

  it(`holds at most ${KEY_CACHE_SIZE} keys and drops the least recently used first`, async () => {
    const hashes = ['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512'] as const;
    const spkis: Uint8Array[] = [];
    for (let i = 0; spkis.length * hashes.length <= KEY_CACHE_SIZE; i++) {
      spkis.push(new Uint8Array(await crypto.subtle.exportKey('spki', (await freshKeys(1024)).publicKey)));
    }
    const first = await importVerifyKey(spkis[0]!, 'SHA-1');
    for (const spki of spkis) {
      for (const hash of hashes) {
        await importVerifyKey(spki, hash);
        // Keep the very first entry recently used: it must survive the evictions.
        expect(await importVerifyKey(spkis[0]!, 'SHA-1')).toBe(first);
      }
    }
    expect(importedKeyCount()).toBe(KEY_CACHE_SIZE);
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    expect(await importVerifyKey(spkis[0]!.slice(), 'SHA-1')).toBe(first);
    expect(importKey).not.toHaveBeenCalled();
    await importVerifyKey(spkis[0]!, 'SHA-256'); // evicted: the oldest entry after the first
    expect(importKey).toHaveBeenCalledTimes(1);
  });
});
