/**
 * Reading the JPKI token label (トークン情報, EF 0006), which tells which device carries the
 * JPKI AP. card-facts §3.1
 * @packageDocumentation
 */
import type { ApduPort } from '../apdu/channel.js';
import { CommandApdu } from '../apdu/command.js';
import { statusWordError } from '../apdu/status.js';
import { INS, JPKI_EF, TOKEN_LABEL_LENGTH, sfiReference } from './constants.js';
import { decodeTokenInfo, type TokenInfo } from './records.js';

/**
 * `00 B0 86 00 20`: the 32-byte label by SFI (the JPKI AP must be current). Only the label is
 * read: some cards hold a 160-byte CK_TOKEN_INFO there (card-facts §3.1 [S]).
 *
 * @throws StatusWordError when the card refuses the read
 */
export async function readToken(port: ApduPort): Promise<TokenInfo> {
  const response = await port.transmit(
    new CommandApdu({ ins: INS.readBinary, p1: sfiReference(JPKI_EF.token), p2: 0, le: TOKEN_LABEL_LENGTH }),
  );
  if (!response.ok) throw statusWordError(response.sw, 'READ トークン情報 (token EF 0006)');
  return decodeTokenInfo(response.data);
}
