/**
 * `crlChecker`: revocation status from CRLs the relying party obtained itself (J-LIS gives them
 * to registered verifiers only). A CRL counts for a certificate when its issuer is the
 * certificate's issuer (same DN, the issuer's key verifies it, AKI when present names that key)
 * and its issuingDistributionPoint, when present, names the certificate's directory-name CRL
 * distribution point (JPKI partitions CRLs by municipality: `…OU=CRL Distribution Points,
 * OU=<prefecture>, CN=<municipality> CRLDP`). Delta CRLs are refused. Browser-safe.
 * @packageDocumentation
 */
import { equalBytes, toHex } from '../../bytes.js';
import { AbortedError, CryptoError, InvalidArgumentError } from '../../errors.js';
import { checkName, decodeOne, distinguishedName, guard, type DistinguishedName } from '../der.js';
import type { JpkiCertificate } from '../parse.js';
import { OID, type DecodedCertificate } from '../x509.js';
import {
  checkArguments,
  decoded,
  DEFAULT_REVOCATION_CLOCK_SKEW_MS,
  durationOption,
  ExpiringCache,
  freshness,
  signedBy,
  throwIfAborted,
} from './common.js';
import { decodeCrl, type DecodedCrl } from './crl.js';
import type { RevocationCheckOptions, RevocationChecker, RevocationResult, RevocationUnknownReason } from './types.js';

/** What a {@link CrlLoader} is asked for. */
export interface CrlRequest {
  /** The certificate whose status is wanted. */
  readonly certificate: JpkiCertificate;
  /** Its issuer. */
  readonly issuer: JpkiCertificate;
  /** The DirNames of the certificate's CRL distribution points (JPKI: one, naming the municipality). */
  readonly distributionPoints: readonly DistinguishedName[];
  /** The check's abort signal. */
  readonly signal?: AbortSignal;
}

/**
 * Fetches the DER CRLs for a request from the source the relying party is entitled to. Its
 * result is cached per issuer key and distribution point until the earliest `nextUpdate`.
 */
export type CrlLoader = (request: CrlRequest) => Promise<readonly Uint8Array[]>;

/** Options of {@link crlChecker}. */
export interface CrlCheckerOptions {
  /** DER CRLs (decoded once, here), or a loader called when no cached CRL is current. */
  readonly crls: readonly Uint8Array[] | CrlLoader;
  /** Clock tolerance for thisUpdate/nextUpdate (ms); default 5 minutes. */
  readonly clockSkewMs?: number;
  /** Age after which a CRL without nextUpdate is stale (ms); default 1 day. */
  readonly maxAgeMs?: number;
  /** Most loader results kept (default 256; 0 disables the cache). */
  readonly cacheSize?: number;
}

const DAY_MS = 86_400_000;

/** Order of the unknown reasons: when several CRLs fail, the most telling one is reported. */
const RANK: readonly RevocationUnknownReason[] = [
  'crl-signature-invalid',
  'unsupported-algorithm',
  'response-stale',
  'response-not-yet-valid',
  'crl-unsupported-critical-extension',
  'crl-delta-unsupported',
  'crl-scope-unsupported',
  'crl-malformed',
  'crl-not-found',
];

/** The DirNames (DER) of a certificate's CRL distribution points; `indirect` when one names a cRLIssuer. */
function distributionPoints(certificate: DecodedCertificate): { names: Uint8Array[]; indirect: boolean } {
  const names: Uint8Array[] = [];
  let indirect = false;
  const extension = certificate.extensions.get(OID.cRLDistributionPoints);
  if (extension === undefined) return { names, indirect };
  const code = 'malformed-certificate';
  const node = decodeOne(extension.value, code, 'Malformed certificate: cRLDistributionPoints');
  guard(code, 'Malformed certificate: cRLDistributionPoints', () => {
    for (const point of node.children) {
      for (const part of point.children) {
        if (part.tag === 0xa2) indirect = true;
        if (part.tag !== 0xa0 || part.children[0]?.tag !== 0xa0) continue;
        for (const name of part.children[0].children) {
          const inner = name.children[0];
          if (name.tag !== 0xa4 || inner === undefined) continue;
          checkName(inner, code, 'Malformed certificate: cRLDistributionPoints');
          names.push(inner.encoded);
        }
      }
    }
  });
  return { names, indirect };
}

/**
 * A {@link RevocationChecker} over CRLs (RFC 5280 §6.3, complete CRLs only).
 *
 * For each check the newest CRL that covers the certificate, is signed by the issuer's key and
 * is current at `at` (`thisUpdate` ≤ `at` ≤ `nextUpdate`, with `clockSkewMs`) decides: listed →
 * `revoked` with its revocation date and reason code, not listed → `good`. Otherwise `unknown`
 * with the most telling reason (see {@link RevocationUnknownReason}). Signature results are
 * cached per CRL and issuer key.
 *
 * @throws CryptoError `malformed-crl` when a CRL of the static list cannot be decoded;
 *   InvalidArgumentError for bad options.
 */
