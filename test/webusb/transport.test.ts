/**
 * WebUsbCcidTransport behaviour against the simulated reader: opening (descriptor, claim,
 * slot status, voltage classes, parameters), exact CCID bytes, chaining at extended APDU level,
 * time extensions, timeouts and aborts, card removal, "command not supported", T=0 and T=1
 * TPDU specifics, USB disconnection and closing.
 */
import { describe, expect, it } from 'vitest';
import { ExtendedLengthUnsupportedError } from '../../src/apdu/errors.js';
import { MyNumberCard } from '../../src/aps/card.js';
import { fromHex, toHex } from '../../src/bytes.js';
import {
  AbortedError,
  CardRemovedError,
  InvalidArgumentError,
  ReaderUnavailableError,
  TimeoutError,
  TransportError,
} from '../../src/errors.js';
import { VirtualMyNumberCard, type VirtualCardOptions } from '../../src/testing/index.js';
import { CcidError, WebUsbCcidTransport, t0Tpdu, type WebUsbCcidOptions } from '../../src/webusb/index.js';
import { SIM_FEATURE, SimReader, type SimReaderOptions } from './sim-reader.js';

const SELECT_JPKI = '00a4040c0ad392f000260100000001';
const ATR = '3be000ff8131fe4514';

async function setup(reader: SimReaderOptions, options: WebUsbCcidOptions = {}, card: VirtualCardOptions = {}) {
  const vc = await VirtualMyNumberCard.create(card);
  const sim = new SimReader(vc, reader);
  const transport = await WebUsbCcidTransport.open(sim, options);
  return { vc, sim, transport };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

const hexes = (messages: Uint8Array[]) => messages.map((m) => toHex(m));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('open', () => {
  it('TPDU reader: GET_DESCRIPTOR, claim, slot status, power-on from 1.8 V, SetParameters, IFSD — exact bytes', async () => {
    const { sim, transport } = await setup({ level: 'tpdu' });
    expect(sim.opened).toBe(true);
    expect(sim.controlLog).toEqual([
      { requestType: 'standard', recipient: 'device', request: 6, value: 0x0200, index: 0 },
      { requestType: 'standard', recipient: 'device', request: 6, value: 0x0200, index: 0 },
    ]);
    expect([...sim.claimed]).toEqual([0]);
    expect(hexes(sim.sent)).toEqual([
      '65000000000000000000', // GetSlotStatus
      '62000000000001030000', // IccPowerOn 1.8 V (lowest class first; no automatic voltage)
      '610700000000020100001110ff4500fe00', // SetParameters T=1 from the ATR
      '6f05000000000300000000c101fe3e', // XfrBlock S(IFS request 254)
    ]);
    expect(hexes(sim.answered)).toEqual([
      '81000000000000010000',
      `80090000000001000000${ATR}`,
      '820700000000020000011110ff4500fe00',
      '8005000000000300000000e101fe1e',
    ]);
    expect(toHex(transport.atr)).toBe(ATR);
    expect(transport.exchangeLevel).toBe('tpdu');
    expect(transport.protocol).toBe('T=1');
    expect(transport.t1).toEqual({ ifsc: 254, ifsd: 254 });
    expect(transport.extendedLength).toBeUndefined();
    expect(transport.maxResponseLength).toBe(65538);
    expect(transport.descriptor.maxMessageLength).toBe(271);
    expect(transport.interfaceNumber).toBe(0);
    // A T=1 exchange: I-block N(S)=0 with the SELECT, the card's I-block with 9000.
    expect(toHex(await transport.transmit(fromHex(SELECT_JPKI)))).toBe('9000');
    expect(toHex(sim.sent.at(-1)!)).toBe(`6f13000000000400000000000f${SELECT_JPKI}3e`);
    expect(toHex(sim.answered.at(-1)!)).toBe('80060000000004000000000002900092');
    await transport.close();
  });

  it('APDU readers: automatic voltage, no SetParameters, the hint follows the level', async () => {
    for (const [level, hint, maxResponse] of [
      ['short-apdu', false, 258],
      ['extended-apdu', true, 65538],
    ] as const) {
      const { sim, transport } = await setup({ level });
      expect(hexes(sim.sent)).toEqual(['65000000000000000000', '62000000000001000000']);
      expect(transport.extendedLength).toBe(hint);
      expect(transport.maxResponseLength).toBe(maxResponse);
      expect(transport.protocol).toBeUndefined();
      expect(toHex(await transport.transmit(fromHex(SELECT_JPKI)))).toBe('9000');
      expect(toHex(sim.sent.at(-1)!)).toBe(`6f0f0000000002000000${SELECT_JPKI}`);
      await transport.close();
    }
  });

  it('selects the configuration of an unconfigured device; keeps a device it did not open open', async () => {
    const { sim, transport } = await setup({ level: 'short-apdu', unconfigured: true, opened: true });
    expect(sim.configuration?.configurationValue).toBe(1);
    await transport.close();
    expect(sim.opened).toBe(true);
    expect(sim.claimed.size).toBe(0);
    expect(sim.sent.at(-1)![0]).toBe(0x63);
  });

  it('a vendor-specific interface (FFh) with the CCID descriptor after the endpoints works', async () => {
    const { transport } = await setup({ level: 'extended-apdu', interfaceClass: 0xff, descriptorAfterEndpoints: true });
    const card = await MyNumberCard.connect(transport, { closeTransport: true });
    expect(card.profile).toBe('card');
    await card.close();
  });

  it('not a reader: ccid-not-a-reader, and the device is closed again', async () => {
    const vc = await VirtualMyNumberCard.create();
    const sim = new SimReader(vc, { level: 'tpdu', interfaceClass: 0x03 });
    const error = await rejection(WebUsbCcidTransport.open(sim));
    expect(error).toBeInstanceOf(CcidError);
    expect((error as CcidError).code).toBe('ccid-not-a-reader');
    expect(sim.opened).toBe(false);
    expect(sim.claimed.size).toBe(0);
  });

  it('character-level readers are refused; a missing slot is an argument error', async () => {
    const vc = await VirtualMyNumberCard.create();
    const character = new SimReader(vc, { level: 'tpdu', features: SIM_FEATURE.autoVoltage });
    const e = await rejection(WebUsbCcidTransport.open(character));
    expect((e as CcidError).code).toBe('ccid-unsupported-reader');
    expect(character.claimed.size).toBe(0);
    const e2 = await rejection(WebUsbCcidTransport.open(new SimReader(vc, { level: 'tpdu' }), { slot: 1 }));
    expect(e2).toBeInstanceOf(InvalidArgumentError);
    await expect(WebUsbCcidTransport.open({} as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(
      WebUsbCcidTransport.open(new SimReader(vc, { level: 'tpdu' }), { responseTimeoutMs: 0 }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
  });

  it("Chromium's protected class (SecurityError on claimInterface) and a busy interface: ReaderUnavailableError", async () => {
    const vc = await VirtualMyNumberCard.create();
    const protectedClass = new SimReader(vc, { level: 'tpdu', claimError: 'SecurityError' });
    const e = await rejection(WebUsbCcidTransport.open(protectedClass));
    expect(e).toBeInstanceOf(ReaderUnavailableError);
    expect(e.message).toMatch(/protects the smart-card interface class/);
    expect((e.cause as DOMException).name).toBe('SecurityError');
    expect(protectedClass.opened).toBe(false);
    const busy = new SimReader(vc, { level: 'tpdu', claimError: 'NetworkError' });
    const e2 = await rejection(WebUsbCcidTransport.open(busy));
    expect(e2).toBeInstanceOf(ReaderUnavailableError);
    expect(e2.message).toBe('Could not claim the CCID interface (NetworkError)');
  });

  it('no card in the slot: CardRemovedError', async () => {
    const vc = await VirtualMyNumberCard.create();
    const sim = new SimReader(vc, { level: 'short-apdu' });
    sim.removeCard();
    const error = await rejection(WebUsbCcidTransport.open(sim));
    expect(error).toBeInstanceOf(CardRemovedError);
    expect(hexes(sim.sent)).toEqual(['65000000000000000000']);
    expect(sim.claimed.size).toBe(0);
  });

  it('voltage classes: a refused 1.8 V is followed by power-off and 3 V; an explicit voltage is used as is', async () => {
    const { sim, transport } = await setup({ level: 'tpdu', refuseVoltages: [3] });
    expect(sim.powerSelects).toEqual([3, 2]);
    expect(hexes(sim.sent).slice(1, 4)).toEqual(['62000000000001030000', '63000000000002000000', '62000000000003020000']);
    expect(transport.protocol).toBe('T=1');
    await transport.close();
    const fixed = await setup({ level: 'tpdu' }, { voltage: '5V' });
    expect(fixed.sim.powerSelects).toEqual([1]);
    await fixed.transport.close();
    const all = await setup({ level: 'tpdu', refuseVoltages: [1, 2, 3] }).catch((e: unknown) => e);
    expect((all as CcidError).code).toBe('ccid-class-not-supported');
  });

  it('"command not supported" for SetParameters and GetParameters: the transport carries on', async () => {
    const a = await setup({ level: 'tpdu', unsupported: [0x61] });
    expect(hexes(a.sim.answered)[2]).toBe('82000000000002400000'); // failed, bError 00h
    expect(toHex(await a.transport.transmit(fromHex(SELECT_JPKI)))).toBe('9000');
    await a.transport.close();
    // A self-configuring TPDU reader: GetParameters instead, unsupported → ATR values.
    const b = await setup({
      level: 'tpdu',
      features: SIM_FEATURE.tpdu | SIM_FEATURE.autoParametersFromAtr | SIM_FEATURE.autoVoltage,
      unsupported: [0x6c, 0x61],
    });
    expect(hexes(b.sim.sent).slice(1, 4)).toEqual([
      '62000000000001000000',
      '6c000000000002000000',
      '6f05000000000300000000c101fe3e',
    ]);
    expect(b.transport.t1).toEqual({ ifsc: 254, ifsd: 254 });
    expect(toHex(await b.transport.transmit(fromHex(SELECT_JPKI)))).toBe('9000');
    await b.transport.close();
    // Self-configuring and answering GetParameters: its IFSC is used; automatic IFSD exchange skips S(IFS).
    const c = await setup({
      level: 'tpdu',
      features: SIM_FEATURE.tpdu | SIM_FEATURE.autoNegotiation | SIM_FEATURE.autoIfsd,
    });
    expect(hexes(c.sim.sent).slice(2)).toEqual(['6c000000000002000000']);
    expect(c.transport.t1).toEqual({ ifsc: 254, ifsd: 32 });
    await c.transport.close();
  });

  it('an already aborted signal rejects before touching the device', async () => {
    const vc = await VirtualMyNumberCard.create();
    const sim = new SimReader(vc, { level: 'tpdu' });
    const controller = new AbortController();
    controller.abort();
    await expect(WebUsbCcidTransport.open(sim, { signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(sim.opened).toBe(false);
  });
});

describe('exchanges', () => {
  it('time extensions: the transport keeps reading until the real answer', async () => {
    const { sim, transport } = await setup({ level: 'short-apdu', timeExtensions: 3 });
    expect(toHex(await transport.transmit(fromHex(SELECT_JPKI)))).toBe('9000');
    expect(hexes(sim.answered).slice(-4)).toEqual([
      '80000000000002800100',
      '80000000000002800100',
      '80000000000002800100',
      '800200000000020000009000',
    ]);
    expect(transport.timeExtensions).toBe(3);
    await transport.close();
  });

  it('extended APDU level: command and response chaining with wLevelParameter / bChainParameter', async () => {
    const { vc, sim, transport } = await setup({ level: 'extended-apdu', maxMessageLength: 64 });
    // An extended READ BINARY of the 2048-byte auth certificate EF: response in 54-byte parts.
    await transport.transmit(fromHex(SELECT_JPKI));
    const response = await transport.transmit(fromHex('00b08a00000000'));
    expect(response.length).toBe(2048 + 2);
    expect(toHex(response.subarray(0, vc.certificates.auth.length))).toBe(toHex(vc.certificates.auth));
    const parts = Math.ceil(2050 / 54);
    const levels = sim.sent.slice(-parts).map((m) => m[8]! | (m[9]! << 8));
    expect(levels).toEqual([0, ...Array<number>(parts - 1).fill(0x10)]);
    const chains = sim.answered.slice(-parts).map((m) => m[9]);
    expect(chains).toEqual([1, ...Array<number>(parts - 2).fill(3), 2]);
    // A 120-byte command (extended Lc): parts 1, 3, 2 with "send more" (10h) answers in between.
    const long = fromHex(`80ca0000000070${'ab'.repeat(0x70)}0000`);
    const answer = await transport.transmit(long);
    expect(answer.length).toBeGreaterThanOrEqual(2);
    const sent = sim.sent.slice(-3);
    expect(sent.map((m) => m[8]! | (m[9]! << 8))).toEqual([1, 3, 2]);
    expect(sent.map((m) => m.length - 10)).toEqual([54, 54, long.length - 108]);
    expect(sim.answered.slice(-3, -1).map((m) => toHex(m.subarray(7)))).toEqual(['000010', '000010']);
    expect(toHex(vc.log.at(-1)!.command)).toBe(toHex(long));
    await transport.close();
  });

  it('short APDU level refuses extended APDUs without sending; too long for the reader is ccid-message-too-long', async () => {
    const { sim, transport } = await setup({ level: 'short-apdu', maxMessageLength: 64 });
    const before = sim.sent.length;
    await expect(transport.transmit(fromHex('00b08a00000000'))).rejects.toBeInstanceOf(ExtendedLengthUnsupportedError);
    const e = await rejection(transport.transmit(fromHex(`00d6000060${'00'.repeat(0x60)}`)));
    expect((e as CcidError).code).toBe('ccid-message-too-long');
    expect(sim.sent.length).toBe(before);
    await expect(transport.transmit(fromHex('00a4'))).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(transport.transmit('00a4' as never)).rejects.toBeInstanceOf(InvalidArgumentError);
    await transport.close();
  });

  it('bulk-IN messages split over several transfers are reassembled', async () => {
    const { transport, vc } = await setup({ level: 'extended-apdu', maxMessageLength: 65544, maxTransfer: 16 });
    await transport.transmit(fromHex(SELECT_JPKI));
    const r = await transport.transmit(fromHex('00b08a00000000'));
    expect(toHex(r.subarray(0, vc.certificates.auth.length))).toBe(toHex(vc.certificates.auth));
    await transport.close();
  });

  it('concurrent transmits are answered one at a time, in call order, with consecutive bSeq', async () => {
    const { sim, transport } = await setup({ level: 'tpdu', latencyMs: 2 });
    const [a, b, c] = await Promise.all([
      transport.transmit(fromHex(SELECT_JPKI)),
      transport.transmit(fromHex('00b0860020')),
      transport.transmit(fromHex('00200098')),
    ]);
    expect([toHex(a), toHex(b).slice(0, 30), toHex(c)]).toEqual(['9000', '4a504b494150494343544f4b454e32', '63c3']);
    const seqs = sim.sent.map((m) => m[6]);
    expect(seqs).toEqual(seqs.map((_, i) => i));
    await transport.close();
  });

  it('slotStatus reports the slot', async () => {
    const { sim, transport } = await setup({ level: 'short-apdu' });
    expect(await transport.slotStatus()).toBe('active');
    sim.removeCard();
    expect(await transport.slotStatus()).toBe('absent');
    expect(transport.cardPresent).toBe(false);
    await transport.close();
  });
});

describe('timeouts and aborts', () => {
  it('a slow card beyond responseTimeoutMs: TimeoutError, broken, then reconnect() aborts and recovers', async () => {
    const { sim, transport } = await setup({ level: 'tpdu' }, { responseTimeoutMs: 40 });
    sim.latencyMs = 150; // the card becomes slow after the IFSD negotiation
    const error = await rejection(transport.transmit(fromHex(SELECT_JPKI)));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(transport.broken).toBe(true);
    const next = await rejection(transport.transmit(fromHex(SELECT_JPKI)));
    expect(next).toBeInstanceOf(TransportError);
    expect((next as TransportError).code).toBe('transport-broken');
    await sleep(200); // the stale answer arrives meanwhile
    const abandonedSeq = sim.sent.at(-1)![6]!;
    sim.latencyMs = 0;
    const atr = await transport.reconnect();
    expect(toHex(atr)).toBe(ATR);
    expect(transport.broken).toBe(false);
    // Class request ABORT with wValue = bSeq << 8 | bSlot, then PC_to_RDR_Abort with the same bSeq.
    expect(sim.aborts).toEqual([abandonedSeq << 8]);
    const abortMessage = sim.sent.find((m) => m[0] === 0x72)!;
    expect(toHex(abortMessage)).toBe(`720000000000${abandonedSeq.toString(16).padStart(2, '0')}000000`);
    // The abandoned command's late answer was skipped by its bSeq.
    expect(sim.answered.filter((m) => m[6] === abandonedSeq).map((m) => m[0])).toEqual([0x80, 0x81]);
    expect(toHex(await transport.transmit(fromHex(SELECT_JPKI)))).toBe('9000');
    await transport.close();
  });

  it('an aborted transmit rejects with AbortedError and breaks the transport', async () => {
    const { transport } = await setup({ level: 'short-apdu', latencyMs: 400 });
    const controller = new AbortController();
    const pending = transport.transmit(fromHex(SELECT_JPKI), { signal: controller.signal });
    setTimeout(() => controller.abort(), 10);
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
    expect(transport.broken).toBe(true);
    await transport.close();
  });
});

describe('card removal', () => {
  it('interrupt "changed + absent" rejects the pending transmit and the next ones; reinsert + reconnect resumes', async () => {
    const slotChanges: boolean[] = [];
    const { sim, transport, vc } = await setup({ level: 'tpdu' }, { onSlotChange: (present) => slotChanges.push(present) });
    const card = await MyNumberCard.connect(transport);
    sim.latencyMs = 400;
    const pending = card.jpki.readCertificate('auth');
    setTimeout(() => sim.removeCard(), 20);
    await expect(pending).rejects.toBeInstanceOf(CardRemovedError);
    // Rejected at the interrupt notification, before the reader answered the XfrBlock in flight.
    const inFlight = sim.sent.at(-1)!;
    expect(inFlight[0]).toBe(0x6f);
    expect(sim.answered.some((m) => m[6] === inFlight[6])).toBe(false);
    sim.latencyMs = 0;
    expect(slotChanges).toEqual([false]);
    expect(transport.cardPresent).toBe(false);
    await expect(transport.transmit(fromHex(SELECT_JPKI))).rejects.toBeInstanceOf(CardRemovedError);
    sim.insertCard();
    await sleep(100);
    expect(slotChanges).toEqual([false, true]);
    expect(transport.cardPresent).toBe(true);
    await expect(transport.transmit(fromHex(SELECT_JPKI))).rejects.toBeInstanceOf(CardRemovedError);
    expect(toHex(await transport.reconnect())).toBe(ATR);
    expect(toHex(await card.jpki.readCertificate('auth'))).toBe(toHex(vc.certificates.auth));
    await card.close();
    await transport.close();
  });

  for (const level of ['short-apdu', 'tpdu'] as const) {
    it(`${level}: the card pulled during a command (removeAfterCommands) → CardRemovedError, even without an interrupt pipe`, async () => {
      const { transport } = await setup({ level, noInterrupt: true }, {}, { quirks: { removeAfterCommands: 2 } });
      const card = await MyNumberCard.connect(transport); // 2 commands
      await expect(card.jpki.remainingTries('auth')).rejects.toBeInstanceOf(CardRemovedError);
      await expect(transport.transmit(fromHex(SELECT_JPKI))).rejects.toBeInstanceOf(CardRemovedError);
      expect(transport.cardPresent).toBe(false);
      await transport.close();
    });
  }

  it('a card reset behind the transport (slot inactive) is reported as CardRemovedError', async () => {
    const { sim, transport } = await setup({ level: 'short-apdu', noInterrupt: true });
    sim.removeCard();
    sim.insertCard(); // present but not powered
    const error = await rejection(transport.transmit(fromHex(SELECT_JPKI)));
    expect(error).toBeInstanceOf(CardRemovedError);
    expect(error.message).toMatch(/reset or replaced/);
    await transport.reconnect();
    expect(toHex(await transport.transmit(fromHex(SELECT_JPKI)))).toBe('9000');
    await transport.close();
  });

  it('an interrupt HardwareError for the slot rejects the pending exchange', async () => {
    const { sim, transport } = await setup({ level: 'short-apdu', latencyMs: 400 });
    const pending = transport.transmit(fromHex(SELECT_JPKI));
    setTimeout(() => sim.notify(Uint8Array.of(0x51, 0x00, 0x02, 0x01)), 10);
    const error = await rejection(pending);
    expect((error as CcidError).code).toBe('ccid-hardware-error');
    expect((error as CcidError).bError).toBe(1);
    await transport.close();
  });
});

describe('T=1 and T=0 specifics', () => {
  it('S(IFS request) from the card changes IFSC: later blocks respect it', async () => {
    const { sim, transport } = await setup({ level: 'tpdu', cardIfsRequest: 16 });
    expect(toHex(await transport.transmit(fromHex(SELECT_JPKI)))).toBe('9000');
    expect(transport.t1).toEqual({ ifsc: 16, ifsd: 254 });
    expect(toHex(sim.sent.at(-1)!)).toBe('6f05000000000500000000e10110f0'); // S(IFS response 16)
    await transport.transmit(fromHex(`00d60000 20 ${'11'.repeat(32)}`.replace(/ /g, '')));
    const blocks = sim.sent.slice(-3).map((m) => m.subarray(10));
    expect(blocks.map((b) => b[2])).toEqual([16, 16, 5]);
    expect(blocks.map((b) => b[1]! & 0x20)).toEqual([0x20, 0x20, 0]);
    await transport.close();
  });

  it('a T=1 failure (retries exhausted) is a t1-protocol error; the next command resynchronises', async () => {
    const { sim, transport } = await setup({ level: 'tpdu', corruptCardBlocks: [1, 2, 3, 4] }, { t1Retries: 3 });
    const error = await rejection(transport.transmit(fromHex(SELECT_JPKI)));
    expect((error as CcidError).code).toBe('t1-protocol');
    expect(toHex(await transport.transmit(fromHex(SELECT_JPKI)))).toBe('9000');
    const after = hexes(sim.sent.slice(-3)).map((m) => m.slice(20));
    expect(after).toEqual(['00c000c0', '00c101fe3e', `00000f${SELECT_JPKI}3e`]);
    expect(sim.t1Card.resynchs).toBe(1);
    await transport.close();
  });

  it('T=0 card at TPDU level: T=0 parameters, TPDUs, GET RESPONSE by the channel, no extended length', async () => {
    const { sim, transport, vc } = await setup({ level: 'tpdu', atr: fromHex('3b00') }, {}, { quirks: { getResponse: true } });
    expect(transport.protocol).toBe('T=0');
    expect(transport.extendedLength).toBe(false);
    expect(transport.maxResponseLength).toBe(258);
    expect(toHex(sim.sent[2]!)).toBe('61050000000002000000110000' + '0a00');
    const card = await MyNumberCard.connect(transport);
    expect(toHex(await card.jpki.readCertificate('auth'))).toBe(toHex(vc.certificates.auth));
    expect(await card.jpki.remainingTries('auth')).toMatchObject({ state: 'tries', remaining: 3 });
    // Case 4 command → case 3 TPDU (Le dropped) on the wire.
    await transport.transmit(fromHex('00a4040c0ad392f00026010000000100'));
    expect(toHex(sim.sent.at(-1)!.subarray(10))).toBe(SELECT_JPKI);
    await card.close();
    await transport.close();
  });

  it('t0Tpdu: case 1 gets P3 = 00, case 4 loses Le, extended is refused', () => {
    expect(toHex(t0Tpdu(fromHex('00a40000')))).toBe('00a4000000');
    expect(toHex(t0Tpdu(fromHex('00b0000010')))).toBe('00b0000010');
    expect(toHex(t0Tpdu(fromHex('00a4040c02001700')))).toBe('00a4040c020017');
    expect(() => t0Tpdu(fromHex('00b00000000100'))).toThrow(ExtendedLengthUnsupportedError);
    expect(() => t0Tpdu(fromHex('00a4040c0500'))).toThrow(InvalidArgumentError);
  });
});

describe('USB failures and closing', () => {
  it('an unplugged reader: ReaderUnavailableError', async () => {
    const { sim, transport } = await setup({ level: 'short-apdu', latencyMs: 400 });
    const pending = transport.transmit(fromHex(SELECT_JPKI));
    setTimeout(() => sim.disconnect(), 10);
    await expect(pending).rejects.toBeInstanceOf(ReaderUnavailableError);
    await expect(transport.transmit(fromHex(SELECT_JPKI))).rejects.toMatchObject({ code: 'transport-broken' });
    await transport.close();
  });

  it('close(): IccPowerOff, release, close the device it opened; idempotent; later calls reject', async () => {
    const { sim, transport } = await setup({ level: 'tpdu' });
    await transport.close();
    await transport.close();
    expect(toHex(sim.sent.at(-1)!)).toBe('63000000000004000000');
    expect(sim.sent.filter((m) => m[0] === 0x63)).toHaveLength(1);
    expect(sim.claimed.size).toBe(0);
    expect(sim.opened).toBe(false);
    expect(transport.closed).toBe(true);
    const e = await rejection(transport.transmit(fromHex(SELECT_JPKI)));
    expect((e as TransportError).code).toBe('transport-closed');
    await expect(transport.reconnect()).rejects.toMatchObject({ code: 'transport-closed' });
  });

  it('await using closes the transport', async () => {
    const vc = await VirtualMyNumberCard.create();
    const sim = new SimReader(vc, { level: 'short-apdu' });
    {
      await using transport = await WebUsbCcidTransport.open(sim);
      expect(toHex(await transport.transmit(fromHex(SELECT_JPKI)))).toBe('9000');
    }
    expect(sim.opened).toBe(false);
  });
});
