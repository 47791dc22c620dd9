/**
 * Reason codes of PDF signature verification (`verifyPdf` in `mynacard/pdf`) and their Japanese
 * and English texts. The codes are stable; the CMS and chain reasons of each signature are the
 * ones of `verifyCms`.
 * @packageDocumentation
 */
import type { TimestampReason } from '../crypto/timestamp.js';
import type { LocalizedText } from './types.js';

/**
 * Why a PDF signature, or the document, is not valid (stable strings):
 * - `document-malformed` / `document-encrypted` — the file cannot be read (document level);
 * - `no-signatures` — the document has no signature field (document level);
 * - `too-many-signature-fields` — more signature fields than a verifier checks (document level);
 * - `unsigned-field` — a signature field without a value (`/V`);
 * - `signature-dictionary-malformed` — the `/V` is not a signature dictionary with a ByteRange and Contents;
 * - `signature-empty` — `/Contents` is empty or only zeros;
 * - `unsupported-sub-filter` — neither `adbe.pkcs7.detached` nor `ETSI.CAdES.detached`;
 * - `byte-range-malformed` — not four non-negative integers inside the file;
 * - `byte-range-not-from-start` — the first range does not start at byte 0;
 * - `byte-range-overlap` — the second range starts before the first ends;
 * - `byte-range-gap` — the hole between the ranges is not exactly the `/Contents` string;
 * - `byte-range-not-revision-end` — the covered bytes do not end at a revision's `%%EOF`;
 * - `revision-chain-broken` — later cross-reference sections do not lead back to the signed revision;
 * - `xref-points-into-signed-revision` — a later section re-points an object at bytes of the signed revision;
 * - `changed-after-signing` — a later revision changes objects of the signed one other than by adding signatures;
 * - `appended-unknown-data` — bytes after the last revision, or later sections that cannot be read;
 * - `signing-time-outside-validity` — the claimed signing time is outside the certificate's validity.
 */
export type PdfReason =
  | 'document-malformed'
  | 'document-encrypted'
  | 'no-signatures'
  | 'too-many-signature-fields'
  | 'unsigned-field'
  | 'signature-dictionary-malformed'
  | 'signature-empty'
  | 'unsupported-sub-filter'
  | 'byte-range-malformed'
  | 'byte-range-not-from-start'
  | 'byte-range-overlap'
  | 'byte-range-gap'
  | 'byte-range-not-revision-end'
  | 'revision-chain-broken'
  | 'xref-points-into-signed-revision'
  | 'changed-after-signing'
  | 'appended-unknown-data'
  | 'signing-time-outside-validity';

/** The signed file was changed, or its signature does not cover what it claims to. */
const ALTERED: LocalizedText = {
  ja: ['署名の後でPDFが変更されているか、署名が文書全体を対象としていません。', '署名された元のPDFファイルを送ってもらってください。'],
  en: ['The PDF was changed after signing, or the signature does not cover the whole document.', 'Ask for the original signed PDF file.'],
};

/** The signature data in the PDF is damaged. */
const BROKEN: LocalizedText = {
  ja: ['PDFの署名データの形式が正しくありません。', '署名された元のPDFファイルを送ってもらってください。'],
  en: ['The signature data in the PDF is malformed.', 'Ask for the original signed PDF file.'],
};

/** Texts of every {@link PdfReason}. */
export const PDF_REASON_TEXTS: Readonly<Record<PdfReason, LocalizedText>> = {
  'document-malformed': {
    ja: ['PDFファイルが壊れているか、PDFではありません。', '正しいPDFファイルか確かめてください。'],
    en: ['The PDF file is damaged or is not a PDF.', 'Check that it is the right PDF file.'],
  },
  'document-encrypted': {
    ja: ['暗号化（パスワード保護）されたPDFの署名は検証できません。', '保護のないPDFファイルを送ってもらってください。'],
    en: ['Signatures in an encrypted (password-protected) PDF cannot be verified.', 'Ask for an unprotected PDF file.'],
  },
  'no-signatures': {
    ja: ['このPDFには署名がありません。', '署名したPDFファイルか確かめてください。'],
    en: ['This PDF has no signature.', 'Check that it is the signed PDF file.'],
  },
  'too-many-signature-fields': {
    ja: ['このPDFには署名欄が多すぎるため、検証しません。', '署名された元のPDFファイルか確かめてください。'],
    en: ['This PDF has too many signature fields to verify.', 'Check that it is the original signed PDF.'],
  },
  'unsigned-field': {
    ja: ['署名欄に署名がありません。', '署名が済んだPDFファイルを送ってもらってください。'],
    en: ['A signature field has no signature.', 'Ask for the PDF file after it has been signed.'],
  },
  'signature-dictionary-malformed': BROKEN,
  'signature-empty': BROKEN,
  'unsupported-sub-filter': {
    ja: ['対応していない形式の署名です。', 'マイナンバーカードで署名したPDFファイルか確かめてください。'],
    en: ['The signature is in a format that is not supported.', 'Check that the PDF was signed with a My Number Card.'],
  },
  'byte-range-malformed': BROKEN,
  'byte-range-not-from-start': ALTERED,
  'byte-range-overlap': ALTERED,
  'byte-range-gap': ALTERED,
  'byte-range-not-revision-end': ALTERED,
  'revision-chain-broken': ALTERED,
  'xref-points-into-signed-revision': ALTERED,
  'changed-after-signing': ALTERED,
  'appended-unknown-data': ALTERED,
  'signing-time-outside-validity': {
    ja: ['署名した日時に、電子証明書が有効期間内ではありませんでした。', '有効な電子証明書で署名し直してもらってください。'],
    en: ['The certificate was not within its validity period at the time of signing.', 'Ask for the PDF to be signed again with a valid certificate.'],
  },
};

/** The timestamp does not hold. */
const BAD_TIMESTAMP: LocalizedText = {
  ja: ['署名のタイムスタンプを確認できません。', '署名された元のPDFファイルか確かめてください。続く場合はシステムの担当者に連絡してください。'],
  en: ['The signature timestamp cannot be confirmed.', 'Check that it is the original signed PDF. If it keeps failing, contact the system administrator.'],
};

/** Texts of every {@link TimestampReason} (signature timestamps of PAdES B-T). */
export const TIMESTAMP_REASON_TEXTS: Readonly<Record<TimestampReason, LocalizedText>> = {
  'timestamp-malformed': BAD_TIMESTAMP,
  'timestamp-imprint-mismatch': BAD_TIMESTAMP,
  'timestamp-nonce-mismatch': BAD_TIMESTAMP,
  'timestamp-signature-invalid': BAD_TIMESTAMP,
  'timestamp-certificate-invalid': BAD_TIMESTAMP,
  'timestamp-untrusted': {
    ja: ['タイムスタンプ局が信頼できる発行元として登録されていません。', '信頼するタイムスタンプ局の証明書を設定してください。'],
    en: ['The timestamp authority is not one of the trusted ones.', 'Configure the certificates of the trusted timestamp authorities.'],
  },
};
