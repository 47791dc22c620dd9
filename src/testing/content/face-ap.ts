/**
 * File contents of the 券面事項確認AP (face AP, card-facts §3.3) of the virtual card.
 * @packageDocumentation
 */
import { concatBytes } from '../../bytes.js';
import { InvalidArgumentError } from '../../errors.js';
import { encodeTlv } from '../../tlv/index.js';
import { rsaKeyFromJwk, rsaSignPkcs1 } from '../virtual-card/rsa.js';
import { buildCvCertificate, type CvSignatureCoverage } from './cv-certificate.js';
import { cardDate, digits, keyId, makeKeyId, sexCode, utf8 } from './fields.js';
import { defaultFaceImages } from './fixtures/face-images.js';
import {
  encodeCardPublicKey,
  rsaPublicKeyBytes,
  sha256,
  signPkcs1Sha256,
  toJwk,
  type RsaPrivateKeyInput,
  type RsaPublicKeyInput,
} from './keys.js';
import { resolveCardPublicKey, withOffsetTable } from './text-ap.js';

/** Value length of the age record EF 0001 with an e=65537 RSA-2048 key (card-facts §3.3: `FF 10 82 02 1E`). */
export const FACE_AGE_RECORD_VALUE_LENGTH = 0x21e;
/** Default DF31 of EF 0003 (card-facts §3.3, "e.g. 06 03 0E 01"). */
export const DEFAULT_FACE_AP_IDENTIFICATION = Uint8Array.of(0x06, 0x03, 0x0e, 0x01);
/**
 * Default DF34 municipality code: 05210 = 由利本荘市 (秋田県), the 全国地方公共団体コード 05210-8
 * without its check digit. A real municipality; the holder data around it are fictional.
 */
export const DEFAULT_MUNICIPALITY_CODE = '05210';
/** Length of the opaque part of EF 0003 DF35 (card-facts §3.3: 16 + 256 bytes). */
export const FACE_AP_OPAQUE_LENGTH = 256;

/** DER AlgorithmIdentifier of SHA-256 with NULL parameters (RFC 8017 §9.2 note 1). */
const SHA256_ALGORITHM_ID = Uint8Array.of(
  0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00,
);

/** Encoded images of the card face. Each defaults to the bundled fictional fixture. */
export interface FaceImages {
  /** 氏名 image, 1-bit PNG (DF25). */
  readonly name?: Uint8Array;
  /** 住所 image, 1-bit PNG (DF26). */
  readonly address?: Uint8Array;
  /** 顔写真, greyscale JPEG 2000 in a JP2 container (DF27). */
  readonly photo?: Uint8Array;
  /** セキュリティコード image, 1-bit PNG (DF2A). */
  readonly securityCode?: Uint8Array;
  /** 個人番号 image, 1-bit PNG (EF 0005 DF41, 72×12 on a real card). */
  readonly myNumber?: Uint8Array;
}

/** Key identifiers of the face AP (16 bytes each, see {@link makeKeyId}). */
export interface FaceApKeyIds {
  /** 証明者鍵ID of EF 0004. Default `"9000023" 08 05 "001" 00000000` (fictional; production uses 5000023). */
  readonly cvIssuer?: Uint8Array;
  /** 被証明者鍵ID of EF 0004. Default `"9100023" 08 05 "001" 00000000` (fictional). */
  readonly cvSubject?: Uint8Array;
  /** DF32 of EF 0003. Default `"9000024" 08 05 "001" 00000000` (fictional; cards show x000024). */
  readonly apKey?: Uint8Array;
  /** First 16 bytes of EF 0003 DF35. Default `"9000025" 08 05 "001" 00000000` (fictional). */
  readonly opaqueReference?: Uint8Array;
}

