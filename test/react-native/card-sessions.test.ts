/**
 * Every card-session flow (test/shared/card-flows.ts) over `NfcManagerTransport` and a fake
 * react-native-nfc-manager whose IsoDep link is the virtual card, on Android (short APDUs only:
 * getMaxTransceiveLength 261; and extended length: 65279) and on iOS (SW1/SW2 handed over
 * apart from the data). Each flow also runs straight against an identical virtual card: the
 * card must see exactly the same APDUs and the flow give the same result, and the NFC session
 * must be ended exactly once.
 */
import { describe, expect, it } from 'vitest';
import type { MyNumberCardOptions } from '../../src/aps/card.js';
import { toHex } from '../../src/bytes.js';
import { withNfcCard } from '../../src/react-native/index.js';
import { VirtualMyNumberCard, type VirtualCardOptions } from '../../src/testing/index.js';
import { CARD_FLOWS, runFlowDirect, type Flow, type FlowRun } from '../shared/card-flows.js';
import { FakeNfcError, FakeNfcManager, type FakeNfcOptions } from './fake-nfc-manager.js';

interface Setup {
  readonly name: string;
  readonly fake: Omit<FakeNfcOptions, 'card'>;
  /** What the transport must state. */
  readonly hints: { extendedLength: boolean | undefined; maxResponseLength: number | undefined };
  /** extendedLength of the direct reference run that makes the same APDU choices. */
  readonly reference: MyNumberCardOptions['extendedLength'];
}

const SETUPS: readonly Setup[] = [
  {
    name: 'Android, getMaxTransceiveLength 261 (short APDUs)',
    fake: { platform: 'android', maxTransceiveLength: 261 },
    hints: { extendedLength: false, maxResponseLength: 258 },
    reference: false,
  },
  {
    name: 'Android, getMaxTransceiveLength 65279 (extended length detected)',
    fake: { platform: 'android', maxTransceiveLength: 65279 },
    hints: { extendedLength: undefined, maxResponseLength: undefined },
    reference: 'auto',
  },
  {
    name: 'iOS, sendCommandAPDUIOS (data, SW1, SW2 apart)',
    fake: { platform: 'ios' },
    hints: { extendedLength: undefined, maxResponseLength: undefined },
    reference: 'auto',
  },
];

async function runNfc(flow: Flow, cardOptions: VirtualCardOptions, setup: Setup): Promise<FlowRun & { fake: FakeNfcManager }> {
  const vc = await VirtualMyNumberCard.create(cardOptions);
  const fake = new FakeNfcManager({ ...setup.fake, card: vc });
  const value = await withNfcCard(
    async (card, nfc) => {
      expect({ extendedLength: nfc.extendedLength, maxResponseLength: nfc.maxResponseLength }).toEqual(setup.hints);
      return flow(card, vc);
    },
    { nfcManager: fake, platform: setup.fake.platform, nfcErrors: FakeNfcError },
  );
  expect(fake.sessionActive).toBe(false);
  expect(fake.calls.filter((c) => c === 'cancelTechnologyRequest')).toHaveLength(1);
  expect(fake.calls.at(-1)).toBe('cancelTechnologyRequest');
  // Every command went over the NFC call of the platform, none around it.
  expect(fake.commands).toEqual(vc.log.map((e) => toHex(e.command)));
  return { value, commands: vc.log.map((e) => toHex(e.command)), vc, fake };
}

for (const setup of SETUPS) {
  describe(`card sessions over NfcManagerTransport — ${setup.name}`, () => {
    for (const flow of CARD_FLOWS) {
      it(flow.name, async () => {
        const cardOptions = flow.cardOptions ?? {};
        const nfc = await runNfc(flow.run, cardOptions, setup);
        const direct = await runFlowDirect(flow.run, cardOptions, setup.reference);
        expect(nfc.commands).toEqual(direct.commands);
        expect(nfc.value).toEqual(direct.value);
        flow.check(nfc);
        if (setup.fake.platform === 'android') {
          // IsoDep timeout set once at the start, raised around each signature only.
          const timeouts = nfc.fake.calls.filter((c) => c.startsWith('setTimeout'));
          const signatures = nfc.commands.filter((c) => c.startsWith('802a')).length;
          expect(timeouts).toEqual(['setTimeout 3000', ...Array.from({ length: signatures }, () => ['setTimeout 15000', 'setTimeout 3000']).flat()]);
        } else {
          expect(nfc.fake.calls.some((c) => c.startsWith('setTimeout'))).toBe(false);
        }
      });
    }
  });
}
