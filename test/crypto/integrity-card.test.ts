import { beforeAll, describe, expect, it } from 'vitest';
import { PinIncorrectError } from '../../src/apdu/status.js';
import { MyNumberCard } from '../../src/aps/card.js';
import { toHex } from '../../src/bytes.js';
import { verifyCardFaceIntegrity, verifyCardTextIntegrity } from '../../src/card-trust/integrity.js';
import type { RsaPublicKeyParts } from '../../src/crypto/integrity.js';
import { InvalidArgumentError } from '../../src/errors.js';
import { decodeTlv } from '../../src/tlv/index.js';
import { loadTestPki, TEST_PKI_DATA, VirtualMyNumberCard } from '../../src/testing/index.js';
import type { Transport } from '../../src/transport/transport.js';

const TEXT_PIN = '5678';
/** 照合番号B of the default holder (1990-01-02 = H02-01-02, expiry 2035, security code 2468). */
const VERIFICATION_B = '02010220352468';
const MY_NUMBER = TEST_PKI_DATA.holder.myNumber;

const hex = (bytes: Uint8Array): string => toHex(bytes).toUpperCase();
const SELECT_TEXT = '00A4040C0AD3921000310001010408';
const SELECT_FACE = '00A4040C0AD3921000310001010402';
/** READ BINARY by SFI, extended Le 65536. */
const READ = (sfi: number): string => `00B0${(0x80 | sfi).toString(16).toUpperCase()}00000000`;

const b64url = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64url'));

let cvIssuerKey: RsaPublicKeyParts;
let otherKey: RsaPublicKeyParts;

beforeAll(async () => {
  const pki = await loadTestPki();
  cvIssuerKey = { modulus: b64url(pki.cvIssuer.jwk.n!), exponent: b64url(pki.cvIssuer.jwk.e!) };
  otherKey = { modulus: b64url(pki.authRoot.jwk.n!), exponent: b64url(pki.authRoot.jwk.e!) };
});

/**
 * The virtual card behind a wire that flips one byte (XOR `xor`) in the response data of the
 * command `command`, at the index `at(data)` chooses: a card whose file was altered.
 */
class FlippingWire implements Transport {
  constructor(
    readonly card: VirtualMyNumberCard,
    readonly command: string,
    readonly at: (data: Uint8Array) => number,
    readonly xor = 0x01,
  ) {}

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    const response = await this.card.transmit(command);
    if (hex(command) !== this.command) return response;
    const out = response.slice();
    const index = this.at(out.subarray(0, -2));
    if (index < 0 || index >= out.length - 2) throw new Error(`flip index ${index} outside the response data`);
    out[index] = out[index]! ^ this.xor;
    return out;
  }
}

/** A virtual card and a session over it, optionally through a byte-flipping wire. */
async function session(flip?: { command: string; at: (data: Uint8Array) => number; xor?: number }) {
  const vc = await VirtualMyNumberCard.create();
  const wire = flip === undefined ? vc : new FlippingWire(vc, flip.command, flip.at, flip.xor);
  const card = await MyNumberCard.connect(wire);
  vc.clearLog();
  return { vc, card };
}

const commands = (vc: VirtualMyNumberCard): string[] => vc.log.map((e) => hex(e.command));
const verifies = (vc: VirtualMyNumberCard): number => vc.log.filter((e) => e.verifyWithData === true).length;

/** Index of the first byte of the value of `tag` (a child of the top-level object) in `data`. */
function valueIndex(data: Uint8Array, tag: number, plus = 0): number {
  const root = decodeTlv(data, { mode: 'ber', allowTrailing: true })[0]!;
  const node = root.children.find((c) => c.tag === tag);
  if (node === undefined) throw new Error(`no tag ${tag.toString(16)}`);
  return node.offset + node.headerLength + plus;
}

