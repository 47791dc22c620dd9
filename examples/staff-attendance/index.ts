/**
 * 出退勤 (staff clock-in / clock-out): a challenge–response with the card's 利用者証明用 key,
 * verified by the "server" part (nonce, signature, certificate chain), then a clock-in or
 * clock-out record appended to a JSON-lines file.
 *
 *   MYNACARD_AUTH_PIN=1234 npx tsx examples/staff-attendance/index.ts --simulator --register S001
 *   MYNACARD_AUTH_PIN=1234 npx tsx examples/staff-attendance/index.ts --simulator      # in, then out, …
 *
 * Staff are known by the SHA-256 fingerprint of their 利用者証明用電子証明書 (`staff.json`):
 * that certificate carries no name, address or birth date, so neither file holds personal
 * data. The certificate is renewed every five years (and with a new card): register again then.
 *
 * Legal note: a business that verifies JPKI 利用者証明 (利用者証明検証者) needs the approval of
 * the Minister for Internal Affairs and Communications under 公的個人認証法; production use
 * must also check revocation (OCSP), which this example does not.
 */
import { createHash, randomBytes } from 'node:crypto';
import { appendFile, readFile, writeFile } from 'node:fs/promises';
import {
  authenticate,
  verifyAuthentication,
  type AuthenticationReason,
  type JpkiAuthentication,
  type JpkiTrustAnchor,
  type MyNumberCard,
  type SecretInput,
} from 'mynacard';
import {
  EXIT,
  ExampleError,
  isMain,
  parseExampleArgs,
  processIo,
  runExample,
  withSession,
  type ExampleIo,
} from '../shared/session.js';

/** A registered member of staff. */
export interface StaffMember {
  readonly staffId: string;
  /** SHA-256 of the 利用者証明用電子証明書 DER, lower-case hex. */
  readonly certificateFingerprint: string;
}

/** One line of the attendance log. */
export interface AttendanceRecord {
  readonly at: string;
  readonly staffId: string;
  readonly event: 'clock-in' | 'clock-out';
  /** Serial number of the certificate that authenticated (for audits). */
  readonly certificateSerial: string;
}

/** SHA-256 fingerprint of a certificate, lower-case hex. */
export function fingerprint(certificate: Uint8Array): string {
  return createHash('sha256').update(certificate).digest('hex');
}

/**
 * The relying-party identifier of this attendance system. The card signs it with the nonce and
 * the time (an authentication message, never the bare nonce), so a response made for another
 * service is refused here with `origin-mismatch`.
 */
export const ATTENDANCE_ORIGIN = 'urn:example:staff-attendance';

/** Server: a fresh 32-byte nonce for one attempt (use it once, then forget it). */
export function issueChallenge(): Uint8Array {
  return Uint8Array.from(randomBytes(32));
}

/** Client: sign an authentication message for this system and the server's challenge with the card's 利用者証明用 key. */
export async function respond(
  card: MyNumberCard,
  challenge: Uint8Array,
  options: { readonly pin: SecretInput; readonly now?: Date; readonly allowLastTry?: boolean },
): Promise<JpkiAuthentication> {
  const allowLastTry = options.allowLastTry ?? false;
  return authenticate(
    {
      jpki: {
        sign: (kind, data, o) => card.jpki.sign(kind, data, { ...o, allowLastTry }),
        readCertificate: (kind, o) => card.jpki.readCertificate(kind, { ...o, allowLastTry }),
      },
    },
    { pin: options.pin, origin: ATTENDANCE_ORIGIN, challenge, ...(options.now === undefined ? {} : { now: options.now }) },
  );
}

/** Server: the verdict on a response. */
export type ServerVerdict =
  | { readonly ok: true; readonly fingerprint: string; readonly certificateSerial: string }
  | { readonly ok: false; readonly reasons: readonly AuthenticationReason[] };

/** Server: check origin, nonce, timestamp, signature and chain at `now`. */
export async function verifyResponse(
  response: JpkiAuthentication,
  options: { readonly expectedChallenge: Uint8Array; readonly now: Date; readonly roots?: readonly JpkiTrustAnchor[] | undefined },
): Promise<ServerVerdict> {
  const result = await verifyAuthentication(response, {
    expectedOrigin: ATTENDANCE_ORIGIN,
    expectedChallenge: options.expectedChallenge,
    at: options.now,
    ...(options.roots === undefined ? {} : { roots: options.roots }),
  });
  if (!result.valid || result.chain.certificate === undefined) return { ok: false, reasons: result.reasons };
  return { ok: true, fingerprint: fingerprint(response.certificate), certificateSerial: result.chain.certificate.serialNumber };
}

