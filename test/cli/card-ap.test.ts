import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { cardApDescriptorFromJson } from '../../src/aps/card-ap/index.js';
import { cardApSecretEnv } from '../../src/cli/card-aps.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import { FakeTty, runWith, tempDir } from './helpers.js';

const hex = (bytes: Uint8Array): string => Buffer.from(bytes).toString('hex').toUpperCase();
const commands = (vc: VirtualMyNumberCard): string[] => vc.log.map((e) => hex(e.command) + (e.verifyWithData === true ? '+PIN' : ''));

/** The example descriptor shipped in examples/hospital-card (extension area, PIN-protected profile). */
const HOSPITAL_JSON = await readFile(new URL('../../examples/hospital-card/descriptor.json', import.meta.url), 'utf8');
const hospital = cardApDescriptorFromJson(HOSPITAL_JSON);
const PATIENT_PIN = '2580';
const PROFILE = { name: '由利　花子', bloodType: 'A', registeredOn: '20240401' };

/** A regional card AP with a bytes file, a uint TLV member and non-sensitive files. */
const LIBRARY_JSON = {
  name: 'city-library',
  area: 'regional',
  aid: 'F0392000000000010001',
  secrets: { pin: { fid: '0011', maxTries: 3 } },
  files: {
    memberNumber: { fid: '0001', size: 10, read: 'free', write: 'issuer', codec: { type: 'digits', size: 10 }, sensitive: false },
    issuerCode: { fid: '0003', size: 8, read: 'free', write: 'never', codec: { type: 'bytes', size: 8 }, sensitive: false },
    loans: {
      fid: '0002',
      size: 48,
      read: { secret: 'pin' },
      write: { secret: 'pin' },
      codec: {
        type: 'tlv-record',
        members: {
          limit: { tag: 'DF01', codec: { type: 'uint', size: 1 } },
          validUntil: { tag: 'DF02', codec: { type: 'digits', size: 8 }, optional: true },
        },
      },
    },
  },
};
const library = cardApDescriptorFromJson(LIBRARY_JSON);
const LIBRARY_PIN = '2468';

/** Sessions select with the FCI requested (P2 00, Le 00) and check the DF name; probes use P2 0C. */
const SELECT_HOSPITAL = '00A404000AF039200000000002100100';
const SELECT_LIBRARY = '00A404000AF039200000000001000100';
const PROBE_HOSPITAL = '00A4040C0AF0392000000000021001';
const PROBE_LIBRARY = '00A4040C0AF0392000000000010001';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
  await writeFile(join(dir, 'hospital.json'), HOSPITAL_JSON);
  await writeFile(join(dir, 'library.json'), JSON.stringify(LIBRARY_JSON));
});
afterEach(async () => cleanup());

/** A virtual card with both card APs installed and an empty log. */
async function card(options: { patientTries?: number } = {}): Promise<VirtualMyNumberCard> {
  const vc = await VirtualMyNumberCard.create();
  vc.installCardAp(hospital, { patientId: '0000004242', profile: PROFILE }, {
    secrets: { patientPin: PATIENT_PIN },
    ...(options.patientTries === undefined ? {} : { tries: { patientPin: options.patientTries } }),
  });
  vc.installCardAp(
    library,
    { memberNumber: '0012345678', issuerCode: Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4), loans: { limit: 5 } },
    { secrets: { pin: LIBRARY_PIN } },
  );
  vc.clearLog();
  return vc;
}

describe('card-ap probe', () => {
  test('descriptors and AIDs: installed ones present, others absent; one SELECT each, nothing else', async () => {
    const vc = await card();
    const r = await runWith(
      ['--simulator', 'card-ap', 'probe', '--card-ap', 'hospital.json', '--aid', 'f0392000000000099999', '--card-ap', 'library.json'],
      { card: vc, cwd: dir },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`Simulator: the embedded virtual My Number Card (test data only).
Card APs (free area):
  hospital-patient (F0392000000000021001)  present
  city-library (F0392000000000010001)      present
  F0392000000000099999                     absent
`);
    expect(commands(vc)).toEqual([PROBE_HOSPITAL, PROBE_LIBRARY, '00A4040C0AF0392000000000099999']);
  });

  test('not found after moving out (転出): the regional card AP is absent, --json schema', async () => {
    const vc = await card();
    vc.moveOut();
    const r = await runWith(['--simulator', '--json', 'card-ap', 'probe', '--card-ap', 'library.json', '--card-ap', 'hospital.json'], {
      card: vc,
      cwd: dir,
    });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      schemaVersion: 1,
      command: 'card-ap probe',
      ok: true,
      exitCode: 0,
      result: {
        reader: 'mynacard virtual card (simulator)',
        simulated: true,
        cardAps: [
          { name: 'city-library', aid: 'F0392000000000010001', area: 'regional', present: false },
          { name: 'hospital-patient', aid: 'F0392000000000021001', area: 'extension', present: true },
        ],
      },
    });
  });

  test('nothing to probe, or a malformed AID: usage error (exit 2) before the card is opened', async () => {
    const none = await runWith(['--simulator', 'card-ap', 'probe']);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('Error: Name at least one card AP: --aid <hex> or --card-ap <descriptor.json>.\n');
    expect(none.card).toBeUndefined();
    const bad = await runWith(['--simulator', 'card-ap', 'probe', '--aid', 'F03920']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('Error: --aid must be 5–16 bytes of hex (got 6 characters).\n');
    expect(bad.card).toBeUndefined();
    const sub = await runWith(['--simulator', 'card-ap', 'list']);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toBe('Error: Missing argument: probe | read.\n');
  });
});

