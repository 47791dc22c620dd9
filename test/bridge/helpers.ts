/**
 * Test helpers of the bridge: a backend over the virtual card (a shared reader whose
 * transactions are the bridge's own holds), a `ws` client class that sends a given Origin, and
 * a started bridge that collects its log and pairing codes.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { expect } from 'vitest';
import { toHex } from '../../src/bytes.js';
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

/** A backend over one shared card that records, per connection (`c1`, `c2`, …), its transactions (`begin`, `end`) and commands (header hex). */
export function recordingBackend(vc: VirtualMyNumberCard): { backend: BridgeBackend; events: string[] } {
  const events: string[] = [];
  let next = 0;
  const backend: BridgeBackend = {
    listReaders: () => Promise.resolve([{ name: READER, cardPresent: true, mute: false, inUse: false, exclusive: false }]),
    connect: () => {
      const name = `c${++next}`;
      const card: BackendCard = {
        reader: READER,
        atr: vc.atr,
        transmit: async (command) => {
          events.push(`${name} ${toHex(command.subarray(0, 4))}`);
          return vc.transmit(command);
        },
        withTransaction: async (fn) => {
          events.push(`${name} begin`);
          try {
            return await fn();
          } finally {
            events.push(`${name} end`);
          }
        },
        close: () => Promise.resolve(),
      };
      return Promise.resolve(card);
    },
  };
  return { backend, events };
}

/**
 * Walk recorded events: transactions never overlap, a transaction holds only its own
 * connection's commands, and every command is inside one. Returns who held the card and how often.
 */
export function checkNoInterleaving(events: readonly string[]): { holders: Set<string>; transactions: number } {
  let holder: string | undefined;
  let transactions = 0;
  const holders = new Set<string>();
  for (const event of events) {
    const [who, what] = event.split(' ') as [string, string];
    if (what === 'begin') {
      expect(holder, event).toBeUndefined();
      holder = who;
      holders.add(who);
      transactions++;
    } else if (what === 'end') {
      expect(holder, event).toBe(who);
      holder = undefined;
    } else {
      expect(holder, event).toBe(who);
    }
  }
  return { holders, transactions };
}

const BRIDGE_PAGE = '<!doctype html><meta charset="utf-8"><title>mynacard bridge</title><script src="/sdk.js"></script>';

/** Serve the bridge test page and its SDK bundle (test/browser/bridge-page.ts) on 127.0.0.1. */
export async function serveBridgePage(sdk: string): Promise<{ server: Server; origin: string }> {
  const server = createServer((request, response) => {
    if (request.url === '/') response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(BRIDGE_PAGE);
    else if (request.url === '/sdk.js') response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(sdk);
    else response.writeHead(request.url === '/favicon.ico' ? 204 : 404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** One page read (test/browser/bridge-page.ts `read`) as the card sees it over a shared reader: the session's APDUs. */
export const BRIDGE_READ_COMMANDS: readonly string[] = [
  '00A4040C0AD392F000260100000001', // SELECT 公的個人認証AP (connect)
  '00B0860020', // token label
  '00A4040C0AD392F000260100000001', // SELECT again: a new operation on a shared reader
  '00B08A00000000', // 利用者証明用電子証明書, extended Le
  '00A4040C0AD3921000310001010408', // SELECT 券面事項入力補助AP
  '00200091', // tries query
  '00200091', // VERIFY (data cut by the card log)
  '00B08200000000', // 基本4情報
  '00A4040C0AD3921000310001010408', // security status dropped
];
