/**
 * PDF signatures with the My Number Card (`mynacard/pdf`): {@link signPdf} adds a signature as
 * an incremental update in the profile the registry (登記・供託オンライン申請) accepts or as
 * PAdES B-B; {@link verifyPdf} checks every signature field. Browser-safe.
 * @packageDocumentation
 */
export { signPdf, DEFAULT_CONTENTS_SIZE, MAX_CONTENTS_SIZE } from './sign.js';
export type { SignPdfBaseOptions, SignPdfOptions, SignPdfWithCardOptions, SignPdfWithSignerOptions } from './sign.js';
export type { PdfCardOptions } from './card-signer.js';
export type { PdfVisibleSignature } from './appearance.js';
export type { PdfTimestampOptions } from './timestamp-client.js';
export { PDF_SUBFILTERS } from './signer.js';
export type { PdfProfile, PdfSigner } from './signer.js';
export { PdfError } from './errors.js';
export type { PdfErrorCode } from './errors.js';
export { verifyPdf, MAX_SIGNATURE_FIELDS } from './verify.js';
export type {
  LaterRevisions,
  PdfSignatureReason,
  PdfSignatureVerification,
  PdfTimestampVerification,
  PdfVerificationResult,
  VerifyPdfOptions,
} from './verify.js';
export type { PdfReason } from '../messages/pdf-reason-texts.js';
export type { TimestampReason } from '../crypto/timestamp.js';
