/**
 * `ocspChecker`: revocation status from an OCSP responder (RFC 6960) over HTTP POST, with the
 * response's signature and responder checked (the issuer itself, or a responder certificate the
 * issuer issued with id-kp-OCSPSigning), the CertID matched, the times checked against `at`,
 * an optional nonce (RFC 8954), bounded time and size, and a cache until `nextUpdate`.
 * The real JPKI responder (`http://ocspauthnorm.jpki.go.jp`, 利用者証明用 certificates) answers
 * registered verifiers only: pass the URL and `fetch` your registration or platform gives you.
 * Browser-safe (`fetch`, WebCrypto).
 * @packageDocumentation
 */
import { equalBytes, toHex } from '../../bytes.js';
import { CryptoError, InvalidArgumentError } from '../../errors.js';
import { hashData, type HashAlgorithm } from '../../hash/digest-info.js';
import { encodeTlv } from '../../tlv/index.js';
import { describeCertificate, type JpkiCertificate } from '../parse.js';
import { buffer } from '../signature.js';
import { decodeCertificate, OID, type DecodedCertificate } from '../x509.js';
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
import {
  certIdOf,
  decodeOcspResponse,
  encodeOcspRequestFor,
  OCSP_OID,
  publicKeyBits,
  type DecodedBasicOcspResponse,
  type OcspSingleResponse,
} from './ocsp.js';
import type { RevocationCheckOptions, RevocationChecker, RevocationResult, RevocationUnknownReason } from './types.js';

/** Default {@link OcspCheckerOptions.timeoutMs}: 10 seconds. */
export const DEFAULT_OCSP_TIMEOUT_MS = 10_000;
/** Default {@link OcspCheckerOptions.maxResponseBytes}: 64 KiB (a JPKI-sized response is a few KiB). */
export const DEFAULT_OCSP_MAX_RESPONSE_BYTES = 64 * 1024;

/** The `fetch` an OCSP checker calls (the platform's by default). */
export type OcspFetch = (url: string, init: RequestInit) => Promise<Response>;

/** Options of {@link ocspChecker}. */
export interface OcspCheckerOptions {
  /** Responder URL; default: the certificate's AIA OCSP address (`ocspUrl`). */
  readonly url?: string;
  /** The fetch to use (a proxy, an authenticated client of a platform operator…); default `globalThis.fetch`. */
  readonly fetch?: OcspFetch;
  /** Cancels every check of this checker (an `AbortedError` is thrown). */
  readonly signal?: AbortSignal;
  /** Send a fresh 32-byte nonce and require the response to echo it (default `false`). */
  readonly nonce?: boolean;
  /** Time limit of one request, response body included (ms); default {@link DEFAULT_OCSP_TIMEOUT_MS}. */
  readonly timeoutMs?: number;
  /** Largest response body accepted (bytes); default {@link DEFAULT_OCSP_MAX_RESPONSE_BYTES}. */
  readonly maxResponseBytes?: number;
  /** Keep `good` / `revoked` answers until their `nextUpdate` (default `true`, 256 entries). */
  readonly cache?:
    | boolean
    | {
        /** Most answers kept (the oldest is dropped first); 0 keeps none. */
        readonly maxEntries: number;
      };
  /** Clock tolerance for thisUpdate/nextUpdate (ms); default 5 minutes. */
  readonly clockSkewMs?: number;
  /** Age after which a response without nextUpdate is stale (ms); default 1 hour. */
  readonly maxAgeMs?: number;
  /** Hash of the request's CertID; default `'SHA-1'` (what RFC 5019 responders expect). */
  readonly hash?: HashAlgorithm;
}

type Answer = Omit<RevocationResult, 'cached'>;

function unknown(reason: RevocationUnknownReason, url?: string): RevocationResult {
  return url === undefined ? { status: 'unknown', reason, source: 'ocsp' } : { status: 'unknown', reason, source: 'ocsp', url };
}

