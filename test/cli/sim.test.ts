import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, test } from 'vitest';
import { runWith } from './helpers.js';

/** A stand-in for vsmartcard's vpcd: accepts the card, sends framed messages, collects the answers. */
class FakeVpcd {
  readonly server: Server;
  socket: Socket | undefined;
  #buffer = Buffer.alloc(0);
  #waiters: ((message: Buffer) => void)[] = [];
  readonly #connected: Promise<Socket>;

  constructor() {
    let resolve!: (socket: Socket) => void;
    this.#connected = new Promise((r) => (resolve = r));
    this.server = createServer((socket) => {
      this.socket = socket;
      socket.on('data', (chunk) => this.#onData(chunk));
      resolve(socket);
    });
  }

  async listen(): Promise<number> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    return (this.server.address() as { port: number }).port;
  }

  connected(): Promise<Socket> {
    return this.#connected;
  }

  #onData(chunk: Buffer): void {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    while (this.#buffer.length >= 2) {
      const length = this.#buffer.readUInt16BE(0);
      if (this.#buffer.length < 2 + length) return;
      const message = this.#buffer.subarray(2, 2 + length);
      this.#buffer = this.#buffer.subarray(2 + length);
      this.#waiters.shift()?.(Buffer.from(message));
    }
  }

  /** Send one framed message and wait for the card's framed answer. */
  async exchange(payload: Buffer): Promise<Buffer> {
    const answer = new Promise<Buffer>((r) => this.#waiters.push(r));
    const header = Buffer.alloc(2);
    header.writeUInt16BE(payload.length);
    this.socket!.write(Buffer.concat([header, payload]));
    return answer;
  }

  async close(): Promise<void> {
    this.socket?.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

let vpcd: FakeVpcd | undefined;
afterEach(async () => {
  await vpcd?.close();
  vpcd = undefined;
});

describe('mynacard sim', () => {
  test('inserts the virtual card into vpcd, answers APDUs, exits 0 when vpcd goes away', async () => {
    vpcd = new FakeVpcd();
    const port = await vpcd.listen();
    const run = runWith(['sim', '--vpcd', `127.0.0.1:${port}`, '--trace']);
    await vpcd.connected();
    const atr = await vpcd.exchange(Buffer.of(0x04));
    expect(atr.length).toBeGreaterThan(1);
    const select = await vpcd.exchange(Buffer.from('00A4040C0AD392F000260100000001', 'hex'));
    expect(select.toString('hex')).toBe('9000');
    const tries = await vpcd.exchange(Buffer.from('00200098', 'hex'));
    expect(tries.toString('hex')).toBe('63c3');
    vpcd.socket!.end();
    const r = await run;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('The card was pulled out (2 APDUs answered).\n');
    expect(r.stderr).toContain(`The virtual My Number Card is in vpcd's reader at 127.0.0.1:${port}. Press Ctrl-C to pull it out.\n`);
    expect(r.stderr).toContain('DEFAULT_AUTH_PIN'); // the names of the test secrets, never their values
    expect(r.stderr).not.toMatch(/\b1234\b|\b5678\b|ABC123/);
  });

  test('Ctrl-C (the abort signal) pulls the card out', async () => {
    vpcd = new FakeVpcd();
    const port = await vpcd.listen();
    const controller = new AbortController();
    const run = runWith(['--json', 'sim', '--vpcd', `127.0.0.1:${port}`, '--profile', 'android'], {
      signal: controller.signal,
      hook: false, // the command builds the card from --profile itself
    });
    await vpcd.connected();
    const select = await vpcd.exchange(Buffer.from('00A4040C0AD3921000310001010408', 'hex'));
    expect(select.toString('hex')).toBe('6a82'); // no text AP on the Android profile
    controller.abort();
    const r = await run;
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).result).toEqual({ vpcd: `127.0.0.1:${port}`, profile: 'android', apdus: 1 });
  });

  test('no vpcd listening: exit 3; a bad address: exit 2', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const r = await runWith(['sim', '--vpcd', `127.0.0.1:${port}`], { env: {} });
    expect(r.code).toBe(3);
    const bad = await runWith(['sim', '--vpcd', 'nowhere']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('Error: The vpcd address must be host:port (e.g. 127.0.0.1:35963).\n');
  }, 20_000);
});
