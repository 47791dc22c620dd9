/**
 * One page's socket on the bridge: the protocol's state machine (hello → pair/auth → connect →
 * transmit / begin … end → disconnect), its limits (frame rate, idle and authentication
 * timeouts) and its log lines. Requests are handled one at a time, in order. APDU data is
 * never logged: only the count.
 * @packageDocumentation
 */
import type { WebSocket } from 'ws';
import { fromHex, toHex } from '../../bytes.js';
import { BRIDGE_CLOSE, BRIDGE_PROTOCOL, BRIDGE_PROTOCOL_VERSION, isRequestId, parseFrame } from '../../bridge/protocol.js';
import type { BackendCard, BridgeBackend } from './backend.js';
import { DEFAULT_HOLD_WAIT_MS, type ReaderLocks } from './hold.js';
import type { Pairing } from './pairing.js';
import { CardTransaction } from './transaction.js';
import { toWireError, WireError } from './wire.js';

/** The limits of a session. */
export interface SessionLimits {
  readonly idleTimeoutMs: number;
  readonly authTimeoutMs: number;
  readonly maxFramesPerSecond: number;
}

/** What a session shares with its bridge. */
export interface SessionContext {
  readonly backend: BridgeBackend;
  readonly pairing: Pairing;
  readonly locks: ReaderLocks;
  readonly limits: SessionLimits;
  readonly log: (line: string) => void;
}

type Frame = NonNullable<ReturnType<typeof parseFrame>>;
type Result = Record<string, unknown>;

const HEX = /^(?:[0-9a-fA-F]{2}){4,}$/;
const BASE64 = /^[A-Za-z0-9+/]{6,}={0,2}$/;

/** A page's socket on the bridge. */
export class BridgeSession {
  readonly #ws: WebSocket;
  readonly #id: number;
  readonly #origin: string;
  readonly #context: SessionContext;
  readonly #abort = new AbortController();
  #state: 'new' | 'hello' | 'authenticated' = 'new';
  #card: BackendCard | undefined;
  #transaction: CardTransaction | undefined;
  #apdus = 0;
  #queue: Promise<void> = Promise.resolve();
  #idleTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #authTimer: ReturnType<typeof setTimeout>;
  #windowStart = 0;
  #framesInWindow = 0;
  /** Resolves when the session has released everything after its socket closed. */
  readonly ended: Promise<void>;

  constructor(ws: WebSocket, id: number, origin: string, context: SessionContext) {
    this.#ws = ws;
    this.#id = id;
    this.#origin = origin;
    this.#context = context;
    let ended!: () => void;
    this.ended = new Promise((resolve) => (ended = resolve));
    ws.on('message', (data, isBinary) => this.#onFrame(data, isBinary));
    ws.on('error', () => undefined); // a 1009 (maxPayload) or a broken socket: reported by 'close'
    ws.on('close', (code) => {
      this.#abort.abort();
      clearTimeout(this.#idleTimer);
      clearTimeout(this.#authTimer);
      this.#queue = this.#queue.then(() => this.#release());
      void this.#queue.then(() => {
        context.log(`#${id} closed (${code}) after ${this.#apdus} APDU${this.#apdus === 1 ? '' : 's'}`);
        ended();
      });
    });
    this.#authTimer = setTimeout(() => {
      if (this.#state === 'authenticated') return;
      context.log(`#${id} not authenticated in time: closing`);
      ws.close(BRIDGE_CLOSE.authTimeout, 'bridge-unauthorized');
    }, context.limits.authTimeoutMs);
    this.#touch();
    this.#send({ type: 'hello', protocol: BRIDGE_PROTOCOL, versions: [BRIDGE_PROTOCOL_VERSION] });
  }

  /** Close the socket (the bridge is stopping). */
  close(): void {
    this.#ws.close(1001, 'bridge stopping');
  }

