/** Card-AP sessions against the virtual card: exact APDUs, typed values, guarded PINs, verified writes. */
import { describe, expect, it } from 'vitest';
import {
  PinBlockedError,
  PinIncorrectError,
  SecurityStatusNotSatisfiedError,
  StatusWordError,
} from '../../src/apdu/status.js';
import { InvalidArgumentError, PinFormatError, PinRetryGuardError, TransportError } from '../../src/errors.js';
import {
  CardApAccessError,
  CardApAuthenticationError,
  CardApCodecError,
  CardApValueTooLargeError,
  CardApWriteVerifyError,
  defineCardAp,
  digitsCodec,
  openCardAp,
  tlvRecord,
} from '../../src/aps/card-ap/index.js';
import { testCardApCryptogram } from '../../src/testing/index.js';
import type { Transport } from '../../src/transport/transport.js';
import {
  ISSUER_KEY,
  LIBRARY_CONTENTS,
  MEMBER_PIN,
  ascii,
  corruptingTransport,
  exchanges,
  hex,
  hospital,
  issuerAuth,
  library,
  rejection,
  rig,
  fciHex,
  selectHex,
  sessions,
  wire,
} from './helpers.js';

const SELECT_LIB = selectHex(library.aid);
const SELECT_HOS = selectHex(hospital.aid);
/** The library loan record as installed: limit 5, valid until 2030-03-31, FF filler to 48 bytes. */
const LOANS_IMAGE = `DF010105DF0208${ascii('20300331')}${'FF'.repeat(33)}`;

describe('read', () => {
  it('reads a free file: SELECT AP, SELECT EF, one READ BINARY; no PIN, no drop', async () => {
    const r = await rig();
    const { lib } = sessions(r);
    const member: string = await lib.read('memberNumber');
    expect(member).toBe('0012345678');
    expect(exchanges(r.vc)).toEqual([
      `${SELECT_LIB} → ${fciHex(library.aid)}`,
      '00A4020C020001 → 9000',
      `00B000000A → ${ascii('0012345678')}9000`,
    ]);
    expect(r.host.forgets).toBe(1);
  });

  it('reads a PIN-protected TLV record: guarded VERIFY by SFI, then drops the security status', async () => {
    const r = await rig();
    const { lib } = sessions(r);
    const loans = await lib.read('loans', { pin: MEMBER_PIN });
    expect(loans).toEqual({ limit: 5, validUntil: '20300331' });
    expect(exchanges(r.vc)).toEqual([
      `${SELECT_LIB} → ${fciHex(library.aid)}`,
      '00200091 → 63C3',
      '00200091+PIN → 9000',
      '00A4020C020002 → 9000',
      `00B0000030 → ${LOANS_IMAGE}9000`,
      `${SELECT_LIB} → ${fciHex(library.aid)}`,
    ]);
    expect(r.vc.cardApSecretState(library, 'pin')).toEqual({ remaining: 3, maxTries: 3, blocked: false });
  });

  it('selects a PIN IEF without an SFI (FID 0101) and verifies it as the current EF (P2 = 80)', async () => {
    const r = await rig();
    const { hos } = sessions(r);
    expect(await hos.read('note', { pin: 'Kenko123' })).toBe('allergy: none');
    expect(wire(r.vc).slice(0, 5)).toEqual([SELECT_HOS, '00A4020C020101', '00200080', '00200080+PIN', '00A4020C020002']);
    expect(wire(r.vc).at(-1)).toBe(SELECT_HOS);
  });

  it('readRaw returns the whole file', async () => {
    const r = await rig();
    const { lib } = sessions(r);
    expect(hex(await lib.readRaw('loans', { pin: MEMBER_PIN }))).toBe(LOANS_IMAGE);
    expect(hex(await lib.readRaw('issuerCode'))).toBe('0102030405060708');
  });

  it('refuses a protected read without the secret, sending nothing', async () => {
    const r = await rig();
    const { lib } = sessions(r);
    const error = await rejection(lib.read('loans'));
    expect(error).toBeInstanceOf(CardApAccessError);
    expect(error).toMatchObject({ code: 'card-ap-access', reason: 'secret-required', file: 'loans' });
    expect(r.vc.log).toHaveLength(0);
  });

  it('reports bytes that do not match the descriptor as a decode error naming the file', async () => {
    const r = await rig();
    const misdescribed = defineCardAp({
      name: 'misdescribed',
      area: 'regional',
      aid: library.aid,
      files: { issuerCode: { fid: 0x0003, size: 8, read: 'free', write: 'never', codec: digitsCodec(8) } },
    });
    const error = await rejection(openCardAp(r.host, misdescribed).read('issuerCode'));
    expect(error).toBeInstanceOf(CardApCodecError);
    expect(error).toMatchObject({ code: 'card-ap-codec', direction: 'decode', file: 'issuerCode' });
  });

  it('reads in 256-byte short chunks without extended length, advancing by the bytes returned', async () => {
    const r = await rig({ card: { quirks: { extendedLength: false, maxChunk: 200 } }, channel: { extendedLength: false } });
    const { hos } = sessions(r);
    expect(await hos.read('note', { pin: 'Kenko123' })).toBe('allergy: none');
    const reads = wire(r.vc).filter((c) => c.startsWith('00B0'));
    expect(reads).toEqual(['00B0000000', '00B000C800', '00B00190C8']);
  });

  it('reads a large file with one extended READ BINARY when the channel allows it', async () => {
    const r = await rig({ channel: { extendedLength: true } });
    const { hos } = sessions(r);
    await hos.read('note', { pin: 'Kenko123' });
    expect(wire(r.vc).filter((c) => c.startsWith('00B0'))).toEqual(['00B00000000258']);
  });
});

