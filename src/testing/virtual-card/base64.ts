/**
 * Lenient base64 / base64url decoding for the JWK keys and the base64 DER certificates of the
 * committed test PKI: an adapter over the SDK's one decoder, {@link base64ToBytes}.
 * @packageDocumentation
 */
import { base64ToBytes } from '../../crypto/base64.js';
import { InvalidArgumentError } from '../../errors.js';

/**
 * Decode base64 (RFC 4648 §4) or base64url (RFC 4648 §5, as in JWK) text. Padding (`=`) and
 * whitespace are optional and ignored.
 * @throws InvalidArgumentError on a character outside both alphabets or an impossible length.
 */
export function decodeBase64(text: string): Uint8Array {
  const clean = text.replace(/[\s=]/g, '');
  if (clean.length % 4 === 1) throw new InvalidArgumentError('Invalid base64 length');
  // Map base64url onto the standard alphabet and restore the padding the strict decoder wants.
  const standard = clean.replace(/-/g, '+').replace(/_/g, '/');
  return base64ToBytes(standard.padEnd(standard.length + ((4 - (standard.length % 4)) % 4), '='));
}
