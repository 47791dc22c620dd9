/**
 * 図書館カード: a city library's card AP in the regional area (地域住民向け領域) of the holder's
 * My Number Card. FICTIONAL: the AID, the file layout and the keys are invented for this
 * example (a real one gets its AID from J-LIS and its layout from the city's own design).
 *
 * - `memberNumber` (EF 0001): the 10-digit library member number — read freely at the counter,
 *   written only by the library (issuer authentication);
 * - `borrowing` (EF 0002): the borrowing limit and the membership's end date, as BER-TLV —
 *   read freely, written only by the library;
 * - `memberPin` (IEF 0011): a 4-digit PIN the member chooses, checked at self-service kiosks.
 */
import { defineCardAp, digitsCodec, tlvRecord, uintCodec, type CardApIssuerAuth } from 'mynacard/card-ap';

/**
 * The library card AP. `auth` is left for the caller: the city's issuer authentication runs
 * on its own server or HSM (see `issuer.ts`).
 */
export function libraryCardAp(auth?: CardApIssuerAuth) {
  return defineCardAp({
    name: 'city-library',
    area: 'regional',
    aid: 'F0392000000000011001', // fictional: issuer-assigned in reality
    secrets: { memberPin: { fid: 0x0011, maxTries: 3, label: '図書館カード暗証番号' } },
    files: {
      memberNumber: { fid: 0x0001, size: 10, read: 'free', write: 'issuer', codec: digitsCodec(10), sensitive: false },
      borrowing: {
        fid: 0x0002,
        size: 32,
        read: 'free',
        write: 'issuer',
        codec: tlvRecord({
          limit: { tag: 0xdf01, codec: uintCodec(1) },
          validUntil: { tag: 0xdf02, codec: digitsCodec(8), optional: true },
        }),
      },
    },
    auth,
  });
}

/** The descriptor's type (its values are typed from the codecs). */
export type LibraryCardAp = ReturnType<typeof libraryCardAp>;
