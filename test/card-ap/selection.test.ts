/**
 * Issue 13 §4: free-area AIDs must never reach the JPKI, text, face or common APs. A card-AP
 * AID overlapping a reserved DF name is refused; card APs are selected with the FCI requested
 * and the DF name checked before any VERIFY, UPDATE or issuer authentication.
 */
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../src/bytes.js';
import { PinIncorrectError } from '../../src/apdu/status.js';
import {
  CardApReservedAidError,
  CardApSelectionError,
  defineCardAp,
  digitsCodec,
  openCardAp,
} from '../../src/aps/card-ap/index.js';
import { MyNumberCard } from '../../src/aps/card.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import type { Transport } from '../../src/transport/transport.js';
import {
  LIBRARY_CONTENTS,
  MEMBER_PIN,
  exchanges,
  fciHex,
  issuerAuth,
  library,
  rejection,
  rig,
  selectHex,
  wire,
} from './helpers.js';


/** A card AP whose one secret is verified by SFI 18, the JPKI auth PIN's reference (`00 20 00 98`). */
function sfi18CardAp(aid: string) {
  return defineCardAp({
    name: 'sfi-18',
    area: 'extension',
    aid,
    secrets: { pin: { fid: 0x0018, maxTries: 3 } },
    files: { number: { fid: 0x0001, size: 4, read: { secret: 'pin' }, write: 'never', codec: digitsCodec(4) } },
  });
}

describe('card-AP AIDs overlapping reserved DF names', () => {
  it('a prefix of the JPKI AID is refused at defineCardAp, before any card exists', () => {
    expect(() => sfi18CardAp('D392F00026')).toThrow(CardApReservedAidError);
  });

  it('a descriptor whose AID bytes were changed after defineCardAp never reaches the JPKI AP (tries stay 3)', async () => {
    const vc = await VirtualMyNumberCard.create({ quirks: { partialDfNameSelect: true } });
    const card = await MyNumberCard.connect(vc);
    const crafted = sfi18CardAp('F000000001');
    crafted.aid.set(fromHex('D392F00026')); // the frozen descriptor's bytes are still writable
    vc.clearLog();
    const e = await rejection(openCardAp(card, crafted).verify('pin', { pin: '1234' }));
    expect(e).toBeInstanceOf(CardApReservedAidError);
    expect(vc.log).toHaveLength(0); // not even the SELECT
    expect(vc.pinState('auth').remaining).toBe(3);
    // The JPKI AP still works with its own PIN.
    await expect(card.jpki.remainingTries('auth')).resolves.toMatchObject({ state: 'tries', remaining: 3 });
  });
});

