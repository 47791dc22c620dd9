/** The virtual card's free areas at the APDU level: install, UPDATE BINARY, GET CHALLENGE, EXTERNAL AUTHENTICATE, capacity. */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../src/bytes.js';
import { InvalidArgumentError } from '../../src/errors.js';
import {
  CardApCapacityError,
  CardApValueTooLargeError,
  bytesCodec,
  defineCardAp,
} from '../../src/aps/card-ap/index.js';
import { DEFAULT_CARD_AP_CAPACITY, testCardApCryptogram, VirtualMyNumberCard } from '../../src/testing/index.js';
import { ISSUER_KEY, LIBRARY_CONTENTS, MEMBER_PIN, ascii, fciHex, hex, hospital, library, selectHex } from './helpers.js';

async function send(card: VirtualMyNumberCard, command: string): Promise<string> {
  return hex(await card.transmit(fromHex(command)));
}

async function libraryCard(): Promise<VirtualMyNumberCard> {
  const card = await VirtualMyNumberCard.create();
  card.installCardAp(library, LIBRARY_CONTENTS, { secrets: { pin: MEMBER_PIN }, issuerKey: ISSUER_KEY });
  return card;
}

/** GET CHALLENGE then the right cryptogram: the issuer is authenticated in the current card AP. */
async function authenticate(card: VirtualMyNumberCard): Promise<void> {
  const challenge = fromHex((await send(card, '0084000008')).slice(0, 16));
  expect(await send(card, `0082000010${hex(testCardApCryptogram(ISSUER_KEY, challenge, library.aid))}`)).toBe('9000');
}

function blocks(size: number): ReturnType<typeof defineCardAp> {
  return defineCardAp({
    name: `blob-${size}`,
    area: 'regional',
    aid: `F0FF${size.toString(16).padStart(6, '0')}`,
    files: { blob: { fid: 0x0001, size, read: 'free', write: 'never', codec: bytesCodec(1) } },
  });
}

describe('installCardAp', () => {
  it('puts the files, secrets and key into the area and lists the card AP', async () => {
    const card = await libraryCard();
    expect(card.installedCardAps).toEqual([{ name: 'test-library', area: 'regional', aid: library.aid, size: 66 }]);
    expect(card.cardApUsage('regional')).toEqual({ capacity: DEFAULT_CARD_AP_CAPACITY.regional, used: 66 });
    expect(card.cardApUsage('extension')).toEqual({ capacity: 8192, used: 0 });
    expect(hex(card.cardApFile(library, 'memberNumber'))).toBe(ascii('0012345678'));
    expect(hex(card.cardApFile(library, 'issuerCode'))).toBe('0102030405060708');
    expect(card.cardApSecretState(library, 'pin')).toEqual({ remaining: 3, maxTries: 3, blocked: false });
    expect(await send(card, selectHex(library.aid))).toBe(fciHex(library.aid));
    expect(card.log.at(-1)?.dfName).toBe('card-ap');
  });

  it('leaves files without contents erased (FF) and records start tries', async () => {
    const card = await VirtualMyNumberCard.create();
    card.installCardAp(library, {}, { secrets: { pin: MEMBER_PIN }, tries: { pin: 1 } });
    expect(hex(card.cardApFile(library, 'memberNumber'))).toBe('FF'.repeat(10));
    expect(hex(card.cardApFile(library, 'loans'))).toBe('FF'.repeat(48));
    expect(card.cardApSecretState(library, 'pin').remaining).toBe(1);
  });

  it('throws CardApCapacityError when the area is full, counting file sizes; the other area is separate', async () => {
    const card = await VirtualMyNumberCard.create({ cardApCapacity: { regional: 1000, extension: 700 } });
    card.installCardAp(blocks(900));
    let error: unknown;
    try {
      card.installCardAp(blocks(101));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CardApCapacityError);
    expect(error).toMatchObject({ code: 'card-ap-capacity', area: 'regional', capacity: 1000, used: 900, requested: 101 });
    card.installCardAp(blocks(100));
    expect(card.cardApUsage('regional').used).toBe(1000);
    card.installCardAp(hospital, {}, { secrets: { password: 'Kenko123' } });
    expect(() => card.installCardAp(defineCardAp({ ...blocks(100), area: 'extension', aid: 'F0EE000001' }))).toThrow(
      CardApCapacityError,
    );
    expect(card.uninstallCardAp(hospital)).toBe(true);
    expect(card.uninstallCardAp(hospital)).toBe(false);
    expect(card.cardApUsage('extension').used).toBe(0);
  });

  it('rejects a taken AID, missing or malformed secrets, unknown files and keys, bad contents', async () => {
    const card = await libraryCard();
    const keys = { secrets: { pin: MEMBER_PIN } };
    expect(() => card.installCardAp(library, {}, keys)).toThrow('already on the card');
    const other = defineCardAp({ ...library, aid: 'F0392000000000019999' });
    expect(() => card.installCardAp(other, {}, {})).toThrow('keys.secrets.pin');
    expect(() => card.installCardAp(other, {}, { secrets: { pin: '12345' } })).toThrow('keys.secrets.pin');
    expect(() => card.installCardAp(other, { nope: 1 } as never, keys)).toThrow('no file "nope"');
    expect(() => card.installCardAp(other, {}, { secrets: { pin: MEMBER_PIN, x: '1' } as never })).toThrow('no secret "x"');
    expect(() => card.installCardAp(other, {}, { ...keys, issuerKey: new Uint8Array(8) })).toThrow('issuerKey');
    expect(() => card.installCardAp(other, {}, { ...keys, tries: { pin: 4 } })).toThrow('keys.tries.pin');
    expect(() => card.installCardAp(other, { memberNumber: '123456789012' }, keys)).toThrow(CardApValueTooLargeError);
    await expect(VirtualMyNumberCard.create({ cardApCapacity: { regional: -1 } })).rejects.toThrow(InvalidArgumentError);
    expect(card.installedCardAps).toHaveLength(1);
  });
});

