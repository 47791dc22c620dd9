/**
 * Integrity of the card's own data records (card-facts §3.2–3.3):
 *
 * - 券面事項入力補助AP: EF 0003 holds `DF31` SHA-256 of EF 0001 (個人番号, 17 physical bytes),
 *   `DF32` SHA-256 of EF 0002 (基本4情報) from the `DF22` tag to the end of the `FF20` value,
 *   and `DF33` an RSASSA-PKCS1-v1_5 / SHA-256 signature by the key certified in EF 0004.
 * - 券面事項確認AP: EF 0002 `DF28` is a PKCS#1 v1.5 signature, by the key of that AP's EF 0004,
 *   of a DigestInfo whose OCTET STRING is SHA-256(DF22‖DF23‖DF24) ‖ SHA-256(DF25‖DF26) ‖
 *   SHA-256(DF27) (96 bytes, so it is checked with the raw RSA operation, not WebCrypto).
 *
 * **What this proves, and what it does not.** A valid signature proves that the records were
 * signed by the key in the card-verifiable certificate (EF 0004) and have not changed since. It
 * does **not** prove that the card is genuine: the CV certificate's issuer key (証明者鍵) is not
 * public, so anybody can produce a self-consistent set of records with their own key. Pass
 * `cvIssuerKey` (e.g. in tests) to also check the CV certificate; without it, `cvCertificate` is
 * `'not-checked'`. Nor does it prove the card was present (copied bytes verify the same): use
 * JPKI authentication for presence, and JPKI signatures for identity.
 * @packageDocumentation
 */
import { concatBytes, equalBytes } from '../bytes.js';
import { InvalidArgumentError } from '../errors.js';
import { hashData } from '../hash/digest-info.js';
import { decodeTlv, encodeTlv, type TlvNode } from '../tlv/index.js';
import { CARD_KEY_BITS, keyInBounds, MAX_ISSUER_KEY_BITS, recoverDigestInfo } from './rsa-recover.js';

/** An RSA public key as big-endian bytes (the card's `90`/`91` form). */
export interface RsaPublicKeyParts {
  /** Modulus, big-endian. */
  readonly modulus: Uint8Array;
  /** Public exponent, big-endian. */
  readonly exponent: Uint8Array;
}

/** A card-verifiable certificate (カード検証可能証明書, EF 0004, card-facts §3.2). */
export interface CardVerifiableCertificate {
  /** 証明者鍵ID: names the (non-public) key that signed this certificate. */
  readonly issuerKeyId: Uint8Array;
  /** 被証明者鍵ID: names the certified key. */
  readonly subjectKeyId: Uint8Array;
  /** The certified RSA public key. */
  readonly publicKey: RsaPublicKeyParts;
  /** The `5F4E` value (what the signature covers on production cards, [S]). */
  readonly body: Uint8Array;
  /** The whole `5F4E` TLV. */
  readonly bodyTlv: Uint8Array;
  /** The `5F37` signature. */
  readonly signature: Uint8Array;
}

/** Outcome of one part of an integrity check. */
export type IntegrityStatus = 'valid' | 'invalid' | 'not-checked';

/**
 * Why an integrity check failed (stable strings):
 * `malformed-record`, `malformed-cv-certificate`, `signature-invalid` (the record signature does
 * not verify with the EF 0004 key), `my-number-digest-mismatch`, `attributes-digest-mismatch`,
 * `cv-certificate-signature-invalid`.
 */
export type IntegrityReason =
  | 'malformed-record'
  | 'malformed-cv-certificate'
  | 'signature-invalid'
  | 'my-number-digest-mismatch'
  | 'attributes-digest-mismatch'
  | 'cv-certificate-signature-invalid';

/** Options of the integrity checks. */
export interface IntegrityOptions {
  /** The CV issuer's public key (not public for real cards); checks the EF 0004 signature. */
  readonly cvIssuerKey?: RsaPublicKeyParts;
}

/** The text AP files (raw physical contents, filler included). */
export interface TextApIntegrityInput {
  /**
   * EF 0001 as read (17 bytes: `FF 10 0C` + 12 digits + `FF FF`), or the 12-digit 個人番号 as
   * text, from which the file is rebuilt with the `FF FF` filler of card-facts §3.2 [S] (the bare
   * 15-byte object is tried too). Omit it when it was not read (e.g. opened with 照合番号B).
   */
  readonly myNumber?: Uint8Array | string;
  /** EF 0002 基本4情報. */
  readonly attributes: Uint8Array;
  /** EF 0003 integrity record (336 bytes). */
  readonly integrityRecord: Uint8Array;
  /** EF 0004 CV certificate (568 bytes). */
  readonly cvCertificate: Uint8Array;
}

