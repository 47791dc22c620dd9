/**
 * Trust anchors (トラストアンカー) for chain validation: the six bundled J-LIS roots by default
 * (cert-profile §1), or the caller's own list (e.g. the `O=JPKI-TEST` roots in tests).
 * @packageDocumentation
 */
import { base64ToBytes } from './base64.js';
import { JPKI_ROOTS } from './jpki-roots.js';
import { describeCertificate, type CertificateDescription } from './parse.js';
import { decodeCertificate, type DecodedCertificate } from './x509.js';
import { InvalidArgumentError } from '../errors.js';
import { equalBytes } from '../bytes.js';

/** A trust anchor: a self-signed root certificate plus what is known about it. */
export interface JpkiTrustAnchor {
  /** Root certificate DER. */
  readonly der: Uint8Array;
  /** Which leaves it may issue: `auth` (利用者証明用) or `sign` (署名用); unchecked when absent. */
  readonly purpose?: 'auth' | 'sign';
  /** Generation (1: 2015, 2: 2019, 3: 2023 for the J-LIS roots). */
  readonly generation?: number;
  /** A label such as the J-LIS name `signca02`. */
  readonly name?: string;
}

/** A trust anchor decoded once for repeated use. @internal */
export interface DecodedAnchor {
  readonly anchor: JpkiTrustAnchor;
  readonly decoded: DecodedCertificate;
  readonly description: CertificateDescription;
}

/** Caller roots decoded before, by DER array; reused only while the bytes are unchanged. */
const decodedRoots = new WeakMap<Uint8Array, { readonly decoded: DecodedCertificate; readonly description: CertificateDescription }>();

function decodeAnchor(anchor: JpkiTrustAnchor): DecodedAnchor {
  const der = anchor.der;
  const cached = der instanceof Uint8Array ? decodedRoots.get(der) : undefined;
  // `decoded.der` is the decoder's own copy: equal bytes mean the caller did not change the root.
  if (cached !== undefined && equalBytes(cached.decoded.der, der)) return { anchor, ...cached };
  const decoded = decodeCertificate(der);
  const entry = { decoded, description: describeCertificate(decoded) };
  decodedRoots.set(der, entry);
  return { anchor, ...entry };
}

let bundled: readonly DecodedAnchor[] | undefined;

/** The six J-LIS roots as trust anchors, with purpose, generation and J-LIS name. */
export function jpkiTrustAnchors(): JpkiTrustAnchor[] {
  return JPKI_ROOTS.map((root) => ({
    der: base64ToBytes(root.der),
    purpose: root.purpose,
    generation: root.generation,
    name: root.name,
  }));
}

/** The bundled J-LIS roots, decoded once per process. @internal */
function bundledAnchors(): readonly DecodedAnchor[] {
  bundled ??= Object.freeze(jpkiTrustAnchors().map(decodeAnchor));
  return bundled;
}

/**
 * Decode `roots` (DER or {@link JpkiTrustAnchor}), or the bundled roots when `undefined`.
 * @throws CryptoError `malformed-certificate` for a root that cannot be decoded (a configuration
 *   error, unlike a bad leaf which is only reported).
 * @internal
 */
export function resolveAnchors(roots: readonly (Uint8Array | JpkiTrustAnchor)[] | undefined): readonly DecodedAnchor[] {
  if (roots === undefined) return bundledAnchors();
  if (!Array.isArray(roots)) throw new InvalidArgumentError('roots must be an array of certificates');
  return roots.map((root) => {
    if (typeof root !== 'object' || root === null) throw new InvalidArgumentError('roots must be an array of certificates');
    return decodeAnchor(root instanceof Uint8Array ? { der: root } : root);
  });
}
