/**
 * Revocation data of the TEST PKI: CRLs partitioned by the leaves' directory-name distribution
 * points (as J-LIS partitions them by municipality), delegated OCSP responder certificates and
 * signed OCSP responses, all written with the project's DER builder. TEST ONLY.
 * @packageDocumentation
 */
import { toHex } from '../bytes.js';
import { OID } from '../crypto/oid.js';
import { crlReasonValue } from '../crypto/revocation/common.js';
import { OCSP_OID, type OcspResponseStatus } from '../crypto/revocation/ocsp.js';
import type { CrlReason } from '../crypto/revocation/types.js';
import { InvalidArgumentError } from '../errors.js';
import { hashData } from '../hash/digest-info.js';
import { NULL, TAG, children, contentBytes, oid, positiveIntegerFromHex, printableString, readElement, sequence, tlv, utf8String } from './pki-der.js';
import type { TestIssuer } from './pki-issuer.js';
import { directoryName, encodeName, leafCrlName, TEST_PKI_ORGANIZATION, type TestPurpose } from './pki-names.js';
import {
  authorityKeyIdentifier,
  checkAscii,
  checkValidity,
  extension,
  publicKeyInfo,
  readIssuerInfo,
  signCertificate,
  tbsSigner,
} from './pki-x509.js';

/** One revoked certificate of a test CRL. */
export interface TestRevokedEntry {
  /** Serial number, big-endian hex. */
  readonly serial: string;
  /** revocationDate (whole seconds). */
  readonly revokedAt: Date;
  /** reasonCode entry extension; absent when not given. */
  readonly reason?: CrlReason;
}

/** The directory-name partition of a JPKI CRL: `…,OU=CRL Distribution Points,OU=<prefecture>,CN=<municipality> CRLDP`. */
export interface TestCrlPartition {
  /** Hierarchy of the leaves it covers. */
  readonly purpose: TestPurpose;
  /** Prefecture in romaji. */
  readonly prefecture: string;
  /** Municipality in romaji. */
  readonly municipality: string;
}

/** Parameters of {@link issueTestCrl}. */
export interface IssueTestCrlParams {
  /** The CA (certificate and key) that issues the CRL. */
  readonly issuer: TestIssuer;
  /** thisUpdate (whole seconds). */
  readonly thisUpdate: Date;
  /** nextUpdate (whole seconds); absent when not given. */
  readonly nextUpdate?: Date;
  /** Revoked certificates. */
  readonly revoked?: readonly TestRevokedEntry[];
  /** cRLNumber (default 1). */
  readonly crlNumber?: number;
  /** issuingDistributionPoint naming this partition (critical, onlyContainsUserCerts); absent: a full CRL. */
  readonly partition?: TestCrlPartition;
  /** Make it a delta CRL on this base cRLNumber (deltaCRLIndicator, critical). */
  readonly deltaOf?: number;
  /** More CRL extensions, already encoded (e.g. an unknown critical one). */
  readonly extraExtensions?: readonly Uint8Array[];
  /** ECDSA issuer only: sign with this hash instead of the curve's (a mismatched signature). */
  readonly ecdsaHash?: 'SHA-256' | 'SHA-384';
}

function integer(value: number): Uint8Array {
  if (!Number.isSafeInteger(value) || value < 0) throw new InvalidArgumentError('Expected a non-negative integer');
  return value === 0 ? Uint8Array.of(TAG.integer, 1, 0) : positiveIntegerFromHex(value.toString(16));
}

function enumerated(value: number): Uint8Array {
  return tlv(0x0a, Uint8Array.of(value));
}

/** Whole seconds, as every encoder here writes them. */
function whole(date: Date, what: string): Date {
  if (!(date instanceof Date) || Number.isNaN(date.getTime()) || date.getTime() % 1000 !== 0) {
    throw new InvalidArgumentError(`${what} must be a valid Date in whole seconds`);
  }
  return date;
}

