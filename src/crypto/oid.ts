/**
 * Object identifiers (OIDs) of the X.509 / CMS structures the SDK reads, shared by the verifier
 * and the TEST certificate issuer of `mynacard/testing` so that both name them from one place.
 * @packageDocumentation
 */

/** OIDs the crypto module works with (RFC 5280, RFC 8017, RFC 5652, RFC 5035, RFC 5480, RFC 5758). */
export const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha1WithRSAEncryption: '1.2.840.113549.1.1.5',
  sha256WithRSAEncryption: '1.2.840.113549.1.1.11',
  sha384WithRSAEncryption: '1.2.840.113549.1.1.12',
  sha512WithRSAEncryption: '1.2.840.113549.1.1.13',
  /** id-ecPublicKey (RFC 5480 §2.1.1). */
  ecPublicKey: '1.2.840.10045.2.1',
  /** secp256r1 / P-256 (RFC 5480 §2.1.1.1). */
  p256: '1.2.840.10045.3.1.7',
  /** secp384r1 / P-384 (RFC 5480 §2.1.1.1). */
  p384: '1.3.132.0.34',
  ecdsaWithSha1: '1.2.840.10045.4.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  ecdsaWithSha512: '1.2.840.10045.4.3.4',
  sha1: '1.3.14.3.2.26',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  issuerAltName: '2.5.29.18',
  basicConstraints: '2.5.29.19',
  cRLDistributionPoints: '2.5.29.31',
  certificatePolicies: '2.5.29.32',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  ocsp: '1.3.6.1.5.5.7.48.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  /** id-qt-cps: the CPS pointer qualifier of a certificate policy (RFC 5280 §4.2.1.4). */
  cpsQualifier: '1.3.6.1.5.5.7.2.1',
  // Distinguished-name attribute types seen in JPKI certificates (X.520; cert-profile §2).
  countryName: '2.5.4.6',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  localityName: '2.5.4.7',
  stateOrProvinceName: '2.5.4.8',
  commonName: '2.5.4.3',
  serialNumber: '2.5.4.5',
} as const;
