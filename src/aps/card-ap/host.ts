/**
 * What card-AP sessions run on: a {@link CardApHost} (a `MyNumberCard`, or `{ channel }` over a
 * bare APDU channel).
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

/** Anything that runs a command sequence exclusively: an `ApduChannel` or an `ApduPort`. */
export interface CardApChannel {
  /** Run `fn` while holding the card; see `ApduPort.exclusive`. */
  exclusive<T>(fn: (port: ApduPort) => Promise<T>, options?: ApduExclusiveOptions): Promise<T>;
}

/**
 * Where card-AP operations run: a card session that card APs can share. `MyNumberCard`
 * implements it; over a bare channel, pass `{ channel }`.
 */
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

/**
 * `host`, checked.
 * @throws InvalidArgumentError when `host` has no `channel.exclusive()`
 */
export function checkCardApHost(host: CardApHost): CardApHost {
  const channel: unknown = typeof host === 'object' && host !== null ? host.channel : undefined;
  if (typeof channel !== 'object' || channel === null || typeof (channel as CardApChannel).exclusive !== 'function') {
    throw new InvalidArgumentError('Expected a MyNumberCard or a card-AP host ({ channel } with channel.exclusive())');
  }
  return host;
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