describe('UPDATE BINARY', () => {
  it('writes behind a PIN once it is verified, at 15-bit offsets, and the data reads back', async () => {
    const card = await libraryCard();
    await send(card, selectHex(library.aid));
    expect(await send(card, '00A4020C020002')).toBe('9000');
    expect(await send(card, '00D6000002DF01')).toBe('6982');
    expect(await send(card, `0020009104${ascii(MEMBER_PIN)}`)).toBe('9000');
    expect(await send(card, '00D600000401020304')).toBe('6981'); // VERIFY by SFI made the PIN IEF current
    expect(await send(card, '00A4020C020002')).toBe('9000');
    expect(await send(card, '00D600000401020304')).toBe('9000');
    expect(await send(card, '00D6002E02AABB')).toBe('9000');
    expect(await send(card, '00B0000004')).toBe('010203049000');
    expect(await send(card, '00B0002E02')).toBe('AABB9000');
    expect(await send(card, '00D6002F02AABB')).toBe('6A84');
    expect(await send(card, '00D6003001AA')).toBe('6B00');
  });

  it('issuer files need EXTERNAL AUTHENTICATE; the authentication ends with a new SELECT of the DF', async () => {
    const card = await libraryCard();
    await send(card, selectHex(library.aid));
    await send(card, '00A4020C020001');
    expect(await send(card, `00D600000A${ascii('1111111111')}`)).toBe('6982');
    await authenticate(card);
    expect(await send(card, `00D600000A${ascii('1111111111')}`)).toBe('9000');
    expect(hex(card.cardApFile(library, 'memberNumber'))).toBe(ascii('1111111111'));
    await send(card, selectHex(library.aid));
    await send(card, '00A4020C020001');
    expect(await send(card, `00D600000A${ascii('2222222222')}`)).toBe('6982');
  });

  it('never-writable files, the SFI form, and the structural errors', async () => {
    const card = await libraryCard();
    await send(card, selectHex(library.aid));
    expect(await send(card, '00D6000001AA')).toBe('6986'); // no current EF
    await authenticate(card);
    expect(await send(card, '00D6830001AA')).toBe('6982'); // issuerCode (EF 0003) is never written
    expect(await send(card, '00D6810001AA')).toBe('9000'); // memberNumber by SFI 1
    expect(hex(card.cardApFile(library, 'memberNumber')).slice(0, 2)).toBe('AA');
    expect(await send(card, '00D6910001AA')).toBe('6981'); // SFI 11 is the PIN IEF, not a transparent EF
    expect(await send(card, '00D68F0001AA')).toBe('6A82');
    expect(await send(card, '00D6E10001AA')).toBe('6A86');
    expect(await send(card, '00D60000')).toBe('6700');
  });

  it('answers 6D00 outside card APs, as before', async () => {
    const card = await libraryCard();
    expect(await send(card, '00D6000001AA')).toBe('6D00');
    expect(await send(card, '0084000008')).toBe('6D00');
    await send(card, '00A4040C0AD392F000260100000001');
    expect(await send(card, '00D6000001AA')).toBe('6D00');
    expect(await send(card, '008200001000000000000000000000000000000000')).toBe('6D00');
  });
});

