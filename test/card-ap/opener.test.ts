/**
 * `card.cardAp()` reaches the card-AP code through the registration `defineCardAp` makes, so a
 * core bundle without free areas does not carry it. This file imports no descriptor module at
 * load time, so the registration state starts empty.
 */
import { describe, expect, it } from 'vitest';
import { MyNumberCard } from '../../src/aps/card.js';
import { digitsCodec } from '../../src/aps/card-ap/codecs.js';
import { fromHex } from '../../src/bytes.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';

const handMade = {
  name: 'hand-made',
  area: 'extension' as const,
  aid: fromHex('F0392000000000019999'),
  files: { id: { fid: 0x0001, size: 4, read: 'free' as const, write: 'never' as const, codec: digitsCodec(4) } },
  secrets: {},
  auth: undefined,
};

describe('card.cardAp() and the card-AP registration', () => {
  it('refuses with a clear error before any descriptor was made with defineCardAp, then works after', async () => {
    const card = await MyNumberCard.connect(await VirtualMyNumberCard.create());
    expect(() => card.cardAp(handMade)).toThrow(InvalidArgumentError);
    expect(() => card.cardAp(handMade)).toThrow(/defineCardAp/);
    const { defineCardAp } = await import('../../src/aps/card-ap/descriptor.js');
    const made = defineCardAp({ name: 'made', area: 'extension', aid: 'F0392000000000019998', files: handMade.files });
    expect(typeof card.cardAp(made).read).toBe('function');
    expect(typeof card.cardAp(handMade).read).toBe('function'); // checked by openCardAp, now reachable
    await card.close();
  });
});
