import { afterEach, describe, expect, it } from 'vitest';
import {
  AbortedError,
  CardBusyError,
  CardRemovedError,
  InvalidArgumentError,
  PcscServiceError,
  TransportError,
} from '../../src/errors.js';
import { ApduChannel } from '../../src/apdu/channel.js';
import { PcscContext } from '../../src/pcsc/context.js';
import { RECEIVE_BUFFER_LENGTH, type PcscTransportOptions } from '../../src/pcsc/options.js';
import type { PcscTransport } from '../../src/pcsc/transport.js';
import { bytes, deferred, EMPTY, FakeWorld, hex, PcscError, PRESENT, sleep, state } from './fake-pcsc-mini.js';

const READER = 'Fake Reader 00 00';
const SELECT = bytes('00A4040C0AD392F000260100000001');
const READ_EXTENDED = bytes('00B08A00000000');
const READ_SHORT = bytes('00B08A0000');
const OK = bytes('9000');

const open: PcscTransport[] = [];

afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

async function setup(options: PcscTransportOptions = {}) {
  const world = new FakeWorld({ [READER]: state(PRESENT, 1) });
  const context = new PcscContext({ pcscMini: world.module });
  const transport = await context.connect(READER, options);
  open.push(transport);
  const card = world.cards[0]!;
  world.calls.length = 0;
  return { world, context, transport, card };
}

const codeOf = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'resolved',
    (e: unknown) => `${(e as Error).constructor.name}:${(e as { code?: string }).code}`,
  );

