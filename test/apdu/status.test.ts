import { describe, expect, it } from 'vitest';
import {
  AuthenticationMethodBlockedError,
  checkStatus,
  ClassNotSupportedError,
  ConditionsNotSatisfiedError,
  FileNotFoundError,
  IncorrectParametersError,
  InstructionNotSupportedError,
  isWarningStatus,
  LogicalChannelNotSupportedError,
  MalformedResponseError,
  NoPreciseDiagnosisError,
  PinBlockedError,
  PinIncorrectError,
  ReferencedDataNotFoundError,
  ResponseApdu,
  SecureMessagingNotSupportedError,
  SecurityStatusNotSatisfiedError,
  StatusWordError,
  statusWordError,
  statusWordWarning,
  WrongDataError,
  WrongLengthError,
  WrongOffsetError,
} from '../../src/apdu/index.js';
import { fromHex, toHex } from '../../src/bytes.js';
import { InvalidArgumentError, MynacardError } from '../../src/errors.js';

describe('ResponseApdu', () => {
  it('splits data and SW as a view', () => {
    const raw = fromHex('0102039000');
    const r = ResponseApdu.parse(raw);
    expect(toHex(r.data)).toBe('010203');
    expect(r.data.buffer).toBe(raw.buffer);
    expect([r.sw1, r.sw2, r.sw]).toEqual([0x90, 0x00, 0x9000]);
    expect(r.ok).toBe(true);
    expect(r.warning).toBeUndefined();
    expect(toHex(r.toBytes())).toBe('0102039000');
  });

  it('accepts a bare SW', () => {
    const r = ResponseApdu.parse(fromHex('6a82'));
    expect(r.data.length).toBe(0);
    expect(r.sw).toBe(0x6a82);
    expect(r.ok).toBe(false);
  });

  it.each([[''], ['90']])('rejects %j (fewer than 2 bytes) with MalformedResponseError', (h) => {
    try {
      ResponseApdu.parse(fromHex(h));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MalformedResponseError);
      expect((e as MynacardError).code).toBe('malformed-response');
    }
  });

  it('constructor validates the SW', () => {
    expect(() => new ResponseApdu(new Uint8Array(0), 0x10000)).toThrow(InvalidArgumentError);
    expect(() => new ResponseApdu(new Uint8Array(0), -1)).toThrow(InvalidArgumentError);
    expect(toHex(new ResponseApdu(fromHex('ab'), 0x6282).toBytes())).toBe('ab6282');
  });
});

