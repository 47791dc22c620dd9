/**
 * OpenSC cross-check: a widely deployed JPKI client (Debian's `opensc`) must work against the
 * virtual card through the real stack (OpenSC → libpcsclite → pcscd → vpcd → connectToVpcd →
 * VirtualMyNumberCard, the card running in this test process).
 *
 * - `pkcs15-tool --dump` lists the auth PIN with 3 tries and the signing PIN with 5;
 * - `pkcs15-tool --read-certificate 01` returns exactly the auth certificate;
 * - a signature made through OpenSC's PKCS#11 module with the auth key verifies with `openssl`
 *   against the auth certificate.
 *
 * The tools run through async execFile: the event loop must stay free to answer vpcd.
 * Set MYNACARD_OPENSC_TRACE=<file> to write every APDU OpenSC sent (bridge log, PINs redacted).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import { connectToVpcd, type VpcdCard, type VpcdConnection } from '../../src/testing/vpcd.js';
import type { InjectedPcsc } from './global-setup.js';
import { injectedPcsc, suiteTitle } from './injected.js';
import { isCi } from './pcsc-stack.js';

const run = promisify(execFile);

/** The virtual card's default auth PIN (利用者証明用電子証明書 暗証番号). */
const AUTH_PIN = '1234';
/** OpenSC's JPKI emulator: certificate / key / PIN ids (pkcs15-jpki.c: auth = 01, sign = 02). */
const AUTH_ID = '01';
/** The PKCS#11 token OpenSC makes for the auth PIN (one slot per PIN). */
const AUTH_TOKEN_LABEL = 'JPKI (User Authentication PIN)';
const SELECT_JPKI_AP = '00A4040C0AD392F000260100000001';
/** DigestInfo prefix for SHA-256 (RFC 8017 §9.2 note 1). */
const SHA256_DIGEST_INFO_PREFIX = '3031300D060960864801650304020105000420';
/** A contact ATR seen on cards issued from ~2024 (card-facts §1.2), absent from OpenSC 0.23's jpki table. */
const ATR_UNKNOWN_TO_OPENSC_023 = '3BDA13FF8131FB468012392F31C173C601C03B';
const TOOLS = ['opensc-tool', 'pkcs15-tool', 'pkcs11-tool', 'openssl'] as const;

/** OpenSC's PKCS#11 module: env OPENSC_PKCS11_MODULE, else Debian's multiarch path(s). */
function findPkcs11Module(): string | undefined {
  const override = process.env['OPENSC_PKCS11_MODULE'];
  if (override) return override;
  const candidates: string[] = [];
  try {
    for (const dir of readdirSync('/usr/lib')) candidates.push(path.join('/usr/lib', dir, 'opensc-pkcs11.so'));
  } catch {
    // no /usr/lib: not Debian-like
  }
  candidates.push('/usr/lib/opensc-pkcs11.so', '/usr/lib64/opensc-pkcs11.so');
  return candidates.find((p) => isReadable(p));
}

function isReadable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(tool: string): boolean {
  return (process.env['PATH'] ?? '').split(':').some((dir) => dir !== '' && isReadable(path.join(dir, tool)));
}

/** The PC/SC stack plus the OpenSC tools; on CI anything missing is a failure, never a skip. */
function openscAvailability(pcsc: InjectedPcsc): InjectedPcsc {
  if (!pcsc.ok) return pcsc;
  const missing: string[] = TOOLS.filter((t) => !onPath(t));
  if (findPkcs11Module() === undefined) missing.push('opensc-pkcs11.so');
  if (missing.length === 0) return pcsc;
  const reason = `missing ${missing.join(', ')} (Debian packages opensc, openssl: scripts/pcscd/install-deps.sh)`;
  if (isCi()) throw new Error(`CI=true but OpenSC cannot run: ${reason}`);
  return { ok: false, reason };
}

const pcsc = openscAvailability(injectedPcsc());

const hx = (b: Uint8Array) => toHex(b).toUpperCase();
const sw = (r: Uint8Array) => hx(r.subarray(r.length - 2));

