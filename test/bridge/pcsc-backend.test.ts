/**
 * The bridge over the SDK's real `PcscTransport` (pcsc-mini replaced by the fake of
 * test/pcsc): a page's transaction is one PC/SC transaction (SCardBeginTransaction …
 * SCardEndTransaction) whose commands run inside it — the transport tracks its transaction by
 * async context, so commands sent from outside would wait for it to end — and a transmit
 * outside a transaction goes through alone. The first reader with a card is taken.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BridgeTransport } from '../../src/bridge/index.js';
import { pcscBackend } from '../../src/cli/bridge/backend.js';
import { PcscContext } from '../../src/pcsc/context.js';
import { EMPTY, FakeWorld, hex, PRESENT, state } from '../pcsc/fake-pcsc-mini.js';
import { clientFor, ORIGIN, testBridge, type TestBridge } from './helpers.js';

const Page = clientFor(ORIGIN);
const bridges: TestBridge[] = [];
afterEach(async () => {
  await Promise.all(bridges.splice(0).map((b) => b.server.close()));
});

describe('the bridge over PcscTransport', () => {
  it('runs a page transaction as one PC/SC transaction with its commands inside; the first reader with a card', async () => {
    const world = new FakeWorld({ 'Empty Reader 00 00': state(EMPTY), 'Card Reader 01 00': state(PRESENT, 1) });
    const context = new PcscContext({ pcscMini: world.module });
    const bridge = await testBridge(pcscBackend(context));
    bridges.push(bridge);
    const { requestPairingCode, pair } = await import('../../src/bridge/index.js');
    await requestPairingCode({ url: bridge.server.url, WebSocket: Page });
    const token = await pair({ url: bridge.server.url, WebSocket: Page, code: bridge.codes.at(-1)! });
    const transport = await BridgeTransport.connect({ url: bridge.server.url, token, WebSocket: Page });
    expect(transport.reader).toBe('Card Reader 01 00');
    expect(hex(transport.atr)).toBe('3BE000FF8131FE4514');
    const card = world.cards[0]!;
    card.answers.push(Uint8Array.of(0x01, 0x90, 0x00), Uint8Array.of(0x02, 0x90, 0x00), Uint8Array.of(0x03, 0x90, 0x00));
    world.calls.length = 0;
    const inside = await transport.withTransaction(async () => [
      hex(await transport.transmit(Uint8Array.of(0x00, 0xa4, 0x04, 0x0c))),
      hex(await transport.transmit(Uint8Array.of(0x00, 0xb0, 0x00, 0x00))),
    ]);
    const outside = hex(await transport.transmit(Uint8Array.of(0x00, 0xb0, 0x00, 0x01)));
    expect(inside).toEqual(['019000', '029000']);
    expect(outside).toBe('039000');
    expect(world.calls).toEqual(['begin', 'transmit', 'transmit', 'end:0', 'transmit']);
    await transport.close();
    expect(card.disconnected).toBe(true);
  });
});
