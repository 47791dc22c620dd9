/**
 * The signer and profile types of `mynacard/pdf`.
 * @packageDocumentation
 */

/**
 * Any signer: its certificate and a callback that signs bytes with RSASSA-PKCS1-v1_5 / SHA-256
 * (the callee hashes them). The card form of `signPdf` builds one over the 署名用 key; tests and
 * HSMs pass their own.
 */
export interface PdfSigner {
  /** DER signer certificate, embedded in the signature. */
  readonly certificate: Uint8Array;
  /** More DER certificates to embed (e.g. the issuing CA). */
  readonly extraCertificates?: readonly Uint8Array[];
  /** Sign `data` (RSASSA-PKCS1-v1_5 over SHA-256 of `data`). Called exactly once. */
  sign(data: Uint8Array): Promise<Uint8Array>;
}

/**
 * Signature profiles:
 * - `'registry'` — what 登記・供託オンライン申請 accepts: SubFilter `adbe.pkcs7.detached`, `/Name`
 *   and `/M`, SHA-256, a signingTime attribute, the certificate embedded.
 * - `'pades-b-b'` — PAdES baseline B-B (ETSI EN 319 142-1): SubFilter `ETSI.CAdES.detached`, ESS
 *   signingCertificateV2, no signingTime attribute (the time is the `/M` entry).
 * - `'pades-b-t'` — B-B plus an RFC 3161 signature timestamp from the caller's TSA.
 */
export type PdfProfile = 'registry' | 'pades-b-b' | 'pades-b-t';

/** The SubFilter of each profile. */
export const PDF_SUBFILTERS: Readonly<Record<PdfProfile, string>> = {
  registry: 'adbe.pkcs7.detached',
  'pades-b-b': 'ETSI.CAdES.detached',
  'pades-b-t': 'ETSI.CAdES.detached',
};
