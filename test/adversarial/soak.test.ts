/**
 * Soak: APDUs through `MyNumberCard` on the virtual card with a steady heap. Runs in a child
 * process with `--expose-gc` (exact heap figures). 30 000 APDUs by default, 100 000 with
 * `MYNACARD_ADVERSARIAL=long`.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LONG, TEST_TIMEOUT } from './support.js';

const APDUS = LONG ? 100_000 : 30_000;

interface SoakResult {
  apdus: number;
  ms: number;
  heapBefore: number;
  heapAfter: number;
  growthPer10k: number;
  samples: { apdus: number; heap: number }[];
}

describe('soak', () => {
  it(`${APDUS} APDUs through MyNumberCard keep the heap steady`, () => {
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', fileURLToPath(new URL('./soak-child.ts', import.meta.url)), String(APDUS)],
      { encoding: 'utf8', timeout: LONG ? 600_000 : 60_000 },
    );
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const result = JSON.parse(child.stdout.trim().split('\n').at(-1)!) as SoakResult;
    console.log(`[adversarial soak] ${JSON.stringify({ ...result, samples: undefined })}`);
    expect(result.apdus).toBeGreaterThanOrEqual(APDUS);
    // Generous bounds: one-time growth after warm-up (JIT, inline caches) under 4 MB, and no
    // trend once running: from the first 10k sample to the end under 1 MB.
    expect(result.heapAfter - result.heapBefore).toBeLessThan(4 * 1024 * 1024);
    expect(result.heapAfter - result.samples[0]!.heap).toBeLessThan(1024 * 1024);
    // The slope is meaningful with enough samples (the long run has ten).
    if (result.samples.length >= 5) expect(Math.abs(result.growthPer10k)).toBeLessThan(100 * 1024);
  }, TEST_TIMEOUT);
});
