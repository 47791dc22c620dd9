/**
 * Two processes running SDK operations at the same time on one reader, through the real
 * pcscd + vpcd + bridge. pcsc-faults.test.ts covers a plain PC/SC application holding or
 * trying a transaction against one SDK operation; here both sides are the SDK, each in a loop.
 *
 * This process reads the 利用者証明用 CA certificate and queries the auth PIN's tries; the child
 * (pcsc-concurrent-child.ts) reads the 署名用 CA certificate and queries the sign password's
 * tries — each round on a fresh session, so every read reaches the card. The card answers with
 * short APDUs only, so that a certificate read is a SELECT and six READ BINARY chunks: many
 * places where another process could slip in a command. Each operation is one PC/SC
 * transaction (the SDK's own), so the card's log must split into whole operations: a SELECT
 * followed by exactly the commands of one operation, every chunk at the offset where the
 * previous one ended, and the chunks together exactly the certificate.
 */
import type { TriesState } from '../../src/secret.js';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MyNumberCard } from '../../src/aps/index.js';
import { concatBytes, equalBytes, toHex } from '../../src/bytes.js';
import { connect, type PcscTransport } from '../../src/pcsc/index.js';
import { VirtualMyNumberCard, type CardLogEntry } from '../../src/testing/index.js';
import type { VpcdConnection } from '../../src/testing/vpcd.js';
import { injectedPcsc, suiteTitle } from './injected.js';
import { LineChild, insertCard, waitForReader } from './pcsc-fixture.js';

const pcsc = injectedPcsc();
const LONG = process.env['MYNACARD_ADVERSARIAL'] === 'long';
const ROUNDS = LONG ? 200 : 40;
/**
 * Pause after each round, outside any transaction (an application's own work), different in the
 * two processes. Without it one loop runs whole before the other: pcsc-lite lets a process that
 * waits for a transaction retry only every 100 ms (PCSCLITE_LOCK_POLL_RATE), and a loop that
 * begins its next transaction at once almost always wins the lock again. Each pause is longer
 * than that poll interval, so a waiting process always gets its turn during the other's pause:
 * with 20 / 30 ms pauses the owner switches of a 40-round run ranged from 5 to 26 and one run
 * in 26 fell below the check's 5.
 */
const PAUSE_MS = { parent: 110, child: 130 } as const;
const HERE = path.dirname(fileURLToPath(import.meta.url));
const hx = (b: Uint8Array) => toHex(b).toUpperCase();
/** Tries left as a number (-1 for any state but `tries`), for compact comparisons. */
const left = (t: TriesState): number => (t.state === 'tries' ? t.remaining : -1);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

const SELECT_JPKI = '00A4040C0AD392F000260100000001';
const READ_TOKEN = '00B0860020';
/** READ BINARY P1 (`80 | SFI`) of the two CA certificates: EF 000B and EF 0002 (card-facts §3.1, §4). */
const SFI_P1 = { authCa: 0x8b, signCa: 0x82 } as const;
/** Tries queries (VERIFY without data) of the auth PIN (EF 0018) and the sign password (EF 001B). */
const TRIES = { auth: '00200098', sign: '0020009B' } as const;

/** One operation as found in the card's log. */
type Operation =
  | { readonly kind: 'connect' }
  | { readonly kind: 'read'; readonly owner: 'parent' | 'child'; readonly probed: boolean }
  | { readonly kind: 'tries'; readonly owner: 'parent' | 'child' };

const sw = (e: CardLogEntry) => hx(e.response.subarray(e.response.length - 2));
const data = (e: CardLogEntry) => e.response.subarray(0, e.response.length - 2);

/**
 * Split the log into operations. Each starts with the JPKI SELECT; what follows up to the next
 * SELECT must be exactly one operation, else the log shows an interleaving and this throws.
 */