describe('write', () => {
  it('writes with issuer authentication: read previous, GET CHALLENGE, EXTERNAL AUTHENTICATE, UPDATE, read back, drop', async () => {
    const r = await rig();
    const { lib } = sessions(r);
    await lib.write('memberNumber', '0099999999');
    const log = wire(r.vc);
    expect(log.slice(0, 4)).toEqual([SELECT_LIB, '00A4020C020001', '00B000000A', '0084000008']);
    const challenge = r.vc.log[3]!.response.subarray(0, 8);
    expect(r.vc.log[3]!.response).toHaveLength(10);
    expect(log.slice(4)).toEqual([
      `0082000010${hex(testCardApCryptogram(ISSUER_KEY, challenge, library.aid))}`,
      '00A4020C020001',
      `00D600000A${ascii('0099999999')}`,
      '00B000000A',
      SELECT_LIB,
    ]);
    expect(hex(r.vc.cardApFile(library, 'memberNumber'))).toBe(ascii('0099999999'));
    expect(await lib.read('memberNumber')).toBe('0099999999');
  });

  it('writes a PIN-protected TLV record with its filler and reads it back', async () => {
    const r = await rig();
    const { lib } = sessions(r);
    await lib.write('loans', { limit: 10, name: '山田太郎' }, { pin: MEMBER_PIN });
    const image = `DF01010ADF03088E52936391BE9859${'FF'.repeat(33)}`;
    expect(wire(r.vc)).toEqual([
      SELECT_LIB,
      '00200091',
      '00200091+PIN',
      '00A4020C020002',
      '00B0000030',
      `00D6000030${image}`,
      '00B0000030',
      SELECT_LIB,
    ]);
    expect(hex(r.vc.cardApFile(library, 'loans'))).toBe(image);
    expect(await lib.read('loans', { pin: MEMBER_PIN })).toEqual({ limit: 10, name: '山田太郎' });
  });

  it('writes in 255-byte UPDATE BINARY chunks at 15-bit offsets when extended length is off', async () => {
    const r = await rig({ card: { quirks: { extendedLength: false } }, channel: { extendedLength: false } });
    const { hos } = sessions(r);
    const note = 'x'.repeat(599);
    await hos.write('note', note, { pin: 'Kenko123' });
    const updates = wire(r.vc).filter((c) => c.startsWith('00D6'));
    expect(updates.map((c) => c.slice(0, 10))).toEqual(['00D60000FF', '00D600FFFF', '00D601FE5A']);
    expect(await hos.read('note', { pin: 'Kenko123' })).toBe(note);
  });

  it('writes a large file with one extended UPDATE BINARY when extended length is known to work', async () => {
    const r = await rig({ channel: { extendedLength: true } });
    const { hos } = sessions(r);
    await hos.write('note', 'y'.repeat(600), { pin: 'Kenko123' });
    expect(wire(r.vc).filter((c) => c.startsWith('00D6')).map((c) => c.slice(0, 14))).toEqual(['00D60000000258']);
  });

  it('refuses values that are too large or do not encode before anything is sent; the card keeps its value', async () => {
    const r = await rig();
    const { lib, hos } = sessions(r);
    const long = await rejection(lib.write('memberNumber', '00123456789'));
    expect(long).toBeInstanceOf(CardApValueTooLargeError);
    expect(long).toMatchObject({ code: 'card-ap-value-too-large', file: 'memberNumber', limit: 10, actual: 11 });
    const name = await rejection(lib.write('loans', { limit: 1, name: '寿限無寿限無五劫の擦り切れ' }, { pin: MEMBER_PIN }));
    expect(name).toMatchObject({ code: 'card-ap-value-too-large', file: 'loans.name', limit: 24, actual: 26 });
    const digits = await rejection(lib.write('memberNumber', '00123x5678'));
    expect(digits).toBeInstanceOf(CardApCodecError);
    expect(digits).toMatchObject({ direction: 'encode', file: 'memberNumber' });
    expect(digits.message).not.toContain('00123x5678');
    const note = await rejection(hos.write('note', 'z'.repeat(601), { pin: 'Kenko123' }));
    expect(note).toMatchObject({ code: 'card-ap-value-too-large', file: 'note', limit: 600, actual: 601 });
    expect(r.vc.log).toHaveLength(0);
    expect(hex(r.vc.cardApFile(library, 'memberNumber'))).toBe(ascii(LIBRARY_CONTENTS.memberNumber));
  });

  it('refuses a TLV record larger than its file before anything is sent', async () => {
    const r = await rig();
    const tight = defineCardAp({
      name: 'tight',
      area: 'regional',
      aid: library.aid,
      files: { issuerCode: { fid: 0x0003, size: 8, read: 'free', write: 'issuer', codec: tlvRecord({ blob: 0xdf10 }) } },
      auth: issuerAuth(),
    });
    const error = await rejection(openCardAp(r.host, tight).write('issuerCode', { blob: new Uint8Array(6) }));
    expect(error).toMatchObject({ code: 'card-ap-value-too-large', file: 'issuerCode', limit: 8, actual: 9 });
    expect(r.vc.log).toHaveLength(0);
  });

  it('refuses a never-writable file, a missing secret and a missing auth hook without sending', async () => {
    const r = await rig();
    const { lib } = sessions(r);
    // @ts-expect-error issuerCode is typed as not writable
    const never = await rejection(lib.write('issuerCode', new Uint8Array(8)));
    expect(never).toMatchObject({ code: 'card-ap-access', reason: 'not-writable', file: 'issuerCode' });
    const noPin = await rejection(lib.write('loans', { limit: 1 }));
    expect(noPin).toMatchObject({ code: 'card-ap-access', reason: 'secret-required' });
    const noAuth = defineCardAp({ ...library, auth: undefined });
    const hookless = await rejection(openCardAp(r.host, noAuth).write('memberNumber', '0000000001'));
    expect(hookless).toBeInstanceOf(CardApAccessError);
    expect(hookless).toMatchObject({ reason: 'auth-required' });
    const badPin = await rejection(lib.write('loans', { limit: 1 }, { pin: '24a8' }));
    expect(badPin).toBeInstanceOf(PinFormatError);
    expect(badPin.message).toBe('The 図書館カード暗証番号 must be exactly 4 digits');
    expect(r.vc.log).toHaveLength(0);
  });

  it('restores the previous value and throws CardApWriteVerifyError when the read-back differs', async () => {
    const link = { t: undefined as (Transport & { corrupted: number }) | undefined };
    const r = await rig({ transport: (vc) => (link.t = corruptingTransport(vc, 1)) });
    const { lib } = sessions(r);
    const error = await rejection(lib.write('loans', { limit: 7 }, { pin: MEMBER_PIN }));
    expect(error).toBeInstanceOf(CardApWriteVerifyError);
    expect(error).toMatchObject({ code: 'card-ap-write-verify', file: 'loans', restored: true });
    expect(link.t!.corrupted).toBe(1);
    expect(hex(r.vc.cardApFile(library, 'loans'))).toBe(LOANS_IMAGE);
    expect(wire(r.vc).filter((c) => c.startsWith('00D6'))).toHaveLength(2);
    expect(wire(r.vc).at(-1)).toBe(SELECT_LIB);
  });

  it('says when the restore could not be verified either', async () => {
    const r = await rig({ transport: (vc) => corruptingTransport(vc, 2) });
    const { lib } = sessions(r);
    const error = await rejection(lib.write('memberNumber', '0000000777'));
    expect(error).toMatchObject({ code: 'card-ap-write-verify', restored: false });
    expect(error.message).toContain('uncertain');
  });

  it('puts the previous bytes back when the card refuses a later UPDATE chunk', async () => {
    let updates = 0;
    const r = await rig({
      card: { quirks: { extendedLength: false } },
      channel: { extendedLength: false },
      transport: (vc) => ({
        transmit: (command: Uint8Array) =>
          command[1] === 0xd6 && ++updates === 2 ? Promise.resolve(Uint8Array.of(0x65, 0x81)) : vc.transmit(command),
      }),
    });
    const { hos } = sessions(r);
    const error = await rejection(hos.write('note', 'q'.repeat(500), { pin: 'Kenko123' }));
    expect(error).toBeInstanceOf(StatusWordError);
    expect((error as StatusWordError).sw).toBe(0x6581);
    expect(await hos.read('note', { pin: 'Kenko123' })).toBe('allergy: none');
  });
});

