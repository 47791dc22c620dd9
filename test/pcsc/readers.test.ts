import { describe, expect, it } from 'vitest';
import {
  AbortedError,
  CardBusyError,
  CardRemovedError,
  InvalidArgumentError,
  PcscServiceError,
  ReaderUnavailableError,
  TimeoutError,
} from '../../src/errors.js';
import { PcscContext } from '../../src/pcsc/context.js';
import type { PcscReaderEvent, PcscReaderWatcher } from '../../src/pcsc/readers.js';
import { EMPTY, EXCLUSIVE, FakeCard, FakeWorld, hex, IN_USE, MUTE, PcscError, PRESENT, sleep, state } from './fake-pcsc-mini.js';

const A = 'Reader A 00 00';
const B = 'Reader B 00 00';

function context(readers: Record<string, number>) {
  const world = new FakeWorld(readers);
  return { world, pcsc: new PcscContext({ pcscMini: world.module }) };
}

describe('listReaders', () => {
  it('lists every reader with what is in it', async () => {
    const { pcsc } = context({
      [A]: state(PRESENT | IN_USE, 3),
      [B]: state(EMPTY),
      'Reader C': state(PRESENT | MUTE),
      'Reader D': state(PRESENT | EXCLUSIVE | IN_USE),
    });
    expect(await pcsc.listReaders()).toEqual([
      { name: A, cardPresent: true, mute: false, inUse: true, exclusive: false },
      { name: B, cardPresent: false, mute: false, inUse: false, exclusive: false },
      { name: 'Reader C', cardPresent: true, mute: true, inUse: false, exclusive: false },
      { name: 'Reader D', cardPresent: true, mute: false, inUse: true, exclusive: true },
    ]);
  });

  it('no reader attached: an empty list', async () => {
    expect(await context({}).pcsc.listReaders()).toEqual([]);
  });
});

describe('connect', () => {
  it('refuses an unknown reader, an empty one, and reports a card held exclusively elsewhere', async () => {
    const { world, pcsc } = context({ [A]: state(EMPTY), [B]: state(PRESENT | EXCLUSIVE) });
    await expect(pcsc.connect('Nope')).rejects.toThrow(new ReaderUnavailableError('No reader named "Nope"'));
    await expect(pcsc.connect(A)).rejects.toThrow(new CardRemovedError(`No card in the reader "${A}"`));
    world.connectFailures.push(new PcscError('SharingViolation'));
    await expect(pcsc.connect(B)).rejects.toBeInstanceOf(CardBusyError);
    await expect(pcsc.connect('')).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(pcsc.connect(B, { protocol: 'T=2' as 'T=1' })).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it('a card that cannot report its state is disconnected again', async () => {
    const { world, pcsc } = context({ [A]: state(PRESENT) });
    world.nextCard = () => {
      const card = new FakeCard(world, A);
      card.stateResults.push(new PcscError('RemovedCard'));
      return card;
    };
    await expect(pcsc.connect(A)).rejects.toBeInstanceOf(CardRemovedError);
    expect(world.cards[0]!.disconnected).toBe(true);
  });
});

describe('waitForCard', () => {
  it('takes a card already there at once', async () => {
    const { world, pcsc } = context({ [A]: state(EMPTY), [B]: state(PRESENT, 1) });
    const transport = await pcsc.waitForCard();
    expect(transport.reader).toBe(B);
    expect(world.calls.filter((c) => c.startsWith('connect'))).toEqual([`connect:${B}:2:3`]);
    await transport.close();
  });

  it('waits for the named reader (or one the test accepts) to get a usable card', async () => {
    const { world, pcsc } = context({ [A]: state(EMPTY), [B]: state(PRESENT, 1) });
    const waiting = pcsc.waitForCard({ reader: A });
    const byTest = pcsc.waitForCard({ reader: (name) => name.startsWith('Reader A') });
    await sleep(80);
    world.set(A, state(PRESENT | MUTE, 1)); // mute: not usable yet
    await sleep(10);
    expect(world.cards).toHaveLength(0);
    world.set(A, state(PRESENT, 1));
    const [t1, t2] = await Promise.all([waiting, byTest]);
    expect([t1.reader, t2.reader]).toEqual([A, A]);
    await Promise.all([t1.close(), t2.close()]);
  });

  it('a card gone before the connect: keeps waiting for the next one', async () => {
    const { world, pcsc } = context({ [A]: state(PRESENT, 1) });
    world.connectFailures.push(new PcscError('NoSmartCard'));
    const waiting = pcsc.waitForCard({ timeoutMs: 5000 });
    await sleep(80);
    expect(world.cards).toHaveLength(0);
    world.set(A, state(EMPTY, 2));
    world.set(A, state(PRESENT, 3));
    const transport = await waiting;
    expect(world.cards).toHaveLength(1);
    await transport.close();
  });

  it('times out, aborts, and fails with PcscServiceError when the service stops; the client is let go each time', async () => {
    const { world, pcsc } = context({ [A]: state(EMPTY) });
    await expect(pcsc.waitForCard({ timeoutMs: 30 })).rejects.toThrow(new TimeoutError('No card within 30 ms'));
    await expect(pcsc.waitForCard({ reader: A, timeoutMs: 30 })).rejects.toThrow(
      new TimeoutError(`No card in "${A}" within 30 ms`),
    );
    const controller = new AbortController();
    const aborted = pcsc.waitForCard({ signal: controller.signal });
    await sleep(60);
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(AbortedError);
    const stopped = pcsc.waitForCard();
    await sleep(60);
    world.client!.fail('NoService');
    await expect(stopped).rejects.toBeInstanceOf(PcscServiceError);
    await sleep(400);
    expect(pcsc.running).toBe(false);
  });
});

async function take(watcher: PcscReaderWatcher, n: number): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const { value, done } = await watcher.next();
    if (done) break;
    out.push(describeEvent(value));
  }
  return out;
}

