import { describe, expect, it } from 'vitest';
import { ApduChannel, CommandApdu, type ApduPort } from '../../src/apdu/index.js';
import { fromHex, toHex } from '../../src/bytes.js';
import { AbortedError } from '../../src/errors.js';
import type { Transport } from '../../src/transport/transport.js';

/** A card with a current-EF pointer: SELECT EF sets it, READ BINARY returns its FID. Answers after a delay. */
class StatefulCard implements Transport {
  readonly log: string[] = [];
  inFlight = 0;
  maxInFlight = 0;
  #current = '0000';
  #calls = 0;

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const call = this.#calls++;
    await new Promise((r) => setTimeout(r, call % 3)); // uneven latency
    this.inFlight--;
    const h = toHex(command);
    if (h.startsWith('00a4020c02')) {
      this.#current = h.slice(10);
      this.log.push(`SELECT ${this.#current}`);
      return fromHex('9000');
    }
    if (h === '00b0000002') {
      this.log.push(`READ ${this.#current}`);
      return fromHex(this.#current + '9000');
    }
    return fromHex('6d00');
  }
}

const fid = (i: number): string => (0x0100 + i).toString(16).padStart(4, '0');
const selectEf = (i: number): CommandApdu => new CommandApdu({ ins: 0xa4, p1: 2, p2: 0x0c, data: fromHex(fid(i)) });
const read2 = new CommandApdu({ ins: 0xb0, le: 2 });

/** A helper written once against ApduPort; works on the channel and inside `exclusive`. */
async function selectAndRead(port: ApduPort, i: number): Promise<string> {
  return port.exclusive(async (p) => {
    await p.send(selectEf(i));
    return toHex((await p.send(read2)).data);
  });
}

const deferred = (): { promise: Promise<void>; resolve: () => void } => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe('ApduChannel.exclusive', () => {
  it('50 concurrent sequences never interleave: each SELECT is followed by its READ', async () => {
    const card = new StatefulCard();
    const ch = new ApduChannel(card);
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => selectAndRead(ch, i)));
    expect(results).toEqual(Array.from({ length: 50 }, (_, i) => fid(i)));
    expect(card.log.length).toBe(100);
    for (let k = 0; k < 100; k += 2) {
      const f = card.log[k]!.slice(7);
      expect(card.log[k]).toBe(`SELECT ${f}`);
      expect(card.log[k + 1]).toBe(`READ ${f}`);
    }
    expect(card.maxInFlight).toBe(1);
  });

  it('control: the same calls without exclusive do interleave (the test above can fail)', async () => {
    const card = new StatefulCard();
    const ch = new ApduChannel(card);
    const results = await Promise.all(
      Array.from({ length: 50 }, async (_, i) => {
        await ch.send(selectEf(i));
        return toHex((await ch.send(read2)).data);
      }),
    );
    expect(results.filter((r, i) => r !== fid(i)).length).toBeGreaterThan(0);
    expect(card.maxInFlight).toBe(1); // single commands still never overlap
  });

  it('grants the lock in FIFO order', async () => {
    const ch = new ApduChannel(new StatefulCard());
    const order: number[] = [];
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        ch.exclusive(async () => {
          order.push(i);
          await new Promise((r) => setTimeout(r, (7 * i) % 3));
        }),
      ),
    );
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('re-entrant calls through the port do not deadlock', async () => {
    const card = new StatefulCard();
    const ch = new ApduChannel(card);
    const out = await ch.exclusive(async (port) =>
      port.exclusive(async (inner) => {
        const a = await selectAndRead(inner, 1);
        const b = await inner.exclusive(async (deeper) => selectAndRead(deeper, 2));
        return [a, b];
      }),
    );
    expect(out).toEqual([fid(1), fid(2)]);
    expect(card.log).toEqual([`SELECT ${fid(1)}`, `READ ${fid(1)}`, `SELECT ${fid(2)}`, `READ ${fid(2)}`]);
  });

  it('concurrent sends inside one holder never overlap on the wire', async () => {
    const card = new StatefulCard();
    const ch = new ApduChannel(card);
    await ch.exclusive(async (port) => {
      await Promise.all(Array.from({ length: 8 }, () => port.send(read2)));
    });
    expect(card.maxInFlight).toBe(1);
    expect(card.log.length).toBe(8);
  });

  it('a throwing holder releases the lock', async () => {
    const ch = new ApduChannel(new StatefulCard());
    const boom = new Error('holder failed');
    await expect(ch.exclusive(async () => Promise.reject(boom))).rejects.toBe(boom);
    const syncThrow = (): Promise<void> => {
      throw boom;
    };
    await expect(ch.exclusive(syncThrow)).rejects.toBe(boom);
    await expect(selectAndRead(ch, 5)).resolves.toBe(fid(5));
  });

  it('abort while queued rejects with AbortedError and leaves the queue intact', async () => {
    const card = new StatefulCard();
    const ch = new ApduChannel(card);
    const gate = deferred();
    const order: string[] = [];
    const a = ch.exclusive(async () => {
      order.push('a');
      await gate.promise;
    });
    const ctrl = new AbortController();
    const b = ch.exclusive(async () => void order.push('b'), { signal: ctrl.signal });
    const c = ch.exclusive(async () => void order.push('c'));
    const ctrl2 = new AbortController();
    const d = ch.transmit(read2, { signal: ctrl2.signal });
    const e = ch.exclusive(async () => void order.push('e'));
    ctrl.abort();
    ctrl2.abort();
    await expect(b).rejects.toBeInstanceOf(AbortedError);
    await expect(d).rejects.toMatchObject({ code: 'aborted' });
    gate.resolve();
    await Promise.all([a, c, e]);
    expect(order).toEqual(['a', 'c', 'e']);
    expect(card.log).toEqual([]);
  });

  it('an already aborted signal rejects at once, even when the card is free', async () => {
    const card = new StatefulCard();
    const ch = new ApduChannel(card);
    await expect(ch.transmit(read2, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
    await expect(ch.exclusive(async () => 1, { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
    await expect(ch.exclusive(async (p) => p.exclusive(async () => 1, { signal: AbortSignal.abort() }))).rejects.toBeInstanceOf(
      AbortedError,
    );
    expect(card.log).toEqual([]);
    await expect(ch.exclusive(async () => 2)).resolves.toBe(2);
  });

  it('a port used after its holder settled queues like the channel', async () => {
    const card = new StatefulCard();
    const ch = new ApduChannel(card);
    let leaked: ApduPort | undefined;
    await ch.exclusive(async (p) => {
      leaked = p;
    });
    const gate = deferred();
    const holder = ch.exclusive(async (p) => {
      await p.send(selectEf(7));
      await gate.promise;
      return toHex((await p.send(read2)).data);
    });
    const late = leaked!.send(selectEf(9));
    await new Promise((r) => setTimeout(r, 10));
    expect(card.log).toEqual([`SELECT ${fid(7)}`]);
    gate.resolve();
    expect(await holder).toBe(fid(7));
    await late;
    expect(card.log).toEqual([`SELECT ${fid(7)}`, `READ ${fid(7)}`, `SELECT ${fid(9)}`]);
  });
});
