/**
 * The page side of the bridge's browser test: the SDK (`mynacard` and `mynacard/bridge`,
 * bundled for the browser from the sources) using the browser's own WebSocket, as an ordinary
 * web page at a counter would. `globalThis.mynacardBridge` holds the steps the test drives.
 */
import { toHex } from '../../src/apdu/index.js';
import { BridgeTransport, pair, requestPairingCode } from '../../src/bridge/index.js';
import { MyNumberCard } from '../../src/index.js';

/** What a read reports back. */
export interface BridgePageRead {
  readonly globals: { readonly buffer: string; readonly process: string };
  readonly reader: string;
  readonly certificateHex: string;
  readonly attributes: { readonly name: string; readonly address: string; readonly birthDate: string; readonly sex: string };
}

/** The steps the test calls with `page.evaluate`. */
export interface BridgePageSteps {
  requestCode(url: string): Promise<void>;
  pair(url: string, code: string): Promise<string>;
  read(url: string, token: string): Promise<BridgePageRead>;
  /** The error `BridgeTransport.connect` rejects with: name and code. */
  refused(url: string, token: string): Promise<{ readonly name: string; readonly code: string }>;
}

const steps: BridgePageSteps = {
  requestCode: (url) => requestPairingCode({ url }),
  pair: (url, code) => pair({ url, code }),
  async read(url, token) {
    const transport = await BridgeTransport.connect({ url, token });
    const card = await MyNumberCard.connect(transport, { closeTransport: true });
    try {
      const certificateHex = toHex(await card.jpki.readCertificate('auth'));
      const { name, address, birthDate, sex } = await card.text.readAttributes({ pin: '5678' });
      return {
        globals: { buffer: typeof (globalThis as { Buffer?: unknown }).Buffer, process: typeof (globalThis as { process?: unknown }).process },
        reader: transport.reader,
        certificateHex,
        attributes: { name, address, birthDate, sex: sex.value },
      };
    } finally {
      await card.close();
    }
  },
  async refused(url, token) {
    try {
      await BridgeTransport.connect({ url, token });
      return { name: 'none', code: 'connected' };
    } catch (error) {
      return { name: (error as Error).name, code: String((error as { code?: unknown }).code) };
    }
  },
};

(globalThis as { mynacardBridge?: BridgePageSteps }).mynacardBridge = steps;
