/**
 * XfrBlock to the card: the one function every exchange level (APDU, T=1, T=0) sends its
 * frames through. CCID §6.1.4
 * @packageDocumentation
 */
import { CardRemovedError } from '../errors.js';
import { COMMAND_STATUS, ICC_STATUS } from './errors.js';
import type { CcidLink } from './link.js';
import { LEVEL_PARAMETER, xfrBlock, type CcidResponse } from './messages.js';

/** One XfrBlock to the card (bBWI, wLevelParameter) and the reader's answer. */
export type XfrBlockFunction = (data: Uint8Array, bwi?: number, level?: number) => Promise<CcidResponse>;

/**
 * XfrBlock whose answer comes from the card: removal-aware, absent/inactive →
 * CardRemovedError; a header announcing more than `maxData` bytes is refused unread. The
 * message (a copy of the command, or of a T=1 block of it) is wiped once sent.
 */
export function cardXfr(link: CcidLink, slot: number, signal: AbortSignal | undefined, maxData: number): XfrBlockFunction {
  return async (data, bwi = 0, level = LEVEL_PARAMETER.single) => {
    let message: Uint8Array | undefined;
    let answer: CcidResponse;
    try {
      answer = await link.exchange((seq) => (message = xfrBlock(slot, seq, data, bwi, level)), {
        allowFailure: true,
        removable: true,
        signal,
        maxDataLength: maxData,
      });
    } finally {
      message?.fill(0);
    }
    if (answer.commandStatus !== COMMAND_STATUS.ok) {
      if (answer.iccStatus === ICC_STATUS.absent) throw new CardRemovedError();
      if (answer.iccStatus === ICC_STATUS.inactive) {
        throw new CardRemovedError('The card was reset or replaced (the slot is no longer powered)');
      }
    }
    return answer;
  };
}
