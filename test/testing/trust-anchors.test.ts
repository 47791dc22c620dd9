import { describe, expect, it } from 'vitest';
import { verifyJpkiChain } from '../../src/crypto/chain.js';
import { testTrustAnchors, VirtualMyNumberCard } from '../../src/testing/index.js';

describe('testTrustAnchors', () => {
  it("a virtual card's certificates verify against the test roots, and not against the bundled J-LIS roots", async () => {
    const vc = await VirtualMyNumberCard.create();
    const at = new Date();
    expect((await verifyJpkiChain(vc.certificates.auth, { at, roots: testTrustAnchors() })).valid).toBe(true);
    expect((await verifyJpkiChain(vc.certificates.sign, { at, roots: testTrustAnchors() })).valid).toBe(true);
    expect((await verifyJpkiChain(vc.certificates.auth, { at })).reasons).toContain('no-issuer-found');
  });

  it('each root is limited to its purpose; the arrays are fresh copies', () => {
    const [auth, sign] = testTrustAnchors();
    expect([auth!.purpose, sign!.purpose]).toEqual(['auth', 'sign']);
    auth!.der.fill(0);
    expect(testTrustAnchors()[0]!.der[0]).toBe(0x30);
  });
});
