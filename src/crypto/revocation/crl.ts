/**
 * X.509 CRL decoding (RFC 5280 §5) with the SDK's TLV core: the exact signed bytes, the issuer,
 * `thisUpdate` / `nextUpdate`, the revoked entries with their reason codes, and the extensions
 * a relying party needs to decide whether a CRL covers a certificate (cRLNumber,
 * deltaCRLIndicator, issuingDistributionPoint). Browser-safe.
 * @packageDocumentation
 */
import { toHex } from '../../bytes.js';
import { CryptoError, InvalidArgumentError } from '../../errors.js';
import { readTlvInteger, readTlvTime, type TlvNode } from '../../tlv/index.js';
import { checkName, checkNameValues, decodeOne, derError, distinguishedName, guard, type DistinguishedName } from '../der.js';
import type { RawExtension } from '../x509.js';
import { algorithmOf, crlReason, extensionsOf } from './common.js';
import type { CrlReason } from './types.js';

/** Largest CRL accepted (bytes): a JPKI CRL is partitioned by municipality and far smaller. */
export const MAX_CRL_LENGTH = 64 << 20;

const CODE = 'malformed-crl';

/** CRL and CRL-entry extension OIDs (RFC 5280 §5.2, §5.3). */
export const CRL_OID = {
  cRLNumber: '2.5.29.20',
  reasonCode: '2.5.29.21',
  invalidityDate: '2.5.29.24',
  deltaCRLIndicator: '2.5.29.27',
  issuingDistributionPoint: '2.5.29.28',
  certificateIssuer: '2.5.29.29',
  freshestCRL: '2.5.29.46',
  authorityKeyIdentifier: '2.5.29.35',
  issuerAltName: '2.5.29.18',
  authorityInfoAccess: '1.3.6.1.5.5.7.1.1',
} as const;

/** CRL extensions a checker understands; another critical one makes the CRL unusable. */
const KNOWN_CRL_EXTENSIONS: ReadonlySet<string> = new Set([
  CRL_OID.cRLNumber,
  CRL_OID.deltaCRLIndicator,
  CRL_OID.issuingDistributionPoint,
  CRL_OID.freshestCRL,
  CRL_OID.authorityKeyIdentifier,
  CRL_OID.issuerAltName,
  CRL_OID.authorityInfoAccess,
]);
/** Entry extensions a checker understands (certificateIssuer belongs to indirect CRLs: not supported). */
const KNOWN_ENTRY_EXTENSIONS: ReadonlySet<string> = new Set([CRL_OID.reasonCode, CRL_OID.invalidityDate]);

/** One revoked certificate of a CRL. */
export interface RevokedCertificate {
  /** Serial number, upper-case hex of the INTEGER contents (as in {@link JpkiCertificate.serialNumber}). */
  readonly serialNumber: string;
  /** revocationDate. */
  readonly revokedAt: Date;
  /** The reasonCode entry extension, when present. */
  readonly reason?: CrlReason;
  /** The invalidityDate entry extension, when present. */
  readonly invalidityDate?: Date;
}

/** The issuingDistributionPoint extension of a CRL (RFC 5280 §5.2.5). */
export interface IssuingDistributionPoint {
  /** The DirNames of its `fullName` (JPKI: the municipality partition); empty when absent. */
  readonly names: readonly DistinguishedName[];
  /** onlyContainsUserCerts. */
  readonly onlyUserCertificates: boolean;
  /** onlyContainsCACerts. */
  readonly onlyCaCertificates: boolean;
  /** onlySomeReasons is present (the CRL covers only some reasons). */
  readonly onlySomeReasons: boolean;
  /** indirectCRL. */
  readonly indirect: boolean;
  /** onlyContainsAttributeCerts. */
  readonly onlyAttributeCertificates: boolean;
}

