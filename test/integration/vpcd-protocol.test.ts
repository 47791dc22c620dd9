/**
 * connectToVpcd against a scripted vpcd peer on loopback (no pcscd needed): framing in both
 * directions, split and merged frames, control bytes, error mapping, logging and redaction.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
import { CardRemovedError, InvalidArgumentError, ReaderUnavailableError, TransportError } from '../../src/errors.js';
import { connectToVpcd, type VpcdCard } from '../../src/testing/vpcd.js';

/** The vpcd side: accepts one card, sends raw bytes, collects the card's frames. */
class FakeVpcd {
  private raw = new Uint8Array(0);
  private waiters: Array<() => void> = [];
  socket: Socket | undefined;
  private readonly accepted: Promise<Socket>;
  readonly ended: Promise<void>;
  private endedResolve!: () => void;

  private constructor(readonly server: Server) {
    this.ended = new Promise((r) => (this.endedResolve = r));
    this.accepted = new Promise((resolve) => {
      server.once('connection', (s) => {
        this.socket = s;
        s.setNoDelay(true);
        s.on('data', (d: Uint8Array) => {
          const next = new Uint8Array(this.raw.length + d.length);
          next.set(this.raw);
          next.set(d, this.raw.length);
          this.raw = next;
          for (const w of this.waiters.splice(0)) w();
        });
        s.on('close', () => this.endedResolve());
        resolve(s);
      });
    });
  }

  static async listen(port = 0): Promise<FakeVpcd> {
    const server = createServer();
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
    return new FakeVpcd(server);
  }

  get port(): number {
    const a = this.server.address();
    if (a === null || typeof a === 'string') throw new Error('not listening');
    return a.port;
  }

  async write(bytes: Uint8Array): Promise<void> {
    const s = await this.accepted;
    await new Promise<void>((r) => s.write(bytes, () => r()));
  }

