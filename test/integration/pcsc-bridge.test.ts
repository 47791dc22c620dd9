/**
 * connectToVpcd through the real stack: pcsc-mini → libpcsclite → pcscd → vpcd → TCP → the
 * bridge → a card object in this process. Nothing is mocked between pcsc-mini and the card.
 */
import { CardDisposition, CardMode, MAX_BUFFER_LEN } from 'pcsc-mini';
import type { PcscMiniCard as Card } from '../../src/pcsc/pcsc-mini.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
import { CardRemovedError } from '../../src/errors.js';
import { connectToVpcd, type VpcdCard, type VpcdConnection } from '../../src/testing/vpcd.js';
import { injectedPcsc, suiteTitle } from './injected.js';
import { isEmpty, isPresent, WatchedReader } from './pcsc-reader.js';

const pcsc = injectedPcsc();

const SELECT_JPKI = fromHex('00A4040C0AD392F000260100000001');
/** An ATR other than the bridge's default, to prove pcscd got it from the card object. */
const CARD_ATR = fromHex('3BDA13FF8131FB468012392F31C173C601C03B');
const EF = Uint8Array.from({ length: 784 }, (_, i) => (i * 7) & 0xff);
const hx = (b: Uint8Array) => toHex(b).toUpperCase();

/** Minimal card: SELECT of the JPKI AID, READ BINARY (short and extended Le) of one 784-byte EF. */
class MiniCard implements VpcdCard {
  readonly atr = CARD_ATR;
  readonly seen: string[] = [];
  resets = 0;
  pulled = false;

  async transmit(c: Uint8Array): Promise<Uint8Array> {
    if (this.pulled) throw new CardRemovedError();
    this.seen.push(hx(c));
    if (hx(c) === hx(SELECT_JPKI)) return fromHex('9000');
    if (c[0] === 0x00 && c[1] === 0xa4 && c[2] === 0x04) return fromHex('6A82');
    if (c[0] === 0x00 && c[1] === 0xb0) {
      const offset = ((c[2]! & 0x7f) << 8) | c[3]!;
      const le = c.length === 5 ? c[4]! || 256 : c.length === 7 ? (c[5]! << 8) | c[6]! || 65536 : 0;
      const data = EF.subarray(offset, offset + le);
      const out = new Uint8Array(data.length + 2);
      out.set(data);
      out.set([0x90, 0x00], data.length);
      return out;
    }
    return fromHex('6D00');
  }

  reset(): void {
    this.resets++;
  }
}

