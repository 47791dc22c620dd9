/**
 * Virtual My Number Card: the behaviour switches (extended length, 61xx + GET RESPONSE,
 * maxChunk, 6Cxx, absent APs, latency) and fault injection / presence / close.
 */
import { describe, expect, it } from 'vitest';
import { CardRemovedError, InvalidArgumentError, TransportError } from '../../src/errors.js';
import { TEST_PKI_DATA, VirtualMyNumberCard } from '../../src/testing/index.js';
import { AID, ascii, hex, selectAid, send, sendBytes } from './virtual-card-helpers.js';

const MY_NUMBER_EF = `FF100C${ascii(TEST_PKI_DATA.holder.myNumber)}FFFF`;

function certificateEf(card: VirtualMyNumberCard): Uint8Array {
  const ef = new Uint8Array(2048).fill(0xff);
  ef.set(card.certificates.auth);
  return ef;
}

describe('extendedLength', () => {
  it('answers 6700 to every extended APDU when off, short APDUs still work', async () => {
    const card = await VirtualMyNumberCard.create({ quirks: { extendedLength: false } });
    await send(card, selectAid(AID.jpki));
    expect(await send(card, '00B08A00000000')).toBe('6700');
    expect(await send(card, '00B08A0000000004')).toBe('6700');
    expect(await send(card, '00A4040C00000AD392F000260100000001')).toBe('6700');
    expect(await send(card, '00B08A0004')).toBe(`${hex(card.certificates.auth.subarray(0, 4))}9000`);
  });

  it('gives the transport hint only when advertised', async () => {
    const silent = await VirtualMyNumberCard.create({ quirks: { extendedLength: false } });
    expect(silent.extendedLength).toBeUndefined();
    expect('extendedLength' in silent).toBe(false);
    const refusing = await VirtualMyNumberCard.create({
      quirks: { extendedLength: false },
      advertiseExtendedLength: true,
    });
    expect(refusing.extendedLength).toBe(false);
    const accepting = await VirtualMyNumberCard.create({ advertiseExtendedLength: true });
    expect(accepting.extendedLength).toBe(true);
  });
});

describe('getResponse (61xx + GET RESPONSE)', () => {
  it('answers 61xx and serves the data through GET RESPONSE', async () => {
    const card = await VirtualMyNumberCard.create({ quirks: { getResponse: true } });
    expect(await send(card, selectAid(AID.jpki))).toBe('9000');
    expect(await send(card, '00B0860020')).toBe('6120');
    expect(await send(card, '00C0000020')).toBe(`${ascii('JPKIAPICCTOKEN2')}${'20'.repeat(17)}9000`);
    expect(await send(card, '00C0000020')).toBe('6985');
    expect(await send(card, '00200098')).toBe('63C3');
  });

  it('chains a long response in GET RESPONSE parts with 61xx in between', async () => {
    const card = await VirtualMyNumberCard.create({ quirks: { getResponse: true } });
    await send(card, selectAid(AID.jpki));
    const ef = certificateEf(card);
    expect(await send(card, '00B08A00000000')).toBe('6100');
    const parts: string[] = [];
    for (let i = 0; i < 7; i++) parts.push(await send(card, '00C0000000'));
    for (let i = 0; i < 7; i++) {
      expect(parts[i]).toBe(`${hex(ef.subarray(i * 256, (i + 1) * 256))}6100`);
    }
    expect(await send(card, '00C0000010')).toBe(`${hex(ef.subarray(1792, 1808))}61F0`);
    expect(await send(card, '00C0000000')).toBe(`${hex(ef.subarray(1808))}9000`);
  });

  it('drops pending data on any other command', async () => {
    const card = await VirtualMyNumberCard.create({ quirks: { getResponse: true } });
    await send(card, selectAid(AID.text));
    await send(card, `0020009104${ascii('5678')}`);
    expect(await send(card, '00B0810000')).toBe('6111');
    expect(await send(card, '00200091')).toBe('63C3');
    expect(await send(card, '00C0000011')).toBe('6985');
    expect(await send(card, '00B0810000')).toBe('6111');
    expect(await send(card, '00C0000011')).toBe(`${MY_NUMBER_EF}9000`);
  });

  it('passes the signature through GET RESPONSE', async () => {
    const card = await VirtualMyNumberCard.create({ quirks: { getResponse: true } });
    const plain = await VirtualMyNumberCard.create();
    const digest = `3031300D060960864801650304020105000420${'11'.repeat(32)}`;
    for (const c of [card, plain]) {
      await send(c, selectAid(AID.jpki));
      await send(c, `0020009804${ascii('1234')}`);
    }
    expect(await send(card, `802A009733${digest}00`)).toBe('6100');
    expect(await send(card, '00C0000000')).toBe(await send(plain, `802A009733${digest}00`));
  });

  it('answers 6D00 without the quirk, and checks its parameters', async () => {
    const plain = await VirtualMyNumberCard.create();
    expect(await send(plain, '00C0000000')).toBe('6D00');
    const card = await VirtualMyNumberCard.create({ quirks: { getResponse: true } });
    await send(card, selectAid(AID.jpki));
    await send(card, '00B0860020');
    expect(await send(card, '00C0010000')).toBe('6A86');
    await send(card, '00B0860020');
    expect(await send(card, '00C00000')).toBe('6700');
  });
});