/** A cached answer with fresh Date objects (callers may mutate what they get). */
function copy(answer: Answer, cached: boolean): RevocationResult {
  const out: { -readonly [K in keyof RevocationResult]: RevocationResult[K] } = { ...answer, cached };
  for (const key of ['revokedAt', 'thisUpdate', 'nextUpdate'] as const) {
    const date = answer[key];
    if (date !== undefined) out[key] = new Date(date.getTime());
  }
  return out;
}

function randomNonce(): Uint8Array {
  const c = globalThis.crypto;
  if (c?.getRandomValues === undefined) {
    throw new CryptoError('No secure random source (crypto.getRandomValues)', { code: 'webcrypto-unavailable' });
  }
  return c.getRandomValues(new Uint8Array(32));
}

/** POST `body`, read at most `maxBytes` within `timeoutMs`; an unknown reason when that fails. */
async function post(
  fetchFn: OcspFetch,
  url: string,
  body: Uint8Array,
  signals: readonly (AbortSignal | undefined)[],
  timeoutMs: number,
  maxBytes: number,
): Promise<Uint8Array | RevocationUnknownReason> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = (): void => controller.abort();
  for (const signal of signals) signal?.addEventListener('abort', onAbort, { once: true });
  const failure = (): RevocationUnknownReason => {
    for (const signal of signals) throwIfAborted(signal);
    return timedOut ? 'ocsp-timeout' : 'ocsp-unreachable';
  };
  try {
    let response: Response;
    try {
      response = await fetchFn(url, {
        method: 'POST',
        headers: { 'content-type': 'application/ocsp-request', accept: 'application/ocsp-response' },
        body: buffer(body),
        signal: controller.signal,
      });
    } catch {
      return failure();
    }
    const type = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
    if (response.status !== 200 || (type !== undefined && type !== 'application/ocsp-response')) {
      await response.body?.cancel().catch(() => undefined);
      return 'ocsp-http-error';
    }
    const declared = Number(response.headers.get('content-length') ?? '0');
    if (declared > maxBytes) {
      await response.body?.cancel().catch(() => undefined);
      return 'ocsp-response-too-large';
    }
    try {
      return await readLimited(response, maxBytes);
    } catch (error) {
      if (error === TOO_LARGE) return 'ocsp-response-too-large';
      return failure();
    }
  } finally {
    clearTimeout(timer);
    for (const signal of signals) signal?.removeEventListener('abort', onAbort);
  }
}

const TOO_LARGE = Symbol('too large');

