/**
 * What card-AP sessions run on: a `MyNumberCard` session, or a bare APDU channel.
 *
 * Selecting a card AP changes the card's current application (and drops the security status of
 * the one before). A `MyNumberCard` remembers which of its applications is current to save
 * SELECTs, so after every card-AP operation the host is told to forget it
 * ({@link CardApHost.forgetSelection}); its next operation selects its application again.
 * @packageDocumentation
 */
import type { ApduExclusiveOptions, ApduPort } from '../../apdu/channel.js';
import { InvalidArgumentError, TransportError } from '../../errors.js';

/**
 * The symbol under which a `MyNumberCard` hands out its {@link CardApHost} (internal
 * plumbing; applications call `card.cardAp(descriptor)` instead).
 */
export const CARD_AP_HOST: unique symbol = Symbol.for('mynacard.cardApHost');

/** Anything that runs a command sequence exclusively: an `ApduChannel` or an `ApduPort`. */
export interface CardApChannel {
  /** Run `fn` while holding the card; see `ApduPort.exclusive`. */
  exclusive<T>(fn: (port: ApduPort) => Promise<T>, options?: ApduExclusiveOptions): Promise<T>;
}

/** A card session that card APs can share (the `MyNumberCard` session implements it). */
export interface CardApHost {
  /** The session's channel: card-AP operations queue with the session's own operations. */
  readonly channel: CardApChannel;
  /** When true, operations reject with a `TransportError` (`code: 'session-closed'`). */
  readonly closed?: boolean;
  /** Forget which application is current: a card AP was just selected. */
  forgetSelection(): void;
}

/** An object that hands out its {@link CardApHost} (a `MyNumberCard`). */
export interface CardApHostProvider {
  /** The host of this card session. */
  [CARD_AP_HOST](): CardApHost;
}

/** Where card-AP operations run: a `MyNumberCard`, a {@link CardApHost}, or an `ApduChannel` / port. */
export type CardApTarget = CardApHostProvider | CardApHost | CardApChannel;

function hasFunction(value: unknown, key: PropertyKey): boolean {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as Record<PropertyKey, unknown>)[key] === 'function'
  );
}

/**
 * The host behind `target`.
 * @throws InvalidArgumentError when `target` is none of the accepted shapes
 */
export function resolveCardApHost(target: CardApTarget): CardApHost {
  if (hasFunction(target, CARD_AP_HOST)) return resolveCardApHost((target as CardApHostProvider)[CARD_AP_HOST]());
  if (typeof target === 'object' && target !== null && 'channel' in target) {
    const host = target as CardApHost;
    if (!hasFunction(host.channel, 'exclusive') || !hasFunction(host, 'forgetSelection')) {
      throw new InvalidArgumentError('A card-AP host needs channel.exclusive() and forgetSelection()');
    }
    return host;
  }
  if (hasFunction(target, 'exclusive')) {
    return { channel: target as CardApChannel, forgetSelection: () => undefined };
  }
  throw new InvalidArgumentError('Expected a MyNumberCard, a card-AP host or an ApduChannel');
}

function assertOpen(host: CardApHost): void {
  if (host.closed === true) {
    throw new TransportError('This MyNumberCard session is closed', { code: 'session-closed' });
  }
}

/**
 * Run one card-AP operation atomically on `host` (queued behind the session's other
 * operations), then make the host forget its current application.
 */
export function runOnHost<T>(host: CardApHost, signal: AbortSignal | undefined, fn: (port: ApduPort) => Promise<T>): Promise<T> {
  assertOpen(host);
  return host.channel.exclusive(
    async (port) => {
      assertOpen(host);
      try {
        return await fn(port);
      } finally {
        host.forgetSelection();
      }
    },
    signal === undefined ? undefined : { signal },
  );
}
