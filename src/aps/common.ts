/**
 * 共通カードAP ("common AP"): the card identifier record.
 * @packageDocumentation
 */
import { CommandApdu } from '../apdu/command.js';
import { statusWordError } from '../apdu/status.js';
import { INS, READ_RECORD_P2_SFI1 } from './constants.js';
import { decodeCardIdentifier, type CardIdentifier } from './records.js';
import type { CardSession } from './session.js';

const CACHE_KEY = 'common:record1';

/**
 * 共通カードAP (AID `D3921000310001010100`, named 共通カードAP / "unknown AP" by different
 * sources, card-facts §2 [D]). Obtain it as `card.common`.
 */
export class CommonAp {
  readonly #session: CardSession;

  /** @internal Created by {@link MyNumberCard.connect}. */
  constructor(session: CardSession) {
    this.#session = session;
  }

  /**
   * Read record 1 of EF 0001 (`00 B2 01 0C 00`, no PIN): 28 digits. The split into serial,
   * municipality code and expiry is one source's reading and **uncertain** (card-facts §3.4).
   * Cached for the life of the session.
   *
   * @throws CardDataError, StatusWordError (`6A82` when the AP is absent)
   */
  async readCardIdentifier(): Promise<CardIdentifier> {
    const session = this.#session;
    const hit = session.cached(CACHE_KEY);
    if (hit !== undefined) return decodeCardIdentifier(hit);
    return session.run(async (port) => {
      await session.select(port, 'common');
      const response = await port.transmit(
        new CommandApdu({ ins: INS.readRecord, p1: 0x01, p2: READ_RECORD_P2_SFI1, le: 256 }),
      );
      if (!response.ok) throw statusWordError(response.sw, 'READ RECORD 共通カードAP EF 0001 record 1');
      const result = decodeCardIdentifier(response.data);
      session.remember(CACHE_KEY, result.raw);
      return result;
    });
  }
}