const describeEvent = (e: PcscReaderEvent): string => `${e.type} ${e.reader}${e.atr ? ` ${hex(e.atr)}` : ''}`;

describe('watchReaders', () => {
  it('reports the readers there, then insertions, removals, swaps and unplugged readers', async () => {
    const { world, pcsc } = context({ [A]: state(PRESENT, 1), [B]: state(EMPTY) });
    const watcher = pcsc.watchReaders();
    expect(await take(watcher, 3)).toEqual([`reader-added ${A}`, `card-inserted ${A}`, `reader-added ${B}`]);
    world.set(B, state(PRESENT, 1));
    world.set(A, state(EMPTY, 2));
    world.set(A, state(PRESENT, 5)); // removed and inserted again between two polls
    world.set(A, state(PRESENT | IN_USE, 5)); // someone connected: no card event
    world.set('Reader C', state(EMPTY));
    world.set(B, undefined);
    expect(await take(watcher, 6)).toEqual([
      `card-inserted ${B}`,
      `card-removed ${A}`,
      `card-inserted ${A}`,
      `reader-added Reader C`,
      `card-removed ${B}`,
      `reader-removed ${B}`,
    ]);
    await watcher.close();
  });

  it('reads the ATR from a short connection when asked (the event ATR of pcsc-mini 0.1.3 is wrong)', async () => {
    const { world, pcsc } = context({ [A]: state(EMPTY) });
    const watcher = pcsc.watchReaders({ readAtr: true, initial: false });
    await sleep(80);
    world.set(A, state(PRESENT, 1));
    expect(await take(watcher, 1)).toEqual([`card-inserted ${A} 3BE000FF8131FE4514`]);
    expect(world.calls.filter((c) => c.startsWith('connect') || c.startsWith('state') || c.startsWith('disconnect'))).toEqual([
      `connect:${A}:2:default`,
      'state',
      'disconnect:0',
    ]);
    await watcher.close();
  });

  it('leaving the loop, close() or the signal ends it and lets the client go', async () => {
    const { world, pcsc } = context({ [A]: state(EMPTY) });
    const seen: string[] = [];
    for await (const event of pcsc.watchReaders()) {
      seen.push(describeEvent(event));
      break;
    }
    expect(seen).toEqual([`reader-added ${A}`]);
    const controller = new AbortController();
    const watcher = pcsc.watchReaders({ signal: controller.signal, initial: false });
    const pending = watcher.next();
    await sleep(60);
    controller.abort();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(await watcher.next()).toEqual({ value: undefined, done: true });
    await sleep(400);
    expect(pcsc.running).toBe(false);
    expect(world.calls.filter((c) => c === 'client.stop')).toHaveLength(1);
  });

  it('throws PcscServiceError when the service goes away', async () => {
    const { world, pcsc } = context({ [A]: state(EMPTY) });
    const watcher = pcsc.watchReaders({ initial: false });
    await sleep(60);
    const pending = watcher.next();
    world.client!.fail('Shutdown');
    // The reader vanished first, then the failure.
    expect(describeEvent((await pending).value as PcscReaderEvent)).toBe(`reader-removed ${A}`);
    await expect(watcher.next()).rejects.toBeInstanceOf(PcscServiceError);
    expect(await watcher.next()).toEqual({ value: undefined, done: true });
  });

  it('no service at all: the first next() rejects', async () => {
    const world = new FakeWorld();
    world.startError = new PcscError('NoService');
    const watcher = new PcscContext({ pcscMini: world.module }).watchReaders();
    await expect(watcher.next()).rejects.toBeInstanceOf(PcscServiceError);
  });

  it('pcscd stopping while a watcher waits for the initial enumeration → the watcher fails with PcscServiceError (it never hangs)', async () => {
    const { world, pcsc } = context({ [A]: state(PRESENT) });
    // Another user has the client running; the enumeration of its readers is still going on.
    const first = pcsc.waitForCard({ reader: A, timeoutMs: 1000 }).catch((e: unknown) => e);
    const watcher = pcsc.watchReaders({ initial: false });
    const next = watcher.next();
    await new Promise((resolve) => setImmediate(resolve)); // the monitor reported the reader
    world.client!.fail('Shutdown');
    await expect(next).rejects.toBeInstanceOf(PcscServiceError);
    const transport = await first;
    if (transport && typeof (transport as { close?: unknown }).close === 'function') await (transport as { close(): Promise<void> }).close();
  });
});