describe('PcscTransport.transmit', () => {
  it('connects in shared mode, reads the ATR from the card state, and receives into a 65 538-byte buffer', async () => {
    const { world, transport, card } = await setup();
    expect(world.calls).toEqual([]);
    expect(hex(transport.atr)).toBe('3BE000FF8131FE4514');
    expect(transport.protocol).toBe('T=1');
    expect(transport.reader).toBe(READER);
    expect(transport.maxResponseLength).toBe(65_538);
    card.answers.push(bytes('0102039000'));
    const response = await transport.transmit(SELECT);
    expect(hex(response)).toBe('0102039000');
    expect(card.buffers).toEqual([RECEIVE_BUFFER_LENGTH]);
    expect(hex(card.commands[0]!)).toBe(hex(SELECT));
    // The response is a copy; the shared receive buffer was wiped.
    expect([...card.lastView!]).toEqual([0, 0, 0, 0, 0]);
  });

  it('asks for T=0 or T=1 when told to', async () => {
    const world = new FakeWorld({ [READER]: state(PRESENT) });
    const context = new PcscContext({ pcscMini: world.module });
    open.push(await context.connect(READER, { protocol: 'T=0' }));
    expect(world.calls).toContain(`connect:${READER}:2:1`);
  });

  it('an empty response (pcscd when the card left mid-exchange) is CardRemovedError', async () => {
    const { transport, card } = await setup();
    card.answers.push(new Uint8Array(0));
    const error = await transport.transmit(SELECT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CardRemovedError);
    expect((error as Error).message).toBe('The card was removed from the reader during the exchange (empty response)');
  });

  it('RemovedCard is CardRemovedError', async () => {
    const { transport, card } = await setup();
    card.answers.push(new PcscError('RemovedCard'));
    expect(await codeOf(transport.transmit(SELECT))).toBe('CardRemovedError:card-removed');
  });

  it('NotTransacted followed by a removal pcscd confirms is CardRemovedError', async () => {
    const { world, transport, card } = await setup();
    card.answers.push(new PcscError('NotTransacted'));
    card.stateResults.push(0x4 | 0x10 | 0x20, new PcscError('RemovedCard'));
    expect(await codeOf(transport.transmit(SELECT))).toBe('CardRemovedError:card-removed');
    expect(world.calls).toEqual(['transmit', 'state', 'state']);
  });

  it('NotTransacted while the reader already reported the card gone is CardRemovedError at once', async () => {
    const { world, transport, card } = await setup();
    world.set(READER, state(EMPTY, 2));
    await sleep(0);
    expect(transport.cardPresent).toBe(false);
    card.answers.push(new PcscError('NotTransacted'));
    expect(await codeOf(transport.transmit(SELECT))).toBe('CardRemovedError:card-removed');
    expect(world.calls).toEqual(['transmit']);
  });

  it('NotTransacted on an extended command with the card still there: extended length refused; the transport learns nothing', async () => {
    const { transport, card } = await setup();
    card.answers.push(new PcscError('NotTransacted'));
    const error = await transport.transmit(READ_EXTENDED).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).not.toBeInstanceOf(CardRemovedError);
    expect((error as TransportError).code).toBe('extended-length-refused');
    expect(transport.extendedLength).toBeUndefined();
  }, 10_000);

  it('extended length over PC/SC is decided by the channel: 6700 → false, a real answer → true; then remembered (no probe)', async () => {
    const a = await setup();
    const seenA: boolean[] = [];
    const channelA = new ApduChannel(a.transport, { onExtendedLength: (v) => seenA.push(v) });
    a.card.answers.push(bytes('6700'), bytes('9000'));
    await channelA.transmit(READ_EXTENDED);
    expect(channelA.extendedLengthSupported).toBe(false);
    a.card.answers.push(bytes('9000'));
    await channelA.transmit(READ_EXTENDED);
    expect(channelA.extendedLengthSupported).toBe(false);
    expect(a.card.commands.map(hex)).toEqual([hex(READ_EXTENDED), hex(READ_SHORT), hex(READ_SHORT)]);
    expect(seenA).toEqual([false]);
    expect(a.transport.extendedLength).toBeUndefined();

    const b = await setup();
    const seenB: boolean[] = [];
    const channelB = new ApduChannel(b.transport, { onExtendedLength: (v) => seenB.push(v) });
    await channelB.transmit(READ_SHORT);
    expect(channelB.extendedLengthSupported).toBeUndefined(); // short commands say nothing
    b.card.answers.push(bytes('AA9000'));
    await channelB.transmit(READ_EXTENDED);
    expect(channelB.extendedLengthSupported).toBe(true);
    b.card.answers.push(bytes('6700'));
    await channelB.transmit(READ_EXTENDED);
    expect(channelB.extendedLengthSupported).toBe(true);
    expect(seenB).toEqual([true]);
  });

  it('the hint is the extendedLength option, fixed for the life of the transport', async () => {
    const { transport } = await setup({ extendedLength: true });
    expect(transport.extendedLength).toBe(true);
    expect(transport.extendedLength).toBe(true);
    const { transport: unknown } = await setup();
    expect(unknown.extendedLength).toBeUndefined();
    expect(new ApduChannel(transport).extendedLengthSupported).toBe(true);
  });

  it('ResetCard (another application reset the card): reconnects leaving the card, reports card-reset', async () => {
    const { world, transport, card } = await setup();
    card.answers.push(new PcscError('ResetCard'));
    expect(await codeOf(transport.transmit(SELECT))).toBe('TransportError:card-reset');
    expect(world.calls).toEqual(['transmit', 'reconnect:2:0']);
    expect(hex(await transport.transmit(SELECT))).toBe('9000');
  });

  it('concurrent calls reach pcsc-mini one at a time, in call order', async () => {
    const { transport, card } = await setup();
    const first = deferred<Uint8Array>();
    card.answers.push(first, bytes('029000'), bytes('039000'));
    const results = Promise.all([
      transport.transmit(bytes('00B0000001')),
      transport.transmit(bytes('00B0000002')),
      transport.transmit(bytes('00B0000003')),
    ]);
    await sleep(5);
    first.resolve(bytes('019000'));
    expect((await results).map(hex)).toEqual(['019000', '029000', '039000']);
    expect(card.commands.map(hex)).toEqual(['00B0000001', '00B0000002', '00B0000003']);
  });

  it('rejects a non-APDU argument and anything after close()', async () => {
    const { transport, card } = await setup();
    await expect(transport.transmit(bytes('00A4'))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(transport.transmit('00A4' as unknown as Uint8Array)).rejects.toBeInstanceOf(InvalidArgumentError);
    await transport.close();
    expect(await codeOf(transport.transmit(SELECT))).toBe('TransportError:transport-closed');
    expect(await codeOf(transport.withTransaction(async () => 1))).toBe('TransportError:transport-closed');
    expect(card.commands).toHaveLength(0);
  });

  it('a pcscd that went away is PcscServiceError', async () => {
    const { transport, card } = await setup();
    card.answers.push(new PcscError('NoService'));
    await expect(transport.transmit(SELECT)).rejects.toBeInstanceOf(PcscServiceError);
  });
});