describe('status words → typed errors', () => {
  it.each<[number, abstract new (...args: never[]) => StatusWordError, string]>([
    [0x6700, WrongLengthError, 'wrong-length'],
    [0x6881, LogicalChannelNotSupportedError, 'logical-channel-not-supported'],
    [0x6882, SecureMessagingNotSupportedError, 'secure-messaging-not-supported'],
    [0x6982, SecurityStatusNotSatisfiedError, 'security-status-not-satisfied'],
    [0x6983, AuthenticationMethodBlockedError, 'authentication-method-blocked'],
    [0x6984, PinBlockedError, 'pin-blocked'],
    [0x63c0, PinBlockedError, 'pin-blocked'],
    [0x6985, ConditionsNotSatisfiedError, 'conditions-not-satisfied'],
    [0x6a80, WrongDataError, 'wrong-data'],
    [0x6a82, FileNotFoundError, 'file-not-found'],
    [0x6a86, IncorrectParametersError, 'incorrect-parameters'],
    [0x6a88, ReferencedDataNotFoundError, 'referenced-data-not-found'],
    [0x6b00, WrongOffsetError, 'wrong-offset'],
    [0x6d00, InstructionNotSupportedError, 'instruction-not-supported'],
    [0x6e00, ClassNotSupportedError, 'class-not-supported'],
    [0x6f00, NoPreciseDiagnosisError, 'no-precise-diagnosis'],
  ])('SW %s maps to its class', (sw, cls, code) => {
    const e = statusWordError(sw, 'READ BINARY');
    expect(e).toBeInstanceOf(cls);
    expect(e).toBeInstanceOf(StatusWordError);
    expect(e).toBeInstanceOf(MynacardError);
    expect(e.constructor).toBe(cls);
    expect(e.code).toBe(code);
    expect(e.sw).toBe(sw);
    expect(e.context).toBe('READ BINARY');
    expect(e.name).toBe(cls.name);
    const swText = sw.toString(16).toUpperCase().padStart(4, '0');
    expect(e.message.startsWith(`READ BINARY failed: SW ${swText}`)).toBe(true);
    expect(() => checkStatus(new ResponseApdu(new Uint8Array(0), sw))).toThrow(cls);
  });

  it('PinBlockedError reports 0 tries', () => {
    expect((statusWordError(0x6984) as PinBlockedError).remaining).toBe(0);
    expect((statusWordError(0x63c0) as PinBlockedError).remaining).toBe(0);
  });

  it.each(Array.from({ length: 15 }, (_, i) => i + 1))('63C%s → PinIncorrectError with remaining', (n) => {
    const e = statusWordError(0x63c0 | n, 'VERIFY');
    expect(e).toBeInstanceOf(PinIncorrectError);
    expect(e.code).toBe('pin-incorrect');
    expect(e.sw).toBe(0x63c0 | n);
    expect((e as PinIncorrectError).remaining).toBe(n);
    expect(e.message).toBe(`VERIFY failed: SW 63C${n.toString(16).toUpperCase()} (PIN incorrect, ${n} ${n === 1 ? 'try' : 'tries'} left)`);
  });

  it.each([0x6a81, 0x6981, 0x69fc, 0x66f1, 0x6cff, 0x6100])('SW %s → generic StatusWordError', (sw) => {
    const e = statusWordError(sw);
    expect(e.constructor).toBe(StatusWordError);
    expect(e.code).toBe('status-word');
    expect(e.sw).toBe(sw);
    expect(e.message).toBe(`Command failed: SW ${sw.toString(16).toUpperCase()}`);
  });

  it('rejects an out-of-range SW', () => {
    expect(() => statusWordError(0x10000)).toThrow(InvalidArgumentError);
    expect(() => statusWordError(1.5)).toThrow(InvalidArgumentError);
  });

  it('constructors validate their arguments', () => {
    expect(() => new PinIncorrectError(0)).toThrow(InvalidArgumentError);
    expect(() => new PinIncorrectError(16)).toThrow(InvalidArgumentError);
    expect(() => new PinBlockedError(0x6983)).toThrow(InvalidArgumentError);
    expect(new PinBlockedError().sw).toBe(0x6984);
    expect(new FileNotFoundError().message).toBe('Command failed: SW 6A82 (file or application not found)');
  });
});

describe('warnings', () => {
  it('classifies 62xx and 63xx except 63Cx', () => {
    expect(isWarningStatus(0x6282)).toBe(true);
    expect(isWarningStatus(0x6200)).toBe(true);
    expect(isWarningStatus(0x6300)).toBe(true);
    expect(isWarningStatus(0x6381)).toBe(true);
    expect(isWarningStatus(0x63c2)).toBe(false);
    expect(isWarningStatus(0x63c0)).toBe(false);
    expect(isWarningStatus(0x9000)).toBe(false);
    expect(isWarningStatus(0x6a82)).toBe(false);
  });

  it('checkStatus returns 9000 and warnings, with the warning visible', () => {
    const ok = new ResponseApdu(fromHex('01'), 0x9000);
    expect(checkStatus(ok)).toBe(ok);
    const eof = new ResponseApdu(fromHex('0102'), 0x6282);
    expect(checkStatus(eof, 'READ BINARY')).toBe(eof);
    expect(eof.ok).toBe(false);
    expect(eof.warning).toEqual({
      sw: 0x6282,
      code: 'end-of-file',
      message: 'SW 6282: end of file or record reached before Le bytes were read',
    });
    const other = new ResponseApdu(new Uint8Array(0), 0x6285);
    expect(checkStatus(other)).toBe(other);
    expect(other.warning?.code).toBe('warning');
    expect(statusWordWarning(0x6300)?.code).toBe('no-information');
    expect(statusWordWarning(0x9000)).toBeUndefined();
  });

  it('checkStatus throws for 63Cx (a PIN result, not a warning)', () => {
    expect(() => checkStatus(new ResponseApdu(new Uint8Array(0), 0x63c2), 'VERIFY')).toThrow(PinIncorrectError);
  });
});
