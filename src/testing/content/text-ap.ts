/**
 * File contents of the 券面事項入力補助AP (text AP, card-facts §3.2) of the virtual card.
 * @packageDocumentation
 */
import { concatBytes, equalBytes } from '../../bytes.js';
import { InvalidArgumentError } from '../../errors.js';
import { encodeTlv } from '../../tlv/index.js';
import { buildCvCertificate, type CvSignatureCoverage } from './cv-certificate.js';
import { cardDate, digits, filler, keyId, makeKeyId, sexCode, utf8 } from './fields.js';
import {
  rsaPublicKeyBytes,
  sha256,
  signPkcs1Sha256,
  type RsaPrivateKeyInput,
  type RsaPublicKeyInput,
} from './keys.js';

/** EF 0001 size: `FF 10 0C` + 12 digits + `FF FF` (card-facts §3.2). */
export const TEXT_MY_NUMBER_FILE_LENGTH = 17;
/** EF 0003 size: `FF 30 82 01 4B` + 331 bytes (card-facts §3.2). */
export const TEXT_INTEGRITY_RECORD_LENGTH = 336;
/** Default number of filler bytes after the EF 0002 TLV ([U] cert-profile §4 "then 00/FF filler"). */
export const DEFAULT_TEXT_ATTRIBUTES_FILLER_LENGTH = 16;
/** Default DF41 of EF 0005 (card-facts §3.2, "e.g. 01 03 0E 01"). */
export const DEFAULT_TEXT_AP_IDENTIFICATION = Uint8Array.of(0x01, 0x03, 0x0e, 0x01);
/** Length of EF 0005 DF43 (card-facts §3.2: `DF43 80`, 32 bytes + 96 × FF [S]). */
export const TEXT_AP_TRAILING_LENGTH = 0x80;

/** Size of the `DF21 08` offset table TLV that opens EF 0002 (card-facts §3.2). */
const OFFSET_TABLE_TLV_LENGTH = 11;
/** Tags of the four attribute objects of EF 0002, in file order (card-facts §3.2). */
const ATTRIBUTE_TAGS = [0xdf22, 0xdf23, 0xdf24, 0xdf25] as const;

/** The 基本4情報 as the builders take them. */
export interface BasicFourAttributes {
  /** 氏名, UTF-8 on the card; surname U+3000 given name. */
  readonly name: string;
  /** 住所, UTF-8 on the card (full-width digits on real cards). */
  readonly address: string;
  /** 生年月日, Gregorian, `YYYY-MM-DD` (or `YYYYMMDD`). */
  readonly birthDate: string;
  /** 性別 as the card code: `'1'` male, `'2'` female, `'9'` not applicable, `'0'` unknown. */
  readonly sex: string;
}

/** Filler written after a TLV object inside its EF ([U]: length and byte value). */
export interface FillerOptions {
  /** Number of filler bytes. */
  readonly length: number;
  /** Filler byte, `0xFF` (default) or `0x00`. */
  readonly byte?: 0x00 | 0xff;
}

/** Key identifiers of the text AP (16 bytes each, see {@link makeKeyId}). */
export interface TextApKeyIds {
  /** 証明者鍵ID of EF 0004. Default `"9000033" 08 05 "001" 00000000` (fictional; production uses 5000033). */
  readonly cvIssuer?: Uint8Array;
  /** 被証明者鍵ID of EF 0004. Default `"9100033" 08 05 "001" 00000000` (fictional). */
  readonly cvSubject?: Uint8Array;
  /** DF42 of EF 0005. Default `"9000034" 08 05 "001" 00000000` (fictional; cards show x000034). */
  readonly apKey?: Uint8Array;
}

