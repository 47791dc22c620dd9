/** Every card-session method against the virtual card in its default and quirk modes. */
import { X509Certificate, verify as nodeVerify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { toHex } from '../../src/bytes.js';
import type { VirtualCardOptions } from '../../src/testing/index.js';
import { AUTH_PIN, SIGN_PASSWORD, TEXT_PIN, rig } from './helpers.js';

const MODES: ReadonlyArray<readonly [string, VirtualCardOptions]> = [
  ['default (extended length)', {}],
  ['short only, detected by refusal', { quirks: { extendedLength: false } }],
  ['short only, advertised', { quirks: { extendedLength: false }, advertiseExtendedLength: true }],
  ['61xx GET RESPONSE', { quirks: { getResponse: true } }],
  ['61xx GET RESPONSE, short only', { quirks: { getResponse: true, extendedLength: false } }],
  ['maxChunk 100', { quirks: { maxChunk: 100 } }],
  ['maxChunk 100, short only', { quirks: { maxChunk: 100, extendedLength: false }, advertiseExtendedLength: true }],
  ['maxChunk 2 (headers split across reads)', { quirks: { maxChunk: 2 } }],
  ['6Cxx wrong Le, short only', { quirks: { wrongLe: true, extendedLength: false }, advertiseExtendedLength: true }],
  ['00 filler, 4 KB certificate EFs', { quirks: { certificateFiller: 0x00, certificateEfSize: 4096 } }],
  ['32-byte token EF', { tokenInfo: 'label' }],
  ['verified query answers 9000', { quirks: { verifiedPinQuery: '9000' } }],
];

const message = new TextEncoder().encode('quirk matrix');
const spki = (der: Uint8Array) => new X509Certificate(Buffer.from(der)).publicKey;

describe.each(MODES)('quirk mode: %s', (_name, options) => {
  it('every method returns the exact card data', async () => {
    const { vc, card } = await rig(options);
    expect(card.profile).toBe('card');
    expect(toHex(await card.jpki.readCertificate('auth'))).toBe(toHex(vc.certificates.auth));
    expect(toHex(await card.jpki.readCertificate('auth-ca'))).toBe(toHex(vc.certificates.authCa));
    expect(toHex(await card.jpki.readCertificate('sign-ca'))).toBe(toHex(vc.certificates.signCa));
    expect(toHex(await card.jpki.readCertificate('sign', { pin: SIGN_PASSWORD }))).toBe(toHex(vc.certificates.sign));
    expect(await card.jpki.remainingTries('auth')).toMatchObject({ state: 'tries', remaining: 3 });
    expect(await card.jpki.remainingTries('sign')).toMatchObject({ state: 'tries', remaining: 5 });
    const authSig = await card.jpki.sign('auth', message, { pin: AUTH_PIN });
    expect(nodeVerify('sha256', message, spki(vc.certificates.auth), authSig)).toBe(true);
    const signSig = await card.jpki.sign('sign', message, { pin: SIGN_PASSWORD, hash: 'SHA-512' });
    expect(nodeVerify('sha512', message, spki(vc.certificates.sign), signSig)).toBe(true);
    expect(await card.text.remainingTries()).toMatchObject({ state: 'tries', remaining: 3 });
    expect(await card.text.readMyNumber({ pin: TEXT_PIN })).toBe(vc.holder.myNumber);
    const attributes = await card.text.readAttributes({ pin: TEXT_PIN });
    expect([attributes.name, attributes.address, attributes.birthDate]).toEqual([
      vc.holder.name,
      vc.holder.address,
      vc.holder.birthDate,
    ]);
    const face = await card.face.readFace({ verificationA: vc.holder.myNumber });
    expect(face.birthDate).toBe(vc.holder.birthDate);
    expect(face.photo.length).toBeGreaterThan(100);
    const image = await card.face.readMyNumberImage({ verificationA: vc.holder.myNumber });
    expect(image.signature).toHaveLength(256);
    expect((await card.common.readCardIdentifier()).digits).toMatch(/^[0-9]{28}$/);
    await card.jpki.changePin('auth', { pin: AUTH_PIN, newPin: '2468' });
    expect(await card.jpki.sign('auth', message, { pin: '2468' })).toHaveLength(256);
    // Every PIN-protected operation dropped its status: nothing left for close().
    vc.clearLog();
    await card.close();
    expect(vc.log).toHaveLength(0);
  });
});
