/**
 * OCSP messages (RFC 6960) with the SDK's TLV core: the request for one certificate (CertID and
 * an optional nonce, RFC 8954) and the decoding of a response down to the BasicOCSPResponse's
 * signed bytes, responder identity, embedded certificates and single responses. Nothing is
 * trusted here: `ocspChecker` verifies. Browser-safe.
 * @packageDocumentation
 */
import { toHex } from '../../bytes.js';
import { CryptoError, InvalidArgumentError } from '../../errors.js';
import { hashData, type HashAlgorithm } from '../../hash/digest-info.js';
import { encodeTlv, readTlvInteger, readTlvTime, type TlvNode } from '../../tlv/index.js';
import { checkName, decodeOne, derError, distinguishedName, encodeOid, guard, readOid, seq, type DistinguishedName } from '../der.js';
import type { JpkiCertificate } from '../parse.js';
import { decodeCertificate, digestAlgorithmHash, OID, type DecodedCertificate } from '../x509.js';
import { algorithmOf, crlReason, extensionsOf } from './common.js';
import type { CrlReason } from './types.js';

/** OCSP object identifiers (RFC 6960 §4.2.1, §4.4.1; RFC 5280 §4.2.1.12). */
export const OCSP_OID = {
  basic: '1.3.6.1.5.5.7.48.1.1',
  nonce: '1.3.6.1.5.5.7.48.1.2',
  ocspSigning: '1.3.6.1.5.5.7.3.9',
  noCheck: '1.3.6.1.5.5.7.48.1.5',
} as const;

const CODE = 'malformed-ocsp-response';

/** `responseStatus` names (RFC 6960 §4.2.1); 4 is not used. */
export type OcspResponseStatus = 'successful' | 'malformedRequest' | 'internalError' | 'tryLater' | 'sigRequired' | 'unauthorized';
const STATUS: readonly (OcspResponseStatus | undefined)[] = [
  'successful',
  'malformedRequest',
  'internalError',
  'tryLater',
  undefined,
  'sigRequired',
  'unauthorized',
];

/** A CertID (RFC 6960 §4.1.1). */
export interface OcspCertId {
  /** Hash of the name and key hashes; absent when the response names one the SDK does not know. */
  readonly hash?: HashAlgorithm;
  /** Hash of the issuer's DN (DER), lower-case hex. */
  readonly issuerNameHash: string;
  /** Hash of the issuer's public key bits, lower-case hex. */
  readonly issuerKeyHash: string;
  /** Certificate serial number, upper-case hex. */
  readonly serialNumber: string;
}

/** One SingleResponse. */
export interface OcspSingleResponse {
  /** The certificate it is about. */
  readonly certId: OcspCertId;
  /** certStatus. */
  readonly status: 'good' | 'revoked' | 'unknown';
  /** revocationTime (`revoked`). */
  readonly revokedAt?: Date;
  /** revocationReason (`revoked`, when given). */
  readonly revocationReason?: CrlReason;
  /** thisUpdate. */
  readonly thisUpdate: Date;
  /** nextUpdate, when given. */
  readonly nextUpdate?: Date;
}

/** A decoded OCSPResponse. */
export interface OcspResponse {
  /** responseStatus. */
  readonly status: OcspResponseStatus;
  /** The BasicOCSPResponse (present exactly when `status` is `successful`). */
  readonly basic?: BasicOcspResponse;
}

/** A decoded BasicOCSPResponse. */
export interface BasicOcspResponse {
  /** ResponderID byName, when the responder is named. */
  readonly responderName?: DistinguishedName;
  /** ResponderID byKey: SHA-1 of the responder's public key bits, lower-case hex. */
  readonly responderKeyHash?: string;
  /** producedAt. */
  readonly producedAt: Date;
  /** Every SingleResponse, in order. */
  readonly responses: readonly OcspSingleResponse[];
  /** The nonce extension's value (the DER inside extnValue), when present. */
  readonly nonce?: Uint8Array;
  /** Signature algorithm OID. */
  readonly signatureAlgorithm: string;
  /** DER of the certificates in `certs`. */
  readonly certificates: readonly Uint8Array[];
  /** OIDs of critical response or single-response extensions other than the nonce. */
  readonly unsupportedCriticalExtensions: readonly string[];
}

