import { defineProject } from 'vitest/config';

// The PC/SC integration project (test/integration): one private pcscd for the whole run, started
// and stopped by global-setup.ts. Only one pcscd can run per machine, so the files in this
// project run one after the other, never in parallel.
// Alone: `npx vitest run -c vitest.integration.config.ts`; with everything: listed in the
// `projects` of vitest.config.ts.
export default defineProject({
  test: {
    name: 'integration',
    include: ['test/integration/**/*.test.ts'],
    globalSetup: ['test/integration/global-setup.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Run after the unit project so that CPU-heavy unit tests do not share the 2 cores.
    sequence: { groupOrder: 1 },
  },
});