describe('PINs', () => {
  it('a wrong PIN spends one try, throws PinIncorrectError and leaves the file unchanged', async () => {
    const r = await rig();
    const { lib } = sessions(r);
    const error = await rejection(lib.write('loans', { limit: 9 }, { pin: '1111' }));
    expect(error).toBeInstanceOf(PinIncorrectError);
    expect(error).toMatchObject({ code: 'pin-incorrect', remaining: 2 });
    expect(error.message).not.toContain('1111');
    expect(exchanges(r.vc)).toEqual([`${SELECT_LIB} → ${fciHex(library.aid)}`, '00200091 → 63C3', '00200091+PIN → 63C2', `${SELECT_LIB} → ${fciHex(library.aid)}`]);
    expect(r.vc.cardApSecretState(library, 'pin').remaining).toBe(2);
    expect(hex(r.vc.cardApFile(library, 'loans'))).toBe(LOANS_IMAGE);
    expect(await lib.remainingTries('pin')).toMatchObject({ state: 'tries', remaining: 2 });
  });

  it('refuses at one try left unless allowLastTry, and never retries', async () => {
    const r = await rig();
    const { lib } = sessions(r);
    for (let i = 0; i < 2; i++) await rejection(lib.verify('pin', { pin: '0000' }));
    r.vc.clearLog();
    const guard = await rejection(lib.read('loans', { pin: MEMBER_PIN }));
    expect(guard).toBeInstanceOf(PinRetryGuardError);
    expect(wire(r.vc)).toEqual([SELECT_LIB, '00200091']);
    expect(r.vc.cardApSecretState(library, 'pin').remaining).toBe(1);
    expect(await lib.read('loans', { pin: MEMBER_PIN, allowLastTry: true })).toEqual({ limit: 5, validUntil: '20300331' });
    expect(r.vc.cardApSecretState(library, 'pin').remaining).toBe(3);
  });

  it('reports a blocked secret without sending it', async () => {
    const r = await rig();
    const { lib } = sessions(r);
    await rejection(lib.verify('pin', { pin: '0000' }));
    await rejection(lib.verify('pin', { pin: '0000' }));
    const last = await rejection(lib.verify('pin', { pin: '0000', allowLastTry: true }));
    expect(last).toBeInstanceOf(PinBlockedError);
    r.vc.clearLog();
    const blocked = await rejection(lib.read('loans', { pin: MEMBER_PIN, allowLastTry: true }));
    expect(blocked).toBeInstanceOf(PinBlockedError);
    expect(r.vc.log.filter((e) => e.verifyWithData === true)).toHaveLength(0);
    expect(await lib.remainingTries('pin')).toEqual({ state: 'blocked' });
  });

  it('verify checks a secret and drops the status; remainingTries spends nothing', async () => {
    const r = await rig();
    const { lib, hos } = sessions(r);
    await lib.verify('pin', { pin: MEMBER_PIN });
    expect(wire(r.vc)).toEqual([SELECT_LIB, '00200091', '00200091+PIN', SELECT_LIB]);
    r.vc.clearLog();
    expect(await hos.remainingTries('password')).toMatchObject({ state: 'tries', remaining: 5 });
    expect(wire(r.vc)).toEqual([SELECT_HOS, '00A4020C020101', '00200080']);
    await expect(hos.verify('password', { pin: 'short' })).rejects.toThrow(
      'must be 6–8 letters A–Z a–z and digits',
    );
  });

  it('a write behind two different secrets needs both by name; `pin` alone is refused before anything is sent', async () => {
    const r = await rig();
    const twoKeys = defineCardAp({
      name: 'two-keys',
      area: 'extension',
      aid: 'F0392000000000040001',
      secrets: { reader: { fid: 0x0011 }, writer: { fid: 0x0012, minLength: 6, maxLength: 6 } },
      files: {
        data: { fid: 0x0001, size: 4, read: { secret: 'reader' }, write: { secret: 'writer' }, codec: digitsCodec(4) },
      },
    });
    r.vc.installCardAp(twoKeys, { data: '0000' }, { secrets: { reader: '1111', writer: '222222' } });
    const ap = openCardAp(r.host, twoKeys);
    r.vc.clearLog();
    const error = await rejection(ap.write('data', '4321', { pin: '222222' }));
    expect(error).toMatchObject({ code: 'card-ap-access', reason: 'secret-required' });
    expect(error.message).toContain('reader, writer');
    expect(r.vc.log).toHaveLength(0);
    await ap.write('data', '4321', { secrets: { reader: '1111', writer: '222222' } });
    expect(wire(r.vc).slice(0, 5)).toEqual([selectHex(twoKeys.aid), '00200091', '00200091+PIN', '00200092', '00200092+PIN']);
    expect(await ap.read('data', { pin: '1111' })).toBe('4321');
  });

  it('uses the secret named in `secrets` before `pin`', async () => {
    const r = await rig();
    const { lib } = sessions(r);
    expect(await lib.read('loans', { pin: '0000', secrets: { pin: MEMBER_PIN } })).toMatchObject({ limit: 5 });
  });
});

