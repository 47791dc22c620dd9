/**
 * `probeCardAps`: which of a list of known card APs a card holds, by SELECT. The SDK knows no
 * card AP by itself (their AIDs are assigned by the issuer), so the caller brings the list.
 * @packageDocumentation
 */
import { statusWordError } from '../../apdu/status.js';
import { SW } from '../../apdu/sw.js';
import { toHex } from '../../bytes.js';
import { InvalidArgumentError } from '../../errors.js';
import { selectAid } from './commands.js';
import { cardApAid } from './descriptor.js';
import { checkCardApHost, runOnHost, type CardApHost } from './host.js';

/** What {@link probeCardAps} needs of a candidate: its DF name (a descriptor qualifies). */
export interface CardApProbeCandidate {
  /** The DF name, 5–16 bytes. */
  readonly aid: Uint8Array;
}

/** SELECT each candidate in one sequence; the installed ones, in order. */
export async function probeWith<C extends CardApProbeCandidate>(
  host: CardApHost,
  candidates: readonly C[],
  signal: AbortSignal | undefined,
): Promise<C[]> {
  return runOnHost(host, signal, async (port) => {
    const found: C[] = [];
    for (const candidate of candidates) {
      const sw = await selectAid(port, candidate.aid);
      if (sw === SW.OK) found.push(candidate);
      else if (sw !== SW.FILE_NOT_FOUND) throw statusWordError(sw, `SELECT ${toHex(candidate.aid).toUpperCase()}`);
    }
    return found;
  });
}

/**
 * Which of `candidates` the card holds: one `00 A4 04 0C Lc <AID>` each, in one atomic
 * sequence; `9000` = installed, `6A82` = not. Returns the installed candidates in the order
 * given (descriptors, or `{ aid }` objects such as a CLI's `--aid`).
 *
 * @param host - a `MyNumberCard`, or `{ channel }` over an `ApduChannel`
 * @throws InvalidArgumentError for an AID that is not 5–16 bytes or belongs to one of the
 *   card's own applications; StatusWordError for an answer other than 9000 / 6A82; transport errors
 */
export async function probeCardAps<C extends CardApProbeCandidate>(
  host: CardApHost,
  candidates: readonly C[],
  options: { readonly signal?: AbortSignal | undefined } = {},
): Promise<C[]> {
  checkCardApHost(host);
  if (!Array.isArray(candidates)) throw new InvalidArgumentError('probeCardAps needs an array of candidates');
  candidates.forEach((c, i) => {
    const aid: unknown = (c as Partial<CardApProbeCandidate> | undefined)?.aid;
    if (!(aid instanceof Uint8Array)) throw new InvalidArgumentError(`candidates[${i}].aid must be a Uint8Array`);
    cardApAid(aid, `candidates[${i}].aid`);
  });
  return probeWith(host, candidates, options.signal);
}
