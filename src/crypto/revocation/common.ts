/**
 * Pieces shared by the OCSP and CRL checkers: the signature over a piece of evidence, the
 * freshness window, RFC 5280 reason codes, abort handling and a small expiring cache.
 * @packageDocumentation
 */
import { AbortedError, CryptoError, InvalidArgumentError } from '../../errors.js';
import { readTlvInteger, type TlvNode } from '../../tlv/index.js';
import { derError, guard, readOid } from '../der.js';
import type { JpkiCertificate } from '../parse.js';
import { checkCertificateSignature, verifyWithCertificateKey } from '../signature.js';
import { decodeCertificate, ecdsaSignatureHash, isRsaKey, rsaSignatureHash, type DecodedCertificate, type RawExtension } from '../x509.js';
import type { CrlReason, RevocationUnknownReason } from './types.js';

/** Default tolerance between clocks for `thisUpdate` / `nextUpdate` (5 minutes). */
export const DEFAULT_REVOCATION_CLOCK_SKEW_MS = 300_000;

/** CRLReason ENUMERATED values (RFC 5280 §5.3.1); 7 is not used. */
const CRL_REASONS: readonly (CrlReason | undefined)[] = [
  'unspecified',
  'keyCompromise',
  'cACompromise',
  'affiliationChanged',
  'superseded',
  'cessationOfOperation',
  'certificateHold',
  undefined,
  'removeFromCRL',
  'privilegeWithdrawn',
  'aACompromise',
];

/** A CRLReason ENUMERATED node as its name; a value outside the list throws `code`. @internal */
export function crlReason(node: TlvNode, code: string): CrlReason {
  const value = guard(code, 'bad CRLReason', () => readTlvInteger(node, 0x0a));
  const name = value >= 0n && value < BigInt(CRL_REASONS.length) ? CRL_REASONS[Number(value)] : undefined;
  if (name === undefined) throw derError(code, 'CRLReason out of range');
  return name;
}

/** The ENUMERATED value of a CRLReason name (for the test PKI's issuers). @internal */
export function crlReasonValue(reason: CrlReason): number {
  return CRL_REASONS.indexOf(reason);
}

/** `[n] EXPLICIT SEQUENCE OF Extension` (or a bare SEQUENCE OF) as a map; duplicates throw `code`. @internal */
export function extensionsOf(list: TlvNode, code: string): Map<string, RawExtension> {
  const out = new Map<string, RawExtension>();
  if (list.tag !== 0x30) throw derError(code, 'extensions have the wrong shape');
  for (const extension of list.children) {
    const parts = extension.children;
    const n = parts.length;
    const last = parts[n - 1];
    if (extension.tag !== 0x30 || n < 2 || n > 3 || last!.tag !== 0x04 || (n === 3 && parts[1]!.tag !== 0x01)) {
      throw derError(code, 'extension has the wrong shape');
    }
    const oid = guard(code, 'extension OID', () => readOid(parts[0]!));
    const critical = n === 3 && parts[1]!.value[0] !== 0;
    if (out.has(oid)) throw derError(code, 'duplicate extension');
    out.set(oid, { critical, value: last!.value });
  }
  return out;
}

/** `AlgorithmIdentifier` → its OID (parameters are not read). @internal */
export function algorithmOf(node: TlvNode | undefined, code: string): string {
  const oid = node?.tag === 0x30 ? node.children[0] : undefined;
  if (oid === undefined) throw derError(code, 'AlgorithmIdentifier has the wrong shape');
  return guard(code, 'algorithm OID', () => readOid(oid));
}

/**
 * Does `signer`'s key verify `signature` over `data` with `algorithm`? `unsupported` when the
 * algorithm or key is not one the SDK verifies (RSASSA-PKCS1-v1_5 with SHA-1/2 on an RSA key;
 * ecdsa-with-SHA256/384 on a P-256/P-384 key with the curve's hash), including a key the
 * platform's WebCrypto refuses to import (browsers refuse some RSA keys Node accepts): such
 * evidence cannot be checked here, which is not the same as a signature that fails. An ECDSA
 * signature that is not a well-formed DER `ECDSA-Sig-Value` does not verify. @internal
 */