describe('issuer authentication', () => {
  it('fails with CardApAuthenticationError (SW 6300) for a wrong key; nothing is written', async () => {
    const r = await rig();
    const lib = openCardAp(r.host, library, { auth: issuerAuth(new Uint8Array(16)) });
    const error = await rejection(lib.write('memberNumber', '0000000001'));
    expect(error).toBeInstanceOf(CardApAuthenticationError);
    expect(error).toMatchObject({ code: 'card-ap-auth-failed', cardAp: 'test-library', sw: 0x6300 });
    expect(wire(r.vc).some((c) => c.startsWith('00D6'))).toBe(false);
    expect(wire(r.vc).at(-1)).toBe(SELECT_LIB);
    expect(hex(r.vc.cardApFile(library, 'memberNumber'))).toBe(ascii(LIBRARY_CONTENTS.memberNumber));
  });

  it('prefers the per-call hook, then the session hook, then the descriptor hook', async () => {
    const r = await rig();
    const calls: string[] = [];
    const tagged = (name: string) => async (x: Parameters<ReturnType<typeof issuerAuth>>[0]) => {
      calls.push(name);
      await issuerAuth()(x);
    };
    const lib = openCardAp(r.host, library, { auth: tagged('session') });
    await lib.write('memberNumber', '0000000002', { auth: tagged('call') });
    await lib.write('memberNumber', '0000000003');
    expect(calls).toEqual(['call', 'session']);
    expect(await lib.read('memberNumber')).toBe('0000000003');
  });

  it('wraps a hook that throws, and reports a hook that did not authenticate as 6982 from UPDATE', async () => {
    const r = await rig();
    const thrower = openCardAp(r.host, library, {
      auth: () => Promise.reject(new Error('HSM unreachable')),
    });
    const error = await rejection(thrower.write('memberNumber', '0000000004'));
    expect(error).toBeInstanceOf(CardApAuthenticationError);
    expect((error.cause as Error).message).toBe('HSM unreachable');
    const idle = openCardAp(r.host, library, { auth: async () => undefined });
    const refused = await rejection(idle.write('memberNumber', '0000000004'));
    expect(refused).toBeInstanceOf(SecurityStatusNotSatisfiedError);
    expect(hex(r.vc.cardApFile(library, 'memberNumber'))).toBe(ascii(LIBRARY_CONTENTS.memberNumber));
  });

  it('a replayed cryptogram fails: each challenge is fresh', async () => {
    const r = await rig();
    let first: Uint8Array | undefined;
    const recorder = openCardAp(r.host, library, {
      auth: async (x) => {
        const c = await x.getChallenge();
        first = testCardApCryptogram(ISSUER_KEY, c, x.aid);
        await x.externalAuthenticate(first);
      },
    });
    await recorder.write('memberNumber', '0000000005');
    const replay = openCardAp(r.host, library, {
      auth: async (x) => {
        await x.getChallenge();
        await x.externalAuthenticate(first!);
      },
    });
    expect(await rejection(replay.write('memberNumber', '0000000006'))).toMatchObject({ sw: 0x6300 });
    expect(await recorder.read('memberNumber')).toBe('0000000005');
  });

  it('the exchange refuses to select another application and is unusable after the hook', async () => {
    const r = await rig();
    let kept: Parameters<ReturnType<typeof issuerAuth>>[0] | undefined;
    const sneaky = openCardAp(r.host, library, {
      auth: async (x) => {
        kept = x;
        await x.transmit(Uint8Array.from([0x00, 0xa4, 0x04, 0x0c, 0x05, 0xf0, 0, 0, 0, 1]));
      },
    });
    expect(await rejection(sneaky.write('memberNumber', '0000000007'))).toBeInstanceOf(InvalidArgumentError);
    await expect(kept!.getChallenge()).rejects.toThrow('exchange is over');
    const custom = openCardAp(r.host, library, {
      auth: async (x) => {
        const sw = (await x.transmit(Uint8Array.of(0x00, 0x84, 0x00, 0x00, 0x08))).sw;
        expect(sw).toBe(0x9000);
        await issuerAuth()(x);
      },
    });
    await custom.write('memberNumber', '0000000008');
    expect(await custom.read('memberNumber')).toBe('0000000008');
  });
});

