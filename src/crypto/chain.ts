/**
 * JPKI chain validation (証明書の有効性確認, offline part): leaf → one of the trust anchors, at a
 * date the caller supplies. JPKI has no intermediates (cert-profile §1), so the path is exactly
 * one level. Revocation is asked of the caller's {@link RevocationChecker} when one is given.
 * @packageDocumentation
 */
import { equalBytes } from '../bytes.js';
import { CryptoError, InvalidArgumentError } from '../errors.js';
import { resolveAnchors, type DecodedAnchor, type JpkiTrustAnchor } from './anchors.js';
import {
  describeCertificate,
  JPKI_AUTH_POLICY,
  JPKI_SIGN_POLICY,
  type CertificateDescription,
  type JpkiCertificate,
} from './parse.js';
import { checkRevocation } from './revocation/chain-check.js';
import type { CertificateRevocation, RevocationChecker } from './revocation/types.js';
import {
  checkCertificateSignature,
  ECDSA_NAMES,
  RSA_NAMES,
  verifyWithCertificateKey,
  type SignatureAlgorithmName,
  type SignatureProblem,
} from './signature.js';
import {
  decodeCertificate,
  ecdsaSignatureHash,
  isEcKey,
  isRsaKey,
  OID,
  rsaSignatureHash,
  type DecodedCertificate,
} from './x509.js';

/**
 * Why a chain is not valid. Stable strings; a result lists every reason found.
 *
 * - `malformed-certificate`: the leaf is not a well-formed DER certificate (or its SAN is bad).
 * - `kind-unknown`: the leaf is neither an auth nor a sign certificate (no JPKI policy, key usage or EKU).
 * - `leaf-is-ca`: the leaf has basicConstraints cA (e.g. a root passed as leaf).
 * - `leaf-self-signed`: the leaf's own key verifies its signature.
 * - `no-issuer-found`: no trust anchor verifies the leaf and none claims to be its issuer.
 * - `signature-invalid`: an anchor with the leaf's AKI or issuer name exists, but no anchor's key verifies the signature.
 * - `issuer-name-mismatch`: the leaf's issuer DN differs from the verifying root's subject DN.
 * - `authority-key-id-mismatch`: the leaf's AKI (keyIdentifier or serial) names another key than the verifying root.
 * - `root-purpose-mismatch`: an auth leaf chains to a sign root or vice versa.
 * - `leaf-expired` / `leaf-not-yet-valid` / `root-expired` / `root-not-yet-valid`: validity at `at`.
 * - `root-not-ca`: the root lacks basicConstraints cA, or has keyUsage without keyCertSign.
 * - `key-usage-mismatch`: auth needs digitalSignature; sign needs digitalSignature + nonRepudiation; no CA bits on leaves.
 * - `extended-key-usage-mismatch`: an auth leaf without clientAuth, or a sign leaf with any EKU (the
 *   profile has none on 署名用 leaves; cert-profile §2).
 * - `policy-mismatch`: the leaf lacks its kind's policy (sign …8.5.1.1.20, auth …8.5.1.3.30).
 * - `unknown-critical-extension`: leaf or root has a critical extension this verifier does not process.
 * - `weak-key`: an RSA modulus below 2048 bits (leaf or root).
 * - `sha1-signature`: leaf or root is signed with SHA-1 and `allowSha1` is not set.
 * - `unsupported-algorithm`: a signature algorithm or key that is neither RSASSA-PKCS1-v1_5 / RSA
 *   nor ECDSA (ecdsa-with-SHA256/384) / EC, or a signature algorithm that does not fit the issuer's key.
 * - `unsupported-curve`: an EC key (leaf or root) on a curve other than P-256 / P-384, or with
 *   explicit or absent curve parameters.
 * - `hash-curve-mismatch`: an ECDSA signature whose hash is not its key's curve's (P-256 needs
 *   SHA-256, P-384 needs SHA-384: RFC 5480 §4 strength pairing).
 * - `malformed-signature`: the leaf's ECDSA signature is not a minimal DER `ECDSA-Sig-Value`
 *   with `1 ≤ r, s < n` for the key that claims it.
 * - `certificate-revoked`: the `revocation` checker answered `revoked` (see `revocation` in the result).
 * - `revocation-status-unknown`: the checker answered `unknown` and `requireRevocationStatus` is set.
 */