/** Input of {@link buildFaceApFiles}. */
export interface FaceApInput {
  /** 生年月日, Gregorian, `YYYY-MM-DD` (or `YYYYMMDD`). */
  readonly birthDate: string;
  /** 性別 card code: `'1'`, `'2'`, `'9'` or `'0'`. */
  readonly sex: string;
  /** 有効期限, `YYYY-MM-DD` (or `YYYYMMDD`). */
  readonly expiryDate: string;
  /** Images; each missing one is the bundled fixture ({@link defaultFaceImages}). */
  readonly images?: FaceImages;
  /**
   * The private key certified by EF 0004; it signs EF 0001 (DF13), EF 0002 (DF28) and
   * EF 0005 (DF43). Needs the raw key (JWK or extractable CryptoKey) for DF28.
   */
  readonly cardKey: RsaPrivateKeyInput;
  /** Public half of `cardKey` for EF 0004; derived when omitted, checked when both are known. */
  readonly cardPublicKey?: RsaPublicKeyInput;
  /**
   * The card's own public key written into DF12 / DF24 / DF42 — on real cards the key of the
   * AP's internal-authentication EF (answers `80 2A 00 00`), not the certified one (MC, [S]).
   * Default: the public half of `cardKey`.
   */
  readonly ownPublicKey?: RsaPublicKeyInput | RsaPrivateKeyInput;
  /** The issuer's private key that signs the CV certificate EF 0004. */
  readonly issuerKey: RsaPrivateKeyInput;
  /** Key identifiers; fictional defaults. */
  readonly keyIds?: FaceApKeyIds;
  /** EF 0003 DF34, 5 ASCII digits; default {@link DEFAULT_MUNICIPALITY_CODE}. */
  readonly municipalityCode?: string;
  /** EF 0003 DF31, 4 bytes; default `06 03 0E 01`. */
  readonly apIdentification?: Uint8Array;
  /** EF 0003 DF33 version byte; default `0x01` [U]. */
  readonly apVersion?: number;
  /** The 256 opaque bytes of EF 0003 DF35; default a stable SHA-256 expansion of a label. */
  readonly opaqueBlock?: Uint8Array;
  /** What the EF 0004 signature covers; default `'body-value'`. */
  readonly cvSignatureCoverage?: CvSignatureCoverage;
}

/** The five readable data EFs of the face AP. */
export interface FaceApFiles {
  /** EF 0001 age record (FF10), 547 bytes. */
  readonly ef0001: Uint8Array;
  /** EF 0002 card face (FF20 with offset table). */
  readonly ef0002: Uint8Array;
  /** EF 0003 AP basic info (FF30). */
  readonly ef0003: Uint8Array;
  /** EF 0004 CV certificate, 568 bytes. */
  readonly ef0004: Uint8Array;
  /** EF 0005 個人番号 image record (FF40). */
  readonly ef0005: Uint8Array;
}

/**
 * DigestInfo of the card-face signature (card-facts §3.3, [S]): SEQUENCE { SHA-256
 * AlgorithmIdentifier, OCTET STRING of the 96-byte concatenation of SHA-256(segment) for the
 * three segments } — 115 bytes, `30 71 … 04 60 …`.
 */
export function faceSignatureDigestInfo(segments: readonly [Uint8Array, Uint8Array, Uint8Array]): Uint8Array {
  const digests = concatBytes(...segments.map((s) => sha256(s)));
  return encodeTlv(0x30, [SHA256_ALGORITHM_ID, encodeTlv(0x04, digests)]);
}

/**
 * EF 0001 age record (card-facts §3.3): `FF 10 82 02 1E` { `DF11 08` YYYYMMDD; `DF12 82 01 09`
 * public key (`90`/`91`); `DF13 82 01 00` signature }. The signature is RSASSA-PKCS1-v1_5 /
 * SHA-256 by `cardKey` over the DF11 TLV ‖ DF12 TLV ("all objects before DF13", outer header
 * excluded; MC `bytes_before`). The outer length is computed, and equals 0x21E for e = 65537.
 */
export async function buildFaceAgeRecord(
  birthDate: string,
  ownPublicKey: Uint8Array,
  cardKey: RsaPrivateKeyInput,
): Promise<Uint8Array> {
  const signed = concatBytes(
    encodeTlv(0xdf11, cardDate(birthDate, 'birthDate')),
    encodeTlv(0xdf12, ownPublicKey),
  );
  return encodeTlv(0xff10, [signed, encodeTlv(0xdf13, await signPkcs1Sha256(cardKey, signed))]);
}

/**
 * EF 0005 個人番号 image (card-facts §3.3): `FF 40` { `DF41` PNG; `DF42` public key;
 * `DF43 82 01 00` signature by `cardKey`, RSASSA-PKCS1-v1_5 / SHA-256 over DF41 TLV ‖ DF42 TLV }.
 */
