/**
 * The bridge's security rules (docs/bridge.md), each with a test: loopback only, exact Origin,
 * Host (DNS rebinding), pairing (one-time code, expiry, wrong codes locked out, tokens bound to
 * the origin, the 0600 token file), frame size and rate limits, idle and authentication
 * timeouts, one page holding the reader at a time (no interleaving, typed busy error), and the
 * protocol's refusals.
 */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { request } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MyNumberCard } from '../../src/aps/card.js';
import { BridgeError, BridgeTransport, listReaders, pair, requestPairingCode } from '../../src/bridge/index.js';
import { toHex } from '../../src/bytes.js';
import type { BridgeBackend } from '../../src/cli/bridge/backend.js';
import { CardBusyError, TransportError } from '../../src/errors.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import { AUTH_PIN, SIGNED_DATA, TEXT_PIN } from '../shared/card-flows.js';
import { checkNoInterleaving, clientFor, ORIGIN, OTHER_ORIGIN, READER, recordingBackend, testBridge, virtualBackend, type TestBridge } from './helpers.js';

const Page = clientFor(ORIGIN);
const bridges: TestBridge[] = [];

afterEach(async () => {
  await Promise.all(bridges.splice(0).map((b) => b.server.close()));
});

async function start(options: Parameters<typeof testBridge>[1] = {}, backend?: BridgeBackend): Promise<TestBridge & { vc: VirtualMyNumberCard }> {
  const vc = await VirtualMyNumberCard.create();
  const bridge = await testBridge(backend ?? virtualBackend(() => vc), options);
  bridges.push(bridge);
  return { ...bridge, vc };
}

async function paired(bridge: TestBridge, WebSocketClass = Page): Promise<string> {
  await requestPairingCode({ url: bridge.server.url, WebSocket: WebSocketClass });
  return pair({ url: bridge.server.url, WebSocket: WebSocketClass, code: bridge.codes.at(-1)! });
}

/** The HTTP status of a WebSocket upgrade with these headers (101: accepted). */
function upgradeStatus(port: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      headers: {
        Connection: 'Upgrade',
        Upgrade: 'websocket',
        'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'Sec-WebSocket-Version': '13',
        ...headers,
      },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

/** A raw socket from `origin`: its frames, and how it closed. */
async function raw(url: string, origin = ORIGIN) {
  const ws = new WebSocket(url, { origin });
  const frames: Record<string, unknown>[] = [];
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>));
  ws.on('error', () => undefined);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  const next = async (count: number): Promise<Record<string, unknown>> => {
    while (frames.length < count) await new Promise((r) => setTimeout(r, 5));
    return frames[count - 1]!;
  };
  return { ws, frames, closed, next };
}

describe('where the bridge listens', () => {
  it('answers on 127.0.0.1 and not on any other interface', async () => {
    const bridge = await start();
    expect(await upgradeStatus(bridge.server.port, { Host: `127.0.0.1:${bridge.server.port}`, Origin: ORIGIN })).toBe(101);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a !== undefined && a.family === 'IPv4' && !a.internal);
    if (external === undefined) return; // no other interface on this machine
    const error = await new Promise<NodeJS.ErrnoException>((resolve) => {
      const req = request({ host: external.address, port: bridge.server.port });
      req.on('error', resolve);
      req.on('response', () => resolve(Object.assign(new Error('answered'), { code: 'ANSWERED' })));
      req.end();
    });
    expect(error.code).toBe('ECONNREFUSED');
  });

  it('answers a plain HTTP request with 426 and nothing else', async () => {
    const bridge = await start();
    const status = await new Promise<number>((resolve) => request({ host: '127.0.0.1', port: bridge.server.port }, (res) => resolve(res.statusCode!)).end());
    expect(status).toBe(426);
  });
});