function parseOperations(log: readonly CardLogEntry[], vc: VirtualMyNumberCard): Operation[] {
  const segments: CardLogEntry[][] = [];
  for (const entry of log) {
    if (hx(entry.command) === SELECT_JPKI) segments.push([entry]);
    else if (segments.length === 0) throw new Error(`log starts without a SELECT: ${hx(entry.command)}`);
    else segments.at(-1)!.push(entry);
  }
  return segments.map((segment, n) => {
    const shown = () => `operation ${n}: ${segment.map((e) => `${hx(e.command)}>${sw(e)}`).join(' ')}`;
    const fail = (why: string) => new Error(`${why} in ${shown()}`);
    const [select, ...body] = segment;
    if (sw(select!) !== '9000') throw fail('SELECT refused');
    const first = body[0];
    if (first === undefined) throw fail('a SELECT with nothing after it');
    const head = hx(first.command);
    if (body.length === 1 && head === READ_TOKEN && sw(first) === '9000') return { kind: 'connect' };
    if (body.length === 1 && head === TRIES.auth && sw(first) === '63C3') return { kind: 'tries', owner: 'parent' };
    if (body.length === 1 && head === TRIES.sign && sw(first) === '63C5') return { kind: 'tries', owner: 'child' };
    // A certificate read: [extended probe refused with 6700], then 256-byte chunks, contiguous.
    const p1 = first.command[2];
    const owner = p1 === SFI_P1.authCa ? 'parent' : p1 === SFI_P1.signCa ? 'child' : undefined;
    if (owner === undefined || first.command[1] !== 0xb0) throw fail('an unexpected command');
    let chunks = body;
    const probed = first.command.length === 7 && sw(first) === '6700';
    if (probed) chunks = body.slice(1);
    const expected = owner === 'parent' ? vc.certificates.authCa : vc.certificates.signCa;
    let offset = 0;
    for (const [i, chunk] of chunks.entries()) {
      const c = chunk.command;
      // The first chunk addresses the EF by SFI, the next ones by offset in the current EF.
      const at = i === 0 ? (c[2] === p1 && c[3] === 0 ? 0 : -1) : ((c[2]! << 8) | c[3]!);
      if (c[1] !== 0xb0 || c.length !== 5 || at !== offset || sw(chunk) !== '9000') throw fail(`chunk ${i} out of place`);
      offset += data(chunk).length;
    }
    const whole = concatBytes(...chunks.map(data));
    if (!equalBytes(whole, expected)) throw fail(`the chunks are not the certificate (${whole.length} bytes)`);
    return { kind: 'read', owner, probed };
  });
}

