import { describe, expect, it } from 'vitest';
import {
  ApduChannel,
  CommandApdu,
  commandName,
  commandTraceEvent,
  formatCommandRedacted,
  formatTraceEvent,
  responseTraceEvent,
  type ApduTraceEvent,
} from '../../src/apdu/index.js';
import { fromHex, toHex } from '../../src/bytes.js';
import { ScriptTransport } from './script-transport.js';

const PIN = '31323334'; // "1234"
const NEW_PIN = '35363738'; // "5678"
const MY_NUMBER_EF = 'ff100c' + '313233343536373839303132' + 'ffff'; // EF 0001 layout (plan), dummy digits

function assertNoSecret(events: readonly ApduTraceEvent[], secrets: readonly string[]): void {
  for (const e of events) {
    const h = toHex(e.bytes);
    const text = formatTraceEvent(e).replace(/\s/g, '').toLowerCase();
    for (const s of secrets) {
      expect(h.includes(s)).toBe(false);
      expect(text.includes(s)).toBe(false);
    }
  }
}

describe('trace events', () => {
  it('formats plain commands and responses', () => {
    const c = commandTraceEvent(new CommandApdu({ ins: 0xa4, p1: 4, p2: 0x0c, data: fromHex('d392f000260100000001') }));
    expect(c.redacted).toBe(false);
    expect(formatTraceEvent(c)).toBe('=> 00 A4 04 0C 0A D3 92 F0 00 26 01 00 00 00 01');
    const r = responseTraceEvent(fromHex('01029000'), 0x9000);
    expect(formatTraceEvent(r)).toBe('<= 01 02 90 00');
    expect(r.sw).toBe(0x9000);
  });

  it('redacts VERIFY data and keeps header, Lc and Le', () => {
    const short = commandTraceEvent(new CommandApdu({ ins: 0x20, p2: 0x98, data: fromHex(PIN) }));
    expect(short).toMatchObject({ redacted: true, redactedLength: 4, redactedOffset: 5 });
    expect(toHex(short.bytes)).toBe('0020009804');
    expect(formatTraceEvent(short)).toBe('=> 00 20 00 98 04 <redacted 4 bytes>');
    const ext = commandTraceEvent(new CommandApdu({ ins: 0x20, p2: 0x98, data: fromHex(PIN), le: 16, extended: true }));
    expect(toHex(ext.bytes)).toBe('00200098000004' + '0010');
    expect(formatTraceEvent(ext)).toBe('=> 00 20 00 98 00 00 04 <redacted 4 bytes> 00 10');
    const one = commandTraceEvent(new CommandApdu({ ins: 0x24, p1: 1, p2: 0x80, data: fromHex('31') }));
    expect(formatTraceEvent(one)).toBe('=> 00 24 01 80 01 <redacted 1 byte>');
  });

  it('does not redact a VERIFY without data (try-counter query)', () => {
    const e = commandTraceEvent(new CommandApdu({ ins: 0x20, p2: 0x98 }));
    expect(e.redacted).toBe(false);
    expect(formatTraceEvent(e)).toBe('=> 00 20 00 98');
  });

  it('redacts sensitive responses but keeps the SW', () => {
    const e = responseTraceEvent(fromHex(MY_NUMBER_EF + '9000'), 0x9000, true);
    expect(e).toMatchObject({ redacted: true, redactedLength: 17, redactedOffset: 0, sw: 0x9000 });
    expect(toHex(e.bytes)).toBe('9000');
    expect(formatTraceEvent(e)).toBe('<= <redacted 17 bytes> 90 00');
    expect(responseTraceEvent(fromHex('6982'), 0x6982, true).redacted).toBe(false);
  });

  it.each([
    ['002000980431323334', '00 20 00 98 04 <redacted 4 bytes>'],
    ['0024018006353637', '00 24 01 80 06 <redacted 3 bytes>'], // invalid framing: still hidden
    ['8032008004' + NEW_PIN, '80 32 00 80 04 <redacted 4 bytes>'], // CHANGE KEY (card-facts §4)
    ['002c0080083132333435363738', '00 2C 00 80 08 <redacted 8 bytes>'],
    ['00b0860020', '00 B0 86 00 20'],
    ['00a4', '00 A4'],
  ])('formatCommandRedacted(%s)', (h, text) => {
    expect(formatCommandRedacted(fromHex(h))).toBe(text);
  });

  it('names commands', () => {
    expect(commandName({ cla: 0, ins: 0xb0 })).toBe('READ BINARY');
    expect(commandName({ cla: 0x80, ins: 0x2a })).toBe('COMPUTE DIGITAL SIGNATURE');
    expect(commandName({ cla: 0x80, ins: 0x32 })).toBe('CLA 80 INS 32');
  });
});

