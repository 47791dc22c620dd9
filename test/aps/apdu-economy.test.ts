/** The APDU targets of the card-session issue, counted on the virtual card from a fresh connect. */
import { describe, expect, it } from 'vitest';
import { AUTH_PIN, SELECT, TEXT_PIN, commands, rig } from './helpers.js';

describe('fewest APDUs', () => {
  it('auth certificate with extended length: 3 APDUs including connect', async () => {
    const { vc, card } = await rig({}, { keepConnectLog: true });
    await card.jpki.readCertificate('auth');
    expect(commands(vc)).toEqual([SELECT.jpki, '00B0860020', '00B08A00000000']);
  });

  for (const [name, options, step, probe] of [
    ['advertised', { quirks: { extendedLength: false }, advertiseExtendedLength: true }, 256, 0],
    ['detected by one refusal', { quirks: { extendedLength: false } }, 256, 1],
    ['the reader returns 200-byte chunks', { quirks: { extendedLength: false, maxChunk: 200 }, advertiseExtendedLength: true }, 200, 0],
  ] as const) {
    it(`auth certificate short-only (${name})`, async () => {
      const { vc, card } = await rig(options, { keepConnectLog: true });
      const der = await card.jpki.readCertificate('auth');
      const log = commands(vc);
      const chunks = Math.ceil(der.length / step);
      expect(log.length).toBe(2 + probe + chunks);
      if (step === 256) expect(log.length).toBeLessThanOrEqual(2 + Math.ceil(der.length / 256) + 1); // the target
      if (probe === 1) {
        expect(log[2]).toBe('00B08A00000000');
        expect(vc.log[2]!.response).toEqual(Uint8Array.of(0x67, 0x00));
      }
      // Continuation reads by offset advance by the bytes actually returned; the last asks for the exact remainder.
      const reads = log.filter((c) => c.startsWith('00B0') && parseInt(c.slice(4, 6), 16) < 0x80);
      expect(reads.map((c) => parseInt(c.slice(4, 8), 16))).toEqual(Array.from({ length: chunks - 1 }, (_, i) => (i + 1) * step));
      expect(parseInt(reads.at(-1)!.slice(8, 10), 16)).toBe(der.length - (chunks - 1) * step);
    });
  }

  it('remainingTries: 1 APDU with the AP current, 2 after another AP', async () => {
    const { vc, card } = await rig();
    await card.jpki.remainingTries('auth');
    expect(vc.log).toHaveLength(1);
    vc.clearLog();
    await card.text.remainingTries();
    expect(vc.log).toHaveLength(2);
  });

  it('基本4情報: 4 APDUs to the data (SELECT AP, tries, VERIFY, READ), +1 to drop the security status', async () => {
    const { vc, card } = await rig();
    await card.text.readAttributes({ pin: TEXT_PIN });
    expect(commands(vc)).toEqual([SELECT.text, '00200091', '00200091', '00B08200000000', SELECT.text]);
    const kept = await rig();
    await kept.card.text.readAttributes({ pin: TEXT_PIN, keepSecurityStatus: true });
    expect(kept.vc.log).toHaveLength(4);
  });

  it('sign: tries, VERIFY, SELECT key, 80 2A, drop', async () => {
    const { vc, card } = await rig();
    await card.jpki.sign('auth', new Uint8Array(4), { pin: AUTH_PIN });
    expect(vc.log).toHaveLength(5);
  });
});
