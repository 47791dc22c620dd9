/**
 * Message catalogues of the `mynacard` CLI (日本語 / English) and the choice of language:
 * `--lang`, else `LC_ALL` / `LC_MESSAGES` / `LANG` / `LANGUAGE`, else the `Intl` locale.
 * Messages never receive a PIN or a My Number as a parameter.
 * @packageDocumentation
 */
import { describeCode, describeReason } from '../messages/describe.js';
import { HELP_EN, HELP_JA } from './help.js';
import { escapeControls } from './terminal.js';

/** A language of the CLI. */
export type Lang = 'ja' | 'en';

/** A secret the CLI may ask for. */
export type SecretName = 'auth' | 'sign' | 'text' | 'verificationB';

/** An application probed by `info`. */
export type ApName = 'jpki' | 'text' | 'face' | 'common' | 'juki';

/** Why a file operation failed, from its Node error code (`ENOENT`, `EACCES`, …). */
const EN_FILE_PROBLEMS: Readonly<Record<string, string>> = {
  ENOENT: 'it does not exist',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EEXIST: 'it already exists',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'the name is too long',
  EMFILE: 'too many open files',
  EBUSY: 'the file is busy',
};
const JA_FILE_PROBLEMS: Readonly<Record<string, string>> = {
  ENOENT: 'ファイルがありません',
  EACCES: 'アクセス権がありません',
  EPERM: '操作が許可されていません',
  EISDIR: 'フォルダーです',
  ENOTDIR: 'パスの途中がフォルダーではありません',
  EROFS: '読み取り専用のファイルシステムです',
  ENOSPC: 'ディスクの空きがありません',
  EDQUOT: 'ディスクの割り当てを超えています',
  EEXIST: '既にあります',
  ELOOP: 'シンボリックリンクが多すぎます',
  ENAMETOOLONG: '名前が長すぎます',
  EMFILE: '開いているファイルが多すぎます',
  EBUSY: 'ファイルが使用中です',
};
const EN_FILE_PROBLEM = (code: string | undefined): string =>
  code !== undefined && Object.hasOwn(EN_FILE_PROBLEMS, code) ? EN_FILE_PROBLEMS[code]! : `system error ${code ?? 'unknown'}`;
const JA_FILE_PROBLEM = (code: string | undefined): string =>
  code !== undefined && Object.hasOwn(JA_FILE_PROBLEMS, code) ? JA_FILE_PROBLEMS[code]! : `システムエラー ${code ?? '不明'}`;

