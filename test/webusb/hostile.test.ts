/**
 * Hostile or broken USB readers (issue 13 §2): a reader that never stops answering "not yet"
 * (time extensions, zero-length transfers, S(WTX)), a card that chains empty I-blocks forever,
 * and a reader that announces a 2 GiB message. Each must end in a typed error within the
 * exchange deadline, with what the host buffers bounded. Every test has its own vitest
 * timeout: a host without the bounds would keep waiting, and the test fails instead of hanging.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
import { InvalidArgumentError, TimeoutError, TransportError } from '../../src/errors.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import { CcidError, T1_DEFAULT_MAX_WTX, WebUsbCcidTransport, type WebUsbCcidOptions } from '../../src/webusb/index.js';
import { MAX_EMPTY_TRANSFERS, MAX_TIME_EXTENSIONS } from '../../src/webusb/link.js';
import { SimReader, type SimHostile, type SimReaderOptions } from './sim-reader.js';

const SELECT_JPKI = fromHex('00a4040c0ad392f000260100000001');
/** Per-test vitest timeout: far above the 200–300 ms deadlines used here. */
const TEST_TIMEOUT = { timeout: 10_000 };

const sims: SimReader[] = [];
afterEach(() => {
  // A host that did not stop (the code before the fix) must not keep the stream running.
  for (const sim of sims.splice(0)) sim.disconnect();
});