describe.skipIf(!pcsc.ok)(suiteTitle('Two SDK processes on one reader through pcscd + vpcd', pcsc), () => {
  const stack = pcsc.ok ? pcsc.stack : undefined;
  let vc: VirtualMyNumberCard;
  let conn: VpcdConnection;
  let transport: PcscTransport | undefined;
  let child: LineChild | undefined;

  beforeAll(async () => {
    await waitForReader(stack!.reader, false);
    vc = await VirtualMyNumberCard.create({ quirks: { extendedLength: false } });
    conn = await insertCard(stack!, vc);
    await waitForReader(stack!.reader, true);
  });

  afterAll(async () => {
    child?.kill();
    await transport?.close();
    await conn?.close();
    await waitForReader(stack!.reader, false);
  });

  it(`${ROUNDS} rounds in each process at once: every operation whole on the wire, every result exact`, async () => {
    transport = await connect(stack!.reader);
    child = new LineChild(['--import', 'tsx', path.join(HERE, 'pcsc-concurrent-child.ts'), stack!.reader, String(ROUNDS), String(PAUSE_MS.child)]);
    await child.waitForLine('READY');
    vc.clearLog();
    const started = performance.now();
    child.send('go');
    const ours: Array<{ der: Uint8Array; tries: number }> = [];
    for (let i = 0; i < ROUNDS; i++) {
      const card = await MyNumberCard.connect(transport);
      try {
        ours.push({ der: await card.jpki.readCertificate('auth-ca'), tries: left(await card.jpki.remainingTries('auth')) });
      } finally {
        await card.close();
      }
      await sleep(PAUSE_MS.parent);
    }
    await child.waitForLine('DONE', 120_000);
    const ms = Math.round(performance.now() - started);
    // No process.exit() in the child: it must end by itself once its transport is closed.
    expect(await child.exitCode(), `child stderr: ${child.stderr.join('\n')}`).toBe(0);

    // Every result of both processes is exact.
    for (const r of ours) expect({ der: hx(r.der), tries: r.tries }).toEqual({ der: hx(vc.certificates.authCa), tries: 3 });
    const childRounds = child.lines.filter((l) => l.startsWith('ROUND '));
    expect(childRounds).toEqual(Array.from({ length: ROUNDS }, (_, i) => `ROUND ${i} ${sha256(vc.certificates.signCa)} 5`));

    // The card's log splits into whole operations, and holds all of them.
    const operations = parseOperations(vc.log, vc);
    const count = (kind: Operation['kind'], owner?: 'parent' | 'child') =>
      operations.filter((o) => o.kind === kind && (owner === undefined || ('owner' in o && o.owner === owner))).length;
    expect({
      connect: count('connect'),
      parentReads: count('read', 'parent'),
      childReads: count('read', 'child'),
      parentTries: count('tries', 'parent'),
      childTries: count('tries', 'child'),
      // Each transport probes extended length once, then remembers the refusal.
      probes: operations.filter((o) => o.kind === 'read' && o.probed).length,
    }).toEqual({
      connect: 2 * ROUNDS,
      parentReads: ROUNDS,
      childReads: ROUNDS,
      parentTries: ROUNDS,
      childTries: ROUNDS,
      probes: 2,
    });

    // The two loops really ran at the same time: the owners alternate on the wire, not one
    // whole loop after the other.
    const owners = operations.flatMap((o) => ('owner' in o ? [o.owner] : []));
    let switches = 0;
    for (let i = 1; i < owners.length; i++) if (owners[i] !== owners[i - 1]) switches++;
    console.log(
      `[integration pcsc-concurrency] ${JSON.stringify({ rounds: ROUNDS, ms, apdus: vc.log.length, operations: operations.length, ownerSwitches: switches })}`,
    );
    expect(switches).toBeGreaterThanOrEqual(20);

    // The check itself catches an interleaving: another process's SELECT moved between the
    // SELECT and the first chunk of one of our reads, or one chunk missing.
    const log = [...vc.log];
    const ourRead = log.findIndex((e, i) => hx(e.command) === SELECT_JPKI && log[i + 1]?.command[2] === SFI_P1.authCa);
    const otherSelect = log.findIndex((e, i) => i > ourRead + 1 && hx(e.command) === SELECT_JPKI);
    const interleaved = [...log];
    interleaved.splice(ourRead + 1, 0, ...interleaved.splice(otherSelect, 1));
    expect(() => parseOperations(interleaved, vc)).toThrow(/in operation/);
    const lostChunk = log.filter((_, i) => i !== ourRead + 3);
    expect(() => parseOperations(lostChunk, vc)).toThrow(/in operation/);
  }, LONG ? 600_000 : 180_000);

  it('two MyNumberCard sessions on one PcscTransport at once: the transport\'s transaction lock keeps each operation whole', async () => {
    // Not a promise of the SDK (RELIABILITY.md "Known limits": one session per transport); this
    // records what PcscTransport gives today: withTransaction also excludes the transport's
    // other callers, and each session re-selects its AP at the start of every operation.
    const shared = await connect(stack!.reader);
    try {
      vc.clearLog();
      const lane = async (ca: 'auth-ca' | 'sign-ca', pin: 'auth' | 'sign') => {
        const results: Array<{ der: string; tries: number }> = [];
        for (let i = 0; i < ROUNDS / 4; i++) {
          const card = await MyNumberCard.connect(shared);
          try {
            // Both calls at once within the session too (the session queues them).
            const [der, tries] = await Promise.all([card.jpki.readCertificate(ca), card.jpki.remainingTries(pin)]);
            results.push({ der: hx(der), tries: left(tries) });
          } finally {
            await card.close();
          }
        }
        return results;
      };
      const [first, second] = await Promise.all([lane('auth-ca', 'auth'), lane('sign-ca', 'sign')]);
      expect(first).toEqual(Array.from({ length: ROUNDS / 4 }, () => ({ der: hx(vc.certificates.authCa), tries: 3 })));
      expect(second).toEqual(Array.from({ length: ROUNDS / 4 }, () => ({ der: hx(vc.certificates.signCa), tries: 5 })));
      const operations = parseOperations(vc.log, vc);
      const owners = operations.flatMap((o) => ('owner' in o ? [o.owner] : []));
      let switches = 0;
      for (let i = 1; i < owners.length; i++) if (owners[i] !== owners[i - 1]) switches++;
      console.log(
        `[integration pcsc-concurrency one-transport] ${JSON.stringify({ rounds: ROUNDS / 4, apdus: vc.log.length, operations: operations.length, ownerSwitches: switches })}`,
      );
      expect(operations).toHaveLength(2 * (ROUNDS / 4) * 3);
      expect(operations.filter((o) => o.kind === 'read' && o.probed)).toHaveLength(1);
      expect(switches).toBeGreaterThanOrEqual(20);
    } finally {
      await shared.close();
    }
  });
});
