/**
 * What card-AP sessions run on: a `MyNumberCard` session, or a bare APDU channel.
 *
 * Selecting a card AP changes the card's current application (and drops the security status of
 * the one before). A `MyNumberCard` remembers which of its applications is current to save
 * SELECTs, so after every card-AP operation the host must not go on believing it:
 * - a host with {@link CardApHost.forgetSelection} is told to forget it (its next operation
 *   selects its application again: no extra APDU unless one follows);
 * - a host that only exposes {@link CardApHost.selected} gets that application selected again
 *   at the end of the card-AP operation (one extra SELECT), so its belief stays true.
 * @packageDocumentation
 */
import type { ApduExclusiveOptions, ApduPort } from '../../apdu/channel.js';
import { CommandApdu } from '../../apdu/command.js';
import { InvalidArgumentError, TransportError } from '../../errors.js';
import { AIDS, INS, SELECT_BY_NAME, SELECT_NO_FCI, type ApplicationId } from '../constants.js';

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
  /** Forget which application is current: a card AP was just selected. Preferred when present. */
  forgetSelection?(): void;
  /** The application the host believes current; selected again after a card-AP operation when the host cannot forget. */
  readonly selected?: string | undefined;
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
    if (!hasFunction(host.channel, 'exclusive')) throw new InvalidArgumentError('A card-AP host needs channel.exclusive()');
    return host;
  }
  if (hasFunction(target, 'exclusive')) return { channel: target as CardApChannel };
  throw new InvalidArgumentError('Expected a MyNumberCard, a card-AP host or an ApduChannel');
}

function assertOpen(host: CardApHost): void {
  if (host.closed === true) {
    throw new TransportError('This MyNumberCard session is closed', { code: 'session-closed' });
  }
}

/** The DF name of a host's application id, when it is one of the card's own. */
function aidOf(selected: string | undefined): Uint8Array | undefined {
  return selected !== undefined && Object.hasOwn(AIDS, selected) ? AIDS[selected as ApplicationId] : undefined;
}

/**
 * Run one card-AP operation atomically on `host` (queued behind the session's other
 * operations), then keep the host's belief about the current application true: tell it to
 * forget, or select its application again.
 */
export function runOnHost<T>(host: CardApHost, signal: AbortSignal | undefined, fn: (port: ApduPort) => Promise<T>): Promise<T> {
  assertOpen(host);
  return host.channel.exclusive(
    async (port) => {
      assertOpen(host);
      const restore = typeof host.forgetSelection === 'function' ? undefined : aidOf(host.selected);
      try {
        return await fn(port);
      } finally {
        if (typeof host.forgetSelection === 'function') host.forgetSelection();
        else if (restore !== undefined) {
          try {
            await port.transmit(new CommandApdu({ ins: INS.select, p1: SELECT_BY_NAME, p2: SELECT_NO_FCI, data: restore.slice() }));
          } catch {
            // The card is gone: the host's next operation fails and forgets on its own.
          }
        }
      }
    },
    signal === undefined ? undefined : { signal },
  );
}
