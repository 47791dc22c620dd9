/**
 * A bridge that puts a card object (the virtual My Number Card, or any {@link Transport}) into
 * a real PC/SC stack: pcscd with vsmartcard's `vpcd` reader driver. Connecting = inserting the
 * card into reader "Virtual PCD 00 00"; closing = pulling it out. Every PC/SC client on the
 * machine (pcsc-mini, OpenSC, pcsc_scan) then talks to the card through pcscd.
 *
 * Node only (TCP). `node:net` is imported inside {@link connectToVpcd}, so importing
 * `mynacard/testing` in a browser bundle stays free of Node built-ins.
 *
 * Wire protocol (vsmartcard `vpcd.h`): vpcd listens on TCP and the card connects as the client.
 * Every message, both ways, is a 2-byte big-endian length + payload. A 1-byte payload from vpcd
 * is a control byte (00 power off, 01 power on, 02 reset: no reply; 04 get ATR: reply with the
 * ATR); any longer payload is a command APDU, answered by exactly one response APDU.
 * @packageDocumentation
 */
import type { Socket } from 'node:net';
import { isSecretCommand } from '../apdu/trace.js';
import { toHex } from '../bytes.js';
import { CardRemovedError, InvalidArgumentError, ReaderUnavailableError } from '../errors.js';
import type { Transport } from '../transport/transport.js';

/** Default vpcd TCP port: slot 0, reader "Virtual PCD 00 00" (slot 1 is port + 1). */
export const VPCD_DEFAULT_PORT = 35963;

/** ATR sent when the card has none: the one in OpenSC's JPKI table (card-facts §1.2). */
const DEFAULT_ATR = Uint8Array.of(0x3b, 0xe0, 0x00, 0xff, 0x81, 0x31, 0xfe, 0x45, 0x14);

// vpcd control bytes (vsmartcard vpcd.h: VPCD_CTRL_OFF / ON / RESET / ATR).
const CTRL_POWER_OFF = 0x00;
const CTRL_POWER_ON = 0x01;
const CTRL_RESET = 0x02;
const CTRL_GET_ATR = 0x04;

/** SW 6F00 "no precise diagnosis" (ISO/IEC 7816-4): the card object failed. */
const SW_NO_PRECISE_DIAGNOSIS = Uint8Array.of(0x6f, 0x00);


/**
 * Imported at call time through a computed specifier: bundlers (esbuild, Rollup, webpack) then
 * leave it alone, so `mynacard/testing` bundles for browsers although this module needs Node.
 */
const NODE_NET = 'node:net';

const DEFAULT_CONNECT_TIMEOUT_MS = 5000;
const CONNECT_RETRY_MS = 50;
/** Each connect attempt may take this long even when the deadline is closer (a refusal is instant). */
const MIN_ATTEMPT_MS = 250;

/**
 * What {@link connectToVpcd} needs from a card: a {@link Transport}, plus optionally its ATR
 * and a reset hook. The virtual My Number Card has all three.
 */
export type VpcdCard = Transport & {
  /** ATR answered to vpcd's GET ATR; the JPKI contact ATR when absent. */
  readonly atr?: Uint8Array | undefined;
  /**
   * `false` once the card was pulled out of the card object (the virtual card's `remove()`):
   * the bridge then drops the connection at vpcd's next presence poll, so pcscd sees the
   * removal even when no APDU is in flight.
   */
  readonly present?: boolean | undefined;
  /**
   * Called on vpcd POWER ON and RESET: the card drops its security state, as a real card does.
   * Throwing (or rejecting with) `CardRemovedError` pulls the card from the reader.
   */
  reset?(): unknown;
};

/** Options of {@link connectToVpcd}. */
export interface VpcdOptions {
  /** vpcd address. Default: env `VPCD_HOST`, else `127.0.0.1`. */
  host?: string;
  /** vpcd port. Default: env `VPCD_PORT`, else 35963 (reader "Virtual PCD 00 00"). */
  port?: number;
  /** Keep retrying a refused connection this long (vpcd may still be starting). Default 5000. */
  connectTimeoutMs?: number;
  /**
   * Receives one line per event: connection, control bytes (not the 400 ms GET ATR polls),
   * each command APDU in hex and each response as its length and status word. Bodies of
   * VERIFY / CHANGE REFERENCE DATA / RESET RETRY COUNTER and all response data are left out:
   * they can hold a PIN or a My Number. Nothing is logged without this callback.
   */
  onLog?: (line: string) => void;
}