describe('verifyCardTextIntegrity', () => {
  it('text PIN: ONE VERIFY for EF 0001–0003 (EF 0004 free); every part valid', async () => {
    const { vc, card } = await session();
    const result = await verifyCardTextIntegrity(card, { pin: TEXT_PIN, cvIssuerKey });
    expect(result).toEqual({
      valid: true,
      reasons: [],
      signature: 'valid',
      signatureCoverage: 'objects',
      myNumber: 'valid',
      attributes: 'valid',
      cvCertificate: 'valid',
    });
    expect(commands(vc)).toEqual([
      SELECT_TEXT,
      READ(4),
      '00200091',
      '00200091',
      READ(1),
      READ(2),
      READ(3),
      SELECT_TEXT,
    ]);
    expect(verifies(vc)).toBe(1);
  });

  it('without the CV issuer key the CV certificate is not checked', async () => {
    const { card } = await session();
    expect(await verifyCardTextIntegrity(card, { pin: TEXT_PIN })).toMatchObject({
      valid: true,
      myNumber: 'valid',
      cvCertificate: 'not-checked',
    });
  });

  it('照合番号B does not open EF 0001: the 個人番号 part is not-checked, the rest valid', async () => {
    const { vc, card } = await session();
    const result = await verifyCardTextIntegrity(card, { verificationB: VERIFICATION_B, cvIssuerKey });
    expect(result).toEqual({
      valid: true,
      reasons: [],
      signature: 'valid',
      signatureCoverage: 'objects',
      myNumber: 'not-checked',
      attributes: 'valid',
      cvCertificate: 'valid',
    });
    expect(commands(vc)).toEqual([SELECT_TEXT, READ(4), '00200095', '00200095', READ(2), READ(3), SELECT_TEXT]);
  });

  it('a changed 個人番号 digit (EF 0001) is a digest mismatch, not an exception', async () => {
    // Byte 5 is the 3rd digit: '3' XOR 1 = '2' (the check digit no longer holds either).
    const { card } = await session({ command: READ(1), at: () => 5 });
    expect(await verifyCardTextIntegrity(card, { pin: TEXT_PIN, cvIssuerKey })).toEqual({
      valid: false,
      reasons: ['my-number-digest-mismatch'],
      signature: 'valid',
      signatureCoverage: 'objects',
      myNumber: 'invalid',
      attributes: 'valid',
      cvCertificate: 'valid',
    });
    // A byte that is no longer a digit: the object is passed on as read, still a mismatch.
    const other = await session({ command: READ(1), at: () => 3, xor: 0x40 });
    expect(await verifyCardTextIntegrity(other.card, { pin: TEXT_PIN })).toMatchObject({
      valid: false,
      reasons: ['my-number-digest-mismatch'],
    });
  });

  it('a changed 氏名 (EF 0002) is reported; the DF21 offset table is outside the digest', async () => {
    const { card } = await session({ command: READ(2), at: (data) => valueIndex(data, 0xdf22) });
    expect(await verifyCardTextIntegrity(card, { pin: TEXT_PIN })).toMatchObject({
      valid: false,
      reasons: ['attributes-digest-mismatch'],
      signature: 'valid',
      myNumber: 'valid',
      attributes: 'invalid',
    });
    const table = await session({ command: READ(2), at: (data) => valueIndex(data, 0xdf21, 1) });
    expect(await verifyCardTextIntegrity(table.card, { pin: TEXT_PIN })).toMatchObject({ valid: true, reasons: [] });
  });

  it('a changed integrity record (EF 0003): the signature, or a digest and the signature', async () => {
    const signature = await session({ command: READ(3), at: (data) => valueIndex(data, 0xdf33, 100) });
    expect(await verifyCardTextIntegrity(signature.card, { pin: TEXT_PIN })).toMatchObject({
      valid: false,
      reasons: ['signature-invalid'],
      signature: 'invalid',
      myNumber: 'valid',
      attributes: 'valid',
    });
    const digest = await session({ command: READ(3), at: (data) => valueIndex(data, 0xdf32) });
    expect(await verifyCardTextIntegrity(digest.card, { pin: TEXT_PIN })).toMatchObject({
      valid: false,
      reasons: ['signature-invalid', 'attributes-digest-mismatch'],
      myNumber: 'valid',
    });
  });

  it('a changed key in the CV certificate (EF 0004): the record no longer verifies, nor the certificate', async () => {
    // 7F21 82 0233 | 5F4E 82 0129 | 32 key-id bytes | 90 03 010001 | 91 82 0100 | modulus…
    const { card } = await session({ command: READ(4), at: () => 100 });
    expect(await verifyCardTextIntegrity(card, { pin: TEXT_PIN, cvIssuerKey })).toEqual({
      valid: false,
      reasons: ['signature-invalid', 'cv-certificate-signature-invalid'],
      signature: 'invalid',
      myNumber: 'valid',
      attributes: 'valid',
      cvCertificate: 'invalid',
    });
  });

  it('the CV certificate checked with another issuer key is reported', async () => {
    const { card } = await session();
    expect(await verifyCardTextIntegrity(card, { pin: TEXT_PIN, cvIssuerKey: otherKey })).toMatchObject({
      valid: false,
      reasons: ['cv-certificate-signature-invalid'],
      signature: 'valid',
      cvCertificate: 'invalid',
    });
  });

  it('a wrong PIN throws PinIncorrectError after one VERIFY; 照合番号A is refused before sending', async () => {
    const { vc, card } = await session();
    await expect(verifyCardTextIntegrity(card, { pin: '0000' })).rejects.toBeInstanceOf(PinIncorrectError);
    expect(verifies(vc)).toBe(1);
    expect(commands(vc)).toEqual([SELECT_TEXT, READ(4), '00200091', '00200091']);
    vc.clearLog();
    await expect(verifyCardTextIntegrity(card, { verificationA: MY_NUMBER } as never)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
    expect(vc.log).toHaveLength(0);
  });
});

describe('verifyCardFaceIntegrity', () => {
  it('照合番号A: EF 0004 free, one VERIFY, EF 0002; the DF28 signature and the CV certificate hold', async () => {
    const { vc, card } = await session();
    expect(await verifyCardFaceIntegrity(card, { verificationA: MY_NUMBER, cvIssuerKey })).toEqual({
      valid: true,
      reasons: [],
      signature: 'valid',
      cvCertificate: 'valid',
    });
    expect(commands(vc)).toEqual([SELECT_FACE, READ(4), '00200093', '00200093', READ(2), SELECT_FACE]);
    expect(verifies(vc)).toBe(1);
  });

  it('照合番号B works too', async () => {
    const { card } = await session();
    expect(await verifyCardFaceIntegrity(card, { verificationB: VERIFICATION_B })).toEqual({
      valid: true,
      reasons: [],
      signature: 'valid',
      cvCertificate: 'not-checked',
    });
  });

  it('a changed 顔写真 (DF27) byte is reported', async () => {
    const { card } = await session({ command: READ(2), at: (data) => valueIndex(data, 0xdf27, 40) });
    expect(await verifyCardFaceIntegrity(card, { verificationA: MY_NUMBER, cvIssuerKey })).toEqual({
      valid: false,
      reasons: ['signature-invalid'],
      signature: 'invalid',
      cvCertificate: 'valid',
    });
  });
});
