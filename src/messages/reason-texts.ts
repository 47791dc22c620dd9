/**
 * Japanese and English texts of every verification reason code: certificate chains
 * ({@link ChainReason}), CMS ({@link CmsReason}), authentication ({@link AuthenticationReason}),
 * raw signatures ({@link RawSignatureReason}), card-record integrity ({@link IntegrityReason}) and
 * why a revocation status is unknown ({@link RevocationUnknownReason}), PDF signatures ({@link PdfReason}, {@link TimestampReason}).
 * @packageDocumentation
 */
import type { AuthenticationReason } from '../crypto/authenticate.js';
import type { ChainReason } from '../crypto/chain.js';
import type { CmsReason } from '../crypto/cms.js';
import type { IntegrityReason } from '../crypto/integrity.js';
import type { RevocationUnknownReason } from '../crypto/revocation/types.js';
import type { RawSignatureReason } from '../crypto/signature.js';
import type { TimestampReason } from '../crypto/timestamp.js';
import { PDF_REASON_TEXTS, TIMESTAMP_REASON_TEXTS, type PdfReason } from './pdf-reason-texts.js';
import type { LocalizedText } from './types.js';

/** Every reason code a verification result of the SDK may carry. */
export type VerificationReason =
  | ChainReason
  | CmsReason
  | AuthenticationReason
  | RawSignatureReason
  | IntegrityReason
  | RevocationUnknownReason
  | PdfReason
  | TimestampReason;

const RENEW_JA = '電子証明書の更新は、お住まいの市区町村の窓口で行います。';
const RENEW_EN = 'Certificates are renewed at the municipal office (市区町村の窓口) where the holder lives.';

/** The certificate is not one a My Number Card issues (or is damaged). */
const NOT_JPKI: LocalizedText = {
  ja: [
    'マイナンバーカードの電子証明書として正しくありません。',
    '正しいファイルか確かめてください。続く場合はシステムの担当者に連絡してください。',
  ],
  en: [
    'This is not a valid My Number Card certificate.',
    'Check that it is the right file. If it keeps failing, contact the system administrator.',
  ],
};

/** The certificate was not issued by a trusted issuer. */
const UNTRUSTED: LocalizedText = {
  ja: [
    '電子証明書の発行元を確認できません（信頼する発行元が発行したものではありません）。',
    '本物のマイナンバーカードの電子証明書か確かめてください。',
  ],
  en: [
    'The certificate issuer cannot be confirmed (it was not issued by a trusted issuer).',
    'Check that it is a genuine My Number Card certificate.',
  ],
};

/** The signed data or the signature was changed. */
const TAMPERED: LocalizedText = {
  ja: ['署名を確かめられません。署名の後でデータが変更されたか、別のデータの署名です。', '署名された元のファイルを確かめてください。'],
  en: [
    'The signature does not match: the data was changed after signing, or the signature is for other data.',
    'Check that these are the original signed files.',
  ],
};

/** Signed data that is malformed or lacks required parts. */
const MALFORMED_SIGNATURE: LocalizedText = {
  ja: ['署名データの形式が正しくありません。', '正しい署名ファイルか確かめてください。'],
  en: ['The signature data is malformed.', 'Check that it is the right signature file.'],
};

/** An authentication response that does not belong to this login. */
const LOGIN_AGAIN: LocalizedText = {
  ja: ['このログインの応答として正しくありません。', 'もう一度ログインしてください。'],
  en: ['The response does not belong to this login.', 'Log in again.'],
};

/** The relying party's revocation source could not answer (a service or configuration problem). */
const REVOCATION_SOURCE: LocalizedText = {
  ja: [
    '電子証明書が失効していないか確認できませんでした（失効情報の提供元から正しい応答がありません）。',
    'しばらくしてからもう一度お試しください。続く場合はシステムの担当者に連絡してください。',
  ],
  en: [
    'Whether the certificate was revoked could not be confirmed (no valid answer from the revocation source).',
    'Try again later. If it keeps failing, contact the system administrator.',
  ],
};

