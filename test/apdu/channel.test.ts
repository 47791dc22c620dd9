import { describe, expect, it } from 'vitest';
import {
  ApduChannel,
  ApduFormatError,
  CommandApdu,
  ExtendedLengthUnsupportedError,
  FileNotFoundError,
  MalformedResponseError,
  ResponseChainingError,
  WrongLengthError,
} from '../../src/apdu/index.js';
import { fromHex, toHex } from '../../src/bytes.js';
import { CardRemovedError, InvalidArgumentError, TransportError } from '../../src/errors.js';
import type { Transport } from '../../src/transport/transport.js';
import { ScriptTransport } from './script-transport.js';

const JPKI_AID = 'd392f000260100000001';
const bytesHex = (n: number, start = 0): string => toHex(Uint8Array.from({ length: n }, (_, i) => (start + i) & 0xff));
const readAuthCertExt = new CommandApdu({ ins: 0xb0, p1: 0x8a, le: 65536 }); // plan: 00 B0 8A 00 00 00 00
const PIN = fromHex('31323334');
const verifyAuth = (): CommandApdu => new CommandApdu({ ins: 0x20, p2: 0x98, data: PIN });

describe('ApduChannel basics', () => {
  it('returns data and SW; send throws a typed error with the context', async () => {
    const t = new ScriptTransport([
      [`00a4040c0a${JPKI_AID}`, '9000'],
      ['00b0860020', bytesHex(32) + '9000'],
      ['00a4020c020017', '6a82'],
    ]);
    const ch = new ApduChannel(t);
    const sel = await ch.send(new CommandApdu({ ins: 0xa4, p1: 4, p2: 0x0c, data: fromHex(JPKI_AID) }));
    expect(sel.sw).toBe(0x9000);
    const token = await ch.transmit(fromHex('00b0860020'));
    expect(toHex(token.data)).toBe(bytesHex(32));
    const err = await ch
      .send(new CommandApdu({ ins: 0xa4, p1: 2, p2: 0x0c, data: fromHex('0017') }), { context: 'SELECT EF auth key' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FileNotFoundError);
    expect((err as FileNotFoundError).message).toBe('SELECT EF auth key failed: SW 6A82 (file or application not found)');
    expect(t.problems).toEqual([]);
    expect(t.left).toBe(0);
  });

  it('send without context names the instruction', async () => {
    const ch = new ApduChannel(new ScriptTransport([['00b0000010', '6b00']]));
    await expect(ch.send(new CommandApdu({ ins: 0xb0, le: 16 }))).rejects.toThrow('READ BINARY failed: SW 6B00');
  });

  it('transmit returns error SWs raw', async () => {
    const ch = new ApduChannel(new ScriptTransport([['00200098', '63c3']]));
    const r = await ch.transmit(new CommandApdu({ ins: 0x20, p2: 0x98 }));
    expect(r.sw).toBe(0x63c3);
  });

  it('rejects invalid command bytes before sending', async () => {
    const t = new ScriptTransport([]);
    const ch = new ApduChannel(t);
    await expect(ch.transmit(fromHex('00a4040c05d3'))).rejects.toThrow(ApduFormatError);
    await expect(ch.transmit('00a4' as unknown as Uint8Array)).rejects.toThrow(InvalidArgumentError);
    expect(t.sent).toEqual([]);
  });

  it('a response shorter than 2 bytes is a MalformedResponseError', async () => {
    const ch = new ApduChannel(new ScriptTransport([['00b0000001', '90']]));
    await expect(ch.transmit(new CommandApdu({ ins: 0xb0, le: 1 }))).rejects.toThrow(MalformedResponseError);
  });

  it('wraps a non-SDK transport error in a TransportError', async () => {
    const boom = new Error('usb stalled');
    const ch = new ApduChannel(new ScriptTransport([['00b0000001', boom]]));
    const err = await ch.transmit(new CommandApdu({ ins: 0xb0, le: 1 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransportError);
    expect((err as TransportError).cause).toBe(boom);
  });

  it('validates its arguments', () => {
    expect(() => new ApduChannel({} as Transport)).toThrow(InvalidArgumentError);
    const t = new ScriptTransport([]);
    expect(() => new ApduChannel(t, { maxGetResponseRounds: 0 })).toThrow(InvalidArgumentError);
    expect(() => new ApduChannel(t, { extendedLength: 'yes' as unknown as boolean })).toThrow(InvalidArgumentError);
  });

  it('works over any object with transmit()', async () => {
    const plain = { transmit: async (c: Uint8Array) => Uint8Array.from([c[1]!, 0x90, 0x00]) };
    const r = await new ApduChannel(plain).transmit(new CommandApdu({ ins: 0xca, le: 1 }));
    expect(toHex(r.data)).toBe('ca');
  });
});

describe('61xx and 6Cxx', () => {
  it('61xx: GET RESPONSE in two rounds, data concatenated', async () => {
    const t = new ScriptTransport([
      ['802a0080020102' + '00', bytesHex(100) + '6180'],
      ['00c0000080', bytesHex(128, 100) + '6110'],
      ['00c0000010', bytesHex(16, 228) + '9000'],
    ]);
    const r = await new ApduChannel(t).send(new CommandApdu({ cla: 0x80, ins: 0x2a, p2: 0x80, data: fromHex('0102'), le: 256 }));
    expect(toHex(r.data)).toBe(bytesHex(244));
    expect(r.sw).toBe(0x9000);
    expect(t.left).toBe(0);
    expect(t.problems).toEqual([]);
  });

  it('6100 asks for 256 bytes; the last SW is kept', async () => {
    const t = new ScriptTransport([
      ['00b0000000', '6100'],
      ['00c0000000', bytesHex(3) + '6282'],
    ]);
    const r = await new ApduChannel(t).transmit(new CommandApdu({ ins: 0xb0, le: 256 }));
    expect(toHex(r.data)).toBe(bytesHex(3));
    expect(r.sw).toBe(0x6282);
  });

  it.each([
    [0x01, '01'],
    [0x0d, '01'], // SM bits dropped, channel 1 kept
    [0x81, '01'],
    [0x80, '00'],
    [0x45, '45'], // further interindustry, channel 9
    [0x6b, '4b'], // further interindustry with SM bit → SM dropped
  ])('GET RESPONSE after CLA %s uses CLA %s', async (cla, grCla) => {
    const t = new ScriptTransport([
      [toHex(Uint8Array.of(cla)) + 'ca010100', '6102'],
      [`${grCla}c0000002`, 'abcd9000'],
    ]);
    const r = await new ApduChannel(t).transmit(new CommandApdu({ cla, ins: 0xca, p1: 1, p2: 1, le: 256 }));
    expect(t.problems).toEqual([]);
    expect(toHex(r.data)).toBe('abcd');
  });

  it('61xx rounds are bounded', async () => {
    const t = new ScriptTransport([
      ['00b0000000', '6101'],
      ['00c0000001', '006101'],
      ['00c0000001', '006101'],
    ]);
    const ch = new ApduChannel(t, { maxGetResponseRounds: 2 });
    const err = await ch.transmit(new CommandApdu({ ins: 0xb0, le: 256 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ResponseChainingError);
    expect((err as ResponseChainingError).code).toBe('response-chaining');
    expect(t.sent.length).toBe(3);
  });

  it('6Cxx: resends a read once with Le = SW2', async () => {
    const t = new ScriptTransport([
      ['00b0810000', '6c11'],
      ['00b0810011', bytesHex(17) + '9000'],
    ]);
    const r = await new ApduChannel(t).send(new CommandApdu({ ins: 0xb0, p1: 0x81, le: 256 }));
    expect(toHex(r.data)).toBe(bytesHex(17));
    expect(t.sent).toEqual(['00b0810000', '00b0810011']);
  });

  it('6C00 means Le 256; a second 6Cxx is returned, not resent again', async () => {
    const t = new ScriptTransport([
      ['00b0000010', '6c00'],
      ['00b0000000', '6c05'],
    ]);
    const r = await new ApduChannel(t).transmit(new CommandApdu({ ins: 0xb0, le: 16 }));
    expect(r.sw).toBe(0x6c05);
    expect(t.sent).toEqual(['00b0000010', '00b0000000']);
  });

  it('6Cxx then 61xx is followed by GET RESPONSE', async () => {
    const t = new ScriptTransport([
      ['00ca010105', '6c02'],
      ['00ca010102', '6102'],
      ['00c0000002', '11229000'],
    ]);
    const r = await new ApduChannel(t).transmit(new CommandApdu({ ins: 0xca, p1: 1, p2: 1, le: 5 }));
    expect(toHex(r.data)).toBe('1122');
  });

  it.each([
    ['VERIFY', verifyAuth],
    ['CHANGE REFERENCE DATA', () => new CommandApdu({ ins: 0x24, p1: 1, p2: 0x80, data: PIN })],
    ['signature', () => new CommandApdu({ cla: 0x80, ins: 0x2a, p2: 0x80, data: fromHex('0102'), le: 256 })],
    ['SELECT', () => new CommandApdu({ ins: 0xa4, p1: 4, p2: 0, data: fromHex(JPKI_AID), le: 256 })],
    ['proprietary 80 B0', () => new CommandApdu({ cla: 0x80, ins: 0xb0, le: 16 })],
  ])('6Cxx on %s is returned, never resent', async (_n, make) => {
    const cmd = make();
    const t = new ScriptTransport([[toHex(cmd.toBytes()), '6c04']]);
    const r = await new ApduChannel(t).transmit(cmd);
    expect(r.sw).toBe(0x6c04);
    expect(t.sent.length).toBe(1);
  });
});

describe('extended length', () => {
  it('6700 on an extended read → short Le 256 resend, remembered for the session', async () => {
    const t = new ScriptTransport([
      ['00b08a00000000', '6700'],
      ['00b08a0000', bytesHex(256) + '9000'],
      ['00b0810000', bytesHex(17) + '9000'],
    ]);
    const ch = new ApduChannel(t);
    expect(ch.extendedLengthSupported).toBeUndefined();
    const r = await ch.send(readAuthCertExt);
    expect(r.data.length).toBe(256);
    expect(ch.extendedLengthSupported).toBe(false);
    // Next extended read goes out short at once.
    const r2 = await ch.send(new CommandApdu({ ins: 0xb0, p1: 0x81, le: 65536 }));
    expect(r2.data.length).toBe(17);
    expect(t.sent).toEqual(['00b08a00000000', '00b08a0000', '00b0810000']);
    expect(t.problems).toEqual([]);
  });

  it('a forced-extended read with a small Le keeps its Le when shortened', async () => {
    const t = new ScriptTransport([
      ['00b08100000011', '6700'],
      ['00b0810011', bytesHex(17) + '9000'],
    ]);
    const r = await new ApduChannel(t).send(new CommandApdu({ ins: 0xb0, p1: 0x81, le: 17, extended: true }));
    expect(r.data.length).toBe(17);
  });

  it('a TransportError on an extended command → fallback', async () => {
    const t = new ScriptTransport([
      ['00b08200000000', new TransportError('reader refused the APDU')],
      ['00b0820000', bytesHex(256) + '9000'],
    ]);
    const ch = new ApduChannel(t);
    const r = await ch.transmit(new CommandApdu({ ins: 0xb0, p1: 0x82, le: 65536 }));
    expect(r.data.length).toBe(256);
    expect(ch.extendedLengthSupported).toBe(false);
  });

  it('a foreign error on an extended command is wrapped and also falls back', async () => {
    const t = new ScriptTransport([
      ['00b08200000000', new Error('SCARD_E_INVALID_PARAMETER')],
      ['00b0820000', '9000'],
    ]);
    const ch = new ApduChannel(t);
    expect((await ch.transmit(new CommandApdu({ ins: 0xb0, p1: 0x82, le: 65536 }))).sw).toBe(0x9000);
    expect(ch.extendedLengthSupported).toBe(false);
  });

  it('CardRemovedError is not a refusal: it propagates and nothing is resent', async () => {
    const t = new ScriptTransport([['00b08a00000000', new CardRemovedError()]]);
    const ch = new ApduChannel(t);
    await expect(ch.transmit(readAuthCertExt)).rejects.toThrow(CardRemovedError);
    expect(t.sent.length).toBe(1);
    expect(ch.extendedLengthSupported).toBeUndefined();
  });

  it('a successful extended exchange marks support; a later 6700 is then just an error', async () => {
    const t = new ScriptTransport([
      ['00b08a00000000', bytesHex(300) + '9000'],
      ['00b08b00000000', '6700'],
    ]);
    const ch = new ApduChannel(t);
    expect((await ch.send(readAuthCertExt)).data.length).toBe(300);
    expect(ch.extendedLengthSupported).toBe(true);
    await expect(ch.send(new CommandApdu({ ins: 0xb0, p1: 0x8b, le: 65536 }))).rejects.toThrow(WrongLengthError);
    expect(t.sent.length).toBe(2);
  });

  it('a non-read extended command refused → ExtendedLengthUnsupportedError, not resent; later ones not sent', async () => {
    const body = bytesHex(256);
    const t = new ScriptTransport([['80ae0000000100' + body, '6700']]);
    const ch = new ApduChannel(t);
    const cmd = new CommandApdu({ cla: 0x80, ins: 0xae, data: fromHex(body) });
    const err = await ch.transmit(cmd).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExtendedLengthUnsupportedError);
    expect((err as ExtendedLengthUnsupportedError).code).toBe('extended-length-unsupported');
    await expect(ch.transmit(cmd)).rejects.toThrow(ExtendedLengthUnsupportedError);
    expect(t.sent.length).toBe(1);
  });

  it('a read with more than 255 data bytes cannot be shortened', async () => {
    const t = new ScriptTransport([], { extendedLength: false });
    const cmd = new CommandApdu({ ins: 0xcb, data: new Uint8Array(300), le: 16 });
    await expect(new ApduChannel(t).transmit(cmd)).rejects.toThrow(ExtendedLengthUnsupportedError);
    expect(t.sent).toEqual([]);
  });

  it('transport hint extendedLength:false → never sends extended', async () => {
    const t = new ScriptTransport([['00b08a0000', bytesHex(256) + '9000']], { extendedLength: false });
    const ch = new ApduChannel(t);
    expect(ch.extendedLengthSupported).toBe(false);
    expect((await ch.transmit(readAuthCertExt)).data.length).toBe(256);
    expect(t.sent).toEqual(['00b08a0000']);
  });

  it('option extendedLength:false overrides a true hint', async () => {
    const t = new ScriptTransport([['00b08a0000', '9000']], { extendedLength: true });
    const ch = new ApduChannel(t, { extendedLength: false });
    await ch.transmit(readAuthCertExt);
    expect(t.sent).toEqual(['00b08a0000']);
  });

  it.each([
    ['transport hint', { extendedLength: true }, {}],
    ['channel option', {}, { extendedLength: true }],
  ] as const)('extended known to work (%s): 6700 and transport errors are not refusals', async (_n, hints, opts) => {
    const t = new ScriptTransport(
      [
        ['00b08a00000000', '6700'],
        ['00b08a00000000', new TransportError('io')],
      ],
      hints,
    );
    const ch = new ApduChannel(t, opts);
    expect(ch.extendedLengthSupported).toBe(true);
    expect((await ch.transmit(readAuthCertExt)).sw).toBe(0x6700);
    await expect(ch.transmit(readAuthCertExt)).rejects.toThrow(TransportError);
    expect(t.sent.length).toBe(2);
    expect(ch.extendedLengthSupported).toBe(true);
  });

  it('maxResponseLength hint caps the Le of reads', async () => {
    const t = new ScriptTransport([['00b08a0080', bytesHex(128) + '9000']], { maxResponseLength: 130 });
    const r = await new ApduChannel(t).transmit(readAuthCertExt);
    expect(r.data.length).toBe(128);
    expect(t.sent).toEqual(['00b08a0080']);
  });

  it('maxResponseLength hint also caps GET RESPONSE', async () => {
    const t = new ScriptTransport(
      [
        ['00ca010180', '6100'],
        ['00c0000080', bytesHex(128) + '6180'],
        ['00c0000080', bytesHex(128, 128) + '9000'],
      ],
      { maxResponseLength: 130 },
    );
    const r = await new ApduChannel(t).transmit(new CommandApdu({ ins: 0xca, p1: 1, p2: 1, le: 256 }));
    expect(toHex(r.data)).toBe(bytesHex(256));
    expect(t.problems).toEqual([]);
  });

  it('VERIFY is never resent, whatever happens', async () => {
    const forcedExtVerify = new CommandApdu({ ins: 0x20, p2: 0x98, data: PIN, extended: true });
    for (const answer of ['6700', new TransportError('io'), new Error('io')] as const) {
      const t = new ScriptTransport([['0020009800000431323334', answer]]);
      const err = await new ApduChannel(t).transmit(forcedExtVerify).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ExtendedLengthUnsupportedError);
      expect(t.sent.length).toBe(1);
    }
    const t = new ScriptTransport([['002000980431323334', new TransportError('io')]]);
    await expect(new ApduChannel(t).transmit(verifyAuth())).rejects.toThrow(TransportError);
    expect(t.sent.length).toBe(1);
  });

  it('the signature is never resent on refusal', async () => {
    const data = bytesHex(0x33);
    const t = new ScriptTransport([[`802a008000003${'3'}${data}0100`, '6700']]);
    const cmd = new CommandApdu({ cla: 0x80, ins: 0x2a, p2: 0x80, data: fromHex(data), le: 256, extended: true });
    await expect(new ApduChannel(t).transmit(cmd)).rejects.toThrow(ExtendedLengthUnsupportedError);
    expect(t.sent.length).toBe(1);
    expect(t.problems).toEqual([]);
  });
});