/** The BasicOCSPResponse plus the bytes a verifier needs. @internal */
export interface DecodedBasicOcspResponse extends BasicOcspResponse {
  readonly tbs: Uint8Array;
  readonly signature: Uint8Array;
  /** DER of the byName Name. */
  readonly responderNameDer?: Uint8Array;
}

/** The public key bits of a certificate (BIT STRING contents without the unused-bits octet). @internal */
export function publicKeyBits(certificate: DecodedCertificate): Uint8Array {
  const spki = decodeOne(certificate.spki, 'malformed-certificate', 'SubjectPublicKeyInfo');
  return spki.children[1]!.value.subarray(1);
}

/** The CertID of `certificate` issued by `issuer` with `hash`. @internal */
export function certIdOf(certificate: DecodedCertificate, issuer: DecodedCertificate, hash: HashAlgorithm): OcspCertId {
  return {
    hash,
    issuerNameHash: toHex(hashData(hash, certificate.issuerDer)),
    issuerKeyHash: toHex(hashData(hash, publicKeyBits(issuer))),
    serialNumber: certificate.serialNumber,
  };
}

const HASH_OID: Readonly<Record<HashAlgorithm, string>> = {
  'SHA-1': OID.sha1,
  'SHA-256': OID.sha256,
  'SHA-384': OID.sha384,
  'SHA-512': OID.sha512,
};

/**
 * DER OCSPRequest for one certificate: `tbsRequest { requestList { Request { CertID } },
 * [2] requestExtensions { nonce } }`, unsigned (RFC 6960 §4.1.1). The nonce extension's value
 * is the OCTET STRING of `nonce` (RFC 8954: 1 to 32 bytes). @internal
 */
export function encodeOcspRequestFor(
  certificate: DecodedCertificate,
  issuer: DecodedCertificate,
  options: { readonly hash?: HashAlgorithm; readonly nonce?: Uint8Array } = {},
): Uint8Array {
  const hash = options.hash ?? 'SHA-1';
  if (!Object.hasOwn(HASH_OID, hash)) throw new InvalidArgumentError("hash must be 'SHA-1', 'SHA-256', 'SHA-384' or 'SHA-512'");
  const certId = seq(
    seq(encodeOid(HASH_OID[hash]), Uint8Array.of(0x05, 0x00)),
    encodeTlv(0x04, hashData(hash, certificate.issuerDer)),
    encodeTlv(0x04, hashData(hash, publicKeyBits(issuer))),
    encodeTlv(0x02, certificate.serialBytes),
  );
  const parts = [seq(seq(certId))];
  const nonce = options.nonce;
  if (nonce !== undefined) {
    if (!(nonce instanceof Uint8Array) || nonce.length < 1 || nonce.length > 32) {
      throw new InvalidArgumentError('An OCSP nonce must be 1 to 32 bytes (RFC 8954)');
    }
    const extension = seq(encodeOid(OCSP_OID.nonce), encodeTlv(0x04, encodeTlv(0x04, nonce)));
    parts.push(encodeTlv(0xa2, seq(extension)));
  }
  return seq(seq(...parts));
}

function malformed(message: string): CryptoError {
  return derError(CODE, `Malformed OCSP response: ${message}`);
}

function generalizedTime(node: TlvNode | undefined, what: string): Date {
  if (node?.tag !== 0x18) throw malformed(`${what} is not a GeneralizedTime`);
  return guard(CODE, `Malformed OCSP response: ${what}`, () => readTlvTime(node));
}

function octets(node: TlvNode | undefined, what: string): Uint8Array {
  if (node?.tag !== 0x04) throw malformed(`${what} is not an OCTET STRING`);
  return node.value;
}

function certIdFrom(node: TlvNode | undefined): OcspCertId {
  const parts = node?.children ?? [];
  if (node?.tag !== 0x30 || parts.length !== 4) throw malformed('CertID has the wrong shape');
  const hash = digestAlgorithmHash(algorithmOf(parts[0], CODE));
  const serial = parts[3]!;
  if (serial.tag !== 0x02 || serial.length === 0) throw malformed('bad serial number');
  guard(CODE, 'Malformed OCSP response: serial number', () => readTlvInteger(serial));
  const names = {
    issuerNameHash: toHex(octets(parts[1], 'issuerNameHash')),
    issuerKeyHash: toHex(octets(parts[2], 'issuerKeyHash')),
    serialNumber: toHex(serial.value).toUpperCase(),
  };
  return hash === undefined ? names : { hash, ...names };
}

