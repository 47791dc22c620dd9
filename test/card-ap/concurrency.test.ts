/** Card-AP operations share the card with the MyNumberCard session: atomic sequences, FIFO, selection kept true. */
import { describe, expect, it } from 'vitest';
import { ApduChannel } from '../../src/apdu/channel.js';
import { AbortedError } from '../../src/errors.js';
import { JpkiAp } from '../../src/aps/jpki.js';
import { CardSession } from '../../src/aps/session.js';
import { openCardAp, probeCardAps } from '../../src/aps/card-ap/index.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import {
  ISSUER_KEY,
  LIBRARY_CONTENTS,
  MEMBER_PIN,
  exchanges,
  hospital,
  library,
  rig,
  probeHex,
  fciHex,
  selectHex,
  sessions,
  wire,
} from './helpers.js';

const SELECT_JPKI = '00A4040C0AD392F000260100000001';
const SELECT_LIB = selectHex(library.aid);
const SELECT_HOS = selectHex(hospital.aid);
const OTHER = { aid: Uint8Array.of(0xf0, 0x39, 0x20, 0, 0, 0, 0, 3, 0, 1) };

async function sessionRig() {
  const vc = await VirtualMyNumberCard.create();
  vc.installCardAp(library, LIBRARY_CONTENTS, { secrets: { pin: MEMBER_PIN }, issuerKey: ISSUER_KEY });
  vc.installCardAp(hospital, { patientNumber: '00042001' }, { secrets: { password: 'Kenko123' } });
  const session = new CardSession(new ApduChannel(vc), false);
  return { vc, session, jpki: new JpkiAp(session), lib: openCardAp(session, library), hos: openCardAp(session, hospital) };
}

/**
 * Operation shapes on the wire. A card-AP operation makes the session forget the current AP
 * (`forgetSelection`), so the next JPKI operation selects the JPKI AP itself.
 */
const SHAPES: Readonly<Record<string, readonly string[]>> = {
  jpkiTries: ['00200098'],
  jpkiTriesAfterCardAp: [SELECT_JPKI, '00200098'],
  libMember: [SELECT_LIB, '00A4020C020001', '00B000000A'],
  libLoans: [SELECT_LIB, '00200091', '00200091+PIN', '00A4020C020002', '00B0000030', SELECT_LIB],
  libWriteLoans: [
    SELECT_LIB,
    '00200091',
    '00200091+PIN',
    '00A4020C020002',
    '00B0000030',
    '00D6000030*',
    '00B0000030',
    SELECT_LIB,
  ],
  libWriteMember: [
    SELECT_LIB,
    '00A4020C020001',
    '00B000000A',
    '0084000008',
    '0082000010*',
    '00A4020C020001',
    '00D600000A*',
    '00B000000A',
    SELECT_LIB,
  ],
  hosPatient: [SELECT_HOS, '00A4020C020001', '00B0000008'],
  hosTries: [SELECT_HOS, '00A4020C020101', '00200080'],
  probe: [probeHex(OTHER.aid), probeHex(hospital.aid), probeHex(library.aid)],
};

const matches = (pattern: string, command: string | undefined): boolean =>
  command !== undefined && (pattern.endsWith('*') ? command.startsWith(pattern.slice(0, -1)) : command === pattern);

/** Split the log into whole operations; throws at the first command that does not continue one. */
function parse(log: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  let i = 0;
  while (i < log.length) {
    // Longest match: one shape may be a prefix of another (a read is a prefix of a write).
    const hit = Object.entries(SHAPES)
      .filter(([, shape]) => shape.every((p, k) => matches(p, log[i + k])))
      .sort((a, b) => b[1].length - a[1].length)[0];
    if (hit === undefined) throw new Error(`no whole operation at ${i}: ${log.slice(i, i + 5).join(' ')}`);
    counts[hit[0]] = (counts[hit[0]] ?? 0) + 1;
    i += hit[1].length;
  }
  return counts;
}