/** The revocation data obtained cannot be used (its form or scope is not supported, or it is not trustworthy). */
const REVOCATION_DATA: LocalizedText = {
  ja: [
    '電子証明書が失効していないか確認できませんでした（失効情報を使えません）。',
    'システムの担当者に連絡してください。',
  ],
  en: [
    'Whether the certificate was revoked could not be confirmed (the revocation data cannot be used).',
    'Contact the system administrator.',
  ],
};

/** The revocation data is out of date (or the clock is wrong). */
const REVOCATION_DATE: LocalizedText = {
  ja: [
    '電子証明書が失効していないか確認できませんでした（失効情報の有効期間外です）。',
    '日時の設定が正しいか確かめてください。続く場合はシステムの担当者に連絡してください。',
  ],
  en: [
    'Whether the certificate was revoked could not be confirmed (the revocation data is not current).',
    'Check that the date and time are set correctly. If it keeps failing, contact the system administrator.',
  ],
};

/** Texts of every reason code. */
export const REASON_TEXTS: Readonly<Record<VerificationReason, LocalizedText>> = {
  ...PDF_REASON_TEXTS,
  ...TIMESTAMP_REASON_TEXTS,
  'malformed-certificate': NOT_JPKI,
  'kind-unknown': NOT_JPKI,
  'leaf-is-ca': NOT_JPKI,
  'leaf-self-signed': UNTRUSTED,
  'no-issuer-found': UNTRUSTED,
  'signature-invalid': {
    ja: ['署名を検証できません（改ざんされたか、発行元が違います）。', '正しいデータか確かめてください。'],
    en: ['The signature does not verify (altered, or another issuer).', 'Check that the data is genuine.'],
  },
  'issuer-name-mismatch': UNTRUSTED,
  'authority-key-id-mismatch': UNTRUSTED,
  'root-purpose-mismatch': UNTRUSTED,
  'leaf-expired': {
    ja: ['電子証明書の有効期限が切れています。', RENEW_JA],
    en: ['The certificate has expired.', RENEW_EN],
  },
  'leaf-not-yet-valid': {
    ja: ['電子証明書の有効期間がまだ始まっていません。', '日時の設定が正しいか確かめてください。'],
    en: ['The certificate is not valid yet.', 'Check that the date and time are set correctly.'],
  },
  'root-expired': {
    ja: ['電子証明書の発行元の有効期限が切れています。', 'システムの担当者に連絡してください。'],
    en: ["The issuer's certificate has expired.", 'Contact the system administrator.'],
  },
  'root-not-yet-valid': {
    ja: ['電子証明書の発行元の有効期間がまだ始まっていません。', '日時の設定が正しいか確かめてください。'],
    en: ["The issuer's certificate is not valid yet.", 'Check that the date and time are set correctly.'],
  },
  'root-not-ca': UNTRUSTED,
  'key-usage-mismatch': NOT_JPKI,
  'extended-key-usage-mismatch': NOT_JPKI,
  'policy-mismatch': NOT_JPKI,
  'unknown-critical-extension': NOT_JPKI,
  'weak-key': {
    ja: ['電子証明書の鍵が短すぎて安全ではありません。', 'システムの担当者に連絡してください。'],
    en: ['The certificate key is too short to be safe.', 'Contact the system administrator.'],
  },
  'sha1-signature': {
    ja: ['安全でない古い方式（SHA-1）の署名です。', 'システムの担当者に連絡してください。'],
    en: ['The signature uses an old, unsafe algorithm (SHA-1).', 'Contact the system administrator.'],
  },
  'unsupported-algorithm': {
    ja: ['対応していない暗号方式の署名です。', 'システムの担当者に連絡してください。'],
    en: ['The signature uses an algorithm that is not supported.', 'Contact the system administrator.'],
  },
  'unsupported-curve': {
    ja: ['対応していない楕円曲線の鍵です（P-256 と P-384 だけに対応しています）。', 'システムの担当者に連絡してください。'],
    en: ['The key is on an elliptic curve that is not supported (only P-256 and P-384 are).', 'Contact the system administrator.'],
  },
  'hash-curve-mismatch': {
    ja: ['署名のハッシュ方式が鍵の楕円曲線に合いません（P-256 は SHA-256、P-384 は SHA-384）。', 'システムの担当者に連絡してください。'],
    en: ["The signature's hash does not match the key's curve (P-256 takes SHA-256, P-384 takes SHA-384).", 'Contact the system administrator.'],
  },
  'malformed-signature': MALFORMED_SIGNATURE,
  'malformed-cms': MALFORMED_SIGNATURE,
  'unsupported-signer-count': {
    ja: ['署名者がちょうど1人ではない署名です（対応していません）。', '1人が署名したファイルを使ってください。'],
    en: ['The signature does not have exactly one signer (not supported).', 'Use a file signed by one person.'],
  },
  'signed-attributes-missing': MALFORMED_SIGNATURE,
  'content-missing': {
    ja: [
      '署名の対象のデータが含まれていません（署名とデータが別のファイルになっています）。',
      '署名されたデータのファイルも一緒に指定してください。',
    ],
    en: [
      'The signed data is not included (the signature and the data are separate files).',
      'Provide the signed data file together with the signature.',
    ],
  },
  'content-mismatch': TAMPERED,
  'content-type-mismatch': MALFORMED_SIGNATURE,
  'message-digest-mismatch': TAMPERED,
  'signer-certificate-missing': {
    ja: ['署名者の電子証明書が署名に含まれていません。', '署名者の電子証明書を含む署名ファイルを使ってください。'],
    en: ["The signer's certificate is not in the signature.", "Use a signature file that includes the signer's certificate."],
  },
  'cms-signature-invalid': TAMPERED,
  'signing-certificate-missing': MALFORMED_SIGNATURE,
  'signing-certificate-mismatch': TAMPERED,
  'signed-attributes-not-der': TAMPERED,
  'kind-mismatch': {
    ja: [
      '電子証明書の種類が違います（署名用と利用者証明用を取り違えています）。',
      '目的に合った電子証明書（署名には署名用、ログインには利用者証明用）を使ってください。',
    ],
    en: [
      'The certificate is of the other kind (signing and authentication certificates are mixed up).',
      'Use the certificate meant for the purpose (signing certificate to sign, authentication certificate to log in).',
    ],
  },
  'malformed-message': LOGIN_AGAIN,
  'context-mismatch': LOGIN_AGAIN,
  'origin-mismatch': {
    ja: ['別のサイト（サービス）あての認証の応答です。', 'このサイトで、もう一度ログインしてください。'],
    en: ['The authentication response is addressed to another site (service).', 'Log in again on this site.'],
  },
  'challenge-mismatch': LOGIN_AGAIN,
  'timestamp-too-old': {
    ja: ['認証の応答が古すぎます。', 'もう一度ログインしてください。続く場合は端末の時計が合っているか確かめてください。'],
    en: ['The authentication response is too old.', "Log in again. If it keeps failing, check the device's clock."],
  },
  'timestamp-in-future': {
    ja: ['認証の応答の時刻が未来になっています。', '端末の時計が合っているか確かめて、もう一度ログインしてください。'],
    en: ["The authentication response's time is in the future.", "Check the device's clock and log in again."],
  },
  'challenge-signature-invalid': {
    ja: ['認証の署名を確かめられません。', 'もう一度ログインしてください。'],
    en: ['The authentication signature does not verify.', 'Log in again.'],
  },
  'data-signature-invalid': TAMPERED,
  'auth-key-not-allowed': {
    ja: [
      '利用者証明用（ログイン用）の電子証明書による署名は、文書の署名として受け付けません。',
      '署名用電子証明書で署名してください。',
    ],
    en: [
      'A signature made with the authentication (login) certificate is not accepted as a document signature.',
      'Sign with the signing certificate.',
    ],
  },
  'not-signing-certificate': NOT_JPKI,
  'malformed-record': {
    ja: ['カードのデータの形式が正しくありません。', 'お住まいの市区町村の窓口でカードを確認してもらってください。'],
    en: ["The card's data is malformed.", 'Have the card checked at the municipal office.'],
  },
  'malformed-cv-certificate': {
    ja: ['カードのデータの形式が正しくありません。', 'お住まいの市区町村の窓口でカードを確認してもらってください。'],
    en: ["The card's data is malformed.", 'Have the card checked at the municipal office.'],
  },
  'my-number-digest-mismatch': {
    ja: ['カードのデータが改ざんされている可能性があります。', 'お住まいの市区町村の窓口でカードを確認してもらってください。'],
    en: ["The card's data may have been altered.", 'Have the card checked at the municipal office.'],
  },
  'attributes-digest-mismatch': {
    ja: ['カードのデータが改ざんされている可能性があります。', 'お住まいの市区町村の窓口でカードを確認してもらってください。'],
    en: ["The card's data may have been altered.", 'Have the card checked at the municipal office.'],
  },
  'cv-certificate-signature-invalid': {
    ja: ['カードのデータが改ざんされている可能性があります。', 'お住まいの市区町村の窓口でカードを確認してもらってください。'],
    en: ["The card's data may have been altered.", 'Have the card checked at the municipal office.'],
  },
  'certificate-revoked': {
    ja: [
      'この電子証明書は失効しています（カードの紛失・廃止・記載事項の変更などによります）。',
      '電子証明書の再発行は、お住まいの市区町村の窓口で行います。',
    ],
    en: [
      'This certificate has been revoked (e.g. the card was lost or returned, or its details changed).',
      'A new certificate is issued at the municipal office (市区町村の窓口) where the holder lives.',
    ],
  },
  'revocation-status-unknown': REVOCATION_SOURCE,
  'ocsp-no-url': REVOCATION_DATA,
  'ocsp-unreachable': REVOCATION_SOURCE,
  'ocsp-timeout': REVOCATION_SOURCE,
  'ocsp-http-error': REVOCATION_SOURCE,
  'ocsp-response-too-large': REVOCATION_SOURCE,
  'ocsp-malformed-response': REVOCATION_SOURCE,
  'ocsp-unsuccessful': REVOCATION_SOURCE,
  'ocsp-signature-invalid': REVOCATION_DATA,
  'ocsp-responder-unauthorized': REVOCATION_DATA,
  'ocsp-cert-id-mismatch': REVOCATION_SOURCE,
  'ocsp-status-unknown': {
    ja: [
      '失効情報の提供元がこの電子証明書を知りません。',
      '本物のマイナンバーカードの電子証明書か確かめてください。続く場合はシステムの担当者に連絡してください。',
    ],
    en: [
      'The revocation source does not know this certificate.',
      'Check that it is a genuine My Number Card certificate. If it keeps failing, contact the system administrator.',
    ],
  },
  'ocsp-nonce-missing': REVOCATION_DATA,
  'ocsp-nonce-mismatch': REVOCATION_DATA,
  'crl-not-found': REVOCATION_DATA,
  'crl-unavailable': REVOCATION_SOURCE,
  'crl-malformed': REVOCATION_DATA,
  'crl-delta-unsupported': REVOCATION_DATA,
  'crl-scope-unsupported': REVOCATION_DATA,
  'crl-unsupported-critical-extension': REVOCATION_DATA,
  'crl-signature-invalid': REVOCATION_DATA,
  'response-stale': REVOCATION_DATE,
  'response-not-yet-valid': REVOCATION_DATE,
};

/** The text of a reason code the SDK does not know. */
export const UNKNOWN_REASON_TEXT: LocalizedText = {
  ja: ['検証に失敗しました。', 'システムの担当者に連絡してください。'],
  en: ['The verification failed.', 'Contact the system administrator.'],
};