/** GeneralizedTime (OCSP always uses it). */
function generalizedTime(date: Date): Uint8Array {
  const iso = whole(date, 'time').toISOString(); // 2026-12-06T19:00:00.000Z
  return tlv(TAG.generalizedTime, new TextEncoder().encode(iso.slice(0, 19).replace(/[-:T]/g, '') + 'Z'));
}

/** UTCTime / GeneralizedTime as RFC 5280 wants (via the certificate encoder's rule). */
function crlTime(date: Date): Uint8Array {
  const y = whole(date, 'time').getUTCFullYear();
  if (y < 1950 || y > 2049) return generalizedTime(date);
  const iso = date.toISOString();
  return tlv(TAG.utcTime, new TextEncoder().encode(iso.slice(2, 19).replace(/[-:T]/g, '') + 'Z'));
}

/** The DirName (Name DER) of a leaf CRL distribution point, as {@link issueTestAuthLeaf} writes it. */
export function testCrlDistributionPointName(partition: TestCrlPartition): Uint8Array {
  return leafCrlName(partition.purpose, partition.prefecture, partition.municipality);
}

/**
 * Issue a v2 CRL signed with the issuer's key: SHA-256/RSA, or ECDSA with the curve's hash
 * (P-256/SHA-256, P-384/SHA-384; DER ECDSA-Sig-Value) as certificates are. AKI (keyIdentifier), cRLNumber, and when asked the
 * issuingDistributionPoint of one municipality partition and a deltaCRLIndicator. Entries carry
 * a reasonCode when given. TEST ONLY.
 * @returns the CRL DER
 */
export async function issueTestCrl(params: IssueTestCrlParams): Promise<Uint8Array> {
  const info = readIssuerInfo(params.issuer.certificate);
  const signer = tbsSigner(params.issuer.privateKey, params.ecdsaHash);
  const entries = (params.revoked ?? []).map((entry) =>
    sequence(
      positiveIntegerFromHex(entry.serial),
      crlTime(entry.revokedAt),
      ...(entry.reason === undefined
        ? []
        : [sequence(extension('2.5.29.21', false, enumerated(crlReasonValue(entry.reason))))]),
    ),
  );
  const extensions = [
    extension(OID.authorityKeyIdentifier, false, sequence(tlv(0x80, info.keyId))),
    extension('2.5.29.20', false, integer(params.crlNumber ?? 1)),
  ];
  if (params.partition !== undefined) {
    const name = testCrlDistributionPointName(params.partition);
    const idp = sequence(tlv(0xa0, tlv(0xa0, directoryName(name))), Uint8Array.of(0x81, 0x01, 0xff));
    extensions.push(extension('2.5.29.28', true, idp));
  }
  if (params.deltaOf !== undefined) extensions.push(extension('2.5.29.27', true, integer(params.deltaOf)));
  extensions.push(...(params.extraExtensions ?? []));
  const tbs = sequence(
    Uint8Array.of(TAG.integer, 0x01, 0x01),
    signer.algorithm,
    info.subject,
    crlTime(params.thisUpdate),
    ...(params.nextUpdate === undefined ? [] : [crlTime(params.nextUpdate)]),
    ...(entries.length === 0 ? [] : [sequence(...entries)]),
    tlv(0xa0, sequence(...extensions)),
  );
  return sequence(tbs, signer.algorithm, tlv(TAG.bitString, Uint8Array.of(0), await signer.sign(tbs)));
}

/** Parameters of {@link issueTestOcspResponder}. */
export interface IssueTestOcspResponderParams {
  /** The CA that delegates OCSP signing. */
  readonly issuer: TestIssuer;
  /** The responder's public key. */
  readonly publicKey: CryptoKey;
  /** Serial number, big-endian hex. */
  readonly serial: string;
  /** Start of validity. */
  readonly notBefore: Date;
  /** End of validity (14:59:59Z like every test certificate). */
  readonly notAfter: Date;
  /** Subject CN (printable ASCII). */
  readonly cn: string;
  /** Include EKU id-kp-OCSPSigning (default `true`; `false` makes an unauthorised responder). */
  readonly ocspSigning?: boolean;
  /** keyUsage digitalSignature (default `true`; `false` writes keyEncipherment only, which may not sign). */
  readonly digitalSignature?: boolean;
}