  /** Send one framed message, optionally cut into pieces with a pause between them. */
  async sendFramed(payload: Uint8Array, cuts: number[] = []): Promise<void> {
    const frame = frameOf(payload);
    let at = 0;
    for (const cut of [...cuts, frame.length]) {
      await this.write(frame.subarray(at, cut));
      at = cut;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Next frame from the card (2-byte length + payload); resolves with the payload. */
  async nextFrame(timeoutMs = 2000): Promise<Uint8Array> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.raw.length >= 2) {
        const len = (this.raw[0]! << 8) | this.raw[1]!;
        if (this.raw.length >= 2 + len) {
          const payload = this.raw.slice(2, 2 + len);
          this.raw = this.raw.slice(2 + len);
          return payload;
        }
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no frame from the card');
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Bytes received and not yet consumed as frames. */
  get unread(): number {
    return this.raw.length;
  }

  async close(): Promise<void> {
    this.socket?.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}

function frameOf(payload: Uint8Array): Uint8Array {
  const f = new Uint8Array(payload.length + 2);
  f[0] = payload.length >> 8;
  f[1] = payload.length & 0xff;
  f.set(payload, 2);
  return f;
}

const h = (hex: string) => fromHex(hex);
const hx = (b: Uint8Array) => toHex(b).toUpperCase();

/** A card that echoes the command's INS and records what it saw. */
class EchoCard implements VpcdCard {
  readonly commands: string[] = [];
  resets = 0;
  atr: Uint8Array | undefined = undefined;
  failWith: Error | undefined = undefined;
  reply: Uint8Array | undefined = undefined;

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    this.commands.push(hx(command));
    await new Promise((r) => setTimeout(r, 1)); // a real card is async: keep the queue honest
    if (this.failWith) throw this.failWith;
    return this.reply ?? Uint8Array.of(command[1]!, 0x90, 0x00);
  }

  reset(): void {
    this.resets++;
  }
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(card: VpcdCard, onLog?: (line: string) => void) {
  const vpcd = await FakeVpcd.listen();
  const conn = await connectToVpcd(card, { host: '127.0.0.1', port: vpcd.port, ...(onLog ? { onLog } : {}) });
  cleanups.push(async () => {
    await conn.close();
    await vpcd.close();
  });
  return { vpcd, conn };
}

describe('connectToVpcd: vpcd wire protocol', () => {
  it('answers GET ATR with the card ATR, or the JPKI contact ATR when the card has none', async () => {
    const card = new EchoCard();
    const { vpcd } = await setup(card);
    await vpcd.sendFramed(h('04'));
    expect(hx(await vpcd.nextFrame())).toBe('3BE000FF8131FE4514');
    card.atr = h('3BDA13FF8131FB468012392F31C173C601C03B');
    await vpcd.sendFramed(h('04'));
    expect(hx(await vpcd.nextFrame())).toBe('3BDA13FF8131FB468012392F31C173C601C03B');
  });

  it('forwards each C-APDU to transmit and frames the R-APDU', async () => {
    const card = new EchoCard();
    const { vpcd, conn } = await setup(card);
    await vpcd.sendFramed(h('00A4040C0AD392F000260100000001'));
    expect(hx(await vpcd.nextFrame())).toBe('A49000');
    await vpcd.sendFramed(h('00B0000004'));
    expect(hx(await vpcd.nextFrame())).toBe('B09000');
    expect(card.commands).toEqual(['00A4040C0AD392F000260100000001', '00B0000004']);
    expect(conn.apduCount).toBe(2);
  });

  it('reassembles a frame split between the length and the payload, and inside the payload', async () => {
    const card = new EchoCard();
    const { vpcd } = await setup(card);
    // Debian 12 vpcd: length and payload in two send()s.
    await vpcd.sendFramed(h('00A4020C020018'), [2]);
    expect(hx(await vpcd.nextFrame())).toBe('A49000');
    // Cut after one length byte, then mid-payload.
    await vpcd.sendFramed(h('00A4020C02001B'), [1, 5]);
    expect(hx(await vpcd.nextFrame())).toBe('A49000');
    expect(card.commands).toEqual(['00A4020C020018', '00A4020C02001B']);
  });

  it('handles several frames in one read, answering in order', async () => {
    const card = new EchoCard();
    const { vpcd, conn } = await setup(card);
    const burst = [h('01'), h('00B0000001'), h('04'), h('0020008000'), h('00CA5F5100')].map(frameOf);
    await vpcd.write(Uint8Array.from(burst.flatMap((f) => [...f])));
    expect(hx(await vpcd.nextFrame())).toBe('B09000');
    expect(hx(await vpcd.nextFrame())).toBe('3BE000FF8131FE4514');
    expect(hx(await vpcd.nextFrame())).toBe('209000');
    expect(hx(await vpcd.nextFrame())).toBe('CA9000');
    expect(card.resets).toBe(1);
    expect(conn.apduCount).toBe(3);
  });

  it('carries extended-length frames (> 255 bytes) both ways', async () => {
    const card = new EchoCard();
    card.reply = new Uint8Array(1000).map((_, i) => i & 0xff);
    card.reply.set([0x90, 0x00], 998);
    const { vpcd } = await setup(card);
    const cmd = new Uint8Array(7 + 300);
    cmd.set(h('802A008000012C'), 0); // extended case 3: Lc = 00 01 2C (300)
    await vpcd.sendFramed(cmd, [2, 100]);
    expect(hx(await vpcd.nextFrame())).toBe(hx(card.reply));
    expect(card.commands[0]).toBe(hx(cmd));
  });

  it('calls reset() on POWER ON and RESET, not on POWER OFF, and sends nothing back', async () => {
    const card = new EchoCard();
    const { vpcd } = await setup(card);
    await vpcd.sendFramed(h('01'));
    await vpcd.sendFramed(h('02'));
    await vpcd.sendFramed(h('00'));
    await vpcd.sendFramed(h('07')); // unknown control byte: ignored
    await vpcd.sendFramed(h('00B0000001')); // the next reply proves the controls were consumed
    expect(hx(await vpcd.nextFrame())).toBe('B09000');
    expect(card.resets).toBe(2);
    expect(vpcd.unread).toBe(0);
  });

  it('works with a plain Transport (no atr, no reset)', async () => {
    const transport = { transmit: async (c: Uint8Array) => Uint8Array.of(c[3]!, 0x90, 0x00) };
    const { vpcd } = await setup(transport);
    await vpcd.sendFramed(h('01'));
    await vpcd.sendFramed(h('00B0000301'));
    expect(hx(await vpcd.nextFrame())).toBe('039000');
  });
});

describe('connectToVpcd: failures of the card object', () => {
  it('answers 6F00 when transmit rejects with anything but CardRemovedError, and keeps going', async () => {
    const card = new EchoCard();
    const { vpcd, conn } = await setup(card);
    card.failWith = new TransportError('boom');
    await vpcd.sendFramed(h('00B0000001'));
    expect(hx(await vpcd.nextFrame())).toBe('6F00');
    card.failWith = new TypeError('bug');
    await vpcd.sendFramed(h('00B0000001'));
    expect(hx(await vpcd.nextFrame())).toBe('6F00');
    card.failWith = undefined;
    await vpcd.sendFramed(h('00B0000001'));
    expect(hx(await vpcd.nextFrame())).toBe('B09000');
    expect(conn.apduCount).toBe(3);
  });

  it('answers 6F00 when transmit returns fewer than 2 bytes', async () => {
    const card = new EchoCard();
    card.reply = Uint8Array.of(0x90);
    const { vpcd } = await setup(card);
    await vpcd.sendFramed(h('00B0000001'));
    expect(hx(await vpcd.nextFrame())).toBe('6F00');
  });

  it('drops the connection (card pulled) when transmit rejects with CardRemovedError', async () => {
    const card = new EchoCard();
    const { vpcd, conn } = await setup(card);
    card.failWith = new CardRemovedError();
    await vpcd.sendFramed(h('00B0000001'));
    await conn.closed;
    await vpcd.ended;
    expect(vpcd.unread).toBe(0); // no R-APDU was sent
    expect(conn.apduCount).toBe(1);
  });

  it('drops the connection at the next presence poll once the card object reports present === false', async () => {
    const card = Object.assign(new EchoCard(), { present: true });
    const { vpcd, conn } = await setup(card);
    await vpcd.sendFramed(h('04'));
    expect(hx(await vpcd.nextFrame())).toBe('3BE000FF8131FE4514');
    card.present = false;
    await vpcd.sendFramed(h('04'));
    await conn.closed;
    await vpcd.ended;
    expect(vpcd.unread).toBe(0);
  });

  it('drops the connection when reset() throws CardRemovedError, and ignores other reset failures', async () => {
    const failing = new EchoCard();
    failing.reset = () => {
      throw new TypeError('bug in reset');
    };
    const first = await setup(failing);
    await first.vpcd.sendFramed(h('01'));
    await first.vpcd.sendFramed(h('00B0000001'));
    expect(hx(await first.vpcd.nextFrame())).toBe('B09000');

    const removed = new EchoCard();
    removed.reset = () => {
      throw new CardRemovedError();
    };
    const second = await setup(removed);
    await second.vpcd.sendFramed(h('01'));
    await second.conn.closed;
    await second.vpcd.ended;
  });

  it('pulls the card when the card object itself breaks the bridge (a throwing atr getter)', async () => {
    const card = new EchoCard();
    Object.defineProperty(card, 'atr', {
      get() {
        throw new TypeError('broken card object');
      },
    });
    const { vpcd, conn } = await setup(card);
    await vpcd.sendFramed(h('04'));
    await conn.closed;
    await vpcd.ended;
    expect(vpcd.unread).toBe(0);
  });

  it('resolves closed when vpcd goes away (pcscd stopped)', async () => {
    const card = new EchoCard();
    const { vpcd, conn } = await setup(card);
    await vpcd.sendFramed(h('04'));
    await vpcd.nextFrame();
    vpcd.socket!.destroy();
    await conn.closed;
  });

  it('close() pulls the card: vpcd sees EOF, closed resolves, close() is idempotent', async () => {
    const card = new EchoCard();
    const { vpcd, conn } = await setup(card);
    await conn.close();
    await vpcd.ended;
    await conn.close();
    await conn.closed;
  });
});

describe('connectToVpcd: logging', () => {
  it('logs commands in hex, responses as length + SW, and never the body of VERIFY / CHANGE REFERENCE DATA', async () => {
    const lines: string[] = [];
    const card = new EchoCard();
    const { vpcd } = await setup(card, (l) => lines.push(l));
    card.reply = h('3082030B9000');
    await vpcd.sendFramed(h('00B0000004'));
    await vpcd.nextFrame();
    card.reply = h('9000');
    await vpcd.sendFramed(h('002000980431323334')); // VERIFY auth PIN "1234"
    await vpcd.nextFrame();
    await vpcd.sendFramed(h('00240180043536373839')); // CHANGE REFERENCE DATA (made-up body)
    await vpcd.nextFrame();
    await vpcd.sendFramed(h('0020009B')); // VERIFY without data: nothing to hide
    await vpcd.nextFrame();
    await vpcd.sendFramed(h('04')); // presence polls are not logged
    await vpcd.nextFrame();
    await vpcd.sendFramed(h('01'));
    await vpcd.sendFramed(h('00B0000001'));
    await vpcd.nextFrame();
    const apduLines = lines.filter((l) => /C-APDU|R-APDU|POWER|GET/.test(l));
    expect(apduLines).toEqual([
      'vpcd: C-APDU 00 B0 00 00 04',
      'vpcd: R-APDU <4 bytes> 90 00',
      'vpcd: C-APDU 00 20 00 98 <5 bytes redacted>',
      'vpcd: R-APDU 90 00',
      'vpcd: C-APDU 00 24 01 80 <6 bytes redacted>',
      'vpcd: R-APDU 90 00',
      'vpcd: C-APDU 00 20 00 9B',
      'vpcd: R-APDU 90 00',
      'vpcd: POWER ON',
      'vpcd: C-APDU 00 B0 00 00 01',
      'vpcd: R-APDU 90 00',
    ]);
    const all = lines.join('\n');
    expect(all).not.toMatch(/31 32 33 34|35 36 37 38|30 82 03 0B/);
    expect(lines[0]).toMatch(/^vpcd: connected to vpcd 127\.0\.0\.1:\d+ \(card inserted\)$/);
  });
});

describe('connectToVpcd: connecting', () => {
  it('retries until vpcd listens (vpcd may still be starting)', async () => {
    const probe = await FakeVpcd.listen();
    const port = probe.port;
    await probe.close(); // now nothing listens on `port`
    const card = new EchoCard();
    const pending = connectToVpcd(card, { host: '127.0.0.1', port, connectTimeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 200));
    const vpcd = await FakeVpcd.listen(port);
    const conn = await pending;
    cleanups.push(async () => {
      await conn.close();
      await vpcd.close();
    });
    await vpcd.sendFramed(h('04'));
    expect(hx(await vpcd.nextFrame())).toBe('3BE000FF8131FE4514');
  });

  it('rejects with ReaderUnavailableError once connectTimeoutMs has passed', async () => {
    const probe = await FakeVpcd.listen();
    const port = probe.port;
    await probe.close();
    const t0 = Date.now();
    const err = await connectToVpcd(new EchoCard(), { host: '127.0.0.1', port, connectTimeoutMs: 300 }).catch((e) => e);
    expect(err).toBeInstanceOf(ReaderUnavailableError);
    expect((err as ReaderUnavailableError).code).toBe('reader-unavailable');
    expect((err as Error).message).toBe(`Cannot connect to vpcd at 127.0.0.1:${port} (ECONNREFUSED)`);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
  });

  it('uses VPCD_HOST / VPCD_PORT from the environment when no option is given', async () => {
    const vpcd = await FakeVpcd.listen();
    const saved = { host: process.env['VPCD_HOST'], port: process.env['VPCD_PORT'] };
    process.env['VPCD_HOST'] = '127.0.0.1';
    process.env['VPCD_PORT'] = String(vpcd.port);
    try {
      const conn = await connectToVpcd(new EchoCard());
      cleanups.push(async () => {
        await conn.close();
        await vpcd.close();
      });
      await vpcd.sendFramed(h('04'));
      expect(hx(await vpcd.nextFrame())).toBe('3BE000FF8131FE4514');
    } finally {
      for (const [k, v] of [
        ['VPCD_HOST', saved.host],
        ['VPCD_PORT', saved.port],
      ] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it.each([
    [{ port: 0 }, 'vpcd port must be an integer from 1 to 65535'],
    [{ port: 70000 }, 'vpcd port must be an integer from 1 to 65535'],
    [{ port: 1.5 }, 'vpcd port must be an integer from 1 to 65535'],
    [{ host: '' }, 'vpcd host must not be empty'],
    [{ connectTimeoutMs: -1 }, 'connectTimeoutMs must be >= 0'],
  ])('rejects bad options %j', async (options, message) => {
    const err = await connectToVpcd(new EchoCard(), options).catch((e) => e);
    expect(err).toBeInstanceOf(InvalidArgumentError);
    expect((err as Error).message).toBe(message);
  });
});
