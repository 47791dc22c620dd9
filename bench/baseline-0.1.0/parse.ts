/**
 * `parseJpkiCertificate`: a JPKI certificate (公的個人認証サービスの電子証明書) as a plain typed
 * object, following cert-profile.md. Browser-safe.
 * @packageDocumentation
 */
import { toHex } from '../../src/bytes.js';
import {
  AuthorityInfoAccessSyntax,
  AuthorityKeyIdentifier,
  BasicConstraints,
  CertificatePolicies,
  CRLDistributionPoints,
  ExtendedKeyUsage,
  KeyUsage,
  KeyUsageFlags,
  SubjectKeyIdentifier,
  type KeyUsageType,
} from '@peculiar/asn1-x509';
import { decodeJpkiPerson, type JpkiPerson } from './san.js';
import {
  decodeCertificate,
  distinguishedName,
  OID,
  parseExtension,
  rsaSignatureHash,
  type DecodedCertificate,
  type DistinguishedName,
  type OtherPublicKeyInfo,
  type RsaPublicKeyInfo,
} from './x509.js';
import { CryptoError } from '../../src/errors.js';
import type { HashAlgorithm } from '../../src/hash/digest-info.js';

/** Policy OID of 署名用電子証明書 (cert-profile §2). */
export const JPKI_SIGN_POLICY = '1.2.392.200149.8.5.1.1.20';
/** Policy OID of 利用者証明用電子証明書 (cert-profile §2). */
export const JPKI_AUTH_POLICY = '1.2.392.200149.8.5.1.3.30';

/**
 * What a JPKI certificate is: `auth` = 利用者証明用電子証明書, `sign` = 署名用電子証明書, `ca` = a
 * certificate authority (basicConstraints cA).
 */
export type CertificateKind = 'auth' | 'sign' | 'ca';

/** A key-usage bit name (RFC 5280 §4.2.1.3). */
export type KeyUsageName = KeyUsageType;

/** Where the CRL distribution point DirName says the holder is registered (cert-profile §2). */
export interface JpkiMunicipality {
  /** Prefecture in romaji, e.g. `Kanagawa-ken`. */
  readonly prefecture: string;
  /** Municipality in romaji with ` CRLDP` stripped, e.g. `Yokohama-shi-Naka-ku`. */
  readonly municipality: string;
}

/** The authorityKeyIdentifier of a certificate. */
export interface AuthorityKeyId {
  /** keyIdentifier, lower-case hex (equals the issuer's subjectKeyIdentifier). */
  readonly keyIdentifier?: string;
  /** authorityCertSerialNumber, upper-case hex (the issuer's serial number). */
  readonly serialNumber?: string;
}

/** A parsed JPKI certificate. Sign certificates carry personal data in {@link JpkiCertificate.person}. */
export interface JpkiCertificate {
  /** Which kind of certificate this is (basicConstraints cA, else the JPKI policy, else key usage / EKU). */
  readonly kind: CertificateKind;
  /** Serial number, upper-case hex (e.g. `0132C4AB`). */
  readonly serialNumber: string;
  /** Subject DN. */
  readonly subject: DistinguishedName;
  /** Issuer DN (identical for all generations of one purpose: never choose an issuer by it). */
  readonly issuer: DistinguishedName;
  /** Start of validity. */
  readonly notBefore: Date;
  /** End of validity (always 14:59:59Z on JPKI certificates). */
  readonly notAfter: Date;
  /** Key-usage bits that are set; empty when the extension is absent. */
  readonly keyUsage: readonly KeyUsageName[];
  /** Extended key usage OIDs; empty when the extension is absent. */
  readonly extendedKeyUsage: readonly string[];
  /** certificatePolicies OIDs; empty when absent. */
  readonly policies: readonly string[];
  /** basicConstraints, when present. */
  readonly basicConstraints?: {
    /** cA: the subject is a certificate authority. */
    readonly ca: boolean;
    /** pathLenConstraint: how many intermediate CA certificates may follow; absent when unlimited. */
    readonly pathLength?: number;
  };
  /** subjectKeyIdentifier, lower-case hex. */
  readonly subjectKeyIdentifier?: string;
  /** authorityKeyIdentifier. */
  readonly authorityKeyIdentifier?: AuthorityKeyId;
  /** OCSP responder URL from AIA (auth leaves only: `http://ocspauthnorm.jpki.go.jp`). */
  readonly ocspUrl?: string;
  /** Prefecture and municipality from the CRLDP DirName (leaves only). */
  readonly municipality?: JpkiMunicipality;
  /** 基本4情報 from the JPKI SAN (sign certificates only). */
  readonly person?: JpkiPerson;
  /** Subject public key. */
  readonly publicKey: RsaPublicKeyInfo | OtherPublicKeyInfo;
  /** Signature algorithm OID and, for RSASSA-PKCS1-v1_5, its hash. */
  readonly signatureAlgorithm: {
    /** The signatureAlgorithm OID, dotted (e.g. `1.2.840.113549.1.1.11`, sha256WithRSAEncryption). */
    readonly oid: string;
    /** The digest of an RSASSA-PKCS1-v1_5 algorithm; absent for other algorithms. */
    readonly hash?: HashAlgorithm;
  };
  /** OIDs of the extensions marked critical. */
  readonly criticalExtensions: readonly string[];
  /** The certificate DER (a copy). */
  readonly der: Uint8Array;
}