/** A decoded CRL (証明書失効リスト). */
export interface Crl {
  /** 1 or 2. */
  readonly version: number;
  /** Issuer DN (compare issuers by key, never by name alone: JPKI generations share one DN). */
  readonly issuer: DistinguishedName;
  /** thisUpdate. */
  readonly thisUpdate: Date;
  /** nextUpdate, when present. */
  readonly nextUpdate?: Date;
  /** Signature algorithm OID. */
  readonly signatureAlgorithm: string;
  /** cRLNumber as a decimal string, when present. */
  readonly crlNumber?: string;
  /** deltaCRLIndicator's base CRL number (decimal) when this is a delta CRL. */
  readonly deltaBase?: string;
  /** authorityKeyIdentifier keyIdentifier, lower-case hex, when present. */
  readonly authorityKeyIdentifier?: string;
  /** issuingDistributionPoint, when present. */
  readonly issuingDistributionPoint?: IssuingDistributionPoint;
  /** OIDs of critical CRL extensions this decoder does not process. */
  readonly unsupportedCriticalExtensions: readonly string[];
  /** Whether an entry has a critical extension this decoder does not process. */
  readonly unsupportedCriticalEntryExtension: boolean;
  /** The revoked certificates in CRL order. */
  readonly revoked: readonly RevokedCertificate[];
}

/** A CRL decoded for checking: {@link Crl} plus the signed bytes and raw names. @internal */
export interface DecodedCrl extends Crl {
  readonly der: Uint8Array;
  readonly tbs: Uint8Array;
  readonly signature: Uint8Array;
  readonly issuerDer: Uint8Array;
  /** DER of each IDP fullName DirName. */
  readonly pointNames: readonly Uint8Array[];
  /** Whether the IDP names a distribution point at all (then only a matching DirName is covered). */
  readonly pointPresent: boolean;
  /** Entries by serial (upper-case hex). */
  readonly bySerial: ReadonlyMap<string, RevokedCertificate>;
}

function malformed(message: string): CryptoError {
  return derError(CODE, `Malformed CRL: ${message}`);
}

function time(node: TlvNode | undefined, what: string): Date {
  if (node === undefined || (node.tag !== 0x17 && node.tag !== 0x18)) throw malformed(`${what} is not a Time`);
  return guard(CODE, `Malformed CRL: ${what}`, () => readTlvTime(node));
}

function serialOf(node: TlvNode | undefined): string {
  if (node?.tag !== 0x02 || node.length === 0) throw malformed('bad serial number');
  guard(CODE, 'Malformed CRL: serial number', () => readTlvInteger(node));
  return toHex(node.value).toUpperCase();
}

function entryOf(node: TlvNode, flags: { unsupported: boolean; extensions: boolean }): RevokedCertificate {
  const parts = node.children;
  if (node.tag !== 0x30 || parts.length < 2 || parts.length > 3) throw malformed('revoked entry has the wrong shape');
  const serialNumber = serialOf(parts[0]);
  const revokedAt = time(parts[1], 'revocationDate');
  const out: { -readonly [K in keyof RevokedCertificate]: RevokedCertificate[K] } = { serialNumber, revokedAt };
  if (parts[2] !== undefined) {
    flags.extensions = true;
    const extensions = extensionsOf(parts[2], CODE);
    for (const [oid, extension] of extensions) {
      if (extension.critical && !KNOWN_ENTRY_EXTENSIONS.has(oid)) flags.unsupported = true;
    }
    const reason = extensions.get(CRL_OID.reasonCode);
    if (reason !== undefined) out.reason = crlReason(decodeOne(reason.value, CODE, 'Malformed CRL: reasonCode'), CODE);
    const invalidity = extensions.get(CRL_OID.invalidityDate);
    if (invalidity !== undefined) {
      const node = decodeOne(invalidity.value, CODE, 'Malformed CRL: invalidityDate');
      if (node.tag !== 0x18) throw malformed('invalidityDate is not a GeneralizedTime');
      out.invalidityDate = time(node, 'invalidityDate');
    }
  }
  return out;
}

function bool(node: TlvNode): boolean {
  if (node.length !== 1 || (node.value[0] !== 0xff && node.value[0] !== 0)) throw malformed('bad BOOLEAN');
  return node.value[0] === 0xff;
}

