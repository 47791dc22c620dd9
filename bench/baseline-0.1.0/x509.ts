/**
 * The structural X.509 layer (RFC 5280): DER envelope checks with the project's TLV core, the
 * field and extension decoding with `@peculiar/asn1-x509`, and the exact bytes a verifier needs
 * (TBS part, SubjectPublicKeyInfo, signature). Browser-safe: Uint8Array only.
 *
 * `@peculiar/x509` (which needs `reflect-metadata`) is deliberately not used here: the schema
 * package is enough and keeps the browser bundle free of a global polyfill.
 * @packageDocumentation
 */
import { AsnConvert } from '@peculiar/asn1-schema';
import { Certificate, type AlgorithmIdentifier, type Name } from '@peculiar/asn1-x509';
import { equalBytes, toHex } from '../../src/bytes.js';
import { CryptoError } from '../../src/errors.js';
import { decodeTlv, type TlvNode } from '../../src/tlv/index.js';
import type { HashAlgorithm } from '../../src/hash/digest-info.js';
import { OID } from '../../src/crypto/oid.js';

export { OID } from '../../src/crypto/oid.js';

/** Signature algorithm OID → hash for RSASSA-PKCS1-v1_5 (RFC 8017 App. C). */
const RSA_SIGNATURE_HASH: Readonly<Record<string, HashAlgorithm>> = {
  [OID.sha1WithRSAEncryption]: 'SHA-1',
  [OID.sha256WithRSAEncryption]: 'SHA-256',
  [OID.sha384WithRSAEncryption]: 'SHA-384',
  [OID.sha512WithRSAEncryption]: 'SHA-512',
};

/** Digest algorithm OID → hash (RFC 5754, RFC 3370). */
const DIGEST_HASH: Readonly<Record<string, HashAlgorithm>> = {
  [OID.sha1]: 'SHA-1',
  [OID.sha256]: 'SHA-256',
  [OID.sha384]: 'SHA-384',
  [OID.sha512]: 'SHA-512',
};

/** The hash of an RSASSA-PKCS1-v1_5 signature algorithm OID, or `undefined` if unsupported. */
export function rsaSignatureHash(oid: string): HashAlgorithm | undefined {
  return Object.hasOwn(RSA_SIGNATURE_HASH, oid) ? RSA_SIGNATURE_HASH[oid] : undefined;
}

/** The hash named by a digest algorithm OID, or `undefined` if unsupported. */
export function digestAlgorithmHash(oid: string): HashAlgorithm | undefined {
  return Object.hasOwn(DIGEST_HASH, oid) ? DIGEST_HASH[oid] : undefined;
}

/** Short names of the DN attribute types seen in JPKI certificates (cert-profile §2). */
const NAME_TYPES: Readonly<Record<string, string>> = {
  '2.5.4.6': 'C',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.3': 'CN',
  '2.5.4.5': 'serialNumber',
};

/** One attribute of a distinguished name (識別名). */
export interface NameAttribute {
  /** Attribute type OID, e.g. `2.5.4.3`. */
  readonly oid: string;
  /** Short name (`C`, `O`, `OU`, `L`, `ST`, `CN`) or the OID when unknown. */
  readonly type: string;
  /** The value as text. */
  readonly value: string;
}

/** A distinguished name: attributes in encoding order plus a display string. */
export interface DistinguishedName {
  /** `C=JP, O=JPKI, OU=…` in encoding order (for display only; compare names by DER). */
  readonly text: string;
  /** Every attribute in encoding order (one per RDN in all JPKI certificates). */
  readonly attributes: readonly NameAttribute[];
}

/** The parts of an RSA public key a verifier checks. */
export interface RsaPublicKeyInfo {
  /** Always `'RSA'`. */
  readonly algorithm: 'RSA';
  /** Modulus length in bits (2048 on every JPKI key). */
  readonly modulusBits: number;
  /** Modulus, big-endian, without a leading zero byte. */
  readonly modulus: Uint8Array;
  /** Public exponent, big-endian, without leading zero bytes. */
  readonly exponent: Uint8Array;
}

/** A public key that is not RSA: only its algorithm OID is reported. */
export interface OtherPublicKeyInfo {
  /** The SubjectPublicKeyInfo algorithm OID. */
  readonly algorithm: string;
}

