/**
 * The structural X.509 layer (RFC 5280), decoded with the project's TLV core: one validation
 * pass, then zero-copy views of the exact bytes a verifier needs (TBS part, names,
 * SubjectPublicKeyInfo, signature, extension values). Every field of the TBS is shape-checked
 * here; extension contents are read on demand by `parse.ts`. Browser-safe: Uint8Array only.
 * @packageDocumentation
 */
import { equalBytes, toHex } from '../bytes.js';
import { CryptoError } from '../errors.js';
import { readTlvBoolean, readTlvTime, type TlvNode } from '../tlv/index.js';
import { checkName, checkNameValues, decodeOne, derError, guard, readOid } from './der.js';
import type { HashAlgorithm } from '../hash/digest-info.js';
import { decodeEcPublicKey, type EcPublicKeyInfo } from './ecdsa.js';
import { OID } from './oid.js';

export { OID } from './oid.js';

/** Signature algorithm OID → hash for RSASSA-PKCS1-v1_5 (RFC 8017 App. C). */
const RSA_SIGNATURE_HASH: Readonly<Record<string, HashAlgorithm>> = {
  [OID.sha1WithRSAEncryption]: 'SHA-1',
  [OID.sha256WithRSAEncryption]: 'SHA-256',
  [OID.sha384WithRSAEncryption]: 'SHA-384',
  [OID.sha512WithRSAEncryption]: 'SHA-512',
};

