/**
 * `mynacard/pcsc`: the PC/SC transport (Node), through the optional peer dependency
 * [`pcsc-mini`](https://www.npmjs.com/package/pcsc-mini) (`npm install pcsc-mini`), which
 * talks to pcsc-lite (Linux, macOS) or WinSCard (Windows).
 *
 * ```ts
 * import { MyNumberCard } from 'mynacard';
 * import { waitForCard } from 'mynacard/pcsc';
 *
 * await using transport = await waitForCard({ timeoutMs: 30_000 });
 * await using card = await MyNumberCard.connect(transport);
 * const certificate = await card.jpki.readCertificate('auth');
 * ```
 *
 * pcsc-mini is loaded on first use: without it, calls reject with `PcscServiceError` (code
 * `'pcsc-service'`) saying how to install it; without a running PC/SC service (pcscd), the
 * same error says how to start it.
 * @packageDocumentation
 */
import { defaultPcscContext } from './context.js';
import type {
  PcscReaderInfo,
  PcscReaderWatcher,
  WaitForCardOptions,
  WatchReadersOptions,
} from './readers.js';
import type { PcscTransportOptions } from './options.js';
import type { PcscTransport } from './transport.js';

export { PcscContext, defaultPcscContext, type PcscContextOptions } from './context.js';
export { PcscTransport } from './transport.js';
export {
  RECEIVE_BUFFER_LENGTH,
  DEFAULT_TRANSACTION_TIMEOUT_MS,
  type PcscProtocol,
  type PcscReconnectOptions,
  type PcscTransactionOptions,
  type PcscTransportOptions,
} from './options.js';
export type {
  PcscReaderEvent,
  PcscReaderEventType,
  PcscReaderInfo,
  PcscReaderMatcher,
  PcscReaderWatcher,
  WaitForCardOptions,
  WatchReadersOptions,
} from './readers.js';
export { mapPcscError, pcscErrorCode } from './errors.js';
export type { PcscIsolation, PcscMiniSource } from './client.js';
export type {
  PcscMiniCard,
  PcscMiniCardState,
  PcscMiniClient,
  PcscMiniModule,
  PcscMiniReader,
  PcscMiniStatus,
  PcscMiniTransaction,
} from './pcsc-mini.js';
export {
  AbortedError,
  CardBusyError,
  CardRemovedError,
  MynacardError,
  PcscServiceError,
  ReaderUnavailableError,
  TimeoutError,
  TransportError,
} from '../errors.js';

/**
 * The readers the PC/SC service knows, and whether a card is in each.
 * @throws PcscServiceError when pcsc-mini or the PC/SC service is missing
 */
export function listReaders(): Promise<PcscReaderInfo[]> {
  return defaultPcscContext().listReaders();
}

/**
 * Wait until a card is in a (matching) reader, then connect to it in shared mode. A card
 * already in a reader is taken at once.
 * @throws TimeoutError, AbortedError, CardBusyError, PcscServiceError
 */
export function waitForCard(options?: WaitForCardOptions): Promise<PcscTransport> {
  return defaultPcscContext().waitForCard(options);
}

/**
 * Connect (shared mode) to the card now in the reader named `reader`.
 * @throws ReaderUnavailableError, CardRemovedError (no card), CardBusyError, PcscServiceError
 */
export function connect(reader: string, options?: PcscTransportOptions): Promise<PcscTransport> {
  return defaultPcscContext().connect(reader, options);
}

/**
 * Reader and card events as an async iterator:
 *
 * ```ts
 * for await (const event of watchReaders()) {
 *   if (event.type === 'card-inserted') console.log(`card in ${event.reader}`);
 * }
 * ```
 */
export function watchReaders(options?: WatchReadersOptions): PcscReaderWatcher {
  return defaultPcscContext().watchReaders(options);
}