const en = {
  secretLabel: {
    auth: 'auth PIN (利用者証明用電子証明書 暗証番号, 4 digits)',
    sign: 'signing password (署名用電子証明書 パスワード, 6–16 characters)',
    text: 'text PIN (券面事項入力補助用 暗証番号, 4 digits)',
    verificationB: '照合番号B (birth date YYMMDD + expiry year + security code, 14 digits)',
  } satisfies Record<SecretName, string>,
  secretShort: {
    auth: 'auth PIN (利用者証明用)',
    sign: 'signing password (署名用)',
    text: 'text PIN (券面事項入力補助用)',
    verificationB: '照合番号B',
  } satisfies Record<SecretName, string>,
  apLabel: {
    jpki: 'JPKI AP (公的個人認証AP)',
    text: 'text AP (券面事項入力補助AP)',
    face: 'face AP (券面事項確認AP)',
    common: 'common AP (共通カードAP)',
    juki: '住基AP',
  } satisfies Record<ApName, string>,
  profileLabel: {
    card: 'My Number Card (マイナンバーカード)',
    android: 'Android smartphone JPKI (スマホ用電子証明書)',
    iphone: 'iPhone My Number Card (iPhoneのマイナンバーカード)',
    juki: '住基カード',
    unknown: 'unknown JPKI device',
  } as Record<string, string>,
  sexLabel: { male: 'male', female: 'female', 'not-applicable': 'not applicable', unknown: 'unknown' } as Record<string, string>,
  certLabel: {
    auth: 'auth certificate (利用者証明用電子証明書)',
    sign: 'signing certificate (署名用電子証明書)',
    'auth-ca': 'auth CA certificate (利用者証明用CA証明書)',
    'sign-ca': 'signing CA certificate (署名用CA証明書)',
  } as Record<string, string>,

  // --- errors ---
  errorPrefix: 'Error',
  secretOption: (option: string) =>
    `The option ${option} is refused: mynacard never takes a PIN or password on the command line (it would stay in the shell history and the process list). Use one of:\n` +
    '  - the hidden prompt (run mynacard in a terminal);\n' +
    '  - the environment variables MYNACARD_AUTH_PIN, MYNACARD_SIGN_PASSWORD, MYNACARD_TEXT_PIN (card APs: MYNACARD_CARD_AP_<SECRET>);\n' +
    '  - --pin-stdin: one line per secret on standard input.',
  unknownCommand: (name: string, suggestion?: string) =>
    `Unknown command "${name}".${suggestion === undefined ? '' : ` Did you mean "${suggestion}"?`} Run "mynacard --help".`,
  missingCommand: 'No command given. Run "mynacard --help".',
  unknownOption: (name: string, command: string, suggestion?: string) =>
    `Unknown option ${name} for "${command}".${suggestion === undefined ? '' : ` Did you mean ${suggestion}?`} Run "mynacard ${command} --help".`,
  missingValue: (name: string) => `The option ${name} needs a value.`,
  flagWithValue: (name: string) => `The option ${name} takes no value.`,
  badValue: (name: string, allowed: readonly string[]) => `The option ${name} must be one of: ${allowed.join(', ')}.`,
  badArgument: (what: string, allowed: readonly string[]) => `The ${what} must be one of: ${allowed.join(', ')}.`,
  missingArgument: (what: string, suggestion?: string) =>
    `Missing argument: ${what}.${suggestion === undefined ? '' : ` Did you mean "${suggestion}"?`}`,
  missingOption: (name: string) => `The option ${name} is required.`,
  unexpectedArgument: (position: number) =>
    `Unexpected argument #${position} (not shown). Secrets are never accepted on the command line: use the prompt, an environment variable or --pin-stdin.`,
  conflictingOptions: (a: string, b: string) => `The options ${a} and ${b} cannot be used together.`,
  badDate: (name: string) => `The option ${name} must be an ISO 8601 date such as 2026-04-01 or 2026-04-01T09:00:00+09:00.`,
  badHostPort: 'The vpcd address must be host:port (e.g. 127.0.0.1:35963).',
  fileRead: (path: string, code: string | undefined) => `Cannot read the file ${path}: ${EN_FILE_PROBLEM(code)}.`,
  fileWrite: (path: string, reason: string) => `Cannot write the file ${path}: ${reason}.`,
  fileProblem: EN_FILE_PROBLEM,
  outputProblem: (problem: string) =>
    ({
      exists: 'it already exists (pass --force to replace it)',
      symlink: 'it is a symbolic link',
      'not-file': 'it is not a regular file',
      'is-input': 'it is an input file',
      'dir-missing': 'its folder does not exist',
    })[problem] ?? problem,
  signedNotWritten: (path: string, reason: string) =>
    `The card has signed, but the result could not be written to ${path}: ${reason}. The signature is lost; sign again to get one.`,
  notCertificate: (path: string) => `${path} is not a certificate (DER or PEM).`,
  derToTerminal: 'Refusing to write DER bytes to a terminal: use --out <file> or --pem.',
  cmsNeedsSignKey: 'A CMS signature (--cms) is made with the signing key: use --key sign.',
  secretUnavailable: (label: string, env: string) =>
    `The ${label} is needed, but standard input is not a terminal: set ${env} or pass --pin-stdin.`,
  stdinExhausted: (label: string) => `--pin-stdin: standard input ended before the ${label}.`,
  secretMismatch: 'The two entries of the new secret differ: nothing was sent.',
  interrupted: 'Interrupted.',
  pinIncorrect: (label: string, remaining: number) => describeCode('pin-incorrect', 'en', { secret: label, remaining }).text,
  pinBlocked: (label: string) => describeCode('pin-blocked', 'en', { secret: label }).text,
  pinFormat: (label: string) => describeCode('pin-format', 'en', { secret: label }).text,
  guardRefused: (label: string) =>
    `${describeCode('pin-retry-guard', 'en', { secret: label }).message} Pass --allow-last-try if you are sure.`,
  cardApNamed: (name: string, text: string) => `Card AP "${name}": ${text}`,
  reasonText: (code: string) => `${describeReason(code, 'en').text} [${code}]`,
  testPkiHint:
    'This certificate was issued by the TEST PKI (O=JPKI-TEST) of the virtual card, not by J-LIS. ' +
    'To check it against the test roots, pass --trust-test-roots (in code: the roots of mynacard/testing TEST_PKI_DATA).',
  detachedHint: 'This is a detached signature: the signed data is a separate file. Pass it with --content <file>.',
  outputExists: (path: string) => `The file ${path} already exists: nothing was done. Pass --force to replace it.`,
  outputSymlink: (path: string) => `${path} is a symbolic link: refusing to write through it (nothing was done).`,
  outputNotFile: (path: string) => `${path} is not a regular file: nothing was done.`,
  outputIsInput: (path: string) => `The output ${path} is also an input file: choose another output file (nothing was done).`,
  outputDirMissing: (path: string) => `The folder of ${path} does not exist: nothing was done.`,
  noReader: 'No smart-card reader is available.',
  noSuchReader: (name: string) => `No reader named "${name}".`,
  noCard: 'No card in the reader.',
  notSupported: (what: string) => `This card or device has no ${what}.`,
  notMyNumberCard: 'This card has no JPKI AP: it is not a My Number Card or a JPKI device.',
  internal: 'Unexpected error (please report it):',

  // --- secrets ---
  triesLine: (label: string, remaining: number, max: number | undefined) =>
    `${label}: ${remaining}${max === undefined ? '' : ` of ${max}`} ${remaining === 1 && max === undefined ? 'try' : 'tries'} left`,
  triesUnlimited: (label: string) => `${label}: no retry limit`,
  prompt: (label: string, remaining: number | undefined) =>
    `Enter the ${label}${remaining === undefined || !Number.isFinite(remaining) ? '' : ` (${remaining} ${remaining === 1 ? 'try' : 'tries'} left)`}: `,
  promptNew: (label: string) => `Enter the new ${label}: `,
  promptConfirm: (label: string) => `Enter the new ${label} again: `,
  secretFromEnv: (env: string) => `(using ${env})`,
  secretFromStdin: '(reading it from standard input)',
  secretFromSimulator: '(using the virtual card\'s default test PIN)',

  // --- readers ---
  readersNone: 'No readers found.',
  readerCard: 'card present',
  readerEmpty: 'no card',
  simulatorReader: 'mynacard virtual card (simulator)',

  // --- info / pin status ---
  infoDevice: 'Device',
  infoLabel: 'Token label',
  infoApplications: 'Applications',
  infoPresent: 'present',
  infoAbsent: 'absent',
  infoUnknown: (sw: string) => `unknown (SW ${sw})`,
  infoTries: 'Remaining tries (none spent)',
  infoCardAps: 'Card APs (free area)',
  badAid: (value: string) => `--aid must be 5–16 bytes of hex (got ${value.length} characters).`,
  triesValue: (remaining: number, max: number | undefined) =>
    remaining === 0 ? 'BLOCKED' : `${remaining}${max === undefined ? '' : `/${max}`}`,
  triesNotAvailable: 'not on this device',
  simulatorNote: 'Simulator: the embedded virtual My Number Card (test data only).',

  // --- card-ap ---
  cardApNoCandidates: 'Name at least one card AP: --aid <hex> or --card-ap <descriptor.json>.',
  cardApSecretLabel: (label: string | undefined, secret: string, cardAp: string) =>
    label === undefined ? `secret "${secret}" of the card AP "${cardAp}"` : `${label} (card AP "${cardAp}")`,
  cardApUnknownFile: (file: string, cardAp: string, files: readonly string[]) =>
    `The card AP "${cardAp}" has no file named "${file}". Its files: ${files.join(', ')}.`,
  cardApField: 'Card AP',
  cardApAreaField: 'Area',
  cardApArea: { regional: 'regional area (地域住民向け領域)', extension: 'extension area (拡張利用領域)' } as Record<string, string>,
  cardApFiles: 'Files',
  cardApEmpty: '(empty)',

  // --- cert / verify ---
  certWritten: (label: string, bytes: number, path: string) => `Wrote the ${label} (${bytes} bytes DER) to ${path}.`,
  fieldKind: 'Kind',
  fieldSerial: 'Serial number',
  fieldSubject: 'Subject',
  fieldIssuer: 'Issuer',
  fieldValidity: 'Valid',
  fieldKeyUsage: 'Key usage',
  fieldRoot: 'Trust anchor',
  fieldChain: 'Chain',
  fieldSignature: 'Signature',
  fieldSigningTime: 'Signing time (claimed)',
  fieldReasons: 'Problems',
  fieldCheckedAt: 'Checked at',
  fieldContent: 'Content',
  kindName: { auth: 'auth (利用者証明用)', sign: 'signing (署名用)', ca: 'CA' } as Record<string, string>,
  valid: 'valid',
  invalid: 'INVALID',
  testRootsNote: 'Checked against the virtual card\'s TEST roots (O=JPKI-TEST), NOT the J-LIS roots: a real certificate fails here.',
  customRootsNote: (count: number) => `Checked against ${count} trust anchor${count === 1 ? '' : 's'} from --roots.`,
  jlisRootsNote: 'Checked against the bundled J-LIS roots (generations 1–3). Revocation (CRL/OCSP) is not checked.',
  signerPerson: 'Signer (基本4情報 from the signing certificate)',
  signerHidden: 'Signer\'s 基本4情報: hidden (pass --show-signer to show them)',
  contentWritten: (bytes: number, path: string) => `Wrote the signed content (${bytes} bytes) to ${path}.`,
  authKeyRefused:
    'The certificate is an auth (利用者証明用) certificate: its key signs logins, so a raw signature by it is refused. Pass --allow-auth-key to check it anyway.',
  sha1Refused: 'SHA-1 signatures are refused. Pass --allow-sha1 to accept one.',

  // --- sign ---
  signed: (bytes: number, key: string, out: string, cms: boolean) =>
    `Signed ${bytes} bytes with the ${key === 'sign' ? 'signing key (署名用)' : 'auth key (利用者証明用)'}; ${cms ? 'CMS SignedData' : 'signature'} written to ${out}.`,
  certOut: (path: string) => `Signer certificate written to ${path}.`,
  pdfSigned: (input: string, out: string, profile: string) =>
    `Signed ${input} with the signing key (署名用), profile ${profile}; written to ${out}.`,
  pdfField: (name: string) => `Signature field ${name}`,
  pdfBadVisible: '--visible needs x1,y1,x2,y2 (points from the bottom left of the page) and --page a page number from 1.',
  pdfCoverage: 'Coverage',
  pdfWholeFile: 'the whole file',
  pdfLaterRevisions: (later: string) =>
    later === 'signatures-only' ? 'its revision; later revisions only add signatures' : later === 'content-changed' ? 'its revision; LATER REVISIONS CHANGE THE CONTENT' : `its revision; later revisions: ${later}`,

  // --- text / face ---
  fieldName: 'Name (氏名)',
  fieldAddress: 'Address (住所)',
  fieldBirthDate: 'Birth date (生年月日)',
  fieldSex: 'Sex (性別)',
  fieldMyNumber: 'My Number (個人番号)',
  myNumberHidden: '************ (not read; pass --show-my-number to read and show it)',
  fieldExpiry: 'Card expiry (有効期限)',
  fieldPhoto: 'Photo (顔写真)',
  photoWritten: (bytes: number, path: string) => `${bytes} bytes JPEG 2000, written to ${path}`,
  photoNotWritten: (bytes: number) => `${bytes} bytes JPEG 2000 (pass --photo <file> to save it)`,
  faceImages: (name: number, address: number, code: number) =>
    `Card face images: name ${name} B, address ${address} B, security code ${code} B (PNG)`,
  readingFace: 'Reading the card face',
  readingCert: 'Reading the certificate',

  // --- pin change ---
  pinChanged: (label: string) => `The ${label} was changed.`,

  // --- sim ---
  simStarted: (address: string) =>
    `The virtual My Number Card is in vpcd's reader at ${address}. Press Ctrl-C to pull it out.\n` +
    'Its test secrets are the mynacard/testing defaults (DEFAULT_AUTH_PIN, DEFAULT_SIGN_PASSWORD, DEFAULT_TEXT_PIN).',
  simStopped: (apdus: number) => `The card was pulled out (${apdus} APDUs answered).`,

  // --- bridge ---
  bridgeNeedsOrigin: 'mynacard bridge needs at least one --allow-origin <origin> (e.g. https://counter.example.lg.jp).',
  bridgeBadPort: '--port must be a number from 0 to 65535.',
  bridgePairingCode: (code: string, minutes: number) =>
    `Pairing code: ${code} (valid ${minutes} minutes, one use). Type it into the page that asks for it.`,

  // --- demo ---
  demoTitle: 'mynacard demo: the embedded virtual My Number Card (fictional test holder, TEST PKI)',
  demoReaderTitle: 'mynacard demo: the card in the reader',
  demoStep: (n: number, title: string) => `[${n}/3] ${title}`,
  demoCard: 'Card',
  demoCert: 'Auth certificate (利用者証明用電子証明書) and its chain',
  demoText: '基本4情報 (text AP)',
  demoTrustNote: 'The demo trusts the virtual card\'s TEST roots explicitly (verify and verify-cert need --trust-test-roots for that).',
  demoDone:
    'Done. Next: "mynacard --help", then README.md and examples/README.md in the mynacard package (node_modules/mynacard/ in your project).',

  // --- help ---
  help: HELP_EN,
};

