import { describe, expect, it } from 'vitest';
import { ApduChannel, CommandApdu } from '../../src/apdu/index.js';
import { fromHex, toHex } from '../../src/bytes.js';
import { CardRemovedError, InvalidArgumentError, MynacardError, TransportError } from '../../src/errors.js';
import { ReplayError, ReplayTransport } from '../../src/testing/replay.js';

const JPKI_AID = 'D392F000260100000001';

/** The plan's "remainingTries + VERIFY" exchange for the JPKI auth PIN, with a dummy PIN 1234. */
const transcript = {
  description: 'JPKI auth PIN verify',
  exchanges: [
    { c: `00 A4 04 0C 0A ${JPKI_AID}`, r: '90 00', note: 'SELECT JPKI AP' },
    { c: '00200098', r: '63c3', note: 'tries' },
    { c: '00 20 00 98 04 31 32 33 34', r: '9000', note: 'VERIFY <auth PIN>' },
    { c: '00 B0 86 00 20', r: '4A504B494150494343544F4B454E32' + '20'.repeat(17) + '9000', note: 'token' },
  ],
};

const select = fromHex(`00A4040C0A${JPKI_AID}`);
const verify = (pin: string): Uint8Array => fromHex('0020009804' + pin);

async function catchError(p: Promise<unknown>): Promise<ReplayError> {
  const e = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ReplayError);
  return e as ReplayError;
}

