import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const source = (file: string): string => fileURLToPath(new URL(file, import.meta.url));

/**
 * The package's public entries by name, resolved to the sources (the examples import `mynacard`
 * as an app does; tsconfig.json `paths` has the same list). Exact matches only.
 */
export const PACKAGE_ALIASES = [
  { find: /^mynacard$/, replacement: source('./src/index.ts') },
  { find: /^mynacard\/testing$/, replacement: source('./src/testing/index.ts') },
  { find: /^mynacard\/pcsc$/, replacement: source('./src/pcsc/index.ts') },
  { find: /^mynacard\/webusb$/, replacement: source('./src/webusb/index.ts') },
  { find: /^mynacard\/react-native$/, replacement: source('./src/react-native/index.ts') },
  { find: /^mynacard\/apdu$/, replacement: source('./src/apdu/index.ts') },
  { find: /^mynacard\/tlv$/, replacement: source('./src/tlv/index.ts') },
  { find: /^mynacard\/card-ap$/, replacement: source('./src/aps/card-ap/index.ts') },
  { find: /^mynacard\/web-smart-card$/, replacement: source('./src/web-smart-card/index.ts') },
  { find: /^mynacard\/pdf$/, replacement: source('./src/pdf/index.ts') },
  { find: /^mynacard\/bridge$/, replacement: source('./src/bridge/index.ts') },
];

// Two projects: everything but test/integration runs in parallel; the PC/SC integration tests
// (one private pcscd per machine) run one file at a time in their own project.
export default defineConfig({
  resolve: { alias: PACKAGE_ALIASES },
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: ['test/integration/**'] } },
      './vitest.integration.config.ts',
    ],
  },
});