export type ChainReason =
  | 'malformed-certificate'
  | 'kind-unknown'
  | 'leaf-is-ca'
  | 'leaf-self-signed'
  | 'no-issuer-found'
  | 'signature-invalid'
  | 'issuer-name-mismatch'
  | 'authority-key-id-mismatch'
  | 'root-purpose-mismatch'
  | 'leaf-expired'
  | 'leaf-not-yet-valid'
  | 'root-expired'
  | 'root-not-yet-valid'
  | 'root-not-ca'
  | 'key-usage-mismatch'
  | 'extended-key-usage-mismatch'
  | 'policy-mismatch'
  | 'unknown-critical-extension'
  | 'weak-key'
  | 'sha1-signature'
  | 'unsupported-algorithm'
  | 'unsupported-curve'
  | 'hash-curve-mismatch'
  | 'malformed-signature'
  | 'certificate-revoked'
  | 'revocation-status-unknown';

/** Options of {@link verifyJpkiChain}. */
export interface VerifyJpkiChainOptions {
  /** The validation date. Always supplied by the caller: there is no hidden clock. */
  readonly at: Date;
  /** Trust anchors (DER or described); default: the six bundled J-LIS roots. */
  readonly roots?: readonly (Uint8Array | JpkiTrustAnchor)[];
  /** Accept SHA-1 signatures on the leaf and the root (default `false`). */
  readonly allowSha1?: boolean;
  /**
   * Where to ask whether the leaf was revoked (an `ocspChecker`, a `crlChecker` or your own). Asked
   * once the issuing root is found; without it revocation is not checked.
   */
  readonly revocation?: RevocationChecker;
  /** Make an `unknown` revocation status invalid (`revocation-status-unknown`); needs `revocation`. */
  readonly requireRevocationStatus?: boolean;
  /** Cancels the revocation check (an `AbortedError` is thrown). */
  readonly signal?: AbortSignal;
}

/** The root a leaf chained to. */
export interface JpkiChainRoot extends JpkiTrustAnchor {
  /** Root serial number, upper-case hex. */
  readonly serialNumber: string;
  /** Root subjectKeyIdentifier, lower-case hex. */
  readonly subjectKeyIdentifier?: string;
}

/** Result of {@link verifyJpkiChain}. */
export interface JpkiChainResult {
  /** `true` exactly when `reasons` is empty. */
  readonly valid: boolean;
  /** Every problem found, each once, in a stable order of discovery. */
  readonly reasons: readonly ChainReason[];
  /** The parsed leaf, when it could be parsed. */
  readonly certificate?: JpkiCertificate;
  /** The trust anchor whose key verified the leaf signature. */
  readonly root?: JpkiChainRoot;
  /** That anchor's generation, when known. */
  readonly generation?: number;
  /** The revocation outcome per certificate checked (the leaf; JPKI has no intermediates), when a checker was given. */
  readonly revocation?: readonly CertificateRevocation[];
  /** The algorithm of the leaf's signature as the anchor's key verified it (with `root`). */
  readonly signatureAlgorithm?: SignatureAlgorithmName;
}

/** Smallest accepted RSA modulus (card-facts §6: JPKI keys are RSA-2048). */
export const MIN_RSA_BITS = 2048;

/** Extensions this verifier understands; any other critical one fails the chain (RFC 5280 §4.2). */
const KNOWN_EXTENSIONS: ReadonlySet<string> = new Set([
  OID.subjectKeyIdentifier,
  OID.keyUsage,
  OID.subjectAltName,
  OID.issuerAltName,
  OID.basicConstraints,
  OID.cRLDistributionPoints,
  OID.certificatePolicies,
  OID.authorityKeyIdentifier,
  OID.extKeyUsage,
  OID.authorityInfoAccess,
]);

type Reasons = Set<ChainReason>;

function checkValidity(
  description: CertificateDescription,
  at: Date,
  reasons: Reasons,
  expired: ChainReason,
  notYet: ChainReason,
): void {
  const t = at.getTime();
  if (t < description.notBefore.getTime()) reasons.add(notYet);
  if (t > description.notAfter.getTime()) reasons.add(expired);
}