describe('ReplayTransport', () => {
  it('plays a JSON transcript (hex in any case, spaces allowed)', async () => {
    const t = ReplayTransport.fromJson(transcript);
    expect(t.description).toBe('JPKI auth PIN verify');
    expect(t.remaining).toBe(4);
    expect(toHex(await t.transmit(select))).toBe('9000');
    expect(toHex(await t.transmit(fromHex('00200098')))).toBe('63c3');
    expect(toHex(await t.transmit(verify('31323334')))).toBe('9000');
    expect(t.remaining).toBe(1);
    const token = await t.transmit(fromHex('00b0860020'));
    expect(token.length).toBe(34);
    expect(t.remaining).toBe(0);
    expect(() => t.assertDone()).not.toThrow();
  });

  it('accepts the JSON text as well', async () => {
    const t = ReplayTransport.fromJson(JSON.stringify(transcript));
    expect(t.remaining).toBe(4);
  });

  it('returns a copy of the response', async () => {
    const t = ReplayTransport.fromJson({ description: 'x', exchanges: [{ c: '00b0000001', r: '419000' }, { c: '00b0000001', r: '419000' }] });
    const first = await t.transmit(fromHex('00b0000001'));
    first[0] = 0;
    expect(toHex(await t.transmit(fromHex('00b0000001')))).toBe('419000');
  });

  it('drives an ApduChannel', async () => {
    const t = ReplayTransport.fromJson(transcript);
    const ch = new ApduChannel(t);
    await ch.send(select);
    expect((await ch.transmit(new CommandApdu({ ins: 0x20, p2: 0x98 }))).sw).toBe(0x63c3);
    await ch.send(new CommandApdu({ ins: 0x20, p2: 0x98, data: fromHex('31323334') }));
    const token = await ch.send(new CommandApdu({ ins: 0xb0, p1: 0x86, le: 0x20 }));
    expect(new TextDecoder().decode(token.data).trimEnd()).toBe('JPKIAPICCTOKEN2');
    t.assertDone();
  });

  it('an unexpected command names the index and both commands, with VERIFY bodies redacted', async () => {
    const t = ReplayTransport.fromJson(transcript);
    await t.transmit(select);
    await t.transmit(fromHex('00200098'));
    const e = await catchError(t.transmit(verify('39393939')));
    expect(e.code).toBe('replay-mismatch');
    expect(e.index).toBe(2);
    expect(e.message).toBe(
      'Replay "JPKI auth PIN verify": unexpected command at exchange #2 (VERIFY <auth PIN>): ' +
        'expected 00 20 00 98 04 <redacted 4 bytes>, got 00 20 00 98 04 <redacted 4 bytes>',
    );
    expect(e.message).not.toMatch(/31 32 33 34|39 39 39 39|31323334|39393939/);
    // The failure is sticky: the right command now also fails, and assertDone reports it.
    await expect(t.transmit(verify('31323334'))).rejects.toBe(e);
    expect(() => t.assertDone()).toThrow(e);
    expect(t.remaining).toBe(2);
  });

  it('a mismatch on a plain command shows both in hex', async () => {
    const t = ReplayTransport.fromJson(transcript);
    const e = await catchError(t.transmit(fromHex('00a4040c0ad3921000310001010408')));
    expect(e.index).toBe(0);
    expect(e.message).toContain(
      'expected 00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01, got 00 A4 04 0C 0A D3 92 10 00 31 00 01 01 04 08',
    );
  });

  it('an exhausted transcript fails (with the command redacted)', async () => {
    const t = ReplayTransport.fromText('=> 00200098\n<= 63C3');
    await t.transmit(fromHex('00200098'));
    const e = await catchError(t.transmit(verify('31323334')));
    expect(e.code).toBe('replay-exhausted');
    expect(e.index).toBe(1);
    expect(e.message).toBe(
      'Replay: transcript exhausted after 1 exchange(s); unexpected command 00 20 00 98 04 <redacted 4 bytes>',
    );
    expect(() => t.assertDone()).toThrow(e);
  });

  it('assertDone reports leftover lines', async () => {
    const t = ReplayTransport.fromJson(transcript);
    await t.transmit(select);
    await t.transmit(fromHex('00200098'));
    let e: unknown;
    try {
      t.assertDone();
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(ReplayError);
    expect(e).toBeInstanceOf(MynacardError);
    expect((e as ReplayError).code).toBe('replay-leftover');
    expect((e as ReplayError).index).toBe(2);
    expect((e as ReplayError).message).toBe(
      'Replay "JPKI auth PIN verify": 2 exchange(s) not played; next expected #2: 00 20 00 98 04 <redacted 4 bytes>',
    );
  });

  it('replay errors are not TransportErrors (the channel must not treat them as extended-length refusal)', async () => {
    const t = ReplayTransport.fromText('=> 00 B0 8A 00 00\n<= 90 00');
    const ch = new ApduChannel(t);
    const e = await catchError(ch.transmit(new CommandApdu({ ins: 0xb0, p1: 0x8a, le: 65536 })));
    expect(e).not.toBeInstanceOf(TransportError);
    expect(e.code).toBe('replay-mismatch');
    expect(ch.extendedLengthSupported).toBeUndefined();
  });

  it('reads the Ledger-style text form with comments and blank lines', async () => {
    const t = ReplayTransport.fromText(
      [
        '# connect',
        `=> 00a4040c0a${JPKI_AID.toLowerCase()}`,
        '<= 9000',
        '',
        '// token',
        '=>00 B0 86 00 20',
        '  <= ' + '41'.repeat(32) + ' 90 00  ',
      ].join('\r\n'),
      { description: 'text', extendedLength: false, maxResponseLength: 258 },
    );
    expect(t.remaining).toBe(2);
    expect(t.extendedLength).toBe(false);
    expect(t.maxResponseLength).toBe(258);
    expect(toHex(await t.transmit(select))).toBe('9000');
    expect((await t.transmit(fromHex('00b0860020'))).length).toBe(34);
    t.assertDone();
  });

  it.each([
    ['=> 00a40400\n=> 00a40400\n<= 9000', /line 2/],
    ['<= 9000', /line 1/],
    ['=> 00a40400', /no response/],
    ['=> 00a4040\n<= 9000', /line 1.*odd/],
    ['=> 00a4zz00\n<= 9000', /line 1.*not hex/],
    ['> 00a40400', /line 1/],
    ['=> 00a40400\n<= 90', /#0.*SW1 SW2/],
    ['=> \n<= 9000', /#0.*non-empty/],
  ])('fromText rejects %j', (text, message) => {
    expect(() => ReplayTransport.fromText(text)).toThrow(InvalidArgumentError);
    expect(() => ReplayTransport.fromText(text)).toThrow(message);
  });

  it.each<[unknown, RegExp]>([
    [[], /JSON object/],
    ['{', /not valid JSON/],
    [{ description: 1, exchanges: [] }, /description/],
    [{ description: 'x' }, /exchanges/],
    [{ description: 'x', exchanges: [{ c: '00a40400' }] }, /#0: "r" must be a hex string/],
    [{ description: 'x', exchanges: [{ c: '00a40400', r: 9000 }] }, /#0: "r" must be a hex string/],
    [{ description: 'x', exchanges: [{ c: '00a40400', r: '9000', resp: '' }] }, /unknown key "resp"/],
    [{ description: 'x', exchanges: [{ c: '00a40400', r: '9000', note: 3 }] }, /note/],
    [{ description: 'x', exchanges: [{ c: '00a40400', r: '90' }] }, /#0.*SW1 SW2/],
    [{ description: 'x', exchanges: [null] }, /#0 must be an object/],
  ])('fromJson rejects %j', (obj, message) => {
    expect(() => ReplayTransport.fromJson(obj)).toThrow(InvalidArgumentError);
    expect(() => ReplayTransport.fromJson(obj)).toThrow(message);
  });

  it('rejects transmits after close', async () => {
    const t = ReplayTransport.fromText('=> 00a40400\n<= 9000');
    await t.close();
    await expect(t.transmit(fromHex('00a40400'))).rejects.toBeInstanceOf(TransportError);
  });
});

describe('ReplayTransport: recorded card removal', () => {
  it('rejects with CardRemovedError at an "error": "card-removed" exchange and counts it as played', async () => {
    const replay = ReplayTransport.fromJson({
      exchanges: [
        { c: '00A4040C0AD392F000260100000001', r: '9000' },
        { c: '00B0020000', error: 'card-removed', note: 'pulled' },
      ],
    });
    expect(await replay.transmit(fromHex('00A4040C0AD392F000260100000001'))).toEqual(fromHex('9000'));
    await expect(replay.transmit(fromHex('00B0020000'))).rejects.toBeInstanceOf(CardRemovedError);
    expect(replay.remaining).toBe(0);
    expect(() => replay.assertDone()).not.toThrow();
  });

  it('rejects an exchange with both "r" and "error", or an unknown error kind', () => {
    expect(() => ReplayTransport.fromJson({ exchanges: [{ c: '00', r: '9000', error: 'card-removed' }] })).toThrow(InvalidArgumentError);
    expect(() => ReplayTransport.fromJson({ exchanges: [{ c: '00', error: 'boom' }] })).toThrow(InvalidArgumentError);
  });
});