/** IssuingDistributionPoint: `[0] DistributionPointName`, `[1]`…`[5]` flags, implicit tags. */
function issuingDistributionPoint(value: Uint8Array, names: Uint8Array[], present: { point: boolean }): IssuingDistributionPoint {
  const node = decodeOne(value, CODE, 'Malformed CRL: issuingDistributionPoint');
  if (node.tag !== 0x30) throw malformed('issuingDistributionPoint has the wrong shape');
  const out = {
    names: [] as DistinguishedName[],
    onlyUserCertificates: false,
    onlyCaCertificates: false,
    onlySomeReasons: false,
    indirect: false,
    onlyAttributeCertificates: false,
  };
  let next = 0;
  for (const part of node.children) {
    const n = part.tag & 0x1f;
    if ((part.tag & 0xc0) !== 0x80 || n < next || n > 5) throw malformed('issuingDistributionPoint has the wrong shape');
    next = n + 1;
    if (n === 0) {
      present.point = true;
      const choice = part.children[0];
      if (part.tag !== 0xa0 || part.children.length !== 1) throw malformed('bad distributionPoint');
      if (choice!.tag !== 0xa0) continue; // nameRelativeToCRLIssuer: matches no DirName
      for (const name of choice!.children) {
        if (name.tag !== 0xa4) continue; // URIs and other names: JPKI uses DirNames only
        const inner = name.children[0];
        if (name.children.length !== 1 || inner === undefined) throw malformed('bad DirName');
        checkName(inner, CODE, 'Malformed CRL: distributionPoint');
        names.push(inner.encoded);
        out.names.push(distinguishedName(inner, CODE));
      }
    } else if (n === 3) {
      if (part.tag !== 0x83) throw malformed('bad onlySomeReasons');
      out.onlySomeReasons = true;
    } else {
      if (part.tag !== 0x80 + n) throw malformed('bad issuingDistributionPoint flag');
      const flag = bool(part);
      if (n === 1) out.onlyUserCertificates = flag;
      else if (n === 2) out.onlyCaCertificates = flag;
      else if (n === 4) out.indirect = flag;
      else out.onlyAttributeCertificates = flag;
    }
  }
  return out;
}

function integerText(extension: RawExtension, what: string): string {
  const node = decodeOne(extension.value, CODE, `Malformed CRL: ${what}`);
  const value = guard(CODE, `Malformed CRL: ${what}`, () => readTlvInteger(node));
  if (value < 0n) throw malformed(`negative ${what}`);
  return value.toString();
}

function akiKeyId(extension: RawExtension): string | undefined {
  const node = decodeOne(extension.value, CODE, 'Malformed CRL: authorityKeyIdentifier');
  if (node.tag !== 0x30) throw malformed('bad authorityKeyIdentifier');
  const id = node.children.find((part) => part.tag === 0x80);
  return id === undefined ? undefined : toHex(id.value);
}

/**
 * Decode a DER CRL for a checker (internal shape). Same rules as {@link parseCrl}. @internal
 */
