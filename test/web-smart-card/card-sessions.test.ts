/**
 * Every card-session flow (test/shared/card-flows.ts) over `WebSmartCardTransport` and the
 * fake `navigator.smartCard` whose reader holds the virtual card, with extended length left to
 * the APDU channel and with the hint `extendedLength: false`. Each flow also runs straight
 * against an identical virtual card used as a shared reader: the card must see exactly the same
 * APDUs and the flow give the same result; every operation ran in a transaction that left the
 * card as it was.
 */
import { describe, expect, it } from 'vitest';
import type { MyNumberCardOptions } from '../../src/aps/card.js';
import { MyNumberCard } from '../../src/aps/card.js';
import { toHex } from '../../src/bytes.js';
import { FakeSmartCard, VirtualMyNumberCard, type VirtualCardOptions } from '../../src/testing/index.js';
import { waitForCard } from '../../src/web-smart-card/index.js';
import type { Transport } from '../../src/transport/transport.js';
import { CARD_FLOWS, type Flow, type FlowRun } from '../shared/card-flows.js';

const READER = 'Virtual Reader 00 00';

interface Setup {
  readonly name: string;
  readonly extendedLength: boolean | undefined;
  readonly reference: MyNumberCardOptions['extendedLength'];
}

const SETUPS: readonly Setup[] = [
  { name: 'extended length decided by the APDU channel', extendedLength: undefined, reference: 'auto' },
  { name: 'extendedLength: false (a reader known to refuse extended APDUs)', extendedLength: false, reference: false },
];

async function runWeb(flow: Flow, cardOptions: VirtualCardOptions, setup: Setup): Promise<FlowRun> {
  const vc = await VirtualMyNumberCard.create(cardOptions);
  const smartCard = new FakeSmartCard();
  smartCard.addReader(READER, vc);
  const transport = await waitForCard({ smartCard, extendedLength: setup.extendedLength });
  expect({ reader: transport.reader, protocol: transport.protocol, atr: toHex(transport.atr) }).toEqual({
    reader: READER,
    protocol: 'T=1',
    atr: '3be000ff8131fe4514',
  });
  expect(transport.extendedLength).toBe(setup.extendedLength);
  const card = await MyNumberCard.connect(transport, { closeTransport: true });
  const value = await flow(card, vc);
  await card.close();
  expect(transport.closed).toBe(true);
  expect(smartCard.connections(READER)).toBe(0);
  // One transaction per operation, each ended with 'leave' (the API's default would be 'reset').
  expect(smartCard.transactions.length).toBe(smartCard.calls('startTransaction'));
  expect(smartCard.transactions.length).toBeGreaterThan(0);
  expect(new Set(smartCard.transactions.map((t) => `${t.reader} ${t.disposition}`))).toEqual(new Set([`${READER} leave`]));
  // Every command went through the API's transmit.
  expect(smartCard.calls('transmit')).toBe(vc.log.length);
  return { value, commands: vc.log.map((e) => toHex(e.command)), vc };
}

/**
 * The reference run: straight against an identical virtual card, as a shared reader (a
 * transport with `withTransaction`, so the session re-selects its AP at each operation as it
 * does over any shared transport), with the same extended-length choice.
 */
async function runShared(flow: Flow, cardOptions: VirtualCardOptions, setup: Setup): Promise<FlowRun> {
  const vc = await VirtualMyNumberCard.create(cardOptions);
  const shared: Transport = {
    transmit: (command) => vc.transmit(command),
    withTransaction: (fn) => fn(),
  };
  const card = await MyNumberCard.connect(shared, { extendedLength: setup.reference });
  const value = await flow(card, vc);
  await card.close();
  return { value, commands: vc.log.map((e) => toHex(e.command)), vc };
}

for (const setup of SETUPS) {
  describe(`card sessions over WebSmartCardTransport — ${setup.name}`, () => {
    for (const flow of CARD_FLOWS) {
      it(flow.name, async () => {
        const cardOptions = flow.cardOptions ?? {};
        const web = await runWeb(flow.run, cardOptions, setup);
        const direct = await runShared(flow.run, cardOptions, setup);
        expect(web.commands).toEqual(direct.commands);
        expect(web.value).toEqual(direct.value);
        flow.check(web);
      });
    }
  });
}
