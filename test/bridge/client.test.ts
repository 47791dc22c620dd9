/**
 * The page side on its own: the wire's error codes and close codes become the SDK's typed
 * errors; a server that is not a bridge, or no server, is a `BridgeError`; bad arguments are
 * refused before any socket opens.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { BridgeError, BridgeTransport, bridgeErrorFromClose, bridgeErrorFromWire, pair } from '../../src/bridge/index.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { clientFor, ORIGIN } from './helpers.js';

const Page = clientFor(ORIGIN);
const servers: WebSocketServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

const shape = (e: { name: string; code: string }) => `${e.name}:${e.code}`;

describe('wire codes → typed errors', () => {
  it('maps every documented code', () => {
    const table: Record<string, string> = {
      'bridge-unavailable': 'BridgeError:bridge-unavailable',
      'bridge-unauthorized': 'BridgeError:bridge-unauthorized',
      'bridge-pairing': 'BridgeError:bridge-pairing',
      'bridge-limit': 'BridgeError:bridge-limit',
      'bridge-protocol': 'BridgeError:bridge-protocol',
      'card-removed': 'CardRemovedError:card-removed',
      'card-busy': 'CardBusyError:card-busy',
      'reader-unavailable': 'ReaderUnavailableError:reader-unavailable',
      'pcsc-service': 'PcscServiceError:pcsc-service',
      'card-reset': 'TransportError:card-reset',
      'pcsc-error': 'TransportError:pcsc-error',
      'extended-length-refused': 'TransportError:extended-length-refused',
      'transport-error': 'TransportError:transport-error',
      'invalid-argument': 'InvalidArgumentError:invalid-argument',
      timeout: 'TimeoutError:timeout',
      'something-new': 'TransportError:transport-error',
    };
    for (const [code, expected] of Object.entries(table)) expect(shape(bridgeErrorFromWire(code, 'm')), code).toBe(expected);
    expect(bridgeErrorFromWire('card-busy', 'another page held the reader').message).toBe('bridge: another page held the reader');
  });

  it('maps close codes', () => {
    expect(shape(bridgeErrorFromClose(1008, 'bridge-limit'))).toBe('BridgeError:bridge-limit');
    expect(shape(bridgeErrorFromClose(1009, ''))).toBe('BridgeError:bridge-limit');
    expect(shape(bridgeErrorFromClose(4000, 'idle'))).toBe('TransportError:transport-closed');
    expect(shape(bridgeErrorFromClose(4001, ''))).toBe('BridgeError:bridge-unauthorized');
    expect(shape(bridgeErrorFromClose(1006, ''))).toBe('BridgeError:bridge-unavailable');
  });
});

describe('reaching the bridge', () => {
  it('nothing listening: bridge-unavailable', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const error = await BridgeTransport.connect({ url: `ws://127.0.0.1:${port}`, token: 't', WebSocket: Page }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BridgeError);
    expect((error as BridgeError).code).toBe('bridge-unavailable');
  });

  it('a server that is not a mynacard bridge: bridge-protocol', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    servers.push(server);
    server.on('connection', (ws) => ws.send(JSON.stringify({ type: 'hello', protocol: 'something-else' })));
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    const error = await pair({ url: `ws://127.0.0.1:${port}`, code: '123456', WebSocket: Page }).catch((e: unknown) => e);
    expect((error as BridgeError).code).toBe('bridge-protocol');
  });

  it('a bridge that never says hello: bridge-unavailable after the open timeout', async () => {
    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    servers.push(server);
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    const error = await pair({ url: `ws://127.0.0.1:${port}`, code: '123456', WebSocket: Page, openTimeoutMs: 100 }).catch((e: unknown) => e);
    expect((error as BridgeError).code).toBe('bridge-unavailable');
  });

  it('bad arguments are refused before a socket opens', async () => {
    let opened = 0;
    const Counting = class {
      constructor() {
        opened++;
        throw new Error('must not open');
      }
    } as unknown as typeof Page;
    for (const attempt of [
      () => BridgeTransport.connect({ url: 'http://127.0.0.1:1', token: 't', WebSocket: Counting }),
      () => BridgeTransport.connect({ url: 'ws://127.0.0.1:1', token: '', WebSocket: Counting }),
      () => BridgeTransport.connect({ url: 'ws://127.0.0.1:1', token: 't', WebSocket: Counting, extendedLength: 'yes' as unknown as boolean }),
      () => pair({ url: 'ws://127.0.0.1:1', code: 123456 as unknown as string, WebSocket: Counting }),
    ]) {
      await expect(attempt()).rejects.toBeInstanceOf(InvalidArgumentError);
    }
    expect(opened).toBe(0);
  });
});