describe('maxChunk', () => {
  it('returns at most maxChunk bytes per READ BINARY, with 9000', async () => {
    const card = await VirtualMyNumberCard.create({ quirks: { maxChunk: 100 } });
    await send(card, selectAid(AID.jpki));
    const ef = certificateEf(card);
    expect(await send(card, '00B08A0000')).toBe(`${hex(ef.subarray(0, 100))}9000`);
    expect(await send(card, '00B00064000000')).toBe(`${hex(ef.subarray(100, 200))}9000`);
    expect(await send(card, '00B0006410')).toBe(`${hex(ef.subarray(100, 116))}9000`);
  });

  it('limits GET RESPONSE parts too', async () => {
    const card = await VirtualMyNumberCard.create({ quirks: { maxChunk: 10, getResponse: true } });
    await send(card, selectAid(AID.jpki));
    expect(await send(card, '00B0860020')).toBe('610A');
    expect(await send(card, '00C0000000')).toBe(`${ascii('JPKIAPICCT')}9000`);
  });

  it('rejects a chunk below 1', async () => {
    await expect(VirtualMyNumberCard.create({ quirks: { maxChunk: 0 } })).rejects.toThrow(InvalidArgumentError);
  });
});

describe('wrongLe (6Cxx)', () => {
  it('answers 6C<left> when a short Le exceeds what is left, then serves the exact Le', async () => {
    const card = await VirtualMyNumberCard.create({ quirks: { wrongLe: true } });
    await send(card, selectAid(AID.text));
    await send(card, `0020009104${ascii('5678')}`);
    expect(await send(card, '00B0810000')).toBe('6C11');
    expect(await send(card, '00B0810012')).toBe('6C11');
    expect(await send(card, '00B0810011')).toBe(`${MY_NUMBER_EF}9000`);
    expect(await send(card, '00B0810005')).toBe(`${MY_NUMBER_EF.slice(0, 10)}9000`);
    expect(await send(card, '00B08100000000')).toBe(`${MY_NUMBER_EF}9000`);
  });

  it('applies to the last chunk of a certificate and to READ RECORD and the signature Le', async () => {
    const card = await VirtualMyNumberCard.create({ quirks: { wrongLe: true } });
    await send(card, selectAid(AID.jpki));
    await send(card, '00A4020C02000A');
    expect(await send(card, '00B007F000')).toBe('6C10');
    expect(await send(card, '00B007F010')).toBe(`${'FF'.repeat(16)}9000`);
    await send(card, `0020009804${ascii('1234')}`);
    expect(await send(card, `802A009733${'00'.repeat(51)}80`)).toBe('6C00');
    await send(card, selectAid(AID.common));
    expect(await send(card, '00B2010C00')).toBe('6C1E');
    expect((await sendBytes(card, '00B2010C1E')).length).toBe(32);
  });
});

