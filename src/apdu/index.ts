/**
 * `mynacard/apdu` — the APDU layer: command/response encoding, every status word as a typed
 * error (`StatusWordError` and its subclasses; the ones applications catch are in `mynacard`
 * too, as the same classes), `ApduChannel`, redacted traces and hex helpers. Browser-safe.
 * @packageDocumentation
 */
export { asciiBytes, concatBytes, equalBytes, fromHex, toHex } from '../bytes.js';
export {
  CommandApdu,
  isExtendedCommand,
  MAX_EXTENDED_LC,
  MAX_EXTENDED_LE,
  MAX_SHORT_LC,
  MAX_SHORT_LE,
  type ApduCase,
  type CommandApduInit,
} from './command.js';
export { ResponseApdu } from './response.js';
export {
  ApduFormatError,
  RedactedTransportCause,
  ExtendedLengthUnsupportedError,
  MalformedResponseError,
  ResponseChainingError,
} from './errors.js';
export { SW, swHex } from './sw.js';
export { isWarningStatus, statusWordWarning, type StatusWordWarning } from './warning.js';
export {
  AuthenticationMethodBlockedError,
  checkStatus,
  ClassNotSupportedError,
  ConditionsNotSatisfiedError,
  FileNotFoundError,
  IncorrectParametersError,
  InstructionNotSupportedError,
  LogicalChannelNotSupportedError,
  NoPreciseDiagnosisError,
  PinBlockedError,
  PinIncorrectError,
  ReferencedDataNotFoundError,
  SecureMessagingNotSupportedError,
  SecurityStatusNotSatisfiedError,
  StatusWordError,
  statusWordError,
  WrongDataError,
  WrongLengthError,
  WrongOffsetError,
} from './status.js';
export {
  commandName,
  commandTraceEvent,
  formatCommandRedacted,
  formatTraceEvent,
  isSecretCommand,
  isSecretInstruction,
  responseTraceEvent,
  spacedHex,
  type ApduTraceCommandEvent,
  type ApduTraceEvent,
  type ApduTraceResponseEvent,
} from './trace.js';
export {
  ApduChannel,
  type ApduChannelOptions,
  type ApduExclusiveOptions,
  type ApduPort,
  type ApduSendOptions,
} from './channel.js';