  #touch(): void {
    clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      this.#context.log(`#${this.#id} idle for ${this.#context.limits.idleTimeoutMs} ms: closing`);
      this.#ws.close(BRIDGE_CLOSE.idle, 'idle');
    }, this.#context.limits.idleTimeoutMs);
  }

  #onFrame(data: unknown, isBinary: boolean): void {
    if (this.#abort.signal.aborted) return;
    this.#touch();
    const now = Date.now();
    if (now - this.#windowStart >= 1000) {
      this.#windowStart = now;
      this.#framesInWindow = 0;
    }
    if (++this.#framesInWindow > this.#context.limits.maxFramesPerSecond) {
      this.#context.log(`#${this.#id} more than ${this.#context.limits.maxFramesPerSecond} frames per second: closing`);
      this.#ws.close(BRIDGE_CLOSE.policy, 'bridge-limit');
      this.#abort.abort();
      return;
    }
    const frame = isBinary ? undefined : parseFrame(String(data));
    if (frame === undefined || !isRequestId(frame.id)) {
      this.#context.log(`#${this.#id} malformed frame: closing`);
      this.#ws.close(BRIDGE_CLOSE.policy, 'bridge-protocol');
      this.#abort.abort();
      return;
    }
    this.#queue = this.#queue.then(() => this.#handle(frame, frame.id as number));
  }

  async #handle(frame: Frame, id: number): Promise<void> {
    if (this.#abort.signal.aborted) return;
    try {
      const result = await this.#dispatch(frame);
      this.#send({ ...result, id, type: 'result' });
    } catch (error) {
      const wire = toWireError(error);
      this.#send({ id, type: 'error', ...wire });
      if (wire.code === 'bridge-unauthorized' || (frame.type === 'hello' && wire.code === 'bridge-protocol')) {
        this.#ws.close(BRIDGE_CLOSE.policy, wire.code);
        this.#abort.abort();
      }
    }
  }

  #send(frame: Result): void {
    if (this.#ws.readyState === this.#ws.OPEN) this.#ws.send(JSON.stringify(frame));
  }

  async #dispatch(frame: Frame): Promise<Result> {
    const { log } = this.#context;
    if (frame.type === 'hello') {
      if (this.#state !== 'new') throw new WireError('bridge-protocol', 'hello was already said');
      if (frame['version'] !== BRIDGE_PROTOCOL_VERSION) throw new WireError('bridge-protocol', 'unsupported protocol version');
      this.#state = 'hello';
      return { version: BRIDGE_PROTOCOL_VERSION };
    }
    if (this.#state === 'new') throw new WireError('bridge-protocol', 'say hello first');
    switch (frame.type) {
      case 'pair-start':
        this.#context.pairing.start();
        log(`#${this.#id} pairing code shown`);
        return {};
      case 'pair': {
        let token: string;
        try {
          token = this.#context.pairing.pair(frame['code'], this.#origin);
        } catch (error) {
          log(`#${this.#id} pairing refused (${(error as WireError).code})`);
          throw error;
        }
        this.#authenticated();
        log(`#${this.#id} paired`);
        return { token };
      }
      case 'auth':
        if (!this.#context.pairing.check(frame['token'], this.#origin)) {
          log(`#${this.#id} unknown token: closing`);
          throw new WireError('bridge-unauthorized', 'unknown token: pair again');
        }
        this.#authenticated();
        log(`#${this.#id} authenticated`);
        return {};
      default:
        if (this.#state !== 'authenticated') throw new WireError('bridge-unauthorized', 'authenticate first');
        return this.#cardRequest(frame);
    }
  }

  #authenticated(): void {
    this.#state = 'authenticated';
    clearTimeout(this.#authTimer);
  }

  async #cardRequest(frame: Frame): Promise<Result> {
    switch (frame.type) {
      case 'list-readers': {
        const readers = await this.#context.backend.listReaders();
        return { readers: readers.map((r) => ({ name: r.name, cardPresent: r.cardPresent, mute: r.mute, inUse: r.inUse, exclusive: r.exclusive })) };
      }
      case 'connect': {
        if (this.#card !== undefined) throw new WireError('bridge-protocol', 'already connected');
        const reader = frame['reader'];
        if (reader !== undefined && typeof reader !== 'string') throw new WireError('invalid-argument', 'reader must be a string');
        this.#card = await this.#context.backend.connect(reader);
        this.#context.log(`#${this.#id} connected to ${JSON.stringify(this.#card.reader)}`);
        return { reader: this.#card.reader, atr: toHex(this.#card.atr) };
      }
      case 'transmit':
        return this.#transmit(frame);
      case 'begin': {
        const card = this.#connected();
        if (this.#transaction !== undefined) throw new WireError('bridge-protocol', 'a transaction is already running');
        const waitMs = typeof frame['timeoutMs'] === 'number' ? frame['timeoutMs'] : DEFAULT_HOLD_WAIT_MS;
        const release = await this.#context.locks.take(card.reader, waitMs, this.#abort.signal);
        this.#transaction = await CardTransaction.begin(card, release);
        return {};
      }
      case 'end': {
        const transaction = this.#transaction;
        if (transaction === undefined) throw new WireError('bridge-protocol', 'no transaction is running');
        this.#transaction = undefined;
        await transaction.end();
        return {};
      }
      case 'disconnect':
        await this.#release();
        return {};
      default:
        throw new WireError('bridge-protocol', 'unknown request type');
    }
  }

  #connected(): BackendCard {
    if (this.#card === undefined) throw new WireError('bridge-protocol', 'connect first');
    return this.#card;
  }

  async #transmit(frame: Frame): Promise<Result> {
    const card = this.#connected();
    const hex = frame['apdu'];
    const base64 = frame['apduBase64'];
    let command: Uint8Array;
    if (typeof hex === 'string' && HEX.test(hex)) command = fromHex(hex);
    else if (typeof base64 === 'string' && BASE64.test(base64)) command = new Uint8Array(Buffer.from(base64, 'base64'));
    else throw new WireError('invalid-argument', 'apdu must be a command APDU of at least 4 bytes, in hex (apdu) or base64 (apduBase64)');
    let response: Uint8Array;
    const transaction = this.#transaction;
    if (transaction !== undefined) {
      response = await transaction.transmit(command);
    } else {
      const release = await this.#context.locks.take(card.reader, DEFAULT_HOLD_WAIT_MS, this.#abort.signal);
      try {
        response = await card.transmit(command);
      } finally {
        release();
      }
    }
    this.#apdus++;
    command.fill(0);
    return typeof hex === 'string' ? { response: toHex(response) } : { responseBase64: Buffer.from(response).toString('base64') };
  }

  /** End a transaction and close the card connection. */
  async #release(): Promise<void> {
    const transaction = this.#transaction;
    this.#transaction = undefined;
    await transaction?.end().catch(() => undefined);
    const card = this.#card;
    this.#card = undefined;
    await card?.close().catch(() => undefined);
  }
}
