/**
 * Japanese and English texts of every {@link MynacardErrorCode}, for residents at a counter:
 * what happened and what to do next. The `Record` type makes a missing code a compile error.
 * @packageDocumentation
 */
import type { MynacardErrorCode } from '../errors.js';
import type { LocalizedText, TextParams } from './types.js';

const JA_PIN = '暗証番号';
const EN_PIN = 'PIN';
const JA_OFFICE = 'ロックの解除はお住まいの市区町村の窓口で行います。';
const EN_OFFICE = 'A locked PIN is reset at the municipal office (市区町村の窓口) where the cardholder lives.';

const jaSecret = (p: TextParams): string => p.secret ?? JA_PIN;
const enSecret = (p: TextParams): string => p.secret ?? EN_PIN;
const enTries = (n: number): string => `${n} more wrong ${n === 1 ? 'entry' : 'entries'}`;

/** Card communication failed: put the card back and retry. */
const COMMUNICATION: LocalizedText = {
  ja: [
    'カードとの通信に失敗しました。',
    'カードをリーダーに置き直して、もう一度操作してください。続く場合はリーダーをつなぎ直してください。',
  ],
  en: [
    'Communication with the card failed.',
    'Place the card on the reader again and retry. If it keeps failing, reconnect the reader.',
  ],
};

/** The card refused a command or answered something unexpected. */
const CARD_REFUSED: LocalizedText = {
  ja: [
    'カードが操作を受け付けませんでした。',
    'カードを置き直して、もう一度操作してください。続く場合はシステムの担当者に連絡してください。',
  ],
  en: [
    'The card refused the operation.',
    'Place the card on the reader again and retry. If it keeps failing, contact the system administrator.',
  ],
};

/** A program error in the application (wrong input, malformed data from the app). */
const APP_ERROR: LocalizedText = {
  ja: ['アプリの処理で問題が起きました（プログラムの不具合の可能性があります）。', 'システムの担当者に連絡してください。'],
  en: ['The application ran into a problem (possibly a bug).', 'Contact the system administrator.'],
};

/** Data that should have a fixed format does not. */
const MALFORMED_DATA: LocalizedText = {
  ja: [
    'データの形式が正しくありません。',
    'もう一度読み取ってください。続く場合はシステムの担当者に連絡してください。',
  ],
  en: ['The data is not in the expected format.', 'Read it again. If it keeps failing, contact the system administrator.'],
};

/** A certificate or signature that cannot be read. */
const MALFORMED_CERTIFICATE: LocalizedText = {
  ja: [
    '電子証明書または署名のデータを読み取れません（壊れているか、形式が違います）。',
    '正しいファイルか確認してください。続く場合はシステムの担当者に連絡してください。',
  ],
  en: [
    'The certificate or signature data cannot be read (damaged or of another format).',
    'Check that it is the right file. If it keeps failing, contact the system administrator.',
  ],
};

/** The connection was already closed. */
const CLOSED: LocalizedText = {
  ja: ['カードとの接続は既に終了しています。', 'はじめからもう一度操作してください。'],
  en: ['The connection to the card is already closed.', 'Start the operation again from the beginning.'],
};

/** A test transcript did not match (ReplayTransport, tests only). */
const REPLAY: LocalizedText = {
  ja: ['テスト用の記録と異なる通信がありました（テスト環境でのみ起きます）。', '開発者に連絡してください。'],
  en: ['The exchange differs from the test transcript (test environments only).', 'Contact the developers.'],
};

/** The reader (WebUSB CCID) reported a failure. */
const READER_FAILURE: LocalizedText = {
  ja: [
    'カードリーダーがエラーを報告しました。',
    'リーダーをつなぎ直し、カードを置き直して、もう一度操作してください。',
  ],
  en: ['The card reader reported an error.', 'Reconnect the reader, place the card again and retry.'],
};

/** The reader cannot be used by this software. */
const READER_UNSUPPORTED: LocalizedText = {
  ja: ['このカードリーダーは使えません。', '別のカードリーダーを使ってください。'],
  en: ['This card reader cannot be used.', 'Use another card reader.'],
};