describe('GET CHALLENGE and EXTERNAL AUTHENTICATE (the test scheme)', () => {
  it('challenges are deterministic per card and differ each time', async () => {
    const a = await libraryCard();
    const b = await libraryCard();
    for (const card of [a, b]) await send(card, selectHex(library.aid));
    const first = await send(a, '0084000008');
    expect(first).toMatch(/^[0-9A-F]{16}9000$/);
    expect(await send(b, '0084000008')).toBe(first);
    expect(await send(a, '0084000008')).not.toBe(first);
    expect(await send(a, '0084000040')).toMatch(/^[0-9A-F]{128}9000$/);
    expect(await send(a, '00840000000008')).toBe('6985'); // extended form refused, card-facts §8
    expect(await send(a, '0084010008')).toBe('6A86');
  });

  it('a wrong cryptogram answers 6300; the challenge is spent either way; no challenge answers 6985', async () => {
    const card = await libraryCard();
    await send(card, selectHex(library.aid));
    const challenge = fromHex((await send(card, '0084000008')).slice(0, 16));
    const good = hex(testCardApCryptogram(ISSUER_KEY, challenge, library.aid));
    const bad = good.slice(0, -2) + (good.endsWith('00') ? '01' : '00');
    expect(await send(card, `0082000010${bad}`)).toBe('6300');
    expect(await send(card, `0082000010${good}`)).toBe('6985');
    expect(await send(card, '0084000008')).toMatch(/9000$/);
    expect(await send(card, '00A4020C020001')).toBe('9000'); // any other command ends the challenge
    expect(await send(card, `0082000010${good}`)).toBe('6985');
    expect(await send(card, '0082000110' + good)).toBe('6A86');
  });

  it('a card AP without an issuer key answers 6A88; a challenge does not survive a reset', async () => {
    const card = await VirtualMyNumberCard.create();
    card.installCardAp(hospital, {}, { secrets: { password: 'Kenko123' } });
    await send(card, selectHex(hospital.aid));
    await send(card, '0084000008');
    expect(await send(card, `0082000010${'00'.repeat(16)}`)).toBe('6A88');
    const lib = await libraryCard();
    await send(lib, selectHex(library.aid));
    const challenge = fromHex((await send(lib, '0084000008')).slice(0, 16));
    lib.reset();
    await send(lib, selectHex(library.aid));
    expect(await send(lib, `0082000010${hex(testCardApCryptogram(ISSUER_KEY, challenge, library.aid))}`)).toBe('6985');
  });

  it('works through 61xx chaining (GET RESPONSE does not end the challenge)', async () => {
    const card = await VirtualMyNumberCard.create({ quirks: { getResponse: true } });
    card.installCardAp(library, LIBRARY_CONTENTS, { secrets: { pin: MEMBER_PIN }, issuerKey: ISSUER_KEY });
    await send(card, selectHex(library.aid));
    expect(await send(card, '0084000008')).toBe('6108');
    const challenge = fromHex((await send(card, '00C0000008')).slice(0, 16));
    expect(await send(card, `0082000010${hex(testCardApCryptogram(ISSUER_KEY, challenge, library.aid))}`)).toBe('9000');
  });

  it('testCardApCryptogram is HMAC-SHA-256(key, challenge ‖ AID) truncated to 16 bytes', () => {
    // RFC 4231 test case 2 (key "Jefe"), its data split as challenge ‖ AID.
    const text = (s: string) => new TextEncoder().encode(s);
    const mac = testCardApCryptogram(text('Jefe'), text('what do ya want '), text('for nothing?'));
    expect(toHex(mac)).toBe('5bdcc146bf60754e6a042426089575c7');
  });
});

describe('moveOut', () => {
  it('removes the regional card APs, keeps the extension ones, frees the area; a current one returns the card to MF', async () => {
    const card = await libraryCard();
    card.installCardAp(hospital, {}, { secrets: { password: 'Kenko123' } });
    await send(card, selectHex(library.aid));
    expect(card.moveOut()).toEqual(['test-library']);
    expect(card.installedCardAps.map((a) => a.name)).toEqual(['test-hospital']);
    expect(card.cardApUsage('regional').used).toBe(0);
    expect(await send(card, '00B0000001')).toBe('6986'); // MF level, no current EF
    expect(await send(card, selectHex(library.aid))).toBe('6A82');
    expect(await send(card, selectHex(hospital.aid))).toBe(fciHex(hospital.aid));
    expect(() => card.cardApFile(library, 'memberNumber')).toThrow('not installed');
    expect(card.moveOut()).toEqual([]);
    card.installCardAp(library, { memberNumber: '0000000099' }, { secrets: { pin: MEMBER_PIN } });
    expect(await send(card, selectHex(library.aid))).toBe(fciHex(library.aid));
  });
});
