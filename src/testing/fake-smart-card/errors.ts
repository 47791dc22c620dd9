/**
 * The errors the fake Web Smart Card API rejects with, shaped as the specification says: a
 * `SmartCardError` is a `DOMException` named `'SmartCardError'` with a `responseCode`; other
 * failures are plain `DOMException`s (`InvalidStateError`, `NotAllowedError`, …).
 * @packageDocumentation
 */
import type { SmartCardResponseCode } from '../../web-smart-card/api-types.js';

/**
 * `SmartCardError` of the Web Smart Card API (WICG): a `DOMException` named `'SmartCardError'`
 * (as the platform's is) with the PC/SC result. Not exported: see {@link createSmartCardError}.
 */
class FakeSmartCardError extends DOMException {
  /** The PC/SC result, e.g. `'removed-card'`. */
  readonly responseCode: SmartCardResponseCode;

  constructor(message: string, options: { readonly responseCode: SmartCardResponseCode }) {
    super(message, 'SmartCardError');
    this.responseCode = options.responseCode;
  }
}

/** A `SmartCardError` as the API rejects with: a `DOMException` with the PC/SC result. */
export interface SmartCardErrorLike extends DOMException {
  /** The PC/SC result, e.g. `'removed-card'`. */
  readonly responseCode: SmartCardResponseCode;
}

/** A `SmartCardError` of `code`. */
export function smartCardError(code: SmartCardResponseCode): SmartCardErrorLike {
  return new FakeSmartCardError(`PC/SC: ${code}`, { responseCode: code });
}

/**
 * A `SmartCardError` as the Web Smart Card API rejects with: a `DOMException` named
 * `'SmartCardError'` whose `responseCode` is `responseCode` (for tests of error handling).
 */
export function createSmartCardError(
  responseCode: SmartCardResponseCode,
  message = `PC/SC: ${responseCode}`,
): SmartCardErrorLike {
  return new FakeSmartCardError(message, { responseCode });
}

/** A `DOMException` named `name` (`'InvalidStateError'`, `'NotAllowedError'`, …). */
export function domException(name: string, message: string): DOMException {
  return new DOMException(message, name);
}

/** The next task of the event loop (the API settles its promises in a queued task). */
export function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}