describe('sessions and traces', () => {
  it('keeps sensitive file data out of traces, shows non-sensitive data', async () => {
    const r = await rig();
    const { lib } = sessions(r);
    await lib.write('loans', { limit: 3 }, { pin: MEMBER_PIN });
    await lib.read('memberNumber');
    const commands = r.traces.filter((e) => e.direction === 'command');
    const update = commands.find((e) => e.bytes[1] === 0xd6)!;
    expect(update.redacted).toBe(true);
    expect(update.redactedLength).toBe(48);
    const responses = r.traces.filter((e) => e.direction === 'response');
    expect(responses.filter((e) => e.redacted).map((e) => e.redactedLength)).toEqual([48, 48]);
    expect(hex(responses.at(-1)!.bytes)).toBe(`${ascii('0012345678')}9000`);
  });

  it('tells the host to forget its selection after every operation, and refuses a closed host', async () => {
    const r = await rig();
    const { lib } = sessions(r);
    await lib.read('memberNumber');
    await lib.remainingTries('pin');
    await rejection(lib.read('loans', { pin: '9999' }));
    expect(r.host.forgets).toBe(3);
    r.host.closed = true;
    const error = await rejection(lib.read('memberNumber'));
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ code: 'session-closed' });
  });

  it('rejects unknown file and secret names', async () => {
    const r = await rig();
    const { lib } = sessions(r);
    // @ts-expect-error not a file of the descriptor
    await expect(lib.read('nope')).rejects.toThrow('has no file named "nope"');
    // @ts-expect-error not a secret of the descriptor
    await expect(lib.remainingTries('nope')).rejects.toThrow('has no secret named "nope"');
  });
});
