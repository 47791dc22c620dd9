/**
 * T=0 at TPDU level: the command TPDU the reader sends to a T=0 card (the reader handles the
 * procedure bytes). ISO/IEC 7816-3 §12.2
 * @packageDocumentation
 */
import { isExtendedCommand } from '../apdu/command.js';
import { ExtendedLengthUnsupportedError } from '../apdu/errors.js';
import { concatBytes } from '../bytes.js';
import { InvalidArgumentError } from '../errors.js';

/**
 * The T=0 TPDU for a short command APDU: case 1 → P3 = 00; case 4 → Le dropped.
 * ISO/IEC 7816-3 §12.2.2
 * @throws ExtendedLengthUnsupportedError for an extended APDU (T=0 needs ENVELOPE for those)
 */
export function t0Tpdu(apdu: Uint8Array): Uint8Array {
  if (apdu.length === 4) return concatBytes(apdu, Uint8Array.of(0));
  if (apdu.length === 5) return apdu;
  if (isExtendedCommand(apdu)) {
    throw new ExtendedLengthUnsupportedError('Extended-length APDUs are not supported over T=0 at TPDU level');
  }
  const lc = apdu[4]!;
  if (apdu.length === 5 + lc) return apdu;
  if (apdu.length === 6 + lc) return apdu.subarray(0, 5 + lc);
  throw new InvalidArgumentError('Malformed command APDU (Lc does not match the length)');
}
