/**
 * Configuration descriptor / CCID class descriptor parsing (vectors in
 * test/vectors/ccid/descriptors.json) and ATR parsing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
import {
  CcidError,
  activeFindexDindex,
  defaultProtocol,
  exchangeLevelOf,
  findCcidInterface,
  parseAtr,
  parseCcidClassDescriptor,
  parseConfigurationDescriptor,
} from '../../src/webusb/index.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import { SimReader } from './sim-reader.js';
import { ccidVectors, type DescriptorVectors } from './vectors.js';

const vectors = ccidVectors<DescriptorVectors>('descriptors');

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof CcidError ? error.code : `not a CcidError: ${String(error)}`;
  }
  return undefined;
}

describe('configuration descriptors (vectors)', () => {
  for (const v of vectors.configurations) {
    it(v.name, () => {
      const configuration = parseConfigurationDescriptor(fromHex(v.hex));
      expect(configuration.configurationValue).toBe(v.configurationValue);
      const ccid = findCcidInterface(configuration);
      expect(ccid.descriptor).toEqual(v.ccid);
      expect(exchangeLevelOf(ccid.descriptor.features)).toBe(v.exchangeLevel);
      expect(ccid.interface.interfaceNumber).toBe(v.interfaceNumber);
      expect(ccid.interface.interfaceClass).toBe(v.interfaceClass);
      const endpoint = (e: { address: number; number: number; packetSize: number } | undefined) =>
        e === undefined ? undefined : { address: e.address, number: e.number, packetSize: e.packetSize };
      expect({
        bulkOut: endpoint(ccid.bulkOut),
        bulkIn: endpoint(ccid.bulkIn),
        interrupt: endpoint(ccid.interrupt),
      }).toEqual(v.endpoints);
      expect(ccid.bulkIn.direction).toBe('in');
      expect(ccid.bulkOut.type).toBe('bulk');
      expect(ccid.interrupt?.type).toBe('interrupt');
    });
  }

  it('the simulated reader exposes the same layout (its own encoder agrees with the parser)', async () => {
    const sim = new SimReader(await VirtualMyNumberCard.create(), {
      level: 'tpdu',
      features: 0x000100ba,
      maxMessageLength: 271,
    });
    const sim2 = fromHex(vectors.configurations[0]!.hex);
    const ours = sim.configurationDescriptor;
    // Same interface/CCID/endpoint structure; the vector's clock/data-rate fields differ.
    const parsed = findCcidInterface(parseConfigurationDescriptor(ours));
    expect(parsed.descriptor.features).toBe(0x000100ba);
    expect(parsed.descriptor.maxMessageLength).toBe(271);
    expect(ours.length).toBe(sim2.length);
    expect(toHex(ours.subarray(0, 18))).toBe(toHex(sim2.subarray(0, 18)));
  });

  it('exchange level from dwFeatures bits 18–16', () => {
    expect(exchangeLevelOf(0x0001_0000)).toBe('tpdu');
    expect(exchangeLevelOf(0x0002_0000)).toBe('short-apdu');
    expect(exchangeLevelOf(0x0004_0000)).toBe('extended-apdu');
    expect(exchangeLevelOf(0x0000_04fe)).toBe('character');
  });

  it('a device without a CCID interface, or with one lacking bulk pipes, is not a reader', () => {
    // HID interface (class 03h) only.
    const hid = fromHex('0902120001010080320904000000030000 00'.replace(/ /g, ''));
    expect(codeOf(() => findCcidInterface(parseConfigurationDescriptor(hid)))).toBe('ccid-not-a-reader');
    // Class 0Bh without the class descriptor.
    const bare = fromHex('09021b0001010080320904000001 0b000000 07058102400000'.replace(/ /g, ''));
    expect(codeOf(() => findCcidInterface(parseConfigurationDescriptor(bare)))).toBe('ccid-not-a-reader');
    // CCID descriptor but only a bulk-IN endpoint.
    const v = fromHex(vectors.configurations[0]!.hex);
    const interfaceAndCcid = v.subarray(9, 9 + 9 + 54);
    const onlyIn = Uint8Array.from([
      0x09, 0x02, 9 + 63 + 7, 0x00, 0x01, 0x01, 0x00, 0x80, 0x32,
      ...interfaceAndCcid,
      0x07, 0x05, 0x81, 0x02, 0x40, 0x00, 0x00,
    ]);
    expect(codeOf(() => findCcidInterface(parseConfigurationDescriptor(onlyIn)))).toBe('ccid-not-a-reader');
  });

  it('truncated and malformed descriptors are ccid-not-a-reader errors', () => {
    const v = fromHex(vectors.configurations[0]!.hex);
    expect(codeOf(() => parseConfigurationDescriptor(v.subarray(0, 40)))).toBe('ccid-not-a-reader'); // wTotalLength > bytes
    expect(codeOf(() => parseConfigurationDescriptor(fromHex('0904000003')))).toBe('ccid-not-a-reader');
    const zeroLength = Uint8Array.from(v);
    zeroLength[9] = 0; // a descriptor of length 0
    expect(codeOf(() => parseConfigurationDescriptor(zeroLength))).toBe('ccid-not-a-reader');
    expect(codeOf(() => parseCcidClassDescriptor(v.subarray(18, 18 + 53)))).toBe('ccid-not-a-reader');
  });

  it('never throws anything but CcidError on random bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const code = codeOf(() => findCcidInterface(parseConfigurationDescriptor(bytes)));
        expect(code === undefined || code === 'ccid-not-a-reader').toBe(true);
      }),
    );
  });
});

describe('ATR', () => {
  it('the My Number Card ATR: T=1 only, TC1 FFh, IFSC FEh, BWI 4 / CWI 5, LRC, no historical bytes', () => {
    const info = parseAtr(fromHex('3be000ff8131fe4514'));
    expect(info).toEqual({
      convention: 'direct',
      protocols: [1],
      tc1: 0xff,
      ifsc: 0xfe,
      bwi: 4,
      cwi: 5,
      crc: false,
      waitingInteger: 10,
      historical: new Uint8Array(0),
    });
    expect(defaultProtocol(info)).toBe(1);
    expect(activeFindexDindex(info)).toBe(0x11);
  });

  it('TA1 in negotiable mode, T=1 parameters in TA3/TB3, 15 historical bytes and TCK', () => {
    // TS 3B, T0 9F (TA1, TD1; K = 15), TA1 95, TD1 81 (TD2; T=1), TD2 31 (TA3, TB3; T=1), TA3 FE, TB3 9F
    const info = parseAtr(fromHex('3b9f958131fe9f' + '006a01108a4a31444b4e434a2b6f00' + '2c'));
    expect(info.ta1).toBe(0x95);
    expect(info.protocols).toEqual([1]);
    expect(info.ifsc).toBe(0xfe);
    expect(info.bwi).toBe(9);
    expect(info.cwi).toBe(15);
    expect(info.historical).toHaveLength(15);
    expect(activeFindexDindex(info)).toBe(0x11); // negotiable mode without PPS: Fd/Dd
  });

  it('specific mode (TA2) uses TA1; bit 5 of TA2 asks for the defaults', () => {
    // T0 91 (TA1, TD1; K = 1), TA1 13, TD1 10 (TA2; T=0), TA2 01 (specific mode, T=1), one historical byte
    const specific = parseAtr(fromHex('3b9113100100'));
    expect(specific.specificProtocol).toBe(1);
    expect(activeFindexDindex(specific)).toBe(0x13);
    expect(defaultProtocol(specific)).toBe(1);
    const implicit = parseAtr(fromHex('3b9113101100'));
    expect(implicit.specificUsesDefaults).toBe(true);
    expect(activeFindexDindex(implicit)).toBe(0x11);
  });

  it('no TD1: T=0 with the default WI; TC2 gives WI; CRC from TC3', () => {
    expect(parseAtr(fromHex('3b00'))).toMatchObject({ protocols: [0], waitingInteger: 10, ifsc: 32, bwi: 4, cwi: 13 });
    // TD1 = 40h → TC2 present, T=0; TC2 = 20h
    expect(parseAtr(fromHex('3b804020')).waitingInteger).toBe(0x20);
    // TD1 = 81h (T=1), TD2 = 41h (TC3, T=1): TC3 = 01h → CRC
    expect(parseAtr(fromHex('3b80814101')).crc).toBe(true);
    // Inverse convention.
    expect(parseAtr(fromHex('3f00')).convention).toBe('inverse');
  });

  it('malformed ATRs are ccid-bad-atr; random bytes never throw anything else (property)', () => {
    expect(codeOf(() => parseAtr(fromHex('3a00')))).toBe('ccid-bad-atr');
    expect(codeOf(() => parseAtr(fromHex('3b')))).toBe('ccid-bad-atr');
    expect(codeOf(() => parseAtr(fromHex('3bf0')))).toBe('ccid-bad-atr');
    expect(codeOf(() => parseAtr(fromHex('3b05')))).toBe('ccid-bad-atr');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (bytes) => {
        const code = codeOf(() => parseAtr(bytes));
        expect(code === undefined || code === 'ccid-bad-atr').toBe(true);
      }),
    );
  });
});
