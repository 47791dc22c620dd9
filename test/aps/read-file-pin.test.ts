import { describe, expect, it } from 'vitest';
import { ApduChannel } from '../../src/apdu/channel.js';
import { PinBlockedError, PinIncorrectError, SecurityStatusNotSatisfiedError, StatusWordError } from '../../src/apdu/status.js';
import { concatBytes, fromHex, toHex } from '../../src/bytes.js';
import { guardedVerify, queryTries, type PinReference } from '../../src/aps/pin.js';
import { encodeSecret } from '../../src/aps/pin-format.js';
import { prepareSecret } from '../../src/aps/secret-input.js';
import type { TriesState } from '../../src/secret.js';
import { readTlvObject } from '../../src/aps/read-file.js';
import { AbortedError, CardDataError, PinRetryGuardError } from '../../src/errors.js';
import { encodeTlv } from '../../src/tlv/index.js';
import { ReplayTransport } from '../../src/testing/replay.js';

type Pair = readonly [command: string, response: string | Uint8Array];
function channel(pairs: readonly Pair[], extendedLength?: boolean): { port: ApduChannel; t: ReplayTransport } {
  const t = new ReplayTransport(
    pairs.map(([c, r]) => ({ command: fromHex(c), response: typeof r === 'string' ? fromHex(r) : r })),
    extendedLength === undefined ? {} : { extendedLength },
  );
  return { port: new ApduChannel(t), t };
}
const ok = (...parts: Uint8Array[]) => concatBytes(...parts, fromHex('9000'));
const object = (n: number) => encodeTlv(0x30, new Uint8Array(n).map((_, i) => i & 0xff));

describe('readTlvObject', () => {
  it('extended: one READ BINARY, filler trimmed, progress once', async () => {
    const obj = object(700);
    const { port, t } = channel([['00B08A00000000', ok(obj, new Uint8Array(300).fill(0xff))]]);
    const progress: unknown[] = [];
    const der = await readTlvObject(port, 0x0a, { context: 'test', onProgress: (p) => progress.push(p) });
    expect(toHex(der)).toBe(toHex(obj));
    expect(progress).toEqual([{ loaded: obj.length, total: obj.length }]);
    t.assertDone();
  });

  it('extended but the reader returns fewer bytes: continue with extended Le = exact remainder', async () => {
    const obj = object(700); // 704 bytes
    const { port, t } = channel(
      [
        ['00B08A00000000', ok(obj.subarray(0, 256))],
        ['00B001000001C0', ok(obj.subarray(256))], // offset 256, extended Le 448
      ],
      true,
    );
    expect(toHex(await readTlvObject(port, 0x0a, { context: 'test' }))).toBe(toHex(obj));
    t.assertDone();
  });

  it('short: 256-byte chunks by offset, last Le exact; offsets follow the bytes actually returned', async () => {
    const obj = object(600); // 604 bytes
    const { port, t } = channel(
      [
        ['00B08A0000', ok(obj.subarray(0, 256))],
        ['00B0010000', ok(obj.subarray(256, 356))], // reader returned only 100
        ['00B00164F8', ok(obj.subarray(356, 604))], // offset 356, Le 248 = the exact remainder
      ],
      false,
    );
    expect(toHex(await readTlvObject(port, 0x0a, { context: 'test' }))).toBe(toHex(obj));
    t.assertDone();
  });

  it('a header split across responses', async () => {
    const obj = object(300); // 30 82 01 2C …
    const { port, t } = channel(
      [
        ['00B08A0000', ok(obj.subarray(0, 1))],
        ['00B0000100', ok(obj.subarray(1, 3))],
        ['00B0000300', ok(obj.subarray(3, 259))],
        ['00B001032D', ok(obj.subarray(259))], // offset 259, Le 45
      ],
      false,
    );
    expect(toHex(await readTlvObject(port, 0x0a, { context: 'test' }))).toBe(toHex(obj));
    t.assertDone();
  });

  it('end of file inside the object (6B00, 6282, empty data) → CardDataError', async () => {
    const obj = object(600);
    for (const tail of [fromHex('6B00'), concatBytes(obj.subarray(256, 300), fromHex('6282')), fromHex('9000')]) {
      const pairs: Pair[] = [['00B08A0000', ok(obj.subarray(0, 256))], ['00B0010000', tail]];
      const { port } = channel(pairs, false);
      await expect(readTlvObject(port, 0x0a, { context: 'test' })).rejects.toBeInstanceOf(CardDataError);
    }
  });

  it('6282 with the whole object is fine', async () => {
    const obj = object(20);
    const { port } = channel([['00B08A0000', concatBytes(obj, fromHex('6282'))]], false);
    expect(toHex(await readTlvObject(port, 0x0a, { context: 'test' }))).toBe(toHex(obj));
  });

  it('first read refused → the typed status error', async () => {
    const { port } = channel([['00B08100000000', '6982']], true);
    await expect(readTlvObject(port, 0x01, { context: 'test' })).rejects.toBeInstanceOf(SecurityStatusNotSatisfiedError);
  });

  it('filler only, indefinite length, or beyond the 15-bit offset → CardDataError', async () => {
    for (const first of [new Uint8Array(64).fill(0xff), fromHex('3080010000'), new Uint8Array(0)]) {
      const { port } = channel([['00B08A00000000', ok(first)]], true);
      await expect(readTlvObject(port, 0x0a, { context: 'test' })).rejects.toBeInstanceOf(CardDataError);
    }
    const huge = concatBytes(fromHex('3083010000'), new Uint8Array(0x8000));
    const { port } = channel([['00B08A00000000', ok(huge)]], true);
    await expect(readTlvObject(port, 0x0a, { context: 'test' })).rejects.toThrow(/longer than READ BINARY can address/);
  });

  it('abort: before the first APDU, and between chunks', async () => {
    const controller = new AbortController();
    controller.abort();
    const { port, t } = channel([], false);
    await expect(readTlvObject(port, 0x0a, { context: 'test', signal: controller.signal })).rejects.toBeInstanceOf(AbortedError);
    expect(t.remaining).toBe(0);
    const obj = object(600);
    const c2 = new AbortController();
    const { port: p2, t: t2 } = channel([['00B08A0000', ok(obj.subarray(0, 256))], ['00B0010000', ok(obj.subarray(256, 512))]], false);
    await expect(
      readTlvObject(p2, 0x0a, { context: 'test', signal: c2.signal, onProgress: (p) => (p.loaded >= 512 ? c2.abort() : undefined) }),
    ).rejects.toBeInstanceOf(AbortedError);
    t2.assertDone();
  });

  it('sensitive reads wipe the response buffers they were given', async () => {
    const obj = object(10);
    const response = ok(obj);
    const t = { extendedLength: true, transmit: async () => response };
    const der = await readTlvObject(new ApduChannel(t), 0x01, { context: 'test', sensitive: true });
    expect(toHex(der)).toBe(toHex(obj));
    expect(response.subarray(0, obj.length).every((b) => b === 0)).toBe(true);
  });
});

