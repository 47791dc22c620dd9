/**
 * `mynacard/web-smart-card`: a card in a PC/SC reader from a web page, through Chromium's Web
 * Smart Card API (`navigator.smartCard`, WICG). Browser-safe.
 *
 * The API is available to Isolated Web Apps (manifest: `permissions_policy: { "smart-card":
 * ["self"] }`) and, by administrator policy, to managed kiosks (ChromeOS first): see
 * docs/web-smart-card.md.
 *
 * ```ts
 * import { MyNumberCard } from 'mynacard';
 * import { waitForCard } from 'mynacard/web-smart-card';
 *
 * await using transport = await waitForCard({ timeoutMs: 30_000 });
 * await using card = await MyNumberCard.connect(transport);
 * const certificate = await card.jpki.readCertificate('auth');
 * ```
 *
 * The functions and types have the shapes of `mynacard/pcsc`: moving between the two is a
 * change of import.
 * @packageDocumentation
 */
export { WebSmartCardTransport } from './transport.js';
export { connect, listReaders, waitForCard } from './readers.js';
export { watchReaders } from './watch.js';
export { mapWebSmartCardError, smartCardResponseCode } from './errors.js';
export {
  DEFAULT_TRANSACTION_TIMEOUT_MS,
  MAX_RESPONSE_LENGTH,
  type ConnectOptions,
  type ListReadersOptions,
  type WaitForCardOptions,
  type WatchReadersOptions,
  type WebSmartCardProtocol,
  type WebSmartCardSource,
  type WebSmartCardTransactionOptions,
  type WebSmartCardTransportOptions,
} from './options.js';
export {
  PNP_NOTIFICATION,
  type SmartCardAccessMode,
  type SmartCardConnectionLike,
  type SmartCardConnectionState,
  type SmartCardConnectionStatusLike,
  type SmartCardConnectOptions,
  type SmartCardConnectResultLike,
  type SmartCardContextLike,
  type SmartCardDisposition,
  type SmartCardGetStatusChangeOptions,
  type SmartCardProtocol,
  type SmartCardReaderStateFlagsIn,
  type SmartCardReaderStateFlagsOut,
  type SmartCardReaderStateIn,
  type SmartCardReaderStateOut,
  type SmartCardResourceManagerLike,
  type SmartCardResponseCode,
  type SmartCardTransactionCallback,
  type SmartCardTransactionOptions,
  type SmartCardTransmitOptions,
} from './api-types.js';
export type { ReaderEvent, ReaderEventType, ReaderInfo, ReaderMatcher, ReaderWatcher } from '../transport/readers.js';
export {
  AbortedError,
  CardBusyError,
  CardRemovedError,
  MynacardError,
  PcscServiceError,
  PermissionDeniedError,
  ReaderUnavailableError,
  TimeoutError,
  TransportError,
} from '../errors.js';
