import { describe, expect, it } from 'vitest';
import { SecurityStatusNotSatisfiedError } from '../../src/apdu/status.js';
import { formatTraceEvent, type ApduTraceEvent } from '../../src/apdu/trace.js';
import { MyNumberCard } from '../../src/aps/card.js';
import { TransportError } from '../../src/errors.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import type { Transport } from '../../src/transport/transport.js';
import { AUTH_PIN, SELECT, SIGN_PASSWORD, TEXT_PIN, commands, hex, rig } from './helpers.js';

/** A transport that answers the token read with `label` (padded with `pad`). */
function withLabel(vc: VirtualMyNumberCard, label: string, pad: number): Transport {
  return {
    async transmit(command) {
      if (hex(command) === '00B0860020') {
        const bytes = new Uint8Array(34).fill(pad);
        for (let i = 0; i < label.length; i++) bytes[i] = label.charCodeAt(i);
        bytes[32] = 0x90;
        bytes[33] = 0x00;
        return bytes;
      }
      return vc.transmit(command);
    },
  };
}

describe('MyNumberCard.connect', () => {
  it('SELECT JPKI AP and the 32-byte token label, nothing else (no ATR)', async () => {
    const { vc, card } = await rig({}, { keepConnectLog: true });
    expect(commands(vc)).toEqual([SELECT.jpki, '00B0860020']);
    expect(card.profile).toBe('card');
    expect(card.closed).toBe(false);
    expect(card.extendedLength).toBeUndefined();
    await card.jpki.readCertificate('auth-ca');
    expect(card.extendedLength).toBe(true);
  });

  for (const profile of ['card', 'android', 'iphone', 'juki'] as const) {
    it(`detects the ${profile} profile from the token label`, async () => {
      for (const tokenInfo of ['label', 'full'] as const) {
        const { card } = await rig({ profile, tokenInfo });
        expect(card.profile).toBe(profile);
      }
    });
  }

  it('trims spaces and NULs; an unknown label gives unknown but a usable session', async () => {
    const vc = await VirtualMyNumberCard.create();
    expect((await MyNumberCard.connect(withLabel(vc, 'JPKIAPICCTOKEN2', 0x00))).profile).toBe('card');
    expect((await MyNumberCard.connect(withLabel(vc, '\0JPKIAPGPSETOKEN ', 0x00))).profile).toBe('android');
    const unknown = await MyNumberCard.connect(withLabel(vc, 'JPKIAPNEXTGENTOKEN', 0x20));
    expect(unknown.profile).toBe('unknown');
    expect((await unknown.jpki.tokenInfo()).label).toBe('JPKIAPNEXTGENTOKEN');
    expect(await unknown.jpki.sign('auth', new Uint8Array(1), { pin: AUTH_PIN })).toHaveLength(256);
  });

  it('a token EF the card refuses leaves the profile unknown; tokenInfo() then asks again', async () => {
    const vc = await VirtualMyNumberCard.create();
    let refuse = true;
    const transport: Transport = {
      async transmit(command) {
        if (refuse && hex(command) === '00B0860020') return Uint8Array.of(0x69, 0x82);
        return vc.transmit(command);
      },
    };
    const card = await MyNumberCard.connect(transport);
    expect(card.profile).toBe('unknown');
    await expect(card.jpki.tokenInfo()).rejects.toBeInstanceOf(SecurityStatusNotSatisfiedError);
    refuse = false;
    expect((await card.jpki.tokenInfo()).profile).toBe('card');
    expect(card.profile).toBe('card');
  });

  it('extendedLength: false sends short APDUs only, even to a card that accepts extended ones', async () => {
    const { vc, card } = await rig({}, { extendedLength: false });
    const der = await card.jpki.readCertificate('auth');
    expect(der.length).toBe(vc.certificates.auth.length);
    expect(commands(vc)[0]).toBe('00B08A0000');
    expect(commands(vc)).toHaveLength(Math.ceil(der.length / 256));
    expect(card.extendedLength).toBe(false);
  });

  it('onExtendedLength tells the detected support once, and passing it back skips the probe', async () => {
    const seen: boolean[] = [];
    const first = await rig({ quirks: { extendedLength: false } }, { onExtendedLength: (v) => seen.push(v) });
    await first.card.jpki.readCertificate('auth-ca');
    await first.card.jpki.readCertificate('auth');
    expect(seen).toEqual([false]);
    expect(commands(first.vc)[0]).toBe('00B08B00000000');
    const next = await rig({ quirks: { extendedLength: false } }, { extendedLength: seen[0]! });
    await next.card.jpki.readCertificate('auth-ca');
    expect(commands(next.vc)[0]).toBe('00B08B0000');
    expect(next.card.extendedLength).toBe(false);
  });

  it('a second session on the same transport reuses what the first detected (no second probe)', async () => {
    const vc = await VirtualMyNumberCard.create({ quirks: { extendedLength: false } });
    const first = await MyNumberCard.connect(vc);
    await first.jpki.readCertificate('auth-ca');
    expect(first.extendedLength).toBe(false);
    await first.close();
    vc.clearLog();
    const second = await MyNumberCard.connect(vc);
    expect(second.extendedLength).toBe(false);
    await second.jpki.readCertificate('auth-ca');
    expect(commands(vc).filter((c) => c.startsWith('00B08B'))[0]).toBe('00B08B0000');
    expect(vc.log.some((e) => hex(e.response.subarray(-2)) === '6700')).toBe(false);
  });

  it('rejects a transport without transmit', async () => {
    await expect(MyNumberCard.connect({} as Transport)).rejects.toMatchObject({ code: 'invalid-argument' });
  });
});

