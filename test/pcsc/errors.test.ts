import { describe, expect, it } from 'vitest';
import type * as PcscMini from 'pcsc-mini';
import {
  AbortedError,
  CardBusyError,
  CardRemovedError,
  InvalidArgumentError,
  MynacardError,
  PcscServiceError,
  ReaderUnavailableError,
  TimeoutError,
  TransportError,
} from '../../src/errors.js';
import { mapPcscError, pcscErrorCode } from '../../src/pcsc/errors.js';
import { loadFailure, pickModule, type PcscMiniModule } from '../../src/pcsc/pcsc-mini.js';
import { PcscError } from './fake-pcsc-mini.js';

// Compile-time check (tsc): the structural types accept the real module's types. Not run, so
// the unit tests need neither pcsc-mini's native addon nor libpcsclite.
export const acceptsRealModule = (module: typeof PcscMini): PcscMiniModule => module;
const fakeModule: PcscMiniModule = { Client: class {} as unknown as PcscMiniModule['Client'] };

describe('mapPcscError', () => {
  const cases: Array<[string, new (...args: never[]) => MynacardError, string]> = [
    ['RemovedCard', CardRemovedError, 'card-removed'],
    ['NoSmartCard', CardRemovedError, 'card-removed'],
    ['NotTransacted', CardRemovedError, 'card-removed'],
    ['NoService', PcscServiceError, 'pcsc-service'],
    ['ServiceStopped', PcscServiceError, 'pcsc-service'],
    ['Shutdown', PcscServiceError, 'pcsc-service'],
    ['SystemCancelled', PcscServiceError, 'pcsc-service'],
    ['CommError', PcscServiceError, 'pcsc-service'],
    ['NoAccess', PcscServiceError, 'pcsc-service'],
    ['NoReadersAvailable', ReaderUnavailableError, 'reader-unavailable'],
    ['UnknownReader', ReaderUnavailableError, 'reader-unavailable'],
    ['ReaderUnavailable', ReaderUnavailableError, 'reader-unavailable'],
    ['SharingViolation', CardBusyError, 'card-busy'],
    ['CardIsBusy', CardBusyError, 'card-busy'],
    ['TransactionAlreadyInProgress', CardBusyError, 'card-busy'],
    ['Timeout', TimeoutError, 'timeout'],
    ['Cancelled', AbortedError, 'aborted'],
    ['ResetCard', TransportError, 'card-reset'],
    ['InsufficientBuffer', TransportError, 'pcsc-error'],
    ['ProtoMismatch', TransportError, 'pcsc-error'],
    ['UnresponsiveCard', TransportError, 'pcsc-error'],
  ];

  it.each(cases)('%s → %o with code %s, naming the PC/SC code and keeping the cause', (code, type, mynaCode) => {
    const original = new PcscError(code);
    const mapped = mapPcscError(original, 'transmit');
    expect(mapped).toBeInstanceOf(type);
    expect(mapped).toBeInstanceOf(MynacardError);
    expect(mapped.code).toBe(mynaCode);
    expect(mapped.message).toContain(code);
    if (!(mapped instanceof TimeoutError)) expect(mapped.cause).toBe(original);
  });

  it('tells the user to install and start pcscd when the service is missing (Linux)', () => {
    const mapped = mapPcscError(new PcscError('NoService'));
    if (process.platform === 'linux') expect(mapped.message).toContain('pcscd');
    expect(mapped.message).toMatch(/^The PC\/SC service is not available \(NoService\)\. /);
  });

  it('passes a MynacardError through and wraps anything else as a TransportError', () => {
    const own = new CardRemovedError();
    expect(mapPcscError(own)).toBe(own);
    const plain = mapPcscError(new RangeError('boom'), 'transmit');
    expect(plain).toBeInstanceOf(TransportError);
    expect(plain.code).toBe('pcsc-error');
    expect(plain.message).toBe('transmit failed (RangeError)');
    expect(mapPcscError('text').message).toBe('PC/SC call failed (string)');
  });

  it('pcscErrorCode reads only string codes', () => {
    expect(pcscErrorCode(new PcscError('RemovedCard'))).toBe('RemovedCard');
    expect(pcscErrorCode({ code: 42 })).toBeUndefined();
    expect(pcscErrorCode(undefined)).toBeUndefined();
  });
});

describe('loading pcsc-mini', () => {
  it('a missing package says how to install it', () => {
    const cause = Object.assign(new Error("Cannot find package 'pcsc-mini' imported from /app/x.js"), {
      code: 'ERR_MODULE_NOT_FOUND',
    });
    const error = loadFailure(cause);
    expect(error).toBeInstanceOf(PcscServiceError);
    expect(error.message).toBe(
      'The PC/SC transport needs the optional package pcsc-mini: install it with `npm install pcsc-mini`',
    );
    expect(error.cause).toBe(cause);
  });

  it('a missing native library names it and says how to get the PC/SC service', () => {
    const cause = new Error(
      'Required addon dependency not found (@pcsc-mini/linux-x86_64-gnu):\nError: libpcsclite.so.1: cannot open shared object file',
    );
    const error = loadFailure(cause);
    expect(error).toBeInstanceOf(PcscServiceError);
    expect(error.message).toContain('Required addon dependency not found (@pcsc-mini/linux-x86_64-gnu):');
    expect(error.message).not.toContain('\n');
  });

  it('pickModule takes the namespace or its default export, and refuses anything else', () => {
    expect(pickModule(fakeModule)).toBe(fakeModule);
    expect(pickModule({ default: fakeModule })).toBe(fakeModule);
    expect(() => pickModule({ default: {} })).toThrow(PcscServiceError);
    expect(() => pickModule(undefined)).toThrow(PcscServiceError);
  });

  it('InvalidArgumentError is not a PC/SC error', () => {
    expect(mapPcscError(new InvalidArgumentError('x'))).toBeInstanceOf(InvalidArgumentError);
  });
});