function singleResponse(node: TlvNode, critical: string[]): OcspSingleResponse {
  const parts = node.children;
  if (node.tag !== 0x30 || parts.length < 3 || parts.length > 5) throw malformed('SingleResponse has the wrong shape');
  const certId = certIdFrom(parts[0]);
  const status = parts[1]!;
  const thisUpdate = generalizedTime(parts[2], 'thisUpdate');
  const out: { -readonly [K in keyof OcspSingleResponse]: OcspSingleResponse[K] } = { certId, status: 'good', thisUpdate };
  if (status.tag === 0x80 && status.length === 0) out.status = 'good';
  else if (status.tag === 0x82 && status.length === 0) out.status = 'unknown';
  else if (status.tag === 0xa1) {
    const info = status.children;
    if (info.length < 1 || info.length > 2) throw malformed('RevokedInfo has the wrong shape');
    out.status = 'revoked';
    out.revokedAt = generalizedTime(info[0], 'revocationTime');
    if (info[1] !== undefined) {
      if (info[1].tag !== 0xa0 || info[1].children.length !== 1) throw malformed('bad revocationReason');
      out.revocationReason = crlReason(info[1].children[0]!, CODE);
    }
  } else throw malformed('bad certStatus');
  let i = 3;
  if (parts[i]?.tag === 0xa0) {
    if (parts[i]!.children.length !== 1) throw malformed('bad nextUpdate');
    out.nextUpdate = generalizedTime(parts[i]!.children[0], 'nextUpdate');
    i++;
  }
  if (parts[i]?.tag === 0xa1) {
    if (parts[i]!.children.length !== 1) throw malformed('bad singleExtensions');
    for (const [oid, extension] of extensionsOf(parts[i]!.children[0]!, CODE)) if (extension.critical) critical.push(oid);
    i++;
  }
  if (i !== parts.length) throw malformed('SingleResponse has the wrong shape');
  return out;
}

/** BasicOCSPResponse (RFC 6960 §4.2.1). */
function basicResponse(bytes: Uint8Array): DecodedBasicOcspResponse {
  const root = decodeOne(bytes, CODE, 'Malformed OCSP response: BasicOCSPResponse');
  const [tbs, algorithm, signature, certs] = root.children;
  const count = root.children.length;
  if (root.tag !== 0x30 || count < 3 || count > 4 || tbs?.tag !== 0x30 || signature?.tag !== 0x03) {
    throw malformed('BasicOCSPResponse has the wrong shape');
  }
  if (signature.length === 0 || signature.value[0] !== 0) throw malformed('signature has unused bits');
  const signatureAlgorithm = algorithmOf(algorithm, CODE);
  const certificates: Uint8Array[] = [];
  if (certs !== undefined) {
    const list = certs.children[0];
    if (certs.tag !== 0xa0 || certs.children.length !== 1 || list?.tag !== 0x30) throw malformed('bad certs');
    for (const cert of list.children) {
      if (cert.tag !== 0x30) throw malformed('bad certificate');
      certificates.push(cert.encoded);
    }
  }
  const fields = tbs.children;
  let i = 0;
  if (fields[0]?.tag === 0xa0) {
    const version = fields[0].children[0];
    if (fields[0].children.length !== 1 || version?.tag !== 0x02 || guard(CODE, 'version', () => readTlvInteger(version)) !== 0n) {
      throw malformed('unsupported version');
    }
    i = 1;
  }
  const responder = fields[i];
  const out: { -readonly [K in keyof DecodedBasicOcspResponse]: DecodedBasicOcspResponse[K] } = {
    producedAt: generalizedTime(fields[i + 1], 'producedAt'),
    responses: [],
    signatureAlgorithm,
    certificates,
    unsupportedCriticalExtensions: [],
    tbs: tbs.encoded,
    signature: signature.value.subarray(1),
  };
  const inner = responder?.children[0];
  if (responder?.children.length !== 1 || inner === undefined) throw malformed('bad ResponderID');
  if (responder.tag === 0xa1) {
    checkName(inner, CODE, 'Malformed OCSP response: responder name');
    out.responderName = distinguishedName(inner, CODE);
    out.responderNameDer = inner.encoded;
  } else if (responder.tag === 0xa2) {
    out.responderKeyHash = toHex(octets(inner, 'KeyHash'));
  } else throw malformed('bad ResponderID');
  const list = fields[i + 2];
  if (list?.tag !== 0x30) throw malformed('responses is not a SEQUENCE');
  const critical: string[] = [];
  out.responses = list.children.map((node) => singleResponse(node, critical));
  const extensions = fields[i + 3];
  if (extensions !== undefined) {
    if (extensions.tag !== 0xa1 || extensions.children.length !== 1) throw malformed('bad responseExtensions');
    for (const [oid, extension] of extensionsOf(extensions.children[0]!, CODE)) {
      if (oid === OCSP_OID.nonce) out.nonce = extension.value;
      else if (extension.critical) critical.push(oid);
    }
  }
  if (fields.length !== i + (extensions === undefined ? 3 : 4)) throw malformed('ResponseData has the wrong shape');
  out.unsupportedCriticalExtensions = critical;
  return out;
}

