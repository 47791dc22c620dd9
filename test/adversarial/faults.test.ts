/**
 * Fault injection with the virtual card: for every public operation, at every APDU index, the
 * card is pulled out, the transport throws (before the card saw the command, or after it
 * answered), the response is truncated, or an unexpected status word comes back. Expected: a
 * typed `MynacardError` or the exact fault-free result (never a partial result reported as
 * success), at most the VERIFYs the caller asked for, and a session that works after reconnect.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { MyNumberCard } from '../../src/aps/card.js';
import { MynacardError } from '../../src/errors.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import { CORE_FAULTS, FAULTS, FaultyTransport, faultName, type Fault } from './fault-transport.js';
import { OPERATIONS, type Operation } from './operations.js';
import { LONG, TEST_TIMEOUT } from './support.js';

const verifiesSince = (vc: VirtualMyNumberCard, from: number): number =>
  vc.log.slice(from).filter((e) => e.verifyWithData === true).length;

/** Totals for RELIABILITY.md (printed at the end). */
const totals = { faults: 0, typedErrors: 0, successes: 0, reconnects: 0, reruns: 0, operations: 0 };

afterAll(() => {
  console.log(
    `[adversarial faults] operations=${totals.operations} faults injected=${totals.faults} typed errors=${totals.typedErrors} ` +
      `exact successes=${totals.successes} reconnect checks=${totals.reconnects} of which re-ran the operation=${totals.reruns}`,
  );
});

/** A forged answer the SDK is right to believe (see `Operation.faultyAnswer`). */
function legitimate(op: Operation, fault: Fault, outcome: unknown): boolean {
  if (op.faultyAnswer === 'tries') {
    // A forged status word is a state the card could report: any tries state is believable.
    const state = (outcome as { state?: unknown } | undefined)?.state;
    return fault.kind === 'status' && ['tries', 'verified', 'blocked', 'unlimited'].includes(state as string);
  }
  if (op.faultyAnswer === 'profile') return outcome === 'unknown';
  return false;
}

async function campaign(op: Operation): Promise<void> {
  const vc = await VirtualMyNumberCard.create();
  const ft = new FaultyTransport(vc);
  const env = { transport: ft, myNumber: vc.holder.myNumber };
  // Fault-free baseline on a fresh session: the result and the number of APDUs (connect excluded).
  const first = await MyNumberCard.connect(ft);
  ft.count = 0;
  const baseline = await op.run(first, env);
  const apdus = ft.count;
  await first.close();
  // jpki.tokenInfo is served from what connect read: 0 APDUs, so only the "past the end" case.
  if (op.name !== 'jpki.tokenInfo') expect(apdus).toBeGreaterThan(0);
  totals.operations++;
  for (const fault of op.heavy === true && !LONG ? CORE_FAULTS : FAULTS) {
    // Index `apdus` too: a fault armed past the end must not fire or change the result.
    for (let index = 0; index <= apdus; index++) {
      const label = `${op.name} / ${faultName(fault)} @${index}`;
      // A fresh session every time, so that no cache (certificates, common AP) hides the APDUs.
      const card = await MyNumberCard.connect(ft);
      const logStart = vc.log.length;
      ft.arm(index, fault);
      let outcome: unknown;
      try {
        outcome = await op.run(card, env);
      } catch (error) {
        outcome = error;
      }
      totals.faults++;
      if (outcome instanceof MynacardError) {
        totals.typedErrors++;
        expect(index, `${label}: error without a fault`).toBeLessThan(apdus);
      } else if (outcome instanceof Error) {
        throw new Error(`${label}: untyped ${outcome.name}: ${outcome.message}`, { cause: outcome });
      } else {
        totals.successes++;
        if (!legitimate(op, fault, outcome)) {
          expect(outcome, `${label}: a success must be the fault-free result`).toEqual(baseline);
        }
      }
      expect(verifiesSince(vc, logStart), `${label}: VERIFY count`).toBeLessThanOrEqual(op.verifies);
      ft.disarm();
      await card.close().catch(() => undefined);
      // Reconnect: the new session works (the operation again, or in npm test a cheap one).
      const again = await MyNumberCard.connect(ft);
      if (LONG || fault.kind === 'remove' || fault.kind.startsWith('throw') || index === apdus - 1) {
        expect(await op.run(again, env), `${label}: after reconnect`).toEqual(baseline);
        totals.reruns++;
      } else {
        expect(await again.jpki.remainingTries('auth'), `${label}: after reconnect`).toMatchObject({ state: 'tries', remaining: 3 });
      }
      await again.close();
      totals.reconnects++;
    }
  }
  // No secret counter moved: every VERIFY carried the right value.
  expect(vc.pinState('auth').remaining).toBe(3);
  expect(vc.pinState('sign').remaining).toBe(5);
  expect(vc.pinState('text').remaining).toBe(3);
}

describe('fault injection at every APDU index', () => {
  for (const op of OPERATIONS) {
    it(op.name, () => campaign(op), LONG ? TEST_TIMEOUT : 60_000);
  }
});

describe('regressions found by the fault campaign', () => {
  it('F1: a 9000 without signature bytes is a CardDataError, not an empty signature', async () => {
    const vc = await VirtualMyNumberCard.create();
    const ft = new FaultyTransport(vc);
    const card = await MyNumberCard.connect(ft);
    for (const [kind, pin] of [['auth', '1234'], ['sign', 'ABC123']] as const) {
      // SELECT JPKI is current: tries query, VERIFY, SELECT key EF, then the signature at index 3.
      ft.arm(3, { kind: 'status', sw: 0x9000, keepData: false });
      const logStart = vc.log.length;
      const error = await card.jpki.sign(kind, new Uint8Array(8), { pin }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MynacardError);
      expect((error as MynacardError).code).toBe('card-data');
      expect((error as Error).message).toBe(
        `COMPUTE DIGITAL SIGNATURE with the ${kind === 'auth' ? '利用者証明用 private key (EF 0017)' : '署名用 private key (EF 001A)'}: 0 bytes returned, expected at least 256`,
      );
      expect(verifiesSince(vc, logStart)).toBe(1);
      // The security status was dropped after the failure: the last command re-selects the JPKI AP.
      expect(Array.from(vc.log.at(-1)!.command.subarray(0, 4))).toEqual([0x00, 0xa4, 0x04, 0x0c]);
      ft.disarm();
    }
    // A cut signature (data kept, bytes lost) is refused the same way.
    ft.arm(3, { kind: 'truncate', keep: 'half' });
    const cut = await card.jpki.sign('auth', new Uint8Array(8), { pin: '1234' }).catch((e: unknown) => e);
    expect(cut).toBeInstanceOf(MynacardError);
    ft.disarm();
    await card.close();
  });
});
