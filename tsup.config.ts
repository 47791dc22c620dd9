import { defineConfig } from 'tsup';

// Dual ESM + CJS with declarations for every public entry point (see package.json "exports").
export default defineConfig({
  entry: {
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'pcsc/index': 'src/pcsc/index.ts',
    // The PC/SC host process (isolation: 'process'); found next to the pcsc entry at run time.
    'pcsc/host': 'src/pcsc/isolated/host.ts',
    'webusb/index': 'src/webusb/index.ts',
    'react-native/index': 'src/react-native/index.ts',
    'pdf/index': 'src/pdf/index.ts',
    cli: 'src/cli/main.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
  treeshake: true,
  target: 'es2022',
  platform: 'neutral',
  external: ['pcsc-mini', 'react-native-nfc-manager', /^node:/],
});
