/**
 * The `mynacard --help` texts (English, 日本語). The simulator's test secrets come from the
 * `mynacard/testing` constants, never written here a second time.
 * @packageDocumentation
 */
import { DEFAULT_AUTH_PIN, DEFAULT_SIGN_PASSWORD, DEFAULT_TEXT_PIN } from '../testing/virtual-card/personalise.js';

/** English help. */
export const HELP_EN = `mynacard — My Number Card (マイナンバーカード) command-line tool

Usage: mynacard [global options] <command> [options]

Commands:
  readers                      list the smart-card readers
  info [--aid <hex>]... [--card-ap <descriptor.json>]...
                               device profile, applications (and the card APs asked about),
                               remaining PIN tries (no PIN)
  cert <auth|sign|auth-ca|sign-ca> [--pem|--der|--json] [--out <file> [--force]]
                               read a certificate (sign needs the signing password)
  verify-cert <file> [--at <date>] [--roots <file> | --trust-test-roots]
                               check a certificate chain against the J-LIS roots
  sign --key <auth|sign> --in <file> --out <file> [--cms [--detached]] [--hash <alg>] [--cert-out <file>] [--force]
                               sign a file on the card (raw PKCS#1 v1.5, or CMS with the signing key)
  verify (--cms <file> [--content <file>] | --in <file> --sig <file> --cert <file> [--allow-auth-key])
         [--at <date>] [--roots <file> | --trust-test-roots] [--show-signer] [--content-out <file>] [--allow-sha1]
                               verify a signature and its certificate chain
  text [--show-my-number]      read the 基本4情報 (text PIN); the My Number is not read unless asked
  face [--photo <out.jp2> [--force]] [--credential text-pin|verification-b]
                               read the card face (photo, expiry)
  pin status                   remaining tries of every PIN (no try spent)
  pdf sign --in <file> --out <file> [--profile registry|pades-b-b|pades-b-t] [--tsa <url>] [--visible x1,y1,x2,y2 [--page <n>]] [--force]
                               sign a PDF with the signing key (an incremental update)
  pdf verify <file> [--at <date>] [--roots <file> | --trust-test-roots] [--show-signer]
                               verify every signature of a PDF and its certificate chain
  pin change <auth|sign|text>  change a PIN or the signing password
  sim [--vpcd <host:port>] [--profile card|android|iphone|juki]
                               put the virtual card into vpcd's PC/SC reader
  demo                         info, the auth certificate and its chain, the 基本4情報 (virtual card)
  bridge --allow-origin <origin> [--allow-origin <origin>]... [--port <n>] [--token-file <file>] [--print-systemd-unit]
                               let these web pages use the reader through ws://127.0.0.1:<port>
                               (default port 47110; pairing codes on stderr; docs/bridge.md)
  card-ap probe [--aid <hex>]... [--card-ap <descriptor.json>]...
                               which of these free-area card APs the card holds (no PIN)
  card-ap read --descriptor <descriptor.json> [--file <name>]...
                               read and decode the card AP's files (all, or the named ones);
                               prints their values (personal data), never in --trace

Global options:
  --reader <name>    use this PC/SC reader (default: the first reader with a card)
  --simulator        use the embedded virtual My Number Card (test data)
  --json             machine-readable output (schemaVersion 1)
  --lang ja|en       language (default: from LANG / LC_ALL)
  --trace            redacted APDU trace on standard error
  --pin-stdin        read secrets from standard input, one line each
  --allow-last-try   send a secret even when only one try is left
  -h, --help         help;  -V, --version  version

Output files (--out, --cert-out, --photo, --content-out) are new files with mode 0600. An
existing file is replaced only with --force (the result is a new 0600 file); a symbolic link
or an input file is never written. These checks run before the card is used.

Trust: verify and verify-cert check against the bundled J-LIS roots. --trust-test-roots checks
against the virtual card's TEST roots (O=JPKI-TEST) instead; --simulator does not change this.

Simulator test secrets (mynacard/testing DEFAULT_AUTH_PIN, DEFAULT_SIGN_PASSWORD, DEFAULT_TEXT_PIN):
auth PIN ${DEFAULT_AUTH_PIN}, signing password ${DEFAULT_SIGN_PASSWORD}, text PIN ${DEFAULT_TEXT_PIN}.

Secrets are NEVER taken from the command line. They come from a hidden prompt, from
MYNACARD_AUTH_PIN / MYNACARD_SIGN_PASSWORD / MYNACARD_TEXT_PIN (new values for "pin change":
MYNACARD_NEW_AUTH_PIN / MYNACARD_NEW_SIGN_PASSWORD / MYNACARD_NEW_TEXT_PIN; 照合番号B:
MYNACARD_VERIFICATION_B; a card-AP secret: MYNACARD_CARD_AP_<SECRET>, the descriptor's secret
name in upper snake case, e.g. patientPin → MYNACARD_CARD_AP_PATIENT_PIN), or from --pin-stdin.

Exit codes: 0 ok, 1 internal error, 2 usage, 3 no reader, 4 no card, 5 wrong PIN,
6 PIN blocked, 7 last-try guard refused, 8 verification failed, 9 card error,
10 not supported (also: card AP not installed), 11 secret unavailable, 12 card busy,
13 output not written (sign: the card has signed, the signature is lost), 130 interrupted.
`;

