/**
 * Conformance vectors (test/vectors/*.json): a fresh virtual card created with the recorded
 * options reproduces every response byte for byte, and the generator still produces exactly
 * the committed files.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
import { CardRemovedError } from '../../src/errors.js';
import { TEST_PKI_DATA, VirtualMyNumberCard, type VirtualCardOptions } from '../../src/testing/index.js';
import { buildVectors, vectorJson } from '../../scripts/generate-vectors.js';

interface Exchange {
  readonly c: string;
  readonly r?: string;
  readonly error?: string;
  readonly note: string;
}
interface Vector {
  readonly name: string;
  readonly description: string;
  readonly card: VirtualCardOptions;
  readonly exchanges: readonly Exchange[];
}

const DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'vectors');
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();
const load = (file: string): Vector => JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Vector;
const HEX = /^([0-9A-F]{2})+$/;

/** Values that must never appear in clear in a note. */
const SECRETS = ['1234', 'ABC123', '5678', '4321', TEST_PKI_DATA.holder.myNumber, '02010220352468'];

describe('conformance vectors', () => {
  it('are all present', () => {
    const names = FILES.map((f) => f.replace(/\.json$/, ''));
    for (const required of [
      'connect',
      'read-auth-cert-extended',
      'read-auth-cert-short',
      'read-sign-cert-extended',
      'read-sign-cert-short',
      'read-auth-ca-extended',
      'read-auth-ca-short',
      'read-sign-ca-extended',
      'read-sign-ca-short',
      'pin-status',
      'verify-and-sign',
      'wrong-pin-lockout',
      'change-pin',
      'read-my-number',
      'read-attributes',
      'read-face',
      'card-pulled-mid-read',
    ]) {
      expect(names).toContain(required);
    }
  });

  it.each(FILES)('%s has the documented format', (file) => {
    const vector = load(file);
    expect(Object.keys(vector).sort()).toEqual(['card', 'description', 'exchanges', 'name']);
    expect(`${vector.name}.json`).toBe(file);
    expect(vector.description.length).toBeGreaterThan(0);
    expect(vector.exchanges.length).toBeGreaterThan(0);
    for (const [i, e] of vector.exchanges.entries()) {
      expect(e.c).toMatch(HEX);
      expect(typeof e.note).toBe('string');
      if (e.error !== undefined) {
        expect(e.error).toBe('card-removed');
        expect(e.r).toBeUndefined();
        expect(i).toBe(vector.exchanges.length - 1);
      } else {
        expect(Object.keys(e).sort()).toEqual(['c', 'note', 'r']);
        expect(e.r).toMatch(HEX);
        expect(e.r!.length).toBeGreaterThanOrEqual(4);
      }
      for (const secret of SECRETS) expect(e.note).not.toContain(secret);
    }
  });

  it.each(FILES)('%s is reproduced byte for byte by a fresh virtual card', async (file) => {
    const vector = load(file);
    const card = await VirtualMyNumberCard.create(vector.card);
    for (const e of vector.exchanges) {
      if (e.error === 'card-removed') {
        await expect(card.transmit(fromHex(e.c))).rejects.toThrow(CardRemovedError);
      } else {
        const response = toHex(await card.transmit(fromHex(e.c))).toUpperCase();
        expect({ c: e.c, r: response }).toEqual({ c: e.c, r: e.r });
      }
    }
  });

  it('match what scripts/generate-vectors.ts produces now', async () => {
    const generated = await buildVectors();
    expect(generated.map((v) => `${v.name}.json`).sort()).toEqual(FILES);
    for (const vector of generated) {
      expect(readFileSync(join(DIR, `${vector.name}.json`), 'utf8')).toBe(vectorJson(vector));
    }
  });
});
