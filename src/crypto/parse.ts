/**
 * `parseJpkiCertificate`: a JPKI certificate (公的個人認証サービスの電子証明書) as a plain typed
 * object, following docs/cert-profile.md. Browser-safe.
 * @packageDocumentation
 */
import { toHex } from '../bytes.js';
import { readTlvBitString, readTlvBoolean, readTlvInteger, readTlvString, type TlvNode } from '../tlv/index.js';
import { checkName, decodeOne, derError, distinguishedName, guard, readOid } from './der.js';
import { decodeJpkiPerson, type JpkiPerson } from './san.js';
import {
  decodeCertificate,
  ecdsaSignatureHash,
  OID,
  rsaSignatureHash,
  type DecodedCertificate,
  type DistinguishedName,
  type EcPublicKeyInfo,
  type OtherPublicKeyInfo,
  type RsaPublicKeyInfo,
} from './x509.js';
import { CryptoError } from '../errors.js';
import type { HashAlgorithm } from '../hash/digest-info.js';

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
export type KeyUsageName =
  | 'digitalSignature'
  | 'nonRepudiation'
  | 'keyEncipherment'
  | 'dataEncipherment'
  | 'keyAgreement'
  | 'keyCertSign'
  | 'crlSign'
  | 'encipherOnly'
  | 'decipherOnly';

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
  /** Subject public key (RSA, EC on P-256 / P-384, or only the algorithm OID of any other key). */
  readonly publicKey: RsaPublicKeyInfo | EcPublicKeyInfo | OtherPublicKeyInfo;
  /** Signature algorithm OID and, for RSASSA-PKCS1-v1_5 and ECDSA, its hash. */
  readonly signatureAlgorithm: {
    /** The signatureAlgorithm OID, dotted (e.g. `1.2.840.113549.1.1.11`, sha256WithRSAEncryption). */
    readonly oid: string;
    /**
     * The digest of an RSASSA-PKCS1-v1_5 or ECDSA (ecdsa-with-SHA256/384) algorithm; absent
     * for other algorithms.
     */
    readonly hash?: HashAlgorithm;
  };
  /** OIDs of the extensions marked critical. */
  readonly criticalExtensions: readonly string[];
  /** The certificate DER (a copy). */
  readonly der: Uint8Array;
}

/** Key-usage names in bit order (RFC 5280 §4.2.1.3: bit 0 is the first byte's high bit). */
const KEY_USAGE_BITS: readonly KeyUsageName[] = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'crlSign',
  'encipherOnly',
  'decipherOnly',
];

const CODE = 'malformed-certificate';

/** An extension value as one DER object; `read` gets its top node and may use TLV readers. */
function readExtension<T>(decoded: DecodedCertificate, oid: string, what: string, read: (node: TlvNode) => T): T | undefined {
  const ext = decoded.extensions.get(oid);
  if (ext === undefined) return undefined;
  const node = decodeOne(ext.value, CODE, `Malformed certificate: ${what}`);
  return guard(CODE, `Malformed certificate: bad ${what}`, () => read(node));
}

function badExtension(what: string): CryptoError {
  return derError(CODE, `Malformed certificate: bad ${what}`);
}

/** `SEQUENCE` children, or a malformed-certificate error naming `what`. */
function sequence(node: TlvNode | undefined, what: string, nonEmpty = false): readonly TlvNode[] {
  if (node?.tag !== 0x30 || (nonEmpty && node.length === 0)) throw badExtension(what);
  return node.children;
}

function keyUsageNames(decoded: DecodedCertificate): KeyUsageName[] {
  return (
    readExtension(decoded, OID.keyUsage, 'keyUsage', (node) => {
      const { unusedBits, bytes } = readTlvBitString(node);
      const usable = bytes.length * 8 - unusedBits;
      return KEY_USAGE_BITS.filter((_, i) => i < usable && (bytes[i >> 3]! & (0x80 >> (i & 7))) !== 0);
    }) ?? []
  );
}

