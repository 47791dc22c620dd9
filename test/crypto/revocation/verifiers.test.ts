/** The revocation option reaches verifyCms and verifyAuthentication through the chain: reasons and per-certificate outcomes. */
import { beforeAll, describe, expect, it } from 'vitest';
import { authenticate, verifyAuthentication } from '../../../src/crypto/authenticate.js';
import { signCms, verifyCms } from '../../../src/crypto/cms.js';
import { crlChecker, type RevocationChecker } from '../../../src/crypto/revocation/index.js';
import { issueTestCrl, testTrustAnchors } from '../../../src/testing/index.js';
import { signPdf, verifyPdf } from '../../../src/pdf/index.js';
import { makePdf } from '../../pdf/helpers.js';
import { keyCard } from '../helpers.js';
import { AT, fixture, type Fixture } from './fixtures.js';

let f: Fixture;
let card: ReturnType<typeof keyCard>;
beforeAll(async () => {
  f = await fixture();
  card = keyCard({
    auth: { certificate: f.pki.authLeaf.certificate, jwk: f.pki.authLeaf.jwk },
    sign: { certificate: f.pki.signLeaf.certificate, jwk: f.pki.signLeaf.jwk },
  });
});

const THIS = new Date('2026-05-31T00:00:00Z');
const NEXT = new Date('2026-06-02T00:00:00Z');
const REVOKED_AT = new Date('2026-05-30T00:00:00Z');
const roots = testTrustAnchors();

/** A checker whose CRLs revoke both test leaves (serials 7E57A001 and 7E57B001) in their partitions. */
async function revokingBoth(): Promise<RevocationChecker> {
  const partition = { prefecture: f.pki.prefecture, municipality: f.pki.municipality };
  return crlChecker({
    crls: [
      await issueTestCrl({ issuer: f.authIssuer, thisUpdate: THIS, nextUpdate: NEXT, partition: { purpose: 'auth', ...partition }, revoked: [{ serial: '7E57A001', revokedAt: REVOKED_AT, reason: 'keyCompromise' }] }),
      await issueTestCrl({ issuer: f.signIssuer, thisUpdate: THIS, nextUpdate: NEXT, partition: { purpose: 'sign', ...partition }, revoked: [{ serial: '7E57B001', revokedAt: REVOKED_AT, reason: 'affiliationChanged' }] }),
    ],
  });
}

describe('revocation through the verifiers', () => {
  it('verifyCms: a signature by a revoked 署名用 certificate is invalid, and says so', async () => {
    const cms = await signCms(card, new TextEncoder().encode('申請書'), { pin: 'ABC123', signingTime: AT });
    const plain = await verifyCms(cms, { at: AT, roots });
    expect(plain.valid).toBe(true);
    const checked = await verifyCms(cms, { at: AT, roots, revocation: await revokingBoth() });
    expect(checked.valid).toBe(false);
    expect(checked.reasons).toEqual(['certificate-revoked']);
    expect(checked.chain?.revocation).toEqual([
      { position: 'leaf', serialNumber: '7E57B001', status: 'revoked', revokedAt: REVOKED_AT, revocationReason: 'affiliationChanged', source: 'crl', thisUpdate: THIS, nextUpdate: NEXT },
    ]);
  });

  it('verifyAuthentication: a login with a revoked 利用者証明用 certificate is refused; unknown only with requireRevocationStatus', async () => {
    const challenge = new Uint8Array(32).fill(3);
    const login = await authenticate(card, { pin: '1234', origin: 'https://rp.example', challenge, now: AT });
    const options = { at: AT, roots, expectedOrigin: 'https://rp.example', expectedChallenge: challenge };
    const revoked = await verifyAuthentication(login, { ...options, revocation: await revokingBoth() });
    expect(revoked).toMatchObject({ valid: false, reasons: ['certificate-revoked'], chain: { revocation: [{ serialNumber: '7E57A001', status: 'revoked', revocationReason: 'keyCompromise' }] } });
    const none = crlChecker({ crls: [] });
    expect((await verifyAuthentication(login, { ...options, revocation: none })).valid).toBe(true);
    expect((await verifyAuthentication(login, { ...options, revocation: none, requireRevocationStatus: true })).reasons).toEqual(['revocation-status-unknown']);
  });

  it('verifyPdf: the options reach every signature; a revoked signer makes the PDF invalid', async () => {
    const signed = await signPdf(await makePdf({ objectStreams: true }), { card, pin: 'ABC123', profile: 'pades-b-b', signingTime: AT });
    expect((await verifyPdf(signed, { at: AT, roots })).valid).toBe(true);
    const checked = await verifyPdf(signed, { at: AT, roots, revocation: await revokingBoth() });
    expect(checked.valid).toBe(false);
    expect(checked.signatures.map((sig) => sig.reasons)).toEqual([['certificate-revoked']]);
    expect(checked.signatures[0]?.cms?.chain?.revocation).toEqual([
      { position: 'leaf', serialNumber: '7E57B001', status: 'revoked', revokedAt: REVOKED_AT, revocationReason: 'affiliationChanged', source: 'crl', thisUpdate: THIS, nextUpdate: NEXT },
    ]);
    const unknown = await verifyPdf(signed, { at: AT, roots, revocation: crlChecker({ crls: [] }), requireRevocationStatus: true });
    expect(unknown.signatures.map((sig) => sig.reasons)).toEqual([['revocation-status-unknown']]);
  });

  it('a custom checker gets the parsed leaf and root and the validation time', async () => {
    const seen: string[] = [];
    const custom: RevocationChecker = {
      async check(certificate, issuer, { at }) {
        seen.push(`${certificate.kind} ${certificate.serialNumber} ${issuer.kind} ${issuer.serialNumber} ${at.toISOString()}`);
        return { status: 'good', source: 'platform' };
      },
    };
    const result = await verifyAuthentication(
      await authenticate(card, { pin: '1234', origin: 'https://rp.example', challenge: new Uint8Array(32), now: AT }),
      { at: AT, roots, expectedOrigin: 'https://rp.example', expectedChallenge: new Uint8Array(32), revocation: custom },
    );
    expect(result.valid).toBe(true);
    expect(result.chain.revocation).toEqual([{ position: 'leaf', serialNumber: '7E57A001', status: 'good', source: 'platform' }]);
    expect(seen).toEqual([`auth 7E57A001 ca 7E570A01 ${AT.toISOString()}`]);
  });

  it('no checker is asked when no trusted root issued the leaf', async () => {
    let asked = 0;
    const counting: RevocationChecker = { check: async () => ((asked += 1), { status: 'good', source: 'x' }) };
    const result = await verifyCms(await signCms(card, Uint8Array.of(1), { pin: 'ABC123', signingTime: AT }), { at: AT, roots: [roots[0]!], revocation: counting });
    expect(result.reasons).toContain('no-issuer-found');
    expect(result.chain?.revocation).toBeUndefined();
    expect(asked).toBe(0);
  });
});