/** Read the staff registry (absent = empty). */
export async function readStaff(path: string): Promise<StaffMember[]> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as StaffMember[];
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return [];
    throw error;
  }
}

/** Read the attendance log (absent = empty). */
export async function readLog(path: string): Promise<AttendanceRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as { code?: string }).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as AttendanceRecord);
}

/** The next event of a member: clock-out after their last clock-in on the same (JST) day, else clock-in. */
export function nextEvent(log: readonly AttendanceRecord[], staffId: string, now: Date): AttendanceRecord['event'] {
  const jstDay = (d: Date): string => new Date(d.getTime() + 9 * 3_600_000).toISOString().slice(0, 10);
  const last = [...log].reverse().find((r) => r.staffId === staffId);
  return last !== undefined && last.event === 'clock-in' && jstDay(new Date(last.at)) === jstDay(now) ? 'clock-out' : 'clock-in';
}

/** Options of {@link clock} and {@link register}. */
export interface AttendanceOptions {
  readonly pin: SecretInput;
  readonly staffPath: string;
  readonly logPath: string;
  readonly now: Date;
  readonly roots?: readonly JpkiTrustAnchor[] | undefined;
  readonly allowLastTry?: boolean;
}

async function authenticateCard(card: MyNumberCard, options: AttendanceOptions): Promise<Extract<ServerVerdict, { ok: true }>> {
  const challenge = issueChallenge();
  const response = await respond(card, challenge, options);
  const verdict = await verifyResponse(response, { expectedChallenge: challenge, now: options.now, roots: options.roots });
  if (!verdict.ok) throw new ExampleError('authentication-failed', `Authentication failed: ${verdict.reasons.join(', ')}`, EXIT.verificationFailed);
  return verdict;
}

/** Register the card's holder as `staffId` (after a full challenge–response). */
export async function register(card: MyNumberCard, staffId: string, options: AttendanceOptions): Promise<StaffMember> {
  const verdict = await authenticateCard(card, options);
  const staff = (await readStaff(options.staffPath)).filter((m) => m.staffId !== staffId && m.certificateFingerprint !== verdict.fingerprint);
  const member = { staffId, certificateFingerprint: verdict.fingerprint };
  await writeFile(options.staffPath, `${JSON.stringify([...staff, member], null, 2)}\n`, { mode: 0o600 });
  return member;
}

/** Clock in or out: authenticate, find the member, append the record. */
export async function clock(card: MyNumberCard, options: AttendanceOptions): Promise<AttendanceRecord> {
  const verdict = await authenticateCard(card, options);
  const member = (await readStaff(options.staffPath)).find((m) => m.certificateFingerprint === verdict.fingerprint);
  if (member === undefined) throw new ExampleError('unknown-staff', 'This card is not registered (run with --register <staff id>)', EXIT.verificationFailed);
  const log = await readLog(options.logPath);
  const record: AttendanceRecord = {
    at: options.now.toISOString(),
    staffId: member.staffId,
    event: nextEvent(log, member.staffId, options.now),
    certificateSerial: verdict.certificateSerial,
  };
  await appendFile(options.logPath, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  return record;
}

/** The program: `[--register <staff id>] [--staff staff.json] [--log attendance.jsonl]`, `--simulator` or `--reader`. */
export async function main(argv: readonly string[], io: ExampleIo): Promise<number> {
  return runExample(io, async () => {
    const args = parseExampleArgs(argv, { values: ['register', 'staff', 'log'] });
    return withSession(args, io, async (session) => {
      const options: AttendanceOptions = {
        pin: session.secret('auth'), // asked after the SDK has read the tries
        staffPath: args.values.get('staff') ?? 'staff.json',
        logPath: args.values.get('log') ?? 'attendance.jsonl',
        now: io.now?.() ?? new Date(),
        roots: session.roots,
        allowLastTry: session.allowLastTry,
      };
      if (session.simulated) io.stderr.write(`${session.testRootsNote}\n`);
      const staffId = args.values.get('register');
      if (staffId !== undefined) {
        const member = await register(session.card, staffId, options);
        io.stdout.write(`登録しました (registered): ${member.staffId}\n`);
      } else {
        const record = await clock(session.card, options);
        io.stdout.write(`${record.event === 'clock-in' ? '出勤' : '退勤'} (${record.event}): ${record.staffId} ${record.at}\n`);
      }
    });
  });
}

if (isMain(import.meta.url)) process.exitCode = await main(process.argv.slice(2), processIo());
