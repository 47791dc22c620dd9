/**
 * The typed error of `mynacard/pdf`: a PDF that cannot be signed as given.
 * @packageDocumentation
 */
import { MynacardError } from '../errors.js';

/** Why a PDF could not be signed or read (stable strings). */
export type PdfErrorCode = 'pdf-encrypted' | 'pdf-malformed' | 'pdf-signature-too-large' | 'pdf-timestamp-failed';

/**
 * A PDF that cannot be signed or read: encrypted (`pdf-encrypted`), damaged or not a PDF
 * (`pdf-malformed`), a signature larger than the reserved `/Contents` (`pdf-signature-too-large`), or
 * a time-stamp authority that failed or answered with a token that does not verify (`pdf-timestamp-failed`).
 * Nothing is written when it is thrown.
 */
export class PdfError extends MynacardError {
  /** The stable code. */
  declare readonly code: PdfErrorCode;
  constructor(code: PdfErrorCode, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.name = 'PdfError';
  }
}
