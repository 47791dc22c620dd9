/**
 * The layout of a CMS `ContentInfo` / `SignedData` (RFC 5652 §5) read with the TLV core: zero-copy
 * views of exactly the bytes that were signed and hashed, shape-checked field by field. Also the
 * signed attributes as a DER `SET OF`, checked for DER order (X.690 §11.6), as OpenSSL does.
 * Browser-safe.
 * @packageDocumentation
 */
import { concatBytes } from '../bytes.js';
import { CryptoError } from '../errors.js';
import { decodeTlv, TlvError, type TlvNode } from '../tlv/index.js';
import { checkName, checkNameValues, compareDer, readOid } from './der.js';

/** id-data (RFC 5652 §4). */
export const ID_DATA = '1.2.840.113549.1.7.1';
/** id-signedData (RFC 5652 §5.1). */
export const ID_SIGNED_DATA = '1.2.840.113549.1.7.2';

/** The parts of the one SignerInfo a verifier reads. @internal */
export interface SignerInfoLayout {
  /** `sid`: the IssuerAndSerialNumber SEQUENCE or the `[0]` subjectKeyIdentifier. */
  readonly sid: TlvNode;
  /** digestAlgorithm OID. */
  readonly digestAlgorithm: string;
  /** signatureAlgorithm OID. */
  readonly signatureAlgorithm: string;
  /** The signature bytes. */
  readonly signature: Uint8Array;
  /** The exact signed attributes re-tagged as `SET` (RFC 5652 §5.4), when present. */
  readonly signedAttrs: Uint8Array | undefined;
  /** The `[1]` unsignedAttrs node (e.g. a signature time-stamp), when present. */
  readonly unsignedAttrs?: TlvNode;
}

/** A SignedData decoded to the level a verifier needs. @internal */
export interface CmsLayout {
  /** The SignedData SEQUENCE node. */
  readonly signedData: TlvNode;
  /** eContentType OID. */
  readonly eContentType: string;
  /** Encapsulated content (primitive, or the joined segments of a BER constructed OCTET STRING). */
  readonly eContent: Uint8Array | undefined;
  /** Exact DER of each embedded certificate. */
  readonly certificates: readonly Uint8Array[];
  /** Number of SignerInfos. */
  readonly signerCount: number;
  /** The first SignerInfo. */
  readonly signerInfo: SignerInfoLayout | undefined;
}

const TAG_SET = 0x31;
const TAG_SEQUENCE = 0x30;
const TAG_CONTEXT_0 = 0xa0;

function malformed(message: string, cause?: unknown): CryptoError {
  return new CryptoError(`Malformed CMS: ${message}`, { code: 'malformed-cms', ...(cause === undefined ? {} : { cause }) });
}

/** `SEQUENCE { OID, parameters OPTIONAL }`: the OID. */
function algorithm(node: TlvNode | undefined): string {
  const parts = node?.children;
  if (node?.tag !== TAG_SEQUENCE || parts === undefined || parts.length < 1 || parts.length > 2) throw malformed('bad AlgorithmIdentifier');
  return readOid(parts[0]!);
}

function isInteger(node: TlvNode | undefined): boolean {
  return node?.tag === 0x02 && node.length > 0;
}

/** The content of an OCTET STRING, joining the segments of a BER constructed one. */
function octets(node: TlvNode): Uint8Array {
  if (node.tag === 0x04) return node.value;
  if (node.tag !== 0x24) throw malformed('content is not an OCTET STRING');
  return concatBytes(...node.children.map(octets));
}

function signerInfoOf(node: TlvNode): SignerInfoLayout {
  const parts = node.children;
  if (node.tag !== TAG_SEQUENCE || !isInteger(parts[0]) || parts.length < 5) throw malformed('bad SignerInfo');
  const sid = parts[1]!;
  if (sid.tag === TAG_SEQUENCE) {
    const ias = sid.children;
    if (ias.length !== 2 || !isInteger(ias[1])) throw malformed('bad IssuerAndSerialNumber');
    checkName(ias[0]!, 'malformed-cms', 'Malformed CMS: SignerInfo issuer');
    checkNameValues(ias[0]!);
  } else if (sid.tag !== 0x80) {
    throw malformed('bad SignerIdentifier');
  }
  const digestAlgorithm = algorithm(parts[2]);
  let i = 3;
  let signedAttrs: Uint8Array | undefined;
  if (parts[i]!.tag === TAG_CONTEXT_0) {
    // The signature covers the attributes with an explicit SET tag (RFC 5652 §5.4).
    signedAttrs = concatBytes(Uint8Array.of(TAG_SET), parts[i]!.encoded.subarray(1));
    i++;
  }
  const signatureAlgorithm = algorithm(parts[i]);
  const signature = parts[i + 1];
  if (signature?.tag !== 0x04) throw malformed('bad signature');
  const rest = parts.length - (i + 2);
  if (rest > 1 || (rest === 1 && parts[i + 2]!.tag !== 0xa1)) throw malformed('bad SignerInfo');
  const unsignedAttrs = rest === 1 ? { unsignedAttrs: parts[i + 2]! } : {};
  return { sid, digestAlgorithm, signatureAlgorithm, signature: signature.value, signedAttrs, ...unsignedAttrs };
}