export async function buildFaceMyNumberImageRecord(
  png: Uint8Array,
  ownPublicKey: Uint8Array,
  cardKey: RsaPrivateKeyInput,
): Promise<Uint8Array> {
  const signed = concatBytes(encodeTlv(0xdf41, png), encodeTlv(0xdf42, ownPublicKey));
  return encodeTlv(0xff40, [signed, encodeTlv(0xdf43, await signPkcs1Sha256(cardKey, signed))]);
}

/** Input of {@link buildFaceCardFile}. */
export interface FaceCardFileInput {
  /** 生年月日. */
  readonly birthDate: string;
  /** 性別 card code. */
  readonly sex: string;
  /** 有効期限. */
  readonly expiryDate: string;
  /** The `90`/`91` encoded key for DF24. */
  readonly ownPublicKey: Uint8Array;
  /** 氏名 PNG. */
  readonly nameImage: Uint8Array;
  /** 住所 PNG. */
  readonly addressImage: Uint8Array;
  /** 顔写真 JP2. */
  readonly photo: Uint8Array;
  /** セキュリティコード PNG. */
  readonly securityCodeImage: Uint8Array;
  /** Signer (the key certified in EF 0004). */
  readonly cardKey: RsaPrivateKeyInput;
}

/**
 * EF 0002 card face (card-facts §3.3): `FF 20 82 xx xx` { `DF21 12` offset table; `DF22`
 * YYYYMMDD; `DF23` sex; `DF24` public key; `DF25` name PNG; `DF26` address PNG; `DF27` photo
 * JP2; `DF28 82 01 00` signature; `DF29` expiry YYYYMMDD; `DF2A` security-code PNG }.
 *
 * - The offset table has one 2-byte big-endian entry per following object — nine, DF22..DF2A —
 *   each the position of that object's tag from the first byte of the file (MC's layout).
 * - DF28 = RSA PKCS#1 v1.5 type-1 padding of {@link faceSignatureDigestInfo} over the segments
 *   (DF22‖DF23‖DF24 TLVs), (DF25‖DF26 TLVs), (DF27 TLV), signed with `cardKey` [S].
 *   DF29 and DF2A follow the signature and are not covered.
 */
export async function buildFaceCardFile(input: FaceCardFileInput): Promise<Uint8Array> {
  const df22 = encodeTlv(0xdf22, cardDate(input.birthDate, 'birthDate'));
  const df23 = encodeTlv(0xdf23, sexCode(input.sex));
  const df24 = encodeTlv(0xdf24, input.ownPublicKey);
  const df25 = encodeTlv(0xdf25, input.nameImage);
  const df26 = encodeTlv(0xdf26, input.addressImage);
  const df27 = encodeTlv(0xdf27, input.photo);
  const digestInfo = faceSignatureDigestInfo([
    concatBytes(df22, df23, df24),
    concatBytes(df25, df26),
    df27,
  ]);
  const signature = rsaSignPkcs1(rsaKeyFromJwk(await toJwk(input.cardKey)), digestInfo);
  const df28 = encodeTlv(0xdf28, signature);
  const df29 = encodeTlv(0xdf29, cardDate(input.expiryDate, 'expiryDate'));
  const df2a = encodeTlv(0xdf2a, input.securityCodeImage);
  return withOffsetTable(0xff20, 0xdf21, [df22, df23, df24, df25, df26, df27, df28, df29, df2a]);
}

/**
 * EF 0003 AP basic info (card-facts §3.3): `FF 30` { `DF31 04` identification; `DF32 10` key
 * ID; `DF33 01` version; `DF34 05` municipality code; `DF35 82 01 10` 16-byte reference ‖ 256
 * opaque bytes }.
 */
