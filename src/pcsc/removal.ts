/**
 * Is the card really gone? pcscd reports a vanished card first as a failed exchange
 * (`NotTransacted`), which is also how a reader refuses a frame it cannot carry; its presence
 * poll (about every 400 ms) tells the two apart.
 * @packageDocumentation
 */
import { pcscErrorCode } from './errors.js';
import type { PcscMiniCard } from './pcsc-mini.js';

/** After `NotTransacted`, how long to look for the removal pcscd's ~400 ms presence poll will report. */
const REMOVAL_CONFIRM_MS = 1_500;
const REMOVAL_POLL_MS = 100;

/** SCARD_PRESENT in a card status (pcsc-mini `CardStatus.PRESENT`). */
const CARD_STATUS_PRESENT = 0x4;

function statusRaw(status: { readonly raw: number } | number): number {
  return typeof status === 'number' ? status : status.raw;
}

/**
 * Ask the handle until pcscd's presence poll has had time to notice a removal.
 * @param knownGone - whether the reader monitor already reported the card gone
 */
export async function confirmRemoval(card: PcscMiniCard, knownGone: () => boolean): Promise<boolean> {
  const deadline = Date.now() + REMOVAL_CONFIRM_MS;
  for (;;) {
    if (knownGone()) return true;
    try {
      const state = await card.state();
      if ((statusRaw(state.status) & CARD_STATUS_PRESENT) === 0) return true;
    } catch (error) {
      const code = pcscErrorCode(error);
      return code === 'RemovedCard' || code === 'NoSmartCard';
    }
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, REMOVAL_POLL_MS));
  }
}