/** One extension as it appears in the certificate. */
export interface RawExtension {
  /** Whether the extension is marked critical. */
  readonly critical: boolean;
  /** DER of the extnValue contents. */
  readonly value: Uint8Array;
}

/**
 * A certificate decoded to the level a verifier needs.
 * @internal Used by the parse/chain/CMS modules.
 */
export interface DecodedCertificate {
  /** The whole DER. */
  readonly der: Uint8Array;
  /** The decoded schema object. */
  readonly asn: Certificate;
  /** Exact DER of tbsCertificate (what the issuer signed). */
  readonly tbs: Uint8Array;
  /** Outer signatureAlgorithm OID. */
  readonly signatureAlgorithm: string;
  /** The signature bits. */
  readonly signature: Uint8Array;
  /** Exact DER of SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  /** The subject public key. */
  readonly publicKey: RsaPublicKeyInfo | OtherPublicKeyInfo;
  /** Exact DER of the subject Name. */
  readonly subjectDer: Uint8Array;
  /** Exact DER of the issuer Name. */
  readonly issuerDer: Uint8Array;
  /** Serial number, upper-case hex of the INTEGER contents (as OpenSSL prints it). */
  readonly serialNumber: string;
  /** Exact DER of the serial number INTEGER contents. */
  readonly serialBytes: Uint8Array;
  /** Extensions by OID (each OID at most once). */
  readonly extensions: ReadonlyMap<string, RawExtension>;
}

