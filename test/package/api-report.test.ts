/**
 * The public surface changes only on purpose: the exports of every entry point must equal the
 * checked-in `api-report.txt`. After a deliberate change, run `npm run api:report` and commit
 * the listing with it (its diff shows reviewers what the public API gained or lost).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiReport, ENTRY_POINTS } from '../../scripts/api-report.js';

describe('public API report', () => {
  it('every export of every entry point is in api-report.txt, and nothing else', () => {
    const committed = readFileSync(new URL('../../api-report.txt', import.meta.url), 'utf8');
    expect(apiReport()).toBe(committed);
  }, 60_000);

  it('lists every entry point of package.json "exports"', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { exports: Record<string, unknown> };
    const entries = Object.keys(pkg.exports)
      .filter((key) => key !== './package.json')
      .map((key) => (key === '.' ? 'mynacard' : `mynacard/${key.slice(2)}`));
    expect(Object.keys(ENTRY_POINTS).sort()).toEqual(entries.sort());
  });
});
