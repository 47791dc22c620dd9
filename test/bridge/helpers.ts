/**
 * Test helpers of the bridge: a backend over the virtual card (a shared reader whose
 * transactions are the bridge's own holds), a `ws` client class that sends a given Origin, and
 * a started bridge that collects its log and pairing codes.
 */
import WebSocket from 'ws';
import type { BackendCard, BridgeBackend } from '../../src/cli/bridge/backend.js';
import { startBridge, type BridgeServer, type BridgeServerOptions } from '../../src/cli/bridge/server.js';
import type { WebSocketConstructor } from '../../src/bridge/index.js';
import { ReaderUnavailableError } from '../../src/errors.js';
import type { VirtualMyNumberCard } from '../../src/testing/index.js';

export const READER = 'Virtual Reader 00 00';
export const ORIGIN = 'http://127.0.0.1:8080';
export const OTHER_ORIGIN = 'http://evil.example';

/** A backend whose one reader holds `card()` (read at each connect). Counts open connections. */
export function virtualBackend(card: () => VirtualMyNumberCard): BridgeBackend & { open: number } {
  const backend = {
    open: 0,
    listReaders: () => Promise.resolve([{ name: READER, cardPresent: true, mute: false, inUse: false, exclusive: false }]),
    connect(reader: string | undefined): Promise<BackendCard> {
      if (reader !== undefined && reader !== READER) return Promise.reject(new ReaderUnavailableError(`No reader named ${reader}`));
      const vc = card();
      backend.open++;
      let closed = false;
      return Promise.resolve({
        reader: READER,
        atr: vc.atr,
        transmit: (command: Uint8Array) => vc.transmit(command),
        withTransaction: <T>(fn: () => Promise<T>) => fn(),
        close: () => {
          if (!closed) backend.open--;
          closed = true;
          return Promise.resolve();
        },
      });
    },
  };
  return backend;
}

/** A `ws` client class that sends `origin` (and optionally a forged Host) like a browser page. */
export function clientFor(origin: string, headers: Record<string, string> = {}): WebSocketConstructor {
  return class extends WebSocket {
    constructor(url: string) {
      super(url, { origin, headers });
    }
  } as unknown as WebSocketConstructor;
}

/** A running bridge with its log lines and the codes it showed. */
export interface TestBridge {
  readonly server: BridgeServer;
  readonly log: string[];
  readonly codes: string[];
}

/** Start a bridge on 127.0.0.1, a free port, allowing {@link ORIGIN}. */
export async function testBridge(backend: BridgeBackend, options: Partial<BridgeServerOptions> = {}): Promise<TestBridge> {
  const log: string[] = [];
  const codes: string[] = [];
  const server = await startBridge({
    allowOrigins: [ORIGIN],
    port: 0,
    backend,
    log: (line) => log.push(line),
    showCode: (code) => {
      codes.push(code);
      log.push('pairing code shown to the person at the counter');
    },
    ...options,
  });
  return { server, log, codes };
}
