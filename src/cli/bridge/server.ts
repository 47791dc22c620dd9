/**
 * `startBridge`: the `mynacard bridge` server (docs/bridge.md). Listens on 127.0.0.1 only;
 * refuses at the upgrade any request whose `Host` is not this bridge's loopback address (421,
 * DNS rebinding) or whose `Origin` is not exactly an allowed one (403); then each socket is a
 * {@link BridgeSession}. Node only.
 * @packageDocumentation
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { BRIDGE_DEFAULT_PORT, BRIDGE_MAX_FRAME_BYTES } from '../../bridge/protocol.js';
import { InvalidArgumentError } from '../../errors.js';
import { pcscBackend, type BridgeBackend } from './backend.js';
import { ReaderLocks } from './hold.js';
import { Pairing, type PairingOptions } from './pairing.js';
import { BridgeSession, type SessionLimits } from './session.js';

/** Options of {@link startBridge}. */
export interface BridgeServerOptions {
  /** Exact origins (`scheme://host[:port]`) whose pages may connect. At least one. */
  readonly allowOrigins: readonly string[];
  /** Port on 127.0.0.1. Default 47 110; 0 takes a free one. */
  readonly port?: number | undefined;
  /** The reader side. Default: PC/SC (`mynacard/pcsc`). */
  readonly backend?: BridgeBackend | undefined;
  /** Where log lines go (never APDU data, codes or tokens). Default: nowhere. */
  readonly log?: ((line: string) => void) | undefined;
  /** Shows a pairing code to the person at the counter. */
  readonly showCode: PairingOptions['showCode'];
  /** Keep token hashes in this file (mode 0600). Default: in memory only. */
  readonly tokenFile?: string | undefined;
  /** Close a socket without a frame for this long. Default 120 000 ms. */
  readonly idleTimeoutMs?: number | undefined;
  /** Close a socket not authenticated (or paired) within this time. Default 10 000 ms. */
  readonly authTimeoutMs?: number | undefined;
  /** Close a socket sending more frames per second. Default 200. */
  readonly maxFramesPerSecond?: number | undefined;
  /** Largest frame in bytes (larger: close 1009). Default {@link BRIDGE_MAX_FRAME_BYTES}. */
  readonly maxFrameBytes?: number | undefined;
  /** Most sockets at once (more: 503 at the upgrade). Default 16. */
  readonly maxSessions?: number | undefined;
  /** Pairing limits (tests). */
  readonly pairing?: Pick<PairingOptions, 'codeTtlMs' | 'maxWrongCodes' | 'lockoutMs' | 'codeIntervalMs' | 'now'> | undefined;
}

/** A running bridge. */
export interface BridgeServer {
  /** The port it listens on (127.0.0.1). */
  readonly port: number;
  /** `ws://127.0.0.1:<port>`. */
  readonly url: string;
  /** Close every socket (their transactions end, card connections close) and stop listening. */
  close(): Promise<void>;
}

const ORIGIN = /^https?:\/\/[^/\s?#@]+$/;

/** Log-safe rendering of a header value. */
const shown = (value: string | undefined): string => (value === undefined ? '(none)' : JSON.stringify(value.slice(0, 200)));

function refuse(socket: Duplex, status: 403 | 421 | 503, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** Check allowed origins: each exactly `http(s)://host[:port]`, no path. @throws InvalidArgumentError */
export function checkOrigins(origins: readonly string[]): void {
  if (origins.length === 0) throw new InvalidArgumentError('the bridge needs at least one allowed origin');
  for (const origin of origins) {
    if (!ORIGIN.test(origin)) throw new InvalidArgumentError(`not an origin (scheme://host[:port], no path, no trailing slash): ${JSON.stringify(origin)}`);
  }
}

/** Start the bridge; resolves once it listens. */
export async function startBridge(options: BridgeServerOptions): Promise<BridgeServer> {
  checkOrigins(options.allowOrigins);
  const origins = new Set(options.allowOrigins);
  const port = options.port ?? BRIDGE_DEFAULT_PORT;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new InvalidArgumentError('port must be 0–65535');
  const log = options.log ?? (() => undefined);
  const limits: SessionLimits = {
    idleTimeoutMs: options.idleTimeoutMs ?? 120_000,
    authTimeoutMs: options.authTimeoutMs ?? 10_000,
    maxFramesPerSecond: options.maxFramesPerSecond ?? 200,
  };
  const context = {
    backend: options.backend ?? pcscBackend(),
    pairing: new Pairing({ ...options.pairing, showCode: options.showCode, tokenFile: options.tokenFile }),
    locks: new ReaderLocks(),
    limits,
    log,
  };
  const sessions = new Set<BridgeSession>();
  let nextId = 1;

  const http = createServer((_request, response) => {
    response.writeHead(426, { 'content-type': 'text/plain' }).end('mynacard bridge: WebSocket only\n');
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxFrameBytes ?? BRIDGE_MAX_FRAME_BYTES });
  let listeningPort = 0;

  http.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    const host = request.headers.host;
    if (host !== `127.0.0.1:${listeningPort}` && host !== `localhost:${listeningPort}`) {
      log(`refused: Host ${shown(host)} is not this bridge (421)`);
      refuse(socket, 421, 'Misdirected Request');
      return;
    }
    const origin = request.headers.origin;
    if (origin === undefined || !origins.has(origin)) {
      log(`refused: Origin ${shown(origin)} is not allowed (403)`);
      refuse(socket, 403, 'Forbidden');
      return;
    }
    if (sessions.size >= (options.maxSessions ?? 16)) {
      log(`refused: ${sessions.size} sockets already open (503)`);
      refuse(socket, 503, 'Service Unavailable');
      return;
    }
    wss.handleUpgrade(request, socket, head, (ws) => {
      const id = nextId++;
      log(`#${id} connection from ${shown(origin)}`);
      const session = new BridgeSession(ws, id, origin, context);
      sessions.add(session);
      void session.ended.then(() => sessions.delete(session));
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    // Loopback only: never another interface.
    http.listen(port, '127.0.0.1', () => {
      http.off('error', reject);
      resolve();
    });
  });
  listeningPort = (http.address() as AddressInfo).port;
  log(`listening on ws://127.0.0.1:${listeningPort} for ${[...origins].join(', ')}`);

  let closing: Promise<void> | undefined;
  return {
    port: listeningPort,
    url: `ws://127.0.0.1:${listeningPort}`,
    close() {
      closing ??= (async () => {
        const ended = [...sessions].map((s) => s.ended);
        for (const session of sessions) session.close();
        // A reader call that never returns must not keep the bridge from stopping.
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([Promise.all(ended), new Promise((resolve) => (timer = setTimeout(resolve, 5_000)))]);
        clearTimeout(timer);
        for (const ws of wss.clients) ws.terminate();
        wss.close();
        await new Promise<void>((resolve) => http.close(() => resolve()));
      })();
      return closing;
    },
  };
}
