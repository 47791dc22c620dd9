/**
 * Reading the JPKI token label (トークン情報, EF 0006), which tells which device carries the
 * JPKI AP. card-facts §3.1
 * @packageDocumentation
 */
import type { ApduPort } from '../apdu/channel.js';
import { CommandApdu } from '../apdu/command.js';
import { statusWordError } from '../apdu/status.js';
import { SW } from '../apdu/sw.js';
import { INS, JPKI_EF, TOKEN_LABEL_LENGTH, sfiReference } from './constants.js';
import { decodeTokenInfo, type TokenInfo } from './records.js';

/** `6282`: end of file before Le bytes. card-facts §4.1 */
const END_OF_FILE_WARNING = 0x6282;

/**
 * `00 B0 86 00 20`: the 32-byte label by SFI (the JPKI AP must be current). Only the label is
 * read: some cards hold a 160-byte CK_TOKEN_INFO there (card-facts §3.1 [S]). A reader that
 * returns fewer bytes is asked for the rest at the next offset.
 *
 * @throws StatusWordError when the card refuses the first read
 */
export async function readToken(port: ApduPort): Promise<TokenInfo> {
  const label = new Uint8Array(TOKEN_LABEL_LENGTH);
  let loaded = 0;
  for (;;) {
    const first = loaded === 0;
    const response = await port.transmit(
      new CommandApdu({
        ins: INS.readBinary,
        p1: first ? sfiReference(JPKI_EF.token) : loaded >> 8,
        p2: first ? 0 : loaded & 0xff,
        le: TOKEN_LABEL_LENGTH - loaded,
      }),
    );
    const endOfFile = response.sw === END_OF_FILE_WARNING || (!first && response.sw === SW.WRONG_OFFSET);
    if (!response.ok && !endOfFile) throw statusWordError(response.sw, 'READ トークン情報 (token EF 0006)');
    const part = response.data.subarray(0, TOKEN_LABEL_LENGTH - loaded);
    label.set(part, loaded);
    loaded += part.length;
    if (loaded >= TOKEN_LABEL_LENGTH || endOfFile || part.length === 0) break;
  }
  return decodeTokenInfo(label.subarray(0, loaded));
}
