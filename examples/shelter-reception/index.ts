/**
 * 避難所受付 (evacuation-shelter reception): read the 基本4情報 with the text-AP PIN, append
 * them to the shelter's roster CSV, and recognise a second check-in of the same person by a
 * salted hash — the 個人番号 is never read, let alone stored.
 *
 *   MYNACARD_TEXT_PIN=5678 npx tsx examples/shelter-reception/index.ts --simulator --roster roster.csv
 *
 * The salt is a per-shelter secret kept next to the roster (`roster.csv.salt`, created on
 * first use with mode 0600): without it the person keys cannot be linked to anyone, and two
 * shelters' rosters cannot be joined on them.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import type { MyNumberCard, SecretInput, TextAttributes } from 'mynacard';
import {
  isMain,
  parseExampleArgs,
  processIo,
  runExample,
  withSession,
  type ExampleIo,
} from '../shared/session.js';

/** Roster columns, in order. */
export const ROSTER_HEADER = ['checked_in_at', 'person_key', 'name', 'address', 'birth_date', 'sex'] as const;

/** One roster row. */
export interface RosterEntry {
  /** ISO 8601 time of the check-in. */
  readonly checkedInAt: string;
  /** HMAC-SHA-256(salt, name ‖ birth date), hex: recognises a person without storing an ID number. */
  readonly personKey: string;
  readonly name: string;
  readonly address: string;
  readonly birthDate: string;
  readonly sex: string;
}

/** The outcome of a check-in. */
export interface CheckInResult {
  /** `'new'`: appended to the roster; `'repeat'`: already on it (nothing appended). */
  readonly status: 'new' | 'repeat';
  /** The row (the existing one for a repeat). */
  readonly entry: RosterEntry;
}

/**
 * The person key: HMAC-SHA-256 under the shelter's salt of the NFKC-normalised name (spaces
 * removed) and the birth date. Same person → same key; without the salt it reveals nothing.
 */
export function personKey(salt: Uint8Array, attributes: Pick<TextAttributes, 'name' | 'birthDate'>): string {
  const name = attributes.name.normalize('NFKC').replace(/\s+/gu, '');
  return createHmac('sha256', salt).update(`${name}\u0000${attributes.birthDate}`, 'utf8').digest('hex');
}

/**
 * One CSV field (RFC 4180): quoted when needed, and prefixed with `'` when it starts like a
 * spreadsheet formula (`=`, `+`, `-`, `@`, tab, CR), so that opening the roster in a
 * spreadsheet can never run anything (CSV injection).
 */
export function csvField(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** Parse CSV text (RFC 4180: quoted fields, doubled quotes, CRLF or LF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') {
        quoted = false;
      } else {
        field += ch;
      }
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else {
      field += ch;
    }
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** The roster file's text; `''` when it does not exist yet. */
async function rosterText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return '';
    throw error;
  }
}

/** Read the roster (an absent file is an empty roster). */
export async function readRoster(path: string): Promise<RosterEntry[]> {
  return rosterEntries(await rosterText(path));
}

function rosterEntries(text: string): RosterEntry[] {
  const unformula = (v: string): string => (/^'[=+\-@\t\r]/.test(v) ? v.slice(1) : v);
  return parseCsv(text)
    .slice(1)
    .filter((r) => r.length === ROSTER_HEADER.length)
    .map((r) => ({
      checkedInAt: r[0]!,
      personKey: r[1]!,
      name: unformula(r[2]!),
      address: unformula(r[3]!),
      birthDate: r[4]!,
      sex: r[5]!,
    }));
}

/** The shelter's salt: read from `path`, or created (32 random bytes, hex, mode 0600). */
export async function loadSalt(path: string): Promise<Uint8Array> {
  try {
    const hex = (await readFile(path, 'utf8')).trim();
    if (/^[0-9a-f]{64}$/.test(hex)) return Uint8Array.from(Buffer.from(hex, 'hex'));
    throw new Error(`${path} is not a 64-hex-digit salt`);
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') throw error;
    const salt = randomBytes(32);
    await writeFile(path, `${salt.toString('hex')}\n`, { mode: 0o600, flag: 'wx' });
    return Uint8Array.from(salt);
  }
}

/**
 * Check a person in: read the 基本4情報 with the text PIN, and append them to the roster
 * unless the person key is already there.
 */
export async function checkIn(
  card: MyNumberCard,
  options: {
    readonly pin: SecretInput;
    readonly rosterPath: string;
    readonly salt: Uint8Array;
    readonly now: Date;
    readonly allowLastTry?: boolean;
  },
): Promise<CheckInResult> {
  const attributes = await card.text.readAttributes({ pin: options.pin, allowLastTry: options.allowLastTry ?? false });
  const key = personKey(options.salt, attributes);
  const text = await rosterText(options.rosterPath);
  const roster = rosterEntries(text);
  const previous = roster.find((e) => e.personKey === key);
  if (previous !== undefined) return { status: 'repeat', entry: previous };
  const entry: RosterEntry = {
    checkedInAt: options.now.toISOString(),
    personKey: key,
    name: attributes.name,
    address: attributes.address,
    birthDate: attributes.birthDate,
    sex: attributes.sex.value,
  };
  const line = [entry.checkedInAt, entry.personKey, entry.name, entry.address, entry.birthDate, entry.sex].map(csvField).join(',');
  const header = text === '' ? `${ROSTER_HEADER.join(',')}\r\n` : '';
  // Created owner-only: the roster holds personal data.
  await appendFile(options.rosterPath, `${header}${line}\r\n`, { mode: 0o600 });
  return { status: 'new', entry };
}

/** The program: `--roster <file>` (default `roster.csv`), `--simulator` or `--reader <name>`. */
export async function main(argv: readonly string[], io: ExampleIo): Promise<number> {
  return runExample(io, async () => {
    const args = parseExampleArgs(argv, { values: ['roster'] });
    const rosterPath = args.values.get('roster') ?? 'roster.csv';
    const salt = await loadSalt(`${rosterPath}.salt`);
    return withSession(args, io, async (session) => {
      const result = await checkIn(session.card, {
        pin: session.secret('text'), // asked after the SDK has read the tries
        rosterPath,
        salt,
        now: io.now?.() ?? new Date(),
        allowLastTry: session.allowLastTry,
      });
      io.stdout.write(
        result.status === 'new'
          ? `受付しました (checked in): ${result.entry.name}\n`
          : `受付済みです (already checked in at ${result.entry.checkedInAt}): ${result.entry.name}\n`,
      );
    });
  });
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2), processIo());
