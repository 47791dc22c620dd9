import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { toPem } from '../../src/cli/output.js';
import { DEFAULT_SECURITY_CODE, defaultFaceImages, deriveVerificationB, VirtualMyNumberCard } from '../../src/testing/index.js';
import {
  AUTH_PIN,
  HOLDER_ADDRESS,
  HOLDER_BIRTH_DATE,
  HOLDER_NAME,
  MY_NUMBER,
  NOW,
  SIGN_PASSWORD,
  TEXT_PIN,
  runWith,
  tempDir,
} from './helpers.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();
/** VERIFY commands that carried a secret, from the virtual card's log. */
const verifiesWithData = (card: VirtualMyNumberCard): number => card.log.filter((e) => e.verifyWithData === true).length;

const DEMO_STDOUT = `mynacard demo: the embedded virtual My Number Card (fictional test holder, TEST PKI)

[1/3] Card
  Device       My Number Card (マイナンバーカード)
  Token label  JPKIAPICCTOKEN2
  Applications:
    JPKI AP (公的個人認証AP)      present
    text AP (券面事項入力補助AP)  present
    face AP (券面事項確認AP)      present
    common AP (共通カードAP)      present
    住基AP                        present
  Remaining tries (none spent):
    auth PIN (利用者証明用)        3/3
    signing password (署名用)      5/5
    text PIN (券面事項入力補助用)  3/3

[2/3] Auth certificate (利用者証明用電子証明書) and its chain
  Kind           auth (利用者証明用)
  Serial number  7E57A001
  Subject        C=JP, CN=JPKITEST0AUTH0000000001
  Issuer         C=JP, O=JPKI-TEST, OU=JPKI for user authentication, OU=Japan Agency for Local Authority Information Systems
  Valid          2025-04-01 – 2030-01-02
  Chain          valid
  Checked at     2026-04-01T00:00:00.000Z
  Trust anchor   JPKI-TEST auth root
  Checked against the virtual card's TEST roots (O=JPKI-TEST), NOT the J-LIS roots: a real certificate fails here.
  The demo trusts the virtual card's TEST roots explicitly (verify and verify-cert need --trust-test-roots for that).

[3/3] 基本4情報 (text AP)
  Name (氏名)            由利　花子
  Address (住所)         秋田県由利本荘市尾崎１７番地
  Birth date (生年月日)  1990-01-02
  Sex (性別)             female

Done. Next: "mynacard --help", then README.md and examples/README.md in the mynacard package (node_modules/mynacard/ in your project).
`;