function checkCertificate(decoded: DecodedCertificate, allowSha1: boolean, reasons: Reasons): void {
  const hash = rsaSignatureHash(decoded.signatureAlgorithm) ?? ecdsaSignatureHash(decoded.signatureAlgorithm);
  if (hash === undefined) reasons.add('unsupported-algorithm');
  else if (hash === 'SHA-1' && !allowSha1) reasons.add('sha1-signature');
  const key = decoded.publicKey;
  if (isRsaKey(key)) {
    if (key.modulusBits < MIN_RSA_BITS) reasons.add('weak-key');
  } else if (!isEcKey(key)) {
    reasons.add(key.algorithm === OID.ecPublicKey ? 'unsupported-curve' : 'unsupported-algorithm');
  }
  for (const [oid, extension] of decoded.extensions) {
    if (extension.critical && !KNOWN_EXTENSIONS.has(oid)) reasons.add('unknown-critical-extension');
  }
}

/** Key usage, EKU and policy of a leaf for its kind (cert-profile §2). */
function checkLeafUsage(leaf: CertificateDescription, reasons: Reasons): void {
  if (leaf.kind === 'ca') {
    reasons.add('leaf-is-ca');
    return;
  }
  if (leaf.kind === undefined) {
    reasons.add('kind-unknown');
    return;
  }
  const ku = leaf.keyUsage;
  const required = leaf.kind === 'sign' ? (['digitalSignature', 'nonRepudiation'] as const) : (['digitalSignature'] as const);
  if (
    !required.every((bit) => ku.includes(bit)) ||
    ku.includes('keyCertSign') ||
    ku.includes('crlSign') ||
    // An EC key cannot encipher: RFC 5480 §3 forbids these bits with id-ecPublicKey.
    (leaf.publicKey.algorithm === 'EC' && (ku.includes('keyEncipherment') || ku.includes('dataEncipherment')))
  ) {
    reasons.add('key-usage-mismatch');
  }
  if (
    (leaf.kind === 'auth' && !leaf.extendedKeyUsage.includes(OID.clientAuth)) ||
    (leaf.kind === 'sign' && leaf.extendedKeyUsage.length > 0)
  ) {
    reasons.add('extended-key-usage-mismatch');
  }
  if (!leaf.policies.includes(leaf.kind === 'sign' ? JPKI_SIGN_POLICY : JPKI_AUTH_POLICY)) {
    reasons.add('policy-mismatch');
  }
}

/**
 * Does `certificate`'s key verify `subject`'s signature? `true` or `false`, or why the key could
 * not check it at all (an ECDSA problem). Unusable keys simply do not verify.
 */
async function signs(certificate: DecodedCertificate, subject: DecodedCertificate): Promise<boolean | SignatureProblem> {
  const rsaHash = rsaSignatureHash(subject.signatureAlgorithm);
  if (rsaHash !== undefined) {
    // RSA, the path of every card issued so far: exactly as before ECDSA (no extra work per chain).
    if (!isRsaKey(certificate.publicKey)) return false;
    try {
      return await verifyWithCertificateKey(certificate, rsaHash, subject.signature, subject.tbs);
    } catch (error) {
      if (error instanceof CryptoError) return false;
      throw error;
    }
  }
  const ecdsaHash = ecdsaSignatureHash(subject.signatureAlgorithm);
  if (ecdsaHash === undefined || isRsaKey(certificate.publicKey)) return false;
  const check = await checkCertificateSignature(certificate, 'ecdsa', ecdsaHash, subject.signature, subject.tbs);
  return check.valid || (check.problem ?? false);
}

/** The algorithm of a leaf signature that `root`'s key verified. */
function verifiedAlgorithm(leaf: DecodedCertificate, root: DecodedAnchor): SignatureAlgorithmName | undefined {
  const rsaHash = rsaSignatureHash(leaf.signatureAlgorithm);
  if (rsaHash !== undefined) return RSA_NAMES[rsaHash];
  const key = root.decoded.publicKey;
  return isEcKey(key) ? ECDSA_NAMES[key.curve] : undefined;
}

/**
 * Whether the leaf names `anchor` as its issuer: by AKI keyIdentifier when it has one (all
 * generations share one DN, so a name alone does not say which key was meant), else by name.
 */
function namedIssuer(anchor: DecodedAnchor, keyId: string | undefined, leaf: DecodedCertificate): boolean {
  return keyId !== undefined ? anchor.description.subjectKeyIdentifier === keyId : equalBytes(anchor.decoded.subjectDer, leaf.issuerDer);
}

/**
 * Find the anchor whose key verifies the leaf, trying anchors whose SKI equals the leaf's AKI
 * first, then every other anchor (names are never used to choose: all generations share one DN).
 */