/**
 * Issue a delegated OCSP responder certificate (RFC 6960 §4.2.2.2): subject `C=JP, O=JPKI-TEST,
 * CN=<cn>`, keyUsage digitalSignature (critical), EKU id-kp-OCSPSigning, id-pkix-ocsp-nocheck,
 * AKI, SKI; signed with the issuer's key (RSA or ECDSA, as {@link issueTestCrl}). TEST ONLY.
 * @returns the certificate DER
 */
export async function issueTestOcspResponder(params: IssueTestOcspResponderParams): Promise<Uint8Array> {
  checkValidity(params.notBefore, params.notAfter);
  checkAscii(params.cn, 'cn');
  const info = readIssuerInfo(params.issuer.certificate);
  const { spki, keyId } = await publicKeyInfo(params.publicKey);
  const subject = encodeName([
    [OID.countryName, printableString('JP')],
    [OID.organizationName, utf8String(TEST_PKI_ORGANIZATION)],
    [OID.commonName, utf8String(params.cn)],
  ]);
  return signCertificate({
    serial: params.serial,
    issuer: info.subject,
    notBefore: params.notBefore,
    notAfter: params.notAfter,
    subject,
    spki,
    extensions: [
      extension(OID.keyUsage, true, params.digitalSignature === false ? Uint8Array.of(0x03, 0x02, 0x05, 0x20) : Uint8Array.of(0x03, 0x02, 0x07, 0x80)),
      ...(params.ocspSigning === false ? [] : [extension(OID.extKeyUsage, false, sequence(oid(OCSP_OID.ocspSigning)))]),
      extension(OCSP_OID.noCheck, false, NULL),
      extension(OID.authorityKeyIdentifier, false, authorityKeyIdentifier(info)),
      extension(OID.subjectKeyIdentifier, false, tlv(TAG.octetString, keyId)),
    ],
    signingKey: params.issuer.privateKey,
  });
}

/** One SingleResponse of a test OCSP response. */
export interface TestOcspSingleResponse {
  /** The certificate it is about (DER). */
  readonly certificate: Uint8Array;
  /** certStatus. */
  readonly status: 'good' | 'revoked' | 'unknown';
  /** revocationTime (`revoked`). */
  readonly revokedAt?: Date;
  /** revocationReason (`revoked`). */
  readonly reason?: CrlReason;
  /** thisUpdate. */
  readonly thisUpdate: Date;
  /** nextUpdate; absent when not given. */
  readonly nextUpdate?: Date;
}

/** Parameters of {@link issueTestOcspResponse}. */
export interface IssueTestOcspResponseParams {
  /** The CA that issued the certificates asked about (its name and key go into each CertID). */
  readonly issuerCertificate: Uint8Array;
  /** Who signs: the CA itself, or a delegated responder (certificate and key). */
  readonly signer: TestIssuer;
  /** The single responses. */
  readonly responses: readonly TestOcspSingleResponse[];
  /** producedAt. */
  readonly producedAt: Date;
  /** Echo this nonce (the raw bytes; written as an OCTET STRING, RFC 8954). */
  readonly nonce?: Uint8Array;
  /** ResponderID by name (default) or by key hash. */
  readonly responderId?: 'name' | 'key';
  /** Embed the signer's certificate (default: when the signer is not the issuer). */
  readonly includeSignerCertificate?: boolean;
  /** A responseStatus other than successful: then only the status is encoded. */
  readonly status?: OcspResponseStatus;
  /** ECDSA signer only: sign with this hash instead of the curve's (a mismatched signature). */
  readonly ecdsaHash?: 'SHA-256' | 'SHA-384';
}