describe('demo', () => {
  test('runs non-interactively on the virtual card: info, auth certificate chain (TEST roots), 基本4情報', async () => {
    const r = await runWith(['demo']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(DEMO_STDOUT);
    expect(r.stderr).toBe(
      "text PIN (券面事項入力補助用 暗証番号, 4 digits): 3 of 3 tries left (using the virtual card's default test PIN)\n",
    );
    // The 個人番号 was never read (no READ BINARY of text EF 0001 by SFI).
    expect(r.card!.log.some((e) => hex(e.command).startsWith('00B08100'))).toBe(false);
    expect(r.stdout).not.toContain(MY_NUMBER);
  });

  test('MYNACARD_TEXT_PIN overrides the simulator default; a wrong one exits 5', async () => {
    const r = await runWith(['demo'], { env: { MYNACARD_TEXT_PIN: '0000' } });
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('Error: The text PIN (券面事項入力補助用) is incorrect. 2 more wrong entries will lock it. A locked PIN is reset at the municipal office (市区町村の窓口) where the cardholder lives.\n');
    expect(r.card!.pinState('text').remaining).toBe(2);
  });

  test('--json result', async () => {
    const r = await runWith(['--json', 'demo']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.schemaVersion).toBe(1);
    expect(doc.command).toBe('demo');
    expect(doc.result.attributes).toEqual({
      name: HOLDER_NAME,
      address: HOLDER_ADDRESS,
      birthDate: HOLDER_BIRTH_DATE,
      sex: 'female',
      sexCode: '2',
    });
    expect(doc.result.authCertificate.chain).toEqual({
      valid: true,
      reasons: [],
      checkedAt: NOW.toISOString(),
      trust: 'test',
      root: { name: 'JPKI-TEST auth root', purpose: 'auth', serialNumber: doc.result.authCertificate.chain.root.serialNumber },
    });
  });
});

describe('info and pin status', () => {
  test('info --json: stable schema, no secret needed, no try spent', async () => {
    const r = await runWith(['--simulator', '--json', 'info']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      schemaVersion: 1,
      command: 'info',
      ok: true,
      exitCode: 0,
      result: {
        reader: 'mynacard virtual card (simulator)',
        simulated: true,
        profile: 'card',
        tokenLabel: 'JPKIAPICCTOKEN2',
        applications: { jpki: 'present', text: 'present', face: 'present', common: 'present', juki: 'present' },
        cardAps: [],
        pins: {
          auth: { state: 'tries', remaining: 3, max: 3, blocked: false },
          sign: { state: 'tries', remaining: 5, max: 5, blocked: false },
          text: { state: 'tries', remaining: 3, max: 3, blocked: false },
        },
      },
    });
    expect(verifiesWithData(r.card!)).toBe(0);
  });

  test('info sends exactly: five probe SELECTs, connect, and empty VERIFYs (no secret)', async () => {
    const r = await runWith(['--simulator', 'info']);
    expect(r.card!.log.map((e) => hex(e.command))).toEqual([
      '00A4040C0AD392F000260100000001',
      '00A4040C0AD3921000310001010408',
      '00A4040C0AD3921000310001010402',
      '00A4040C0AD3921000310001010100',
      '00A4040C0AD3921000310001010401',
      '00A4040C0AD392F000260100000001',
      '00B0860020',
      '00200098',
      '0020009B',
      '00A4040C0AD3921000310001010408',
      '00200091',
    ]);
  });

  test('info --lang ja', async () => {
    const r = await runWith(['--simulator', '--lang', 'ja', 'info'], { card: { tries: { sign: 0, auth: 1 } } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`シミュレーター: 組み込みの仮想マイナンバーカード（テスト用データのみ）。
デバイス        マイナンバーカード
トークンラベル  JPKIAPICCTOKEN2
アプリケーション:
  公的個人認証AP      あり
  券面事項入力補助AP  あり
  券面事項確認AP      あり
  共通カードAP        あり
  住基AP              あり
暗証番号の残り回数（回数は消費しません）:
  利用者証明用電子証明書の暗証番号  1/3
  署名用電子証明書のパスワード      ロック中
  券面事項入力補助用の暗証番号      3/3
`);
  });

  test('LANG=ja_JP.UTF-8 picks Japanese without --lang', async () => {
    const r = await runWith(['--simulator', 'pin', 'status'], { env: { LANG: 'ja_JP.UTF-8' } });
    expect(r.stdout).toBe(`利用者証明用電子証明書の暗証番号  3/3
署名用電子証明書のパスワード      5/5
券面事項入力補助用の暗証番号      3/3
`);
  });

  test('an Android JPKI device: no text AP, so no text PIN', async () => {
    const r = await runWith(['--simulator', 'info', '--json'], { card: { profile: 'android' } });
    const result = JSON.parse(r.stdout).result;
    expect(result.profile).toBe('android');
    expect(result.tokenLabel).toBe('JPKIAPGPSETOKEN');
    expect(result.applications).toEqual({ jpki: 'present', text: 'absent', face: 'absent', common: 'absent', juki: 'absent' });
    expect(result.pins.text).toBeNull();
    const text = await runWith(['--simulator', 'text'], { card: { profile: 'android' }, env: { MYNACARD_TEXT_PIN: TEXT_PIN } });
    expect(text.code).toBe(10);
    expect(text.stderr).toBe('Error: This card or device has no text AP (券面事項入力補助AP).\n');
  });

  test('a card without the JPKI AP is not a My Number Card: exit 10', async () => {
    const r = await runWith(['--simulator', 'pin', 'status'], { card: { quirks: { absentAps: ['jpki'] } } });
    expect(r.code).toBe(10);
    expect(r.stderr).toBe('Error: This card has no JPKI AP: it is not a My Number Card or a JPKI device.\n');
  });
});

describe('text', () => {
  test('masks the 個人番号 by default and does not even read it', async () => {
    const r = await runWith(['--simulator', 'text'], { env: { MYNACARD_TEXT_PIN: TEXT_PIN } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Name (氏名)            由利　花子
Address (住所)         秋田県由利本荘市尾崎１７番地
Birth date (生年月日)  1990-01-02
Sex (性別)             female
My Number (個人番号)   ************ (not read; pass --show-my-number to read and show it)
`);
    expect(r.stderr).toBe('text PIN (券面事項入力補助用 暗証番号, 4 digits): 3 of 3 tries left (using MYNACARD_TEXT_PIN)\n');
    expect(r.card!.log.some((e) => hex(e.command).startsWith('00B08100'))).toBe(false);
    expect(verifiesWithData(r.card!)).toBe(1);
  });

  test('--show-my-number reads and shows it; --json carries it', async () => {
    const r = await runWith(['--simulator', '--json', 'text', '--show-my-number'], { env: { MYNACARD_TEXT_PIN: TEXT_PIN } });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).result).toEqual({
      attributes: { name: HOLDER_NAME, address: HOLDER_ADDRESS, birthDate: HOLDER_BIRTH_DATE, sex: 'female', sexCode: '2' },
      myNumber: MY_NUMBER,
    });
    const masked = await runWith(['--simulator', '--json', 'text'], { env: { MYNACARD_TEXT_PIN: TEXT_PIN } });
    expect(JSON.parse(masked.stdout).result.myNumber).toBeNull();
    expect(masked.stdout).not.toContain(MY_NUMBER);
  });

  test('--pin-stdin reads one line per secret', async () => {
    const r = await runWith(['--simulator', '--pin-stdin', 'text'], { stdin: `${TEXT_PIN}\r\nleftover\n` });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('text PIN (券面事項入力補助用 暗証番号, 4 digits): 3 of 3 tries left (reading it from standard input)\n');
    expect(r.stdout).toContain(HOLDER_NAME);
  });

  test('--pin-stdin wins over the environment; an empty stdin is exit 11', async () => {
    const r = await runWith(['--simulator', '--pin-stdin', 'text'], { stdin: '', env: { MYNACARD_TEXT_PIN: TEXT_PIN } });
    expect(r.code).toBe(11);
    expect(r.stderr).toContain(
      'Error: --pin-stdin: standard input ended before the text PIN (券面事項入力補助用 暗証番号, 4 digits).\n',
    );
    expect(verifiesWithData(r.card!)).toBe(0);
  });

  test('no secret available (stdin not a terminal, no env): exit 11, nothing sent', async () => {
    const r = await runWith(['--simulator', 'text']);
    expect(r.code).toBe(11);
    expect(r.stderr).toBe(
      'Error: The text PIN (券面事項入力補助用 暗証番号, 4 digits) is needed, but standard input is not a terminal: set MYNACARD_TEXT_PIN or pass --pin-stdin.\n',
    );
    expect(verifiesWithData(r.card!)).toBe(0);
  });

  test('wrong PIN: exit 5 with the tries left, one try spent, never retried', async () => {
    const r = await runWith(['--simulator', 'text'], { env: { MYNACARD_TEXT_PIN: '0000' } });
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'text PIN (券面事項入力補助用 暗証番号, 4 digits): 3 of 3 tries left (using MYNACARD_TEXT_PIN)\n' +
        'Error: The text PIN (券面事項入力補助用) is incorrect. 2 more wrong entries will lock it. A locked PIN is reset at the municipal office (市区町村の窓口) where the cardholder lives.\n',
    );
    expect(verifiesWithData(r.card!)).toBe(1);
    expect(r.card!.pinState('text').remaining).toBe(2);
    const json = await runWith(['--simulator', '--json', '--lang', 'ja', 'text'], { env: { MYNACARD_TEXT_PIN: '0000' } });
    expect(JSON.parse(json.stdout)).toEqual({
      schemaVersion: 1,
      command: 'text',
      ok: false,
      exitCode: 5,
      error: {
        code: 'pin-incorrect',
        message: '券面事項入力補助用の暗証番号が違います。あと2回間違えるとロックされます。ロックの解除はお住まいの市区町村の窓口で行います。',
        remaining: 2,
      },
    });
  });

  test('a PIN of the wrong format is exit 2 and spends nothing', async () => {
    const r = await runWith(['--simulator', 'text'], { env: { MYNACARD_TEXT_PIN: '12345' } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Error: The text PIN (券面事項入力補助用) does not have the required format (length or kind of characters). It was not sent to the card, so no try was used. The auth and text PINs are 4 digits; the signing password is 6–16 capital letters and digits. Check it and enter it again.\n');
    expect(verifiesWithData(r.card!)).toBe(0);
    expect(r.card!.pinState('text').remaining).toBe(3);
  });

  test('last-try guard: exit 7 without asking or sending; --allow-last-try sends it', async () => {
    const r = await runWith(['--simulator', 'text'], { card: { tries: { text: 1 } }, env: { MYNACARD_TEXT_PIN: TEXT_PIN } });
    expect(r.code).toBe(7);
    expect(r.stderr).toBe(
      'Error: One more wrong entry will lock the text PIN (券面事項入力補助用), so it was not sent to the card. Pass --allow-last-try if you are sure.\n',
    );
    expect(verifiesWithData(r.card!)).toBe(0);
    const allowed = await runWith(['--simulator', '--allow-last-try', 'text'], {
      card: { tries: { text: 1 } },
      env: { MYNACARD_TEXT_PIN: TEXT_PIN },
    });
    expect(allowed.code).toBe(0);
    expect(allowed.stderr).toBe('text PIN (券面事項入力補助用 暗証番号, 4 digits): 1 of 3 tries left (using MYNACARD_TEXT_PIN)\n');
    expect(allowed.card!.pinState('text').remaining).toBe(3);
  });

  test('blocked PIN: exit 6, nothing asked', async () => {
    const r = await runWith(['--simulator', '--json', 'text'], { card: { tries: { text: 0 } } });
    expect(r.code).toBe(6);
    expect(JSON.parse(r.stdout).error).toEqual({
      code: 'pin-blocked',
      message: 'The text PIN (券面事項入力補助用) is locked after too many wrong entries. A locked PIN is reset at the municipal office (市区町村の窓口) where the cardholder lives.',
      remaining: 0,
    });
  });

  test('--trace: redacted APDUs on stderr, no PIN and no personal data anywhere in the trace', async () => {
    const r = await runWith(['--simulator', '--trace', 'text', '--show-my-number'], { env: { MYNACARD_TEXT_PIN: TEXT_PIN } });
    expect(r.code).toBe(0);
    const trace = r.stderr.split('\n').filter((l) => l.startsWith('=>') || l.startsWith('<='));
    expect(trace).toContain('=> 00 20 00 91 04 <redacted 4 bytes>');
    expect(trace).toContain('=> 00 B0 81 00 00 00 00');
    expect(trace).toContain('<= <redacted 17 bytes> 90 00');
    const pinHex = '35 36 37 38';
    const myNumberHex = Buffer.from(MY_NUMBER, 'ascii').toString('hex').toUpperCase().replace(/(..)(?!$)/g, '$1 ');
    const nameHex = Buffer.from(HOLDER_NAME, 'utf8').toString('hex').toUpperCase().replace(/(..)(?!$)/g, '$1 ');
    for (const needle of [pinHex, myNumberHex.slice(0, 20), nameHex.slice(0, 20), TEXT_PIN, MY_NUMBER, HOLDER_NAME]) {
      expect(r.stderr).not.toContain(needle);
    }
  });
});

describe('certificates', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => cleanup());

  test('cert auth prints the PEM (exactly the DER on the card, no filler), no secret', async () => {
    const vc = await VirtualMyNumberCard.create();
    const r = await runWith(['--simulator', 'cert', 'auth'], { card: vc });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(toPem(vc.certificates.auth));
    expect(verifiesWithData(vc)).toBe(0);
  });

  test('cert sign needs the signing password; --der --out writes the DER', async () => {
    const vc = await VirtualMyNumberCard.create();
    const r = await runWith(['--simulator', 'cert', 'sign', '--der', '--out', 'sign.der'], {
      card: vc,
      cwd: dir,
      env: { MYNACARD_SIGN_PASSWORD: SIGN_PASSWORD },
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Wrote the signing certificate (署名用電子証明書) (${vc.certificates.sign.length} bytes DER) to sign.der.\n`);
    expect(new Uint8Array(await readFile(join(dir, 'sign.der')))).toEqual(vc.certificates.sign);
    expect((await stat(join(dir, 'sign.der'))).mode & 0o777).toBe(0o600);
    const wrong = await runWith(['--simulator', 'cert', 'sign'], { env: { MYNACARD_SIGN_PASSWORD: 'WRONG1' } });
    expect(wrong.code).toBe(5);
    expect(wrong.stderr).toContain('Error: The signing password (署名用) is incorrect. 4 more wrong entries will lock it. A locked PIN is reset at the municipal office (市区町村の窓口) where the cardholder lives.\n');
  });

  test('cert --der refuses to write binary to a terminal; --json describes the certificate', async () => {
    const tty = await runWith(['--simulator', 'cert', 'auth-ca', '--der'], { stdoutTty: true });
    expect(tty.code).toBe(2);
    expect(tty.stderr).toBe('Error: Refusing to write DER bytes to a terminal: use --out <file> or --pem.\n');
    const raw = await runWith(['--simulator', 'cert', 'auth-ca', '--der']);
    expect(raw.stdoutBytes).toEqual(raw.card!.certificates.authCa);
    const json = await runWith(['--simulator', '--json', 'cert', 'auth']);
    const result = JSON.parse(json.stdout).result;
    expect(result.certificate).toEqual({
      kind: 'auth',
      serialNumber: '7E57A001',
      subject: 'C=JP, CN=JPKITEST0AUTH0000000001',
      issuer: 'C=JP, O=JPKI-TEST, OU=JPKI for user authentication, OU=Japan Agency for Local Authority Information Systems',
      notBefore: '2025-04-01T01:23:45.000Z',
      notAfter: '2030-01-02T14:59:59.000Z',
      keyUsage: ['digitalSignature'],
      policies: ['1.2.392.200149.8.5.1.3.30'],
      ocspUrl: result.certificate.ocspUrl,
    });
    expect(Buffer.from(result.der, 'base64')).toEqual(Buffer.from(json.card!.certificates.auth));
  });

  test('verify-cert: TEST roots only with --trust-test-roots, J-LIS roots otherwise, --at after expiry', async () => {
    const vc = await VirtualMyNumberCard.create();
    await writeFile(join(dir, 'auth.pem'), toPem(vc.certificates.auth));
    const ok = await runWith(['--simulator', 'verify-cert', 'auth.pem', '--trust-test-roots'], { cwd: dir });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toBe(`Kind           auth (利用者証明用)
Serial number  7E57A001
Subject        C=JP, CN=JPKITEST0AUTH0000000001
Issuer         C=JP, O=JPKI-TEST, OU=JPKI for user authentication, OU=Japan Agency for Local Authority Information Systems
Valid          2025-04-01 – 2030-01-02
Chain          valid
Checked at     2026-04-01T00:00:00.000Z
Trust anchor   JPKI-TEST auth root
Checked against the virtual card's TEST roots (O=JPKI-TEST), NOT the J-LIS roots: a real certificate fails here.
`);
    // --simulator does not change the trust: the J-LIS roots, and a hint naming the flag.
    const simulator = await runWith(['--simulator', 'verify-cert', 'auth.pem'], { cwd: dir });
    expect(simulator.code).toBe(8);
    expect(simulator.stdout).toBe(`Kind           auth (利用者証明用)
Serial number  7E57A001
Subject        C=JP, CN=JPKITEST0AUTH0000000001
Issuer         C=JP, O=JPKI-TEST, OU=JPKI for user authentication, OU=Japan Agency for Local Authority Information Systems
Valid          2025-04-01 – 2030-01-02
Chain          INVALID
Checked at     2026-04-01T00:00:00.000Z
Problems       The certificate issuer cannot be confirmed (it was not issued by a trusted issuer). Check that it is a genuine My Number Card certificate. [no-issuer-found]
Checked against the bundled J-LIS roots (generations 1–3). Revocation (CRL/OCSP) is not checked.
This certificate was issued by the TEST PKI (O=JPKI-TEST) of the virtual card, not by J-LIS. To check it against the test roots, pass --trust-test-roots (in code: the roots of mynacard/testing TEST_PKI_DATA).
`);
    const ja = await runWith(['--lang', 'ja', 'verify-cert', 'auth.pem'], { cwd: dir });
    expect(ja.stdout).toContain(
      '問題点          電子証明書の発行元を確認できません（信頼する発行元が発行したものではありません）。本物のマイナンバーカードの電子証明書か確かめてください。 [no-issuer-found]\n',
    );
    expect(ja.stdout).toContain('--trust-test-roots を付けてください');
    const jlis = await runWith(['--json', 'verify-cert', 'auth.pem'], { cwd: dir });
    expect(jlis.code).toBe(8);
    expect(JSON.parse(jlis.stdout).result.chain).toEqual({
      valid: false,
      reasons: ['no-issuer-found'],
      checkedAt: NOW.toISOString(),
      trust: 'jlis',
    });
    const late = await runWith(['--simulator', '--json', 'verify-cert', 'auth.pem', '--trust-test-roots', '--at', '2031-01-01'], { cwd: dir });
    expect(late.code).toBe(8);
    expect(JSON.parse(late.stdout).result.chain.reasons).toEqual(['leaf-expired']);
    const bad = await runWith(['verify-cert', 'auth.pem', '--at', 'tomorrow'], { cwd: dir });
    expect(bad.code).toBe(2);
    const missing = await runWith(['verify-cert', 'nope.pem'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('Error: Cannot read the file nope.pem: it does not exist.\n');
    const missingJa = await runWith(['--lang', 'ja', 'verify-cert', 'nope.pem'], { cwd: dir });
    expect(missingJa.stderr).toBe('エラー: ファイル nope.pem を読めません（ファイルがありません）。\n');
    const folder = await runWith(['verify-cert', '.'], { cwd: dir });
    expect(folder.code).toBe(2);
    expect(folder.stderr).toBe('Error: Cannot read the file .: it is a folder.\n');
  });
});

const APP_JSON = '{"kind":"住民票","copies":1}\n';
const APP_BYTES = Buffer.byteLength(APP_JSON, 'utf8');

describe('sign and verify', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    await writeFile(join(dir, 'app.json'), APP_JSON);
  });
  afterEach(async () => cleanup());

  test('raw signature with the auth key, verified with its certificate; a changed file fails (exit 8)', async () => {
    const vc = await VirtualMyNumberCard.create();
    const signed = await runWith(['--simulator', 'sign', '--key', 'auth', '--in', 'app.json', '--out', 'app.sig', '--cert-out', 'auth.pem'], {
      card: vc,
      cwd: dir,
      env: { MYNACARD_AUTH_PIN: AUTH_PIN },
    });
    expect(signed.code).toBe(0);
    expect(signed.stdout).toBe(
      `Signed ${APP_BYTES} bytes with the auth key (利用者証明用); signature written to app.sig.\nSigner certificate written to auth.pem.\n`,
    );
    expect((await readFile(join(dir, 'app.sig'))).length).toBe(256);
    expect(await readFile(join(dir, 'auth.pem'), 'utf8')).toBe(toPem(vc.certificates.auth));
    const verify = ['--simulator', 'verify', '--trust-test-roots', '--in', 'app.json', '--sig', 'app.sig', '--cert', 'auth.pem'];
    // An auth-key signature is not a signature of the holder's will (the key signs logins): refused by default.
    const refused = await runWith(verify, { cwd: dir });
    expect(refused.code).toBe(8);
    expect(refused.stdout.split('\n').slice(0, 2)).toEqual([
      'Signature      INVALID',
      'Problems       A signature made with the authentication (login) certificate is not accepted as a document signature. Sign with the signing certificate. [auth-key-not-allowed]',
    ]);
    expect(refused.stdout).toContain('Pass --allow-auth-key to check it anyway.');
    const refusedJson = JSON.parse((await runWith(['--json', ...verify], { cwd: dir })).stdout).result;
    expect(refusedJson).toMatchObject({ valid: false, signatureValid: false, reasons: ['auth-key-not-allowed'] });
    expect(refusedJson.chain.valid).toBe(true);
    const verified = await runWith([...verify, '--allow-auth-key'], { cwd: dir });
    expect(verified.code).toBe(0);
    expect(verified.stdout.split('\n')[0]).toBe('Signature      valid');
    await writeFile(join(dir, 'app.json'), '{"kind":"住民票","copies":9}\n');
    const tampered = await runWith(['--json', ...verify, '--allow-auth-key'], { cwd: dir });
    expect(tampered.code).toBe(8);
    const result = JSON.parse(tampered.stdout).result;
    expect(result.signatureValid).toBe(false);
    expect(result.reasons).toEqual(['data-signature-invalid']);
    expect(result.valid).toBe(false);
    expect(result.chain.valid).toBe(true);
  });

  test('raw signature with the signing key: valid without options; SHA-1 only with --allow-sha1 (exit 8 otherwise)', async () => {
    const vc = await VirtualMyNumberCard.create();
    const env = { MYNACARD_SIGN_PASSWORD: SIGN_PASSWORD };
    const sign = ['--simulator', 'sign', '--key', 'sign', '--in', 'app.json', '--cert-out', 'sign.pem'];
    expect((await runWith([...sign, '--out', 'app.sig'], { card: vc, cwd: dir, env })).code).toBe(0);
    expect((await runWith([...sign, '--out', 'app.sha1.sig', '--hash', 'SHA-1', '--force'], { card: vc, cwd: dir, env })).code).toBe(0);
    const verify = ['--simulator', '--json', 'verify', '--trust-test-roots', '--in', 'app.json', '--cert', 'sign.pem'];
    const ok = await runWith([...verify, '--sig', 'app.sig'], { cwd: dir });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout).result).toMatchObject({ valid: true, signatureValid: true, reasons: [], hash: 'SHA-256' });
    const sha1 = await runWith([...verify, '--sig', 'app.sha1.sig', '--hash', 'SHA-1'], { cwd: dir });
    expect(sha1.code).toBe(8);
    expect(JSON.parse(sha1.stdout).result).toMatchObject({ valid: false, signatureValid: false, reasons: ['sha1-signature'] });
    const human = await runWith(['--simulator', 'verify', '--trust-test-roots', '--in', 'app.json', '--cert', 'sign.pem', '--sig', 'app.sha1.sig', '--hash', 'SHA-1'], { cwd: dir });
    expect(human.code).toBe(8);
    expect(human.stdout).toContain('SHA-1 signatures are refused. Pass --allow-sha1 to accept one.');
    const allowed = await runWith([...verify, '--sig', 'app.sha1.sig', '--hash', 'SHA-1', '--allow-sha1'], { cwd: dir });
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout).result).toMatchObject({ valid: true, reasons: [], hash: 'SHA-1' });
    const cms = await runWith(['--simulator', 'verify', '--trust-test-roots', '--cms', 'app.sig', '--allow-auth-key'], { cwd: dir });
    expect(cms.code).toBe(2);
  });

  test('CMS with the signing key: verify hides the signer unless --show-signer; tampering fails', async () => {
    const signed = await runWith(['--simulator', 'sign', '--key', 'sign', '--cms', '--in', 'app.json', '--out', 'app.p7s'], {
      cwd: dir,
      env: { MYNACARD_SIGN_PASSWORD: SIGN_PASSWORD },
    });
    expect(signed.code).toBe(0);
    expect(signed.stdout).toBe(`Signed ${APP_BYTES} bytes with the signing key (署名用); CMS SignedData written to app.p7s.\n`);
    const verified = await runWith(['--simulator', 'verify', '--trust-test-roots', '--cms', 'app.p7s', '--content-out', 'out.json'], { cwd: dir });
    expect(verified.code).toBe(0);
    expect(verified.stdout).toContain("Signer's 基本4情報: hidden (pass --show-signer to show them)\n");
    expect(verified.stdout).toContain('Signing time (claimed)  2026-04-01T00:00:00.000Z\n');
    expect(verified.stdout).not.toContain(HOLDER_NAME);
    expect(await readFile(join(dir, 'out.json'), 'utf8')).toBe(APP_JSON);
    const shown = await runWith(['--simulator', '--json', 'verify', '--trust-test-roots', '--cms', 'app.p7s', '--show-signer'], { cwd: dir });
    expect(JSON.parse(shown.stdout).result.signerPerson).toEqual({
      name: HOLDER_NAME,
      address: HOLDER_ADDRESS,
      birthDate: HOLDER_BIRTH_DATE,
      sex: 'female',
      sexCode: '2',
    });
    const cms = new Uint8Array(await readFile(join(dir, 'app.p7s')));
    const at = Buffer.from(cms).indexOf(Buffer.from('"copies":1'));
    cms[at + 9] = 0x32; // "copies":2
    await writeFile(join(dir, 'app.p7s'), cms);
    const tampered = await runWith(['--simulator', '--json', 'verify', '--trust-test-roots', '--cms', 'app.p7s'], { cwd: dir });
    expect(tampered.code).toBe(8);
    expect(JSON.parse(tampered.stdout).result.reasons).toContain('message-digest-mismatch');
  });

  test('detached CMS: verified only with the content', async () => {
    const signed = await runWith(['--simulator', 'sign', '--key', 'sign', '--cms', '--detached', '--in', 'app.json', '--out', 'app.p7s'], {
      cwd: dir,
      env: { MYNACARD_SIGN_PASSWORD: SIGN_PASSWORD },
    });
    expect(signed.code).toBe(0);
    expect(Buffer.from(await readFile(join(dir, 'app.p7s'))).includes(Buffer.from(APP_JSON))).toBe(false);
    const withContent = await runWith(['--simulator', '--json', 'verify', '--trust-test-roots', '--cms', 'app.p7s', '--content', 'app.json'], { cwd: dir });
    expect(withContent.code).toBe(0);
    expect(JSON.parse(withContent.stdout).result).toMatchObject({ format: 'cms', valid: true, reasons: [], contentBytes: APP_BYTES });
    const without = await runWith(['--simulator', '--json', 'verify', '--trust-test-roots', '--cms', 'app.p7s'], { cwd: dir });
    expect(without.code).toBe(8);
    expect(JSON.parse(without.stdout).result.reasons).toContain('content-missing');
  });

  test('usage errors: --cms needs the signing key, missing --out', async () => {
    const cms = await runWith(['--simulator', 'sign', '--key', 'auth', '--cms', '--in', 'app.json', '--out', 'x'], { cwd: dir });
    expect(cms.code).toBe(2);
    expect(cms.stderr).toBe('Error: A CMS signature (--cms) is made with the signing key: use --key sign.\n');
    const out = await runWith(['--simulator', 'sign', '--key', 'auth', '--in', 'app.json'], { cwd: dir });
    expect(out.code).toBe(2);
    expect(out.stderr).toBe('Error: The option --out is required.\n');
  });
});