async function findIssuer(
  leaf: DecodedCertificate,
  description: CertificateDescription,
  anchors: readonly DecodedAnchor[],
): Promise<DecodedAnchor | ChainReason | undefined> {
  // Unknown algorithms are already reported.
  if (rsaSignatureHash(leaf.signatureAlgorithm) === undefined && ecdsaSignatureHash(leaf.signatureAlgorithm) === undefined) {
    return undefined;
  }
  const keyId = description.authorityKeyIdentifier?.keyIdentifier;
  // A root passed as the leaf must not be its own issuer. Anchors whose SKI is the leaf's AKI
  // are tried first (one array, no intermediate copies: this runs on every verification).
  const candidates: DecodedAnchor[] = [];
  let claimed = 0;
  for (const anchor of anchors) {
    if (equalBytes(anchor.decoded.spki, leaf.spki)) continue;
    if (keyId !== undefined && anchor.description.subjectKeyIdentifier === keyId) candidates.splice(claimed++, 0, anchor);
    else candidates.push(anchor);
  }
  let problem: ChainReason | undefined; // why the named issuer's key could not check the signature
  for (const anchor of candidates) {
    const verdict = await signs(anchor.decoded, leaf);
    if (verdict === true) return anchor;
    if (verdict !== false && verdict !== 'unsupported-algorithm' && problem === undefined && namedIssuer(anchor, keyId, leaf)) {
      problem = verdict;
    }
  }
  if (problem !== undefined) return problem;
  const claims = (a: DecodedAnchor): boolean =>
    (keyId !== undefined && a.description.subjectKeyIdentifier === keyId) ||
    equalBytes(a.decoded.subjectDer, leaf.issuerDer);
  return candidates.some(claims) ? 'signature-invalid' : 'no-issuer-found';
}

function checkRoot(
  root: DecodedAnchor,
  leaf: DecodedCertificate,
  description: CertificateDescription,
  options: VerifyJpkiChainOptions,
  reasons: Reasons,
): void {
  const rootDescription = root.description;
  checkValidity(rootDescription, options.at, reasons, 'root-expired', 'root-not-yet-valid');
  checkCertificate(root.decoded, options.allowSha1 === true, reasons);
  const hasKeyUsage = root.decoded.extensions.has(OID.keyUsage);
  if (rootDescription.basicConstraints?.ca !== true || (hasKeyUsage && !rootDescription.keyUsage.includes('keyCertSign'))) {
    reasons.add('root-not-ca');
  }
  if (!equalBytes(root.decoded.subjectDer, leaf.issuerDer)) reasons.add('issuer-name-mismatch');
  const aki = description.authorityKeyIdentifier;
  if (
    (aki?.keyIdentifier !== undefined &&
      rootDescription.subjectKeyIdentifier !== undefined &&
      aki.keyIdentifier !== rootDescription.subjectKeyIdentifier) ||
    (aki?.serialNumber !== undefined && aki.serialNumber !== root.decoded.serialNumber)
  ) {
    reasons.add('authority-key-id-mismatch');
  }
  const kind = description.kind;
  const purpose = root.anchor.purpose;
  if (purpose !== undefined && (kind === 'auth' || kind === 'sign') && kind !== purpose) {
    reasons.add('root-purpose-mismatch');
  }
}

// Results are built property by property (same order as before): conditional spreads make a
// slow dictionary object on every call.
function chainRoot(root: DecodedAnchor): JpkiChainRoot {
  const { anchor, description } = root;
  const out: { -readonly [K in keyof JpkiChainRoot]: JpkiChainRoot[K] } = {
    der: anchor.der.slice(),
    serialNumber: root.decoded.serialNumber,
  };
  if (description.subjectKeyIdentifier !== undefined) out.subjectKeyIdentifier = description.subjectKeyIdentifier;
  if (anchor.purpose !== undefined) out.purpose = anchor.purpose;
  if (anchor.generation !== undefined) out.generation = anchor.generation;
  if (anchor.name !== undefined) out.name = anchor.name;
  return out;
}

