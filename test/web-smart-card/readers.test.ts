/**
 * `listReaders`, `waitForCard` and `watchReaders` of `mynacard/web-smart-card` over the fake
 * `navigator.smartCard`: reader arrival through the PnP pseudo-reader (and by polling where the
 * platform has none), card insertion and removal, timeouts and abort; and the error mapping.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes.js';
import { AbortedError, TimeoutError } from '../../src/errors.js';
import { createSmartCardError, FakeSmartCard, VirtualMyNumberCard } from '../../src/testing/index.js';
import type { ReaderEvent } from '../../src/transport/readers.js';
import type { SmartCardResponseCode } from '../../src/web-smart-card/api-types.js';
import { listReaders, mapWebSmartCardError, PNP_NOTIFICATION, waitForCard, watchReaders } from '../../src/web-smart-card/index.js';

const A = 'Reader A 00 00';
const B = 'Reader B 00 00';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('listReaders', () => {
  it('lists every reader and what is in it', async () => {
    const smartCard = new FakeSmartCard();
    expect(await listReaders({ smartCard })).toEqual([]);
    smartCard.addReader(A, await VirtualMyNumberCard.create());
    smartCard.addReader(B);
    expect(await listReaders({ smartCard })).toEqual([
      { name: A, cardPresent: true, mute: false, inUse: false, exclusive: false },
      { name: B, cardPresent: false, mute: false, inUse: false, exclusive: false },
    ]);
    const context = await smartCard.establishContext();
    const { connection } = await context.connect(A, 'exclusive', { preferredProtocols: ['t1'] });
    expect((await listReaders({ smartCard }))[0]).toEqual({ name: A, cardPresent: true, mute: false, inUse: false, exclusive: true });
    await connection.disconnect();
  });

  it('honours an aborted signal', async () => {
    const smartCard = new FakeSmartCard();
    smartCard.addReader(A);
    await expect(listReaders({ smartCard, signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
    const controller = new AbortController();
    const pending = listReaders({ smartCard, signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
  });

  it('maps a permissions-policy refusal', async () => {
    await expect(listReaders({ smartCard: new FakeSmartCard({ allowed: false }) })).rejects.toMatchObject({ code: 'permission-denied' });
  });
});

describe('waitForCard', () => {
  it('takes a card already in a reader at once', async () => {
    const smartCard = new FakeSmartCard();
    smartCard.addReader(A);
    smartCard.addReader(B, await VirtualMyNumberCard.create());
    const transport = await waitForCard({ smartCard, timeoutMs: 1000 });
    expect(transport.reader).toBe(B);
    expect(smartCard.calls('getStatusChange')).toBe(1);
    await transport.close();
  });

  it('sees a reader plugged in later (PnP pseudo-reader), then the card put in', async () => {
    const smartCard = new FakeSmartCard();
    const pending = waitForCard({ smartCard, timeoutMs: 5000 });
    await sleep(30);
    smartCard.addReader(A);
    await sleep(30);
    expect(smartCard.connections(A)).toBe(0);
    smartCard.insertCard(A, await VirtualMyNumberCard.create());
    const transport = await pending;
    expect(transport.reader).toBe(A);
    expect(toHex(transport.atr)).toBe('3be000ff8131fe4514');
    await transport.close();
  });

  it('without PnP notifications, finds a new reader by looking again', async () => {
    const smartCard = new FakeSmartCard({ pnp: false });
    smartCard.addReader(A);
    const pending = waitForCard({ smartCard, reader: B, timeoutMs: 5000 });
    await sleep(30);
    smartCard.addReader(B, await VirtualMyNumberCard.create());
    const started = Date.now();
    const transport = await pending;
    expect(transport.reader).toBe(B);
    expect(Date.now() - started).toBeLessThan(2500);
    await transport.close();
  });

  it('a platform that refuses the PnP pseudo-reader by name: polls instead', async () => {
    const smartCard = new FakeSmartCard({ pnp: 'refused' });
    smartCard.addReader(A);
    const pending = waitForCard({ smartCard, reader: B, timeoutMs: 5000 });
    await sleep(30);
    smartCard.addReader(B, await VirtualMyNumberCard.create());
    const transport = await pending;
    expect(transport.reader).toBe(B);
    await transport.close();
  });

  it('waits on the named reader only (string or function)', async () => {
    const smartCard = new FakeSmartCard();
    smartCard.addReader(A, await VirtualMyNumberCard.create());
    smartCard.addReader(B);
    const byName = waitForCard({ smartCard, reader: B, timeoutMs: 5000 });
    const byTest = waitForCard({ smartCard, reader: (name) => name.startsWith('Reader B'), timeoutMs: 5000 });
    await sleep(30);
    smartCard.insertCard(B, await VirtualMyNumberCard.create());
    const [x, y] = await Promise.all([byName, byTest]);
    expect([x.reader, y.reader]).toEqual([B, B]);
    await x.close();
    await y.close();
  });

  it('gives up after timeoutMs with TimeoutError, and on abort with AbortedError', async () => {
    const smartCard = new FakeSmartCard();
    smartCard.addReader(A);
    const error = await waitForCard({ smartCard, timeoutMs: 50 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).message).toBe('No card within 50 ms');
    const controller = new AbortController();
    const pending = waitForCard({ smartCard, signal: controller.signal });
    await sleep(20);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    await expect(waitForCard({ smartCard, signal: AbortSignal.abort() })).rejects.toBeInstanceOf(AbortedError);
  });

  it('a card pulled out of the card object shows as an empty reader until a card is put in', async () => {
    const smartCard = new FakeSmartCard();
    const vc = await VirtualMyNumberCard.create();
    smartCard.addReader(A, vc);
    vc.remove(); // the card object is out; the reader has not noticed yet
    const pending = waitForCard({ smartCard, timeoutMs: 5000 });
    await sleep(30);
    vc.insert();
    smartCard.insertCard(A, vc);
    const transport = await pending;
    expect(transport.reader).toBe(A);
    await transport.close();
  });

  it('maps a permission refusal at connect', async () => {
    const smartCard = new FakeSmartCard({ permission: 'denied' });
    smartCard.addReader(A, await VirtualMyNumberCard.create());
    await expect(waitForCard({ smartCard, timeoutMs: 1000 })).rejects.toMatchObject({ name: 'PermissionDeniedError' });
  });
});

describe('watchReaders', () => {
  async function take(iterator: AsyncIterator<ReaderEvent>, n: number): Promise<ReaderEvent[]> {
    const out: ReaderEvent[] = [];
    while (out.length < n) {
      const next = await iterator.next();
      if (next.done === true) break;
      out.push(next.value);
    }
    return out;
  }

  it('reports readers and cards coming and going, in order', async () => {
    const smartCard = new FakeSmartCard();
    smartCard.addReader(A, await VirtualMyNumberCard.create());
    const watcher = watchReaders({ smartCard });
    expect(await take(watcher, 2)).toEqual([
      { type: 'reader-added', reader: A },
      { type: 'card-inserted', reader: A },
    ]);
    smartCard.addReader(B);
    expect(await take(watcher, 1)).toEqual([{ type: 'reader-added', reader: B }]);
    smartCard.insertCard(B, await VirtualMyNumberCard.create());
    expect(await take(watcher, 1)).toEqual([{ type: 'card-inserted', reader: B }]);
    smartCard.removeCard(A);
    expect(await take(watcher, 1)).toEqual([{ type: 'card-removed', reader: A }]);
    smartCard.removeReader(B);
    expect(await take(watcher, 2)).toEqual([
      { type: 'card-removed', reader: B },
      { type: 'reader-removed', reader: B },
    ]);
    await watcher.close();
    expect(await watcher.next()).toEqual({ value: undefined, done: true });
  });

  it('readAtr puts the ATR on card-inserted; initial: false skips what is already there', async () => {
    const smartCard = new FakeSmartCard();
    smartCard.addReader(A, await VirtualMyNumberCard.create());
    const watcher = watchReaders({ smartCard, readAtr: true, initial: false });
    await sleep(30);
    smartCard.addReader(B, await VirtualMyNumberCard.create());
    const events = await take(watcher, 2);
    expect(events.map((e) => ({ ...e, atr: e.atr && toHex(e.atr) }))).toEqual([
      { type: 'reader-added', reader: B, atr: undefined },
      { type: 'card-inserted', reader: B, atr: '3be000ff8131fe4514' },
    ]);
    await watcher.return?.();
  });

  it('a swap between two looks shows as removed + inserted', async () => {
    const smartCard = new FakeSmartCard();
    smartCard.addReader(A, await VirtualMyNumberCard.create());
    const watcher = watchReaders({ smartCard, initial: false });
    await sleep(30);
    // Both changes before the watcher looks again: one notification, insertion count +2.
    const other = await VirtualMyNumberCard.create();
    smartCard.removeCard(A);
    smartCard.insertCard(A, other);
    expect(await take(watcher, 2)).toEqual([
      { type: 'card-removed', reader: A },
      { type: 'card-inserted', reader: A },
    ]);
    await watcher.close();
  });

  it('ends on abort; its context never blocks a transport (each has its own)', async () => {
    const smartCard = new FakeSmartCard();
    const vc = await VirtualMyNumberCard.create();
    smartCard.addReader(A, vc);
    const controller = new AbortController();
    const watcher = watchReaders({ smartCard, signal: controller.signal });
    expect(await take(watcher, 2)).toHaveLength(2);
    const transport = await waitForCard({ smartCard, timeoutMs: 1000 });
    expect(toHex(await transport.transmit(Uint8Array.of(0x00, 0xa4, 0x04, 0x0c, 0x0a, 0xd3, 0x92, 0xf0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01)))).toBe('9000');
    await transport.close();
    const pending = watcher.next();
    controller.abort();
    expect(await pending).toEqual({ value: undefined, done: true });
  });

  it('a failure of the API rejects next() and ends the watcher', async () => {
    const watcher = watchReaders({ smartCard: new FakeSmartCard({ service: false }) });
    await expect(watcher.next()).rejects.toMatchObject({ name: 'PcscServiceError', code: 'pcsc-service' });
    expect(await watcher.next()).toEqual({ value: undefined, done: true });
  });
});

describe('mapWebSmartCardError', () => {
  const cases: [SmartCardResponseCode, string, string][] = [
    ['removed-card', 'CardRemovedError', 'card-removed'],
    ['no-smartcard', 'CardRemovedError', 'card-removed'],
    ['reader-unavailable', 'ReaderUnavailableError', 'reader-unavailable'],
    ['unknown-reader', 'ReaderUnavailableError', 'reader-unavailable'],
    ['sharing-violation', 'CardBusyError', 'card-busy'],
    ['no-service', 'PcscServiceError', 'pcsc-service'],
    ['system-cancelled', 'PcscServiceError', 'pcsc-service'],
    ['reset-card', 'TransportError', 'card-reset'],
    ['not-transacted', 'TransportError', 'pcsc-error'],
    ['unresponsive-card', 'TransportError', 'pcsc-error'],
    ['server-too-busy', 'TransportError', 'pcsc-error'],
  ];
  it.each(cases)('SmartCardError %s → %s (%s)', (responseCode, name, code) => {
    const error = mapWebSmartCardError(createSmartCardError(responseCode), 'transmit');
    expect({ name: error.name, code: error.code }).toEqual({ name, code });
    expect(error.message).toContain(responseCode);
  });

  it.each([
    ['NotAllowedError', 'PermissionDeniedError', 'permission-denied'],
    ['SecurityError', 'PermissionDeniedError', 'permission-denied'],
    ['AbortError', 'AbortedError', 'aborted'],
    ['TimeoutError', 'TimeoutError', 'timeout'],
    ['InvalidStateError', 'TransportError', 'transport-broken'],
    ['UnknownError', 'TransportError', 'pcsc-error'],
  ])('DOMException %s → %s (%s)', (domName, name, code) => {
    const error = mapWebSmartCardError(new DOMException('m', domName), 'connect');
    expect({ name: error.name, code: error.code }).toEqual({ name, code });
  });

  it('names the PnP pseudo-reader as the specification spells it', () => {
    expect(PNP_NOTIFICATION).toBe('\\\\?PnP?\\Notification');
    expect(PNP_NOTIFICATION).toHaveLength(20);
  });
});