function pem(der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN CERTIFICATE-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** One exchange as the card saw it (kept in memory only; the PIN is the public test value). */
interface Exchange {
  readonly command: string;
  readonly response: string;
  readonly sw: string;
}

/** The virtual card as vpcd sees it, recording every exchange, with an optional ATR override. */
function recordingCard(card: VirtualMyNumberCard, atr?: Uint8Array) {
  const exchanges: Exchange[] = [];
  const bridged: VpcdCard = {
    atr: atr ?? card.atr,
    get present() {
      return card.present;
    },
    reset() {
      card.reset();
    },
    async transmit(command) {
      const response = await card.transmit(command);
      exchanges.push({ command: hx(command), response: hx(response), sw: sw(response) });
      return response;
    },
  };
  return { bridged, exchanges };
}

describe.skipIf(!pcsc.ok)(suiteTitle('OpenSC against the virtual card through pcscd + vpcd', pcsc), () => {
  const stack = pcsc.ok ? pcsc.stack : undefined;
  let card: VirtualMyNumberCard;
  let rec: ReturnType<typeof recordingCard>;
  let conn: VpcdConnection;
  let work: string;
  const trace: string[] = [];
  let step = '';

  const insert = async (atr?: Uint8Array) => {
    step = 'insert';
    trace.push(`# insert: connectToVpcd (ATR ${hx(atr ?? card.atr)})`);
    rec = recordingCard(card, atr);
    conn = await connectToVpcd(rec.bridged, {
      host: stack!.vpcdHost,
      port: stack!.vpcdPort,
      onLog: (line) => trace.push(`${step}\t${line}`),
    });
    await untilReader(true);
  };

  /** Pull the card and wait until pcscd has seen it go (else a quick re-insert looks like no change). */
  const remove = async () => {
    await conn.close();
    await untilReader(false);
  };

  /** Poll pcscd's view of the reader (`opensc-tool --list-readers`, no card access) until it matches. */
  const untilReader = async (withCard: boolean, timeoutMs = 5000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { stdout } = await run('opensc-tool', ['--list-readers'], { timeout: 10_000, encoding: 'utf8' });
      const row = stdout.split('\n').find((l) => l.trimEnd().endsWith(stack!.reader));
      if (row !== undefined && /^\d+\s+(Yes|No)\b/.exec(row)?.[1] === (withCard ? 'Yes' : 'No')) return;
      if (Date.now() > deadline) throw new Error(`reader never showed ${withCard ? 'a card' : 'no card'}:\n${stdout}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  /** Run an OpenSC / openssl command; OpenSC's own configuration comes from `work`. */
  const tool = async (title: string, file: string, args: string[], env: Record<string, string> = {}) => {
    step = title;
    trace.push(`# ${title}: ${file} ${args.map((a) => (a === AUTH_PIN ? '<auth PIN>' : a)).join(' ')}`);
    rec.exchanges.length = 0;
    const { stdout, stderr } = await run(file, args, {
      env: { ...process.env, OPENSC_CONF: path.join(work, 'opensc.conf'), ...env },
      timeout: 30_000,
      encoding: 'utf8',
    });
    return { stdout, stderr, exchanges: [...rec.exchanges] };
  };

  beforeAll(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'mynacard-opensc-'));
    // A private configuration: no file cache (every read must reach the card), no site tweaks.
    writeFileSync(path.join(work, 'opensc.conf'), 'app default {\n\tframework pkcs15 {\n\t\tuse_file_caching = no;\n\t}\n}\n');
    card = await VirtualMyNumberCard.create();
    await insert();
  });

  afterAll(async () => {
    if (conn) await remove(); // leave the reader empty for the next test file
    if (work) rmSync(work, { recursive: true, force: true });
    const traceFile = process.env['MYNACARD_OPENSC_TRACE'];
    if (traceFile) writeFileSync(traceFile, `${trace.join('\n')}\n`);
  });

  it('pkcs15-tool --dump (jpki driver) lists the auth PIN with 3 tries and the signing PIN with 5', async () => {
    const { stdout, exchanges } = await tool('dump-jpki', 'pkcs15-tool', ['--dump'], { OPENSC_DRIVER: 'jpki' });
    expect(pinTries(stdout)).toEqual({ 'User Authentication PIN': 3, 'Digital Signature PIN': 5 });
    expect(certificateLabels(stdout)).toEqual([
      'User Authentication Certificate',
      'Digital Signature Certificate',
      'User Authentication Certificate CA',
      'Digital Signature Certificate CA',
    ]);
    expect(exchanges[0]).toEqual({ command: SELECT_JPKI_AP, response: '9000', sw: '9000' });
    // PIN status: SELECT the PIN EF, then VERIFY without data (63 Cx = tries left).
    expect(exchanges.slice(1, 5).map((e) => `${e.command}>${e.response}`)).toEqual([
      '00A4020C020018>9000',
      '00200080>63C3',
      '00A4020C02001B>9000',
      '00200080>63C5',
    ]);
    // Only the signature certificate is refused (6982: its password is not verified).
    const refused = exchanges.filter((e) => e.sw !== '9000' && !e.sw.startsWith('63C'));
    expect(refused.map((e) => `${e.command}>${e.sw}`)).toEqual(['00B0000004>6982']);
    expect(commandBefore(exchanges, '00B0000004', '6982')).toBe('00A4020C020001');
    // The counters were only queried.
    expect(card.pinState('auth').remaining).toBe(3);
    expect(card.pinState('sign').remaining).toBe(5);
  });

  it('pkcs15-tool --dump without a pinned driver: every probe of another AID is answered 6A82, then the dump works', async () => {
    const { stdout, exchanges } = await tool('dump-probing', 'pkcs15-tool', ['--dump']);
    expect(pinTries(stdout)).toEqual({ 'User Authentication PIN': 3, 'Digital Signature PIN': 5 });
    const firstJpki = exchanges.findIndex((e) => e.command === SELECT_JPKI_AP);
    const probes = exchanges.slice(0, firstJpki);
    const selectsByName = probes.filter((e) => e.command.startsWith('00A404'));
    expect(selectsByName.length).toBeGreaterThanOrEqual(20); // OpenSC 0.23: 27 SELECTs by name
    expect(new Set(selectsByName.map((e) => e.response))).toEqual(new Set(['6A82']));
    // Whatever else a driver probes with is refused with an error status, never answered 6F00.
    for (const e of probes) {
      expect(e.response).toMatch(/^6[ADE]..$/);
      expect(e.response).not.toBe('6F00');
    }
    expect(exchanges.slice(firstJpki).some((e) => e.sw === '6F00')).toBe(false);
  });

  it('pkcs15-tool --read-certificate 01 returns exactly the auth certificate', async () => {
    const { stdout, exchanges } = await tool('read-certificate', 'pkcs15-tool', ['--read-certificate', AUTH_ID], {
      OPENSC_DRIVER: 'jpki',
    });
    expect(stdout).toBe(pem(card.certificates.auth));
    // EF 000A read in short APDUs: 4-byte header, 256-byte chunks, exact remainder.
    const der = card.certificates.auth;
    const reads = afterSelect(exchanges, '00A4020C02000A').filter((e) => e.command.startsWith('00B0'));
    const expected = ['00B0000004'];
    for (let offset = 0; offset < der.length; offset += 256) {
      const n = Math.min(256, der.length - offset);
      expected.push(`00B0${hx(Uint8Array.of(offset >> 8, offset & 0xff))}${n === 256 ? '00' : hx(Uint8Array.of(n))}`);
    }
    expect(reads.map((e) => e.command)).toEqual(expected);
  });

  it('a signature made through OpenSC PKCS#11 with the auth key verifies with openssl against the auth certificate', async () => {
    const data = path.join(work, 'data.txt');
    const sig = path.join(work, 'data.sig');
    const certPem = path.join(work, 'auth.pem');
    const pubPem = path.join(work, 'auth-pub.pem');
    const message = 'mynacard OpenSC cross-check\n';
    writeFileSync(data, message);
    writeFileSync(certPem, pem(card.certificates.auth));
    // The PIN on argv is acceptable here only: OpenSC's CLI (not our API), the public test PIN,
    // a throw-away process on a test machine. The trace written by this file redacts it.
    const { exchanges } = await tool(
      'pkcs11-sign',
      'pkcs11-tool',
      [
        '--module',
        findPkcs11Module()!,
        '--token-label',
        AUTH_TOKEN_LABEL,
        '--sign',
        '--mechanism',
        'SHA256-RSA-PKCS',
        '--id',
        AUTH_ID,
        '--login',
        '--pin',
        AUTH_PIN,
        '-i',
        data,
        '-o',
        sig,
      ],
      { OPENSC_DRIVER: 'jpki' },
    );
    expect(readFileSync(sig).length).toBe(256);
    await tool('openssl-pubkey', 'openssl', ['x509', '-in', certPem, '-pubkey', '-noout', '-out', pubPem]);
    const verified = await tool('openssl-verify', 'openssl', ['dgst', '-sha256', '-verify', pubPem, '-signature', sig, data]);
    expect(verified.stdout.trim()).toBe('Verified OK');

    // On the card: VERIFY of the current PIN EF 0018, SELECT of the auth key EF 0017, then the
    // signature command with the SHA-256 DigestInfo of the message.
    const digest = createHash('sha256').update(message).digest('hex').toUpperCase();
    const signCommand = `802A008033${SHA256_DIGEST_INFO_PREFIX}${digest}00`;
    const verifyCommand = `00200080${hx(Uint8Array.of(AUTH_PIN.length))}${hx(fromAscii(AUTH_PIN))}`;
    const verifyIndex = exchanges.findIndex((e) => e.command === verifyCommand);
    expect(verifyIndex).toBeGreaterThan(0);
    expect(exchanges[verifyIndex - 1]!.command).toBe('00A4020C020018');
    expect(exchanges[verifyIndex]!.sw).toBe('9000');
    expect(exchanges.slice(verifyIndex + 1).map((e) => `${e.command}>${e.sw}`)).toEqual([
      '00A4020C020017>9000',
      `${signCommand}>9000`,
    ]);
    expect(exchanges.at(-1)!.response.slice(0, -4)).toBe(hx(readFileSync(sig)));
    expect(exchanges.filter((e) => e.command.startsWith('00200080') && e.command.length > 8)).toHaveLength(1);
    expect(card.pinState('auth').remaining).toBe(3);
  });

  it('a card whose ATR OpenSC 0.23 does not know is still recognised, by SELECT of the JPKI AP', async () => {
    await remove();
    await insert(fromHex(ATR_UNKNOWN_TO_OPENSC_023));
    const atr = await tool('atr', 'opensc-tool', ['--atr']);
    expect(atr.stdout.trim().replace(/:/g, '').toUpperCase()).toBe(ATR_UNKNOWN_TO_OPENSC_023);
    const { stdout, exchanges } = await tool('name-by-aid', 'opensc-tool', ['--name']);
    expect(stdout.trim()).toBe('jpki');
    expect(exchanges.filter((e) => e.command === SELECT_JPKI_AP).map((e) => e.response)).toEqual(['9000']);
  });
});