/** Key-usage names in bit order with their flag values (RFC 5280 §4.2.1.3). */
const KEY_USAGE_BITS: readonly (readonly [KeyUsageName, number])[] = [
  ['digitalSignature', KeyUsageFlags.digitalSignature],
  ['nonRepudiation', KeyUsageFlags.nonRepudiation],
  ['keyEncipherment', KeyUsageFlags.keyEncipherment],
  ['dataEncipherment', KeyUsageFlags.dataEncipherment],
  ['keyAgreement', KeyUsageFlags.keyAgreement],
  ['keyCertSign', KeyUsageFlags.keyCertSign],
  ['crlSign', KeyUsageFlags.cRLSign],
  ['encipherOnly', KeyUsageFlags.encipherOnly],
  ['decipherOnly', KeyUsageFlags.decipherOnly],
];

function keyUsageNames(decoded: DecodedCertificate): KeyUsageName[] {
  const ext = decoded.extensions.get(OID.keyUsage);
  if (ext === undefined) return [];
  const flags = parseExtension(ext.value, KeyUsage, 'keyUsage').toNumber();
  return KEY_USAGE_BITS.filter(([, bit]) => (flags & bit) !== 0).map(([name]) => name);
}

function policies(decoded: DecodedCertificate): string[] {
  const ext = decoded.extensions.get(OID.certificatePolicies);
  if (ext === undefined) return [];
  return Array.from(parseExtension(ext.value, CertificatePolicies, 'certificatePolicies'), (p) => p.policyIdentifier);
}

function extendedKeyUsage(decoded: DecodedCertificate): string[] {
  const ext = decoded.extensions.get(OID.extKeyUsage);
  if (ext === undefined) return [];
  return Array.from(parseExtension(ext.value, ExtendedKeyUsage, 'extKeyUsage'));
}

function basicConstraints(decoded: DecodedCertificate): JpkiCertificate['basicConstraints'] {
  const ext = decoded.extensions.get(OID.basicConstraints);
  if (ext === undefined) return undefined;
  const bc = parseExtension(ext.value, BasicConstraints, 'basicConstraints');
  return bc.pathLenConstraint === undefined ? { ca: bc.cA } : { ca: bc.cA, pathLength: bc.pathLenConstraint };
}

function subjectKeyIdentifier(decoded: DecodedCertificate): string | undefined {
  const ext = decoded.extensions.get(OID.subjectKeyIdentifier);
  if (ext === undefined) return undefined;
  return toHex(new Uint8Array(parseExtension(ext.value, SubjectKeyIdentifier, 'subjectKeyIdentifier').buffer));
}

function authorityKeyIdentifier(decoded: DecodedCertificate): AuthorityKeyId | undefined {
  const ext = decoded.extensions.get(OID.authorityKeyIdentifier);
  if (ext === undefined) return undefined;
  const aki = parseExtension(ext.value, AuthorityKeyIdentifier, 'authorityKeyIdentifier');
  return {
    ...(aki.keyIdentifier === undefined ? {} : { keyIdentifier: toHex(new Uint8Array(aki.keyIdentifier.buffer)) }),
    ...(aki.authorityCertSerialNumber === undefined
      ? {}
      : { serialNumber: toHex(new Uint8Array(aki.authorityCertSerialNumber)).toUpperCase() }),
  };
}

function ocspUrl(decoded: DecodedCertificate): string | undefined {
  const ext = decoded.extensions.get(OID.authorityInfoAccess);
  if (ext === undefined) return undefined;
  const aia = parseExtension(ext.value, AuthorityInfoAccessSyntax, 'authorityInfoAccess');
  return aia.find((d) => d.accessMethod === OID.ocsp && d.accessLocation.uniformResourceIdentifier !== undefined)
    ?.accessLocation.uniformResourceIdentifier;
}

/** OU that precedes the prefecture in a leaf's CRLDP DirName (cert-profile §2). */
const CRLDP_MARKER = 'CRL Distribution Points';
/** Suffix of the CN of a leaf's CRLDP DirName (cert-profile §2). */
const CRLDP_SUFFIX = ' CRLDP';

/**
 * `…,OU=CRL Distribution Points,OU=<Prefecture>,CN=<Municipality> CRLDP` → the two names.
 * Roots carry their own subject as CRLDP (no marker) and yield `undefined`.
 */
