/** Moving out (転出): regional card APs disappear, extension ones stay; probing; the not-installed error. */
import { describe, expect, it } from 'vitest';
import { ApduChannel } from '../../src/apdu/channel.js';
import { StatusWordError } from '../../src/apdu/status.js';
import { fromHex } from '../../src/bytes.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { MyNumberCard } from '../../src/aps/card.js';
import {
  CardApNotInstalledError,
  openCardAp,
  probeCardAps,
} from '../../src/aps/card-ap/index.js';
import { MEMBER_PIN, exchanges, hospital, library, rejection, probeHex, rig, selectHex, sessions, wire } from './helpers.js';

const OTHER = { aid: fromHex('F0392000000000030001'), label: 'unknown' };

describe('moving out', () => {
  it('regional card AP: CardApNotInstalledError that explains 転出; the extension card AP still works', async () => {
    const r = await rig();
    const { lib, hos } = sessions(r);
    expect(await lib.read('memberNumber')).toBe('0012345678');
    expect(r.vc.moveOut()).toEqual(['test-library']);
    r.vc.clearLog();
    const error = await rejection(lib.read('loans', { pin: MEMBER_PIN }));
    expect(error).toBeInstanceOf(CardApNotInstalledError);
    expect(error).toMatchObject({
      code: 'card-ap-not-installed',
      cardAp: 'test-library',
      area: 'regional',
      removedOnMoveOut: true,
    });
    expect(error.message).toContain('地域住民向け領域');
    expect(error.message).toContain('removed automatically when the holder moves to another municipality (転出)');
    expect(exchanges(r.vc)).toEqual([`${selectHex(library.aid)} → 6A82`]); // no PIN was sent
    expect(await hos.read('patientNumber')).toBe('00042001');
    expect(await hos.read('note', { pin: 'Kenko123' })).toBe('allergy: none');
  });

  it('a write after moving out fails at the SELECT, before any PIN or data goes out', async () => {
    const r = await rig();
    const { lib } = sessions(r);
    r.vc.moveOut();
    r.vc.clearLog();
    await expect(lib.write('loans', { limit: 1 }, { pin: MEMBER_PIN })).rejects.toBeInstanceOf(CardApNotInstalledError);
    await expect(lib.write('memberNumber', '0000000001')).rejects.toBeInstanceOf(CardApNotInstalledError);
    expect(wire(r.vc)).toEqual([selectHex(library.aid), selectHex(library.aid)]);
  });

  it('an absent extension card AP says it was never installed or removed by its installer', async () => {
    const r = await rig();
    r.vc.uninstallCardAp(hospital);
    const error = await rejection(sessions(r).hos.read('patientNumber'));
    expect(error).toMatchObject({ area: 'extension', removedOnMoveOut: false });
    expect(error.message).toContain('拡張利用領域');
    expect(error.message).toContain('stay when the holder moves');
  });

  it('the new municipality installs its own regional card AP', async () => {
    const r = await rig();
    r.vc.moveOut();
    r.vc.installCardAp(library, { memberNumber: '0077777777' }, { secrets: { pin: '1357' } });
    expect(await sessions(r).lib.read('memberNumber')).toBe('0077777777');
  });

  it('isInstalled follows the card', async () => {
    const r = await rig();
    const { lib, hos } = sessions(r);
    expect(await lib.isInstalled()).toBe(true);
    r.vc.moveOut();
    expect(await lib.isInstalled()).toBe(false);
    expect(await hos.isInstalled()).toBe(true);
  });
});

describe('probeCardAps', () => {
  it('returns the installed candidates in order, one SELECT each, in one sequence', async () => {
    const r = await rig();
    const found = await probeCardAps(r.host, [OTHER, hospital, library]);
    expect(found).toEqual([hospital, library]);
    expect(exchanges(r.vc)).toEqual([
      `${probeHex(OTHER.aid)} → 6A82`,
      `${probeHex(hospital.aid)} → 9000`,
      `${probeHex(library.aid)} → 9000`,
    ]);
    expect(r.host.forgets).toBe(1);
    r.vc.moveOut();
    expect(await probeCardAps(r.host, [library, hospital])).toEqual([hospital]);
  });

  it('works on a bare channel and on a MyNumberCard session', async () => {
    const r = await rig();
    expect(await probeCardAps({ channel: new ApduChannel(r.vc) }, [library])).toEqual([library]);
    const card = await MyNumberCard.connect(r.vc);
    expect(await probeCardAps(card, [{ aid: library.aid }])).toEqual([{ aid: library.aid }]);
    expect(await openCardAp(card, library).read('memberNumber')).toBe('0012345678');
    // The card forgot its selection: its next JPKI operation selects the JPKI AP again.
    r.vc.clearLog();
    await card.jpki.remainingTries('auth');
    expect(wire(r.vc)[0]).toBe('00A4040C0AD392F000260100000001');
  });

  it('checks the candidates before sending anything', async () => {
    const r = await rig();
    await expect(probeCardAps(r.host, [{ aid: fromHex('F000') }])).rejects.toThrow('5–16 bytes');
    await expect(probeCardAps(r.host, [{ aid: fromHex('D392F000260100000001') }])).rejects.toThrow(InvalidArgumentError);
    await expect(probeCardAps(r.host, [{ aid: 'F000000001' as never }])).rejects.toThrow('must be a Uint8Array');
    await expect(probeCardAps(r.host, 'x' as never)).rejects.toThrow(InvalidArgumentError);
    await expect(probeCardAps({} as never, [])).rejects.toThrow('Expected a MyNumberCard');
    expect(r.vc.log).toHaveLength(0);
  });

  it('an answer other than 9000 / 6A82 is an error, not "absent"', async () => {
    const r = await rig({
      transport: (vc) => ({
        transmit: (c: Uint8Array) => (c[4] === 0x0a && c[5] === 0xf0 && c[12] === 0x03 ? Promise.resolve(Uint8Array.of(0x6a, 0x81)) : vc.transmit(c)),
      }),
    });
    const error = await rejection(probeCardAps(r.host, [library, OTHER]));
    expect(error).toBeInstanceOf(StatusWordError);
    expect((error as StatusWordError).sw).toBe(0x6a81);
  });
});
