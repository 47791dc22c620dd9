/**
 * react-native-nfc-manager's failures → the SDK's typed errors, by each route: the library's
 * classes (instanceof), their names (no classes given), and the native strings (iOS
 * `NFCError:<code>`, Android's messages) when the library passes a string through.
 */
import { describe, expect, it } from 'vitest';
import {
  CardRemovedError,
  MynacardError,
  NfcCancelledError,
  ReaderUnavailableError,
  TimeoutError,
  TransportError,
} from '../../src/errors.js';
import { nfcFailureKind, toNfcError } from '../../src/react-native/index.js';
import { FakeNfcError, NfcErrorBase, SessionInvalidated, SystemBusy, TagConnectionLost, UserCancel } from './fake-nfc-manager.js';

describe('nfcFailureKind', () => {
  it('by class (instanceof with the NfcError namespace), also for subclasses', () => {
    class Renamed extends TagConnectionLost {}
    expect(nfcFailureKind(new Renamed(), FakeNfcError)).toBe('tag-lost');
    expect(nfcFailureKind(new UserCancel(), FakeNfcError)).toBe('user-cancel');
    expect(nfcFailureKind(new SessionInvalidated(), FakeNfcError)).toBe('session-ended');
    expect(nfcFailureKind(new SystemBusy(), FakeNfcError)).toBe('busy');
    expect(nfcFailureKind(new FakeNfcError.Timeout(), FakeNfcError)).toBe('session-timeout');
    expect(nfcFailureKind(new FakeNfcError.RadioDisabled(), FakeNfcError)).toBe('unavailable');
  });

  it('by class name without the namespace', () => {
    expect(nfcFailureKind(new TagConnectionLost())).toBe('tag-lost');
    expect(nfcFailureKind(new UserCancel())).toBe('user-cancel');
  });

  it('by the native strings', () => {
    const cases: [string, string][] = [
      ['NFCError:100,NSPOSIXErrorDomain:57', 'tag-lost'],
      ['NFCError:104', 'tag-lost'],
      ['NFCError:103', 'session-ended'],
      ['NFCError:200', 'user-cancel'],
      ['NFCError:201', 'session-timeout'],
      ['NFCError:203', 'busy'],
      ['NFCError:6', 'unavailable'],
      ['NFCError:102', 'other'],
      ['transceive fail', 'tag-lost'],
      ['cancelled', 'user-cancel'],
      ['no tech request available', 'session-ended'],
      ['You can only issue one request at a time', 'busy'],
      ['no nfc support', 'unavailable'],
      ['something else', 'other'],
    ];
    for (const [text, kind] of cases) {
      expect([text, nfcFailureKind(text)]).toEqual([text, kind]);
      expect([text, nfcFailureKind(new NfcErrorBase(text))]).toEqual([text, kind]);
    }
    expect(nfcFailureKind(42)).toBe('other');
    expect(nfcFailureKind(undefined)).toBe('other');
  });
});

describe('toNfcError', () => {
  it('maps each kind to its typed error, keeping the library error as the cause', () => {
    const lost = new NfcErrorBase('transceive fail');
    const removed = toNfcError(lost, 'transceive');
    expect(removed).toBeInstanceOf(CardRemovedError);
    expect(removed.message).toBe('transceive: the card left the NFC field');
    expect(removed.cause).toBe(lost);
    const cancelled = toNfcError(new UserCancel(), 'requestTechnology') as NfcCancelledError;
    expect(cancelled).toBeInstanceOf(NfcCancelledError);
    expect([cancelled.code, cancelled.reason, cancelled.message]).toEqual(['nfc-cancelled', 'user', 'The NFC session was cancelled by the user']);
    expect(toNfcError('NFCError:201', 'sendCommandAPDUIOS')).toBeInstanceOf(TimeoutError);
    expect(toNfcError('Duplicated registration', 'requestTechnology')).toBeInstanceOf(ReaderUnavailableError);
    const other = toNfcError(new Error('boom'), 'transceive');
    expect(other).toBeInstanceOf(TransportError);
    expect(other.code).toBe('transport-error');
  });

  it('passes SDK errors through untouched', () => {
    const own = new MynacardError('x', 'y');
    expect(toNfcError(own, 'transceive')).toBe(own);
  });
});