async function readLimited(response: Response, maxBytes: number): Promise<Uint8Array> {
  const reader = response.body?.getReader();
  if (reader === undefined) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw TOO_LARGE;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

/** Is `candidate` a responder certificate the issuer delegated OCSP signing to, valid at `at`? */
async function isDelegatedResponder(candidate: DecodedCertificate, issuer: DecodedCertificate, at: number, skew: number): Promise<boolean> {
  if (!equalBytes(candidate.issuerDer, issuer.subjectDer)) return false;
  if (at < candidate.notBefore.getTime() - skew || at > candidate.notAfter.getTime() + skew) return false;
  let description: ReturnType<typeof describeCertificate>;
  try {
    description = describeCertificate(candidate);
  } catch (error) {
    if (error instanceof CryptoError) return false;
    throw error;
  }
  if (!description.extendedKeyUsage.includes(OCSP_OID.ocspSigning)) return false;
  // Key usage, when present, must allow signing (RFC 5280 §4.2.1.12: both extensions apply).
  const ku = description.keyUsage;
  if (candidate.extensions.has(OID.keyUsage) && !ku.includes('digitalSignature') && !ku.includes('nonRepudiation')) return false;
  return (await signedBy(issuer, candidate.signatureAlgorithm, candidate.signature, candidate.tbs)) === true;
}

/**
 * Check who signed the response (RFC 6960 §4.2.2.2): the issuer's key, or a delegated responder.
 * Returns `undefined` when the signature verifies with an authorised key.
 */
async function authorise(
  basic: DecodedBasicOcspResponse,
  issuer: DecodedCertificate,
  at: number,
  skew: number,
): Promise<RevocationUnknownReason | undefined> {
  const verify = async (signer: DecodedCertificate): Promise<RevocationUnknownReason | undefined> => {
    const ok = await signedBy(signer, basic.signatureAlgorithm, basic.signature, basic.tbs);
    return ok === true ? undefined : ok === 'unsupported' ? 'unsupported-algorithm' : 'ocsp-signature-invalid';
  };
  const keyHash = (c: DecodedCertificate): string => toHex(hashData('SHA-1', publicKeyBits(c)));
  const names = (c: DecodedCertificate): boolean =>
    basic.responderKeyHash !== undefined ? keyHash(c) === basic.responderKeyHash : equalBytes(c.subjectDer, basic.responderNameDer!);
  let failure: RevocationUnknownReason = 'ocsp-responder-unauthorized';
  if (names(issuer)) {
    const result = await verify(issuer);
    // By name, another generation of the CA (same DN) may have delegated: keep looking.
    if (result === undefined || basic.responderKeyHash !== undefined) return result;
    failure = result;
  }
  for (const der of basic.certificates) {
    let candidate: DecodedCertificate;
    try {
      candidate = decodeCertificate(der);
    } catch (error) {
      if (error instanceof CryptoError) continue;
      throw error;
    }
    if (!names(candidate) || equalBytes(candidate.spki, issuer.spki)) continue;
    if (!(await isDelegatedResponder(candidate, issuer, at, skew))) continue;
    return verify(candidate);
  }
  return failure;
}

function matches(single: OcspSingleResponse, certificate: DecodedCertificate, issuer: DecodedCertificate): boolean {
  const hash = single.certId.hash;
  if (hash === undefined) return false;
  const expected = certIdOf(certificate, issuer, hash);
  return (
    single.certId.serialNumber === expected.serialNumber &&
    single.certId.issuerNameHash === expected.issuerNameHash &&
    single.certId.issuerKeyHash === expected.issuerKeyHash
  );
}

/**
 * A {@link RevocationChecker} that asks an OCSP responder (RFC 6960) by HTTP POST.
 *
 * Per check: the URL is `options.url` or the certificate's AIA OCSP address; the request names
 * the certificate by CertID (SHA-1 by default) and carries a fresh nonce when `nonce` is set.
 * The answer counts only when: the HTTP status is 200 with `application/ocsp-response`, the body
 * is within `maxResponseBytes` and arrives within `timeoutMs`, `responseStatus` is successful,
 * the signature verifies with the issuer's key or with a responder certificate issued by the
 * issuer with id-kp-OCSPSigning (valid at `at`), the nonce is echoed, a SingleResponse has this
 * certificate's CertID, and `thisUpdate` ≤ `at` ≤ `nextUpdate` (with `clockSkewMs`; without
 * `nextUpdate`, at most `maxAgeMs` old). Anything else is `unknown` with a
 * {@link RevocationUnknownReason}; `good` and `revoked` answers are cached until `nextUpdate`.
 *
 * @throws InvalidArgumentError for bad options (when called) or bad `check` arguments;
 *   `check` rejects with AbortedError when a signal aborts, never for a responder failure.
 */
export function ocspChecker(options: OcspCheckerOptions = {}): RevocationChecker {
  if (options.url !== undefined && (typeof options.url !== 'string' || !/^https?:\/\//i.test(options.url))) {
    throw new InvalidArgumentError('ocspChecker: url must be an http:// or https:// URL');
  }
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new InvalidArgumentError('ocspChecker: fetch must be a function');
  }
  const timeoutMs = durationOption(options.timeoutMs, DEFAULT_OCSP_TIMEOUT_MS, 'timeoutMs');
  const maxBytes = durationOption(options.maxResponseBytes, DEFAULT_OCSP_MAX_RESPONSE_BYTES, 'maxResponseBytes');
  const skew = durationOption(options.clockSkewMs, DEFAULT_REVOCATION_CLOCK_SKEW_MS, 'clockSkewMs');
  const maxAge = durationOption(options.maxAgeMs, 3_600_000, 'maxAgeMs');
  const entries = options.cache === false ? 0 : typeof options.cache === 'object' ? options.cache.maxEntries : 256;
  const cache = new ExpiringCache<Answer>(Math.floor(durationOption(entries, 256, 'cache.maxEntries')));
  const hash = options.hash ?? 'SHA-1';

  return {
    async check(certificate: JpkiCertificate, issuer: JpkiCertificate, check: RevocationCheckOptions): Promise<RevocationResult> {
      checkArguments(certificate, issuer, check);
      throwIfAborted(options.signal);
      const url = options.url ?? certificate.ocspUrl;
      if (url === undefined) return unknown('ocsp-no-url');
      if (!/^https?:\/\//i.test(url)) return unknown('ocsp-no-url', url);
      const cert = decoded(certificate);
      const ca = decoded(issuer);
      const at = check.at.getTime();
      const key = `${url}|${toHex(ca.spki)}|${cert.serialNumber}`;
      const hit = cache.get(key, at);
      if (hit !== undefined && hit.thisUpdate !== undefined && at >= hit.thisUpdate.getTime() - skew) return copy(hit, true);

      const nonce = options.nonce === true ? randomNonce() : undefined;
      const request = encodeOcspRequestFor(cert, ca, { hash, ...(nonce === undefined ? {} : { nonce }) });
      const fetchFn = options.fetch ?? (globalThis.fetch as OcspFetch | undefined);
      if (fetchFn === undefined) throw new InvalidArgumentError('ocspChecker: no fetch available; pass options.fetch');
      const body = await post(fetchFn, url, request, [options.signal, check.signal], timeoutMs, maxBytes);
      if (typeof body === 'string') return unknown(body, url);

      let basic: DecodedBasicOcspResponse;
      try {
        const response = decodeOcspResponse(body);
        if (response.basic === undefined) return unknown('ocsp-unsuccessful', url);
        basic = response.basic;
      } catch (error) {
        if (error instanceof CryptoError) return unknown('ocsp-malformed-response', url);
        throw error;
      }
      if (basic.unsupportedCriticalExtensions.length > 0) return unknown('ocsp-malformed-response', url);
      const denied = await authorise(basic, ca, at, skew);
      if (denied !== undefined) return unknown(denied, url);
      if (nonce !== undefined) {
        if (basic.nonce === undefined) return unknown('ocsp-nonce-missing', url);
        if (!equalBytes(basic.nonce, encodeTlv(0x04, nonce))) return unknown('ocsp-nonce-mismatch', url);
      }
      const single = basic.responses.find((r) => matches(r, cert, ca));
      if (single === undefined) return unknown('ocsp-cert-id-mismatch', url);
      const stale = freshness(single.thisUpdate, single.nextUpdate, check.at, skew, maxAge);
      if (stale !== undefined) return unknown(stale, url);
      if (single.status === 'unknown') return unknown('ocsp-status-unknown', url);
      const answer: Answer = {
        status: single.status,
        ...(single.revokedAt === undefined ? {} : { revokedAt: single.revokedAt }),
        ...(single.revocationReason === undefined ? {} : { revocationReason: single.revocationReason }),
        source: 'ocsp',
        thisUpdate: single.thisUpdate,
        ...(single.nextUpdate === undefined ? {} : { nextUpdate: single.nextUpdate }),
        url,
      };
      const expires = (single.nextUpdate?.getTime() ?? single.thisUpdate.getTime() + maxAge) + skew;
      cache.set(key, answer, expires);
      return copy(answer, false);
    },
  };
}

