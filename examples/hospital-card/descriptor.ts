/**
 * 診察券: a hospital's patient card AP in the extension area (拡張利用領域), which private
 * businesses may use and which stays on the card when the holder moves. FICTIONAL: AID,
 * layout and keys are invented for this example.
 *
 * - `patientId` (EF 0001): 10-digit patient number — read freely at reception, written by the
 *   hospital (issuer authentication);
 * - `profile` (EF 0002): name, blood type, allergies and registration date as BER-TLV — read
 *   after the patient's PIN, written by the hospital;
 * - `patientPin` (IEF 0011): the patient's 4-digit PIN.
 *
 * `descriptor.json` next to this file is the same descriptor in the JSON form that tools read
 * (`mynacard card-ap read --descriptor examples/hospital-card/descriptor.json`); a test keeps
 * the two equal.
 */
import { defineCardAp, digitsCodec, textCodec, tlvRecord, type CardApIssuerAuth } from 'mynacard/card-ap';

/** The hospital card AP; `auth` is the hospital's issuer authentication (its own server / HSM). */
export function hospitalCardAp(auth?: CardApIssuerAuth) {
  return defineCardAp({
    name: 'hospital-patient',
    area: 'extension',
    aid: 'F0392000000000021001', // fictional: issuer-assigned in reality
    secrets: { patientPin: { fid: 0x0011, maxTries: 3, label: '診察券暗証番号' } },
    files: {
      patientId: { fid: 0x0001, size: 10, read: 'free', write: 'issuer', codec: digitsCodec(10) },
      profile: {
        fid: 0x0002,
        size: 160,
        read: { secret: 'patientPin' },
        write: 'issuer',
        codec: tlvRecord({
          name: { tag: 0xdf01, codec: textCodec({ max: 60 }) },
          bloodType: { tag: 0xdf02, codec: textCodec({ max: 6 }), optional: true },
          allergies: { tag: 0xdf03, codec: textCodec({ max: 60 }), optional: true },
          registeredOn: { tag: 0xdf04, codec: digitsCodec(8) },
        }),
      },
    },
    auth,
  });
}

/** The descriptor's type. */
export type HospitalCardAp = ReturnType<typeof hospitalCardAp>;