/** A CryptoError with code `malformed-certificate`; the message never holds certificate data. */
function malformed(message: string, cause?: unknown): CryptoError {
  return new CryptoError(`Malformed certificate: ${message}`, {
    code: 'malformed-certificate',
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Decode DER with the TLV core; one top-level object, nothing after it. */
function decodeSingleDer(bytes: Uint8Array, what: string): TlvNode {
  let nodes: TlvNode[];
  try {
    nodes = decodeTlv(bytes);
  } catch (error) {
    throw malformed(`${what} is not valid DER`, error);
  }
  if (nodes.length !== 1) throw malformed(`${what} must be exactly one DER object`);
  return nodes[0]!;
}

/** The children of a SEQUENCE, which must have exactly the expected tags in order. */
function expectChildren(node: TlvNode, tags: readonly number[], what: string): readonly TlvNode[] {
  const children = node.children;
  if (node.tag !== 0x30 || children.length !== tags.length) throw malformed(`${what} has the wrong shape`);
  children.forEach((child, i) => {
    if (child.tag !== tags[i]) throw malformed(`${what} has the wrong shape`);
  });
  return children;
}

/** Copy a TLV view into its own buffer (decoded results must not alias caller memory). */
function copy(view: Uint8Array): Uint8Array {
  return Uint8Array.from(view);
}

function stripLeadingZeros(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

/** Bit length of a big-endian unsigned integer without leading zero bytes. */
function bitLength(bytes: Uint8Array): number {
  const first = bytes[0] ?? 0;
  return first === 0 ? 0 : (bytes.length - 1) * 8 + (32 - Math.clz32(first));
}

/** The RSAPublicKey (RFC 8017 A.1.1) in a SubjectPublicKeyInfo BIT STRING. */
function decodeRsaPublicKey(bitString: Uint8Array): RsaPublicKeyInfo {
  const key = decodeSingleDer(bitString, 'RSA public key');
  const [n, e] = expectChildren(key, [0x02, 0x02], 'RSA public key');
  // Negative integers cannot be RSA parameters (a zero modulus shows up as a 0-bit weak key).
  if ((n!.value[0]! & 0x80) !== 0 || (e!.value[0]! & 0x80) !== 0) throw malformed('negative RSA parameter');
  const modulus = copy(stripLeadingZeros(n!.value));
  const exponent = copy(stripLeadingZeros(e!.value));
  return { algorithm: 'RSA', modulusBits: bitLength(modulus), modulus, exponent };
}

/** A decoded `Name` as {@link DistinguishedName}. */
export function distinguishedName(name: Name): DistinguishedName {
  const attributes: NameAttribute[] = [];
  for (const rdn of name) {
    for (const atv of rdn) {
      attributes.push({
        oid: atv.type,
        type: Object.hasOwn(NAME_TYPES, atv.type) ? NAME_TYPES[atv.type]! : atv.type,
        value: atv.value.toString(), // the string choice, else hex of the raw value
      });
    }
  }
  return { text: attributes.map((a) => `${a.type}=${a.value}`).join(', '), attributes };
}

/** Parse one DER extension value with an `@peculiar/asn1-x509` schema, as a malformed-certificate error. */
export function parseExtension<T>(value: Uint8Array, schema: new () => T, what: string): T {
  try {
    decodeSingleDer(value, what);
    return AsnConvert.parse(value, schema);
  } catch (error) {
    if (error instanceof CryptoError) throw error;
    throw malformed(`bad ${what}`, error);
  }
}

/**
 * Decode a DER X.509 certificate. The envelope must be exactly one DER object (no trailing
 * bytes, no truncation), the TBS and outer signature algorithms must agree, and no extension may
 * appear twice (RFC 5280 §4.2).
 *
 * @throws CryptoError `malformed-certificate` on any structural problem (the cause holds the
 *   TLV or schema error; messages carry no certificate content).
 */
export function decodeCertificate(der: Uint8Array): DecodedCertificate {
  if (!(der instanceof Uint8Array)) throw malformed('expected a Uint8Array');
  const root = decodeSingleDer(der, 'certificate');
  const [tbsNode, , signatureNode] = expectChildren(root, [0x30, 0x30, 0x03], 'certificate');
  const tbsChildren = tbsNode!.children;
  // tbsCertificate: [0] version, serial, signature, issuer, validity, subject, spki, …
  const offset = tbsChildren[0]?.tag === 0xa0 ? 1 : 0;
  const serialNode = tbsChildren[offset];
  const issuerNode = tbsChildren[offset + 2];
  const subjectNode = tbsChildren[offset + 4];
  const spkiNode = tbsChildren[offset + 5];
  if (
    serialNode?.tag !== 0x02 ||
    issuerNode?.tag !== 0x30 ||
    subjectNode?.tag !== 0x30 ||
    spkiNode?.tag !== 0x30 ||
    signatureNode!.value[0] !== 0
  ) {
    throw malformed('unexpected TBS layout');
  }
  let asn: Certificate;
  try {
    asn = AsnConvert.parse(der, Certificate);
  } catch (error) {
    throw malformed('schema decoding failed', error);
  }
  const tbsSignature = asn.tbsCertificate.signature;
  if (
    tbsSignature.algorithm !== asn.signatureAlgorithm.algorithm ||
    !equalParameters(tbsSignature, asn.signatureAlgorithm)
  ) {
    throw malformed('signature algorithm differs between TBS and certificate');
  }
  const extensions = new Map<string, RawExtension>();
  for (const extension of asn.tbsCertificate.extensions ?? []) {
    if (extensions.has(extension.extnID)) throw malformed('duplicate extension');
    extensions.set(extension.extnID, {
      critical: extension.critical,
      value: new Uint8Array(extension.extnValue.buffer.slice(0)),
    });
  }
  const spkiAlgorithm = asn.tbsCertificate.subjectPublicKeyInfo.algorithm.algorithm;
  const publicKey =
    spkiAlgorithm === OID.rsaEncryption
      ? decodeRsaPublicKey(new Uint8Array(asn.tbsCertificate.subjectPublicKeyInfo.subjectPublicKey))
      : { algorithm: spkiAlgorithm };
  const serialBytes = copy(serialNode.value);
  return {
    der: copy(der),
    asn,
    tbs: copy(tbsNode!.encoded),
    signatureAlgorithm: asn.signatureAlgorithm.algorithm,
    signature: copy(signatureNode!.value.subarray(1)),
    spki: copy(spkiNode.encoded),
    publicKey,
    subjectDer: copy(subjectNode.encoded),
    issuerDer: copy(issuerNode.encoded),
    serialNumber: toHex(serialBytes).toUpperCase(),
    serialBytes,
    extensions,
  };
}

function equalParameters(a: AlgorithmIdentifier, b: AlgorithmIdentifier): boolean {
  const pa = a.parameters;
  const pb = b.parameters;
  if (pa === undefined || pa === null || pb === undefined || pb === null) {
    return (pa === undefined || pa === null) === (pb === undefined || pb === null);
  }
  return equalBytes(new Uint8Array(pa), new Uint8Array(pb));
}

/** Whether a decoded public key is RSA. */
export function isRsaKey(key: RsaPublicKeyInfo | OtherPublicKeyInfo): key is RsaPublicKeyInfo {
  return key.algorithm === 'RSA';
}
