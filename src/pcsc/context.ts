/**
 * `PcscContext`: one pcsc-mini client and everything that uses it. The module-level functions
 * of `mynacard/pcsc` use a default context; create your own to inject pcsc-mini (bundlers,
 * tests) or to change the stop settle pause.
 * @packageDocumentation
 */
import { ClientManager, type PcscIsolation, type PcscMiniSource } from './client.js';
import {
  connectWith,
  listReadersWith,
  waitForCardWith,
  watchReadersWith,
  type PcscReaderInfo,
  type PcscReaderWatcher,
  type WaitForCardOptions,
  type WatchReadersOptions,
} from './readers.js';
import type { PcscTransportOptions } from './options.js';
import type { PcscTransport } from './transport.js';

/** Options of {@link PcscContext}. */
export interface PcscContextOptions {
  /** The pcsc-mini module, or a function loading it. Default: `import('pcsc-mini')` on first use. */
  readonly pcscMini?: PcscMiniSource | undefined;
  /**
   * Pause without reader events before pcsc-mini's `Client.stop()` (which can block for good
   * right after an event). Default 300 ms, at least 250 ms.
   */
  readonly stopSettleMs?: number | undefined;
  /**
   * Where pcsc-mini's native addon runs (ignored when `pcscMini` is given, which always runs in
   * this process). Default `'process'`: a small host process that the SDK ends with SIGKILL, so
   * that neither pcsc-mini's `Client.stop()` (which can block the JS thread for good in a race
   * with pcsc-lite) nor the finalizer of a client whose pcscd died can hang or crash this
   * process. `'in-process'` saves the host process (about 40 MB) where those risks are accepted.
   */
  readonly isolation?: PcscIsolation | undefined;
  /**
   * The host program for `isolation: 'process'` (default: `pcsc/host.js` shipped beside this
   * module). Set it when a bundler moved `mynacard/pcsc` away from its `dist/` folder.
   */
  readonly hostPath?: string | undefined;
}

/**
 * A PC/SC context: one pcsc-mini client (reader monitor), started on first use and stopped
 * (after the settle pause) once no transport, watcher or call needs it, so the process can
 * exit.
 */
export class PcscContext {
  readonly #manager: ClientManager;

  /** @throws InvalidArgumentError for a settle pause below 250 ms */
  constructor(options: PcscContextOptions = {}) {
    this.#manager = new ClientManager(options);
  }

  /** Whether the pcsc-mini client is running (something holds it, or it is settling before stop). */
  get running(): boolean {
    return this.#manager.running;
  }

  /**
   * The readers the PC/SC service knows, and what is in them.
   * @throws PcscServiceError when pcsc-mini or the PC/SC service is missing
   */
  listReaders(): Promise<PcscReaderInfo[]> {
    return listReadersWith(this.#manager);
  }

  /**
   * Connect (shared mode) to the card now in `reader`.
   * @throws ReaderUnavailableError (no such reader), CardRemovedError (no card),
   *   CardBusyError (held exclusively), PcscServiceError
   */
  connect(reader: string, options?: PcscTransportOptions): Promise<PcscTransport> {
    return connectWith(this.#manager, reader, options);
  }

  /**
   * Wait until a card is in a (matching) reader and connect to it in shared mode. A card
   * already there is taken at once.
   * @throws TimeoutError, AbortedError, CardBusyError, PcscServiceError
   */
  waitForCard(options?: WaitForCardOptions): Promise<PcscTransport> {
    return waitForCardWith(this.#manager, options);
  }

  /**
   * Reader and card events (`reader-added`, `reader-removed`, `card-inserted`,
   * `card-removed`) as an async iterator; leave the `for await` loop or call `close()` to stop.
   * The iterator throws `PcscServiceError` when the service goes away.
   */
  watchReaders(options?: WatchReadersOptions): PcscReaderWatcher {
    return watchReadersWith(this.#manager, options);
  }
}

let defaultContext: PcscContext | undefined;

/** The context behind the module-level functions (created on first use). */
export function defaultPcscContext(): PcscContext {
  defaultContext ??= new PcscContext();
  return defaultContext;
}