/** Signature algorithm OID → hash for ECDSA (RFC 5758 §3.2); SHA-1 and SHA-512 are not accepted. */
const ECDSA_SIGNATURE_HASH: Readonly<Record<string, HashAlgorithm>> = {
  [OID.ecdsaWithSha256]: 'SHA-256',
  [OID.ecdsaWithSha384]: 'SHA-384',
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

/** The hash of an accepted ECDSA signature algorithm OID (ecdsa-with-SHA256/384), or `undefined`. */
export function ecdsaSignatureHash(oid: string): HashAlgorithm | undefined {
  return Object.hasOwn(ECDSA_SIGNATURE_HASH, oid) ? ECDSA_SIGNATURE_HASH[oid] : undefined;
}

/** The hash named by a digest algorithm OID, or `undefined` if unsupported. */
export function digestAlgorithmHash(oid: string): HashAlgorithm | undefined {
  return Object.hasOwn(DIGEST_HASH, oid) ? DIGEST_HASH[oid] : undefined;
}

export type { DistinguishedName, NameAttribute } from './der.js';
export type { EcCurveName, EcPublicKeyInfo } from './ecdsa.js';

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

/**
 * A public key the SDK does not verify with: only its algorithm OID is reported (also an
 * id-ecPublicKey key on a curve other than P-256/P-384, or with explicit parameters).
 */
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
 * A certificate decoded to the level a verifier needs. Every byte array is a view of `der`, the
 * decoder's own copy of the input.
 * @internal Used by the parse/chain/CMS modules.
 */
export interface DecodedCertificate {
  /** The whole DER (a copy of the input). */
  readonly der: Uint8Array;
  /** Exact DER of tbsCertificate (what the issuer signed). */
  readonly tbs: Uint8Array;
  /** Outer signatureAlgorithm OID. */
  readonly signatureAlgorithm: string;
  /** The signature bits. */
  readonly signature: Uint8Array;
  /** Exact DER of SubjectPublicKeyInfo. */
  readonly spki: Uint8Array;
  /** The subject public key. */
  readonly publicKey: RsaPublicKeyInfo | EcPublicKeyInfo | OtherPublicKeyInfo;
  /** The subject Name node (checked RDNSequence). */
  readonly subject: TlvNode;
  /** The issuer Name node (checked RDNSequence). */
  readonly issuer: TlvNode;
  /** Exact DER of the subject Name. */
  readonly subjectDer: Uint8Array;
  /** Exact DER of the issuer Name. */
  readonly issuerDer: Uint8Array;
  /** Start of validity. */
  readonly notBefore: Date;
  /** End of validity. */
  readonly notAfter: Date;
  /** Serial number, upper-case hex of the INTEGER contents (as OpenSSL prints it). */
  readonly serialNumber: string;
  /** Exact DER of the serial number INTEGER contents. */
  readonly serialBytes: Uint8Array;
  /** Extensions by OID (each OID at most once). */
  readonly extensions: ReadonlyMap<string, RawExtension>;
}

const CODE = 'malformed-certificate';

/** A CryptoError with code `malformed-certificate`; the message never holds certificate data. */
function malformed(message: string, cause?: unknown): CryptoError {
  return derError(CODE, `Malformed certificate: ${message}`, cause);
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

/** Whether an INTEGER node has a non-empty, minimal encoding (X.690 §8.3.2). */
function isInteger(node: TlvNode | undefined): node is TlvNode {
  if (node?.tag !== 0x02 || node.length === 0) return false;
  if (node.length === 1) return true;
  const v = node.value;
  return !((v[0] === 0x00 && v[1]! < 0x80) || (v[0] === 0xff && v[1]! >= 0x80));
}

/** The RSAPublicKey (RFC 8017 A.1.1) in a SubjectPublicKeyInfo BIT STRING. */
function decodeRsaPublicKey(bitString: Uint8Array): RsaPublicKeyInfo {
  const key = decodeOne(bitString, CODE, 'Malformed certificate: RSA public key');
  const [n, e, extra] = key.children;
  if (key.tag !== 0x30 || !isInteger(n) || !isInteger(e) || extra !== undefined) {
    throw malformed('RSA public key has the wrong shape');
  }
  // Negative integers cannot be RSA parameters (a zero modulus shows up as a 0-bit weak key).
  if ((n.value[0]! & 0x80) !== 0 || (e.value[0]! & 0x80) !== 0) throw malformed('negative RSA parameter');
  const modulus = stripLeadingZeros(n.value);
  return { algorithm: 'RSA', modulusBits: bitLength(modulus), modulus, exponent: stripLeadingZeros(e.value) };
}

/** An AlgorithmIdentifier `SEQUENCE { OID, parameters ANY OPTIONAL }`: its OID node. */
function algorithmOid(node: TlvNode | undefined, what: string): TlvNode {
  const parts = node?.children;
  if (node?.tag !== 0x30 || parts === undefined || parts.length < 1 || parts.length > 2 || parts[0]!.tag !== 0x06) {
    throw malformed(`${what} is not an AlgorithmIdentifier`);
  }
  return parts[0]!;
}

/** The public key of a SubjectPublicKeyInfo: RSA, EC on an accepted curve, or just its OID. */
function publicKeyOf(algorithm: string, algorithmNode: TlvNode, keyBits: Uint8Array): RsaPublicKeyInfo | EcPublicKeyInfo | OtherPublicKeyInfo {
  if (algorithm === OID.rsaEncryption) return decodeRsaPublicKey(keyBits);
  if (algorithm === OID.ecPublicKey) return decodeEcPublicKey(algorithmNode.children[1], keyBits) ?? { algorithm };
  return { algorithm };
}

/** `Validity ::= SEQUENCE { notBefore Time, notAfter Time }`. */
function validity(node: TlvNode | undefined): [Date, Date] {
  const parts = node?.children;
  if (node?.tag !== 0x30 || parts?.length !== 2) throw malformed('validity has the wrong shape');
  return guard(CODE, 'Malformed certificate: bad validity time', () => [readTlvTime(parts[0]!), readTlvTime(parts[1]!)]);
}

/** `[3] EXPLICIT SEQUENCE SIZE (1..MAX) OF Extension`, each OID at most once. */
function extensionsOf(node: TlvNode): Map<string, RawExtension> {
  const list = node.children;
  const sequence = list[0];
  if (list.length !== 1 || sequence!.tag !== 0x30 || sequence!.length === 0) throw malformed('extensions have the wrong shape');
  const extensions = new Map<string, RawExtension>();
  for (const extension of sequence!.children) {
    const parts = extension.children;
    const n = parts.length;
    const last = parts[n - 1];
    if (extension.tag !== 0x30 || n < 2 || n > 3 || last!.tag !== 0x04 || (n === 3 && parts[1]!.tag !== 0x01)) {
      throw malformed('extension has the wrong shape');
    }
    const oid = guard(CODE, 'Malformed certificate: extension OID', () => readOid(parts[0]!));
    const critical = n === 3 && guard(CODE, 'Malformed certificate: extension critical flag', () => readTlvBoolean(parts[1]!));
    if (extensions.has(oid)) throw malformed('duplicate extension');
    extensions.set(oid, { critical, value: last!.value });
  }
  return extensions;
}

/**
 * Decode a DER X.509 certificate. The envelope must be exactly one DER object (no trailing
 * bytes, no truncation), every TBS field must have its RFC 5280 shape, the TBS and outer
 * signature algorithms must agree, and no extension may appear twice (RFC 5280 §4.2).
 *
 * @throws CryptoError `malformed-certificate` on any structural problem (the cause holds the
 *   TLV error; messages carry no certificate content).
 */
export function decodeCertificate(input: Uint8Array): DecodedCertificate {
  if (!(input instanceof Uint8Array)) throw malformed('expected a Uint8Array');
  // One copy up front: every view below points into it, never into caller memory.
  const der = input.slice();
  const root = decodeOne(der, CODE, 'Malformed certificate: certificate');
  const top = root.children;
  if (root.tag !== 0x30 || top.length !== 3) throw malformed('certificate has the wrong shape');
  const [tbsNode, outerAlgorithm, signatureNode] = top as [TlvNode, TlvNode, TlvNode];
  if (tbsNode.tag !== 0x30 || signatureNode.tag !== 0x03 || signatureNode.length === 0 || signatureNode.value[0] !== 0) {
    throw malformed('certificate has the wrong shape');
  }
  const fields = tbsNode.children;
  // tbsCertificate: [0] version, serial, signature, issuer, validity, subject, spki, [1], [2], [3]
  let i = 0;
  const versionNode = fields[0];
  if (versionNode?.tag === 0xa0) {
    const inner = versionNode.children;
    if (inner.length !== 1 || !isInteger(inner[0]) || inner[0].length !== 1 || inner[0].value[0]! > 2) {
      throw malformed('bad version');
    }
    i = 1;
  }
  const serialNode = fields[i];
  algorithmOid(fields[i + 1], 'TBS signature');
  const issuerNode = fields[i + 2];
  const [notBefore, notAfter] = validity(fields[i + 3]);
  const subjectNode = fields[i + 4];
  const spkiNode = fields[i + 5];
  if (serialNode?.tag !== 0x02 || serialNode.length === 0 || issuerNode === undefined || subjectNode === undefined || spkiNode === undefined) {
    throw malformed('unexpected TBS layout');
  }
  checkName(issuerNode, CODE, 'Malformed certificate: issuer');
  checkName(subjectNode, CODE, 'Malformed certificate: subject');
  guard(CODE, 'Malformed certificate: bad name value', () => {
    checkNameValues(issuerNode);
    checkNameValues(subjectNode);
  });
  let extensions: Map<string, RawExtension> = new Map();
  let expected = 0x81; // optional issuerUniqueID [1], subjectUniqueID [2], extensions [3], in order
  for (let j = i + 6; j < fields.length; j++) {
    const tag = fields[j]!.tag;
    if (tag === 0x81 && expected <= 0x81) expected = 0x82;
    else if (tag === 0x82 && expected <= 0x82) expected = 0xa3;
    else if (tag === 0xa3 && expected <= 0xa3) {
      extensions = extensionsOf(fields[j]!);
      expected = 0x100;
    } else throw malformed('unexpected TBS layout');
  }
  const spkiParts = spkiNode.children;
  if (spkiNode.tag !== 0x30 || spkiParts.length !== 2 || spkiParts[1]!.tag !== 0x03 || spkiParts[1]!.length === 0) {
    throw malformed('SubjectPublicKeyInfo has the wrong shape');
  }
  const spkiAlgorithm = guard(CODE, 'Malformed certificate: key algorithm', () => readOid(algorithmOid(spkiParts[0], 'key algorithm')));
  const keyBits = spkiParts[1]!.value;
  if (keyBits[0] !== 0) throw malformed('public key BIT STRING has unused bits');
  const outerOid = algorithmOid(outerAlgorithm, 'signature algorithm');
  if (!equalBytes(fields[i + 1]!.encoded, outerAlgorithm.encoded)) {
    throw malformed('signature algorithm differs between TBS and certificate');
  }
  const signatureAlgorithm = guard(CODE, 'Malformed certificate: signature algorithm', () => readOid(outerOid));
  // ECDSA AlgorithmIdentifiers have no parameters field at all (RFC 5758 §3.2).
  if (ecdsaSignatureHash(signatureAlgorithm) !== undefined && outerAlgorithm.children.length !== 1) {
    throw malformed('ECDSA signature algorithm with parameters');
  }
  const publicKey = publicKeyOf(spkiAlgorithm, spkiParts[0]!, keyBits.subarray(1));
  const serialBytes = serialNode.value;
  return {
    der,
    tbs: tbsNode.encoded,
    signatureAlgorithm,
    signature: signatureNode.value.subarray(1),
    spki: spkiNode.encoded,
    publicKey,
    subject: subjectNode,
    issuer: issuerNode,
    subjectDer: subjectNode.encoded,
    issuerDer: issuerNode.encoded,
    notBefore,
    notAfter,
    serialNumber: toHex(serialBytes).toUpperCase(),
    serialBytes,
    extensions,
  };
}

/** Whether a decoded public key is RSA. */
export function isRsaKey(key: RsaPublicKeyInfo | EcPublicKeyInfo | OtherPublicKeyInfo): key is RsaPublicKeyInfo {
  return key.algorithm === 'RSA';
}

/** Whether a decoded public key is EC on an accepted curve. */
export function isEcKey(key: RsaPublicKeyInfo | EcPublicKeyInfo | OtherPublicKeyInfo): key is EcPublicKeyInfo {
  return key.algorithm === 'EC';
}
