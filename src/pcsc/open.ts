/**
 * The factory behind `waitForCard` and `connect`: connect to a reader's card and hand the
 * connection to a new {@link PcscTransport}.
 * @packageDocumentation
 */
import type { ClientLease, ClientManager } from './client.js';
import { mapPcscError } from './errors.js';
import { protocolCode, type PcscTransportOptions } from './options.js';
import { CARD_MODE_SHARED, DISPOSITION, type PcscMiniCard, type PcscMiniReader } from './pcsc-mini.js';
import { PcscTransport } from './transport.js';

/**
 * Connect to the card in `reader` (shared mode) and read its ATR. The lease passes to the
 * transport; on failure the caller keeps it.
 * @internal
 */
export async function openTransport(
  manager: ClientManager,
  lease: ClientLease,
  reader: PcscMiniReader,
  options: PcscTransportOptions,
): Promise<PcscTransport> {
  const name = reader.name();
  let card: PcscMiniCard;
  try {
    card = await reader.connect(CARD_MODE_SHARED, protocolCode(options.protocol));
  } catch (error) {
    throw mapPcscError(error, `connecting to the card in "${name}"`);
  }
  let atr: Uint8Array;
  try {
    atr = (await card.state()).atr;
  } catch (error) {
    await card.disconnect(DISPOSITION.leave).catch(() => undefined);
    throw mapPcscError(error, 'reading the card state');
  }
  return new PcscTransport({ manager, lease, reader: name, card, atr, options });
}
