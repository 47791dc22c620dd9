/**
 * ISO/IEC 7816-4 response APDU (レスポンスAPDU): `data ‖ SW1 ‖ SW2`.
 * @packageDocumentation
 */
import { InvalidArgumentError } from '../errors.js';
import { MalformedResponseError } from './errors.js';
import { SW } from './sw.js';
import { statusWordWarning, type StatusWordWarning } from './warning.js';

/** A response APDU: data followed by the status word. */
export class ResponseApdu {
  /** Response data (may be a view into the buffer it was parsed from). */
  readonly data: Uint8Array;
  /** First status byte. */
  readonly sw1: number;
  /** Second status byte. */
  readonly sw2: number;
  /** Status word `SW1 << 8 | SW2`. */
  readonly sw: number;

  /**
   * @param data - response data (held by reference)
   * @param sw - status word 0x0000–0xFFFF
   * @throws InvalidArgumentError when `sw` is out of range or `data` is not a Uint8Array
   */
  constructor(data: Uint8Array, sw: number) {
    if (!(data instanceof Uint8Array)) throw new InvalidArgumentError('ResponseApdu data must be a Uint8Array');
    if (!Number.isInteger(sw) || sw < 0 || sw > 0xffff) {
      throw new InvalidArgumentError('ResponseApdu sw must be an integer 0x0000..0xFFFF');
    }
    this.data = data;
    this.sw = sw;
    this.sw1 = sw >> 8;
    this.sw2 = sw & 0xff;
  }

  /** True for `9000` only. */
  get ok(): boolean {
    return this.sw === SW.OK;
  }

  /** The warning when the status word is `62xx` / `63xx` (not `63Cx`); otherwise `undefined`. */
  get warning(): StatusWordWarning | undefined {
    return statusWordWarning(this.sw);
  }

  /** Encode as `data ‖ SW1 ‖ SW2` (a new array). */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.data.length + 2);
    out.set(this.data);
    out[out.length - 2] = this.sw1;
    out[out.length - 1] = this.sw2;
    return out;
  }

  /**
   * Split raw response bytes. `data` is a view into `bytes` (no copy).
   * @throws MalformedResponseError when fewer than 2 bytes are given
   */
  static parse(bytes: Uint8Array): ResponseApdu {
    if (!(bytes instanceof Uint8Array)) throw new MalformedResponseError('A response APDU must be a Uint8Array');
    const n = bytes.length;
    if (n < 2) throw new MalformedResponseError(`A response APDU needs SW1 SW2, got ${n} byte(s)`);
    return new ResponseApdu(bytes.subarray(0, n - 2), (bytes[n - 2]! << 8) | bytes[n - 1]!);
  }
}