/** Input of {@link buildTextApFiles}. */
export interface TextApInput extends BasicFourAttributes {
  /** 個人番号, 12 ASCII digits (the check digit is not checked here). */
  readonly myNumber: string;
  /**
   * The private key certified by EF 0004; it signs the integrity record EF 0003
   * (card-facts §3.2: "by the key certified in EF 0004").
   */
  readonly cardKey: RsaPrivateKeyInput;
  /**
   * Public half of `cardKey`, written into EF 0004. Derived from `cardKey` when omitted
   * (required when `cardKey` is a non-extractable CryptoKey); must match it when both are known.
   */
  readonly cardPublicKey?: RsaPublicKeyInput;
  /** The issuer's private key that signs the CV certificate EF 0004. */
  readonly issuerKey: RsaPrivateKeyInput;
  /** Key identifiers; fictional defaults. */
  readonly keyIds?: TextApKeyIds;
  /** Filler after the EF 0002 TLV; default 16 × `FF`. */
  readonly attributesFiller?: FillerOptions;
  /** What the EF 0004 signature covers; default `'body-value'` (see {@link CvSignatureCoverage}). */
  readonly cvSignatureCoverage?: CvSignatureCoverage;
  /** EF 0005 DF41, 4 bytes; default `01 03 0E 01`. */
  readonly apIdentification?: Uint8Array;
  /**
   * The 32 meaningful bytes of EF 0005 DF43 (followed by 96 × `FF`). Unidentified on real cards
   * [S]; default SHA-256 of the ASCII label `mynacard virtual text AP DF43`.
   */
  readonly apTrailingValue?: Uint8Array;
}

/** The five readable data EFs of the text AP, physical contents (filler included). */
export interface TextApFiles {
  /** EF 0001 個人番号, 17 bytes. */
  readonly ef0001: Uint8Array;
  /** EF 0002 基本4情報 (TLV + filler). */
  readonly ef0002: Uint8Array;
  /** EF 0003 integrity record, 336 bytes. */
  readonly ef0003: Uint8Array;
  /** EF 0004 CV certificate, 568 bytes. */
  readonly ef0004: Uint8Array;
  /** EF 0005 AP basic info. */
  readonly ef0005: Uint8Array;
}

/**
 * EF 0001 個人番号 (card-facts §3.2): `FF 10 0C` + 12 ASCII digits + `FF FF` (17 bytes).
 * @throws InvalidArgumentError unless `myNumber` is 12 ASCII digits.
 */
export function buildTextMyNumberFile(myNumber: string): Uint8Array {
  return concatBytes(encodeTlv(0xff10, digits(myNumber, 12, 'myNumber')), Uint8Array.of(0xff, 0xff));
}

/**
 * EF 0002 基本4情報 (card-facts §3.2): `FF 20 <len>` { `DF21 08` offsets; `DF22` name;
 * `DF23` address; `DF24 08` YYYYMMDD; `DF25 01` sex } then filler. The four offsets are the
 * big-endian positions, from the first byte of the file, of the DF22..DF25 tags. The outer
 * length is minimal BER (`81 xx` above 127, `82 xx xx` above 255).
 *
 * @throws InvalidArgumentError on a bad date/sex, or when the file would not fit 16-bit offsets.
 */
export function buildTextAttributesFile(
  attributes: BasicFourAttributes,
  fill: FillerOptions = { length: DEFAULT_TEXT_ATTRIBUTES_FILLER_LENGTH },
): Uint8Array {
  const objects = [
    encodeTlv(ATTRIBUTE_TAGS[0], utf8(attributes.name)),
    encodeTlv(ATTRIBUTE_TAGS[1], utf8(attributes.address)),
    encodeTlv(ATTRIBUTE_TAGS[2], cardDate(attributes.birthDate, 'birthDate')),
    encodeTlv(ATTRIBUTE_TAGS[3], sexCode(attributes.sex)),
  ];
  return withOffsetTable(0xff20, 0xdf21, objects, filler(fill.length, fill.byte ?? 0xff, 'filler'));
}

/**
 * Build `outer` { `table` offsets; objects… } + trailing filler, where the table holds one
 * 2-byte big-endian offset per object, measured from the first byte of the file.
 * @internal shared with the face AP
 */