describe('SELECT with FCI and the DF-name check', () => {
  it('partial DF-name selection of another card AP: a typed error, no VERIFY sent, no try spent', async () => {
    const r = await rig({ card: { quirks: { partialDfNameSelect: true } } });
    // 'F039200000' is a prefix of the installed library's AID; the card selects the library.
    const prefix = defineCardAp({ ...library, name: 'prefix', aid: 'F039200000', auth: undefined });
    const e = await rejection(openCardAp(r.host, prefix).read('loans', { pin: MEMBER_PIN }));
    expect(e).toBeInstanceOf(CardApSelectionError);
    expect(e).toMatchObject({
      code: 'card-ap-selection',
      reason: 'df-name-mismatch',
      expectedAid: 'F039200000',
      dfName: 'F0392000000000010001',
    });
    expect(exchanges(r.vc)).toEqual([`${selectHex(prefix.aid)} → ${fciHex(library.aid)}`]);
    expect(r.vc.cardApSecretState(library, 'pin').remaining).toBe(3);
    // A free read is refused too: the card is not where the descriptor says.
    await expect(openCardAp(r.host, prefix).read('memberNumber')).rejects.toBeInstanceOf(CardApSelectionError);
  });

  it('the real AID is confirmed by the DF name and works as before', async () => {
    const r = await rig({ card: { quirks: { partialDfNameSelect: true } } });
    const loans = await openCardAp(r.host, library).read('loans', { pin: MEMBER_PIN });
    expect(loans).toEqual(LIBRARY_CONTENTS.loans);
    expect(wire(r.vc)[0]).toBe(selectHex(library.aid));
  });

  for (const selectFci of ['none', 'fcp-without-df-name'] as const) {
    it(`no DF name (${selectFci}): free reads proceed; VERIFY, writes and issuer auth are refused before anything secret`, async () => {
      const r = await rig({ card: { quirks: { selectFci } } });
      const lib = openCardAp(r.host, library);
      expect(await lib.read('memberNumber')).toBe(LIBRARY_CONTENTS.memberNumber);
      expect(await lib.remainingTries('pin')).toMatchObject({ state: 'tries', remaining: 3 }); // an empty VERIFY carries no secret
      r.vc.clearLog();
      for (const op of [
        lib.read('loans', { pin: MEMBER_PIN }),
        lib.verify('pin', { pin: MEMBER_PIN }),
        lib.write('memberNumber', '0099999999', { auth: issuerAuth() }),
      ]) {
        const e = await rejection(op);
        expect(e).toBeInstanceOf(CardApSelectionError);
        expect(e).toMatchObject({ reason: 'df-name-missing', dfName: undefined });
      }
      // Only the three SELECTs went out.
      expect(wire(r.vc)).toEqual([selectHex(library.aid), selectHex(library.aid), selectHex(library.aid)]);
      expect(r.vc.cardApSecretState(library, 'pin').remaining).toBe(3);
    });
  }

  it('allowUnverifiedSelect opts a descriptor into secrets without a DF name', async () => {
    const r = await rig({ card: { quirks: { selectFci: 'none' } } });
    const trusting = defineCardAp({ ...library, allowUnverifiedSelect: true });
    expect(trusting.allowUnverifiedSelect).toBe(true);
    const lib = openCardAp(r.host, trusting);
    expect(await lib.read('loans', { pin: MEMBER_PIN })).toEqual(LIBRARY_CONTENTS.loans);
    const e = await rejection(lib.verify('pin', { pin: '1111' }));
    expect(e).toBeInstanceOf(PinIncorrectError);
    expect(library.allowUnverifiedSelect).toBe(false);
  });

  it('a SELECT answer that is not an FCI/FCP template is refused (malformed-fci)', async () => {
    const vc = await VirtualMyNumberCard.create();
    vc.installCardAp(library, LIBRARY_CONTENTS, { secrets: { pin: MEMBER_PIN } });
    const garbling: Transport = {
      async transmit(command) {
        const response = await vc.transmit(command);
        // SELECT by DF name with FCI: replace the FCI by bytes that are no template.
        if (command[1] === 0xa4 && command[2] === 0x04 && command[3] === 0x00) return Uint8Array.of(0x01, 0x02, 0x90, 0x00);
        return response;
      },
    };
    const card = await MyNumberCard.connect(garbling);
    vc.clearLog();
    const e = await rejection(openCardAp(card, library).read('loans', { pin: MEMBER_PIN }));
    expect(e).toMatchObject({ code: 'card-ap-selection', reason: 'malformed-fci' });
    expect(wire(vc)).toEqual([selectHex(library.aid)]);
  });

  it('checks the JSON round trip of allowUnverifiedSelect', async () => {
    const { cardApDescriptorFromJson, cardApDescriptorToJson } = await import('../../src/aps/card-ap/index.js');
    const json = cardApDescriptorToJson(defineCardAp({ ...library, allowUnverifiedSelect: true }));
    expect(json.allowUnverifiedSelect).toBe(true);
    expect(cardApDescriptorFromJson(json).allowUnverifiedSelect).toBe(true);
    expect(cardApDescriptorToJson(library).allowUnverifiedSelect).toBeUndefined();
  });
});

