/**
 * Options of {@link VirtualMyNumberCard.create} and the card's log entry type.
 * @packageDocumentation
 */
import type { FaceApInput } from '../content/face-ap.js';
import type { TextApInput } from '../content/text-ap.js';
import type { TestPki } from '../pki.js';
import type { TestHolder } from '../pki-issuer.js';
import type { TestPkiData } from '../test-pki-types.js';
import type { ApplicationName } from './file-system.js';
import type { TokenInfoLayout } from './token-info.js';

/**
 * What kind of JPKI token the virtual card imitates (card-facts §3.1, §7):
 * - `'card'`: a マイナンバーカード — label `JPKIAPICCTOKEN2`, all five APs.
 * - `'android'`: Android スマホ用電子証明書 — label `JPKIAPGPSETOKEN`, the auth certificate
 *   needs the auth PIN [S], only the JPKI AP (the text/face APs are absent [C]; the common and
 *   住基 APs are assumed absent too [U]).
 * - `'iphone'`: iPhone のマイナンバーカード — label `JPKIAPIOSTOKEN` [S]; modelled like Android
 *   (auth certificate behind the auth PIN, JPKI AP only): its card-face layout is unknown [U].
 * - `'juki'`: the old 住基カード — label `JPKIAPICCTOKEN`; JPKI AP and 住基AP only (the text,
 *   face and common APs came with the My Number card) [U].
 */
export type VirtualCardProfile = 'card' | 'android' | 'iphone' | 'juki';

/** Applications that can be left off the card with `quirks.absentAps`. */
export type VirtualCardApplication = ApplicationName;

/** The holder's secrets. Formats are checked at creation (InvalidArgumentError). */
export interface VirtualCardPins {
  /** 利用者証明用電子証明書 暗証番号: 4 digits. Default `'1234'`. */
  readonly auth?: string;
  /** 署名用電子証明書 パスワード: 6–16 of A–Z 0–9 with at least one letter and one digit. Default `'ABC123'`. */
  readonly sign?: string;
  /** 券面事項入力補助用 暗証番号: 4 digits. Default `'5678'`. */
  readonly text?: string;
}

/**
 * Tries left at creation (0 = blocked). Defaults to the maximum: auth 3, sign 5, text 3
 * (card-facts §5 [C]); 照合番号A/B and the birth-date key {@link VirtualCardMaxTries} (10).
 */
export interface VirtualCardTries {
  /** Auth PIN (EF 0018), 0–3. */
  readonly auth?: number;
  /** Sign password (EF 001B), 0–5. */
  readonly sign?: number;
  /** Text-AP PIN (EF 0011), 0–3. */
  readonly text?: number;
  /** Both 照合番号A counters (text AP EF 0014, face AP EF 0013). */
  readonly verificationA?: number;
  /** Both 照合番号B counters (text AP EF 0015, face AP EF 0012). */
  readonly verificationB?: number;
  /** Face AP 生年月日 key (EF 0011). */
  readonly birthDate?: number;
}

/**
 * Retry limits of the secrets whose real limit is unknown (card-facts §5: tries [U]). A
 * modelling choice: default 10 each, 1–15 allowed (63Cx carries 4 bits).
 */
export interface VirtualCardMaxTries {
  /** 照合番号A (text EF 0014 and face EF 0013). */
  readonly verificationA?: number;
  /** 照合番号B (text EF 0015 and face EF 0012). */
  readonly verificationB?: number;
  /** Face-AP 生年月日 key (EF 0011). */
  readonly birthDate?: number;
}

