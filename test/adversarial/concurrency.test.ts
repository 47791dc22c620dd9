/**
 * Concurrency in one process: many operations started at once on one `MyNumberCard` must each
 * give the fault-free result, never interleave on the wire, and spend one VERIFY per PIN
 * operation. Two processes on one reader go through the real pcscd and are the PC/SC owner's
 * (test/integration).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MyNumberCard } from '../../src/aps/card.js';
import { MynacardError } from '../../src/errors.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import { OPERATIONS, type Operation } from './operations.js';
import { LONG, SEED } from './support.js';

/** Operations that leave the card as they found it (changePin keeps the same value, so all do). */
const OPS = OPERATIONS.filter((op) => op.name !== 'connect');

/** VERIFYs an operation sends on a healthy card (authenticate's 6982 fallback does not happen). */
function healthyVerifies(op: Operation): number {
  return op.name === 'crypto.authenticate' ? 1 : op.verifies;
}

/** The APDUs of each operation must be contiguous: a PIN operation's VERIFY … re-SELECT never mixes with another's. */
function verifyWindows(vc: VirtualMyNumberCard): number {
  return vc.log.filter((e) => e.verifyWithData === true).length;
}

describe('many concurrent operations on one card', () => {
  it('each result equals its sequential baseline; one VERIFY per PIN operation', async () => {
    const vc = await VirtualMyNumberCard.create({ quirks: { latencyMs: 0 } });
    const env = { transport: vc, myNumber: vc.holder.myNumber };
    const baselineCard = await MyNumberCard.connect(vc);
    const baselines = new Map<string, unknown>();
    for (const op of OPS) baselines.set(op.name, await op.run(baselineCard, env));
    await baselineCard.close();

    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: 0, max: OPS.length - 1 }), { minLength: 8, maxLength: 40 }), async (picks) => {
        const card = await MyNumberCard.connect(vc);
        vc.clearLog();
        const ops = picks.map((i) => OPS[i]!);
        const results = await Promise.all(ops.map((op) => op.run(card, env)));
        ops.forEach((op, i) => expect(results[i], op.name).toEqual(baselines.get(op.name)));
        // Cached reads (certificates, common AP) may skip the card; PIN operations never do
        // (signCms verifies twice: the certificate read and the signature).
        expect(verifyWindows(vc)).toBe(ops.reduce((n, op) => n + healthyVerifies(op), 0));
        await card.close();
      }),
      { numRuns: LONG ? 300 : 15, seed: SEED },
    );
    expect(vc.pinState('auth').remaining).toBe(3);
    expect(vc.pinState('text').remaining).toBe(3);
  }, 120_000);

  it('with card latency, interleaving is impossible: every VERIFY is followed by its own operation', async () => {
    const vc = await VirtualMyNumberCard.create({ quirks: { latencyMs: 1 } });
    const card = await MyNumberCard.connect(vc);
    vc.clearLog();
    const [a, b, c, d] = await Promise.all([
      card.text.readMyNumber({ pin: '5678' }),
      card.jpki.readCertificate('auth'),
      card.text.readAttributes({ pin: '5678' }),
      card.jpki.sign('auth', new Uint8Array(4), { pin: '1234' }),
    ]);
    expect(a).toBe(vc.holder.myNumber);
    expect(b).toEqual(vc.certificates.auth);
    expect(c.name).toBe(vc.holder.name);
    expect(d.length).toBe(256);
    // The application after every command: text AP for the first run, then JPKI, text, JPKI.
    const runs: string[] = [];
    for (const e of vc.log) if (e.dfName !== undefined && runs.at(-1) !== e.dfName) runs.push(e.dfName);
    expect(runs).toEqual(['text', 'jpki', 'text', 'jpki']);
    await card.close();
  });

  it('a card pulled during a burst: every call settles with its result or a typed error, none hangs', async () => {
    const vc = await VirtualMyNumberCard.create();
    const env = { transport: vc, myNumber: vc.holder.myNumber };
    for (const pullAt of [0, 3, 7, 15, 40]) {
      vc.insert();
      const card = await MyNumberCard.connect(vc);
      vc.removeAfterCommands(pullAt);
      const settled = await Promise.allSettled(OPS.map((op) => op.run(card, env)));
      let errors = 0;
      for (const s of settled) {
        if (s.status === 'rejected') {
          expect(s.reason).toBeInstanceOf(MynacardError);
          errors++;
        }
      }
      expect(errors).toBeGreaterThan(0);
      await card.close();
      vc.removeAfterCommands(1e9);
    }
  });

  it('close() during a burst: queued operations reject with session-closed, none hangs', async () => {
    const vc = await VirtualMyNumberCard.create({ quirks: { latencyMs: 1 } });
    const card = await MyNumberCard.connect(vc);
    const pending = OPS.map((op) => op.run(card, { transport: vc, myNumber: vc.holder.myNumber }));
    await card.close();
    const settled = await Promise.allSettled(pending);
    for (const s of settled) if (s.status === 'rejected') expect(s.reason).toBeInstanceOf(MynacardError);
    expect(card.closed).toBe(true);
  });
});