function policies(decoded: DecodedCertificate): string[] {
  return (
    readExtension(decoded, OID.certificatePolicies, 'certificatePolicies', (node) =>
      sequence(node, 'certificatePolicies', true).map((info) => {
        const parts = sequence(info, 'certificatePolicies', true);
        if (parts.length > 2 || (parts.length === 2 && parts[1]!.tag !== 0x30)) throw badExtension('certificatePolicies');
        return readOid(parts[0]!);
      }),
    ) ?? []
  );
}

function extendedKeyUsage(decoded: DecodedCertificate): string[] {
  return readExtension(decoded, OID.extKeyUsage, 'extKeyUsage', (node) => sequence(node, 'extKeyUsage', true).map(readOid)) ?? [];
}

function basicConstraints(decoded: DecodedCertificate): JpkiCertificate['basicConstraints'] {
  return readExtension(decoded, OID.basicConstraints, 'basicConstraints', (node) => {
    const parts = sequence(node, 'basicConstraints');
    let i = 0;
    let ca = false;
    if (parts[0]?.tag === 0x01) {
      ca = readTlvBoolean(parts[0]);
      i = 1;
    }
    const path = parts[i];
    if (parts.length > i + 1) throw badExtension('basicConstraints');
    if (path === undefined) return { ca };
    const length = readTlvInteger(path);
    if (length < 0n || length > 0x7fffffffn) throw badExtension('basicConstraints');
    return { ca, pathLength: Number(length) };
  });
}

function subjectKeyIdentifier(decoded: DecodedCertificate): string | undefined {
  return readExtension(decoded, OID.subjectKeyIdentifier, 'subjectKeyIdentifier', (node) => {
    if (node.tag !== 0x04) throw badExtension('subjectKeyIdentifier');
    return toHex(node.value);
  });
}

/** `AuthorityKeyIdentifier ::= SEQUENCE { [0] keyIdentifier, [1] authorityCertIssuer, [2] serial }`. */
function authorityKeyIdentifier(decoded: DecodedCertificate): AuthorityKeyId | undefined {
  return readExtension(decoded, OID.authorityKeyIdentifier, 'authorityKeyIdentifier', (node) => {
    let keyIdentifier: string | undefined;
    let serialNumber: string | undefined;
    let next = 0x80;
    for (const part of sequence(node, 'authorityKeyIdentifier')) {
      if (part.tag === 0x80 && next <= 0x80) keyIdentifier = toHex(part.value);
      else if (part.tag === 0xa1 && next <= 0xa1) generalNames(part);
      else if (part.tag === 0x82 && next <= 0x82) {
        readTlvInteger(part, 0x82);
        serialNumber = toHex(part.value).toUpperCase();
      } else throw badExtension('authorityKeyIdentifier');
      next = (part.tag & 0x1f) === 0 ? 0xa1 : (part.tag & 0x1f) === 1 ? 0x82 : 0x100;
    }
    // Property by property: conditional spreads make a slow dictionary object on every call.
    const aki: { keyIdentifier?: string; serialNumber?: string } = {};
    if (keyIdentifier !== undefined) aki.keyIdentifier = keyIdentifier;
    if (serialNumber !== undefined) aki.serialNumber = serialNumber;
    return aki;
  });
}

/** GeneralName tags: [0]–[8]; otherName, x400Address, directoryName, ediPartyName are constructed. */
function checkGeneralName(name: TlvNode): void {
  const n = name.tag & 0x1f;
  const constructed = n === 0 || n === 3 || n === 4 || n === 5;
  if ((name.tag & 0xc0) !== 0x80 || n > 8 || name.constructed !== constructed) throw badExtension('GeneralName');
  if (n === 4 && (name.children.length !== 1 || name.children[0]!.tag !== 0x30)) throw badExtension('GeneralName');
}