const PIN_BLOCKED: LocalizedText = {
  ja: (p) => [`${jaSecret(p)}はロックされています。`, JA_OFFICE],
  en: (p) => [`The ${enSecret(p)} is locked after too many wrong entries.`, EN_OFFICE],
};

/** Texts of every error code. */
export const ERROR_TEXTS: Readonly<Record<MynacardErrorCode, LocalizedText>> = {
  'invalid-argument': APP_ERROR,
  'pin-format': {
    ja: (p) => [
      `${jaSecret(p)}の形式が正しくありません（桁数や文字の種類が違います）。カードには送っていないので、残り回数は減っていません。`,
      '利用者証明用と券面事項入力補助用の暗証番号は数字4桁、署名用のパスワードは英大文字と数字の6〜16文字です。確かめて入力し直してください。',
    ],
    en: (p) => [
      `The ${enSecret(p)} does not have the required format (length or kind of characters). It was not sent to the card, so no try was used.`,
      'The auth and text PINs are 4 digits; the signing password is 6–16 capital letters and digits. Check it and enter it again.',
    ],
  },
  'pin-retry-guard': {
    ja: (p) => [
      `${jaSecret(p)}は、あと1回間違えるとロックされます。そのため、カードには送っていません。`,
      `正しいことが確かな場合だけ、もう一度試してください。わからない場合は、お住まいの市区町村の窓口で再設定できます。`,
    ],
    en: (p) => [
      `One more wrong entry will lock the ${enSecret(p)}, so it was not sent to the card.`,
      'Try again only when you are sure it is right. Otherwise it can be reset at the municipal office (市区町村の窓口).',
    ],
  },
  'pin-incorrect': {
    ja: (p) =>
      p.remaining === undefined
        ? [`${jaSecret(p)}が違います。`, JA_OFFICE]
        : [`${jaSecret(p)}が違います。あと${p.remaining}回間違えるとロックされます。`, JA_OFFICE],
    en: (p) =>
      p.remaining === undefined
        ? [`The ${enSecret(p)} is incorrect.`, EN_OFFICE]
        : [`The ${enSecret(p)} is incorrect. ${enTries(p.remaining)} will lock it.`, EN_OFFICE],
  },
  'pin-blocked': PIN_BLOCKED,
  'authentication-method-blocked': PIN_BLOCKED,
  aborted: {
    ja: ['操作は取り消されました。', '必要なら、もう一度操作してください。'],
    en: ['The operation was cancelled.', 'Start it again if needed.'],
  },
  timeout: {
    ja: ['カードの応答が時間内にありませんでした。', 'カードをリーダーに置き直して、もう一度操作してください。'],
    en: ['The card did not answer in time.', 'Place the card on the reader again and retry.'],
  },
  'card-data': {
    ja: [
      'カードから読み取ったデータの形式が正しくありません。',
      'もう一度読み取ってください。続く場合は、お住まいの市区町村の窓口でカードを確認してもらってください。',
    ],
    en: [
      'The data read from the card is not in the expected format.',
      'Read it again. If it keeps failing, have the card checked at the municipal office.',
    ],
  },
  crypto: MALFORMED_CERTIFICATE,
  'transport-error': COMMUNICATION,
  'transport-closed': CLOSED,
  'transport-broken': COMMUNICATION,
  'session-closed': CLOSED,
  'card-removed': {
    ja: ['カードがリーダーから離れました。', 'カードをリーダーに置き直して、もう一度操作してください。'],
    en: ['The card was removed from the reader.', 'Place the card on the reader again and retry.'],
  },
  'reader-unavailable': {
    ja: ['カードリーダーが見つからないか、使えません。', 'カードリーダーがつながっているか確かめて、もう一度操作してください。'],
    en: ['The card reader is missing or cannot be used.', 'Check that the card reader is connected and retry.'],
  },
  'card-busy': {
    ja: ['別のアプリがカードを使っています。', 'カードを使っている他のアプリを閉じてから、もう一度操作してください。'],
    en: ['Another application is using the card.', 'Close the other application that uses the card and retry.'],
  },
  'pcsc-service': {
    ja: [
      'カードリーダーを使うためのサービス（PC/SC）が動いていません。',
      'パソコンの管理者に連絡してください（Windows は「Smart Card」サービス、Linux は pcscd）。',
    ],
    en: [
      'The smart-card service (PC/SC) is not running.',
      'Contact the computer administrator (Windows: the "Smart Card" service; Linux: pcscd).',
    ],
  },
  'permission-denied': {
    ja: [
      'カードリーダーを使う許可がありません。',
      'ブラウザーの許可の確認で「許可」を選んでください。続く場合はシステムの担当者に連絡してください（管理者のポリシーで禁止されている可能性があります）。',
    ],
    en: [
      'Permission to use the card reader was not given.',
      'Choose "Allow" when the browser asks. If it keeps failing, contact the system administrator (a policy may block it).',
    ],
  },
  'bridge-unavailable': {
    ja: [
      'カードリーダーの中継サービス（mynacard bridge）につながりません。',
      'この端末で中継サービスが動いているか確かめてください。続く場合はシステムの担当者に連絡してください（この画面のアドレスが許可されていない可能性があります）。',
    ],
    en: [
      'The card-reader bridge (mynacard bridge) cannot be reached.',
      'Check that the bridge runs on this computer. If it keeps failing, contact the system administrator (this page may not be allowed).',
    ],
  },
  'bridge-unauthorized': {
    ja: ['この画面はカードリーダーの中継サービスと組み合わせ（ペアリング）されていません。', '中継サービスに表示されるコードを入力して、もう一度組み合わせてください。'],
    en: ['This page is not paired with the card-reader bridge.', 'Pair it again with the code the bridge shows.'],
  },
  'bridge-pairing': {
    ja: ['組み合わせ（ペアリング）のコードが違うか、期限が切れています。', '中継サービスに表示されている新しいコードを確かめて、入力し直してください。'],
    en: ['The pairing code is wrong or has expired.', 'Check the new code the bridge shows and enter it again.'],
  },
  'bridge-limit': {
    ja: ['カードリーダーの中継サービスが、回数または大きさの制限を超えたため接続を切りました。', 'しばらく待ってから、もう一度操作してください。続く場合はシステムの担当者に連絡してください。'],
    en: ['The card-reader bridge closed the connection: a limit (attempts, size or rate) was exceeded.', 'Wait a moment and retry. If it keeps failing, contact the system administrator.'],
  },
  'bridge-protocol': {
    ja: ['カードリーダーの中継サービスとのやり取りに問題があります（版が合わない可能性があります）。', 'システムの担当者に連絡してください。'],
    en: ['Communication with the card-reader bridge failed (the versions may not match).', 'Contact the system administrator.'],
  },
  'web-smart-card-unavailable': {
    ja: [
      'このブラウザー（またはこの画面）ではカードリーダーを使えません。',
      'システムの担当者に連絡してください（Web Smart Card API は Isolated Web App か管理された端末でのみ使えます）。',
    ],
    en: [
      'The card reader cannot be used from this browser or page.',
      'Contact the system administrator (the Web Smart Card API works only in Isolated Web Apps or on managed devices).',
    ],
  },
  'pcsc-error': COMMUNICATION,
  'card-reset': COMMUNICATION,
  'transaction-failed': COMMUNICATION,
  'extended-length-refused': COMMUNICATION,
  'usb-transfer': COMMUNICATION,
  'usb-stall': COMMUNICATION,
  'ccid-command-not-supported': READER_UNSUPPORTED,
  'ccid-bad-parameter': READER_FAILURE,
  'ccid-icc-mute': {
    ja: ['カードが応答しません。', 'カードの向きと置き方を確かめて、置き直してください。'],
    en: ['The card does not answer.', 'Check how the card is placed and place it again.'],
  },
  'ccid-transfer-error': COMMUNICATION,
  'ccid-hardware-error': READER_FAILURE,
  'ccid-bad-atr': {
    ja: ['カードを認識できません。', 'マイナンバーカードか確かめて、置き直してください。'],
    en: ['The card cannot be recognised.', 'Check that it is a My Number Card and place it again.'],
  },
  'ccid-protocol-not-supported': READER_UNSUPPORTED,
  'ccid-class-not-supported': READER_UNSUPPORTED,
  'ccid-procedure-byte-conflict': COMMUNICATION,
  'ccid-deactivated-protocol': COMMUNICATION,
  'ccid-slot-busy': {
    ja: ['カードリーダーが他の処理中です。', '少し待ってから、もう一度操作してください。'],
    en: ['The card reader is busy.', 'Wait a moment and retry.'],
  },
  'ccid-aborted': COMMUNICATION,
  'ccid-pin-timeout': {
    ja: ['暗証番号の入力が時間内に終わりませんでした。', 'もう一度操作してください。'],
    en: ['The PIN was not entered in time.', 'Start again.'],
  },
  'ccid-pin-cancelled': {
    ja: ['暗証番号の入力が取り消されました。', '必要なら、もう一度操作してください。'],
    en: ['The PIN entry was cancelled.', 'Start again if needed.'],
  },
  'ccid-error': READER_FAILURE,
  'ccid-protocol': READER_FAILURE,
  'ccid-not-a-reader': {
    ja: ['選んだ機器はカードリーダーではありません。', 'カードリーダーを選び直してください。'],
    en: ['The selected device is not a card reader.', 'Select the card reader.'],
  },
  'ccid-unsupported-reader': READER_UNSUPPORTED,
  'ccid-message-too-long': READER_UNSUPPORTED,
  't1-protocol': COMMUNICATION,
  'apdu-format': APP_ERROR,
  'malformed-response': COMMUNICATION,
  'extended-length-unsupported': READER_UNSUPPORTED,
  'response-chaining': CARD_REFUSED,
  'status-word': CARD_REFUSED,
  'security-status-not-satisfied': {
    ja: ['暗証番号の確認が済んでいないため、カードが読み取りを断りました。', 'はじめからもう一度操作してください。'],
    en: ['The card refused because the PIN has not been verified.', 'Start the operation again from the beginning.'],
  },
  'conditions-not-satisfied': CARD_REFUSED,
  'file-not-found': {
    ja: [
      'このカードには必要な機能がありません（マイナンバーカードではないか、この機能のないカードです）。',
      'マイナンバーカードかどうか確かめてください。',
    ],
    en: [
      'This card lacks the function needed (it is not a My Number Card, or a card without this function).',
      'Check that it is a My Number Card.',
    ],
  },
  'wrong-length': CARD_REFUSED,
  'wrong-data': CARD_REFUSED,
  'incorrect-parameters': CARD_REFUSED,
  'referenced-data-not-found': CARD_REFUSED,
  'wrong-offset': CARD_REFUSED,
  'instruction-not-supported': CARD_REFUSED,
  'class-not-supported': CARD_REFUSED,
  'logical-channel-not-supported': CARD_REFUSED,
  'secure-messaging-not-supported': CARD_REFUSED,
  'no-precise-diagnosis': CARD_REFUSED,
  'malformed-certificate': MALFORMED_CERTIFICATE,
  'malformed-san': MALFORMED_CERTIFICATE,
  'kind-unknown': {
    ja: ['マイナンバーカードの電子証明書ではありません。', '正しい電子証明書か確かめてください。'],
    en: ['This is not a My Number Card certificate.', 'Check that it is the right certificate.'],
  },
  'kind-mismatch': {
    ja: [
      '電子証明書の種類が違います（署名用と利用者証明用を取り違えています）。',
      'システムの担当者に連絡してください。',
    ],
    en: [
      'The certificate is of the other kind (signing and authentication certificates are mixed up).',
      'Contact the system administrator.',
    ],
  },
  'malformed-cms': MALFORMED_CERTIFICATE,
  'cms-encoding': APP_ERROR,
  'malformed-auth-message': {
    ja: ['認証の応答の形式が正しくありません。', 'もう一度ログインしてください。'],
    en: ['The authentication response is malformed.', 'Log in again.'],
  },
  'unsupported-algorithm': {
    ja: ['対応していない暗号方式の電子証明書または署名です。', 'システムの担当者に連絡してください。'],
    en: ['The certificate or signature uses an algorithm that is not supported.', 'Contact the system administrator.'],
  },
  'malformed-crl': {
    ja: ['失効リスト（CRL）の形式が正しくありません。', '入手した失効リストのファイルを確かめてください。続く場合はシステムの担当者に連絡してください。'],
    en: ['The certificate revocation list (CRL) is malformed.', 'Check the CRL file that was obtained. If it keeps failing, contact the system administrator.'],
  },
  'malformed-ocsp-response': {
    ja: ['失効確認（OCSP）の応答の形式が正しくありません。', 'システムの担当者に連絡してください。'],
    en: ['The revocation (OCSP) response is malformed.', 'Contact the system administrator.'],
  },
  'malformed-signature': {
    ja: ['署名の形式が正しくありません。', '続く場合はシステムの担当者に連絡してください。'],
    en: ['The signature is malformed.', 'If it keeps failing, contact the system administrator.'],
  },
  'key-algorithm-mismatch': {
    ja: ['署名に使う鍵の方式が電子証明書の鍵と合いません。', 'システムの担当者に連絡してください。'],
    en: ["The signing key's algorithm does not match the certificate's key.", 'Contact the system administrator.'],
  },
  'webcrypto-unavailable': {
    ja: [
      'この環境では暗号機能（WebCrypto）が使えません。',
      'ブラウザを新しくするか、https:// のページで開いてください。続く場合はシステムの担当者に連絡してください。',
    ],
    en: [
      'Cryptography (WebCrypto) is not available here.',
      'Update the browser or open the page over https://. If it keeps failing, contact the system administrator.',
    ],
  },
  'card-ap-not-installed': {
    ja: (p) =>
      p.area === 'regional'
        ? [
            'このカードには必要なカードAP（地域住民向け領域）が入っていません。このカードAPは、転出すると自動的に削除されます。',
            '今お住まいの市区町村で、改めて搭載してもらってください。',
          ]
        : [
            'このカードには必要なカードAP（拡張利用領域）が入っていません。拡張利用領域のカードAPは転出しても残るため、搭載されたことがないか、提供者が削除したものです。',
            'カードAPを提供している機関に問い合わせてください。',
          ],
    en: (p) =>
      p.area === 'regional'
        ? [
            'The card does not hold the card AP needed (regional area, 地域住民向け領域). Such card APs are removed automatically when the holder moves to another municipality.',
            'Have it installed again by the municipality where the holder lives now.',
          ]
        : [
            'The card does not hold the card AP needed (extension area, 拡張利用領域). Such card APs stay when the holder moves: it was never installed on this card, or its provider removed it.',
            'Ask the organisation that provides the card AP.',
          ],
  },
  'card-ap-value-too-large': {
    ja: (p) => [
      `書き込む値が大きすぎます${p.actual !== undefined && p.limit !== undefined ? `（${p.actual}バイト、上限${p.limit}バイト）` : ''}。カードには何も書き込んでいません。`,
      '値を短くするか、システムの担当者に連絡してください。',
    ],
    en: (p) => [
      `The value is too large${p.actual !== undefined && p.limit !== undefined ? ` (${p.actual} bytes, at most ${p.limit})` : ''}. Nothing was written to the card.`,
      'Shorten the value, or contact the system administrator.',
    ],
  },
  'card-ap-codec': MALFORMED_DATA,
  'card-ap-selection': {
    ja: [
      'カードの領域を選んだときの応答が想定と違ったため、暗証番号などは送りませんでした。',
      'このカードではこの操作を行えません。システムの担当者に連絡してください。',
    ],
    en: [
      'The card answered the selection of its area unexpectedly, so no PIN or other secret was sent.',
      'This operation cannot be done with this card. Contact the system administrator.',
    ],
  },
  'nfc-cancelled': {
    ja: ['カードの読み取りが取り消されました。', 'もう一度読み取りを始めて、カードを端末にかざしてください。'],
    en: ['Reading the card was cancelled.', 'Start reading again and hold the card to the device.'],
  },
  'second-tag': {
    ja: ['複数のカードが同時に検出されました。', 'ほかのカードを離し、マイナンバーカード1枚だけを端末にかざしてください。'],
    en: ['More than one card was detected at once.', 'Move other cards away and hold only the My Number Card to the device.'],
  },
  'nfc-unsupported-tag': {
    ja: ['かざされたカードはマイナンバーカードとして読み取れませんでした。', 'マイナンバーカードを端末にかざしてください。'],
    en: ['The card that was held to the device cannot be read as a My Number Card.', 'Hold the My Number Card to the device.'],
  },
  'card-ap-write-verify': {
    ja: [
      'カードへの書き込みを確かめたところ、内容が一致しませんでした。',
      'もう一度操作してください。続く場合はシステムの担当者に連絡してください。',
    ],
    en: ['Checking the write to the card found different contents.', 'Retry. If it keeps failing, contact the system administrator.'],
  },
  'card-ap-auth-failed': {
    ja: ['カードAPの発行者の認証に失敗しました。', 'システムの担当者に連絡してください。'],
    en: ["The card AP's issuer authentication failed.", 'Contact the system administrator.'],
  },
  'card-ap-access': {
    ja: ['この操作はこのカードAPでは行えません。カードには何も送っていません。', 'システムの担当者に連絡してください。'],
    en: ['This operation is not possible on this card AP. Nothing was sent to the card.', 'Contact the system administrator.'],
  },
  'card-ap-capacity': {
    ja: ['カードの空き容量が足りません。', 'システムの担当者に連絡してください。'],
    en: ['There is not enough free space on the card.', 'Contact the system administrator.'],
  },
  truncated: MALFORMED_DATA,
  'length-overflow': MALFORMED_DATA,
  'indefinite-in-der': MALFORMED_DATA,
  'non-minimal-length': MALFORMED_DATA,
  'depth-exceeded': MALFORMED_DATA,
  'trailing-bytes': MALFORMED_DATA,
  'bad-tag': MALFORMED_DATA,
  'bad-value': MALFORMED_DATA,
  'replay-mismatch': REPLAY,
  'replay-exhausted': REPLAY,
  'replay-leftover': REPLAY,
  'pdf-encrypted': {
    ja: ['暗号化（パスワード保護）されたPDFには署名できません。', '保護を外したPDFを用意してから署名してください。'],
    en: ['An encrypted (password-protected) PDF cannot be signed.', 'Remove the protection from the PDF, then sign it.'],
  },
  'pdf-malformed': {
    ja: ['PDFファイルが壊れているか、PDFではありません。', '正しいPDFファイルか確かめてください。'],
    en: ['The PDF file is damaged or is not a PDF.', 'Check that it is the right PDF file.'],
  },
  'pdf-signature-too-large': APP_ERROR,
  'pdf-timestamp-failed': {
    ja: ['タイムスタンプを取得できませんでした（タイムスタンプ局の応答が正しくありません）。', '時間をおいてもう一度署名してください。続く場合はシステムの担当者に連絡してください。'],
    en: ['The timestamp could not be obtained (the timestamp authority answered incorrectly).', 'Sign again later. If it keeps failing, contact the system administrator.'],
  },
};

/** The text of a code outside {@link MynacardErrorCode} (a custom transport's, or not an SDK error). */
export const UNKNOWN_ERROR_TEXT: LocalizedText = {
  ja: ['想定外のエラーが起きました。', 'もう一度操作してください。続く場合はシステムの担当者に連絡してください。'],
  en: ['An unexpected error occurred.', 'Retry. If it keeps failing, contact the system administrator.'],
};