export function withOffsetTable(
  outerTag: number,
  tableTag: number,
  objects: readonly Uint8Array[],
  trailing: Uint8Array = new Uint8Array(0),
): Uint8Array {
  const tableLength = 2 * objects.length;
  const tableTlvLength = encodeTlv(tableTag, new Uint8Array(tableLength)).length;
  const bodyLength = tableTlvLength + objects.reduce((sum, o) => sum + o.length, 0);
  const headerLength = encodeTlv(outerTag, new Uint8Array(0)).length - 1 + lengthFieldSize(bodyLength);
  const offsets = new Uint8Array(tableLength);
  let position = headerLength + tableTlvLength;
  objects.forEach((object, i) => {
    if (position > 0xffff) throw new InvalidArgumentError('File too large for 16-bit offsets');
    offsets[2 * i] = position >> 8;
    offsets[2 * i + 1] = position & 0xff;
    position += object.length;
  });
  const file = encodeTlv(outerTag, [encodeTlv(tableTag, offsets), ...objects]);
  return trailing.length === 0 ? file : concatBytes(file, trailing);
}

function lengthFieldSize(length: number): number {
  return length < 0x80 ? 1 : length <= 0xff ? 2 : length <= 0xffff ? 3 : 4;
}

/** Length of the BER header (tag + length field) at the start of `bytes` for a 2-byte tag. */
function twoByteTagHeaderLength(bytes: Uint8Array): { header: number; length: number } {
  const first = bytes[2];
  if (first === undefined) throw new InvalidArgumentError('Truncated TLV header');
  if (first < 0x80) return { header: 3, length: first };
  const n = first & 0x7f;
  if (n < 1 || n > 3 || bytes.length < 3 + n) throw new InvalidArgumentError('Bad TLV length');
  let length = 0;
  for (let i = 0; i < n; i++) length = length * 256 + bytes[3 + i]!;
  return { header: 3 + n, length };
}

/**
 * The bytes of EF 0002 that the integrity record's DF32 digest covers. [S] (card-facts §3.2,
 * "EF 0002's value from DF22 to end"), defined here precisely as: the outer `FF20` value with
 * the leading `DF21` offset-table TLV skipped, i.e. from the DF22 tag through the last byte of
 * the DF25 TLV; the outer header and the filler are excluded.
 *
 * @throws InvalidArgumentError when `ef0002` does not start with `FF 20` and a `DF21 08` table.
 */
export function textAttributesDigestSource(ef0002: Uint8Array): Uint8Array {
  if (ef0002[0] !== 0xff || ef0002[1] !== 0x20) throw new InvalidArgumentError('Expected tag FF20');
  const { header, length } = twoByteTagHeaderLength(ef0002);
  if (ef0002.length < header + length) throw new InvalidArgumentError('Truncated FF20 object');
  if (ef0002[header] !== 0xdf || ef0002[header + 1] !== 0x21 || ef0002[header + 2] !== 0x08) {
    throw new InvalidArgumentError('EF 0002 does not open with the DF21 08 offset table');
  }
  return ef0002.slice(header + OFFSET_TABLE_TLV_LENGTH, header + length);
}

/**
 * EF 0003 integrity record (card-facts §3.2): `FF 30 82 01 4B` { `DF31 20` SHA-256 of the
 * whole physical EF 0001 (17 bytes, filler included); `DF32 20` SHA-256 of
 * {@link textAttributesDigestSource}; `DF33 82 01 00` RSASSA-PKCS1-v1_5/SHA-256 signature by
 * `cardKey` over the DF31 TLV ‖ DF32 TLV (the 70 bytes before DF33, outer header excluded) }
 * = 336 bytes.
 */
export async function buildTextIntegrityRecord(
  ef0001: Uint8Array,
  ef0002: Uint8Array,
  cardKey: RsaPrivateKeyInput,
): Promise<Uint8Array> {
  const signed = concatBytes(
    encodeTlv(0xdf31, sha256(ef0001)),
    encodeTlv(0xdf32, sha256(textAttributesDigestSource(ef0002))),
  );
  const signature = await signPkcs1Sha256(cardKey, signed);
  const record = encodeTlv(0xff30, [signed, encodeTlv(0xdf33, signature)]);
  if (record.length !== TEXT_INTEGRITY_RECORD_LENGTH) {
    throw new InvalidArgumentError('cardKey must be an RSA-2048 key');
  }
  return record;
}