/** The shape of a message catalogue. */
export type Messages = typeof en;

const ja: Messages = {
  secretLabel: {
    auth: '利用者証明用電子証明書の暗証番号（数字4桁）',
    sign: '署名用電子証明書のパスワード（英数字6〜16文字）',
    text: '券面事項入力補助用の暗証番号（数字4桁）',
    verificationB: '照合番号B（生年月日6桁＋有効期限の西暦4桁＋セキュリティコード4桁）',
  },
  secretShort: {
    auth: '利用者証明用電子証明書の暗証番号',
    sign: '署名用電子証明書のパスワード',
    text: '券面事項入力補助用の暗証番号',
    verificationB: '照合番号B',
  },
  apLabel: {
    jpki: '公的個人認証AP',
    text: '券面事項入力補助AP',
    face: '券面事項確認AP',
    common: '共通カードAP',
    juki: '住基AP',
  },
  profileLabel: {
    card: 'マイナンバーカード',
    android: 'スマホ用電子証明書（Android）',
    iphone: 'iPhoneのマイナンバーカード',
    juki: '住基カード',
    unknown: '不明なJPKIデバイス',
  },
  sexLabel: { male: '男', female: '女', 'not-applicable': '適用不能', unknown: '不明' },
  certLabel: {
    auth: '利用者証明用電子証明書',
    sign: '署名用電子証明書',
    'auth-ca': '利用者証明用CA証明書',
    'sign-ca': '署名用CA証明書',
  },

  errorPrefix: 'エラー',
  secretOption: (option: string) =>
    `オプション ${option} は使えません。mynacard は暗証番号・パスワードをコマンドラインで受け取りません（シェルの履歴やプロセス一覧に残るため）。次のいずれかを使ってください:\n` +
    '  - 画面に表示されない入力（端末で mynacard を実行）\n' +
    '  - 環境変数 MYNACARD_AUTH_PIN、MYNACARD_SIGN_PASSWORD、MYNACARD_TEXT_PIN（カードAPは MYNACARD_CARD_AP_<秘密の名前>）\n' +
    '  - --pin-stdin（標準入力から1行に1つ）',
  unknownCommand: (name: string, suggestion?: string) =>
    `不明なコマンド「${name}」です。${suggestion === undefined ? '' : `「${suggestion}」のことですか？`}「mynacard --help」を参照してください。`,
  missingCommand: 'コマンドがありません。「mynacard --help」を参照してください。',
  unknownOption: (name: string, command: string, suggestion?: string) =>
    `「${command}」に ${name} というオプションはありません。${suggestion === undefined ? '' : `${suggestion} のことですか？`}「mynacard ${command} --help」を参照してください。`,
  missingValue: (name: string) => `オプション ${name} には値が必要です。`,
  flagWithValue: (name: string) => `オプション ${name} は値をとりません。`,
  badValue: (name: string, allowed: readonly string[]) => `オプション ${name} は次のいずれかです: ${allowed.join(', ')}。`,
  badArgument: (what: string, allowed: readonly string[]) => `${what}は次のいずれかです: ${allowed.join(', ')}。`,
  missingArgument: (what: string, suggestion?: string) =>
    `引数がありません: ${what}。${suggestion === undefined ? '' : `「${suggestion}」のことですか？`}`,
  missingOption: (name: string) => `オプション ${name} が必要です。`,
  unexpectedArgument: (position: number) =>
    `${position}番目の引数は不要です（内容は表示しません）。秘密の値はコマンドラインでは受け付けません。入力画面、環境変数、--pin-stdin を使ってください。`,
  conflictingOptions: (a: string, b: string) => `オプション ${a} と ${b} は同時に使えません。`,
  badDate: (name: string) => `オプション ${name} は 2026-04-01 や 2026-04-01T09:00:00+09:00 のような ISO 8601 の日時です。`,
  badHostPort: 'vpcd のアドレスは host:port の形です（例 127.0.0.1:35963）。',
  fileRead: (path: string, code: string | undefined) => `ファイル ${path} を読めません（${JA_FILE_PROBLEM(code)}）。`,
  fileWrite: (path: string, reason: string) => `ファイル ${path} に書けません（${reason}）。`,
  fileProblem: JA_FILE_PROBLEM,
  outputProblem: (problem: string) =>
    ({
      exists: '既にあります。置き換えるには --force を付けてください',
      symlink: 'シンボリックリンクです',
      'not-file': '通常のファイルではありません',
      'is-input': '入力ファイルです',
      'dir-missing': 'フォルダーがありません',
    })[problem] ?? problem,
  signedNotWritten: (path: string, reason: string) =>
    `カードは署名しましたが、結果を ${path} に書けませんでした（${reason}）。この署名は失われました。もう一度署名してください。`,
  notCertificate: (path: string) => `${path} は証明書（DER または PEM）ではありません。`,
  derToTerminal: 'DER のバイト列は端末に出力しません。--out <ファイル> か --pem を使ってください。',
  cmsNeedsSignKey: 'CMS 署名（--cms）は署名用の鍵で行います。--key sign を指定してください。',
  secretUnavailable: (label: string, env: string) =>
    `${label}が必要ですが、標準入力が端末ではありません。${env} を設定するか --pin-stdin を指定してください。`,
  stdinExhausted: (label: string) => `--pin-stdin: ${label}を読む前に標準入力が終わりました。`,
  secretMismatch: '新しい値が2回の入力で一致しません。カードには何も送っていません。',
  interrupted: '中断しました。',
  pinIncorrect: (label: string, remaining: number) => describeCode('pin-incorrect', 'ja', { secret: label, remaining }).text,
  pinBlocked: (label: string) => describeCode('pin-blocked', 'ja', { secret: label }).text,
  pinFormat: (label: string) => describeCode('pin-format', 'ja', { secret: label }).text,
  guardRefused: (label: string) =>
    `${describeCode('pin-retry-guard', 'ja', { secret: label }).message}確かな場合は --allow-last-try を付けてください。`,
  cardApNamed: (name: string, text: string) => `カードAP「${name}」: ${text}`,
  reasonText: (code: string) => `${describeReason(code, 'ja').text} [${code}]`,
  testPkiHint:
    'この証明書は仮想カードのテスト用 PKI（O=JPKI-TEST）が発行したもので、J-LIS の発行ではありません。' +
    'テスト用ルートで検証するには --trust-test-roots を付けてください（コードでは mynacard/testing の TEST_PKI_DATA のルート）。',
  detachedHint: '分離署名です。署名されたデータは別のファイルにあります。--content <ファイル> で指定してください。',
  outputExists: (path: string) => `ファイル ${path} は既にあります。何もしていません。置き換えるには --force を付けてください。`,
  outputSymlink: (path: string) => `${path} はシンボリックリンクのため、書き込みません（何もしていません）。`,
  outputNotFile: (path: string) => `${path} は通常のファイルではありません。何もしていません。`,
  outputIsInput: (path: string) => `出力先 ${path} は入力ファイルと同じです。別の出力先を指定してください（何もしていません）。`,
  outputDirMissing: (path: string) => `${path} のフォルダーがありません。何もしていません。`,
  noReader: '使えるカードリーダーがありません。',
  noSuchReader: (name: string) => `「${name}」という名前のリーダーはありません。`,
  noCard: 'リーダーにカードがありません。',
  notSupported: (what: string) => `このカード（デバイス）には${what}がありません。`,
  notMyNumberCard: 'このカードには公的個人認証APがありません。マイナンバーカード（JPKIデバイス）ではありません。',
  internal: '想定外のエラーです（報告してください）:',

  triesLine: (label: string, remaining: number, max: number | undefined) =>
    `${label}: 残り${remaining}回${max === undefined ? '' : `（最大${max}回）`}`,
  triesUnlimited: (label: string) => `${label}: 回数制限なし`,
  prompt: (label: string, remaining: number | undefined) =>
    `${label}を入力してください${remaining === undefined || !Number.isFinite(remaining) ? '' : `（残り${remaining}回）`}: `,
  promptNew: (label: string) => `新しい${label}を入力してください: `,
  promptConfirm: (label: string) => `確認のため、新しい${label}をもう一度入力してください: `,
  secretFromEnv: (env: string) => `（${env} を使用）`,
  secretFromStdin: '（標準入力から読み取り）',
  secretFromSimulator: '（仮想カードの既定のテスト用暗証番号を使用）',

  readersNone: 'リーダーが見つかりません。',
  readerCard: 'カードあり',
  readerEmpty: 'カードなし',
  simulatorReader: 'mynacard 仮想カード（シミュレーター）',

  infoDevice: 'デバイス',
  infoLabel: 'トークンラベル',
  infoApplications: 'アプリケーション',
  infoPresent: 'あり',
  infoAbsent: 'なし',
  infoUnknown: (sw: string) => `不明（SW ${sw}）`,
  infoTries: '暗証番号の残り回数（回数は消費しません）',
  infoCardAps: 'カードAP（空き領域）',
  badAid: (value: string) => `--aid は5〜16バイトの16進数です（${value.length}文字が指定されました）。`,
  triesValue: (remaining: number, max: number | undefined) =>
    remaining === 0 ? 'ロック中' : `${remaining}${max === undefined ? '' : `/${max}`}`,
  triesNotAvailable: 'このデバイスにはありません',
  simulatorNote: 'シミュレーター: 組み込みの仮想マイナンバーカード（テスト用データのみ）。',

  cardApNoCandidates: 'カードAPを1つ以上指定してください: --aid <16進> または --card-ap <記述子.json>。',
  cardApSecretLabel: (label: string | undefined, secret: string, cardAp: string) =>
    label === undefined ? `カードAP「${cardAp}」の秘密の値「${secret}」` : `${label}（カードAP「${cardAp}」）`,
  cardApUnknownFile: (file: string, cardAp: string, files: readonly string[]) =>
    `カードAP「${cardAp}」に「${file}」というファイルはありません。ファイル: ${files.join(', ')}。`,
  cardApField: 'カードAP',
  cardApAreaField: '領域',
  cardApArea: { regional: '地域住民向け領域', extension: '拡張利用領域' },
  cardApFiles: 'ファイル',
  cardApEmpty: '（空）',

  certWritten: (label: string, bytes: number, path: string) => `${label}（DER ${bytes}バイト）を ${path} に書き込みました。`,
  fieldKind: '種類',
  fieldSerial: 'シリアル番号',
  fieldSubject: '主体者',
  fieldIssuer: '発行者',
  fieldValidity: '有効期間',
  fieldKeyUsage: '鍵用途',
  fieldRoot: 'トラストアンカー',
  fieldChain: '証明書チェーン',
  fieldSignature: '署名',
  fieldSigningTime: '署名時刻（自己申告）',
  fieldReasons: '問題点',
  fieldCheckedAt: '検証日時',
  fieldContent: '内容',
  kindName: { auth: '利用者証明用', sign: '署名用', ca: 'CA' },
  valid: '有効',
  invalid: '無効',
  testRootsNote: '仮想カードのテスト用ルート（O=JPKI-TEST）で検証しました。J-LIS のルートではありません（本物の証明書はここでは無効になります）。',
  customRootsNote: (count: number) => `--roots の${count}個のトラストアンカーで検証しました。`,
  jlisRootsNote: '同梱の J-LIS ルート（第1〜第3世代）で検証しました。失効（CRL/OCSP）は確認していません。',
  signerPerson: '署名者（署名用電子証明書の基本4情報）',
  signerHidden: '署名者の基本4情報: 非表示（表示するには --show-signer）',
  contentWritten: (bytes: number, path: string) => `署名された内容（${bytes}バイト）を ${path} に書き込みました。`,
  authKeyRefused:
    '利用者証明用電子証明書です。この鍵はログイン（利用者証明）に使うため、生の署名は受け付けません。それでも検証するには --allow-auth-key を付けてください。',
  sha1Refused: 'SHA-1 の署名は受け付けません。受け付けるには --allow-sha1 を付けてください。',

  signed: (bytes: number, key: string, out: string, cms: boolean) =>
    `${bytes}バイトを${key === 'sign' ? '署名用' : '利用者証明用'}の鍵で署名し、${cms ? 'CMS SignedData' : '署名値'}を ${out} に書き込みました。`,
  certOut: (path: string) => `署名者の証明書を ${path} に書き込みました。`,
  pdfSigned: (input: string, out: string, profile: string) =>
    `${input} に署名用の鍵で署名し（プロファイル ${profile}）、${out} に書き込みました。`,
  pdfField: (name: string) => `署名欄 ${name}`,
  pdfBadVisible: '--visible には x1,y1,x2,y2（ページ左下からのポイント）、--page には1から始まるページ番号を指定してください。',
  pdfCoverage: '署名の範囲',
  pdfWholeFile: 'ファイル全体',
  pdfLaterRevisions: (later: string) =>
    later === 'signatures-only' ? '署名時の版（後の版は署名の追加のみ）' : later === 'content-changed' ? '署名時の版（後の版で内容が変更されています）' : `署名時の版（後の版: ${later}）`,

  fieldName: '氏名',
  fieldAddress: '住所',
  fieldBirthDate: '生年月日',
  fieldSex: '性別',
  fieldMyNumber: '個人番号',
  myNumberHidden: '************（読み取っていません。読み取って表示するには --show-my-number）',
  fieldExpiry: '有効期限',
  fieldPhoto: '顔写真',
  photoWritten: (bytes: number, path: string) => `JPEG 2000 ${bytes}バイト、${path} に保存しました`,
  photoNotWritten: (bytes: number) => `JPEG 2000 ${bytes}バイト（保存するには --photo <ファイル>）`,
  faceImages: (name: number, address: number, code: number) =>
    `券面画像: 氏名 ${name}B、住所 ${address}B、セキュリティコード ${code}B（PNG）`,
  readingFace: '券面を読み取り中',
  readingCert: '証明書を読み取り中',

  pinChanged: (label: string) => `${label}を変更しました。`,

  simStarted: (address: string) =>
    `仮想マイナンバーカードを vpcd のリーダー（${address}）に挿入しました。Ctrl-C で取り外します。\n` +
    'テスト用の暗証番号は mynacard/testing の既定値（DEFAULT_AUTH_PIN、DEFAULT_SIGN_PASSWORD、DEFAULT_TEXT_PIN）です。',
  simStopped: (apdus: number) => `カードを取り外しました（応答した APDU ${apdus}件）。`,

  bridgeNeedsOrigin: 'mynacard bridge には --allow-origin <オリジン> が1つ以上必要です（例 https://counter.example.lg.jp）。',
  bridgeBadPort: '--port は 0〜65535 の数です。',
  bridgePairingCode: (code: string, minutes: number) =>
    `ペアリングコード: ${code}（${minutes}分間有効、1回限り）。求めている画面に入力してください。`,

  demoTitle: 'mynacard デモ: 組み込みの仮想マイナンバーカード（架空のテスト用住民、テスト用 PKI）',
  demoReaderTitle: 'mynacard デモ: リーダーのカード',
  demoStep: (n: number, title: string) => `[${n}/3] ${title}`,
  demoCard: 'カード',
  demoCert: '利用者証明用電子証明書とその証明書チェーン',
  demoText: '基本4情報（券面事項入力補助AP）',
  demoTrustNote: 'デモは仮想カードのテスト用ルートを明示的に信頼しています（verify と verify-cert では --trust-test-roots が必要です）。',
  demoDone:
    '完了。次は「mynacard --help」、mynacard パッケージの README.ja.md と examples/README.md へ（プロジェクトでは node_modules/mynacard/ にあります）。',

  help: HELP_JA,
};