async function hostile(mode: SimHostile, reader: SimReaderOptions, options: WebUsbCcidOptions = {}) {
  const vc = await VirtualMyNumberCard.create();
  const sim = new SimReader(vc, reader);
  sims.push(sim);
  const transport = await WebUsbCcidTransport.open(sim, { exchangeTimeoutMs: 300, ...options });
  sim.hostile = mode; // after opening: the IFSD negotiation at TPDU level is honest
  return { sim, transport };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('endless time extensions', () => {
  it('answered at once: ccid-protocol after the cap, the transport broken; reconnect recovers', TEST_TIMEOUT, async () => {
    const { sim, transport } = await hostile('time-extensions', { level: 'short-apdu' });
    const error = await rejection(transport.transmit(SELECT_JPKI));
    expect(error).toBeInstanceOf(CcidError);
    expect((error as CcidError).code).toBe('ccid-protocol');
    expect(error.message).toBe(`The reader sent more than ${MAX_TIME_EXTENSIONS} time extensions in one exchange`);
    expect(sim.hostileAnswers).toBe(MAX_TIME_EXTENSIONS + 1);
    expect(transport.timeExtensions).toBe(MAX_TIME_EXTENSIONS + 1);
    expect(transport.broken).toBe(true);
    expect(((await rejection(transport.transmit(SELECT_JPKI))) as TransportError).code).toBe('transport-broken');
    sim.stopHostile();
    await transport.reconnect();
    expect(toHex(await transport.transmit(SELECT_JPKI))).toBe('9000');
    await transport.close();
  });

  it('paced (2 ms each): TimeoutError at the exchange deadline, before the cap', TEST_TIMEOUT, async () => {
    const { sim, transport } = await hostile('time-extensions', { level: 'tpdu' }, { exchangeTimeoutMs: 200 });
    sim.hostileDelayMs = 2; // 1024 extensions would take ≥ 2 s: only the deadline can end this
    const error = await rejection(transport.transmit(SELECT_JPKI));
    expect(error).toBeInstanceOf(TimeoutError);
    expect((error as TimeoutError).code).toBe('timeout');
    expect(error.message).toBe('The exchange with the USB reader did not finish within 200 ms');
    expect(sim.hostileAnswers).toBeLessThan(MAX_TIME_EXTENSIONS);
    expect(transport.broken).toBe(true);
    await transport.close();
  });
});

describe('endless zero-length transfers', () => {
  it(`answered at once: ccid-protocol after ${MAX_EMPTY_TRANSFERS} in a row`, TEST_TIMEOUT, async () => {
    const { sim, transport } = await hostile('zlp', { level: 'extended-apdu' });
    const error = await rejection(transport.transmit(SELECT_JPKI));
    expect(error).toBeInstanceOf(CcidError);
    expect((error as CcidError).code).toBe('ccid-protocol');
    expect(error.message).toBe(`The reader sent ${MAX_EMPTY_TRANSFERS} zero-length bulk-IN transfers in a row`);
    expect(sim.hostileAnswers).toBe(MAX_EMPTY_TRANSFERS);
    expect(transport.broken).toBe(true);
    await transport.close();
  });

  it('paced (40 ms each): TimeoutError at the exchange deadline', TEST_TIMEOUT, async () => {
    const { sim, transport } = await hostile('zlp', { level: 'short-apdu' }, { exchangeTimeoutMs: 200 });
    sim.hostileDelayMs = 40; // 16 ZLPs would take ≥ 640 ms
    const error = await rejection(transport.transmit(SELECT_JPKI));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(sim.hostileAnswers).toBeLessThan(MAX_EMPTY_TRANSFERS);
    await transport.close();
  });
});

describe('what an honest reader does is still accepted', () => {
  it(`${MAX_EMPTY_TRANSFERS - 1} zero-length transfers before each answer, and messages split over 16-byte transfers`, TEST_TIMEOUT, async () => {
    const vc = await VirtualMyNumberCard.create();
    const sim = new SimReader(vc, { level: 'tpdu', emptyTransfers: MAX_EMPTY_TRANSFERS - 1, maxTransfer: 16, timeExtensions: 2 });
    sims.push(sim);
    const transport = await WebUsbCcidTransport.open(sim, { exchangeTimeoutMs: 5_000 });
    expect(toHex(await transport.transmit(SELECT_JPKI))).toBe('9000');
    const certificate = await transport.transmit(fromHex('00b08a00000000'));
    expect(toHex(certificate.subarray(0, vc.certificates.auth.length))).toBe(toHex(vc.certificates.auth));
    await transport.close();
  });
});

describe('endless S(WTX requests)', () => {
  it(`answered at once: t1-protocol after ${T1_DEFAULT_MAX_WTX}; the next command resynchronises`, TEST_TIMEOUT, async () => {
    const { sim, transport } = await hostile('wtx', { level: 'tpdu' });
    const error = await rejection(transport.transmit(SELECT_JPKI));
    expect(error).toBeInstanceOf(CcidError);
    expect((error as CcidError).code).toBe('t1-protocol');
    expect(error.message).toBe(`T=1: more than ${T1_DEFAULT_MAX_WTX} S(WTX) requests in one exchange`);
    expect(sim.hostileAnswers).toBe(T1_DEFAULT_MAX_WTX + 1);
    // Each S(WTX response) echoed multiplier 1 and asked the reader for 1 × BWT (bBWI).
    expect(sim.xfrBwis.slice(-3)).toEqual([1, 1, 1]);
    expect(toHex(sim.sent.at(-1)!.subarray(10))).toBe('00e30101e3');
    expect(transport.broken).toBe(false);
    sim.stopHostile();
    expect(toHex(await transport.transmit(SELECT_JPKI))).toBe('9000');
    expect(sim.t1Card.resynchs).toBe(1);
    await transport.close();
  });

  it('paced (2 ms each): TimeoutError at the exchange deadline', TEST_TIMEOUT, async () => {
    const { sim, transport } = await hostile('wtx', { level: 'tpdu' }, { exchangeTimeoutMs: 200 });
    sim.hostileDelayMs = 2;
    const error = await rejection(transport.transmit(SELECT_JPKI));
    expect(error).toBeInstanceOf(TimeoutError);
    expect(sim.hostileAnswers).toBeLessThan(T1_DEFAULT_MAX_WTX);
    expect(transport.broken).toBe(true);
    await transport.close();
  });
});

describe('endless empty chained I-blocks (M=1, LEN=0)', () => {
  it('refused at the first one: t1-protocol, nothing buffered; the next command resynchronises', TEST_TIMEOUT, async () => {
    const { sim, transport } = await hostile('empty-chain', { level: 'tpdu' });
    const error = await rejection(transport.transmit(SELECT_JPKI));
    expect(error).toBeInstanceOf(CcidError);
    expect((error as CcidError).code).toBe('t1-protocol');
    expect(error.message).toBe('T=1: empty chained I-block (M=1, LEN=0)');
    expect(sim.hostileAnswers).toBe(1);
    expect(toHex(sim.answered.at(-1)!.subarray(10))).toBe('00200020'); // I(0, M=1), LEN 0
    sim.stopHostile();
    expect(toHex(await transport.transmit(SELECT_JPKI))).toBe('9000');
    expect(sim.t1Card.resynchs).toBe(1);
    await transport.close();
  });
});

describe('a message announcing about 2 GiB', () => {
  it('dwMaxCCIDMessageLength FFFFFFF0h is clamped; the header is refused before its data is buffered', TEST_TIMEOUT, async () => {
    const { sim, transport } = await hostile('huge-message', { level: 'extended-apdu', maxMessageLength: 0xffff_fff0 });
    expect(transport.descriptor.maxMessageLength).toBe(0xffff_fff0);
    const error = await rejection(transport.transmit(SELECT_JPKI));
    expect(error).toBeInstanceOf(CcidError);
    expect((error as CcidError).code).toBe('ccid-protocol');
    expect(error.message).toBe('RDR_to_PC message announces 2147483632 data bytes (at most 65538 expected)');
    // One transfer read (header + 64 KiB), never more; each transfer asked for ≤ 65544 bytes (in 64-byte packets).
    expect(sim.hostileAnswers).toBe(1);
    expect(sim.hostileBytes).toBe(10 + 0x10000);
    expect(sim.maxBulkInRequest).toBe(65600);
    expect(transport.broken).toBe(true);
    await transport.close();
  });

  it('a response longer than the APDU allows: 259 data bytes at short APDU level and for a T=1 block', TEST_TIMEOUT, async () => {
    for (const level of ['short-apdu', 'tpdu'] as const) {
      const { sim, transport } = await hostile('huge-message', { level, hugeLength: 259, hugeChunk: 16 });
      const error = await rejection(transport.transmit(SELECT_JPKI));
      expect((error as CcidError).code).toBe('ccid-protocol');
      expect(error.message).toBe('RDR_to_PC message announces 259 data bytes (at most 258 expected)');
      expect(sim.hostileBytes).toBe(10 + 16);
      await transport.close();
    }
  });
});

describe('exchangeTimeoutMs', () => {
  it('must be positive', async () => {
    const vc = await VirtualMyNumberCard.create();
    for (const exchangeTimeoutMs of [0, -1, Number.NaN]) {
      const sim = new SimReader(vc, { level: 'short-apdu' });
      await expect(WebUsbCcidTransport.open(sim, { exchangeTimeoutMs })).rejects.toBeInstanceOf(InvalidArgumentError);
    }
  });

  it('a slow but finite exchange within the deadline succeeds (time extensions spread over it)', TEST_TIMEOUT, async () => {
    const vc = await VirtualMyNumberCard.create();
    const sim = new SimReader(vc, { level: 'short-apdu', timeExtensions: 20 });
    const transport = await WebUsbCcidTransport.open(sim, { exchangeTimeoutMs: 5_000 });
    expect(toHex(await transport.transmit(SELECT_JPKI))).toBe('9000');
    expect(transport.timeExtensions).toBe(20);
    await transport.close();
  });
});
