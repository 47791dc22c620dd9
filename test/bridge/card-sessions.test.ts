/**
 * Every card-session flow (test/shared/card-flows.ts) over `BridgeTransport` → a bridge on
 * 127.0.0.1 → a reader holding the virtual card, with extended length left to the APDU
 * channel and with `extendedLength: false`. Each flow also runs straight against an identical
 * virtual card used as a shared reader: the card must see exactly the same APDUs and the flow
 * give the same result. The bridge's log must hold no APDU data and no PIN.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MyNumberCard, type MyNumberCardOptions } from '../../src/aps/card.js';
import { BridgeTransport, pair, requestPairingCode } from '../../src/bridge/index.js';
import { toHex } from '../../src/bytes.js';
import { VirtualMyNumberCard, type VirtualCardOptions } from '../../src/testing/index.js';
import type { Transport } from '../../src/transport/transport.js';
import { AUTH_PIN, CARD_FLOWS, SIGN_PASSWORD, TEXT_PIN, type Flow, type FlowRun } from '../shared/card-flows.js';
import { clientFor, ORIGIN, READER, testBridge, virtualBackend, type TestBridge } from './helpers.js';

interface Setup {
  readonly name: string;
  readonly extendedLength: boolean | undefined;
  readonly reference: MyNumberCardOptions['extendedLength'];
}

const SETUPS: readonly Setup[] = [
  { name: 'extended length decided by the APDU channel', extendedLength: undefined, reference: 'auto' },
  { name: 'extendedLength: false', extendedLength: false, reference: false },
];

const WebSocket = clientFor(ORIGIN);
let current: VirtualMyNumberCard;
const backend = virtualBackend(() => current);
let bridge: TestBridge;
let token: string;

beforeAll(async () => {
  bridge = await testBridge(backend);
  await requestPairingCode({ url: bridge.server.url, WebSocket });
  token = await pair({ url: bridge.server.url, WebSocket, code: bridge.codes.at(-1)! });
});

afterAll(async () => {
  await bridge.server.close();
});

async function runBridge(flow: Flow, cardOptions: VirtualCardOptions, setup: Setup): Promise<FlowRun> {
  const vc = await VirtualMyNumberCard.create(cardOptions);
  current = vc;
  const transport = await BridgeTransport.connect({ url: bridge.server.url, token, WebSocket, extendedLength: setup.extendedLength });
  expect({ reader: transport.reader, atr: toHex(transport.atr) }).toEqual({ reader: READER, atr: toHex(vc.atr) });
  expect(transport.extendedLength).toBe(setup.extendedLength);
  const card = await MyNumberCard.connect(transport, { closeTransport: true });
  const value = await flow(card, vc);
  await card.close();
  expect(transport.closed).toBe(true);
  return { value, commands: vc.log.map((e) => toHex(e.command)), vc };
}

async function runShared(flow: Flow, cardOptions: VirtualCardOptions, setup: Setup): Promise<FlowRun> {
  const vc = await VirtualMyNumberCard.create(cardOptions);
  const shared: Transport = { transmit: (command) => vc.transmit(command), withTransaction: (fn) => fn() };
  const card = await MyNumberCard.connect(shared, { extendedLength: setup.reference });
  const value = await flow(card, vc);
  await card.close();
  return { value, commands: vc.log.map((e) => toHex(e.command)), vc };
}

for (const setup of SETUPS) {
  describe(`card sessions over BridgeTransport — ${setup.name}`, () => {
    for (const flow of CARD_FLOWS) {
      it(flow.name, async () => {
        const cardOptions = flow.cardOptions ?? {};
        const viaBridge = await runBridge(flow.run, cardOptions, setup);
        const direct = await runShared(flow.run, cardOptions, setup);
        expect(viaBridge.commands).toEqual(direct.commands);
        expect(viaBridge.value).toEqual(direct.value);
        flow.check(viaBridge);
      });
    }
  });
}

describe('the bridge log after every flow', () => {
  it('names connections and APDU counts, never APDU data, a PIN or the token', async () => {
    // Let the last sessions' close lines arrive.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const text = bridge.log.join('\n');
    expect(text).toMatch(/#\d+ closed \(1000\) after \d+ APDUs/);
    expect(backend.open).toBe(0);
    const pins = [AUTH_PIN, SIGN_PASSWORD, TEXT_PIN];
    for (const secret of [...pins, ...pins.map((p) => toHex(new TextEncoder().encode(p))), token, ...bridge.codes.map((c) => c.replace(' ', ''))]) {
      expect(text.toLowerCase()).not.toContain(secret.toLowerCase());
    }
    // No APDU in hex: not the JPKI SELECT, not a status word pair followed by data.
    expect(text).not.toMatch(/00a4/i);
    expect(text).not.toMatch(/[0-9a-f]{8,}/i);
  });
});