function municipality(decoded: DecodedCertificate): JpkiMunicipality | undefined {
  const ext = decoded.extensions.get(OID.cRLDistributionPoints);
  if (ext === undefined) return undefined;
  const points = parseExtension(ext.value, CRLDistributionPoints, 'cRLDistributionPoints');
  for (const point of points) {
    for (const name of point.distributionPoint?.fullName ?? []) {
      if (name.directoryName === undefined) continue;
      const attributes = distinguishedName(name.directoryName).attributes;
      const marker = attributes.findIndex((a) => a.type === 'OU' && a.value === CRLDP_MARKER);
      const prefecture = attributes[marker + 1];
      const city = attributes[marker + 2];
      if (marker < 0 || prefecture?.type !== 'OU' || city?.type !== 'CN') continue;
      return {
        prefecture: prefecture.value,
        municipality: city.value.endsWith(CRLDP_SUFFIX) ? city.value.slice(0, -CRLDP_SUFFIX.length) : city.value,
      };
    }
  }
  return undefined;
}

function determineKind(
  policyOids: readonly string[],
  usage: readonly KeyUsageName[],
  eku: readonly string[],
  bc: JpkiCertificate['basicConstraints'],
): CertificateKind | undefined {
  if (bc?.ca === true) return 'ca';
  if (policyOids.includes(JPKI_SIGN_POLICY)) return 'sign';
  if (policyOids.includes(JPKI_AUTH_POLICY)) return 'auth';
  if (usage.includes('nonRepudiation')) return 'sign';
  if (eku.includes(OID.clientAuth)) return 'auth';
  return undefined;
}

/**
 * Parse the DER of a JPKI certificate (a J-LIS root, an auth leaf or a sign leaf).
 *
 * The kind is decided by basicConstraints cA (→ `ca`), then by the JPKI policy OID, then by key
 * usage (nonRepudiation → `sign`) or EKU (clientAuth → `auth`). Parsing never checks trust: use
 * {@link verifyJpkiChain} for that.
 *
 * @throws CryptoError with code `malformed-certificate` (bad DER, truncated, trailing bytes,
 *   duplicate extension, undecodable extension), `malformed-san` (bad JPKI SAN) or
 *   `kind-unknown`. Messages never contain certificate contents.
 */
export function parseJpkiCertificate(der: Uint8Array): JpkiCertificate {
  return jpkiCertificateOf(decodeCertificate(der));
}

/** A certificate described like {@link JpkiCertificate}, whose kind may be unknown. @internal */
export type CertificateDescription = Omit<JpkiCertificate, 'kind'> & {
  readonly kind: CertificateKind | undefined;
};

/** {@link parseJpkiCertificate} for an already decoded certificate. @internal */
export function jpkiCertificateOf(decoded: DecodedCertificate): JpkiCertificate {
  const description = describeCertificate(decoded);
  if (description.kind === undefined) {
    throw new CryptoError('Not a JPKI certificate: neither a JPKI policy, key usage nor CA constraints', {
      code: 'kind-unknown',
    });
  }
  return description as JpkiCertificate;
}

/**
 * Every field of {@link JpkiCertificate} for a decoded certificate; `kind` is `undefined` when
 * nothing identifies it. @internal
 */
export function describeCertificate(decoded: DecodedCertificate): CertificateDescription {
  const tbs = decoded.asn.tbsCertificate;
  const keyUsage = keyUsageNames(decoded);
  const policyOids = policies(decoded);
  const eku = extendedKeyUsage(decoded);
  const bc = basicConstraints(decoded);
  const kind = determineKind(policyOids, keyUsage, eku, bc);
  const ski = subjectKeyIdentifier(decoded);
  const aki = authorityKeyIdentifier(decoded);
  const ocsp = ocspUrl(decoded);
  const place = kind === 'ca' ? undefined : municipality(decoded);
  const san = decoded.extensions.get(OID.subjectAltName);
  const person = kind === 'sign' && san !== undefined ? decodeJpkiPerson(san.value) : undefined;
  const hash = rsaSignatureHash(decoded.signatureAlgorithm);
  return {
    kind,
    serialNumber: decoded.serialNumber,
    subject: distinguishedName(tbs.subject),
    issuer: distinguishedName(tbs.issuer),
    notBefore: tbs.validity.notBefore.getTime(),
    notAfter: tbs.validity.notAfter.getTime(),
    keyUsage,
    extendedKeyUsage: eku,
    policies: policyOids,
    ...(bc === undefined ? {} : { basicConstraints: bc }),
    ...(ski === undefined ? {} : { subjectKeyIdentifier: ski }),
    ...(aki === undefined ? {} : { authorityKeyIdentifier: aki }),
    ...(ocsp === undefined ? {} : { ocspUrl: ocsp }),
    ...(place === undefined ? {} : { municipality: place }),
    ...(person === undefined ? {} : { person }),
    publicKey: decoded.publicKey,
    signatureAlgorithm: hash === undefined ? { oid: decoded.signatureAlgorithm } : { oid: decoded.signatureAlgorithm, hash },
    criticalExtensions: [...decoded.extensions].filter(([, e]) => e.critical).map(([oid]) => oid),
    der: Uint8Array.from(decoded.der),
  };
}
