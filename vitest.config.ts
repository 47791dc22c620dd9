import { defineConfig } from 'vitest/config';

// Two projects: everything but test/integration runs in parallel; the PC/SC integration tests
// (one private pcscd per machine) run one file at a time in their own project.
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/integration/**'] } },
      './vitest.integration.config.ts',
    ],
  },
});