/** A card inserted into vpcd's reader by {@link connectToVpcd}. */
export interface VpcdConnection {
  /** Pull the card out of the reader (close the TCP connection); resolves once it is closed. */
  close(): Promise<void>;
  /**
   * Resolves (never rejects) when the connection ends for any reason: {@link close}, the card
   * object reporting its removal (`CardRemovedError`, `present === false`), or vpcd going away
   * (pcscd stopped).
   */
  readonly closed: Promise<void>;
  /** Command APDUs received from vpcd so far (each one answered, or the card was pulled). */
  readonly apduCount: number;
}

/**
 * Insert `card` into vpcd's virtual reader: connect to vpcd over TCP and answer it until the
 * connection ends. Each command APDU goes to `card.transmit`, one at a time, in arrival order;
 * its result goes back as the response APDU. If `transmit` rejects with `CardRemovedError` the
 * connection is dropped (the card was pulled); any other failure is answered with SW 6F00.
 *
 * pcscd notices the card on its next presence poll (up to ~400 ms later) and powers it on.
 *
 * @throws `InvalidArgumentError` (from `mynacard`) for a bad host/port/timeout.
 * @throws `ReaderUnavailableError` (from `mynacard`) when vpcd cannot be reached within `connectTimeoutMs`.
 */
export async function connectToVpcd(card: VpcdCard, options: VpcdOptions = {}): Promise<VpcdConnection> {
  const env = globalThis.process?.env ?? {};
  const host = options.host ?? env['VPCD_HOST'] ?? '127.0.0.1';
  const port = options.port ?? (env['VPCD_PORT'] ? Number(env['VPCD_PORT']) : VPCD_DEFAULT_PORT);
  const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  if (host === '') throw new InvalidArgumentError('vpcd host must not be empty');
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new InvalidArgumentError('vpcd port must be an integer from 1 to 65535');
  }
  if (!(connectTimeoutMs >= 0)) throw new InvalidArgumentError('connectTimeoutMs must be >= 0');

  const net = (await import(/* webpackIgnore: true */ /* @vite-ignore */ NODE_NET)) as typeof import('node:net');
  const socket = await connectWithRetry(net, host, port, connectTimeoutMs);
  return new VpcdBridge(socket, card, options.onLog).start(`${host}:${port}`);
}

async function connectWithRetry(
  net: typeof import('node:net'),
  host: string,
  port: number,
  timeoutMs: number,
): Promise<Socket> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const remaining = deadline - Date.now();
    try {
      return await connectOnce(net, host, port, Math.max(remaining, MIN_ATTEMPT_MS));
    } catch (cause) {
      if (Date.now() + CONNECT_RETRY_MS > deadline) {
        const reason = (cause as { code?: unknown }).code ?? (cause as Error).message;
        throw new ReaderUnavailableError(`Cannot connect to vpcd at ${host}:${port} (${String(reason)})`, { cause });
      }
      await new Promise((resolve) => setTimeout(resolve, CONNECT_RETRY_MS));
    }
  }
}

function connectOnce(net: typeof import('node:net'), host: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('connect timed out'));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      resolve(socket);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      reject(err);
    });
  });
}

/** One vpcd connection: frame reassembly, control bytes, and the APDU queue. */
class VpcdBridge {
  private pending = new Uint8Array(0);
  private queue: Promise<void> = Promise.resolve();
  private count = 0;
  private readonly closed: Promise<void>;

  constructor(
    private readonly socket: Socket,
    private readonly card: VpcdCard,
    private readonly onLog: ((line: string) => void) | undefined,
  ) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  start(address: string): VpcdConnection {
    const { socket } = this;
    // Each APDU is one small write answered by the peer: never let Nagle hold it back.
    socket.setNoDelay(true);
    socket.on('error', (err) => this.log(`socket error: ${(err as { code?: string }).code ?? err.message}`));
    socket.on('data', (chunk: Uint8Array) => this.onData(chunk));
    void this.closed.then(() => this.log(`disconnected (card removed), ${this.count} APDUs`));
    this.log(`connected to vpcd ${address} (card inserted)`);
    const bridge = this;
    return {
      close: async () => {
        socket.destroy();
        await bridge.closed;
      },
      closed: this.closed,
      get apduCount() {
        return bridge.count;
      },
    };
  }