/**
 * EF 0005 AP basic info (card-facts §3.2): `FF 40` { `DF41 04` identification; `DF42 10`
 * key ID; `DF43 80` 32 bytes + 96 × `FF` }.
 */
export function buildTextApBasicInfo(
  options: {
    readonly identification?: Uint8Array;
    readonly keyId?: Uint8Array;
    readonly trailingValue?: Uint8Array;
  } = {},
): Uint8Array {
  const identification = options.identification ?? DEFAULT_TEXT_AP_IDENTIFICATION;
  if (identification.length !== 4) throw new InvalidArgumentError('apIdentification must be 4 bytes');
  const value = options.trailingValue ?? sha256(utf8('mynacard virtual text AP DF43'));
  if (value.length !== 32) throw new InvalidArgumentError('apTrailingValue must be 32 bytes');
  const trailing = new Uint8Array(TEXT_AP_TRAILING_LENGTH).fill(0xff);
  trailing.set(value);
  return encodeTlv(0xff40, [
    encodeTlv(0xdf41, identification),
    encodeTlv(0xdf42, keyId(options.keyId ?? makeKeyId('9000034'), 'keyIds.apKey')),
    encodeTlv(0xdf43, trailing),
  ]);
}

/**
 * Resolve the public half of `cardKey`, checking it against `cardPublicKey` when both are known.
 * @internal shared with the face AP
 */
export async function resolveCardPublicKey(
  cardKey: RsaPrivateKeyInput,
  cardPublicKey: RsaPublicKeyInput | undefined,
): Promise<Awaited<ReturnType<typeof rsaPublicKeyBytes>>> {
  if (cardPublicKey === undefined) return rsaPublicKeyBytes(cardKey);
  const given = await rsaPublicKeyBytes(cardPublicKey);
  let derived: Awaited<ReturnType<typeof rsaPublicKeyBytes>> | undefined;
  try {
    derived = await rsaPublicKeyBytes(cardKey);
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    derived = undefined; // non-extractable CryptoKey: trust cardPublicKey
  }
  if (derived !== undefined && (!equalBytes(derived.modulus, given.modulus) || !equalBytes(derived.exponent, given.exponent))) {
    throw new InvalidArgumentError('cardPublicKey is not the public half of cardKey');
  }
  return given;
}

/**
 * Build the contents of the text AP's data EFs 0001–0005 (card-facts §3.2) for the virtual
 * card: a consistent set whose integrity record and CV certificate verify.
 */
export async function buildTextApFiles(input: TextApInput): Promise<TextApFiles> {
  const publicKey = await resolveCardPublicKey(input.cardKey, input.cardPublicKey);
  const ef0001 = buildTextMyNumberFile(input.myNumber);
  const ef0002 = buildTextAttributesFile(input, input.attributesFiller);
  const ef0003 = await buildTextIntegrityRecord(ef0001, ef0002, input.cardKey);
  const ef0004 = await buildCvCertificate({
    issuerKeyId: input.keyIds?.cvIssuer ?? makeKeyId('9000033'),
    subjectKeyId: input.keyIds?.cvSubject ?? makeKeyId('9100033'),
    publicKey,
    issuerKey: input.issuerKey,
    ...(input.cvSignatureCoverage === undefined ? {} : { signatureCoverage: input.cvSignatureCoverage }),
  });
  const ef0005 = buildTextApBasicInfo({
    ...(input.apIdentification === undefined ? {} : { identification: input.apIdentification }),
    ...(input.keyIds?.apKey === undefined ? {} : { keyId: input.keyIds.apKey }),
    ...(input.apTrailingValue === undefined ? {} : { trailingValue: input.apTrailingValue }),
  });
  return { ef0001, ef0002, ef0003, ef0004, ef0005 };
}