/** Result of {@link verifyTextApIntegrity}. */
export interface TextApIntegrityResult {
  /** `true` exactly when `reasons` is empty. */
  readonly valid: boolean;
  /** Every problem found. */
  readonly reasons: readonly IntegrityReason[];
  /** EF 0003 signature (DF33) by the EF 0004 key. */
  readonly signature: IntegrityStatus;
  /**
   * Which bytes the signature covered: `'objects'` = DF31 TLV ‖ DF32 TLV (the reading the
   * virtual card uses), `'record-prefix'` = everything before DF33 including the `FF30` header.
   * card-facts says "the preceding bytes" [S]; both readings are tried.
   */
  readonly signatureCoverage?: 'objects' | 'record-prefix';
  /** DF31 = SHA-256(EF 0001); `'not-checked'` without EF 0001. */
  readonly myNumber: IntegrityStatus;
  /** DF32 = SHA-256(EF 0002 from DF22). */
  readonly attributes: IntegrityStatus;
  /** EF 0004 signature by `cvIssuerKey`; `'not-checked'` without it. */
  readonly cvCertificate: IntegrityStatus;
}

/** The face AP files. */
export interface FaceApIntegrityInput {
  /** EF 0002 券面 record (FF20). */
  readonly face: Uint8Array;
  /** EF 0004 CV certificate of the face AP. */
  readonly cvCertificate: Uint8Array;
}

/** Result of {@link verifyFaceApIntegrity}. */
export interface FaceApIntegrityResult {
  /** `true` exactly when `reasons` is empty. */
  readonly valid: boolean;
  /** Every problem found. */
  readonly reasons: readonly IntegrityReason[];
  /** DF28 over the three digests of DF22–DF27 (DF29 有効期限 and DF2A are not covered). */
  readonly signature: IntegrityStatus;
  /** EF 0004 signature by `cvIssuerKey`; `'not-checked'` without it. */
  readonly cvCertificate: IntegrityStatus;
}

/** SHA-256 AlgorithmIdentifier with NULL parameters (RFC 8017 §9.2 note 1). */
const SHA256_ALGORITHM = Uint8Array.of(0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00);

class MalformedError extends Error {
  constructor(readonly reason: IntegrityReason) {
    super(reason);
  }
}

function sha256DigestInfo(digest: Uint8Array): Uint8Array {
  return encodeTlv(0x30, [SHA256_ALGORITHM, encodeTlv(0x04, digest)]);
}

/** Card records are BER with private tags; `FF`/`00` filler may follow the object (card-facts §3.1). */
function decodeRecord(bytes: Uint8Array, tag: number, reason: IntegrityReason): TlvNode {
  if (!(bytes instanceof Uint8Array)) throw new InvalidArgumentError('card records must be Uint8Arrays');
  let nodes: TlvNode[];
  try {
    nodes = decodeTlv(bytes, { mode: 'ber', allowTrailing: true });
  } catch {
    throw new MalformedError(reason);
  }
  const node = nodes[0];
  if (node === undefined || node.tag !== tag) throw new MalformedError(reason);
  return node;
}

function child(node: TlvNode, tag: number, reason: IntegrityReason): TlvNode {
  const found = node.children.find((c) => c.tag === tag);
  if (found === undefined) throw new MalformedError(reason);
  return found;
}

/**
 * Parse a card-verifiable certificate: `7F21` { `5F4E` 証明者鍵ID(16) ‖ 被証明者鍵ID(16) ‖
 * `90` exponent ‖ `91` modulus; `5F37` signature } (card-facts §3.2 EF 0004).
 * @throws InvalidArgumentError when `ef0004` is not a well-formed CV certificate, or its key is
 *   not RSA-2048 with an exponent of at most 4 bytes.
 */
export function parseCardVerifiableCertificate(ef0004: Uint8Array): CardVerifiableCertificate {
  try {
    return cvCertificate(ef0004);
  } catch (error) {
    if (error instanceof MalformedError) throw new InvalidArgumentError('Malformed card-verifiable certificate');
    throw error;
  }
}