export function buildFaceApBasicInfo(
  options: {
    readonly identification?: Uint8Array;
    readonly keyId?: Uint8Array;
    readonly version?: number;
    readonly municipalityCode?: string;
    readonly opaqueReference?: Uint8Array;
    readonly opaqueBlock?: Uint8Array;
  } = {},
): Uint8Array {
  const identification = options.identification ?? DEFAULT_FACE_AP_IDENTIFICATION;
  if (identification.length !== 4) throw new InvalidArgumentError('apIdentification must be 4 bytes');
  const version = options.version ?? 1;
  if (!Number.isInteger(version) || version < 0 || version > 0xff) {
    throw new InvalidArgumentError('apVersion must be a byte');
  }
  const opaque = options.opaqueBlock ?? defaultOpaqueBlock();
  if (opaque.length !== FACE_AP_OPAQUE_LENGTH) throw new InvalidArgumentError('opaqueBlock must be 256 bytes');
  return encodeTlv(0xff30, [
    encodeTlv(0xdf31, identification),
    encodeTlv(0xdf32, keyId(options.keyId ?? makeKeyId('9000024'), 'keyIds.apKey')),
    encodeTlv(0xdf33, Uint8Array.of(version)),
    encodeTlv(0xdf34, digits(options.municipalityCode ?? DEFAULT_MUNICIPALITY_CODE, 5, 'municipalityCode')),
    encodeTlv(0xdf35, [
      keyId(options.opaqueReference ?? makeKeyId('9000025'), 'keyIds.opaqueReference'),
      opaque,
    ]),
  ]);
}

/** 256 stable pseudo-random bytes: SHA-256(label ‖ counter) for counters 0..7. */
function defaultOpaqueBlock(): Uint8Array {
  const blocks: Uint8Array[] = [];
  for (let i = 0; i < 8; i++) blocks.push(sha256(concatBytes(utf8('mynacard virtual face AP DF35'), Uint8Array.of(i))));
  return concatBytes(...blocks);
}

/**
 * Build the contents of the face AP's data EFs 0001–0005 (card-facts §3.3) for the virtual
 * card: every signature verifies with the key certified in EF 0004.
 */
export async function buildFaceApFiles(input: FaceApInput): Promise<FaceApFiles> {
  const certified = await resolveCardPublicKey(input.cardKey, input.cardPublicKey);
  const own = encodeCardPublicKey(
    input.ownPublicKey === undefined ? certified : await rsaPublicKeyBytes(input.ownPublicKey),
  );
  const fixtures = defaultFaceImages();
  const images = { ...fixtures, ...definedImages(input.images) };
  const ef0001 = await buildFaceAgeRecord(input.birthDate, own, input.cardKey);
  const ef0002 = await buildFaceCardFile({
    birthDate: input.birthDate,
    sex: input.sex,
    expiryDate: input.expiryDate,
    ownPublicKey: own,
    nameImage: images.name,
    addressImage: images.address,
    photo: images.photo,
    securityCodeImage: images.securityCode,
    cardKey: input.cardKey,
  });
  const ef0003 = buildFaceApBasicInfo({
    ...(input.apIdentification === undefined ? {} : { identification: input.apIdentification }),
    ...(input.keyIds?.apKey === undefined ? {} : { keyId: input.keyIds.apKey }),
    ...(input.apVersion === undefined ? {} : { version: input.apVersion }),
    ...(input.municipalityCode === undefined ? {} : { municipalityCode: input.municipalityCode }),
    ...(input.keyIds?.opaqueReference === undefined ? {} : { opaqueReference: input.keyIds.opaqueReference }),
    ...(input.opaqueBlock === undefined ? {} : { opaqueBlock: input.opaqueBlock }),
  });
  const ef0004 = await buildCvCertificate({
    issuerKeyId: input.keyIds?.cvIssuer ?? makeKeyId('9000023'),
    subjectKeyId: input.keyIds?.cvSubject ?? makeKeyId('9100023'),
    publicKey: certified,
    issuerKey: input.issuerKey,
    ...(input.cvSignatureCoverage === undefined ? {} : { signatureCoverage: input.cvSignatureCoverage }),
  });
  const ef0005 = await buildFaceMyNumberImageRecord(images.myNumber, own, input.cardKey);
  return { ef0001, ef0002, ef0003, ef0004, ef0005 };
}

function definedImages(images: FaceImages | undefined): Partial<Record<keyof FaceImages, Uint8Array>> {
  const out: Partial<Record<keyof FaceImages, Uint8Array>> = {};
  if (images === undefined) return out;
  for (const key of ['name', 'address', 'photo', 'securityCode', 'myNumber'] as const) {
    const value = images[key];
    if (value !== undefined) {
      if (!(value instanceof Uint8Array) || value.length === 0) {
        throw new InvalidArgumentError(`images.${key} must be non-empty bytes`);
      }
      out[key] = value;
    }
  }
  return out;
}