/** 日本語のヘルプ. */
export const HELP_JA = `mynacard — マイナンバーカードのコマンドラインツール

使い方: mynacard [共通オプション] <コマンド> [オプション]

コマンド:
  readers                      カードリーダーの一覧
  info [--aid <16進>]... [--card-ap <記述子.json>]...
                               デバイスの種類、アプリケーション（指定したカードAPを含む）、
                               暗証番号の残り回数（暗証番号不要）
  cert <auth|sign|auth-ca|sign-ca> [--pem|--der|--json] [--out <ファイル> [--force]]
                               証明書を読み取る（sign は署名用パスワードが必要）
  verify-cert <ファイル> [--at <日時>] [--roots <ファイル> | --trust-test-roots]
                               証明書チェーンを J-LIS のルートで検証する
  sign --key <auth|sign> --in <ファイル> --out <ファイル> [--cms [--detached]] [--hash <アルゴリズム>] [--cert-out <ファイル>] [--force]
                               カードでファイルに署名する（PKCS#1 v1.5、または署名用の鍵で CMS）
  verify (--cms <ファイル> [--content <ファイル>] | --in <ファイル> --sig <ファイル> --cert <ファイル> [--allow-auth-key])
         [--at <日時>] [--roots <ファイル> | --trust-test-roots] [--show-signer] [--content-out <ファイル>] [--allow-sha1]
                               署名と証明書チェーンを検証する
  text [--show-my-number]      基本4情報を読み取る（券面事項入力補助用暗証番号）。個人番号は指定時のみ読み取る
  face [--photo <出力.jp2> [--force]] [--credential text-pin|verification-b]
                               券面（顔写真、有効期限）を読み取る
  pin status                   すべての暗証番号の残り回数（回数は消費しません）
  pdf sign --in <ファイル> --out <ファイル> [--profile registry|pades-b-b|pades-b-t] [--tsa <URL>] [--visible x1,y1,x2,y2 [--page <n>]] [--force]
                               PDF に署名用の鍵で署名する（増分更新）
  pdf verify <ファイル> [--at <日時>] [--roots <ファイル> | --trust-test-roots] [--show-signer]
                               PDF のすべての署名と証明書チェーンを検証する
  pin change <auth|sign|text>  暗証番号・署名用パスワードを変更する
  sim [--vpcd <host:port>] [--profile card|android|iphone|juki]
                               仮想カードを vpcd の PC/SC リーダーに挿入する
  demo                         info、利用者証明用電子証明書とチェーン、基本4情報（仮想カード）
  bridge --allow-origin <オリジン> [--allow-origin <オリジン>]... [--port <番号>] [--token-file <ファイル>] [--print-systemd-unit]
                               指定した Web ページが ws://127.0.0.1:<番号> 経由でリーダーを使えるようにする
                               （既定のポート 47110、ペアリングコードは標準エラー出力へ、docs/bridge.md）
  card-ap probe [--aid <16進>]... [--card-ap <記述子.json>]...
                               空き領域のカードAPのうちカードに搭載されているもの（暗証番号不要）
  card-ap read --descriptor <記述子.json> [--file <名前>]...
                               カードAPのファイル（すべて、または指定したもの）を読み取って表示する
                               （個人データ。--trace には出力しません）

共通オプション:
  --reader <名前>    この PC/SC リーダーを使う（既定: カードの入っている最初のリーダー）
  --simulator        組み込みの仮想マイナンバーカードを使う（テスト用データ）
  --json             機械可読な出力（schemaVersion 1）
  --lang ja|en       表示言語（既定: LANG / LC_ALL から）
  --trace            秘密を伏せた APDU トレースを標準エラー出力へ
  --pin-stdin        秘密の値を標準入力から1行ずつ読む
  --allow-last-try   残り1回でも送信する
  -h, --help         ヘルプ;  -V, --version  バージョン

出力ファイル（--out、--cert-out、--photo、--content-out）はモード 0600 の新しいファイルです。
既にあるファイルは --force を付けたときだけ置き換えます（結果は新しい 0600 のファイル）。
シンボリックリンクと入力ファイルには書き込みません。これらの確認はカードを使う前に行います。

信頼: verify と verify-cert は同梱の J-LIS ルートで検証します。--trust-test-roots を付けると
代わりに仮想カードのテスト用ルート（O=JPKI-TEST）で検証します。--simulator では変わりません。

シミュレーターのテスト用の値（mynacard/testing の DEFAULT_AUTH_PIN、DEFAULT_SIGN_PASSWORD、DEFAULT_TEXT_PIN）:
利用者証明用暗証番号 ${DEFAULT_AUTH_PIN}、署名用パスワード ${DEFAULT_SIGN_PASSWORD}、券面事項入力補助用暗証番号 ${DEFAULT_TEXT_PIN}。

秘密の値はコマンドラインでは決して受け取りません。画面に表示されない入力、環境変数
MYNACARD_AUTH_PIN / MYNACARD_SIGN_PASSWORD / MYNACARD_TEXT_PIN（pin change の新しい値は
MYNACARD_NEW_AUTH_PIN / MYNACARD_NEW_SIGN_PASSWORD / MYNACARD_NEW_TEXT_PIN、照合番号Bは
MYNACARD_VERIFICATION_B、カードAPの秘密の値は MYNACARD_CARD_AP_<秘密の名前>: 記述子の名前を
大文字のスネークケースにしたもの、例 patientPin → MYNACARD_CARD_AP_PATIENT_PIN）、または
--pin-stdin を使います。

終了コード: 0 成功, 1 内部エラー, 2 使い方の誤り, 3 リーダーなし, 4 カードなし, 5 暗証番号の誤り,
6 ロック中, 7 残り1回のため送信せず, 8 検証失敗, 9 カードのエラー, 10 非対応（カードAP未搭載を含む）,
11 秘密の値を取得できない, 12 カード使用中, 13 出力を書けない（sign: カードは署名済みで署名は失われた）, 130 中断.
`;
