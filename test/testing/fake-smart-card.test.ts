/**
 * The fake `navigator.smartCard` keeps the specification's rules: one call at a time per
 * context, the checks that reject with `InvalidStateError` while another connection of the
 * same context holds a transaction, the callback's result as the disposition (`'reset'` for
 * nothing or a rejection), the abort signal's reason, `TimeoutError` of `getStatusChange`, and
 * the `SmartCardError` shape.
 */
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes.js';
import { createSmartCardError, FakeSmartCard, VirtualMyNumberCard } from '../../src/testing/index.js';
import { PNP_NOTIFICATION } from '../../src/web-smart-card/index.js';

const READER = 'Virtual Reader 00 00';
const SELECT_JPKI = Uint8Array.of(0x00, 0xa4, 0x04, 0x0c, 0x0a, 0xd3, 0x92, 0xf0, 0x00, 0x26, 0x01, 0x00, 0x00, 0x00, 0x01);

async function fixture() {
  const vc = await VirtualMyNumberCard.create();
  const smartCard = new FakeSmartCard();
  smartCard.addReader(READER, vc);
  const context = await smartCard.establishContext();
  return { vc, smartCard, context };
}

const nameOf = (promise: Promise<unknown>): Promise<string> => promise.then(() => 'resolved', (e: Error) => e.name);

describe('FakeSmartCard follows the Web Smart Card specification', () => {
  it('SmartCardError is a DOMException named SmartCardError with a responseCode', () => {
    const error = createSmartCardError('removed-card');
    expect(error).toBeInstanceOf(DOMException);
    expect({ name: error.name, responseCode: error.responseCode, message: error.message }).toEqual({
      name: 'SmartCardError',
      responseCode: 'removed-card',
      message: 'PC/SC: removed-card',
    });
  });

  it('one operation at a time per context: a second call rejects with InvalidStateError', async () => {
    const { context } = await fixture();
    const first = context.listReaders();
    expect(await nameOf(context.listReaders())).toBe('InvalidStateError');
    expect(await first).toEqual([READER]);
    expect(await context.listReaders()).toEqual([READER]);
  });

  it("another connection of the context holding a transaction: InvalidStateError for the other's calls and connect", async () => {
    const { context } = await fixture();
    const a = (await context.connect(READER, 'shared', { preferredProtocols: ['t1'] })).connection;
    const b = (await context.connect(READER, 'shared', { preferredProtocols: ['t1'] })).connection;
    let inside: string[] = [];
    await a.startTransaction(async () => {
      inside = [
        await nameOf(b.transmit(SELECT_JPKI)),
        await nameOf(b.startTransaction(async () => 'leave')),
        await nameOf(b.status()),
        await nameOf(context.connect(READER, 'shared', { preferredProtocols: ['t1'] })),
        toHex(new Uint8Array(await a.transmit(SELECT_JPKI))),
      ];
      return 'leave';
    });
    expect(inside).toEqual(['InvalidStateError', 'InvalidStateError', 'InvalidStateError', 'InvalidStateError', '9000']);
    expect(toHex(new Uint8Array(await b.transmit(SELECT_JPKI)))).toBe('9000');
  });

  it("the callback's result is the disposition; nothing or a rejection means 'reset' (the card drops its state)", async () => {
    const { smartCard, context } = await fixture();
    const { connection } = await context.connect(READER, 'shared', { preferredProtocols: ['t1'] });
    await connection.startTransaction(async () => 'leave');
    await connection.startTransaction(async () => undefined);
    const failure = new Error('callback failed');
    await expect(connection.startTransaction(async () => Promise.reject(failure))).rejects.toBe(failure);
    expect(smartCard.transactions.map((t) => t.disposition)).toEqual(['leave', 'reset', 'reset']);
  });

  it('a transaction started on a closed connection, or twice, is refused', async () => {
    const { context } = await fixture();
    const { connection } = await context.connect(READER, 'shared', { preferredProtocols: ['t1'] });
    let nested = '';
    await connection.startTransaction(async () => {
      nested = await nameOf(connection.startTransaction(async () => 'leave'));
      return 'leave';
    });
    expect(nested).toBe('InvalidStateError');
    await connection.disconnect();
    expect(await nameOf(connection.transmit(SELECT_JPKI))).toBe('InvalidStateError');
    expect(await nameOf(connection.disconnect())).toBe('InvalidStateError');
  });

  it('getStatusChange: changed at once for an unaware caller, TimeoutError after timeout, the abort reason on abort', async () => {
    const { smartCard, context } = await fixture();
    const [state] = await context.getStatusChange([{ readerName: READER, currentState: { unaware: true } }]);
    expect(state).toMatchObject({ readerName: READER, eventState: { present: true, changed: true }, eventCount: 0 });
    expect(toHex(new Uint8Array(state!.answerToReset!))).toBe('3be000ff8131fe4514');
    const known = { readerName: READER, currentState: { present: true }, currentCount: 0 };
    expect(await nameOf(context.getStatusChange([known], { timeout: 20 }))).toBe('TimeoutError');
    const controller = new AbortController();
    const reason = new Error('stop');
    const waiting = context.getStatusChange([known], { signal: controller.signal });
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    const removal = context.getStatusChange([known, { readerName: PNP_NOTIFICATION, currentState: {}, currentCount: 1 }]);
    smartCard.removeCard(READER);
    const out = await removal;
    expect(out[0]).toMatchObject({ eventState: { empty: true, changed: true }, eventCount: 1 });
    expect(out[1]).toMatchObject({ readerName: PNP_NOTIFICATION, eventCount: 1 });
    expect(out[1]!.eventState.changed).toBeUndefined();
  });
});
