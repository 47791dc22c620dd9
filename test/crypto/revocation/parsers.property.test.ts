/** Property tests of the CRL and OCSP decoders: round trips through the test PKI's encoders, and typed errors only on any other input. */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { CryptoError } from '../../../src/errors.js';
import { parseCrl, parseOcspResponse, type CrlReason } from '../../../src/crypto/revocation/index.js';
import { issueTestCrl, issueTestOcspResponse } from '../../../src/testing/index.js';
import { fixture, type Fixture } from './fixtures.js';

let f: Fixture;
let crlDer: Uint8Array;
let ocspDer: Uint8Array;
beforeAll(async () => {
  f = await fixture();
  crlDer = await issueTestCrl({
    issuer: f.authIssuer,
    thisUpdate: new Date('2026-05-31T00:00:00Z'),
    nextUpdate: new Date('2026-06-02T00:00:00Z'),
    partition: { purpose: 'auth', prefecture: 'Akita-ken', municipality: 'Yurihonjo-shi' },
    revoked: [{ serial: '01', revokedAt: new Date('2026-05-30T00:00:00Z'), reason: 'keyCompromise' }],
  });
  ocspDer = await issueTestOcspResponse({
    issuerCertificate: f.pki.authRoot.certificate,
    signer: f.authIssuer,
    producedAt: new Date('2026-05-31T00:00:00Z'),
    responses: [{ certificate: f.pki.authLeaf.certificate, status: 'revoked', revokedAt: new Date('2026-05-30T00:00:00Z'), reason: 'superseded', thisUpdate: new Date('2026-05-31T00:00:00Z') }],
    nonce: Uint8Array.of(1, 2, 3),
  });
});

const REASONS: readonly CrlReason[] = [
  'unspecified', 'keyCompromise', 'cACompromise', 'affiliationChanged', 'superseded',
  'cessationOfOperation', 'certificateHold', 'removeFromCRL', 'privilegeWithdrawn', 'aACompromise',
];

const serial = fc.uint8Array({ minLength: 1, maxLength: 20 }).filter((b) => b.some((x) => x !== 0));
const wholeSecond = fc.integer({ min: Date.UTC(1950, 0, 1) / 1000, max: Date.UTC(2100, 0, 1) / 1000 }).map((s) => new Date(s * 1000));
const reason = fc.option(fc.constantFrom(...REASONS), { nil: undefined });

/** Hex of an INTEGER's contents for a positive big-endian value (leading zeros dropped, 00 added for a high bit). */
function integerHex(bytes: Uint8Array): string {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  const hex = Buffer.from(bytes.subarray(i)).toString('hex').toUpperCase();
  return bytes[i]! >= 0x80 ? '00' + hex : hex;
}

/** Only a decoder's typed error (or success) is allowed. */
function typedOnly(parse: (der: Uint8Array) => unknown, code: string, bytes: Uint8Array): void {
  try {
    parse(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(CryptoError);
    expect((error as CryptoError).code).toBe(code);
  }
}

describe('parseCrl properties', () => {
  it('revoked entries round-trip exactly (serial, date, reason)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.record({ serial, revokedAt: wholeSecond, reason }), { maxLength: 6 }), async (entries) => {
        const der = await issueTestCrl({
          issuer: f.authIssuer,
          thisUpdate: new Date('2026-05-31T00:00:00Z'),
          revoked: entries.map((e) => ({ serial: Buffer.from(e.serial).toString('hex'), revokedAt: e.revokedAt, ...(e.reason === undefined ? {} : { reason: e.reason }) })),
        });
        const parsed = parseCrl(der);
        expect(parsed.revoked).toEqual(
          entries.map((e) => ({ serialNumber: integerHex(e.serial), revokedAt: e.revokedAt, ...(e.reason === undefined ? {} : { reason: e.reason }) })),
        );
        expect(parsed.nextUpdate).toBeUndefined();
      }),
      { numRuns: 25 },
    );
  });

  it('any bytes, and any one-byte change or truncation of a valid CRL: parsed, or malformed-crl', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => typedOnly(parseCrl, 'malformed-crl', bytes)), { numRuns: 500 });
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean(), (at, value, truncate) => {
        const i = at % crlDer.length;
        const bytes = truncate ? crlDer.subarray(0, i) : crlDer.slice();
        if (!truncate) bytes[i] = value;
        typedOnly(parseCrl, 'malformed-crl', bytes);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseOcspResponse properties', () => {
  it('single responses round-trip exactly (status, reason, times)', async () => {
    const single = fc.record({
      status: fc.constantFrom('good', 'revoked', 'unknown') as fc.Arbitrary<'good' | 'revoked' | 'unknown'>,
      revokedAt: wholeSecond,
      reason,
      thisUpdate: wholeSecond,
      nextUpdate: fc.option(wholeSecond, { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(single, { minLength: 1, maxLength: 4 }), async (singles) => {
        const der = await issueTestOcspResponse({
          issuerCertificate: f.pki.authRoot.certificate,
          signer: f.authIssuer,
          producedAt: new Date('2026-05-31T00:00:00Z'),
          responses: singles.map((s) => ({
            certificate: f.pki.authLeaf.certificate,
            status: s.status,
            revokedAt: s.revokedAt,
            thisUpdate: s.thisUpdate,
            ...(s.reason === undefined ? {} : { reason: s.reason }),
            ...(s.nextUpdate === undefined ? {} : { nextUpdate: s.nextUpdate }),
          })),
        });
        const responses = parseOcspResponse(der).basic!.responses;
        expect(responses.map(({ certId: _c, ...rest }) => rest)).toEqual(
          singles.map((s) => ({
            status: s.status,
            ...(s.status === 'revoked' ? { revokedAt: s.revokedAt, ...(s.reason === undefined ? {} : { revocationReason: s.reason }) } : {}),
            thisUpdate: s.thisUpdate,
            ...(s.nextUpdate === undefined ? {} : { nextUpdate: s.nextUpdate }),
          })),
        );
      }),
      { numRuns: 25 },
    );
  });

  it('any bytes, and any one-byte change or truncation of a valid response: parsed, or malformed-ocsp-response', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => typedOnly(parseOcspResponse, 'malformed-ocsp-response', bytes)), { numRuns: 500 });
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.boolean(), (at, value, truncate) => {
        const i = at % ocspDer.length;
        const bytes = truncate ? ocspDer.subarray(0, i) : ocspDer.slice();
        if (!truncate) bytes[i] = value;
        typedOnly(parseOcspResponse, 'malformed-ocsp-response', bytes);
      }),
      { numRuns: 1000 },
    );
  });
});