/**
 * Decode a ContentInfo holding SignedData (`mode` `'ber'` for verification, `'der'` to check
 * what the signer wrote).
 * @throws CryptoError `malformed-cms` on any structural problem.
 */
export function cmsLayout(cms: Uint8Array, mode: 'der' | 'ber'): CmsLayout {
  try {
    const nodes = decodeTlv(cms, { mode });
    const contentInfo = nodes.length === 1 ? nodes[0]! : undefined;
    const ci = contentInfo?.children;
    if (contentInfo?.tag !== TAG_SEQUENCE || ci?.length !== 2 || ci[1]!.tag !== TAG_CONTEXT_0) throw malformed('bad ContentInfo');
    if (readOid(ci[0]!) !== ID_SIGNED_DATA) throw malformed('not SignedData');
    const wrapped = ci[1]!.children;
    const signedData = wrapped[0];
    if (wrapped.length !== 1 || signedData!.tag !== TAG_SEQUENCE) throw malformed('bad SignedData');
    const sd = signedData!.children;
    if (sd.length < 4 || !isInteger(sd[0]) || sd[1]!.tag !== TAG_SET) throw malformed('bad SignedData');
    for (const digest of sd[1]!.children) algorithm(digest);
    const encap = sd[2]!.children;
    if (sd[2]!.tag !== TAG_SEQUENCE || encap.length < 1 || encap.length > 2) throw malformed('bad EncapsulatedContentInfo');
    const eContentType = readOid(encap[0]!);
    let eContent: Uint8Array | undefined;
    if (encap.length === 2) {
      const explicit = encap[1]!.children;
      if (encap[1]!.tag !== TAG_CONTEXT_0 || explicit.length !== 1) throw malformed('bad eContent');
      eContent = octets(explicit[0]!);
    }
    let i = 3;
    let certificates: Uint8Array[] = [];
    if (sd[i]!.tag === TAG_CONTEXT_0) {
      certificates = sd[i]!.children.map((n) => n.encoded);
      i++;
    }
    if (sd[i]?.tag === 0xa1) i++; // crls: not used
    const signerInfos = sd[i];
    if (signerInfos?.tag !== TAG_SET || i !== sd.length - 1) throw malformed('bad SignedData');
    const infos = signerInfos.children;
    return {
      signedData: signedData!,
      eContentType,
      eContent,
      certificates,
      signerCount: infos.length,
      signerInfo: infos.length === 0 ? undefined : signerInfoOf(infos[0]!),
    };
  } catch (error) {
    if (error instanceof CryptoError) throw error;
    if (error instanceof TlvError) throw malformed(error.code, error);
    throw error;
  }
}

/** Signed attributes: single values by type, and whether the SET OF is in DER order. @internal */
export interface SignedAttributes {
  /** The one value (its whole TLV node) of each attribute type. */
  readonly values: ReadonlyMap<string, TlvNode>;
  /** Whether the attributes are sorted as DER requires (X.690 §11.6); OpenSSL rejects otherwise. */
  readonly derOrder: boolean;
}

/**
 * The signed attributes decoded from the signed `SET OF` bytes, or `undefined` when they are not
 * DER, an attribute repeats or has other than one value (RFC 5652 §11).
 */
export function signedAttributesOf(signedAttrs: Uint8Array): SignedAttributes | undefined {
  try {
    const set = decodeTlv(signedAttrs)[0]!;
    const values = new Map<string, TlvNode>();
    let previous: Uint8Array | undefined;
    let derOrder = true;
    for (const attribute of set.children) {
      const parts = attribute.children;
      if (attribute.tag !== TAG_SEQUENCE || parts.length !== 2 || parts[1]!.tag !== TAG_SET) return undefined;
      const type = readOid(parts[0]!);
      const attrValues = parts[1]!.children;
      if (values.has(type) || attrValues.length !== 1) return undefined;
      values.set(type, attrValues[0]!);
      const encoded = attribute.encoded;
      if (previous !== undefined && compareDer(previous, encoded) > 0) derOrder = false;
      previous = encoded;
    }
    return { values, derOrder };
  } catch (error) {
    if (error instanceof TlvError) return undefined;
    throw error;
  }
}