export async function signedBy(
  signer: DecodedCertificate,
  algorithm: string,
  signature: Uint8Array,
  data: Uint8Array,
): Promise<boolean | 'unsupported'> {
  const rsaHash = rsaSignatureHash(algorithm);
  if (rsaHash !== undefined && isRsaKey(signer.publicKey)) {
    // Not checkCertificateSignature: it folds a refused key import into `valid: false`.
    try {
      return await verifyWithCertificateKey(signer, rsaHash, signature, data);
    } catch (error) {
      if (error instanceof CryptoError) return 'unsupported';
      throw error;
    }
  }
  const hash = rsaHash ?? ecdsaSignatureHash(algorithm);
  if (hash === undefined) return 'unsupported';
  const check = await checkCertificateSignature(signer, rsaHash === undefined ? 'ecdsa' : 'rsa', hash, signature, data);
  if (check.problem !== undefined && check.problem !== 'malformed-signature') return 'unsupported';
  return check.valid;
}

/** Decoded certificates by DER array, so that a checker decodes each caller certificate once. */
const decodedByDer = new WeakMap<Uint8Array, DecodedCertificate>();

/** The decoded form of a parsed certificate. @internal */
export function decoded(certificate: JpkiCertificate): DecodedCertificate {
  let out = decodedByDer.get(certificate.der);
  if (out === undefined) {
    out = decodeCertificate(certificate.der);
    decodedByDer.set(certificate.der, out);
  }
  return out;
}

/** Check `check`'s arguments (shared by both checkers). @internal */
export function checkArguments(
  certificate: JpkiCertificate,
  issuer: JpkiCertificate,
  options: { readonly at: Date; readonly signal?: AbortSignal | undefined },
): void {
  if (!(certificate?.der instanceof Uint8Array) || !(issuer?.der instanceof Uint8Array)) {
    throw new InvalidArgumentError('certificate and issuer must be parsed certificates (parseJpkiCertificate)');
  }
  if (!(options?.at instanceof Date) || Number.isNaN(options.at.getTime())) {
    throw new InvalidArgumentError('A revocation check needs options.at, a valid Date');
  }
  throwIfAborted(options.signal);
}

/** Throw an AbortedError when `signal` has aborted. @internal */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw new AbortedError('The revocation check was aborted');
}

/**
 * Is evidence produced at `thisUpdate` (valid until `nextUpdate`) current at `at`? Without
 * `nextUpdate`, evidence older than `maxAgeMs` is stale. @internal
 */
export function freshness(
  thisUpdate: Date,
  nextUpdate: Date | undefined,
  at: Date,
  skewMs: number,
  maxAgeMs: number,
): RevocationUnknownReason | undefined {
  const t = at.getTime();
  if (thisUpdate.getTime() > t + skewMs) return 'response-not-yet-valid';
  const end = nextUpdate === undefined ? thisUpdate.getTime() + maxAgeMs : nextUpdate.getTime();
  if (t > end + skewMs) return 'response-stale';
  return undefined;
}

/** A non-negative finite number option, or its default. @internal */
export function durationOption(value: number | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
    throw new InvalidArgumentError(`${name} must be a finite number >= 0`);
  }
  return value;
}

/**
 * A bounded map whose entries expire: each entry is kept until `expires` (ms since epoch,
 * compared with the validation time the caller passes) and the oldest entry is dropped first
 * when full. @internal
 */
export class ExpiringCache<V> {
  readonly #entries = new Map<string, { readonly value: V; readonly expires: number }>();
  readonly #max: number;

  constructor(max: number) {
    this.#max = max;
  }

  /** The value of `key` if present and not expired at `now`. */
  get(key: string, now: number): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (now > entry.expires) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Store `value` until `expires`. */
  set(key: string, value: V, expires: number): void {
    if (this.#max === 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { value, expires });
    while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value!);
  }

  /** Number of entries (for tests). */
  get size(): number {
    return this.#entries.size;
  }
}
