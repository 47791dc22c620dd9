/**
 * Generates the conformance vectors in test/vectors/*.json by driving the virtual My Number
 * Card with the exact command sequences of the SDK's APDU plan. Run:
 *
 *     npx tsx scripts/generate-vectors.ts          # writes test/vectors/*.json
 *     npx tsx scripts/generate-vectors.ts --check  # exits 1 if a committed vector differs
 *
 * Format: test/vectors/README.md. Secrets appear in the c/r hex (they are the committed test
 * defaults) but never in a "note": notes name them with redaction markers such as <auth PIN>.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sha256 } from '@noble/hashes/sha2.js';
import { asciiBytes, concatBytes, fromHex, toHex } from '../src/bytes.js';
import { CardRemovedError } from '../src/errors.js';
import {
  DEFAULT_AUTH_PIN,
  DEFAULT_SECURITY_CODE,
  DEFAULT_SIGN_PASSWORD,
  DEFAULT_TEXT_PIN,
  TEST_PKI_DATA,
  VirtualMyNumberCard,
  defaultCardExpiry,
  deriveVerificationB,
  type VirtualCardOptions,
} from '../src/testing/index.js';

/** One command/response pair; `error` replaces `r` when the card was pulled during the command. */
export interface VectorExchange {
  readonly c: string;
  readonly r?: string;
  readonly error?: 'card-removed';
  readonly note: string;
}

/** One conformance vector (one SDK operation). */
export interface ConformanceVector {
  readonly name: string;
  readonly description: string;
  readonly card: VirtualCardOptions;
  readonly exchanges: readonly VectorExchange[];
}

const HEX = (bytes: Uint8Array): string => toHex(bytes).toUpperCase();
const hexAscii = (text: string): string => HEX(asciiBytes(text));
const lc = (bytes: number): string => bytes.toString(16).toUpperCase().padStart(2, '0');

/** AIDs. card-facts §2 */
const AID = {
  jpki: 'D392F000260100000001',
  text: 'D3921000310001010408',
  face: 'D3921000310001010402',
  common: 'D3921000310001010100',
} as const;
const SELECT = (aid: string): string => `00A4040C0A${aid}`;

/** The message every signature vector signs, and its SHA-256 DigestInfo (card-facts §4). */
export const SIGNED_MESSAGE = 'mynacard test';
const DIGEST_INFO = concatBytes(
  fromHex('3031300D060960864801650304020105000420'),
  sha256(asciiBytes(SIGNED_MESSAGE)),
);
/** 照合番号B of the default card (see VirtualCardOptions.verificationB). */
const DEFAULT_VERIFICATION_B = deriveVerificationB(
  TEST_PKI_DATA.holder.birthDate,
  defaultCardExpiry(TEST_PKI_DATA.holder.birthDate, new Date(TEST_PKI_DATA.signLeaf.notBefore)),
  DEFAULT_SECURITY_CODE,
);
/** New auth PIN of the change-pin vector. */
const NEW_AUTH_PIN = '4321';

/** Records the exchanges of one vector against a fresh card. */
class Recorder {
  readonly exchanges: VectorExchange[] = [];
  constructor(readonly card: VirtualMyNumberCard) {}

  async send(c: string, note: string): Promise<Uint8Array | undefined> {
    try {
      const response = await this.card.transmit(fromHex(c));
      this.exchanges.push({ c, r: HEX(response), note });
      return response;
    } catch (error) {
      if (!(error instanceof CardRemovedError)) throw error;
      this.exchanges.push({ c, error: 'card-removed', note });
      return undefined;
    }
  }

  /** Short-APDU read of the current EF after a first SFI read, as in the APDU plan. */
  async readShort(sfiP1: string, what: string): Promise<void> {
    const first = await this.send(`00B0${sfiP1}0000`, `READ BINARY ${what} by SFI, Le 00 (256): first chunk`);
    if (first === undefined) return;
    const head = first.subarray(0, first.length - 2);
    const total = derTotalLength(head);
    let offset = head.length;
    while (offset < total) {
      const left = total - offset;
      const le = left >= 256 ? '00' : lc(left);
      const p1p2 = offset.toString(16).toUpperCase().padStart(4, '0');
      const chunk = await this.send(
        `00B0${p1p2}${le}`,
        `READ BINARY current EF at offset ${offset}, Le ${left >= 256 ? '00 (256)' : `${left} (exact remainder)`}`,
      );
      if (chunk === undefined) return;
      offset += chunk.length - 2;
    }
  }
}

