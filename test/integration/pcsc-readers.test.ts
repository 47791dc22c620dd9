/**
 * Readers and their events through the real stack: listReaders, watchReaders (with the ATR read
 * from the card, since pcsc-mini 0.1.3's event ATR is wrong), waitForCard's timeout.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes.js';
import { TimeoutError } from '../../src/errors.js';
import { listReaders, waitForCard, watchReaders, type PcscReaderEvent } from '../../src/pcsc/index.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import type { VpcdConnection } from '../../src/testing/vpcd.js';
import { injectedPcsc, suiteTitle } from './injected.js';
import { insertCard, waitForReader } from './pcsc-fixture.js';

const pcsc = injectedPcsc();

describe.skipIf(!pcsc.ok)(suiteTitle('PC/SC readers through pcscd + vpcd', pcsc), () => {
  const stack = pcsc.ok ? pcsc.stack : undefined;
  const connections: VpcdConnection[] = [];

  beforeAll(async () => {
    await waitForReader(stack!.reader, false);
  });

  afterEach(async () => {
    for (const c of connections.splice(0)) await c.close();
    await waitForReader(stack!.reader, false);
  });

  it('listReaders shows both vpcd slots, empty, then the card in slot 0', async () => {
    const slot1 = stack!.reader.replace(/ 00 00$/, ' 00 01');
    expect((await listReaders()).map((r) => [r.name, r.cardPresent])).toEqual([
      [stack!.reader, false],
      [slot1, false],
    ]);
    connections.push(await insertCard(stack!, await VirtualMyNumberCard.create()));
    await waitForReader(stack!.reader, true);
    const slot0 = (await listReaders()).find((r) => r.name === stack!.reader);
    expect(slot0).toEqual({ name: stack!.reader, cardPresent: true, mute: false, inUse: false, exclusive: false });
  });

  it('watchReaders: the readers, then card-inserted with the real ATR, then card-removed', async () => {
    const vc = await VirtualMyNumberCard.create();
    const watcher = watchReaders({ readAtr: true });
    const events: string[] = [];
    const describeEvent = (e: PcscReaderEvent) => `${e.type} ${e.reader}${e.atr ? ` ${toHex(e.atr).toUpperCase()}` : ''}`;
    try {
      const next = async () => describeEvent((await watcher.next()).value as PcscReaderEvent);
      events.push(await next(), await next());
      const conn = await insertCard(stack!, vc);
      connections.push(conn);
      events.push(await next());
      await conn.close();
      events.push(await next());
    } finally {
      await watcher.close();
    }
    const slot1 = stack!.reader.replace(/ 00 00$/, ' 00 01');
    expect(events).toEqual([
      `reader-added ${stack!.reader}`,
      `reader-added ${slot1}`,
      `card-inserted ${stack!.reader} ${toHex(vc.atr).toUpperCase()}`,
      `card-removed ${stack!.reader}`,
    ]);
    expect(await watcher.next()).toEqual({ value: undefined, done: true });
  });

  it('waitForCard with no card gives up with TimeoutError', async () => {
    await expect(waitForCard({ reader: stack!.reader, timeoutMs: 800 })).rejects.toThrow(
      new TimeoutError(`No card in "${stack!.reader}" within 800 ms`),
    );
  });
});