export function decodeCrl(input: Uint8Array): DecodedCrl {
  if (!(input instanceof Uint8Array)) throw new InvalidArgumentError('A CRL must be a Uint8Array');
  if (input.length > MAX_CRL_LENGTH) throw malformed(`longer than ${MAX_CRL_LENGTH} bytes`);
  const der = input.slice();
  const root = decodeOne(der, CODE, 'Malformed CRL: CertificateList');
  const [tbsNode, algorithmNode, signatureNode] = root.children;
  if (root.tag !== 0x30 || root.children.length !== 3 || tbsNode?.tag !== 0x30 || signatureNode?.tag !== 0x03) {
    throw malformed('CertificateList has the wrong shape');
  }
  if (signatureNode.length === 0 || signatureNode.value[0] !== 0) throw malformed('signature has unused bits');
  const signatureAlgorithm = algorithmOf(algorithmNode, CODE);
  const fields = tbsNode.children;
  let i = 0;
  let version = 1;
  if (fields[0]?.tag === 0x02) {
    const v = guard(CODE, 'Malformed CRL: version', () => readTlvInteger(fields[0]!));
    if (v !== 1n) throw malformed('unsupported version');
    version = 2;
    i = 1;
  }
  if (!equalEncoding(fields[i], algorithmNode!)) throw malformed('signature algorithm differs between TBS and CRL');
  const issuerNode = fields[i + 1];
  if (issuerNode === undefined) throw malformed('missing issuer');
  checkName(issuerNode, CODE, 'Malformed CRL: issuer');
  guard(CODE, 'Malformed CRL: issuer value', () => checkNameValues(issuerNode));
  const thisUpdate = time(fields[i + 2], 'thisUpdate');
  let j = i + 3;
  let nextUpdate: Date | undefined;
  if (fields[j]?.tag === 0x17 || fields[j]?.tag === 0x18) nextUpdate = time(fields[j++], 'nextUpdate');
  const flags = { unsupported: false, extensions: false };
  const revoked: RevokedCertificate[] = [];
  const bySerial = new Map<string, RevokedCertificate>();
  if (fields[j]?.tag === 0x30) {
    const list = fields[j++]!;
    if (list.length === 0) throw malformed('empty revokedCertificates'); // DER: absent when empty
    for (const node of list.children) {
      const entry = entryOf(node, flags);
      revoked.push(entry);
      if (!bySerial.has(entry.serialNumber)) bySerial.set(entry.serialNumber, entry);
    }
  }
  let extensions = new Map<string, RawExtension>();
  if (fields[j]?.tag === 0xa0) {
    const wrapper = fields[j++]!;
    if (wrapper.children.length !== 1 || version !== 2) throw malformed('crlExtensions have the wrong shape');
    extensions = extensionsOf(wrapper.children[0]!, CODE);
  }
  if (j !== fields.length) throw malformed('unexpected TBSCertList layout');
  if (version === 1 && flags.extensions) throw malformed('entry extensions in a v1 CRL'); // RFC 5280 §5.1.2.1
  const unsupportedCriticalExtensions: string[] = [];
  for (const [oid, extension] of extensions) {
    if (extension.critical && !KNOWN_CRL_EXTENSIONS.has(oid)) unsupportedCriticalExtensions.push(oid);
  }
  const pointNames: Uint8Array[] = [];
  const present = { point: false };
  const idp = extensions.get(CRL_OID.issuingDistributionPoint);
  const number = extensions.get(CRL_OID.cRLNumber);
  const delta = extensions.get(CRL_OID.deltaCRLIndicator);
  const aki = extensions.get(CRL_OID.authorityKeyIdentifier);
  const out: { -readonly [K in keyof DecodedCrl]: DecodedCrl[K] } = {
    version,
    issuer: distinguishedName(issuerNode, CODE),
    thisUpdate,
    signatureAlgorithm,
    unsupportedCriticalExtensions,
    unsupportedCriticalEntryExtension: flags.unsupported,
    revoked,
    der,
    tbs: tbsNode.encoded,
    signature: signatureNode.value.subarray(1),
    issuerDer: issuerNode.encoded,
    pointNames,
    pointPresent: false,
    bySerial,
  };
  if (nextUpdate !== undefined) out.nextUpdate = nextUpdate;
  if (number !== undefined) out.crlNumber = integerText(number, 'cRLNumber');
  if (delta !== undefined) out.deltaBase = integerText(delta, 'deltaCRLIndicator');
  if (aki !== undefined) {
    const keyId = akiKeyId(aki);
    if (keyId !== undefined) out.authorityKeyIdentifier = keyId;
  }
  if (idp !== undefined) out.issuingDistributionPoint = issuingDistributionPoint(idp.value, pointNames, present);
  out.pointPresent = present.point;
  return out;
}

function equalEncoding(a: TlvNode | undefined, b: TlvNode): boolean {
  if (a === undefined || a.encoded.length !== b.encoded.length) return false;
  for (let k = 0; k < a.encoded.length; k++) if (a.encoded[k] !== b.encoded[k]) return false;
  return true;
}

/**
 * Decode a DER X.509 CRL (RFC 5280 §5). Nothing is verified here (signature, issuer,
 * freshness): {@link crlChecker} does that.
 *
 * @throws CryptoError `malformed-crl` for anything that is not one well-formed DER CRL (or is
 *   longer than {@link MAX_CRL_LENGTH}); InvalidArgumentError for a non-Uint8Array.
 */
export function parseCrl(der: Uint8Array): Crl {
  const {
    der: _der,
    tbs: _tbs,
    signature: _signature,
    issuerDer: _issuerDer,
    pointNames: _pointNames,
    pointPresent: _pointPresent,
    bySerial: _bySerial,
    ...crl
  } = decodeCrl(der);
  return crl;
}