/** Children of a `GeneralNames` (SEQUENCE SIZE (1..MAX) OF GeneralName), shape-checked. */
function generalNames(node: TlvNode): readonly TlvNode[] {
  const names = node.children;
  if (!node.constructed || names.length === 0) throw badExtension('GeneralNames');
  for (const name of names) checkGeneralName(name);
  return names;
}

function ocspUrl(decoded: DecodedCertificate): string | undefined {
  return readExtension(decoded, OID.authorityInfoAccess, 'authorityInfoAccess', (node) => {
    let url: string | undefined;
    for (const description of sequence(node, 'authorityInfoAccess', true)) {
      const parts = sequence(description, 'authorityInfoAccess');
      if (parts.length !== 2) throw badExtension('authorityInfoAccess');
      const method = readOid(parts[0]!);
      checkGeneralName(parts[1]!);
      if (url === undefined && method === OID.ocsp && parts[1]!.tag === 0x86) url = readTlvString(parts[1]!, 0x16);
    }
    return url;
  });
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
  const names = readExtension(decoded, OID.cRLDistributionPoints, 'cRLDistributionPoints', (node) => {
    const found: TlvNode[] = [];
    for (const point of sequence(node, 'cRLDistributionPoints', true)) {
      for (const part of sequence(point, 'cRLDistributionPoints')) {
        if (part.tag !== 0xa0) continue; // reasons [1], cRLIssuer [2]
        const choice = part.children;
        if (choice.length !== 1) throw badExtension('cRLDistributionPoints');
        if (choice[0]!.tag !== 0xa0) continue; // nameRelativeToCRLIssuer [1]
        for (const name of generalNames(choice[0]!)) if (name.tag === 0xa4) found.push(name.children[0]!);
      }
    }
    return found;
  });
  for (const name of names ?? []) {
    checkName(name, CODE, 'Malformed certificate: cRLDistributionPoints');
    const attributes = distinguishedName(name, CODE).attributes;
    const marker = attributes.findIndex((a) => a.type === 'OU' && a.value === CRLDP_MARKER);
    const prefecture = attributes[marker + 1];
    const city = attributes[marker + 2];
    if (marker < 0 || prefecture?.type !== 'OU' || city?.type !== 'CN') continue;
    return {
      prefecture: prefecture.value,
      municipality: city.value.endsWith(CRLDP_SUFFIX) ? city.value.slice(0, -CRLDP_SUFFIX.length) : city.value,
    };
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
  const hash = rsaSignatureHash(decoded.signatureAlgorithm) ?? ecdsaSignatureHash(decoded.signatureAlgorithm);
  // Built property by property in the order of the interface (no conditional spreads: they
  // turn the object into a slow dictionary on every call).
  const out: Record<string, unknown> = {
    kind,
    serialNumber: decoded.serialNumber,
    subject: distinguishedName(decoded.subject, CODE),
    issuer: distinguishedName(decoded.issuer, CODE),
    notBefore: new Date(decoded.notBefore.getTime()),
    notAfter: new Date(decoded.notAfter.getTime()),
    keyUsage,
    extendedKeyUsage: eku,
    policies: policyOids,
  };
  if (bc !== undefined) out['basicConstraints'] = bc;
  if (ski !== undefined) out['subjectKeyIdentifier'] = ski;
  if (aki !== undefined) out['authorityKeyIdentifier'] = aki;
  if (ocsp !== undefined) out['ocspUrl'] = ocsp;
  if (place !== undefined) out['municipality'] = place;
  if (person !== undefined) out['person'] = person;
  out['publicKey'] = decoded.publicKey;
  out['signatureAlgorithm'] = hash === undefined ? { oid: decoded.signatureAlgorithm } : { oid: decoded.signatureAlgorithm, hash };
  const critical: string[] = [];
  for (const [oid, extension] of decoded.extensions) if (extension.critical) critical.push(oid);
  out['criticalExtensions'] = critical;
  out['der'] = decoded.der; // the decoder's own copy, used by nothing else once described
  return out as unknown as CertificateDescription;
}