function cvCertificate(ef0004: Uint8Array): CardVerifiableCertificate {
  const reason = 'malformed-cv-certificate';
  const root = decodeRecord(ef0004, 0x7f21, reason);
  const body = child(root, 0x5f4e, reason);
  const signature = child(root, 0x5f37, reason);
  const value = body.value;
  if (value.length < 32) throw new MalformedError(reason);
  let keyParts: TlvNode[];
  try {
    keyParts = decodeTlv(value.subarray(32), { mode: 'ber' });
  } catch {
    throw new MalformedError(reason);
  }
  const exponent = keyParts.find((n) => n.tag === 0x90);
  const modulus = keyParts.find((n) => n.tag === 0x91);
  if (exponent === undefined || modulus === undefined || modulus.length === 0) throw new MalformedError(reason);
  if (!keyInBounds({ modulus: modulus.value, exponent: exponent.value }, CARD_KEY_BITS, CARD_KEY_BITS)) {
    throw new MalformedError(reason);
  }
  return {
    issuerKeyId: value.slice(0, 16),
    subjectKeyId: value.slice(16, 32),
    publicKey: { modulus: Uint8Array.from(modulus.value), exponent: Uint8Array.from(exponent.value) },
    body: Uint8Array.from(value),
    bodyTlv: Uint8Array.from(body.encoded),
    signature: Uint8Array.from(signature.value),
  };
}

/** Check the CV certificate with the issuer key (body value, or the whole body TLV). */
/** A caller's `cvIssuerKey` must be a usable RSA key of 2048–4096 bits. */
function checkIssuerKey(options: IntegrityOptions | undefined): void {
  const key = options?.cvIssuerKey;
  if (key === undefined) return;
  if (!(key?.modulus instanceof Uint8Array) || !(key.exponent instanceof Uint8Array) || !keyInBounds(key, CARD_KEY_BITS, MAX_ISSUER_KEY_BITS)) {
    throw new InvalidArgumentError('cvIssuerKey must be an RSA key of 2048 to 4096 bits with an exponent of at most 4 bytes');
  }
}

function cvStatus(certificate: CardVerifiableCertificate, options: IntegrityOptions | undefined): IntegrityStatus {
  const issuerKey = options?.cvIssuerKey;
  if (issuerKey === undefined) return 'not-checked';
  const digestInfo = recoverDigestInfo(issuerKey, certificate.signature);
  if (digestInfo === undefined) return 'invalid';
  const covers = [certificate.body, certificate.bodyTlv].some((data) =>
    equalBytes(digestInfo, sha256DigestInfo(hashData('SHA-256', data))),
  );
  return covers ? 'valid' : 'invalid';
}

function reasonsOf(parts: readonly (readonly [IntegrityStatus, IntegrityReason])[]): IntegrityReason[] {
  return parts.filter(([status]) => status === 'invalid').map(([, reason]) => reason);
}

/**
 * Check the 券面事項入力補助AP integrity record (EF 0003) against EF 0001/0002 and the key in
 * EF 0004, and report which parts hold. See the module notes for what this does not prove.
 * Malformed records are reported (`malformed-record`, `malformed-cv-certificate`), not thrown.
 *
 * @throws InvalidArgumentError when an input is not a Uint8Array, or `cvIssuerKey` is not an RSA
 *   key of 2048–4096 bits with an exponent of at most 4 bytes.
 */
export async function verifyTextApIntegrity(
  files: TextApIntegrityInput,
  options?: IntegrityOptions,
): Promise<TextApIntegrityResult> {
  checkIssuerKey(options);
  let certificate: CardVerifiableCertificate;
  let record: TlvNode;
  let attributeObjects: Uint8Array;
  try {
    certificate = cvCertificate(files.cvCertificate);
    record = decodeRecord(files.integrityRecord, 0xff30, 'malformed-record');
    const attributes = decodeRecord(files.attributes, 0xff20, 'malformed-record');
    const table = attributes.children[0];
    if (table?.tag !== 0xdf21) throw new MalformedError('malformed-record');
    attributeObjects = attributes.value.subarray(table.totalLength);
  } catch (error) {
    if (!(error instanceof MalformedError)) throw error;
    return notChecked(error.reason);
  }
  const objects = record.children;
  const df31 = objects[0];
  const df32 = objects[1];
  const df33 = objects[2];
  if (df31?.tag !== 0xdf31 || df32?.tag !== 0xdf32 || df33?.tag !== 0xdf33) return notChecked('malformed-record');

  const digestInfo = recoverDigestInfo(certificate.publicKey, df33.value);
  const candidates = [
    ['objects', concatBytes(df31.encoded, df32.encoded)],
    ['record-prefix', files.integrityRecord.subarray(0, df33.offset)],
  ] as const;
  const coverage = candidates.find(
    ([, data]) => digestInfo !== undefined && equalBytes(digestInfo, sha256DigestInfo(hashData('SHA-256', data))),
  )?.[0];
  const signature: IntegrityStatus = coverage === undefined ? 'invalid' : 'valid';
  const myNumber: IntegrityStatus =
    files.myNumber === undefined
      ? 'not-checked'
      : myNumberFiles(files.myNumber).some((file) => equalBytes(df31.value, hashData('SHA-256', file)))
        ? 'valid'
        : 'invalid';
  const attributes: IntegrityStatus = equalBytes(df32.value, hashData('SHA-256', attributeObjects)) ? 'valid' : 'invalid';
  const cv = cvStatus(certificate, options);
  const reasons = reasonsOf([
    [signature, 'signature-invalid'],
    [myNumber, 'my-number-digest-mismatch'],
    [attributes, 'attributes-digest-mismatch'],
    [cv, 'cv-certificate-signature-invalid'],
  ]);
  return {
    valid: reasons.length === 0,
    reasons,
    signature,
    ...(coverage === undefined ? {} : { signatureCoverage: coverage }),
    myNumber,
    attributes,
    cvCertificate: cv,
  };
}