/**
 * The catalogue with every string argument of its message functions escaped
 * ({@link escapeControls}): file names, reader names, card-AP names and labels from a
 * descriptor reach the terminal only through here or {@link fieldLines}.
 */
function escapeArgument(value: unknown): unknown {
  if (typeof value === 'string') return escapeControls(value);
  if (Array.isArray(value)) return value.map((item: unknown) => (typeof item === 'string' ? escapeControls(item) : item));
  return value;
}

function escapingArguments(catalogue: Messages): Messages {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(catalogue)) {
    out[key] =
      typeof value === 'function'
        ? (...args: unknown[]) => (value as (...a: unknown[]) => unknown)(...args.map(escapeArgument))
        : value;
  }
  return out as Messages;
}

const CATALOGUES: Readonly<Record<Lang, Messages>> = { en: escapingArguments(en), ja: escapingArguments(ja) };

/** The catalogue of `lang`. */
export function messages(lang: Lang): Messages {
  return CATALOGUES[lang];
}

/** Whether `value` is a supported language. */
export function isLang(value: unknown): value is Lang {
  return value === 'ja' || value === 'en';
}

/**
 * The default language: the first of `LC_ALL`, `LC_MESSAGES`, `LANG` that is set and not
 * `C`/`POSIX` decides (`ja…` → Japanese, anything else → English); with none set, the
 * `Intl` locale of the runtime.
 */
export function defaultLang(env: Readonly<Record<string, string | undefined>>, intlLocale?: string): Lang {
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG']) {
    const value = env[name];
    if (value === undefined || value === '' || value === 'C' || value === 'POSIX' || value.startsWith('C.')) continue;
    return value.toLowerCase().startsWith('ja') ? 'ja' : 'en';
  }
  const locale = intlLocale ?? Intl.DateTimeFormat().resolvedOptions().locale;
  return locale.toLowerCase().startsWith('ja') ? 'ja' : 'en';
}
