/**
 * Facts and limits of the free-area card APs. Their AIDs, files and keys are assigned by
 * whoever installs them, so the SDK holds no list of them: only the ISO 7816-4 rules they
 * share with the rest of the card.
 * @packageDocumentation
 */
import { toHex } from '../../bytes.js';
import { AID_ISD, AID_JUKI, AIDS } from '../constants.js';

/**
 * The two free areas of the card:
 * - `'regional'` — 地域住民向け領域: installed by the municipality where the holder is
 *   registered; removed automatically when the holder moves out (転出);
 * - `'extension'` — 拡張利用領域: installed by national or prefectural government,
 *   municipalities or private businesses; kept when the holder moves.
 */
export type CardApArea = 'regional' | 'extension';

/** Both areas, in a stable order. */
export const CARD_AP_AREAS: readonly CardApArea[] = ['regional', 'extension'];

/**
 * Shortest DF name accepted: a 5-byte RID (ISO 7816-5 registered application provider). The
 * card's own APs use 10 bytes (card-facts §2).
 */
export const MIN_AID_LENGTH = 5;
/**
 * Longest DF name (ISO 7816-4 §5.3.1); the マイナ免許証 card APs in the free area use 16-byte AIDs
 * (card-facts §2, §7 [S]).
 */
export const MAX_AID_LENGTH = 16;

/**
 * DF names a card AP may not use, nor overlap (be a prefix of, or start with): the card's own
 * applications (card-facts §2, from {@link AIDS}), the 住基AP and the GlobalPlatform ISD. A
 * descriptor with one of them is a mistake, never a free-area card AP; on a card that selects
 * by partial DF name an overlapping AID could reach the JPKI, text, face or common AP.
 * Upper-case hex.
 */
export const RESERVED_AIDS: readonly string[] = [
  ...[...Object.values(AIDS), AID_JUKI, AID_ISD].map((aid) => toHex(aid).toUpperCase()),
];

/** Largest file addressed with a 15-bit READ / UPDATE BINARY offset (card-facts §4). */
export const MAX_FILE_SIZE = 0x8000;

/** Largest SFI: PIN IEFs 0001–001E are verified by SFI, `P2 = 80 | SFI` (card-facts §4). */
export const MAX_SFI = 0x1e;

/** Instruction bytes used by card APs (ISO 7816-4; GET CHALLENGE card-facts §4 [S]). */
export const CARD_AP_INS = {
  /** UPDATE BINARY `00 D6 <offset hi> <offset lo> Lc data` (15-bit offset in the current EF). */
  updateBinary: 0xd6,
  /** GET CHALLENGE `00 84 00 00 Le`; the card refuses the extended form (card-facts §8 [S]). */
  getChallenge: 0x84,
  /** EXTERNAL AUTHENTICATE `00 82 P1 P2 Lc cryptogram`. */
  externalAuthenticate: 0x82,
} as const;

/**
 * Length of the card AP's GET CHALLENGE when the issuer-authentication hook does not say (8
 * bytes, a common choice). Not the JPKI authentication challenge of `authenticate()`.
 */
export const ISSUER_AUTH_CHALLENGE_LENGTH = 8;

/** Largest data field of one short UPDATE BINARY. */
export const SHORT_UPDATE_CHUNK = 255;

/** Filler written after a TLV record, up to the end of its file (ISO 7816-4 §5.2.2 allows `00` or `FF`). */
export const DEFAULT_TLV_FILLER = 0xff;