describe('absent applications', () => {
  it('answers 6A82 to SELECT of an absent AP', async () => {
    const card = await VirtualMyNumberCard.create({ quirks: { absentAps: ['text', 'juki'] } });
    expect(await send(card, selectAid(AID.text))).toBe('6A82');
    expect(await send(card, selectAid(AID.juki))).toBe('6A82');
    expect(await send(card, selectAid(AID.face))).toBe('9000');
    expect(await send(card, selectAid(AID.common))).toBe('9000');
    expect(await send(card, selectAid(AID.jpki))).toBe('9000');
  });

  it('can leave off the JPKI AP (not a JPKI card)', async () => {
    const card = await VirtualMyNumberCard.create({ quirks: { absentAps: ['jpki'] } });
    expect(await send(card, selectAid(AID.jpki))).toBe('6A82');
    expect(await send(card, selectAid(AID.text))).toBe('9000');
  });
});

describe('latency', () => {
  it('delays each response by latencyMs', async () => {
    const card = await VirtualMyNumberCard.create({ quirks: { latencyMs: 40 } });
    const start = performance.now();
    await send(card, selectAid(AID.jpki));
    await send(card, '00200098');
    expect(performance.now() - start).toBeGreaterThanOrEqual(75);
  });

  it('answers concurrent transmits one at a time in call order', async () => {
    const card = await VirtualMyNumberCard.create({ quirks: { latencyMs: 5 } });
    const responses = await Promise.all([
      send(card, selectAid(AID.jpki)),
      send(card, `0020009804${ascii('0000')}`),
      send(card, '00200098'),
    ]);
    expect(responses).toEqual(['9000', '63C2', '63C2']);
    expect(card.log.map((e) => e.index)).toEqual([0, 1, 2]);
  });
});

describe('removal, insertion, reset and close', () => {
  it('pulls the card after N commands: CardRemovedError until insert(), which powers on again', async () => {
    const card = await VirtualMyNumberCard.create({ quirks: { removeAfterCommands: 3 } });
    expect(await send(card, selectAid(AID.jpki))).toBe('9000');
    expect(await send(card, `0020009804${ascii('0000')}`)).toBe('63C2');
    expect(await send(card, '00A4020C02000A')).toBe('9000');
    await expect(send(card, '00B0000004')).rejects.toThrow(CardRemovedError);
    expect(card.present).toBe(false);
    await expect(send(card, '00B0000004')).rejects.toThrow(CardRemovedError);
    const last = card.log.at(-1)!;
    expect([hex(last.command), hex(last.response), last.error]).toEqual(['00B0000004', '', 'card-removed']);
    expect(card.log).toHaveLength(4);
    card.insert();
    expect(card.present).toBe(true);
    expect(await send(card, '00B0000004')).toBe('6986');
    await send(card, selectAid(AID.jpki));
    expect(await send(card, '00200098')).toBe('63C2');
    for (let i = 0; i < 5; i++) expect(await send(card, '00200098')).toBe('63C2');
  });

  it('removeAfterCommands(0) pulls the card at the next command', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    card.removeAfterCommands(0);
    const error = await send(card, '00200098').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CardRemovedError);
    expect((error as CardRemovedError).code).toBe('card-removed');
  });

  it('remove() and reset()', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    await send(card, `0020009B06${ascii('ABC123')}`);
    card.reset();
    expect(await send(card, '00B0810004')).toBe('6A82');
    await send(card, selectAid(AID.jpki));
    expect(await send(card, '00B0810004')).toBe('6982');
    card.remove();
    expect(() => card.reset()).toThrow(CardRemovedError);
    await expect(send(card, selectAid(AID.jpki))).rejects.toThrow(CardRemovedError);
    expect(card.log.at(-1)?.error).toBeUndefined();
  });

  it('rejects transmits after close() with a TransportError', async () => {
    const card = await VirtualMyNumberCard.create();
    await card.close();
    const error = await send(card, selectAid(AID.jpki)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).code).toBe('transport-closed');
  });

  it('rejects a non-Uint8Array command', async () => {
    const card = await VirtualMyNumberCard.create();
    await expect(card.transmit('00A40000' as unknown as Uint8Array)).rejects.toThrow(InvalidArgumentError);
  });
});