/** Switches for behaviours in which real readers and cards differ. */
export interface VirtualCardQuirks {
  /** Accept extended-length APDUs. Default `true`; `false` answers `6700` to every extended APDU. */
  readonly extendedLength?: boolean;
  /**
   * T=0 style: every response with data answers `61 xx` (xx = data length, `00` for ≥ 256)
   * with no data; GET RESPONSE `00 C0 00 00 Le` then returns min(Le, left, maxChunk) bytes,
   * with `61 xx` while data remain and the command's status word on the last part. Any other
   * command discards pending data. Default `false` (GET RESPONSE answers `6D00`).
   */
  readonly getResponse?: boolean;
  /**
   * Largest data field of one READ BINARY (and one GET RESPONSE) answer: a longer Le returns
   * this many bytes with `9000`, so the reader must advance by the bytes actually returned.
   * Default unlimited (65536).
   */
  readonly maxChunk?: number;
  /**
   * T=0 style wrong-Le answers. With `true`, a READ BINARY / READ RECORD with a **short** Le
   * greater than the bytes left from the offset to the end of the EF (or record) answers
   * `6C XX` (XX = bytes left) with no data and no state change; Le ≤ bytes left is served
   * normally. A short Le below 256 on the signature command answers `6C 00`. Extended-Le
   * commands are unaffected. Default `false` (the card returns min(Le, left)).
   */
  readonly wrongLe?: boolean;
  /**
   * Applications left off the card (SELECT answers `6A82`), on top of those the profile lacks.
   * `'jpki'` is allowed too, to imitate a card that is not a JPKI token.
   */
  readonly absentAps?: readonly VirtualCardApplication[];
  /** Delay before each response, in milliseconds. Default 0. */
  readonly latencyMs?: number;
  /**
   * Fault injection: after this many answered commands the card is pulled out; the next
   * `transmit` rejects with `CardRemovedError` (and so does every later one until `insert()`).
   * Fires once.
   */
  readonly removeAfterCommands?: number;
  /** Byte after the DER in each certificate EF. Default `0xFF` ([U], card-facts §3.1). */
  readonly certificateFiller?: number;
  /**
   * Size of each certificate EF in bytes. Default: 2048, or the DER length rounded up to a
   * multiple of 256 when longer ([U]). Must hold the DER; at most 32768.
   */
  readonly certificateEfSize?: number;
  /**
   * Answer to an empty VERIFY (retry query) on a blocked PIN: `'63C0'` (default; seen on text-AP
   * EF 0012, card-facts §3.2) or `'6984'` (card-facts §4, MC) — sources differ.
   */
  readonly blockedPinQuery?: '63C0' | '6984';
  /**
   * Answer to an empty VERIFY on a PIN already verified in the current DF: `'tries'` (63Cx,
   * default) or `'9000'` (card-facts §4: "possibly 9000 if already verified" [S]).
   */
  readonly verifiedPinQuery?: 'tries' | '9000';
  /**
   * SELECT by DF name also matches a partial name: when no DF has exactly the name given, the
   * first one whose name starts with it is selected (ISO/IEC 7816-4 §11.2.2; whether the real
   * card does so is [U]). Default `false` (exact names only).
   */
  readonly partialDfNameSelect?: boolean;
  /**
   * Answer to SELECT by DF name with P2 `00` (FCI requested): `'df-name'` (default) returns the
   * FCI template `6F L 84 L <DF name>`; `'none'` returns bare `9000`, like a card that ignores
   * the request; `'fcp-without-df-name'` returns an FCP template without tag `84`
   * (`62 03 82 01 38`). P2 `0C` always answers bare `9000`.
   */
  readonly selectFci?: 'df-name' | 'none' | 'fcp-without-df-name';
}

/** Card data that is not a certificate field: expiry, security code, municipality, serial. */
export interface VirtualCardInfo {
  /** 有効期限 `YYYY-MM-DD`. Default: the holder's 10th birthday after the sign leaf's notBefore. */
  readonly expiryDate?: string;
  /** セキュリティコード, 4 digits (part of 照合番号B). Default `'2468'`. */
  readonly securityCode?: string;
  /** 全国地方公共団体コード (5 digits, face EF 0003 and common AP). Default `'05210'`. */
  readonly municipalityCode?: string;
  /** Common-AP serial, 15 digits. Default `'900000000000001'` (fictional). */
  readonly serial?: string;
  /**
   * 性別 as the card codes it (`'1'`, `'2'`, `'9'` not applicable, `'0'` unknown; card-facts
   * §3.2). Default from the holder's SAN code: 1 → 1, 2 → 2, 3 (不明) → 9 [U].
   */
  readonly sexCode?: '0' | '1' | '2' | '9';
}

/** Text-AP builder options forwarded to `buildTextApFiles`. */
export type VirtualCardTextOptions = Partial<
  Pick<TextApInput, 'keyIds' | 'attributesFiller' | 'cvSignatureCoverage' | 'apIdentification' | 'apTrailingValue'>
>;