describe('sharing the card with a MyNumberCard session', () => {
  it('after a card-AP operation the session’s application is selected again, so its next command goes to the right DF', async () => {
    const { vc, jpki, lib } = await sessionRig();
    expect(await jpki.remainingTries('auth')).toMatchObject({ state: 'tries', remaining: 3 });
    expect(await lib.read('memberNumber')).toBe('0012345678');
    expect(await jpki.remainingTries('auth')).toMatchObject({ state: 'tries', remaining: 3 });
    expect(exchanges(vc)).toEqual([
      `${SELECT_JPKI} → 9000`,
      '00200098 → 63C3',
      `${SELECT_LIB} → ${fciHex(library.aid)}`,
      '00A4020C020001 → 9000',
      '00B000000A → 303031323334353637389000',
      `${SELECT_JPKI} → 9000`,
      '00200098 → 63C3',
    ]);
  });

  it('a closed session refuses card-AP operations', async () => {
    const { session, lib } = await sessionRig();
    await session.close();
    await expect(lib.read('memberNumber')).rejects.toMatchObject({ code: 'session-closed' });
  });

  it('56 concurrent mixed operations run whole, one after the other, in call order', async () => {
    const { vc, jpki, lib, hos, session } = await sessionRig();
    await jpki.remainingTries('auth');
    vc.clearLog();
    const ops: Promise<unknown>[] = [];
    const limits: number[] = [];
    for (let round = 0; round < 7; round++) {
      ops.push(jpki.remainingTries('auth'));
      ops.push(lib.read('memberNumber'));
      ops.push(lib.read('loans', { pin: MEMBER_PIN }));
      limits.push(round + 1);
      ops.push(lib.write('loans', { limit: round + 1 }, { pin: MEMBER_PIN }));
      ops.push(lib.write('memberNumber', `00000000${round}${round}`));
      ops.push(hos.read('patientNumber'));
      ops.push(hos.remainingTries('password'));
      ops.push(probeCardAps(session, [OTHER, hospital, library]));
    }
    const results = await Promise.all(ops);
    expect(parse(wire(vc))).toEqual({
      jpkiTries: 1, // the first: the JPKI AP is still current
      jpkiTriesAfterCardAp: 6, // the others follow a probe, so they select the JPKI AP first
      libMember: 7,
      libLoans: 7,
      libWriteLoans: 7,
      libWriteMember: 7,
      hosPatient: 7,
      hosTries: 7,
      probe: 7,
    });
    // FIFO: each read sees the writes queued before it, and the last write wins.
    expect(results[1]).toBe('0012345678');
    expect(results[2]).toEqual({ limit: 5, validUntil: '20300331' });
    expect(results[9]).toBe('0000000000');
    expect(results[10]).toEqual({ limit: 1 });
    expect(await lib.read('loans', { pin: MEMBER_PIN })).toEqual({ limit: limits.at(-1) });
    expect(await lib.read('memberNumber')).toBe('0000000066');
    expect(vc.cardApSecretState(library, 'pin').remaining).toBe(3);
  });
});

describe('on a bare channel', () => {
  it('two card-AP sessions interleave whole operations only', async () => {
    const r = await rig();
    const { lib, hos } = sessions(r);
    const results = await Promise.all([
      lib.read('memberNumber'),
      hos.read('patientNumber'),
      lib.read('memberNumber'),
      hos.read('patientNumber'),
    ]);
    expect(results).toEqual(['0012345678', '00042001', '0012345678', '00042001']);
    const lib3 = [SELECT_LIB, '00A4020C020001', '00B000000A'];
    const hos3 = [SELECT_HOS, '00A4020C020001', '00B0000008'];
    expect(wire(r.vc)).toEqual([...lib3, ...hos3, ...lib3, ...hos3]);
  });

  it('an operation aborted while queued sends nothing', async () => {
    const r = await rig();
    const { lib } = sessions(r);
    let release!: () => void;
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const holder = r.host.channel.exclusive(
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
          started();
        }),
    );
    await running;
    const controller = new AbortController();
    const queued = lib.read('loans', { pin: MEMBER_PIN, signal: controller.signal }).catch((e: unknown) => e);
    controller.abort();
    release();
    await holder;
    expect(await queued).toBeInstanceOf(AbortedError);
    expect(r.vc.log).toHaveLength(0);
  });
});
