/** Revocation outcomes in the JSON wire form of chain verdicts: exact JSON, round trip, strict reading. */
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyJpkiChain } from '../../../src/crypto/chain.js';
import { crlChecker } from '../../../src/crypto/revocation/index.js';
import { chainResultFromJSON, chainResultToJSON, cmsResultFromJSON } from '../../../src/crypto/wire-verdicts.js';
import { issueTestCrl, testTrustAnchors } from '../../../src/testing/index.js';
import { AT, fixture, type Fixture } from './fixtures.js';

let f: Fixture;
beforeAll(async () => {
  f = await fixture();
});

describe('revocation in chain verdicts', () => {
  it('a revoked chain: exact JSON and round trip', async () => {
    const crl = await issueTestCrl({
      issuer: f.authIssuer,
      thisUpdate: new Date('2026-05-31T00:00:00Z'),
      nextUpdate: new Date('2026-06-02T00:00:00Z'),
      revoked: [{ serial: '7E57A001', revokedAt: new Date('2026-05-30T12:34:56Z'), reason: 'keyCompromise' }],
    });
    const result = await verifyJpkiChain(f.pki.authLeaf.certificate, { at: AT, roots: testTrustAnchors(), revocation: crlChecker({ crls: [crl] }) });
    const json = chainResultToJSON(result);
    expect(json.reasons).toEqual(['certificate-revoked']);
    expect(json.revocation).toEqual([
      {
        position: 'leaf',
        serialNumber: '7E57A001',
        status: 'revoked',
        revokedAt: '2026-05-30T12:34:56.000Z',
        revocationReason: 'keyCompromise',
        source: 'crl',
        thisUpdate: '2026-05-31T00:00:00.000Z',
        nextUpdate: '2026-06-02T00:00:00.000Z',
      },
    ]);
    expect(chainResultFromJSON(JSON.stringify(json))).toEqual(result);
  });

  it('an unknown outcome round-trips; bad outcomes are refused', async () => {
    const result = await verifyJpkiChain(f.pki.authLeaf.certificate, { at: AT, roots: testTrustAnchors(), revocation: crlChecker({ crls: [] }), requireRevocationStatus: true });
    const json = chainResultToJSON(result);
    expect(json.revocation).toEqual([{ position: 'leaf', serialNumber: '7E57A001', status: 'unknown', reason: 'crl-not-found', source: 'crl' }]);
    expect(chainResultFromJSON(json)).toEqual(result);
    const bad = (revocation: unknown) => () => chainResultFromJSON({ ...json, revocation });
    expect(bad([{ ...json.revocation![0], reason: 'made-up' }])).toThrow('reason has an unknown value');
    expect(bad([{ ...json.revocation![0], status: 'good' }])).toThrow('reason must be present exactly when status is unknown');
    expect(bad([{ ...json.revocation![0], extra: 1 }])).toThrow('unexpected field');
    expect(bad(new Array(9).fill(json.revocation![0]))).toThrow('at most 8');
    expect(() => cmsResultFromJSON({ version: 1, type: 'jpki-cms-result', valid: true, reasons: [], chain: { valid: true, reasons: [], revocation: 'x' } })).toThrow('cms.chain.revocation');
  });
});