describe('face and pin change', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => cleanup());

  test('face with the text PIN (照合番号A read internally, never shown) writes the photo', async () => {
    const r = await runWith(['--simulator', 'face', '--photo', 'photo.jp2'], { cwd: dir, env: { MYNACARD_TEXT_PIN: TEXT_PIN } });
    expect(r.code).toBe(0);
    const photo = defaultFaceImages().photo;
    expect(r.stdout).toBe(`Birth date (生年月日)   1990-01-02
Sex (性別)              female
Card expiry (有効期限)  2035-01-02
Photo (顔写真)          ${photo.length} bytes JPEG 2000, written to photo.jp2
Card face images: name ${defaultFaceImages().name.length} B, address ${defaultFaceImages().address.length} B, security code ${defaultFaceImages().securityCode.length} B (PNG)
`);
    expect(new Uint8Array(await readFile(join(dir, 'photo.jp2')))).toEqual(photo);
    expect(r.stdout + r.stderr).not.toContain(MY_NUMBER);
  });

  test('face with 照合番号B from the environment', async () => {
    const vc = await VirtualMyNumberCard.create();
    const verificationB = deriveVerificationB(HOLDER_BIRTH_DATE, '2035-01-02', DEFAULT_SECURITY_CODE);
    expect(verificationB).toBe('02010220352468'); // 平成2年1月2日 → 020102, expiry year, security code
    const r = await runWith(['--simulator', '--json', 'face', '--credential', 'verification-b'], {
      card: vc,
      env: { MYNACARD_VERIFICATION_B: verificationB },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('照合番号B (birth date YYMMDD + expiry year + security code, 14 digits): 10 tries left (using MYNACARD_VERIFICATION_B)\n');
    // The text AP was never touched: no 個人番号 read.
    expect(vc.log.some((e) => e.dfName === 'text')).toBe(false);
    expect(JSON.parse(r.stdout).result.expiryDate).toBe('2035-01-02');
  });

  test('pin change auth via --pin-stdin (current, then new); the new PIN works, the old one no longer', async () => {
    const vc = await VirtualMyNumberCard.create();
    const r = await runWith(['--simulator', '--pin-stdin', 'pin', 'change', 'auth'], { card: vc, stdin: `${AUTH_PIN}\n4321\n` });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('The auth PIN (利用者証明用電子証明書 暗証番号, 4 digits) was changed.\n');
    await writeFile(join(dir, 'x'), 'x');
    const withNew = await runWith(['--simulator', 'sign', '--key', 'auth', '--in', 'x', '--out', 'x.sig'], {
      card: vc,
      cwd: dir,
      env: { MYNACARD_AUTH_PIN: '4321' },
    });
    expect(withNew.code).toBe(0);
    const withOld = await runWith(['--simulator', 'sign', '--key', 'auth', '--in', 'x', '--out', 'x.sig', '--force'], {
      card: vc,
      cwd: dir,
      env: { MYNACARD_AUTH_PIN: AUTH_PIN },
    });
    expect(withOld.code).toBe(5);
  });

  test('pin change text from the environment (MYNACARD_NEW_TEXT_PIN); a bad new PIN sends nothing', async () => {
    const ok = await runWith(['--simulator', 'pin', 'change', 'text'], { env: { MYNACARD_TEXT_PIN: TEXT_PIN, MYNACARD_NEW_TEXT_PIN: '8765' } });
    expect(ok.code).toBe(0);
    const bad = await runWith(['--simulator', 'pin', 'change', 'text'], { env: { MYNACARD_TEXT_PIN: TEXT_PIN, MYNACARD_NEW_TEXT_PIN: '87' } });
    expect(bad.code).toBe(2);
    expect(verifiesWithData(bad.card!)).toBe(0);
  });
});