function fromAscii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** `PIN [label]` blocks of a dump → tries left per label. */
function pinTries(dump: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const block of dump.split(/\n(?=\S)/)) {
    const label = /^PIN \[(.+)\]/.exec(block)?.[1];
    const tries = /Tries left\s*:\s*(\d+)/.exec(block)?.[1];
    if (label !== undefined && tries !== undefined) out[label] = Number(tries);
  }
  return out;
}

function certificateLabels(dump: string): string[] {
  return [...dump.matchAll(/^X\.509 Certificate \[(.+)\]$/gm)].map((m) => m[1]!);
}

/** The exchanges after the last SELECT of `select` and before the next SELECT. */
function afterSelect(exchanges: readonly Exchange[], select: string): Exchange[] {
  const start = exchanges.map((e) => e.command).lastIndexOf(select);
  const rest = exchanges.slice(start + 1);
  const end = rest.findIndex((e) => e.command.startsWith('00A4'));
  return end < 0 ? rest : rest.slice(0, end);
}

/** The last SELECT sent before the exchange `command` → `sw`. */
function commandBefore(exchanges: readonly Exchange[], command: string, status: string): string | undefined {
  const i = exchanges.findIndex((e) => e.command === command && e.sw === status);
  return exchanges
    .slice(0, i)
    .reverse()
    .find((e) => e.command.startsWith('00A4'))?.command;
}
