/**
 * A `fetch`-based RFC 3161 client for PAdES B-T signature timestamps: it asks the TSA for a token
 * over SHA-256 of the signature value, with a fresh nonce, and verifies the answer (imprint,
 * nonce, the TSA's signature and certificate, and its trust anchor when given) before it is
 * embedded. Browser-safe.
 * @packageDocumentation
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { InvalidArgumentError } from '../errors.js';
import { timestampRequest, timestampTokenOf, verifyTimestampToken } from '../crypto/timestamp.js';
import { PdfError } from './errors.js';

/** Where and how to get the signature timestamp of the `'pades-b-t'` profile. */
export interface PdfTimestampOptions {
  /** The TSA URL (HTTP POST, `application/timestamp-query`). */
  readonly url: string;
  /** TSA trust anchors (DER): the TSA certificate must be one of them or issued by one. Without them the token is only checked for integrity. */
  readonly roots?: readonly Uint8Array[];
  /** The `fetch` to use (default: the global one). */
  readonly fetch?: typeof fetch;
  /** Largest answer accepted, in bytes (default 65536). */
  readonly maxResponseBytes?: number;
}

/** The TSA's token for `signature`, verified. @internal */
export async function fetchTimestamp(options: PdfTimestampOptions, signature: Uint8Array): Promise<Uint8Array> {
  if (typeof options?.url !== 'string' || !/^https?:\/\//.test(options.url)) throw new InvalidArgumentError('timestamp.url must be an http(s) URL');
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const imprint = sha256(signature);
  const nonce = crypto.getRandomValues(new Uint8Array(8));
  nonce[0] = (nonce[0]! & 0x7f) | 0x01;
  let response: Response;
  try {
    response = await fetchImpl(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/timestamp-query' },
      body: Uint8Array.from(timestampRequest(imprint, nonce)),
    });
  } catch (error) {
    throw new PdfError('pdf-timestamp-failed', 'The TSA could not be reached', { cause: error });
  }
  const body = new Uint8Array(await response.arrayBuffer());
  if (!response.ok || body.length > (options.maxResponseBytes ?? 65_536)) {
    throw new PdfError('pdf-timestamp-failed', `The TSA answered HTTP ${response.status} (${body.length} bytes)`);
  }
  let token: Uint8Array;
  try {
    token = timestampTokenOf(body);
  } catch (error) {
    throw new PdfError('pdf-timestamp-failed', 'The TSA granted no token', { cause: error });
  }
  const check = await verifyTimestampToken(token, { imprint, nonce, ...(options.roots === undefined ? {} : { roots: options.roots }) });
  const problems = check.reasons.filter((r) => options.roots !== undefined || r !== 'timestamp-untrusted');
  if (problems.length > 0) throw new PdfError('pdf-timestamp-failed', `The TSA token does not verify: ${problems.join(', ')}`);
  return token;
}