function result(
  reasons: Reasons,
  description: CertificateDescription | undefined,
  root: DecodedAnchor | undefined,
  algorithm?: SignatureAlgorithmName,
): JpkiChainResult {
  const list = [...reasons];
  const out: { -readonly [K in keyof JpkiChainResult]: JpkiChainResult[K] } = { valid: list.length === 0, reasons: list };
  if (description?.kind !== undefined) out.certificate = description as JpkiCertificate;
  if (root !== undefined) out.root = chainRoot(root);
  if (root?.anchor.generation !== undefined) out.generation = root.anchor.generation;
  if (algorithm !== undefined) out.signatureAlgorithm = algorithm;
  return out;
}

/**
 * Validate a JPKI leaf certificate against trust anchors at `options.at`.
 *
 * The issuer is the anchor whose key verifies the leaf's signature (tried in AKI/SKI order, never
 * chosen by name); then validity periods of leaf and root, the root's CA constraints, the leaf's
 * key usage / EKU / policy for its kind, unknown critical extensions, RSA key size, EC curve
 * (P-256 / P-384 only, hash matching the curve) and SHA-1 are checked. Every problem is collected. Malformed leaves are reported, not thrown.
 *
 * Revocation is checked only when `options.revocation` is given (J-LIS gives revocation data to
 * registered verifiers only: see `ocspChecker` and `crlChecker`): `revoked` adds
 * `certificate-revoked`, `unknown` adds `revocation-status-unknown` when
 * `requireRevocationStatus` is set; each outcome is listed in `revocation`.
 *
 * @throws InvalidArgumentError when `options.at` is not a valid Date, `roots` is not an array or
 *   `requireRevocationStatus` is set without `revocation`; AbortedError when `signal` aborts;
 *   CryptoError `malformed-certificate` when a caller-supplied root cannot be decoded.
 */
export async function verifyJpkiChain(leafDer: Uint8Array, options: VerifyJpkiChainOptions): Promise<JpkiChainResult> {
  checkOptions(options);
  let leaf: DecodedCertificate;
  try {
    leaf = decodeCertificate(leafDer);
  } catch (error) {
    if (!(error instanceof CryptoError)) throw error;
    resolveAnchors(options.roots); // a bad root is still a configuration error
    return result(new Set(['malformed-certificate']), undefined, undefined);
  }
  return verifyDecodedChain(leaf, options);
}

function checkOptions(options: VerifyJpkiChainOptions): void {
  if (!(options?.at instanceof Date) || Number.isNaN(options.at.getTime())) {
    throw new InvalidArgumentError('verifyJpkiChain needs options.at, a valid Date');
  }
  if (options.revocation !== undefined && typeof options.revocation?.check !== 'function') {
    throw new InvalidArgumentError('options.revocation must be a RevocationChecker (an object with check())');
  }
  if (options.requireRevocationStatus === true && options.revocation === undefined) {
    throw new InvalidArgumentError('requireRevocationStatus needs options.revocation');
  }
}

/** {@link verifyJpkiChain} for an already decoded leaf. @internal */
export async function verifyDecodedChain(leaf: DecodedCertificate, options: VerifyJpkiChainOptions): Promise<JpkiChainResult> {
  checkOptions(options);
  const anchors = resolveAnchors(options.roots);
  const reasons: Reasons = new Set();
  let description: CertificateDescription;
  try {
    description = describeCertificate(leaf);
  } catch (error) {
    if (!(error instanceof CryptoError)) throw error;
    reasons.add('malformed-certificate');
    return result(reasons, undefined, undefined);
  }
  checkCertificate(leaf, options.allowSha1 === true, reasons);
  checkValidity(description, options.at, reasons, 'leaf-expired', 'leaf-not-yet-valid');
  checkLeafUsage(description, reasons);
  const found = await findIssuer(leaf, description, anchors);
  // A leaf some anchor's (other) key verified cannot verify under its own key: only test
  // self-signature when no anchor signed it (saves one RSA verification per valid chain).
  const root = typeof found === 'object' ? found : undefined;
  if (root === undefined && (await signs(leaf, leaf)) === true) reasons.add('leaf-self-signed');
  if (typeof found === 'string') reasons.add(found);
  if (root !== undefined) checkRoot(root, leaf, description, options, reasons);
  const algorithm = root === undefined ? undefined : verifiedAlgorithm(leaf, root);
  if (root === undefined || options.revocation === undefined) return result(reasons, description, root, algorithm);
  const { outcome, reason } = await checkRevocation(description as JpkiCertificate, root.description as JpkiCertificate, options);
  if (reason !== undefined) reasons.add(reason);
  return { ...result(reasons, description, root, algorithm), revocation: [outcome] };
}
