/**
 * Readers through the Web Smart Card API: list them, connect, and wait for a card.
 * @packageDocumentation
 */
import { CardRemovedError, InvalidArgumentError, TimeoutError } from '../errors.js';
import { abortError } from '../mutex.js';
import type { ReaderInfo, ReaderMatcher } from '../transport/readers.js';
import type { SmartCardContextLike, SmartCardResourceManagerLike } from './api-types.js';
import { mapWebSmartCardError } from './errors.js';
import { isUsable, raceAbort, ReaderMonitor, reasonError } from './monitor.js';
import {
  checkTransportOptions,
  resourceManager,
  type ConnectOptions,
  type ListReadersOptions,
  type WaitForCardOptions,
  type WebSmartCardTransportOptions,
} from './options.js';
import { openConnection, WebSmartCardTransport } from './transport.js';

/** A new context of the API. */
export async function establishContext(manager: SmartCardResourceManagerLike): Promise<SmartCardContextLike> {
  try {
    return await manager.establishContext();
  } catch (error) {
    throw mapWebSmartCardError(error, 'establishing a smart-card context');
  }
}

/**
 * The readers the platform knows, and whether a card is in each.
 * @throws PermissionDeniedError, PcscServiceError, TransportError (`'web-smart-card-unavailable'`)
 */
export async function listReaders(options: ListReadersOptions = {}): Promise<ReaderInfo[]> {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options must be an object');
  const controller = linked(options.signal);
  try {
    const monitor = new ReaderMonitor(await raceAbort(establishContext(resourceManager(options)), controller.signal));
    await monitor.update(controller.signal);
    return [...monitor.readers].map(([name, { flags }]) => ({
      name,
      cardPresent: flags.present === true,
      mute: flags.mute === true,
      inUse: flags.inuse === true,
      exclusive: flags.exclusive === true,
    }));
  } catch (error) {
    if (controller.signal.aborted) throw reasonError(controller.signal);
    throw error;
  } finally {
    controller.dispose();
  }
}

/**
 * Connect (shared mode) to the card now in the reader named `reader`, on a context of its own.
 * The browser may ask the user for permission first: pass a `signal` to stop waiting.
 * @throws PermissionDeniedError, ReaderUnavailableError, CardRemovedError (no card),
 *   CardBusyError, PcscServiceError, AbortedError
 */
export async function connect(reader: string, options: ConnectOptions = {}): Promise<WebSmartCardTransport> {
  if (typeof reader !== 'string' || reader === '') throw new InvalidArgumentError('reader must be a non-empty name');
  checkTransportOptions(options);
  const { signal, ...transportOptions } = options;
  if (signal?.aborted) throw abortError(signal, 'Aborted before connecting');
  const manager = resourceManager(options);
  if (signal === undefined) return open(manager, reader, transportOptions);
  const controller = linked(signal);
  try {
    return await connectBounded(manager, reader, transportOptions, controller.signal);
  } catch (error) {
    if (controller.signal.aborted) throw reasonError(controller.signal);
    throw error;
  } finally {
    controller.dispose();
  }
}

/** A new context, and a transport on it. */
async function open(
  manager: SmartCardResourceManagerLike,
  reader: string,
  options: WebSmartCardTransportOptions,
): Promise<WebSmartCardTransport> {
  const context = await establishContext(manager);
  const opened = await openConnection(context, reader, options);
  return new WebSmartCardTransport(context, reader, opened, options);
}

/**
 * Wait until a card is in a (matching) reader, then connect to it in shared mode. A card
 * already in a reader is taken at once. Readers that come later are seen (PnP notifications,
 * or a look every second where the platform has none).
 * @throws TimeoutError, AbortedError, PermissionDeniedError, CardBusyError, PcscServiceError
 */
export async function waitForCard(options: WaitForCardOptions = {}): Promise<WebSmartCardTransport> {
  checkTransportOptions(options);
  const { reader, signal, timeoutMs, ...transportOptions } = options;
  const matches = matcher(reader);
  if (timeoutMs !== undefined && !(timeoutMs >= 0)) throw new InvalidArgumentError('timeoutMs must be ≥ 0');
  if (signal?.aborted) throw abortError(signal, 'Aborted while waiting for a card');
  const manager = resourceManager(options);
  const what = typeof reader === 'string' ? `a card in "${reader}"` : 'a card';
  const controller = linked(signal, timeoutMs, () => new TimeoutError(`No ${what.slice(2)} within ${timeoutMs} ms`));
  try {
    const monitor = new ReaderMonitor(await raceAbort(establishContext(manager), controller.signal));
    // Readers whose connect found no card, with the insertion count then: skipped until it moves.
    const failed = new Map<string, number>();
    await monitor.update(controller.signal);
    for (;;) {
      for (const [name, state] of monitor.readers) {
        if (!matches(name) || !isUsable(state) || failed.get(name) === state.count) continue;
        try {
          return await connectBounded(manager, name, transportOptions, controller.signal);
        } catch (error) {
          // The card left (or was not ready) between the event and the connect: wait for the next change.
          if (!(error instanceof CardRemovedError)) throw error;
          failed.set(name, state.count);
        }
      }
      await monitor.wait(controller.signal);
    }
  } catch (error) {
    if (controller.signal.aborted) throw reasonError(controller.signal);
    throw error;
  } finally {
    controller.dispose();
  }
}

/** {@link connect}, given up on abort; a connection that comes after that is closed. */
async function connectBounded(
  manager: SmartCardResourceManagerLike,
  reader: string,
  options: WebSmartCardTransportOptions,
  signal: AbortSignal,
): Promise<WebSmartCardTransport> {
  const pending = open(manager, reader, options);
  try {
    return await raceAbort(pending, signal);
  } catch (error) {
    if (signal.aborted) void pending.then((transport) => transport.close(), () => undefined);
    throw error;
  }
}

function matcher(reader: ReaderMatcher | undefined): (name: string) => boolean {
  if (reader === undefined) return () => true;
  if (typeof reader === 'string') return (name) => name === reader;
  if (typeof reader === 'function') return (name) => reader(name) === true;
  throw new InvalidArgumentError('reader must be a reader name or a function of the name');
}

/** An abort controller that follows `signal` and, with `timeoutMs`, aborts with `timeoutError()`. */
export function linked(
  signal: AbortSignal | undefined,
  timeoutMs?: number,
  timeoutError?: () => Error,
): { readonly signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onAbort = (): void => controller.abort(signal?.reason);
  if (signal?.aborted) controller.abort(signal.reason);
  else signal?.addEventListener('abort', onAbort, { once: true });
  const timer =
    timeoutMs !== undefined && Number.isFinite(timeoutMs)
      ? setTimeout(() => controller.abort(timeoutError?.() ?? new TimeoutError(`Timed out after ${timeoutMs} ms`)), timeoutMs)
      : undefined;
  return {
    signal: controller.signal,
    dispose() {
      if (timer !== undefined) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}
