/**
 * T=1 (ISO/IEC 7816-3 §11): block bytes and scripted exchanges from test/vectors/ccid/t1.json,
 * and property tests of the interface-device state machine against the independent card side
 * (test/webusb/t1-card.ts) with random payload sizes, IFSC/IFSD, WTX and line errors.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
import {
  CcidError,
  T1Protocol,
  decodeBlock,
  encodeBlock,
  iBlock,
  lrc,
  rBlock,
  sBlock,
  type T1Step,
} from '../../src/webusb/index.js';
import { T1Card } from './t1-card.js';
import { ccidVectors, type T1Exchange, type T1Vectors } from './vectors.js';

const vectors = ccidVectors<T1Vectors>('t1');

describe('T=1 blocks (vectors)', () => {
  for (const v of vectors.blocks) {
    it(v.name, () => {
      const inf = fromHex(v.inf ?? '');
      const built =
        v.kind === 'I' ? iBlock(v.ns!, v.more!, inf) : v.kind === 'R' ? rBlock(v.nr!, v.error!) : sBlock(v.fn!, v.response!, inf);
      expect(toHex(built)).toBe(v.hex);
      const decoded = decodeBlock(fromHex(v.hex));
      const expected =
        v.kind === 'I'
          ? { kind: 'I', nad: 0, ns: v.ns, more: v.more, inf }
          : v.kind === 'R'
            ? { kind: 'R', nad: 0, nr: v.nr, error: v.error }
            : { kind: 'S', nad: 0, response: v.response, fn: v.fn, inf };
      expect(decoded).toEqual(expected);
    });
  }

  for (const v of vectors.invalid) {
    it(`rejects: ${v.name}`, () => {
      expect(decodeBlock(fromHex(v.hex))).toEqual({ kind: 'invalid', error: v.error });
    });
  }

  it('LRC is the XOR of every byte; NAD is carried', () => {
    expect(lrc(fromHex('00c101fe'))).toBe(0x3e);
    expect(toHex(encodeBlock(0x21, 0x00, fromHex('01')))).toBe('2100010121');
    expect(() => encodeBlock(0, 0, new Uint8Array(255))).toThrow(CcidError);
  });
});

/** Drive `t1` through a scripted exchange, checking every block it sends. */
function play(t1: T1Protocol, first: T1Step, steps: T1Exchange['steps']): Uint8Array {
  let step = first;
  for (const s of steps) {
    expect(step.type).toBe('send');
    if (step.type !== 'send') break;
    expect(toHex(step.block)).toBe(s.send);
    expect(step.bwi).toBe(s.bwi ?? 0);
    step = s.receiveError !== undefined ? t1.receiveError(s.receiveError) : t1.receive(fromHex(s.receive!));
  }
  expect(step.type).toBe('done');
  return step.type === 'done' ? step.response : new Uint8Array(0);
}

describe('T=1 exchanges (vectors)', () => {
  for (const v of vectors.exchanges) {
    it(v.name, () => {
      const t1 = new T1Protocol({ ifsc: v.options.ifsc, ifsd: v.options.ifsd });
      for (const b of v.before ?? []) {
        expect(toHex(play(t1, t1.transmit(fromHex(b.command)), b.steps))).toBe(b.response);
      }
      const first =
        v.start === 'transmit' ? t1.transmit(fromHex(v.command!)) : v.start === 'negotiateIfsd' ? t1.negotiateIfsd() : t1.resynch();
      expect(toHex(play(t1, first, v.steps))).toBe(v.response);
      expect(t1.busy).toBe(false);
      if (v.after !== undefined) expect({ ifsc: t1.ifsc, ifsd: t1.ifsd }).toEqual(v.after);
    });
  }
});

/** What the test card answers: the command reversed, `length` bytes long, then 90 00. */
function answerFor(apdu: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length + 2);
  for (let i = 0; i < length; i++) out[i] = apdu[(apdu.length - 1 - (i % apdu.length)) % apdu.length]! ^ (i >> 8);
  out[length] = 0x90;
  return out;
}

interface Line {
  /** Corrupt the n-th block host → card / card → host (0-based). */
  readonly corruptToCard: ReadonlySet<number>;
  readonly corruptToHost: ReadonlySet<number>;
  readonly lostAnswers: ReadonlySet<number>;
}

/** Run one exchange between the state machine and the card over a line that may corrupt blocks. */
async function exchange(t1: T1Protocol, card: T1Card, first: T1Step, line: Line, counters: { up: number; down: number }) {
  let step = first;
  let guard = 0;
  while (step.type === 'send') {
    if (++guard > 10_000) throw new Error('no progress');
    const up = counters.up++;
    const toCard = Uint8Array.from(step.block);
    if (line.corruptToCard.has(up)) toCard[toCard.length - 1]! ^= 0x01;
    const answer = Uint8Array.from(await card.handle(toCard));
    if (line.lostAnswers.has(up)) {
      step = t1.receiveError('other');
      continue;
    }
    const down = counters.down++;
    if (line.corruptToHost.has(down)) answer[answer.length - 1]! ^= 0x80;
    step = t1.receive(answer);
  }
  return step.response;
}

