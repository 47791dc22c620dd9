/**
 * One WebSocket to the bridge as request → reply calls: opens it, checks the bridge's hello,
 * says `hello`, and matches each reply to its request by `id`. Any failure becomes a typed
 * error (see ./errors.ts); a closed socket rejects every pending call.
 * @packageDocumentation
 */
import { InvalidArgumentError, type MynacardError } from '../errors.js';
import { BridgeError, bridgeErrorFromClose, bridgeErrorFromWire } from './errors.js';
import { BRIDGE_PROTOCOL, BRIDGE_PROTOCOL_VERSION, parseFrame, type BridgeRequestType } from './protocol.js';

/** The part of the browser's `WebSocket` the bridge client uses (the `ws` package's client fits too). */
export interface WebSocketLike {
  /** 0 connecting, 1 open, 2 closing, 3 closed. */
  readonly readyState: number;
  /** Send one text frame. */
  send(data: string): void;
  /** Close the socket. */
  close(code?: number, reason?: string): void;
  /** The socket opened, or failed (a refused upgrade shows only as an error and close 1006). */
  addEventListener(type: 'open' | 'error', listener: () => void): void;
  /** A frame arrived (`data` is a string for a text frame). */
  addEventListener(type: 'message', listener: (event: { readonly data: unknown }) => void): void;
  /** The socket closed with `code` and `reason`. */
  addEventListener(type: 'close', listener: (event: { readonly code: number; readonly reason: string }) => void): void;
}

/** A `WebSocket` class: the browser's, or `ws`'s in Node 20. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** How to reach the bridge. */
export interface BridgeConnectionOptions {
  /** The bridge's address, e.g. `'ws://127.0.0.1:47110'`. */
  readonly url: string;
  /** The WebSocket class. Default: `globalThis.WebSocket` (browsers, Node 22+). */
  readonly WebSocket?: WebSocketConstructor | undefined;
  /** Longest wait for the socket to open and say hello. Default 10 000 ms. */
  readonly openTimeoutMs?: number | undefined;
}

interface Pending {
  readonly resolve: (value: Record<string, unknown>) => void;
  readonly reject: (error: MynacardError) => void;
}

/** A socket to the bridge, past the `hello` exchange. @internal */
export class BridgeSocket {
  readonly #ws: WebSocketLike;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #failure: MynacardError | undefined;
  /** Called once when the socket closes (for any reason). */
  onClose: ((error: MynacardError) => void) | undefined;

  private constructor(ws: WebSocketLike) {
    this.#ws = ws;
  }

  /** Whether the socket is gone. */
  get closed(): boolean {
    return this.#failure !== undefined;
  }

  /** Open a socket to `options.url` and exchange `hello`. */
  static async open(options: BridgeConnectionOptions): Promise<BridgeSocket> {
    if (typeof options !== 'object' || options === null || typeof options.url !== 'string') {
      throw new InvalidArgumentError('the bridge options need a url');
    }
    if (!/^wss?:\/\//.test(options.url)) throw new InvalidArgumentError('the bridge url must start with ws:// or wss://');
    const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (Ctor === undefined) throw new InvalidArgumentError('no WebSocket class: pass { WebSocket } (the ws package in Node 20)');
    let ws: WebSocketLike;
    try {
      ws = new Ctor(options.url);
    } catch (error) {
      throw new BridgeError('bridge-unavailable', 'could not open a connection to the bridge', { cause: error });
    }
    const socket = new BridgeSocket(ws);
    await socket.#greet(options.openTimeoutMs ?? 10_000);
    const reply = await socket.call('hello', { version: BRIDGE_PROTOCOL_VERSION });
    if (reply['version'] !== BRIDGE_PROTOCOL_VERSION) {
      socket.close();
      throw new BridgeError('bridge-protocol', 'the bridge does not speak protocol version 1');
    }
    return socket;
  }

  /** Wait for the bridge's hello frame; reject when the socket closes or errs first. */
  #greet(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      let greeted = false;
      const timer = setTimeout(() => {
        this.#fail(new BridgeError('bridge-unavailable', `the bridge did not answer within ${timeoutMs} ms`));
        this.#ws.close();
      }, timeoutMs);
      this.onClose = (error) => {
        clearTimeout(timer);
        reject(error);
      };
      this.#ws.addEventListener('message', (event) => {
        const frame = typeof event.data === 'string' ? parseFrame(event.data) : undefined;
        if (!greeted) {
          greeted = true;
          clearTimeout(timer);
          this.onClose = undefined;
          if (frame?.type !== 'hello' || frame['protocol'] !== BRIDGE_PROTOCOL) {
            this.#fail(new BridgeError('bridge-protocol', 'the server is not a mynacard bridge'));
            this.#ws.close();
            reject(this.#failure);
          } else resolve();
          return;
        }
        this.#reply(frame);
      });
      this.#ws.addEventListener('close', (event) => {
        clearTimeout(timer);
        this.#fail(bridgeErrorFromClose(event.code, event.reason));
      });
      // A browser reports a refused upgrade (403) only as an error followed by close 1006.
      this.#ws.addEventListener('error', () => undefined);
    });
  }

  #reply(frame: ReturnType<typeof parseFrame>): void {
    const id = frame?.id;
    const pending = typeof id === 'number' ? this.#pending.get(id) : undefined;
    if (frame === undefined || pending === undefined) {
      this.#fail(new BridgeError('bridge-protocol', 'the bridge sent a malformed or unexpected frame'));
      this.#ws.close(1002);
      return;
    }
    this.#pending.delete(id as number);
    if (frame.type === 'result') pending.resolve(frame);
    else pending.reject(bridgeErrorFromWire(frame['code'], frame['message']));
  }

  #fail(error: MynacardError): void {
    if (this.#failure !== undefined) return;
    this.#failure = error;
    for (const pending of this.#pending.values()) pending.reject(error);
    this.#pending.clear();
    this.onClose?.(error);
  }

  /** Send request `type` with `fields`; resolve to the result frame. */
  call(type: BridgeRequestType, fields: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      try {
        this.#ws.send(JSON.stringify({ ...fields, id, type }));
      } catch (error) {
        this.#pending.delete(id);
        reject(new BridgeError('bridge-unavailable', 'could not send to the bridge', { cause: error }));
      }
    });
  }

  /** Close the socket (normal closure). */
  close(): void {
    this.#fail(new BridgeError('bridge-unavailable', 'the connection to the bridge was closed'));
    try {
      this.#ws.close(1000);
    } catch {
      // already closing
    }
  }
}