describe('queryTries / guardedVerify', () => {
  const ref: PinReference = { p2: 0x98, name: 'auth PIN', maxTries: 3, kind: 'auth-pin', nameJa: '利用者証明用電子証明書 暗証番号', nameEn: 'auth PIN' };
  const unlimited: PinReference = { p2: 0x94, name: '照合番号A', maxTries: undefined, kind: 'verification-a', nameJa: '照合番号A', nameEn: 'verification number A' };

  it('maps 63Cx, 63C0, 6984, 9000, 6300 to a discriminated state (card-facts §5)', async () => {
    const cases: Array<[PinReference, string, TriesState]> = [
      [ref, '63C2', { state: 'tries', remaining: 2, max: 3 }],
      [unlimited, '63C9', { state: 'tries', remaining: 9 }],
      [ref, '63C0', { state: 'blocked' }],
      [ref, '6984', { state: 'blocked' }],
      [ref, '9000', { state: 'verified', max: 3 }],
      [unlimited, '9000', { state: 'verified' }],
      [unlimited, '6300', { state: 'unlimited' }],
    ];
    for (const [r, sw, expected] of cases) {
      const { port, t } = channel([[`002000${r.p2.toString(16).toUpperCase()}`, sw]]);
      expect(await queryTries(port, r)).toStrictEqual(expected);
      t.assertDone();
    }
    const { port } = channel([['00200098', '6A88']]);
    await expect(queryTries(port, ref)).rejects.toBeInstanceOf(StatusWordError);
  });

  it('wipes the secret whatever happens', async () => {
    const outcomes: Array<[Pair[], unknown]> = [
      [[['00200098', '63C3'], ['002000980431323334', '9000']], undefined],
      [[['00200098', '63C3'], ['002000980431323334', '63C2']], PinIncorrectError],
      [[['00200098', '63C3'], ['002000980431323334', '6300']], StatusWordError],
      [[['00200098', '63C1']], PinRetryGuardError],
      [[['00200098', '63C0']], PinBlockedError],
    ];
    for (const [pairs, errorType] of outcomes) {
      const { port, t } = channel(pairs);
      const secret = new TextEncoder().encode('1234');
      const run = guardedVerify(port, ref, prepareSecret(secret, (v) => encodeSecret('auth-pin', v)), {});
      if (errorType === undefined) await run;
      else await expect(run).rejects.toBeInstanceOf(errorType as typeof Error);
      expect([...secret]).toEqual([0, 0, 0, 0]);
      t.assertDone();
    }
  });
});