/** Decode an OCSPResponse for the checker (internal shape; see {@link parseOcspResponse}). @internal */
export function decodeOcspResponse(input: Uint8Array): { status: OcspResponseStatus; basic?: DecodedBasicOcspResponse } {
  if (!(input instanceof Uint8Array)) throw new InvalidArgumentError('An OCSP response must be a Uint8Array');
  const bytes = input.slice();
  const root = decodeOne(bytes, CODE, 'Malformed OCSP response: OCSPResponse');
  const [statusNode, responseBytes] = root.children;
  if (root.tag !== 0x30 || root.children.length < 1 || root.children.length > 2) throw malformed('OCSPResponse has the wrong shape');
  const value = guard(CODE, 'Malformed OCSP response: responseStatus', () => readTlvInteger(statusNode!, 0x0a));
  const status = value >= 0n && value < BigInt(STATUS.length) ? STATUS[Number(value)] : undefined;
  if (status === undefined) throw malformed('unknown responseStatus');
  if (responseBytes === undefined) {
    if (status === 'successful') throw malformed('successful response without responseBytes');
    return { status };
  }
  const body = responseBytes.children[0];
  if (responseBytes.tag !== 0xa0 || responseBytes.children.length !== 1 || body?.tag !== 0x30 || body.children.length !== 2) {
    throw malformed('bad responseBytes');
  }
  const type = guard(CODE, 'Malformed OCSP response: responseType', () => readOid(body.children[0]!));
  if (type !== OCSP_OID.basic) throw malformed('responseType is not id-pkix-ocsp-basic');
  if (status !== 'successful') throw malformed('responseBytes in an unsuccessful response');
  return { status, basic: basicResponse(octets(body.children[1], 'response')) };
}

/**
 * Decode a DER OCSPResponse (RFC 6960 §4.2.1) and its BasicOCSPResponse. Nothing is verified
 * (signature, responder, CertID, times): {@link ocspChecker} does that.
 *
 * @throws CryptoError `malformed-ocsp-response` for anything that is not one well-formed DER
 *   response; InvalidArgumentError for a non-Uint8Array.
 */
export function parseOcspResponse(der: Uint8Array): OcspResponse {
  const decoded = decodeOcspResponse(der);
  if (decoded.basic === undefined) return { status: decoded.status };
  const { tbs: _tbs, signature: _signature, responderNameDer: _name, ...basic } = decoded.basic;
  return { status: decoded.status, basic };
}

/**
 * The DER OCSPRequest a checker sends for `certificate` issued by `issuer` (one CertID, an
 * optional nonce extension; unsigned). For responders reached some other way.
 *
 * @throws CryptoError `malformed-certificate` for undecodable certificates; InvalidArgumentError
 *   for a bad hash or a nonce outside 1–32 bytes.
 */
export function encodeOcspRequest(
  certificate: JpkiCertificate,
  issuer: JpkiCertificate,
  options: { readonly hash?: HashAlgorithm; readonly nonce?: Uint8Array } = {},
): Uint8Array {
  return encodeOcspRequestFor(decodeCertificate(certificate.der), decodeCertificate(issuer.der), options);
}
