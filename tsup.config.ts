import { defineConfig } from 'tsup';

// Dual ESM + CJS with declarations for every public entry point (see package.json "exports").
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    // Low-level entries (mynacard/apdu, mynacard/tlv, mynacard/card-ap).
    'apdu/index': 'src/apdu/index.ts',
    'tlv/index': 'src/tlv/index.ts',
    'card-ap/index': 'src/aps/card-ap/index.ts',
    'testing/index': 'src/testing/index.ts',
    'pcsc/index': 'src/pcsc/index.ts',
    // The PC/SC host process (isolation: 'process'); found next to the pcsc entry at run time.
    'pcsc/host': 'src/pcsc/isolated/host.ts',
    'webusb/index': 'src/webusb/index.ts',
    'web-smart-card/index': 'src/web-smart-card/index.ts',
    'bridge/index': 'src/bridge/index.ts',
    'react-native/index': 'src/react-native/index.ts',
    'pdf/index': 'src/pdf/index.ts',
    cli: 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  // Shared modules go to shared chunks (ESM and CJS), so a class exported by several entries
  // exists once and `instanceof` works from each (test/package/entry-identity.test.ts).
  splitting: true,
  treeshake: true,
  target: 'es2022',
  platform: 'neutral',
  external: ['pcsc-mini', 'react-native-nfc-manager', /^node:/],
});
