import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  clock,
  issueChallenge,
  main,
  nextEvent,
  register,
  respond,
  verifyResponse,
  type AttendanceOptions,
} from '../../examples/staff-attendance/index.js';
import { MyNumberCard } from '../../src/aps/index.js';
import { authenticate } from '../../src/crypto/index.js';
import { testRoots } from '../../src/cli/certificates.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import { AUTH_PIN, HOLDER_NAME, NOW, makeIo, tempDir } from '../cli/helpers.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterEach(async () => cleanup());

describe('staff-attendance', () => {
  test('register, clock in, clock out: JSON lines keyed by the certificate, no personal data', async () => {
    const vc = await VirtualMyNumberCard.create();
    const files = ['--staff', join(dir, 'staff.json'), '--log', join(dir, 'attendance.jsonl')];
    const env = { MYNACARD_AUTH_PIN: AUTH_PIN };
    const reg = makeIo({ card: vc, env });
    expect(await main(['--simulator', '--register', 'S001', ...files], reg.io)).toBe(0);
    expect(reg.stdout.text).toBe('登録しました (registered): S001\n');
    const first = makeIo({ card: vc, env });
    expect(await main(['--simulator', ...files], first.io)).toBe(0);
    expect(first.stdout.text).toBe(`出勤 (clock-in): S001 ${NOW.toISOString()}\n`);
    const second = makeIo({ card: vc, env });
    expect(await main(['--simulator', ...files], second.io)).toBe(0);
    expect(second.stdout.text).toBe(`退勤 (clock-out): S001 ${NOW.toISOString()}\n`);

    const fingerprint = createHash('sha256').update(vc.certificates.auth).digest('hex');
    expect(JSON.parse(await readFile(join(dir, 'staff.json'), 'utf8'))).toEqual([{ staffId: 'S001', certificateFingerprint: fingerprint }]);
    const log = await readFile(join(dir, 'attendance.jsonl'), 'utf8');
    expect(log).toBe(
      `{"at":"${NOW.toISOString()}","staffId":"S001","event":"clock-in","certificateSerial":"7E57A001"}\n` +
        `{"at":"${NOW.toISOString()}","staffId":"S001","event":"clock-out","certificateSerial":"7E57A001"}\n`,
    );
    expect(log).not.toContain(HOLDER_NAME);
  });

  test('an unregistered card is refused (exit 8), nothing logged', async () => {
    const t = makeIo({ env: { MYNACARD_AUTH_PIN: AUTH_PIN } });
    expect(await main(['--simulator', '--staff', join(dir, 's.json'), '--log', join(dir, 'l.jsonl')], t.io)).toBe(8);
    expect(t.stderr.text).toContain('Error: This card is not registered (run with --register <staff id>)\n');
    await expect(readFile(join(dir, 'l.jsonl'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  test('server side: a replayed or foreign challenge and the J-LIS roots are refused', async () => {
    const card = await MyNumberCard.connect(await VirtualMyNumberCard.create());
    const roots = await testRoots();
    const challenge = issueChallenge();
    const response = await respond(card, challenge, { pin: AUTH_PIN, now: NOW });
    expect(await verifyResponse(response, { expectedChallenge: challenge, now: NOW, roots })).toMatchObject({ ok: true, certificateSerial: '7E57A001' });
    expect(await verifyResponse(response, { expectedChallenge: issueChallenge(), now: NOW, roots })).toEqual({
      ok: false,
      reasons: ['challenge-mismatch'],
    });
    expect(await verifyResponse(response, { expectedChallenge: challenge, now: NOW })).toEqual({ ok: false, reasons: ['no-issuer-found'] });
  });

  test('server side: a response made for another service, or too long ago, is refused', async () => {
    const card = await MyNumberCard.connect(await VirtualMyNumberCard.create());
    const roots = await testRoots();
    const challenge = issueChallenge();
    const foreign = await authenticate(card, { pin: AUTH_PIN, origin: 'https://other.example', challenge, now: NOW });
    expect(await verifyResponse(foreign, { expectedChallenge: challenge, now: NOW, roots })).toEqual({ ok: false, reasons: ['origin-mismatch'] });
    const response = await respond(card, challenge, { pin: AUTH_PIN, now: NOW });
    expect(await verifyResponse(response, { expectedChallenge: challenge, now: new Date(NOW.getTime() + 600_000), roots })).toEqual({
      ok: false,
      reasons: ['timestamp-too-old'],
    });
  });

  test('wrong PIN: exit 5, nothing registered', async () => {
    const vc = await VirtualMyNumberCard.create();
    const options: AttendanceOptions = { pin: '0000', staffPath: join(dir, 's.json'), logPath: join(dir, 'l.jsonl'), now: NOW, roots: await testRoots() };
    await expect(register(await MyNumberCard.connect(vc), 'S9', options)).rejects.toMatchObject({ code: 'pin-incorrect', remaining: 2 });
    await expect(readFile(options.staffPath)).rejects.toMatchObject({ code: 'ENOENT' });
    await expect(clock(await MyNumberCard.connect(vc), { ...options, pin: AUTH_PIN })).rejects.toMatchObject({ code: 'unknown-staff' });
  });

  test('next event: clock-out only after a clock-in on the same JST day', () => {
    const rec = (at: string, event: 'clock-in' | 'clock-out') => ({ at, staffId: 'S1', event, certificateSerial: '1' });
    expect(nextEvent([], 'S1', NOW)).toBe('clock-in');
    expect(nextEvent([rec('2026-04-01T00:00:00Z', 'clock-in')], 'S1', new Date('2026-04-01T08:00:00Z'))).toBe('clock-out');
    expect(nextEvent([rec('2026-04-01T00:00:00Z', 'clock-in')], 'S2', new Date('2026-04-01T08:00:00Z'))).toBe('clock-in');
    // 2026-04-01 23:30 JST is 14:30Z; 2026-04-02 00:30 JST is the next day.
    expect(nextEvent([rec('2026-04-01T14:30:00Z', 'clock-in')], 'S1', new Date('2026-04-01T15:30:00Z'))).toBe('clock-in');
    expect(nextEvent([rec('2026-04-01T00:00:00Z', 'clock-in'), rec('2026-04-01T08:00:00Z', 'clock-out')], 'S1', new Date('2026-04-01T09:00:00Z'))).toBe('clock-in');
  });
});