const STATUS_VALUE: Readonly<Record<OcspResponseStatus, number>> = {
  successful: 0,
  malformedRequest: 1,
  internalError: 2,
  tryLater: 3,
  sigRequired: 5,
  unauthorized: 6,
};

/** Subject Name DER, serial contents and key bits of a certificate. */
function certificateParts(der: Uint8Array): { subject: Uint8Array; issuer: Uint8Array; serial: Uint8Array; keyBits: Uint8Array } {
  const tbs = children(der, children(der, readElement(der, 0))[0]!);
  const at = tbs[0]?.tag === 0xa0 ? 0 : -1;
  const spki = tbs[at + 6]!;
  const bits = children(der, spki)[1]!;
  return {
    serial: contentBytes(der, tbs[at + 1]!),
    issuer: der.subarray(tbs[at + 3]!.start, tbs[at + 3]!.end),
    subject: der.subarray(tbs[at + 5]!.start, tbs[at + 5]!.end),
    keyBits: contentBytes(der, bits).subarray(1),
  };
}

/**
 * Issue an OCSPResponse (RFC 6960) with a BasicOCSPResponse signed by `signer` with its key
 * type (SHA-256/RSA, or ECDSA P-256/SHA-256, P-384/SHA-384 as a DER ECDSA-Sig-Value): CertIDs with SHA-1, the nonce echoed when given. TEST ONLY.
 * @returns the OCSPResponse DER
 */
export async function issueTestOcspResponse(params: IssueTestOcspResponseParams): Promise<Uint8Array> {
  const status = params.status ?? 'successful';
  if (status !== 'successful') return sequence(enumerated(STATUS_VALUE[status]));
  const signWith = tbsSigner(params.signer.privateKey, params.ecdsaHash);
  const issuer = certificateParts(params.issuerCertificate);
  const signer = certificateParts(params.signer.certificate);
  const singles = params.responses.map((single) => {
    const leaf = certificateParts(single.certificate);
    const certId = sequence(
      sequence(oid(OID.sha1), NULL),
      tlv(TAG.octetString, hashData('SHA-1', leaf.issuer)),
      tlv(TAG.octetString, hashData('SHA-1', issuer.keyBits)),
      tlv(TAG.integer, leaf.serial),
    );
    const certStatus =
      single.status === 'good'
        ? Uint8Array.of(0x80, 0x00)
        : single.status === 'unknown'
          ? Uint8Array.of(0x82, 0x00)
          : tlv(
              0xa1,
              generalizedTime(single.revokedAt ?? single.thisUpdate),
              ...(single.reason === undefined ? [] : [tlv(0xa0, enumerated(crlReasonValue(single.reason)))]),
            );
    return sequence(
      certId,
      certStatus,
      generalizedTime(single.thisUpdate),
      ...(single.nextUpdate === undefined ? [] : [tlv(0xa0, generalizedTime(single.nextUpdate))]),
    );
  });
  const responderId =
    params.responderId === 'key'
      ? tlv(0xa2, tlv(TAG.octetString, hashData('SHA-1', signer.keyBits)))
      : tlv(0xa1, signer.subject);
  const nonce =
    params.nonce === undefined
      ? []
      : [tlv(0xa1, sequence(sequence(oid(OCSP_OID.nonce), tlv(TAG.octetString, tlv(TAG.octetString, params.nonce)))))];
  const tbs = sequence(responderId, generalizedTime(params.producedAt), sequence(...singles), ...nonce);
  const embed = params.includeSignerCertificate ?? toHex(signer.keyBits) !== toHex(issuer.keyBits);
  const basic = sequence(
    tbs,
    signWith.algorithm,
    tlv(TAG.bitString, Uint8Array.of(0), await signWith.sign(tbs)),
    ...(embed ? [tlv(0xa0, sequence(params.signer.certificate))] : []),
  );
  return sequence(enumerated(0), tlv(0xa0, sequence(oid(OCSP_OID.basic), tlv(TAG.octetString, basic))));
}