/** EF 0001 header `FF 10 0C` and filler `FF FF` (card-facts §3.2). */
const MY_NUMBER_HEADER = Uint8Array.of(0xff, 0x10, 0x0c);
const MY_NUMBER_FILLER = Uint8Array.of(0xff, 0xff);

/** The candidate EF 0001 contents for a 12-digit 個人番号 (or the file as read). */
function myNumberFiles(myNumber: Uint8Array | string): Uint8Array[] {
  if (myNumber instanceof Uint8Array) return [myNumber];
  if (typeof myNumber !== 'string' || !/^[0-9]{12}$/.test(myNumber)) {
    throw new InvalidArgumentError('myNumber must be the EF 0001 bytes or 12 digits');
  }
  const object = concatBytes(MY_NUMBER_HEADER, new TextEncoder().encode(myNumber));
  return [concatBytes(object, MY_NUMBER_FILLER), object];
}

function notChecked(reason: IntegrityReason): TextApIntegrityResult & FaceApIntegrityResult {
  return {
    valid: false,
    reasons: [reason],
    signature: 'not-checked',
    myNumber: 'not-checked',
    attributes: 'not-checked',
    cvCertificate: 'not-checked',
  };
}

/** The three signed segments of the face record: DF22‖DF23‖DF24, DF25‖DF26, DF27 (card-facts §3.3). */
const FACE_SEGMENTS: readonly (readonly number[])[] = [
  [0xdf22, 0xdf23, 0xdf24],
  [0xdf25, 0xdf26],
  [0xdf27],
];

/**
 * Check the 券面事項確認AP card-face signature (EF 0002 `DF28`) with the key in that AP's
 * EF 0004. DF29 (有効期限) and DF2A (セキュリティコード) are outside the signature. See the
 * module notes for what this does not prove.
 *
 * The EF 0004 key must be RSA-2048 with an exponent of at most 4 bytes (else
 * `malformed-cv-certificate`), checked before any arithmetic.
 *
 * @throws InvalidArgumentError when an input is not a Uint8Array, or `cvIssuerKey` is not an RSA
 *   key of 2048–4096 bits with an exponent of at most 4 bytes.
 */
export async function verifyFaceApIntegrity(
  files: FaceApIntegrityInput,
  options?: IntegrityOptions,
): Promise<FaceApIntegrityResult> {
  checkIssuerKey(options);
  let certificate: CardVerifiableCertificate;
  let face: TlvNode;
  try {
    certificate = cvCertificate(files.cvCertificate);
    face = decodeRecord(files.face, 0xff20, 'malformed-record');
  } catch (error) {
    if (!(error instanceof MalformedError)) throw error;
    const { valid, reasons, signature, cvCertificate: cv } = notChecked(error.reason);
    return { valid, reasons, signature, cvCertificate: cv };
  }
  const signatureNode = face.children.find((c) => c.tag === 0xdf28);
  const segments: Uint8Array[] = [];
  for (const tags of FACE_SEGMENTS) {
    const parts = tags.map((tag) => face.children.find((c) => c.tag === tag)?.encoded);
    if (signatureNode === undefined || parts.some((p) => p === undefined)) {
      return { valid: false, reasons: ['malformed-record'], signature: 'not-checked', cvCertificate: 'not-checked' };
    }
    segments.push(concatBytes(...(parts as Uint8Array[])));
  }
  const expected = sha256DigestInfo(concatBytes(...segments.map((s) => hashData('SHA-256', s))));
  const recovered = recoverDigestInfo(certificate.publicKey, signatureNode!.value);
  const signature: IntegrityStatus = recovered !== undefined && equalBytes(recovered, expected) ? 'valid' : 'invalid';
  const cv = cvStatus(certificate, options);
  const reasons = reasonsOf([
    [signature, 'signature-invalid'],
    [cv, 'cv-certificate-signature-invalid'],
  ]);
  return { valid: reasons.length === 0, reasons, signature, cvCertificate: cv };
}
