/** The examples: the library card story runs end to end; the hospital descriptor's two forms agree. */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { ApduChannel } from '../../src/apdu/channel.js';
import { PinIncorrectError } from '../../src/apdu/status.js';
import { cardApDescriptorFromJson, cardApDescriptorToJson, openCardAp } from '../../src/aps/card-ap/index.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import { hospitalCardAp } from '../../examples/hospital-card/descriptor.js';
import { libraryCardAp } from '../../examples/library-card/descriptor.js';
import { checkOut, main, openLibrary, register } from '../../examples/library-card/index.js';
import { issuerAuth, testIssuerServer } from '../../examples/library-card/issuer.js';

const KEY = Uint8Array.from({ length: 16 }, (_, i) => 0x10 + i);

describe('examples/library-card', () => {
  it('prints the register / check-out / moved-out story', async () => {
    const lines: string[] = [];
    await main((line) => lines.push(line));
    expect(lines).toEqual([
      'registered member 2025000123 (limit 10, valid until 2030-03-31)',
      'check-out: member 2025000123, up to 10 books',
      'この図書館カードは転出により失効しました。転入先の図書館で登録してください。 (The library card AP was removed when you moved out; please register at the library of your new city.)',
    ]);
  });

  it('registers with issuer authentication and reads back; a wrong PIN at the kiosk is an error, not a moved-out card', async () => {
    const card = await VirtualMyNumberCard.create();
    card.installCardAp(libraryCardAp(), {}, { secrets: { memberPin: '4321' }, issuerKey: KEY });
    const library = openLibrary({ channel: new ApduChannel(card) }, testIssuerServer(KEY));
    await register(library, { memberNumber: '0000000007', limit: 3, validUntil: undefined });
    expect(await checkOut(library)).toEqual({
      status: 'ok',
      member: { memberNumber: '0000000007', limit: 3, validUntil: undefined },
      pinChecked: false,
    });
    await expect(checkOut(library, '0000')).rejects.toBeInstanceOf(PinIncorrectError);
    const wrongServer = openLibrary({ channel: new ApduChannel(card) }, testIssuerServer(new Uint8Array(16)));
    await expect(register(wrongServer, { memberNumber: '0000000008', limit: 1, validUntil: undefined })).rejects.toMatchObject({
      code: 'card-ap-auth-failed',
    });
    expect((await checkOut(library)).status).toBe('ok');
  });
});

describe('examples/hospital-card', () => {
  it('descriptor.json is the JSON form of descriptor.ts', async () => {
    const json: unknown = JSON.parse(await readFile(new URL('../../examples/hospital-card/descriptor.json', import.meta.url), 'utf8'));
    expect(json).toEqual(cardApDescriptorToJson(hospitalCardAp()));
    expect(cardApDescriptorToJson(cardApDescriptorFromJson(json))).toEqual(json);
  });

  it('lives in the extension area: kept when the holder moves out', async () => {
    const card = await VirtualMyNumberCard.create();
    const descriptor = hospitalCardAp(issuerAuth(testIssuerServer(KEY)));
    card.installCardAp(descriptor, { patientId: '0000012345' }, { secrets: { patientPin: '8642' }, issuerKey: KEY });
    const hospital = openCardAp({ channel: new ApduChannel(card) }, descriptor);
    // The write reads the file before and after, so it needs the read secret too.
    await hospital.write('profile', { name: '山田 花子', bloodType: 'A+', registeredOn: '20250401' }, { pin: '8642' });
    card.moveOut();
    expect(await hospital.read('patientId')).toBe('0000012345');
    expect(await hospital.read('profile', { pin: '8642' })).toEqual({ name: '山田 花子', bloodType: 'A+', registeredOn: '20250401' });
  });
});
