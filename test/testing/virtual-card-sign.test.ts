/**
 * Virtual My Number Card: COMPUTE DIGITAL SIGNATURE (80 2A) and the portable RSA code behind
 * it, checked against node:crypto (test-only).
 */
import { X509Certificate, createHash, createPrivateKey, createPublicKey, sign as nodeSign, verify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex } from '../../src/bytes.js';
import { CryptoError } from '../../src/errors.js';
import { TEST_PKI_DATA, VirtualMyNumberCard } from '../../src/testing/index.js';
import { decodeBase64 } from '../../src/testing/virtual-card/base64.js';
import {
  bigIntToBytes,
  bytesToBigInt,
  modPow,
  pkcs1Type1Pad,
  rsaKeyFromJwk,
  rsaSignPkcs1,
} from '../../src/testing/virtual-card/rsa.js';
import { AID, ascii, hex, selectAid, send, sendBytes } from './virtual-card-helpers.js';

const SHA256_PREFIX = '3031300D060960864801650304020105000420';
const digestInfo = (message: string): string =>
  `${SHA256_PREFIX}${createHash('sha256').update(message).digest('hex').toUpperCase()}`;
const signCmd = (p2: string, data: string, le = '00'): string =>
  `802A00${p2}${(data.length / 2).toString(16).toUpperCase().padStart(2, '0')}${data}${le}`;

function verifiesWith(certificate: Uint8Array, message: string, signature: Uint8Array): boolean {
  const key = new X509Certificate(certificate).publicKey;
  return verify('sha256', Buffer.from(message), key, signature);
}

describe('COMPUTE DIGITAL SIGNATURE', () => {
  it('signs with the auth key after the auth PIN; the signature verifies against the auth certificate', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    await send(card, `0020009804${ascii('1234')}`);
    expect(await send(card, '00A4020C020017')).toBe('9000');
    const response = await sendBytes(card, signCmd('80', digestInfo('mynacard test')));
    expect(response.length).toBe(258);
    expect(hex(response.subarray(256))).toBe('9000');
    const signature = response.subarray(0, 256);
    expect(verifiesWith(card.certificates.auth, 'mynacard test', signature)).toBe(true);
    expect(verifiesWith(card.certificates.sign, 'mynacard test', signature)).toBe(false);
    // Deterministic PKCS#1 v1.5: node:crypto with the committed private key gives the same bytes.
    const expected = nodeSign('sha256', Buffer.from('mynacard test'), {
      key: createPrivateKey({ key: TEST_PKI_DATA.authLeaf.privateKey as import('node:crypto').JsonWebKey, format: 'jwk' }),
    });
    expect(hex(signature)).toBe(hex(new Uint8Array(expected)));
  });

  it('signs with the signing key by SFI 9A after the sign password', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    expect(await send(card, signCmd('9A', digestInfo('x')))).toBe('6982');
    await send(card, `0020009B06${ascii('ABC123')}`);
    const response = await sendBytes(card, signCmd('9A', digestInfo('契約書')));
    expect(verifiesWith(card.certificates.sign, '契約書', response.subarray(0, 256))).toBe(true);
    // SFI form made 001A current: P2=80 now uses it.
    const again = await sendBytes(card, signCmd('80', digestInfo('契約書')));
    expect(hex(again)).toBe(hex(response));
  });

  it('answers 6982 without the matching PIN', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    await send(card, '00A4020C020017');
    expect(await send(card, signCmd('80', digestInfo('m')))).toBe('6982');
    await send(card, `0020009B06${ascii('ABC123')}`);
    expect(await send(card, signCmd('97', digestInfo('m')))).toBe('6982');
    await send(card, `0020009804${ascii('1234')}`);
    expect((await sendBytes(card, signCmd('97', digestInfo('m')))).length).toBe(258);
    await send(card, selectAid(AID.jpki));
    expect(await send(card, signCmd('97', digestInfo('m')))).toBe('6982');
  });

  it('implements the P1 01/02/03 input forms and refuses PSS (04/05)', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    await send(card, `0020009804${ascii('1234')}`);
    const message = 'hash me';
    const digest = createHash('sha256').update(message).digest('hex').toUpperCase();
    const p0 = hex(await sendBytes(card, signCmd('97', digestInfo(message))));
    expect(hex(await sendBytes(card, `802A0297${'20'}${digest}00`))).toBe(p0);
    expect(hex(await sendBytes(card, `802A0397${'07'}${ascii(message)}00`))).toBe(p0);
    // P1 01: the card hashes and signs the bare 32-byte hash (no DigestInfo).
    const bare = await sendBytes(card, `802A0197${'07'}${ascii(message)}00`);
    const authKey = createPublicKey({ key: TEST_PKI_DATA.authLeaf.privateKey as import('node:crypto').JsonWebKey, format: 'jwk' });
    const n = bytesToBigInt(decodeBase64(TEST_PKI_DATA.authLeaf.privateKey.n!));
    const recovered = bigIntToBytes(modPow(bytesToBigInt(bare.subarray(0, 256)), 65537n, n), 256);
    expect(hex(recovered)).toBe(hex(pkcs1Type1Pad(fromHex(digest), 256)));
    expect(authKey.asymmetricKeyType).toBe('rsa');
    expect(await send(card, `802A0297${'1F'}${digest.slice(2)}00`)).toBe('6985');
    expect(await send(card, `802A0497${'20'}${digest}00`)).toBe('6A86');
    expect(await send(card, `802A0597${'07'}${ascii(message)}00`)).toBe('6A86');
  });

  it('checks the input length and Le', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    await send(card, `0020009804${ascii('1234')}`);
    expect(await send(card, signCmd('97', 'AA'.repeat(246)))).toBe('6985');
    expect((await sendBytes(card, signCmd('97', 'AA'.repeat(245)))).length).toBe(258);
    expect(await send(card, '802A009700')).toBe('6985');
    expect(await send(card, signCmd('97', digestInfo('m'), '80'))).toBe('6700');
    expect(await send(card, signCmd('97', digestInfo('m'), ''))).toBe('6700');
    // Extended Lc/Le form.
    const data = digestInfo('m');
    const extended = await sendBytes(card, `802A00970000${'33'}${data}0000`);
    expect(hex(extended)).toBe(hex(await sendBytes(card, signCmd('97', data))));
  });

  it('rejects a non-key EF, a missing current EF and the interindustry class', async () => {
    const card = await VirtualMyNumberCard.create();
    await send(card, selectAid(AID.jpki));
    expect(await send(card, signCmd('80', digestInfo('m')))).toBe('6986');
    await send(card, '00A4020C02000A');
    expect(await send(card, signCmd('80', digestInfo('m')))).toBe('6981');
    expect(await send(card, signCmd('99', digestInfo('m')))).toBe('6A88');
    expect(await send(card, signCmd('00', digestInfo('m')))).toBe('6A86');
    expect(await send(card, '002A009701AA00')).toBe('6E00');
  });
});