describe.skipIf(!pcsc.ok)(suiteTitle('vpcd bridge through pcscd (pcsc-mini)', pcsc), () => {
  const stack = pcsc.ok ? pcsc.stack : undefined;
  let watcher: WatchedReader;
  const open: VpcdConnection[] = [];

  const insert = async (card: VpcdCard): Promise<VpcdConnection> => {
    const conn = await connectToVpcd(card, { host: stack!.vpcdHost, port: stack!.vpcdPort });
    open.push(conn);
    return conn;
  };

  beforeAll(async () => {
    watcher = new WatchedReader(stack!.reader);
    await watcher.reader();
  });

  afterAll(async () => {
    for (const c of open) await c.close();
    await watcher?.stop();
  });

  it('a card inserted through the bridge is seen by pcscd with its own ATR and answers APDUs', async () => {
    const card = new MiniCard();
    const conn = await insert(card);
    await watcher.waitFor(isPresent, 'PRESENT');
    const reader = await watcher.reader();
    const handle = await reader.connect(CardMode.SHARED);
    try {
      expect(hx((await handle.state()).atr)).toBe(hx(CARD_ATR));
      expect(card.resets).toBeGreaterThanOrEqual(1); // pcscd powered the card on
      expect(hx(await handle.transmit(SELECT_JPKI))).toBe('9000');
      expect(hx(await handle.transmit(fromHex('00A4040C0AD3921000310001010408')))).toBe('6A82');
      expect(hx(await handle.transmit(fromHex('00B0000004')))).toBe(hx(EF.subarray(0, 4)) + '9000');
      expect(card.seen).toEqual(['00A4040C0AD392F000260100000001', '00A4040C0AD3921000310001010408', '00B0000004']);
      expect(conn.apduCount).toBe(3);
    } finally {
      await handle.disconnect(CardDisposition.LEAVE);
    }
    await conn.close();
    await watcher.waitFor(isEmpty, 'EMPTY');
  });

  it('carries an extended-length response (784 bytes) through pcscd', async () => {
    const card = new MiniCard();
    const conn = await insert(card);
    await watcher.waitFor(isPresent, 'PRESENT');
    const handle = await (await watcher.reader()).connect(CardMode.SHARED);
    try {
      // pcsc-mini's default receive buffer is 264 bytes: give it room for 65536 + SW.
      const rsp = await handle.transmit(fromHex('00B00000000310'), new ArrayBuffer(65538));
      expect(rsp.length).toBe(786);
      expect(hx(rsp)).toBe(hx(EF) + '9000');
      const short = await handle.transmit(fromHex('00B0030010'), new ArrayBuffer(MAX_BUFFER_LEN));
      expect(hx(short)).toBe(hx(EF.subarray(0x300, 0x310)) + '9000');
    } finally {
      await handle.disconnect(CardDisposition.LEAVE);
    }
    await conn.close();
    await watcher.waitFor(isEmpty, 'EMPTY');
  });

  it('close() pulls the card: transmit fails with a removal code, the reader goes EMPTY, a new card works', async () => {
    const conn = await insert(new MiniCard());
    await watcher.waitFor(isPresent, 'PRESENT');
    const reader = await watcher.reader();
    const handle = await reader.connect(CardMode.SHARED);
    expect(hx(await handle.transmit(SELECT_JPKI))).toBe('9000');

    await conn.close();
    const code = await transmitErrorCode(handle);
    // Before pcscd's next poll: NotTransacted; after it: RemovedCard (both mean "card removed").
    expect(['NotTransacted', 'RemovedCard']).toContain(code);
    await watcher.waitFor(isEmpty, 'EMPTY');
    expect(await transmitErrorCode(handle)).toBe('RemovedCard');
    await handle.disconnect(CardDisposition.LEAVE).catch(() => undefined);

    const second = new MiniCard();
    const conn2 = await insert(second);
    await watcher.waitFor(isPresent, 'PRESENT');
    const fresh = await reader.connect(CardMode.SHARED);
    expect(hx(await fresh.transmit(SELECT_JPKI))).toBe('9000');
    expect(second.seen).toEqual(['00A4040C0AD392F000260100000001']);
    await fresh.disconnect(CardDisposition.LEAVE);
    await conn2.close();
    await watcher.waitFor(isEmpty, 'EMPTY');
  });

  it('a card object that throws CardRemovedError is pulled from the reader', async () => {
    const card = new MiniCard();
    const conn = await insert(card);
    await watcher.waitFor(isPresent, 'PRESENT');
    const handle = await (await watcher.reader()).connect(CardMode.SHARED);
    card.pulled = true;
    // Pulled while vpcd waits for the response: pcscd 1.9.9 + vpcd 3.3 hand back an EMPTY
    // response with no error (SCARD_S_SUCCESS, 0 bytes). A PC/SC transport must treat a
    // response shorter than 2 bytes as "card removed".
    expect(await transmitErrorCode(handle)).toBe('no error (response )');
    await conn.closed;
    expect(['NotTransacted', 'RemovedCard']).toContain(await transmitErrorCode(handle));
    await watcher.waitFor(isEmpty, 'EMPTY');
    expect(await transmitErrorCode(handle)).toBe('RemovedCard');
    await handle.disconnect(CardDisposition.LEAVE).catch(() => undefined);
  });
});

async function transmitErrorCode(handle: Card): Promise<string> {
  try {
    const r = await handle.transmit(SELECT_JPKI);
    return `no error (response ${hx(r)})`;
  } catch (e) {
    return String((e as { code?: unknown }).code);
  }
}
