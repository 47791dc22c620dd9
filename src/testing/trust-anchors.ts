/**
 * The committed TEST PKI's two roots as trust anchors, for servers and tests that verify what a
 * `VirtualMyNumberCard` signed: `verifyJpkiChain(certificate, { at, roots: testTrustAnchors() })`.
 * Never pass these where real cards are verified: anyone can mint a card under them.
 * @packageDocumentation
 */
import { base64ToBytes } from '../crypto/base64.js';
import type { JpkiTrustAnchor } from '../crypto/anchors.js';
import { TEST_PKI_DATA } from './test-pki-data.js';

/**
 * The 利用者証明用 and 署名用 roots of the committed TEST PKI (`O=JPKI-TEST`), each limited to its
 * purpose. Every `VirtualMyNumberCard` made with the default personalisation chains to them.
 * Fresh arrays on every call.
 */
export function testTrustAnchors(): JpkiTrustAnchor[] {
  return [
    { der: base64ToBytes(TEST_PKI_DATA.authRoot.certificate), purpose: 'auth', name: 'JPKI-TEST auth root' },
    { der: base64ToBytes(TEST_PKI_DATA.signRoot.certificate), purpose: 'sign', name: 'JPKI-TEST sign root' },
  ];
}