describe('portable RSA', () => {
  const jwk = TEST_PKI_DATA.signLeaf.privateKey;

  it('converts the JWK and signs exactly like node:crypto', () => {
    const key = rsaKeyFromJwk(jwk);
    expect(key.byteLength).toBe(256);
    expect(key.e).toBe(65537n);
    const data = fromHex(digestInfo('portable'));
    const expected = nodeSign('sha256', Buffer.from('portable'), {
      key: createPrivateKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' }),
    });
    expect(hex(rsaSignPkcs1(key, data))).toBe(hex(new Uint8Array(expected)));
  });

  it('pads with PKCS#1 v1.5 block type 1', () => {
    const block = pkcs1Type1Pad(Uint8Array.of(0xaa, 0xbb), 16);
    expect(hex(block)).toBe('0001FFFFFFFFFFFFFFFFFFFFFF00AABB');
    expect(() => pkcs1Type1Pad(new Uint8Array(6), 16)).toThrow(CryptoError);
    expect(hex(pkcs1Type1Pad(new Uint8Array(5), 16))).toBe(`0001${'FF'.repeat(8)}00${'00'.repeat(5)}`);
  });

  it('round-trips BigInt and bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), (bytes) => {
        expect(hex(bigIntToBytes(bytesToBigInt(bytes), bytes.length))).toBe(hex(bytes));
      }),
    );
    expect(() => bigIntToBytes(256n, 1)).toThrow();
  });

  it('computes modPow like the definition', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.integer({ min: 0, max: 40 }), fc.bigInt({ min: 1n, max: 10n ** 9n }), (b, e, m) => {
        let expected = 1n % m;
        for (let i = 0; i < e; i++) expected = (expected * b) % m;
        expect(modPow(b, BigInt(e), m)).toBe(expected);
      }),
    );
  });

  it('decodes base64 and base64url like Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
        const b = Buffer.from(bytes);
        expect(hex(decodeBase64(b.toString('base64')))).toBe(hex(bytes));
        expect(hex(decodeBase64(b.toString('base64url')))).toBe(hex(bytes));
      }),
    );
    expect(() => decodeBase64('A')).toThrow();
    expect(() => decodeBase64('AB$=')).toThrow();
  });

  it('rejects an incomplete or inconsistent JWK', () => {
    const { qi: _qi, ...withoutQi } = jwk;
    expect(() => rsaKeyFromJwk(withoutQi)).toThrow('lacks "qi"');
    expect(() => rsaKeyFromJwk({ ...jwk, p: jwk.q! })).toThrow();
    expect(() => rsaKeyFromJwk({ ...jwk, kty: 'EC' })).toThrow();
  });
});