/** Total length of the BER object at the start of `bytes` (tag of 1 or 2 bytes). */
function derTotalLength(bytes: Uint8Array): number {
  let i = (bytes[0]! & 0x1f) === 0x1f ? 2 : 1;
  const first = bytes[i++]!;
  if (first < 0x80) return i + first;
  let length = 0;
  for (let n = first & 0x7f; n > 0; n--) length = length * 256 + bytes[i++]!;
  return i + length;
}

type Script = (r: Recorder) => Promise<void>;

interface VectorDefinition {
  readonly name: string;
  readonly description: string;
  readonly card: VirtualCardOptions;
  readonly script: Script;
}

const SHORT_ONLY: VirtualCardOptions = { quirks: { extendedLength: false }, advertiseExtendedLength: true };

const CERTS = [
  { key: 'auth-cert', sfi: '8A', what: 'EF 000A (auth certificate)', pin: false },
  { key: 'sign-cert', sfi: '81', what: 'EF 0001 (sign certificate)', pin: true },
  { key: 'auth-ca', sfi: '8B', what: 'EF 000B (auth CA certificate)', pin: false },
  { key: 'sign-ca', sfi: '82', what: 'EF 0002 (sign CA certificate)', pin: false },
] as const;

async function verifySignPassword(r: Recorder): Promise<void> {
  await r.send('0020009B', 'VERIFY sign password EF 001B by SFI, no data: tries left');
  await r.send(
    `0020009B${lc(DEFAULT_SIGN_PASSWORD.length)}${hexAscii(DEFAULT_SIGN_PASSWORD)}`,
    'VERIFY sign password by SFI: <sign password>',
  );
}

function certificateVectors(): VectorDefinition[] {
  const out: VectorDefinition[] = [];
  for (const cert of CERTS) {
    for (const mode of ['extended', 'short'] as const) {
      out.push({
        name: `read-${cert.key}-${mode}`,
        description:
          `Read ${cert.what} ` +
          (mode === 'extended'
            ? 'with one extended-length READ BINARY (Le 65536): the whole EF, DER + filler; the SDK trims to the DER length.'
            : 'with short APDUs only (the transport advertises extendedLength: false): 256-byte chunks, the DER header gives the total, the last chunk asks for the exact remainder.') +
          (cert.pin ? ' The sign certificate needs the sign password first; security is dropped afterwards.' : ''),
        card: mode === 'extended' ? {} : SHORT_ONLY,
        script: async (r) => {
          await r.send(SELECT(AID.jpki), 'SELECT JPKI AP by DF name, no FCI');
          if (cert.pin) await verifySignPassword(r);
          if (mode === 'extended') {
            await r.send(`00B0${cert.sfi}00000000`, `READ BINARY ${cert.what} by SFI, extended Le 00 00 (65536)`);
          } else {
            await r.readShort(cert.sfi, cert.what);
          }
          if (cert.pin) await r.send(SELECT(AID.jpki), 'SELECT JPKI AP again: drops the security status');
        },
      });
    }
  }
  return out;
}