describe('ApduChannel onTrace', () => {
  it('sees every APDU, never a PIN, a new PIN or sensitive response data', async () => {
    const t = new ScriptTransport([
      ['00200098', '63c3'],
      ['0020009804' + PIN, '9000'],
      ['00a4020c020018', '9000'],
      ['0024018004' + NEW_PIN, '9000'],
      ['0020009b000004' + PIN, '6700'], // forced extended VERIFY: refused, not resent
      ['002c008008' + PIN + NEW_PIN, '9000'],
      ['00b0810000', '6111'],
      ['00c0000011', MY_NUMBER_EF + '9000'],
      ['80ff000004' + PIN, '9000'],
    ]);
    const events: ApduTraceEvent[] = [];
    const ch = new ApduChannel(t, { onTrace: (e) => events.push(e) });
    await ch.transmit(new CommandApdu({ ins: 0x20, p2: 0x98 }));
    await ch.send(new CommandApdu({ ins: 0x20, p2: 0x98, data: fromHex(PIN) }));
    await ch.send(new CommandApdu({ ins: 0xa4, p1: 2, p2: 0x0c, data: fromHex('0018') }));
    await ch.send(new CommandApdu({ ins: 0x24, p1: 1, p2: 0x80, data: fromHex(NEW_PIN) }));
    await expect(ch.send(new CommandApdu({ ins: 0x20, p2: 0x9b, data: fromHex(PIN), extended: true }))).rejects.toThrow();
    await ch.send(new CommandApdu({ ins: 0x2c, p2: 0x80, data: fromHex(PIN + NEW_PIN) }));
    const mn = await ch.send(new CommandApdu({ ins: 0xb0, p1: 0x81, le: 256 }), { sensitiveResponse: true });
    expect(toHex(mn.data)).toBe(MY_NUMBER_EF);
    await ch.send(new CommandApdu({ cla: 0x80, ins: 0xff, data: fromHex(PIN) }), { sensitiveCommand: true });
    expect(t.problems).toEqual([]);
    expect(events.map(formatTraceEvent)).toEqual([
      '=> 00 20 00 98',
      '<= 63 C3',
      '=> 00 20 00 98 04 <redacted 4 bytes>',
      '<= 90 00',
      '=> 00 A4 02 0C 02 00 18',
      '<= 90 00',
      '=> 00 24 01 80 04 <redacted 4 bytes>',
      '<= 90 00',
      '=> 00 20 00 9B 00 00 04 <redacted 4 bytes>',
      '<= 67 00',
      '=> 00 2C 00 80 08 <redacted 8 bytes>',
      '<= 90 00',
      '=> 00 B0 81 00 00',
      '<= 61 11',
      '=> 00 C0 00 00 11',
      '<= <redacted 17 bytes> 90 00',
      '=> 80 FF 00 00 04 <redacted 4 bytes>',
      '<= 90 00',
    ]);
    assertNoSecret(events, [PIN, NEW_PIN, '313233343536373839303132']);
  });

  it('a throwing or rejecting hook neither breaks the command nor sees a PIN', async () => {
    const seen: string[] = [];
    const throwing = new ApduChannel(
      new ScriptTransport([['0020009804' + PIN, '9000']]),
      {
        onTrace: (e) => {
          seen.push(toHex(e.bytes));
          throw new Error('logger down');
        },
      },
    );
    expect((await throwing.send(new CommandApdu({ ins: 0x20, p2: 0x98, data: fromHex(PIN) }))).sw).toBe(0x9000);
    expect(seen).toEqual(['0020009804', '9000']);
    const rejecting = new ApduChannel(new ScriptTransport([['00b0000001', '009000']]), {
      onTrace: async () => {
        throw new Error('async logger down');
      },
    });
    expect((await rejecting.send(new CommandApdu({ ins: 0xb0, le: 1 }))).sw).toBe(0x9000);
  });

  it('traces the extended fallback step by step', async () => {
    const events: ApduTraceEvent[] = [];
    const ch = new ApduChannel(
      new ScriptTransport([
        ['00b08a00000000', '6700'],
        ['00b08a0000', '01029000'],
      ]),
      { onTrace: (e) => events.push(e) },
    );
    await ch.send(new CommandApdu({ ins: 0xb0, p1: 0x8a, le: 65536 }));
    expect(events.map(formatTraceEvent)).toEqual([
      '=> 00 B0 8A 00 00 00 00',
      '<= 67 00',
      '=> 00 B0 8A 00 00',
      '<= 01 02 90 00',
    ]);
  });
});

describe('ApduChannel onWarning', () => {
  it('reports warnings; send resolves with the warning visible', async () => {
    const warnings: string[] = [];
    const ch = new ApduChannel(
      new ScriptTransport([
        ['00b0000000', '01026282'],
        ['00b0010000', '6300'],
        ['00b0020000', '9000'],
      ]),
      {
        onWarning: (w, context) => {
          warnings.push(`${context}:${w.code}:${w.sw.toString(16)}`);
          throw new Error('hook failure is swallowed');
        },
      },
    );
    const r = await ch.send(new CommandApdu({ ins: 0xb0, le: 256 }));
    expect(r.sw).toBe(0x6282);
    expect(r.ok).toBe(false);
    expect(r.warning?.code).toBe('end-of-file');
    expect(toHex(r.data)).toBe('0102');
    await ch.transmit(new CommandApdu({ ins: 0xb0, p1: 1, le: 256 }), { context: 'read chunk' });
    await ch.send(new CommandApdu({ ins: 0xb0, p1: 2, le: 256 }));
    expect(warnings).toEqual(['READ BINARY:end-of-file:6282', 'read chunk:no-information:6300']);
  });
});