describe('readers', () => {
  test('--simulator lists the virtual reader', async () => {
    const r = await runWith(['--simulator', 'readers']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('mynacard virtual card (simulator)\t(card present)\n');
  });
});

describe('production paths', () => {
  test('--simulator without the test hook builds the embedded virtual card itself', async () => {
    const r = await runWith(['--simulator', '--json', 'pin', 'status'], { hook: false });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).result.pins.auth).toEqual({ state: 'tries', remaining: 3, max: 3, blocked: false });
  });

  test('a progress bar on stderr for the face read when both streams are terminals (short APDUs)', async () => {
    const r = await runWith(['--simulator', 'face'], {
      card: { quirks: { extendedLength: false } },
      env: { MYNACARD_TEXT_PIN: TEXT_PIN },
      stdoutTty: true,
      stderrTty: true,
    });
    expect(r.code).toBe(0);
    const frames = r.stderr.split('\r').filter((f) => f.startsWith('Reading the card face ['));
    expect(frames.length).toBeGreaterThan(2);
    expect(frames.at(-1)).toMatch(/^Reading the card face \[#{24}\] 100% /);
    expect(r.stderr.endsWith('\r\u001b[K')).toBe(true);
    const piped = await runWith(['--simulator', 'face'], { card: { quirks: { extendedLength: false } }, env: { MYNACARD_TEXT_PIN: TEXT_PIN } });
    expect(piped.stderr).not.toContain('\r');
  });
});

describe('smartphone profile', () => {
  test('the auth certificate sits behind the auth PIN on Android: asked for, tries shown', async () => {
    const vc = await VirtualMyNumberCard.create({ profile: 'android' });
    const r = await runWith(['--simulator', 'cert', 'auth'], { card: vc, env: { MYNACARD_AUTH_PIN: AUTH_PIN } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(toPem(vc.certificates.auth));
    expect(r.stderr).toBe('auth PIN (利用者証明用電子証明書 暗証番号, 4 digits): 3 of 3 tries left (using MYNACARD_AUTH_PIN)\n');
    const noPin = await runWith(['--simulator', 'cert', 'auth'], { card: { profile: 'android' } });
    expect(noPin.code).toBe(11);
  });

  test('--pin-stdin on a terminal falls back to the hidden prompt (no echo)', async () => {
    const { FakeTty } = await import('./helpers.js');
    const tty = new FakeTty([`${TEXT_PIN}\r`]);
    const r = await runWith(['--simulator', '--pin-stdin', 'text'], { tty });
    expect(r.code).toBe(0);
    expect(tty.rawModes).toEqual([true, false]);
  });
});

describe('leak scan: no secret and no personal data unless asked', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
    await writeFile(join(dir, 'doc.txt'), 'hello');
  });
  afterEach(async () => cleanup());

  const env = { MYNACARD_AUTH_PIN: AUTH_PIN, MYNACARD_SIGN_PASSWORD: SIGN_PASSWORD, MYNACARD_TEXT_PIN: TEXT_PIN };
  const secrets = [AUTH_PIN, SIGN_PASSWORD, TEXT_PIN, MY_NUMBER];
  const personal = [HOLDER_NAME, HOLDER_ADDRESS, HOLDER_BIRTH_DATE, '由利', '19900102'];

  test.each([
    [['info']],
    [['pin', 'status']],
    [['cert', 'auth']],
    [['cert', 'sign', '--json']],
    [['sign', '--key', 'auth', '--in', 'doc.txt', '--out', 'doc.sig', '--cert-out', 'auth.pem']],
    [['sign', '--key', 'sign', '--cms', '--in', 'doc.txt', '--out', 'doc.p7s']],
    [['readers']],
  ])('%j (with --trace, human and --json)', async (argv) => {
    for (const json of [false, true]) {
      const r = await runWith(['--simulator', '--trace', ...(json ? ['--json'] : []), ...argv, ...(argv[0] === 'sign' ? ['--force'] : [])], { env, cwd: dir });
      expect(r.code).toBe(0);
      for (const needle of [...secrets, ...personal]) {
        expect(r.stdout).not.toContain(needle);
        expect(r.stderr).not.toContain(needle);
      }
    }
  });

  test('verify of a CMS hides the signer; text hides the 個人番号; PIN bytes never in a trace', async () => {
    await runWith(['--simulator', 'sign', '--key', 'sign', '--cms', '--in', 'doc.txt', '--out', 'doc.p7s'], { env, cwd: dir });
    const verify = await runWith(['--simulator', '--trace', 'verify', '--trust-test-roots', '--cms', 'doc.p7s'], { cwd: dir });
    expect(verify.code).toBe(0);
    for (const needle of personal) expect(verify.stdout + verify.stderr).not.toContain(needle);
    const text = await runWith(['--simulator', '--trace', 'text'], { env });
    for (const needle of secrets) expect(text.stdout + text.stderr).not.toContain(needle);
    const ascii = (s: string) => Buffer.from(s).toString('hex').toUpperCase().replace(/(..)(?!$)/g, '$1 ');
    for (const r of [verify, text]) {
      for (const s of secrets) expect(r.stderr).not.toContain(ascii(s));
    }
  });
});