describe('PcscTransport.withTransaction', () => {
  it('begins before fn and ends after it (card left as it is); fn sends inside', async () => {
    const { world, transport } = await setup();
    const result = await transport.withTransaction(async () => {
      await transport.transmit(SELECT);
      await transport.transmit(READ_SHORT);
      return 'done';
    });
    expect(result).toBe('done');
    expect(world.calls).toEqual(['begin', 'transmit', 'transmit', 'end:0']);
  });

  it('ends the transaction when fn throws, and rethrows fn’s error', async () => {
    const { world, transport } = await setup();
    const boom = new Error('boom');
    await expect(
      transport.withTransaction(async () => {
        await transport.transmit(SELECT);
        throw boom;
      }),
    ).rejects.toBe(boom);
    expect(world.calls).toEqual(['begin', 'transmit', 'end:0']);
    // The lock was released: the next operation runs.
    expect(await transport.withTransaction(async () => 2)).toBe(2);
  });

  it('ends the transaction when the card is removed mid-sequence, and nothing partial is returned', async () => {
    const { world, transport, card } = await setup();
    card.answers.push(bytes('AA9000'), new PcscError('RemovedCard'));
    const parts: string[] = [];
    const error = await transport
      .withTransaction(async () => {
        parts.push(hex(await transport.transmit(bytes('00B0000001'))));
        parts.push(hex(await transport.transmit(bytes('00B0000101'))));
        return parts.join('');
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CardRemovedError);
    expect(world.calls).toEqual(['begin', 'transmit', 'transmit', 'end:0']);
  });

  it('a begin failure releases the lock and sends no end', async () => {
    const { world, transport, card } = await setup();
    card.begins.push(new PcscError('RemovedCard'));
    let ran = false;
    const error = await transport.withTransaction(async () => (ran = true)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CardRemovedError);
    expect(ran).toBe(false);
    expect(world.calls).toEqual(['begin']);
    expect(await transport.withTransaction(async () => 'next')).toBe('next');
  });

  it('ResetCard at begin: acknowledges the reset and reports card-reset without running fn', async () => {
    const { world, transport, card } = await setup();
    card.begins.push(new PcscError('ResetCard'));
    let ran = false;
    expect(await codeOf(transport.withTransaction(async () => (ran = true)))).toBe('TransportError:card-reset');
    expect(ran).toBe(false);
    expect(world.calls).toEqual(['begin', 'reconnect:2:0']);
  });

  it('an end failure after a complete fn still returns its result; the next begin asks for reconnect()', async () => {
    const { world, transport, card } = await setup();
    card.ends.push(new PcscError('RemovedCard'));
    expect(await transport.withTransaction(async () => hex(await transport.transmit(SELECT)))).toBe('9000');
    expect(await codeOf(transport.withTransaction(async () => 1))).toBe('TransportError:transaction-failed');
    // reconnect() opens a new handle (pcsc-mini keeps the failed transaction on the old one).
    await transport.reconnect();
    expect(world.calls).toEqual(['begin', 'transmit', 'end:0', 'disconnect:0', `connect:${READER}:2:3`, 'state']);
    expect(world.cards).toHaveLength(2);
    expect(card.disconnected).toBe(true);
    expect(await transport.withTransaction(async () => 3)).toBe(3);
    expect(world.cards[1]!.commands).toHaveLength(0);
  });

  it('nested calls run inside the current transaction (one begin, one end)', async () => {
    const { world, transport } = await setup();
    const value = await transport.withTransaction(() => transport.withTransaction(async () => 'inner'));
    expect(value).toBe('inner');
    expect(world.calls).toEqual(['begin', 'end:0']);
  });

  it('concurrent transactions and bare transmits never interleave', async () => {
    const { world, transport, card } = await setup();
    const gate = deferred<Uint8Array>();
    card.answers.push(gate);
    const first = transport.withTransaction(async () => {
      await transport.transmit(bytes('00B0000001'));
      await transport.transmit(bytes('00B0000002'));
    });
    await sleep(5);
    const bare = transport.transmit(bytes('00B0000009'));
    const second = transport.withTransaction(async () => {
      await transport.transmit(bytes('00B0000003'));
    });
    await sleep(5);
    gate.resolve(OK);
    await Promise.all([first, bare, second]);
    expect(card.commands.map(hex)).toEqual(['00B0000001', '00B0000002', '00B0000009', '00B0000003']);
    expect(world.calls).toEqual(['begin', 'transmit', 'transmit', 'end:0', 'transmit', 'begin', 'transmit', 'end:0']);
  });

  it('work left running after fn returned is outside the transaction and waits like any caller', async () => {
    const { world, transport } = await setup();
    let late: Promise<Uint8Array> | undefined;
    await transport.withTransaction(async () => {
      late = sleep(5).then(() => transport.transmit(bytes('00B0000007')));
    });
    const gate = deferred<void>();
    const holder = transport.withTransaction(() => gate.promise);
    await sleep(15);
    expect(world.calls).toEqual(['begin', 'end:0', 'begin']);
    gate.resolve();
    await holder;
    await late;
    expect(world.calls).toEqual(['begin', 'end:0', 'begin', 'end:0', 'transmit']);
  });

  it('another application holding the card longer than the timeout → CardBusyError; the late begin is ended', async () => {
    const { world, transport, card } = await setup({ transactionTimeoutMs: 30 });
    const other = deferred<void>();
    card.begins.push(other);
    let ran = false;
    const error = await transport.withTransaction(async () => (ran = true)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CardBusyError);
    expect((error as Error).message).toBe('Another application kept the card in a PC/SC transaction for more than 30 ms');
    expect(ran).toBe(false);
    other.resolve();
    await sleep(5);
    expect(world.calls).toEqual(['begin', 'end:0']);
    expect(await transport.withTransaction(async () => hex(await transport.transmit(SELECT)))).toBe('9000');
  });

  it('per-call timeout and abort while waiting for another application', async () => {
    const { world, transport, card } = await setup();
    const other = deferred<void>();
    card.begins.push(other);
    const controller = new AbortController();
    const waiting = transport.withTransaction(async () => 'never', { signal: controller.signal });
    await sleep(5);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
    const other2 = deferred<void>();
    card.begins.push(other2);
    other.resolve();
    expect(await codeOf(transport.withTransaction(async () => 1, { timeoutMs: 20 }))).toBe('CardBusyError:card-busy');
    other2.resolve();
    await sleep(5);
    expect(world.calls).toEqual(['begin', 'end:0', 'begin', 'end:0']);
  });

  it('an aborted signal never begins', async () => {
    const { world, transport } = await setup();
    const controller = new AbortController();
    controller.abort();
    await expect(transport.withTransaction(async () => 1, { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(world.calls).toEqual([]);
  });
});

describe('PcscTransport.reconnect and close', () => {
  it('reconnect waits for a card, reconnects the handle with a reset and reads the ATR again', async () => {
    const { world, transport, card } = await setup();
    world.set(READER, state(EMPTY, 2));
    const done = transport.reconnect({ timeoutMs: 5000 });
    await sleep(10);
    expect(world.calls).toEqual([]);
    card.atr = Uint8Array.of(0x3b, 0x00);
    world.set(READER, state(PRESENT, 3));
    await done;
    expect(world.calls).toEqual(['reconnect:2:1', 'state']);
    expect(hex(transport.atr)).toBe('3B00');
    expect(transport.cardPresent).toBe(true);
  });

  it('reconnect falls back to a new handle, keeps the extended-length hint, and times out cleanly', async () => {
    const { world, transport, card } = await setup({ extendedLength: false });
    card.reconnectResult = new PcscError('RemovedCard');
    await transport.reconnect();
    expect(world.calls).toEqual(['reconnect:2:1', 'disconnect:0', `connect:${READER}:2:3`, 'state']);
    expect(transport.extendedLength).toBe(false);
    world.set(READER, state(EMPTY, 2));
    expect(await codeOf(transport.reconnect({ timeoutMs: 20 }))).toBe('TimeoutError:timeout');
  });

  it('close disconnects once (leave), is idempotent, waits for a running transaction, and frees the client', async () => {
    const world = new FakeWorld({ [READER]: state(PRESENT) });
    const context = new PcscContext({ pcscMini: world.module, stopSettleMs: 250 });
    const transport = await context.connect(READER);
    const gate = deferred<void>();
    const running = transport.withTransaction(async () => {
      await gate.promise;
      return transport.transmit(SELECT);
    });
    await sleep(5);
    const closing = transport.close();
    expect(transport.closed).toBe(true);
    gate.resolve();
    expect(hex(await running)).toBe('9000');
    await Promise.all([closing, transport.close()]);
    expect(world.calls.filter((c) => c.startsWith('disconnect'))).toEqual(['disconnect:0']);
    expect(context.running).toBe(true); // settling before stop
    await sleep(400);
    expect(context.running).toBe(false);
    expect(world.calls.at(-1)).toBe('client.stop');
  });

  it('close does not wait for a begin blocked by another application', async () => {
    const { world, transport, card } = await setup({ transactionTimeoutMs: 10 });
    const other = deferred<void>();
    card.begins.push(other);
    await expect(transport.withTransaction(async () => 1)).rejects.toBeInstanceOf(CardBusyError);
    await transport.close();
    expect(world.calls).toEqual(['begin']);
    other.resolve();
    await sleep(5);
    expect(world.calls).toEqual(['begin', 'end:0', 'disconnect:0']);
  });
});

