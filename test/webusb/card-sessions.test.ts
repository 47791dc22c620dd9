/**
 * Every card-session flow (connect, the four certificates, PIN status, verify + sign,
 * attributes, My Number, face, change PIN, wrong PIN, the common AP) over
 * `WebUsbCcidTransport` and the simulated CCID reader, at short APDU, extended APDU (chained
 * and unchained) and T=1 TPDU level, plus a noisy T=1 reader. Each flow also runs straight
 * against an identical virtual card: the card must see exactly the same APDUs and give the
 * same results, i.e. the USB CCID path is transparent. The flows are shared with the other
 * transports (test/shared/card-flows.ts).
 */
import { describe, expect, it } from 'vitest';
import { MyNumberCard, type MyNumberCardOptions } from '../../src/aps/card.js';
import { toHex } from '../../src/bytes.js';
import { VirtualMyNumberCard, type VirtualCardOptions } from '../../src/testing/index.js';
import type { Transport } from '../../src/transport/transport.js';
import { WebUsbCcidTransport, lrc } from '../../src/webusb/index.js';
import { CARD_FLOWS, runFlowDirect, type Flow, type FlowRun } from '../shared/card-flows.js';
import { SimReader, type SimReaderOptions } from './sim-reader.js';

interface Setup {
  readonly name: string;
  readonly reader: SimReaderOptions;
  /** What the transport must report. */
  readonly expect: { level: string; extendedLength: boolean | undefined; protocol: string | undefined };
  /** connect option of the direct reference run that makes the same APDU choices. */
  readonly reference: MyNumberCardOptions['extendedLength'];
  /** The reader injects faults: check they happened. */
  readonly noisy?: boolean;
}

const SETUPS: readonly Setup[] = [
  {
    name: 'short APDU level',
    reader: { level: 'short-apdu' },
    expect: { level: 'short-apdu', extendedLength: false, protocol: undefined },
    reference: false,
  },
  {
    name: 'extended APDU level, dwMaxCCIDMessageLength 271 (chained parts)',
    reader: { level: 'extended-apdu', maxMessageLength: 271 },
    expect: { level: 'extended-apdu', extendedLength: true, protocol: undefined },
    reference: true,
  },
  {
    name: 'extended APDU level, dwMaxCCIDMessageLength 65544',
    reader: { level: 'extended-apdu', maxMessageLength: 65544 },
    expect: { level: 'extended-apdu', extendedLength: true, protocol: undefined },
    reference: true,
  },
  {
    name: 'TPDU level, T=1',
    reader: { level: 'tpdu' },
    expect: { level: 'tpdu', extendedLength: undefined, protocol: 'T=1' },
    reference: 'auto',
  },
  {
    name: 'TPDU level, T=1, noisy reader (time extensions, WTX, bad LRCs, mute, split transfers)',
    reader: {
      level: 'tpdu',
      timeExtensions: 2,
      wtxRequests: 4,
      corruptCardBlocks: [3, 11, 40],
      corruptHostBlocks: [7, 25],
      muteBlocks: [15],
      maxTransfer: 64,
      latencyMs: 1,
    },
    expect: { level: 'tpdu', extendedLength: undefined, protocol: 'T=1' },
    reference: 'auto',
    noisy: true,
  },
];

async function runUsb(
  flow: Flow,
  cardOptions: VirtualCardOptions,
  setup: Setup,
): Promise<FlowRun & { sim: SimReader; timeExtensions: number }> {
  const vc = await VirtualMyNumberCard.create(cardOptions);
  const sim = new SimReader(vc, setup.reader);
  const transport = await WebUsbCcidTransport.open(sim);
  expect({
    level: transport.exchangeLevel,
    extendedLength: transport.extendedLength,
    protocol: transport.protocol,
  }).toEqual(setup.expect);
  expect(toHex(transport.atr)).toBe('3be000ff8131fe4514');
  const card = await MyNumberCard.connect(transport as Transport, { closeTransport: true });
  const value = await flow(card, vc);
  await card.close();
  expect(transport.closed).toBe(true);
  expect(sim.claimed.size).toBe(0);
  // The last bulk message is IccPowerOff.
  expect(sim.sent.at(-1)![0]).toBe(0x63);
  return { value, commands: vc.log.map((e) => toHex(e.command)), vc, sim, timeExtensions: transport.timeExtensions };
}

/** Run over USB and directly; the card must see the same APDUs; return the USB run. */
async function both(
  setup: Setup,
  flow: Flow,
  cardOptions: VirtualCardOptions = {},
): Promise<FlowRun & { sim: SimReader; timeExtensions: number }> {
  const usb = await runUsb(flow, cardOptions, setup);
  const direct = await runFlowDirect(flow, cardOptions, setup.reference);
  expect(usb.commands).toEqual(direct.commands);
  expect(usb.value).toEqual(direct.value);
  return usb;
}

for (const setup of SETUPS) {
  describe(`card sessions over WebUsbCcidTransport — ${setup.name}`, () => {
    for (const flow of CARD_FLOWS) {
      it(flow.name, async () => {
        const run = await both(setup, flow.run, flow.cardOptions);
        flow.check(run);
        if (flow.id === 'certificates' && setup.noisy === true) {
          const sim = run.sim;
          // Every injected fault happened and was recovered from.
          expect(sim.t1Card.badBlocks).toBe(2); // host blocks 7 and 25 reached the card corrupted
          expect(sim.t1Card.wtxSent).toBe(4);
          // Each S(WTX request) (PCB C3) got an S(WTX response) (E3 02) in an XfrBlock with bBWI 2.
          const wtxRequests = sim.answered.filter(
            (m) => m[0] === 0x80 && m[11] === 0xc3 && lrc(m.subarray(10, m.length - 1)) === m[m.length - 1],
          ).length;
          const wtxResponses = sim.sent.filter((m) => m[0] === 0x6f && m[11] === 0xe3);
          expect(wtxRequests).toBeGreaterThanOrEqual(4);
          expect(wtxResponses).toHaveLength(wtxRequests);
          expect(wtxResponses.map((m) => [m[7], m[13]])).toEqual(wtxResponses.map(() => [2, 2]));
          expect(sim.xfrBwis.filter((b) => b !== 0)).toHaveLength(wtxRequests);
          expect(run.timeExtensions).toBe(2 * sim.xfrBwis.length);
          // R-blocks asking again: EDC error (3 bad LRCs) and other error (1 mute), N(R) either way.
          const nacks = sim.sent
            .filter((m) => m[0] === 0x6f && m.length === 14)
            .map((m) => m[11]! & 0xef)
            .filter((pcb) => pcb === 0x81 || pcb === 0x82);
          expect(nacks.sort()).toEqual([0x81, 0x81, 0x81, 0x82]);
        }
      });
    }
  });
}