describe('info with card APs (free area)', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ dir, cleanup } = await tempDir());
  });
  afterEach(async () => cleanup());

  const libraryJson = {
    name: 'city-library',
    area: 'regional',
    aid: 'F0392000000000010001',
    files: { memberNumber: { fid: '0001', size: 10, read: 'free', write: 'issuer', codec: { type: 'digits', size: 10 } } },
  };

  test('--card-ap <descriptor.json> and --aid <hex>: which are installed, probed by SELECT before connect', async () => {
    const { cardApDescriptorFromJson } = await import('../../src/aps/card-ap/index.js');
    const vc = await VirtualMyNumberCard.create();
    vc.installCardAp(cardApDescriptorFromJson(libraryJson), { memberNumber: '0000000042' });
    await writeFile(join(dir, 'library.json'), JSON.stringify(libraryJson));
    const r = await runWith(['--simulator', 'info', '--card-ap', 'library.json', '--aid', 'F0392000000000020001'], { card: vc, cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Card APs (free area):
  city-library (F0392000000000010001)  present
  F0392000000000020001                 absent
Remaining tries (none spent):`);
    const commands = vc.log.map((e) => hex(e.command));
    expect(commands.slice(5, 8)).toEqual([
      '00A4040C0AF0392000000000010001',
      '00A4040C0AF0392000000000020001',
      '00A4040C0AD392F000260100000001',
    ]);
    const json = await runWith(['--simulator', '--json', 'info', '--card-ap', 'library.json'], { card: vc, cwd: dir });
    expect(JSON.parse(json.stdout).result.cardAps).toEqual([
      { name: 'city-library', aid: 'F0392000000000010001', area: 'regional', present: true },
    ]);
    const plain = await runWith(['--simulator', '--json', 'info']);
    expect(JSON.parse(plain.stdout).result.cardAps).toEqual([]);
  });

  test('a malformed --aid or descriptor is a usage error (exit 2) before the card is opened', async () => {
    const bad = await runWith(['--simulator', 'info', '--aid', 'F039']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('Error: --aid must be 5–16 bytes of hex (got 4 characters).\n');
    expect(bad.card).toBeUndefined();
    await writeFile(join(dir, 'bad.json'), '{"name":"x","area":"regional","files":{}}');
    const badJson = await runWith(['--simulator', 'info', '--card-ap', 'bad.json'], { cwd: dir });
    expect(badJson.code).toBe(2);
    expect(badJson.stderr).toBe('Error: aid: expected a hex string\n');
  });
});
