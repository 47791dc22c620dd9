/**
 * react-native-nfc-manager's errors → the SDK's typed errors.
 *
 * The library rejects with its `NfcError` classes, built from the native side's strings:
 * iOS `NFCError:<code>` (Core NFC's `NFCReaderError` codes: 100 tag connection lost, 103
 * session invalidated, 104 tag not connected, 200 user cancel, 201 session timeout, 203 system
 * busy), Android plain strings (`'transceive fail'` for any `IOException` of
 * `IsoDep.transceive`, `TagLostException` included; `'cancelled'`; `'no tech request
 * available'` once the session is gone). The classes are matched with `instanceof` when the
 * app passes the library's `NfcError` namespace, else by class name, else by the string.
 */
import {
  CardRemovedError,
  MynacardError,
  NfcCancelledError,
  ReaderUnavailableError,
  TimeoutError,
  TransportError,
} from '../errors.js';
import type { NfcErrorClasses } from './types.js';

/** What a library error means for the SDK. */
export type NfcFailureKind = 'tag-lost' | 'user-cancel' | 'session-ended' | 'session-timeout' | 'busy' | 'unavailable' | 'other';

const BY_CLASS: readonly (readonly [keyof NfcErrorClasses, NfcFailureKind])[] = [
  ['TagConnectionLost', 'tag-lost'],
  ['TagNotConnected', 'tag-lost'],
  ['UserCancel', 'user-cancel'],
  ['SessionInvalidated', 'session-ended'],
  ['Timeout', 'session-timeout'],
  ['SystemBusy', 'busy'],
  ['RadioDisabled', 'unavailable'],
  ['UnsupportedFeature', 'unavailable'],
  ['SecurityViolation', 'unavailable'],
];

/** iOS `NFCError:<code>` (Core NFC `NFCReaderError.Code`) → kind. */
const IOS_CODES: ReadonlyMap<number, NfcFailureKind> = new Map([
  [1, 'unavailable'],
  [2, 'unavailable'],
  [6, 'unavailable'],
  [100, 'tag-lost'],
  [103, 'session-ended'],
  [104, 'tag-lost'],
  [200, 'user-cancel'],
  [201, 'session-timeout'],
  [203, 'busy'],
]);

/** Android's (and the iOS module's own) plain strings → kind. */
const MESSAGES: ReadonlyMap<string, NfcFailureKind> = new Map([
  ['transceive fail', 'tag-lost'],
  ['Not connected', 'tag-lost'],
  ['cancelled', 'user-cancel'],
  ['no tech request available', 'session-ended'],
  ['Not even registered', 'session-ended'],
  ['You can only issue one request at a time', 'busy'],
  ['Duplicated registration', 'busy'],
  ['no nfc support', 'unavailable'],
  ['Not support in this device', 'unavailable'],
  ['you should requestTagEvent first', 'unavailable'],
]);

function messageOf(error: unknown): string | undefined {
  if (typeof error === 'string') return error;
  if (error instanceof Error) return error.message;
  return undefined;
}

/** Classify an error thrown by react-native-nfc-manager. */
export function nfcFailureKind(error: unknown, classes?: NfcErrorClasses): NfcFailureKind {
  if (classes !== undefined) {
    for (const [name, kind] of BY_CLASS) if (error instanceof classes[name]) return kind;
  }
  const className = typeof error === 'object' && error !== null ? error.constructor?.name : undefined;
  const byName = BY_CLASS.find(([name]) => name === className);
  if (byName !== undefined) return byName[1];
  const message = messageOf(error);
  if (message === undefined) return 'other';
  const ios = /^NFCError:(\d+)/.exec(message);
  if (ios !== null) return IOS_CODES.get(Number(ios[1])) ?? 'other';
  return MESSAGES.get(message.trim()) ?? 'other';
}

/**
 * The SDK error for a library error. `what` names the step (never a command's bytes, which may
 * carry a PIN). Errors that already are `MynacardError`s pass through.
 */
export function toNfcError(error: unknown, what: string, classes?: NfcErrorClasses): MynacardError {
  if (error instanceof MynacardError) return error;
  const cause = { cause: error };
  switch (nfcFailureKind(error, classes)) {
    case 'tag-lost':
      return new CardRemovedError(`${what}: the card left the NFC field`, cause);
    case 'user-cancel':
      return new NfcCancelledError('user', undefined, cause);
    case 'session-ended':
      return new NfcCancelledError('session', `${what}: the NFC session was ended`, cause);
    case 'session-timeout':
      return new TimeoutError(`${what}: the NFC session timed out (iOS ends a reader session after 60 s)`);
    case 'busy':
      return new ReaderUnavailableError(`${what}: NFC is busy with another session`, cause);
    case 'unavailable':
      return new ReaderUnavailableError(`${what}: NFC is not available (unsupported, disabled or not allowed)`, cause);
    default:
      return new TransportError(`${what}: the NFC call failed`, cause);
  }
}
