/**
 * How `MyNumberCard.cardAp()` reaches {@link openCardAp} without importing it: the card-AP
 * session code registers itself when a descriptor is made ({@link defineCardAp}), so apps that
 * never use the free areas do not carry it in their bundles.
 * @packageDocumentation
 */
import type { CardApDescriptor } from './descriptor.js';
import type { CardApTarget } from './host.js';
import type { CardApSession, OpenCardApOptions } from './session.js';

/** The signature of `openCardAp`. */
type CardApOpener = <D extends CardApDescriptor>(target: CardApTarget, descriptor: D, options?: OpenCardApOptions) => CardApSession<D>;

let opener: CardApOpener | undefined;

/** @internal Called by {@link defineCardAp} with `openCardAp`. */
export function registerCardApOpener(open: CardApOpener): void {
  opener = open;
}

/** @internal `openCardAp`, once any descriptor has been made; otherwise `undefined`. */
export function registeredCardApOpener(): CardApOpener | undefined {
  return opener;
}