describe('MyNumberCard.close', () => {
  it('idempotent; later calls reject with session-closed; closeTransport closes the transport once', async () => {
    const vc = await VirtualMyNumberCard.create();
    let closes = 0;
    const transport: Transport = { transmit: (c) => vc.transmit(c), close: async () => void closes++ };
    const card = await MyNumberCard.connect(transport, { closeTransport: true });
    await card.jpki.readCertificate('auth');
    await card.close();
    await card.close();
    expect(closes).toBe(1);
    const error = await card.jpki.readCertificate('auth').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).code).toBe('session-closed');
  });

  it('does not close a caller-owned transport by default', async () => {
    let closes = 0;
    const vc = await VirtualMyNumberCard.create();
    const card = await MyNumberCard.connect({ transmit: (c) => vc.transmit(c), close: async () => void closes++ });
    await card.close();
    expect(closes).toBe(0);
  });

  it('waits for queued operations', async () => {
    const { card, vc } = await rig({ quirks: { latencyMs: 2 } });
    const pending = card.jpki.readCertificate('auth');
    const closing = card.close();
    expect((await pending).length).toBe(vc.certificates.auth.length);
    await closing;
  });
});

describe('secrets never leak', () => {
  it('traces, the card log and error messages hold no PIN, password, 照合番号 or My Number', async () => {
    const traces: ApduTraceEvent[] = [];
    const { vc, card } = await rig({}, { onTrace: (e) => traces.push(e) });
    const myNumber = vc.holder.myNumber;
    await card.jpki.sign('auth', new Uint8Array(8), { pin: AUTH_PIN });
    await card.jpki.readCertificate('sign', { pin: SIGN_PASSWORD });
    await card.text.readMyNumber({ pin: TEXT_PIN });
    await card.text.readMyNumber({ verificationA: myNumber });
    await card.text.readAttributes({ pin: TEXT_PIN });
    await card.face.readFace({ verificationA: myNumber });
    const errors: string[] = [];
    for (const pin of ['0000', '9999']) {
      errors.push(String(await card.jpki.sign('auth', new Uint8Array(8), { pin }).catch((e: Error) => `${e.name} ${e.message}`)));
    }
    errors.push(String(await card.text.readMyNumber({ verificationA: '000000000000' }).catch((e: Error) => e.message)));
    const asciiHex = (s: string) => hex(new TextEncoder().encode(s));
    const secrets = [AUTH_PIN, SIGN_PASSWORD, TEXT_PIN, myNumber, '0000', '9999', vc.holder.name];
    const traceText = traces.map((e) => `${formatTraceEvent(e)} ${hex(e.bytes)}`).join('\n');
    // The card's own log keeps responses (its policy); the commands must never hold a secret.
    const logText = vc.log.map((e) => hex(e.command)).join('\n');
    for (const secret of secrets) {
      expect(traceText.includes(asciiHex(secret))).toBe(false);
      expect(logText.includes(asciiHex(secret))).toBe(false);
      for (const message of errors) expect(message.includes(secret)).toBe(false);
    }
    expect(traceText).toContain('<redacted 4 bytes>');
    expect(traceText).toContain('<redacted 12 bytes>');
    expect(errors[0]).toContain('PinIncorrectError');
  });
});