describe('Origin', () => {
  it('is compared exactly: anything but an allowed origin is refused at the upgrade with 403', async () => {
    const bridge = await start();
    const port = bridge.server.port;
    const host = `127.0.0.1:${port}`;
    expect(await upgradeStatus(port, { Host: host, Origin: ORIGIN })).toBe(101);
    for (const origin of [OTHER_ORIGIN, `${ORIGIN}/`, 'HTTP://127.0.0.1:8080', 'http://127.0.0.1:8081', 'http://127.0.0.1:8080.evil.example', 'null']) {
      expect(await upgradeStatus(port, { Host: host, Origin: origin }), origin).toBe(403);
    }
    expect(await upgradeStatus(port, { Host: host })).toBe(403);
    expect(bridge.log.filter((l) => l.includes('(403)'))).toHaveLength(7);
  });

  it('a page of another origin gets bridge-unavailable and never reaches the reader', async () => {
    const bridge = await start();
    const token = await paired(bridge);
    const error = await BridgeTransport.connect({ url: bridge.server.url, token, WebSocket: clientFor(OTHER_ORIGIN) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BridgeError);
    expect((error as BridgeError).code).toBe('bridge-unavailable');
    expect(bridge.vc.log).toHaveLength(0);
  });
});

describe('Host (DNS rebinding)', () => {
  it('must be 127.0.0.1:<port> or localhost:<port>; anything else gets 421', async () => {
    const bridge = await start();
    const port = bridge.server.port;
    expect(await upgradeStatus(port, { Host: `localhost:${port}`, Origin: ORIGIN })).toBe(101);
    for (const host of [`rebind.evil.example:${port}`, `127.0.0.1:${port + 1}`, '127.0.0.1', `localhost.:${port}`, `[::1]:${port}`, `0.0.0.0:${port}`]) {
      expect(await upgradeStatus(port, { Host: host, Origin: ORIGIN }), host).toBe(421);
    }
    expect(bridge.log.filter((l) => l.includes('(421)'))).toHaveLength(6);
  });
});

describe('pairing and tokens', () => {
  it('an unpaired page (unknown token) is refused and the socket closed', async () => {
    const bridge = await start();
    const error = await BridgeTransport.connect({ url: bridge.server.url, token: 'A'.repeat(43), WebSocket: Page }).catch((e: unknown) => e);
    expect((error as BridgeError).code).toBe('bridge-unauthorized');
    const socket = await raw(bridge.server.url);
    socket.ws.send(JSON.stringify({ id: 1, type: 'hello', version: 1 }));
    socket.ws.send(JSON.stringify({ id: 2, type: 'list-readers' }));
    socket.ws.send(JSON.stringify({ id: 3, type: 'connect' }));
    expect(await socket.next(3)).toMatchObject({ id: 2, type: 'error', code: 'bridge-unauthorized' });
    expect(await socket.closed).toEqual({ code: 1008, reason: 'bridge-unauthorized' });
    expect(bridge.vc.log).toHaveLength(0);
  });

  it('a paired page gets a 256-bit token that works on later connections from its origin only', async () => {
    const other = 'https://counter.example.lg.jp';
    const bridge = await start({ allowOrigins: [ORIGIN, other] });
    const token = await paired(bridge);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await listReaders({ url: bridge.server.url, token, WebSocket: Page })).toEqual([
      { name: READER, cardPresent: true, mute: false, inUse: false, exclusive: false },
    ]);
    const error = await listReaders({ url: bridge.server.url, token, WebSocket: clientFor(other) }).catch((e: unknown) => e);
    expect((error as BridgeError).code).toBe('bridge-unauthorized');
    // The code was used up.
    const again = await pair({ url: bridge.server.url, WebSocket: Page, code: bridge.codes.at(-1)! }).catch((e: unknown) => e);
    expect((again as BridgeError).code).toBe('bridge-pairing');
  });

  it('wrong codes are locked out after 5, even the right code then; a new code works after the lockout', async () => {
    let now = 1_000_000;
    const bridge = await start({ pairing: { now: () => now, lockoutMs: 60_000 } });
    const url = bridge.server.url;
    await requestPairingCode({ url, WebSocket: Page });
    const right = bridge.codes.at(-1)!.replace(' ', '');
    const wrong = String((Number(right) + 1) % 1_000_000).padStart(6, '0');
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push(((await pair({ url, WebSocket: Page, code: wrong }).catch((e: unknown) => e)) as BridgeError).code);
    expect(codes).toEqual(['bridge-pairing', 'bridge-pairing', 'bridge-pairing', 'bridge-pairing', 'bridge-limit']);
    expect(((await pair({ url, WebSocket: Page, code: right }).catch((e: unknown) => e)) as BridgeError).code).toBe('bridge-limit');
    expect(((await requestPairingCode({ url, WebSocket: Page }).catch((e: unknown) => e)) as BridgeError).code).toBe('bridge-limit');
    expect(bridge.codes).toHaveLength(1);
    now += 60_000;
    // The old code stays void.
    expect(((await pair({ url, WebSocket: Page, code: right }).catch((e: unknown) => e)) as BridgeError).code).toBe('bridge-pairing');
    expect(await paired(bridge)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(bridge.log.join('\n')).not.toContain(right);
    expect(bridge.log.join('\n')).not.toContain(wrong);
  });

  it('a page cannot flood the terminal with codes: one new code every 2 s at most', async () => {
    let now = 0;
    const bridge = await start({ pairing: { now: () => now } });
    await requestPairingCode({ url: bridge.server.url, WebSocket: Page });
    now += 1_999;
    const error = await requestPairingCode({ url: bridge.server.url, WebSocket: Page }).catch((e: unknown) => e);
    expect((error as BridgeError).code).toBe('bridge-limit');
    expect(bridge.codes).toHaveLength(1);
    now += 1;
    await requestPairingCode({ url: bridge.server.url, WebSocket: Page });
    expect(bridge.codes).toHaveLength(2);
  });

  it('a code expires', async () => {
    let now = 0;
    const bridge = await start({ pairing: { now: () => now, codeTtlMs: 300_000 } });
    await requestPairingCode({ url: bridge.server.url, WebSocket: Page });
    now += 300_000;
    const error = await pair({ url: bridge.server.url, WebSocket: Page, code: bridge.codes.at(-1)! }).catch((e: unknown) => e);
    expect((error as BridgeError).code).toBe('bridge-pairing');
  });

  it('with a token file: hashes only, mode 0600, and a restarted bridge knows the token', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'mynacard-bridge-'));
    try {
      const tokenFile = join(dir, 'tokens');
      const first = await start({ tokenFile });
      const token = await paired(first);
      expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
      const text = await readFile(tokenFile, 'utf8');
      expect(text).not.toContain(token);
      expect(text).toMatch(new RegExp(`^${ORIGIN.replace(/[.:/]/g, '\\$&')}\\t[0-9a-f]{64}\\n$`));
      await first.server.close();
      const second = await start({ tokenFile });
      expect(await listReaders({ url: second.server.url, token, WebSocket: Page })).toHaveLength(1);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('limits', () => {
  it('a frame over the size limit closes the socket (1009); an extended APDU in hex fits', async () => {
    const bridge = await start();
    const token = await paired(bridge);
    const transport = await BridgeTransport.connect({ url: bridge.server.url, token, WebSocket: Page });
    // The largest extended command: 7-byte header + 65 535 data bytes + 2-byte Le.
    const big = new Uint8Array(7 + 65_535 + 2);
    big.set([0x00, 0xd6, 0x00, 0x00, 0x00, 0xff, 0xff]);
    const response = await transport.transmit(big);
    expect(response.length).toBeGreaterThanOrEqual(2);
    await transport.close();
    const socket = await raw(bridge.server.url);
    socket.ws.send('x'.repeat(140_001));
    expect((await socket.closed).code).toBe(1009);
  });

  it('more frames per second than allowed close the socket (1008 bridge-limit)', async () => {
    const bridge = await start({ maxFramesPerSecond: 20 });
    const token = await paired(bridge);
    const transport = await BridgeTransport.connect({ url: bridge.server.url, token, WebSocket: Page });
    const select = Uint8Array.from([0x00, 0xa4, 0x04, 0x0c, 0x0a, 0xd3, 0x92, 0xf0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01]);
    const results = await Promise.allSettled(Array.from({ length: 30 }, () => transport.transmit(select)));
    const codes = results.map((r) => (r.status === 'fulfilled' ? toHex(r.value) : (r.reason as BridgeError).code));
    // hello, auth and connect took 3 frames of the 20.
    expect(codes.filter((c) => c === '9000').length).toBeLessThanOrEqual(17);
    expect(codes.at(-1)).toBe('bridge-limit');
    expect(bridge.log.join('\n')).toContain('more than 20 frames per second');
  });

  it('an idle session is closed and its card connection released', async () => {
    const backend = virtualBackend(() => vc);
    const vc = await VirtualMyNumberCard.create();
    const bridge = await start({ idleTimeoutMs: 200 }, backend);
    const token = await paired(bridge);
    const transport = await BridgeTransport.connect({ url: bridge.server.url, token, WebSocket: Page });
    expect(backend.open).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 400));
    const error = await transport.transmit(Uint8Array.of(0, 0xa4, 0, 0)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).code).toBe('transport-closed');
    expect(transport.closed).toBe(true);
    expect(backend.open).toBe(0);
    expect(bridge.log.join('\n')).toMatch(/#\d+ idle for 200 ms: closing/);
  });

  it('more sockets than allowed are refused at the upgrade (503)', async () => {
    const bridge = await start({ maxSessions: 2 });
    const first = await raw(bridge.server.url);
    const second = await raw(bridge.server.url);
    await expect(raw(bridge.server.url)).rejects.toThrow('HTTP 503');
    first.ws.close();
    await first.closed;
    await new Promise((resolve) => setTimeout(resolve, 50));
    const third = await raw(bridge.server.url);
    third.ws.close();
    second.ws.close();
  });

  it('a socket that neither pairs nor authenticates in time is closed (4001)', async () => {
    const bridge = await start({ authTimeoutMs: 150 });
    const socket = await raw(bridge.server.url);
    socket.ws.send(JSON.stringify({ id: 1, type: 'hello', version: 1 }));
    expect(await socket.closed).toEqual({ code: 4001, reason: 'bridge-unauthorized' });
  });
});

describe('one page holds the reader at a time', () => {
  it('two pages reading at once never interleave inside a transaction; the card sees whole sequences', async () => {
    const vc = await VirtualMyNumberCard.create();
    const { backend, events } = recordingBackend(vc);
    const bridge = await start({}, backend);
    const token = await paired(bridge);
    const open = async () => MyNumberCard.connect(await BridgeTransport.connect({ url: bridge.server.url, token, WebSocket: Page }), { closeTransport: true });
    const [a, b] = await Promise.all([open(), open()]);
    const [certA, attrs, certB, signature] = await Promise.all([
      a.jpki.readCertificate('auth'),
      b.text.readAttributes({ pin: TEXT_PIN }),
      b.jpki.readCertificate('auth'),
      a.jpki.sign('auth', SIGNED_DATA, { pin: AUTH_PIN }),
    ]);
    expect(toHex(certA)).toBe(toHex(vc.certificates.auth));
    expect(toHex(certB)).toBe(toHex(vc.certificates.auth));
    expect(attrs.name).toBe(vc.holder.name);
    expect(signature.length).toBe(256);
    await a.close();
    await b.close();
    const { holders, transactions } = checkNoInterleaving(events);
    expect(holders).toEqual(new Set(['c1', 'c2']));
    expect(transactions).toBeGreaterThanOrEqual(4);
    // The card saw exactly the commands the pages sent, in the order of the events.
    expect(vc.log.map((e) => toHex(e.command.subarray(0, 4)))).toEqual(events.filter((e) => !/ (begin|end)$/.test(e)).map((e) => e.split(' ')[1]));
    expect(bridge.log.join('\n')).not.toContain(toHex(new TextEncoder().encode(TEXT_PIN)));
    expect(bridge.log.join('\n')).not.toContain(AUTH_PIN);
    expect(bridge.log.join('\n')).not.toContain(toHex(new TextEncoder().encode(AUTH_PIN)));
  });

  it('another page waits at most its timeout, then gets CardBusyError; the holder is not disturbed', async () => {
    const bridge = await start();
    const token = await paired(bridge);
    const a = await BridgeTransport.connect({ url: bridge.server.url, token, WebSocket: Page });
    const b = await BridgeTransport.connect({ url: bridge.server.url, token, WebSocket: Page, transactionTimeoutMs: 100 });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let entered!: () => void;
    const inside = new Promise<void>((resolve) => (entered = resolve));
    const holding = a.withTransaction(async () => {
      entered();
      await held;
      return 'a done';
    });
    await inside;
    let ran = false;
    const started = Date.now();
    const error = await b
      .withTransaction(async () => {
        ran = true;
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CardBusyError);
    expect(ran).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
    // A transmit outside a transaction waits too (bounded by the bridge's 30 s): it goes through after the hold ends.
    const outside = b.transmit(Uint8Array.of(0x00, 0xa4, 0x04, 0x0c));
    release();
    expect(await holding).toBe('a done');
    expect((await outside).length).toBe(2);
    await a.close();
    await b.close();
  });
});

describe('protocol refusals', () => {
  it('an unsupported version is refused and the socket closed', async () => {
    const bridge = await start();
    const socket = await raw(bridge.server.url);
    expect(await socket.next(1)).toEqual({ type: 'hello', protocol: 'mynacard-bridge', versions: [1] });
    socket.ws.send(JSON.stringify({ id: 1, type: 'hello', version: 2 }));
    expect(await socket.next(2)).toMatchObject({ id: 1, type: 'error', code: 'bridge-protocol' });
    expect(await socket.closed).toEqual({ code: 1008, reason: 'bridge-protocol' });
  });

  it('an APDU may travel in base64; the response comes back in the same encoding', async () => {
    const bridge = await start();
    const token = await paired(bridge);
    const socket = await raw(bridge.server.url);
    socket.ws.send(JSON.stringify({ id: 1, type: 'hello', version: 1 }));
    socket.ws.send(JSON.stringify({ id: 2, type: 'auth', token }));
    socket.ws.send(JSON.stringify({ id: 3, type: 'connect' }));
    socket.ws.send(JSON.stringify({ id: 4, type: 'transmit', apduBase64: Buffer.from('00A4040C0AD392F000260100000001', 'hex').toString('base64') }));
    socket.ws.send(JSON.stringify({ id: 5, type: 'transmit', apdu: '00A4040C0AD392F000260100000001' }));
    expect(await socket.next(6)).toEqual({ id: 5, type: 'result', response: '9000' });
    expect(socket.frames[4]).toEqual({ id: 4, type: 'result', responseBase64: Buffer.of(0x90, 0x00).toString('base64') });
    expect(socket.frames[3]).toEqual({ id: 3, type: 'result', reader: READER, atr: toHex(bridge.vc.atr) });
    socket.ws.close();
    await socket.closed;
  });

  it('a malformed frame closes the socket; an unknown request type is answered without closing', async () => {
    const bridge = await start();
    const token = await paired(bridge);
    const socket = await raw(bridge.server.url);
    socket.ws.send(JSON.stringify({ id: 1, type: 'hello', version: 1 }));
    socket.ws.send(JSON.stringify({ id: 2, type: 'auth', token }));
    socket.ws.send(JSON.stringify({ id: 3, type: 'format-card' }));
    socket.ws.send(JSON.stringify({ id: 4, type: 'transmit', apdu: '00a4' }));
    expect(await socket.next(5)).toMatchObject({ id: 4, type: 'error', code: 'bridge-protocol' });
    expect(socket.frames[3]).toMatchObject({ id: 3, type: 'error', code: 'bridge-protocol' });
    socket.ws.send('{not json');
    expect(await socket.closed).toEqual({ code: 1008, reason: 'bridge-protocol' });
  });
});