/** Every vector, in file order. */
export const VECTOR_DEFINITIONS: readonly VectorDefinition[] = [
  {
    name: 'connect',
    description: 'Detect a My Number card: SELECT the JPKI AP (no ATR check), then read the 32-byte token label of EF 0006 by SFI.',
    card: {},
    script: async (r) => {
      await r.send(SELECT(AID.jpki), 'SELECT JPKI AP by DF name, no FCI');
      await r.send('00B0860020', 'READ BINARY EF 0006 (token info) by SFI 06, Le 32: "JPKIAPICCTOKEN2" space-padded');
    },
  },
  ...certificateVectors(),
  {
    name: 'read-auth-cert-fallback',
    description:
      'Read EF 000A when the transport gives no extended-length hint and the reader refuses extended APDUs: one extended READ BINARY answered 6700, then the short-APDU read.',
    card: { quirks: { extendedLength: false } },
    script: async (r) => {
      await r.send(SELECT(AID.jpki), 'SELECT JPKI AP by DF name, no FCI');
      await r.send('00B08A00000000', 'READ BINARY EF 000A by SFI, extended Le: refused with 6700');
      await r.readShort('8A', 'EF 000A (auth certificate)');
    },
  },
  {
    name: 'pin-status',
    description:
      'Retry counters of every secret the SDK queries: VERIFY without data (consumes nothing) by SFI in the JPKI, text and face APs.',
    card: {},
    script: async (r) => {
      await r.send(SELECT(AID.jpki), 'SELECT JPKI AP');
      await r.send('00200098', 'VERIFY auth PIN EF 0018 by SFI, no data: 3 tries left');
      await r.send('0020009B', 'VERIFY sign password EF 001B by SFI, no data: 5 tries left');
      await r.send(SELECT(AID.text), 'SELECT text AP (券面事項入力補助AP)');
      await r.send('00200091', 'VERIFY text PIN EF 0011 by SFI, no data: 3 tries left');
      await r.send('00200094', 'VERIFY 照合番号A EF 0014 by SFI, no data: 10 tries left (modelling choice)');
      await r.send('00200095', 'VERIFY 照合番号B EF 0015 by SFI, no data: 10 tries left (modelling choice)');
      await r.send(SELECT(AID.face), 'SELECT face AP (券面事項確認AP)');
      await r.send('00200093', 'VERIFY 照合番号A EF 0013 by SFI, no data');
      await r.send('00200092', 'VERIFY 照合番号B EF 0012 by SFI, no data');
    },
  },
  ...(['auth', 'sign'] as const).map<VectorDefinition>((key) => {
    const auth = key === 'auth';
    const pin = auth ? DEFAULT_AUTH_PIN : DEFAULT_SIGN_PASSWORD;
    const p2 = auth ? '98' : '9B';
    return {
      name: auth ? 'verify-and-sign' : 'verify-and-sign-sign-key',
      description:
        `Sign with the ${auth ? 'auth key (EF 0017) after the auth PIN' : 'signing key (EF 001A) after the sign password'}: ` +
        `the input is the SHA-256 DigestInfo of the ASCII text "${SIGNED_MESSAGE}"; the card pads it (PKCS#1 v1.5 type 1) ` +
        `and answers the 256-byte RSA signature, which verifies against the ${key} certificate. Security is dropped afterwards.`,
      card: {},
      script: async (rec) => {
        await rec.send(SELECT(AID.jpki), 'SELECT JPKI AP');
        await rec.send(`002000${p2}`, `VERIFY ${auth ? 'auth PIN' : 'sign password'} by SFI, no data: tries left`);
        await rec.send(
          `002000${p2}${lc(pin.length)}${hexAscii(pin)}`,
          `VERIFY by SFI: ${auth ? '<auth PIN>' : '<sign password>'}`,
        );
        await rec.send(`00A4020C02${auth ? '0017' : '001A'}`, `SELECT EF ${auth ? '0017 (auth key)' : '001A (signing key)'}`);
        await rec.send(`802A0080${lc(DIGEST_INFO.length)}${HEX(DIGEST_INFO)}00`, 'COMPUTE DIGITAL SIGNATURE over the DigestInfo, Le 00 (256)');
        await rec.send(SELECT(AID.jpki), 'SELECT JPKI AP again: drops the security status');
      },
    };
  }),
  {
    name: 'wrong-pin-lockout',
    description:
      'Wrong auth PIN until the counter is exhausted: each attempt is preceded by the retry query the SDK sends; 63C2, 63C1, then 63C0 (blocked); the query then answers 63C0 and any VERIFY, even with the correct PIN, 6984.',
    card: {},
    script: async (r) => {
      await r.send(SELECT(AID.jpki), 'SELECT JPKI AP');
      for (let left = 3; left > 0; left--) {
        await r.send('00200098', `VERIFY auth PIN by SFI, no data: ${left} tries left`);
        await r.send(`0020009804${hexAscii('0000')}`, `VERIFY by SFI: <wrong auth PIN> → ${left - 1} left`);
      }
      await r.send('00200098', 'VERIFY auth PIN by SFI, no data: blocked (63C0)');
      await r.send(`0020009804${hexAscii(DEFAULT_AUTH_PIN)}`, 'VERIFY by SFI: <auth PIN> (the correct one) → 6984 blocked');
    },
  },
  {
    name: 'change-pin',
    description: 'Change the auth PIN: tries, VERIFY the current PIN by SFI, SELECT the PIN EF 0018, CHANGE REFERENCE DATA 00 24 01 80 with the new PIN, then re-select the AP.',
    card: {},
    script: async (r) => {
      await r.send(SELECT(AID.jpki), 'SELECT JPKI AP');
      await r.send('00200098', 'VERIFY auth PIN by SFI, no data: tries left');
      await r.send(`0020009804${hexAscii(DEFAULT_AUTH_PIN)}`, 'VERIFY by SFI: <auth PIN>');
      await r.send('00A4020C020018', 'SELECT EF 0018 (auth PIN)');
      await r.send(`0024018004${hexAscii(NEW_AUTH_PIN)}`, 'CHANGE REFERENCE DATA of the current PIN EF: <new auth PIN>');
      await r.send(SELECT(AID.jpki), 'SELECT JPKI AP again: drops the security status');
    },
  },
  ...(['extended', 'short'] as const).map<VectorDefinition>((mode) => ({
    name: `read-my-number${mode === 'short' ? '-short' : ''}`,
    description:
      `Read the 個人番号 from the text AP after the text PIN: EF 0001 is FF 10 0C + 12 digits + FF FF (17 bytes); ` +
      (mode === 'extended' ? 'one READ BINARY with extended Le.' : 'one short READ BINARY, Le 00.'),
    card: mode === 'extended' ? {} : SHORT_ONLY,
    script: async (r) => {
      await r.send(SELECT(AID.text), 'SELECT text AP (券面事項入力補助AP)');
      await r.send('00200091', 'VERIFY text PIN EF 0011 by SFI, no data: tries left');
      await r.send(`0020009104${hexAscii(DEFAULT_TEXT_PIN)}`, 'VERIFY by SFI: <text PIN>');
      await r.send(mode === 'extended' ? '00B08100000000' : '00B0810000', 'READ BINARY EF 0001 by SFI: <My Number> record');
      await r.send(SELECT(AID.text), 'SELECT text AP again: drops the security status');
    },
  })),
  ...(['extended', 'short'] as const).map<VectorDefinition>((mode) => ({
    name: `read-attributes${mode === 'short' ? '-short' : ''}`,
    description:
      'Read the 基本4情報 (EF 0002: FF 20 { DF21 offsets, DF22 name, DF23 address, DF24 birth date, DF25 sex } + filler) after the text PIN; ' +
      (mode === 'extended' ? 'one READ BINARY with extended Le.' : 'short READ BINARY (the file is below 256 bytes).'),
    card: mode === 'extended' ? {} : SHORT_ONLY,
    script: async (r) => {
      await r.send(SELECT(AID.text), 'SELECT text AP');
      await r.send('00200091', 'VERIFY text PIN by SFI, no data: tries left');
      await r.send(`0020009104${hexAscii(DEFAULT_TEXT_PIN)}`, 'VERIFY by SFI: <text PIN>');
      if (mode === 'extended') await r.send('00B08200000000', 'READ BINARY EF 0002 by SFI, extended Le: <attributes>');
      else await r.readShort('82', 'EF 0002 (<attributes>)');
      await r.send(SELECT(AID.text), 'SELECT text AP again: drops the security status');
    },
  })),
  {
    name: 'read-attributes-verification-b',
    description: 'Read the 基本4情報 with 照合番号B (14 digits: era-year birth date YYMMDD, expiry year, security code) instead of the PIN.',
    card: {},
    script: async (r) => {
      await r.send(SELECT(AID.text), 'SELECT text AP');
      await r.send('00200095', 'VERIFY 照合番号B EF 0015 by SFI, no data: tries left');
      await r.send(`002000950E${hexAscii(DEFAULT_VERIFICATION_B)}`, 'VERIFY by SFI: <照合番号B>');
      await r.send('00B08200000000', 'READ BINARY EF 0002 by SFI, extended Le: <attributes>');
      await r.send(SELECT(AID.text), 'SELECT text AP again: drops the security status');
    },
  },
  ...(['extended', 'short'] as const).map<VectorDefinition>((mode) => ({
    name: `read-face${mode === 'short' ? '-short' : ''}`,
    description:
      'Read the card-face record (face AP EF 0002: FF 20 82 xx xx { DF21 offsets, birth date, sex, public key, name/address images, photo, signature, expiry, security-code image }) after 照合番号A (the 個人番号); ' +
      (mode === 'extended' ? 'one READ BINARY with extended Le.' : 'short APDUs in 256-byte chunks.'),
    card: mode === 'extended' ? {} : SHORT_ONLY,
    script: async (r) => {
      await r.send(SELECT(AID.face), 'SELECT face AP (券面事項確認AP)');
      await r.send('00200093', 'VERIFY 照合番号A EF 0013 by SFI, no data: tries left');
      await r.send(`002000930C${hexAscii(TEST_PKI_DATA.holder.myNumber)}`, 'VERIFY by SFI: <照合番号A = My Number>');
      if (mode === 'extended') await r.send('00B08200000000', 'READ BINARY EF 0002 by SFI, extended Le: <face record>');
      else await r.readShort('82', 'EF 0002 (<face record>)');
      await r.send(SELECT(AID.face), 'SELECT face AP again: drops the security status');
    },
  })),
  {
    name: 'read-common',
    description: 'Read record 1 of the common AP EF 0001 (SFI 1): simple-TLV 01 1C + 28 ASCII digits; no PIN.',
    card: {},
    script: async (r) => {
      await r.send(SELECT(AID.common), 'SELECT common AP (共通カードAP)');
      await r.send('00B2010C00', 'READ RECORD 1 of SFI 1, Le 00');
    },
  },
  {
    name: 'card-pulled-mid-read',
    description:
      'The card is pulled out during a short-APDU certificate read: the third READ BINARY gets no response (the transport rejects with CardRemovedError), recorded as { "c", "error": "card-removed" }.',
    card: { quirks: { extendedLength: false, removeAfterCommands: 3 }, advertiseExtendedLength: true },
    script: async (r) => {
      await r.send(SELECT(AID.jpki), 'SELECT JPKI AP');
      await r.readShort('8A', 'EF 000A (auth certificate)');
    },
  },
];

/** Run every definition against a fresh card. */
export async function buildVectors(): Promise<ConformanceVector[]> {
  const vectors: ConformanceVector[] = [];
  for (const def of VECTOR_DEFINITIONS) {
    const card = await VirtualMyNumberCard.create(def.card);
    const recorder = new Recorder(card);
    await def.script(recorder);
    vectors.push({ name: def.name, description: def.description, card: def.card, exchanges: recorder.exchanges });
  }
  return vectors;
}

/** The JSON text of a vector file. */
export function vectorJson(vector: ConformanceVector): string {
  return `${JSON.stringify(vector, null, 2)}\n`;
}

const VECTOR_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'test', 'vectors');

async function main(): Promise<void> {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const vector of await buildVectors()) {
    const path = join(VECTOR_DIR, `${vector.name}.json`);
    const text = vectorJson(vector);
    if (check) {
      const current = await readFile(path, 'utf8').catch(() => '');
      if (current !== text) {
        stale++;
        console.error(`stale: ${vector.name}.json`);
      }
    } else {
      await writeFile(path, text);
      console.log(`wrote ${vector.name}.json (${vector.exchanges.length} exchanges)`);
    }
  }
  if (stale > 0) process.exitCode = 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