describe('card-ap read', () => {
  test('a free file needs no secret: SELECT AP, SELECT EF, READ BINARY; values decoded (digits, bytes as hex)', async () => {
    const vc = await card();
    const r = await runWith(
      ['--simulator', 'card-ap', 'read', '--descriptor', 'library.json', '--file', 'memberNumber', '--file', 'issuerCode'],
      { card: vc, cwd: dir },
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`Simulator: the embedded virtual My Number Card (test data only).
Card AP  city-library (F0392000000000010001)
Area     regional area (地域住民向け領域)
Files:
  memberNumber  0012345678
  issuerCode    DEADBEEF01020304
`);
    expect(commands(vc)).toEqual([
      SELECT_LIBRARY,
      '00A4020C020001',
      '00B000000A',
      SELECT_LIBRARY,
      '00A4020C020003',
      '00B0000008',
    ]);
  });

  test('a PIN-protected file with the secret from MYNACARD_CARD_AP_<SECRET>: tries shown, one VERIFY, a TLV record', async () => {
    expect(cardApSecretEnv('patientPin')).toBe('MYNACARD_CARD_AP_PATIENT_PIN');
    expect(cardApSecretEnv('pin')).toBe('MYNACARD_CARD_AP_PIN');
    const vc = await card();
    const r = await runWith(['--simulator', 'card-ap', 'read', '--descriptor', 'hospital.json'], {
      card: vc,
      cwd: dir,
      env: { MYNACARD_CARD_AP_PATIENT_PIN: PATIENT_PIN },
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('診察券暗証番号 (card AP "hospital-patient"): 3 of 3 tries left (using MYNACARD_CARD_AP_PATIENT_PIN)\n');
    expect(r.stdout).toBe(`Simulator: the embedded virtual My Number Card (test data only).
Card AP  hospital-patient (F0392000000000021001)
Area     extension area (拡張利用領域)
Files:
  patientId  0000004242
  profile:
    name          由利　花子
    bloodType     A
    registeredOn  20240401
`);
    expect(commands(vc)).toEqual([
      SELECT_HOSPITAL,
      '00A4020C020001',
      '00B000000A',
      SELECT_HOSPITAL,
      '00200091', // tries, none spent: the SDK's guard, then the CLI's provider is asked
      '00200091+PIN',
      '00A4020C020002',
      '00B00000A0',
      SELECT_HOSPITAL, // drops the security status
    ]);
    expect(vc.cardApSecretState(hospital, 'patientPin').remaining).toBe(3);
  });

  test('--pin-stdin: one line per secret; --json schema (uint as a number, absent members left out)', async () => {
    const vc = await card();
    const r = await runWith(['--simulator', '--json', '--pin-stdin', 'card-ap', 'read', '--descriptor', 'library.json'], {
      card: vc,
      cwd: dir,
      stdin: `${LIBRARY_PIN}\n`,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('secret "pin" of the card AP "city-library": 3 of 3 tries left (reading it from standard input)\n');
    expect(JSON.parse(r.stdout)).toEqual({
      schemaVersion: 1,
      command: 'card-ap read',
      ok: true,
      exitCode: 0,
      result: {
        reader: 'mynacard virtual card (simulator)',
        simulated: true,
        cardAp: { name: 'city-library', aid: 'F0392000000000010001', area: 'regional' },
        files: {
          memberNumber: { fid: '0001', codec: 'digits', sensitive: false, value: '0012345678' },
          issuerCode: { fid: '0003', codec: 'bytes', sensitive: false, value: 'DEADBEEF01020304' },
          loans: { fid: '0002', codec: 'tlv-record', secret: 'pin', sensitive: true, value: { limit: 5 } },
        },
      },
    });
  });

  test('the hidden prompt on a terminal shows the tries left (Japanese)', async () => {
    const vc = await card({ patientTries: 2 });
    const tty = new FakeTty([`${PATIENT_PIN}\r`]);
    const r = await runWith(['--simulator', '--lang', 'ja', 'card-ap', 'read', '--descriptor', 'hospital.json', '--file', 'profile'], {
      card: vc,
      cwd: dir,
      tty,
    });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('診察券暗証番号（カードAP「hospital-patient」）を入力してください（残り2回）: \n');
    expect(tty.rawModes).toEqual([true, false]);
    expect(r.stdout).toContain('ファイル:\n  profile:\n    name          由利　花子\n');
  });

  test('a wrong PIN: exit 5 with the tries left, one try spent, nothing printed on stdout', async () => {
    const vc = await card();
    const r = await runWith(['--simulator', 'card-ap', 'read', '--descriptor', 'hospital.json', '--file', 'profile'], {
      card: vc,
      cwd: dir,
      env: { MYNACARD_CARD_AP_PATIENT_PIN: '1111' },
    });
    expect(r.code).toBe(5);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      '診察券暗証番号 (card AP "hospital-patient"): 3 of 3 tries left (using MYNACARD_CARD_AP_PATIENT_PIN)\n' +
        'Error: The 診察券暗証番号 (card AP "hospital-patient") is incorrect. 2 more wrong entries will lock it. A locked PIN is reset at the municipal office (市区町村の窓口) where the cardholder lives.\n',
    );
    expect(vc.cardApSecretState(hospital, 'patientPin').remaining).toBe(2);
    const json = await runWith(['--simulator', '--json', 'card-ap', 'read', '--descriptor', 'hospital.json', '--file', 'profile'], {
      card: vc,
      cwd: dir,
      env: { MYNACARD_CARD_AP_PATIENT_PIN: '1111' },
    });
    expect(json.code).toBe(5);
    expect(JSON.parse(json.stdout).error).toEqual({
      code: 'pin-incorrect',
      message:
        'The 診察券暗証番号 (card AP "hospital-patient") is incorrect. 1 more wrong entry will lock it. A locked PIN is reset at the municipal office (市区町村の窓口) where the cardholder lives.',
      remaining: 1,
    });
  });

  test('one try left: refused without sending (exit 7) unless --allow-last-try', async () => {
    const vc = await card({ patientTries: 1 });
    const env = { MYNACARD_CARD_AP_PATIENT_PIN: PATIENT_PIN };
    const refused = await runWith(['--simulator', 'card-ap', 'read', '--descriptor', 'hospital.json', '--file', 'profile'], { card: vc, cwd: dir, env });
    expect(refused.code).toBe(7);
    expect(commands(vc).filter((c) => c.endsWith('+PIN'))).toEqual([]);
    const allowed = await runWith(['--simulator', '--allow-last-try', 'card-ap', 'read', '--descriptor', 'hospital.json', '--file', 'profile'], {
      card: vc,
      cwd: dir,
      env,
    });
    expect(allowed.code).toBe(0);
    expect(vc.cardApSecretState(hospital, 'patientPin').remaining).toBe(3);
  });

  test('regional card AP after moving out (転出): exit 10 with the reason, in English, Japanese and --json', async () => {
    const vc = await card();
    expect(vc.moveOut()).toEqual(['city-library']);
    const r = await runWith(['--simulator', 'card-ap', 'read', '--descriptor', 'library.json', '--file', 'memberNumber'], { card: vc, cwd: dir });
    expect(r.code).toBe(10);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'Error: Card AP "city-library": The card does not hold the card AP needed (regional area, 地域住民向け領域). Such card APs are removed ' +
        'automatically when the holder moves to another municipality. Have it installed again by the municipality where the holder lives now.\n',
    );
    const ja = await runWith(['--simulator', '--lang', 'ja', 'card-ap', 'read', '--descriptor', 'library.json'], { card: vc, cwd: dir });
    expect(ja.code).toBe(10);
    expect(ja.stderr).toBe(
      'エラー: カードAP「city-library」: このカードには必要なカードAP（地域住民向け領域）が入っていません。このカードAPは、転出すると自動的に削除されます。' +
        '今お住まいの市区町村で、改めて搭載してもらってください。\n',
    );
    const json = await runWith(['--simulator', '--json', 'card-ap', 'read', '--descriptor', 'library.json'], { card: vc, cwd: dir });
    expect(json.code).toBe(10);
    const doc = JSON.parse(json.stdout);
    expect(doc).toMatchObject({ schemaVersion: 1, command: 'card-ap read', ok: false, exitCode: 10 });
    expect(doc.error.code).toBe('card-ap-not-installed');
    expect(doc.error.removedOnMoveOut).toBe(true);
    expect(doc.result).toBeUndefined();
  });

  test('an extension-area card AP that is not installed: exit 10, removedOnMoveOut false', async () => {
    const vc = await VirtualMyNumberCard.create();
    const r = await runWith(['--simulator', '--json', 'card-ap', 'read', '--descriptor', 'hospital.json'], { card: vc, cwd: dir });
    expect(r.code).toBe(10);
    const error = JSON.parse(r.stdout).error;
    expect(error.code).toBe('card-ap-not-installed');
    expect(error.removedOnMoveOut).toBe(false);
    expect(error.message).toContain('Such card APs stay when the holder moves');
  });

  test('--trace never shows the values read, even of files the descriptor marks non-sensitive', async () => {
    const vc = await card();
    const r = await runWith(['--simulator', '--trace', '--pin-stdin', 'card-ap', 'read', '--descriptor', 'library.json'], {
      card: vc,
      cwd: dir,
      stdin: `${LIBRARY_PIN}\n`,
    });
    expect(r.code).toBe(0);
    const reads = r.stderr.split('\n').filter((l) => l.startsWith('<=') && !/^<= (?:90 00|63 C\d)$/.test(l));
    // Every answer with data is redacted, the SELECT's FCI (6F 0C 84 0A <AID>, 14 bytes) included.
    const fci = '<= <redacted 14 bytes> 90 00';
    expect(reads).toEqual([
      fci,
      '<= <redacted 10 bytes> 90 00',
      fci,
      '<= <redacted 8 bytes> 90 00',
      fci, // one SELECT before the tries query and the VERIFY (the CLI no longer queries on its own)
      '<= <redacted 48 bytes> 90 00',
      fci,
    ]);
    expect(r.stderr).not.toContain('DE AD BE EF');
    expect(r.stderr).toContain('=> 00 20 00 91 04 <redacted 4 bytes>');
    expect(r.stdout).toContain('issuerCode    DEADBEEF01020304');
  });

  test('refuses a secret on the command line (exit 2) before the card is opened', async () => {
    for (const argv of [
      ['--simulator', 'card-ap', 'read', '--descriptor', 'hospital.json', '--pin', PATIENT_PIN],
      ['--simulator', 'card-ap', 'read', '--descriptor', 'hospital.json', `--patient-pin=${PATIENT_PIN}`],
      ['--simulator', '--json', 'card-ap', 'read', '--descriptor', 'hospital.json', '--pin', PATIENT_PIN],
    ]) {
      const r = await runWith(argv, { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.card).toBeUndefined();
      expect(r.stdout + r.stderr).not.toContain(PATIENT_PIN);
      expect(r.stdout + r.stderr).toContain('MYNACARD_CARD_AP_<SECRET>');
    }
    const extra = await runWith(['--simulator', 'card-ap', 'read', '--descriptor', 'hospital.json', PATIENT_PIN], { cwd: dir });
    expect(extra.code).toBe(2);
    expect(extra.stderr).not.toContain(PATIENT_PIN);
  });

  test('usage errors before the card is opened: no --descriptor, unknown --file, a bad descriptor', async () => {
    const none = await runWith(['--simulator', 'card-ap', 'read'], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toBe('Error: The option --descriptor is required.\n');
    const unknown = await runWith(['--simulator', 'card-ap', 'read', '--descriptor', 'hospital.json', '--file', 'photo'], { cwd: dir });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe('Error: The card AP "hospital-patient" has no file named "photo". Its files: patientId, profile.\n');
    const secretLike = await runWith(['--simulator', 'card-ap', 'read', '--descriptor', 'hospital.json', '--file', '1234'], { cwd: dir });
    expect(secretLike.stderr).toBe('Error: The card AP "hospital-patient" has no file named "(not shown)". Its files: patientId, profile.\n');
    await writeFile(join(dir, 'bad.json'), '{"name":"x","area":"regional","files":{}}');
    const bad = await runWith(['--simulator', 'card-ap', 'read', '--descriptor', 'bad.json'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('Error: aid: expected a hex string\n');
    const missing = await runWith(['--simulator', 'card-ap', 'read', '--descriptor', 'nope.json'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('Error: Cannot read the file nope.json: it does not exist.\n');
    for (const r of [none, unknown, secretLike, bad, missing]) expect(r.card).toBeUndefined();
  });
});

describe('help', () => {
  test('documents both commands and the environment variable, in English and Japanese', async () => {
    const en = await runWith(['--help']);
    expect(en.stdout).toContain('card-ap probe [--aid <hex>]... [--card-ap <descriptor.json>]...');
    expect(en.stdout).toContain('card-ap read --descriptor <descriptor.json> [--file <name>]...');
    expect(en.stdout).toContain('patientPin → MYNACARD_CARD_AP_PATIENT_PIN');
    const ja = await runWith(['--lang', 'ja', '--help']);
    expect(ja.stdout).toContain('card-ap read --descriptor <記述子.json> [--file <名前>]...');
    expect(ja.stdout).toContain('10 非対応（カードAP未搭載を含む）');
  });
});
