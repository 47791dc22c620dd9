/**
 * CCID message encoding/decoding against test/vectors/ccid/messages.json (exact bytes), the bSeq
 * counter, the protocol data structures, and the mapping of reader status bytes to errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
import { CardRemovedError, MynacardError } from '../../src/errors.js';
import {
  CcidError,
  CcidSequence,
  abort,
  ccidFailure,
  decodeNotification,
  decodeProtocolParameters,
  decodeResponse,
  encodeCommand,
  encodeProtocolParameters,
  getParameters,
  getSlotStatus,
  iccPowerOff,
  iccPowerOn,
  setParameters,
  xfrBlock,
  type ProtocolParameters,
} from '../../src/webusb/index.js';
import { ccidVectors, type MessageVectors } from './vectors.js';

const vectors = ccidVectors<MessageVectors>('messages');

/** Encode a vector's fields with the dedicated builder of its message type. */
function build(fields: MessageVectors['commands'][number]['fields']): Uint8Array {
  const { type, slot, seq } = fields;
  switch (type) {
    case 0x65:
      return getSlotStatus(slot, seq);
    case 0x62:
      return iccPowerOn(slot, seq, fields.powerSelect);
    case 0x63:
      return iccPowerOff(slot, seq);
    case 0x6c:
      return getParameters(slot, seq);
    case 0x61:
      return setParameters(slot, seq, fields.parameters as unknown as ProtocolParameters);
    case 0x6f:
      return xfrBlock(slot, seq, fromHex(fields.data ?? ''), fields.bwi, fields.levelParameter);
    case 0x72:
      return abort(slot, seq);
    default:
      throw new Error(`no builder for ${type}`);
  }
}

describe('PC_to_RDR messages (vectors)', () => {
  for (const v of vectors.commands) {
    it(v.name, () => {
      expect(toHex(build(v.fields))).toBe(v.hex);
      // The generic encoder gives the same bytes from the header fields.
      const bytes = fromHex(v.hex);
      expect(
        toHex(
          encodeCommand({
            type: bytes[0]!,
            slot: bytes[5]!,
            seq: bytes[6]!,
            specific: [bytes[7]!, bytes[8]!, bytes[9]!],
            data: bytes.subarray(10),
          }),
        ),
      ).toBe(v.hex);
    });
  }

  it('dwLength is little-endian over four bytes', () => {
    const data = new Uint8Array(0x0102 + 3);
    const message = xfrBlock(0, 0, data);
    expect(toHex(message.subarray(0, 5))).toBe('6f05010000');
    expect(message).toHaveLength(10 + 0x0105);
  });
});

describe('RDR_to_PC messages (vectors)', () => {
  for (const v of vectors.answers) {
    it(v.name, () => {
      const decoded = decodeResponse(fromHex(v.hex));
      expect({ ...decoded, data: toHex(decoded.data) }).toEqual(v.decoded);
      if (v.parameters !== undefined) {
        expect(decodeProtocolParameters(decoded.specific, decoded.data)).toEqual(v.parameters);
        expect(toHex(encodeProtocolParameters(v.parameters as unknown as ProtocolParameters))).toBe(v.decoded.data);
      }
      if (v.outcome === 'ok') expect(decoded.commandStatus).toBe(0);
      else if (v.outcome === 'time-extension') expect(decoded.commandStatus).toBe(2);
      else {
        expect(decoded.commandStatus).toBe(1);
        const error = ccidFailure(decoded.status, decoded.error, 0x6f);
        expect(error).toBeInstanceOf(MynacardError);
        if (v.outcome === 'CardRemovedError') expect(error).toBeInstanceOf(CardRemovedError);
        else {
          expect(error).toBeInstanceOf(CcidError);
          expect(error.code).toBe(v.outcome);
          expect((error as CcidError).bError).toBe(decoded.error);
          expect((error as CcidError).messageType).toBe(0x6f);
        }
      }
    });
  }

  it('a message shorter than its header or its dwLength is a ccid-protocol error', () => {
    expect(() => decodeResponse(fromHex('80000000'))).toThrow(CcidError);
    const e = (() => {
      try {
        decodeResponse(fromHex('80050000000001000000' + '9000'));
      } catch (error) {
        return error as CcidError;
      }
      return undefined;
    })();
    expect(e?.code).toBe('ccid-protocol');
  });

  it('decodeResponse never throws anything but CcidError, and keeps exactly dwLength bytes (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        try {
          const r = decodeResponse(bytes);
          const length = bytes[1]! | (bytes[2]! << 8) | (bytes[3]! << 16) | (bytes[4]! << 24);
          expect(r.data.length).toBe(length >>> 0);
          expect(r.iccStatus).toBe(bytes[7]! & 3);
          expect(r.commandStatus).toBe(bytes[7]! >> 6);
        } catch (error) {
          expect(error).toBeInstanceOf(CcidError);
        }
      }),
    );
  });

  it('an unknown bError above 80h is ccid-error with the value kept', () => {
    const e = ccidFailure(0x40, 0xc5, 0x62) as CcidError;
    expect(e.code).toBe('ccid-error');
    expect(e.bError).toBe(0xc5);
    expect(e.message).toBe('CCID IccPowerOn failed (bError 0xc5)');
  });
});