  private log(line: string): void {
    this.onLog?.(`vpcd: ${line}`);
  }

  /** vpcd may split a frame over several reads or put several frames in one (TCP stream). */
  private onData(chunk: Uint8Array): void {
    const joined = this.pending.length === 0 ? chunk : concat(this.pending, chunk);
    this.pending.fill(0);
    let buf = joined;
    while (buf.length >= 2) {
      const length = (buf[0]! << 8) | buf[1]!;
      if (buf.length < 2 + length) break;
      // Copy: socket chunks may share a pooled buffer that Node reuses.
      const message = new Uint8Array(buf.subarray(2, 2 + length));
      buf = buf.subarray(2 + length);
      this.queue = this.queue
        .then(() => this.onMessage(message))
        .catch((err: unknown) => this.pull(`bridge failure (${(err as Error).name})`))
        // The bridge's copy of a PIN-bearing command must not outlive its exchange.
        .finally(() => {
          if (isSecretCommand(message)) message.fill(0);
        });
    }
    this.pending = new Uint8Array(buf);
    // Everything needed was copied out: the received bytes (maybe a VERIFY) are zeroed.
    chunk.fill(0);
    joined.fill(0);
  }

  private async onMessage(message: Uint8Array): Promise<void> {
    if (this.socket.destroyed) return;
    if (message.length === 0) {
      this.log('empty message ignored');
      return;
    }
    if (message.length === 1) {
      await this.onControl(message[0]!);
      return;
    }
    this.count++;
    this.log(`C-APDU ${describeCommand(message)}`);
    let response: Uint8Array;
    try {
      response = await this.card.transmit(message);
      if (response.length < 2 || response.length > 0xffff) {
        this.log(`card returned ${response.length} bytes, not a response APDU; answering 6F00`);
        response = SW_NO_PRECISE_DIAGNOSIS;
      }
    } catch (err) {
      if (err instanceof CardRemovedError) {
        this.pull('card object reports removal');
        return;
      }
      this.log(`card failed (${(err as { code?: string }).code ?? (err as Error).name}); answering 6F00`);
      response = SW_NO_PRECISE_DIAGNOSIS;
    }
    this.log(`R-APDU ${describeResponse(response)}`);
    this.send(response);
  }

  private async onControl(control: number): Promise<void> {
    switch (control) {
      case CTRL_GET_ATR: // vpcd's presence poll, every ~400 ms: not logged
        if (this.card.present === false) {
          this.pull('card object reports removal');
          return;
        }
        this.send(this.card.atr ?? DEFAULT_ATR);
        return;
      case CTRL_POWER_ON:
      case CTRL_RESET:
        this.log(control === CTRL_POWER_ON ? 'POWER ON' : 'RESET');
        try {
          await this.card.reset?.();
        } catch (err) {
          if (err instanceof CardRemovedError) this.pull('card object reports removal on reset');
          else this.log(`card reset failed (${(err as Error).name})`);
        }
        return;
      case CTRL_POWER_OFF:
        this.log('POWER OFF');
        return;
      default:
        this.log(`unknown control byte 0x${control.toString(16).padStart(2, '0')} ignored`);
    }
  }

  /** Drop the connection: for vpcd (and so pcscd) the card left the reader. */
  private pull(why: string): void {
    this.log(`${why}; dropping the connection`);
    this.socket.destroy();
  }

  private send(payload: Uint8Array): void {
    if (this.socket.destroyed) return;
    const frame = new Uint8Array(2 + payload.length);
    frame[0] = payload.length >> 8;
    frame[1] = payload.length & 0xff;
    frame.set(payload, 2);
    this.socket.write(frame);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Spaced upper-case hex, e.g. `00 A4 04 0C`. */
function spacedHex(bytes: Uint8Array): string {
  return toHex(bytes).toUpperCase().replace(/(..)(?!$)/g, '$1 ');
}

/** The command in hex, with the data of secret-carrying instructions replaced by its length. */
function describeCommand(command: Uint8Array): string {
  if (isSecretCommand(command)) {
    return `${spacedHex(command.subarray(0, 4))} <${command.length - 4} bytes redacted>`;
  }
  return spacedHex(command);
}

/** Length and status word only: response data can hold a My Number or personal attributes. */
function describeResponse(response: Uint8Array): string {
  const sw = spacedHex(response.subarray(response.length - 2));
  return response.length > 2 ? `<${response.length - 2} bytes> ${sw}` : sw;
}