describe('T=1 state machine against the card side (properties)', () => {
  it('chaining both ways round-trips any payload for any IFSC/IFSD (clean line)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 4, maxLength: 1200 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 1, max: 254 }),
        fc.integer({ min: 1, max: 254 }),
        fc.integer({ min: 0, max: 3 }),
        async (command, responseLength, ifsc, ifsd, wtx) => {
          const card = new T1Card({ ifsc, wtxRequests: wtx, process: async (apdu) => answerFor(apdu, responseLength) });
          const t1 = new T1Protocol({ ifsc, ifsd });
          const counters = { up: 0, down: 0 };
          const none: Line = { corruptToCard: new Set(), corruptToHost: new Set(), lostAnswers: new Set() };
          await exchange(t1, card, t1.negotiateIfsd(), none, counters);
          expect(card.ifsd).toBe(ifsd);
          const response = await exchange(t1, card, t1.transmit(command), none, counters);
          expect(toHex(response)).toBe(toHex(answerFor(command, responseLength)));
          // Block count: ceil(command/ifsc) + ceil(response/ifsd) − 1 + WTX, plus the IFS pair.
          const expectedUp = 1 + Math.ceil(command.length / ifsc) + Math.ceil((responseLength + 2) / ifsd) - 1 + Math.min(wtx, 1);
          expect(counters.up).toBe(expectedUp);
          // The same session carries a second command (sequence numbers stayed in step).
          const again = await exchange(t1, card, t1.transmit(command.subarray(0, 4)), none, counters);
          expect(toHex(again)).toBe(toHex(answerFor(command.subarray(0, 4), responseLength)));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('isolated line errors in either direction and lost answers are recovered, exactly once per command', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 4, maxLength: 700 }),
        fc.integer({ min: 0, max: 1500 }),
        fc.integer({ min: 8, max: 254 }),
        fc.integer({ min: 8, max: 254 }),
        fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 30 }), { maxLength: 2 }),
        async (command, responseLength, ifsc, ifsd, toCard, toHost, lost) => {
          // Errors are isolated (never two in a row on the same block): keep indexes ≥ 3 apart.
          const spread = (xs: number[]) => new Set(xs.map((x) => x * 3));
          let processed = 0;
          const card = new T1Card({
            ifsc,
            wtxRequests: 1,
            process: async (apdu) => {
              processed++;
              return answerFor(apdu, responseLength);
            },
          });
          const t1 = new T1Protocol({ ifsc, ifsd, maxRetries: 3 });
          const line: Line = { corruptToCard: spread(toCard), corruptToHost: spread(toHost), lostAnswers: spread(lost) };
          const counters = { up: 0, down: 0 };
          await exchange(t1, card, t1.negotiateIfsd(), line, counters);
          const response = await exchange(t1, card, t1.transmit(command), line, counters);
          expect(toHex(response)).toBe(toHex(answerFor(command, responseLength)));
          expect(processed).toBe(1); // the command reached the card exactly once
          const second = await exchange(t1, card, t1.transmit(command), line, counters);
          expect(toHex(second)).toBe(toHex(answerFor(command, responseLength)));
          expect(processed).toBe(2);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('T=1 failure handling', () => {
  it('gives up after maxRetries bad blocks, then a RESYNCH puts both sides back at N(S) = 0', async () => {
    const t1 = new T1Protocol({ ifsc: 254, maxRetries: 2 });
    let step = t1.transmit(fromHex('00a4040c'));
    expect(toHex((step as { block: Uint8Array }).block)).toBe('000004 00a4040c a8'.replace(/ /g, ''));
    step = t1.receive(fromHex('00000290 0093'.replace(/ /g, ''))); // bad LRC
    expect(toHex((step as { block: Uint8Array }).block)).toBe('00810081');
    step = t1.receive(fromHex('0000029000 93'.replace(/ /g, '')));
    expect(toHex((step as { block: Uint8Array }).block)).toBe('00810081');
    let error: unknown;
    try {
      t1.receive(fromHex('000002900093'));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CcidError);
    expect((error as CcidError).code).toBe('t1-protocol');
    expect(t1.busy).toBe(false);
    expect(t1.needsResynch).toBe(true);
    step = t1.resynch();
    expect(toHex((step as { block: Uint8Array }).block)).toBe('00c000c0');
    step = t1.receive(fromHex('00e000e0'));
    expect(step).toEqual({ type: 'done', response: new Uint8Array(0) });
    expect(t1.needsResynch).toBe(false);
    expect([t1.sendSequence, t1.receiveSequence, t1.ifsd]).toEqual([0, 0, 32]);
  });

  it('S(ABORT request) from the card ends the exchange with t1-protocol', () => {
    const t1 = new T1Protocol();
    t1.transmit(fromHex('00b0860020'));
    expect(() => t1.receive(sBlock(2, false))).toThrow(/S\(ABORT request\)/);
    expect(t1.needsResynch).toBe(true);
  });

  it('a repeated card I-block (our acknowledgement was lost) is acknowledged again', () => {
    const t1 = new T1Protocol();
    t1.transmit(fromHex('00b0860020'));
    let step = t1.receive(iBlock(0, true, fromHex('0102')));
    expect(toHex((step as { block: Uint8Array }).block)).toBe('00900090');
    step = t1.receive(iBlock(0, true, fromHex('0102'))); // the same block again
    expect(toHex((step as { block: Uint8Array }).block)).toBe('00900090');
    step = t1.receive(iBlock(1, false, fromHex('9000')));
    expect(step).toEqual({ type: 'done', response: fromHex('01029000') });
  });

  it('an I-block while our chain is still unacknowledged is invalid', () => {
    const t1 = new T1Protocol({ ifsc: 2 });
    t1.transmit(fromHex('00a4040c'));
    const step = t1.receive(iBlock(0, false, fromHex('9000')));
    expect(toHex((step as { block: Uint8Array }).block)).toBe('00820082');
  });

  it('misuse: no exchange in progress, two at once, bad sizes', () => {
    const t1 = new T1Protocol();
    expect(() => t1.receive(rBlock(0))).toThrow(CcidError);
    expect(() => t1.receiveError('edc')).toThrow(CcidError);
    t1.transmit(fromHex('00a4040c'));
    expect(() => t1.transmit(fromHex('00a4040c'))).toThrow(/already in progress/);
    expect(() => new T1Protocol({ ifsc: 0 })).toThrow(CcidError);
    expect(() => new T1Protocol({ ifsd: 255 })).toThrow(CcidError);
    expect(() => new T1Protocol({ maxRetries: -1 })).toThrow(CcidError);
    t1.abandon();
    expect(t1.busy).toBe(false);
    expect(t1.needsResynch).toBe(true);
    t1.reset(0x80);
    expect([t1.ifsc, t1.needsResynch]).toEqual([0x80, false]);
  });

  it('S(WTX request) without a multiplier is an invalid block', () => {
    const t1 = new T1Protocol();
    t1.transmit(fromHex('00a4040c'));
    const step = t1.receive(sBlock(3, false));
    expect(toHex((step as { block: Uint8Array }).block)).toBe('00820082');
  });

  it('S(WTX requests) are capped per exchange (maxWtx); the count starts again with each exchange', () => {
    const t1 = new T1Protocol({ maxWtx: 2 });
    t1.transmit(fromHex('00a4040c'));
    for (let i = 0; i < 2; i++) {
      const step = t1.receive(sBlock(3, false, fromHex('05')));
      expect(step).toEqual({ type: 'send', block: fromHex('00e30105e7'), bwi: 5 }); // S(WTX response) 05
    }
    expect(() => t1.receive(sBlock(3, false, fromHex('05')))).toThrow(/more than 2 S\(WTX\) requests in one exchange/);
    expect(t1.needsResynch).toBe(true);
    t1.reset();
    t1.transmit(fromHex('00a4040c'));
    t1.receive(sBlock(3, false, fromHex('01')));
    t1.receive(sBlock(3, false, fromHex('01')));
    expect(t1.receive(iBlock(0, false, fromHex('9000')))).toEqual({ type: 'done', response: fromHex('9000') });
    expect(() => new T1Protocol({ maxWtx: -1 })).toThrow(CcidError);
  });

  it('an empty chained I-block (M=1, LEN=0) is refused, also after data', () => {
    const t1 = new T1Protocol();
    t1.transmit(fromHex('00b0860020'));
    expect(() => t1.receive(fromHex('00200020'))).toThrow(/empty chained I-block/);
    expect(t1.needsResynch).toBe(true);
    const t2 = new T1Protocol();
    t2.transmit(fromHex('00b0860020'));
    expect(toHex((t2.receive(iBlock(0, true, fromHex('01'))) as { block: Uint8Array }).block)).toBe('00900090');
    expect(() => t2.receive(iBlock(1, true, new Uint8Array(0)))).toThrow(CcidError);
    // An empty last block (M=0) is fine: it only ends the chain.
    const t3 = new T1Protocol();
    t3.transmit(fromHex('00b0860020'));
    t3.receive(iBlock(0, true, fromHex('9000')));
    expect(t3.receive(iBlock(1, false, new Uint8Array(0)))).toEqual({ type: 'done', response: fromHex('9000') });
  });

  it('transmit(apdu, maxResponse) bounds the chained answer', () => {
    const t1 = new T1Protocol();
    t1.transmit(fromHex('00b0860004'), 6);
    t1.receive(iBlock(0, true, fromHex('01020304')));
    expect(() => t1.receive(iBlock(1, false, fromHex('059000')))).toThrow(/response longer than 6 bytes/);
  });
});