describe('interrupt-IN messages (vectors)', () => {
  for (const v of vectors.notifications) {
    it(v.name, () => {
      expect(decodeNotification(fromHex(v.hex), v.maxSlotIndex)).toEqual(v.decoded);
    });
  }

  it('unknown or empty interrupt messages are ccid-protocol errors', () => {
    expect(() => decodeNotification(fromHex('52'), 0)).toThrow(CcidError);
    expect(() => decodeNotification(new Uint8Array(0), 0)).toThrow(CcidError);
    expect(() => decodeNotification(fromHex('50'), 0)).toThrow(CcidError);
  });
});

describe('bSeq', () => {
  it('counts 0…255 and wraps to 0', () => {
    const seq = new CcidSequence();
    const seen: number[] = [];
    for (let i = 0; i < 258; i++) seen.push(seq.next());
    expect(seen.slice(0, 3)).toEqual([0, 1, 2]);
    expect(seen.slice(254, 258)).toEqual([254, 255, 0, 1]);
    expect(seq.peek()).toBe(2);
    expect(new CcidSequence(0x1ff).next()).toBe(0xff);
  });
});

describe('protocol data structures', () => {
  it('round-trip T=0 and T=1 parameters (property)', () => {
    const t1 = fc.record({
      protocol: fc.constant(1 as const),
      findexDindex: fc.integer({ min: 0, max: 255 }),
      crc: fc.boolean(),
      inverseConvention: fc.boolean(),
      guardTime: fc.integer({ min: 0, max: 255 }),
      bwi: fc.integer({ min: 0, max: 15 }),
      cwi: fc.integer({ min: 0, max: 15 }),
      clockStop: fc.integer({ min: 0, max: 3 }),
      ifsc: fc.integer({ min: 0, max: 255 }),
      nad: fc.integer({ min: 0, max: 255 }),
    });
    const t0 = fc.record({
      protocol: fc.constant(0 as const),
      findexDindex: fc.integer({ min: 0, max: 255 }),
      inverseConvention: fc.boolean(),
      guardTime: fc.integer({ min: 0, max: 255 }),
      waitingInteger: fc.integer({ min: 0, max: 255 }),
      clockStop: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(fc.oneof(t0, t1), (p: ProtocolParameters) => {
        const bytes = encodeProtocolParameters(p);
        expect(bytes).toHaveLength(p.protocol === 0 ? 5 : 7);
        expect(decodeProtocolParameters(p.protocol, bytes)).toEqual(p);
      }),
    );
  });

  it('short structures are refused', () => {
    expect(() => decodeProtocolParameters(1, fromHex('1110ff45'))).toThrow(CcidError);
    expect(() => decodeProtocolParameters(2, fromHex('1110ff4500fe00'))).toThrow(CcidError);
  });
});