/** Face-AP builder options forwarded to `buildFaceApFiles`. */
export type VirtualCardFaceOptions = Partial<
  Pick<
    FaceApInput,
    'images' | 'keyIds' | 'apIdentification' | 'apVersion' | 'opaqueBlock' | 'cvSignatureCoverage' | 'ownPublicKey'
  >
>;

/** Options of {@link VirtualMyNumberCard.create}. Every member is optional. */
export interface VirtualCardOptions {
  /** The holder's PINs. */
  readonly pins?: VirtualCardPins;
  /**
   * The holder; missing fields come from the PKI's holder (`TEST_PKI_DATA.holder`). When the
   * name, address, birth date, sex or flags differ, the leaves are re-issued for this holder
   * (same keys, serials and dates) with `issueTestPkiForHolder`.
   */
  readonly holder?: Partial<TestHolder>;
  /** What the card imitates. Default `'card'`. */
  readonly profile?: VirtualCardProfile;
  /** Tries left at creation. */
  readonly tries?: VirtualCardTries;
  /** Retry limits of the 照合番号 and the birth-date key ([U]). */
  readonly maxTries?: VirtualCardMaxTries;
  /** Behaviour switches. */
  readonly quirks?: VirtualCardQuirks;
  /**
   * EF 0006 layout: `'label'` (32 bytes, card-facts §3.1 [C]) or `'full'` (160-byte
   * CK_TOKEN_INFO [S]). Default `'full'`, so a reader must read only the 32-byte label.
   */
  readonly tokenInfo?: TokenInfoLayout;
  /**
   * Expose the `extendedLength` quirk as the Transport's `extendedLength` hint. Default
   * `false`: like a real reader, the card gives no hint and the SDK must detect refusal.
   */
  readonly advertiseExtendedLength?: boolean;
  /** 照合番号B (14 digits). Default: era-year YYMMDD ‖ expiry year ‖ security code (card-facts §5). */
  readonly verificationB?: string;
  /** Face-AP 生年月日 key (6 digits). Default: era-year YYMMDD of the birth date (card-facts §5 [S]). */
  readonly birthDateKey?: string;
  /** Expiry, security code, municipality, serial, sex code. */
  readonly cardInfo?: VirtualCardInfo;
  /** Forwarded to the text-AP builder. */
  readonly text?: VirtualCardTextOptions;
  /** Forwarded to the face-AP builder. */
  readonly face?: VirtualCardFaceOptions;
  /**
   * The PKI whose certificates and keys the card holds: committed data (`TestPkiData`) or a
   * loaded `TestPki`. Default `TEST_PKI_DATA`, so equal options give equal certificates.
   */
  readonly pki?: TestPkiData | TestPki;
  /**
   * Capacity in bytes of the free areas card APs are installed into with `installCardAp`
   * (a modelling choice [U]: the real sizes are the issuer's). Default regional 4096,
   * extension 8192.
   */
  readonly cardApCapacity?: {
    /** Capacity of the regional area (地域住民向け領域) in bytes; default 4096. */
    readonly regional?: number;
    /** Capacity of the extension area (拡張利用領域) in bytes; default 8192. */
    readonly extension?: number;
  };
}

/** One exchange in {@link VirtualMyNumberCard.log}. Never contains a PIN. */
export interface CardLogEntry {
  /** Position of the command since the card was created (0-based; `clearLog` does not reset it). */
  readonly index: number;
  /**
   * The command as received, except VERIFY / CHANGE REFERENCE DATA (and any command with INS
   * 20, 21, 24, 2C or 32) that carry data: those keep only the 4 header bytes.
   */
  readonly command: Uint8Array;
  /**
   * The response (data ‖ SW). Responses carrying the 個人番号 in clear (text-AP EF 0001) keep
   * only the status word. Empty when the card was pulled (`error`).
   */
  readonly response: Uint8Array;
  /** INS byte (−1 for a command shorter than 2 bytes). */
  readonly ins: number;
  /** VERIFY carried a PIN (redacted); absent for a retry query. */
  readonly verifyWithData?: boolean;
  /** The command's data field was removed from `command`. */
  readonly commandRedacted?: boolean;
  /** The response data was removed from `response`. */
  readonly responseRedacted?: boolean;
  /** Application current after the command (`'card-ap'`: an installed card AP); absent at MF / card-manager level. */
  readonly dfName?: ApplicationName | 'card-ap';
  /** The card was pulled out while this command was in flight. */
  readonly error?: 'card-removed';
}