export function crlChecker(options: CrlCheckerOptions): RevocationChecker {
  const source = options?.crls;
  if (typeof source !== 'function' && !Array.isArray(source)) {
    throw new InvalidArgumentError('crlChecker needs options.crls: an array of DER CRLs or a loader function');
  }
  const skew = durationOption(options.clockSkewMs, DEFAULT_REVOCATION_CLOCK_SKEW_MS, 'clockSkewMs');
  const maxAge = durationOption(options.maxAgeMs, DAY_MS, 'maxAgeMs');
  const cacheSize = durationOption(options.cacheSize, 256, 'cacheSize');
  const fixed = typeof source === 'function' ? undefined : (source as readonly Uint8Array[]).map(decodeCrl);
  const loaded = new ExpiringCache<DecodedCrl[]>(Math.floor(cacheSize));
  const signatures = new WeakMap<DecodedCrl, Map<string, Promise<boolean | 'unsupported'>>>();

  const verified = (crl: DecodedCrl, issuer: DecodedCertificate): Promise<boolean | 'unsupported'> => {
    let byKey = signatures.get(crl);
    if (byKey === undefined) signatures.set(crl, (byKey = new Map()));
    const key = toHex(issuer.spki);
    let result = byKey.get(key);
    if (result === undefined) {
      result = signedBy(issuer, crl.signatureAlgorithm, crl.signature, crl.tbs);
      byKey.set(key, result);
    }
    return result;
  };

  const load = async (
    loader: CrlLoader,
    request: CrlRequest,
    key: string,
    at: number,
    notes: Set<RevocationUnknownReason>,
  ): Promise<DecodedCrl[] | undefined> => {
    const cached = loaded.get(key, at);
    if (cached !== undefined) return cached;
    let ders: readonly Uint8Array[];
    try {
      ders = await loader(request);
    } catch (error) {
      if (error instanceof AbortedError) throw error;
      throwIfAborted(request.signal);
      return undefined; // the loader's error may hold anything: it is not kept
    }
    if (!Array.isArray(ders)) return undefined;
    const crls: DecodedCrl[] = [];
    for (const der of ders) {
      try {
        crls.push(decodeCrl(der));
      } catch (error) {
        if (!(error instanceof CryptoError) && !(error instanceof InvalidArgumentError)) throw error;
        notes.add('crl-malformed');
      }
    }
    let expires = Number.POSITIVE_INFINITY;
    for (const crl of crls) expires = Math.min(expires, (crl.nextUpdate?.getTime() ?? crl.thisUpdate.getTime() + maxAge) + skew);
    if (crls.length > 0) loaded.set(key, crls, expires);
    return crls;
  };

  return {
    async check(certificate: JpkiCertificate, issuer: JpkiCertificate, check: RevocationCheckOptions): Promise<RevocationResult> {
      checkArguments(certificate, issuer, check);
      const cert = decoded(certificate);
      const ca = decoded(issuer);
      const at = check.at.getTime();
      const points = distributionPoints(cert);
      const notes = new Set<RevocationUnknownReason>();
      let crls: readonly DecodedCrl[] | undefined = fixed;
      if (crls === undefined) {
        const request: CrlRequest = {
          certificate,
          issuer,
          distributionPoints: points.names.map((der) => distinguishedName(decodeOne(der, 'malformed-certificate', 'name'), 'malformed-certificate')),
          ...(check.signal === undefined ? {} : { signal: check.signal }),
        };
        const key = toHex(ca.spki) + '|' + points.names.map(toHex).join('|');
        crls = await load(source as CrlLoader, request, key, at, notes);
        if (crls === undefined) return { status: 'unknown', reason: 'crl-unavailable', source: 'crl' };
      }
      const isCa = certificate.basicConstraints?.ca === true;
      let best: DecodedCrl | undefined;
      for (const crl of crls) {
        throwIfAborted(check.signal);
        if (!equalBytes(crl.issuerDer, cert.issuerDer)) continue;
        const ski = issuer.subjectKeyIdentifier;
        if (crl.authorityKeyIdentifier !== undefined && ski !== undefined && crl.authorityKeyIdentifier !== ski) continue;
        const idp = crl.issuingDistributionPoint;
        if (idp !== undefined) {
          // A partition covers only the certificates whose CRLDP names it (RFC 5280 §6.3.3 (b)(2)(i)).
          if (crl.pointPresent && !crl.pointNames.some((n) => points.names.some((p) => equalBytes(n, p)))) continue;
          if ((idp.onlyCaCertificates && !isCa) || (idp.onlyUserCertificates && isCa)) continue;
          if (idp.onlySomeReasons || idp.indirect || idp.onlyAttributeCertificates) {
            notes.add('crl-scope-unsupported');
            continue;
          }
        }
        if (points.indirect) {
          notes.add('crl-scope-unsupported');
          continue;
        }
        if (crl.deltaBase !== undefined) {
          notes.add('crl-delta-unsupported');
          continue;
        }
        if (crl.unsupportedCriticalExtensions.length > 0 || crl.unsupportedCriticalEntryExtension) {
          notes.add('crl-unsupported-critical-extension');
          continue;
        }
        const fresh = freshness(crl.thisUpdate, crl.nextUpdate, check.at, skew, maxAge);
        if (fresh !== undefined) {
          notes.add(fresh);
          continue;
        }
        const signature = await verified(crl, ca);
        if (signature !== true) {
          notes.add(signature === 'unsupported' ? 'unsupported-algorithm' : 'crl-signature-invalid');
          continue;
        }
        if (best === undefined || crl.thisUpdate.getTime() > best.thisUpdate.getTime()) best = crl;
      }
      if (best === undefined) {
        return { status: 'unknown', reason: RANK.find((r) => notes.has(r)) ?? 'crl-not-found', source: 'crl' };
      }
      const evidence = {
        source: 'crl',
        thisUpdate: new Date(best.thisUpdate.getTime()),
        ...(best.nextUpdate === undefined ? {} : { nextUpdate: new Date(best.nextUpdate.getTime()) }),
      } as const;
      const entry = best.bySerial.get(cert.serialNumber);
      if (entry === undefined) return { status: 'good', ...evidence };
      return {
        status: 'revoked',
        revokedAt: new Date(entry.revokedAt.getTime()),
        ...(entry.reason === undefined ? {} : { revocationReason: entry.reason }),
        ...evidence,
      };
    },
  };
}
