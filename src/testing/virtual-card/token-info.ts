/**
 * JPKI token EF 0006 (トークン情報). card-facts §3.1 "Token EF details".
 *
 * - The first 32 bytes are the ASCII label, space-padded [C].
 * - The whole EF as a 160-byte big-endian PKCS#11 `CK_TOKEN_INFO` is single-source [S]; the
 *   field *values* after the label are not published and are modelling choices [U].
 * @packageDocumentation
 */

import { TOKEN_LABELS as PROFILE_OF_LABEL, TOKEN_LABEL_LENGTH } from '../../aps/constants.js';

export { TOKEN_LABEL_LENGTH };

/**
 * The token label of each device profile: the SDK's label → profile table, inverted. card-facts §3.1
 * @property card - Label of the My Number Card itself (マイナンバーカード)
 * @property juki - Label of the older Basic Resident Registry card (住基カード)
 * @property android - Label of the certificates on an Android phone (スマホ用電子証明書)
 * @property iphone - Label of the My Number Card on an iPhone (iPhone のマイナンバーカード)
 * @namespace
 */
export const TOKEN_LABELS = Object.freeze(
  Object.fromEntries(Object.entries(PROFILE_OF_LABEL).map(([label, profile]) => [profile, label])),
) as { readonly [L in keyof typeof PROFILE_OF_LABEL as (typeof PROFILE_OF_LABEL)[L]]: L };

/** Length of the whole EF in the `CK_TOKEN_INFO` layout. card-facts §3.1 [S] */
export const TOKEN_INFO_FULL_LENGTH = 160;

/** `'label'`: a 32-byte EF; `'full'`: the 160-byte `CK_TOKEN_INFO` layout. */
export type TokenInfoLayout = 'label' | 'full';

function padAscii(text: string, length: number): Uint8Array {
  const out = new Uint8Array(length).fill(0x20);
  for (let i = 0; i < text.length && i < length; i++) out[i] = text.charCodeAt(i) & 0x7f;
  return out;
}

function putU32(out: Uint8Array, offset: number, value: number): void {
  out[offset] = (value >>> 24) & 0xff;
  out[offset + 1] = (value >>> 16) & 0xff;
  out[offset + 2] = (value >>> 8) & 0xff;
  out[offset + 3] = value & 0xff;
}

/**
 * Bytes of EF 0006.
 *
 * Full layout (offsets): label 0–31, manufacturerID 32–63, model 64–79, serialNumber 80–95,
 * flags 96, ulMaxSessionCount 100, ulSessionCount 104, ulMaxRwSessionCount 108,
 * ulRwSessionCount 112, ulMaxPinLen 116 (= 16), ulMinPinLen 120 (= 6), four memory fields
 * 124–139 (= FFFFFFFF), hardwareVersion 140 (ASCII "03"), firmwareVersion 142 (ASCII "01"),
 * utcTime 144–159. card-facts §3.1 [S]. manufacturerID / model / serial / flags / session
 * counts / utcTime carry made-up values that say "virtual card" [U].
 */
export function buildTokenInfo(label: string, layout: TokenInfoLayout): Uint8Array {
  const labelBytes = padAscii(label, TOKEN_LABEL_LENGTH);
  if (layout === 'label') return labelBytes;
  const out = new Uint8Array(TOKEN_INFO_FULL_LENGTH);
  out.set(labelBytes, 0);
  out.set(padAscii('mynacard virtual card', 32), 32);
  out.set(padAscii('virtual', 16), 64);
  out.set(padAscii('0000000000000001', 16), 80);
  // CKF_RNG | CKF_LOGIN_REQUIRED | CKF_USER_PIN_INITIALIZED | CKF_TOKEN_INITIALIZED [U]
  putU32(out, 96, 0x0000040d);
  putU32(out, 100, 0); // CK_EFFECTIVELY_INFINITE [U]
  putU32(out, 104, 0xffffffff); // CK_UNAVAILABLE_INFORMATION [U]
  putU32(out, 108, 0);
  putU32(out, 112, 0xffffffff);
  putU32(out, 116, 16); // ulMaxPinLen [S]
  putU32(out, 120, 6); // ulMinPinLen [S]
  for (let offset = 124; offset < 140; offset += 4) putU32(out, offset, 0xffffffff); // memory [S]
  out.set(padAscii('03', 2), 140); // hardwareVersion [S]
  out.set(padAscii('01', 2), 142); // firmwareVersion [S]
  out.set(padAscii('', 16), 144); // utcTime: no clock [U]
  return out;
}
