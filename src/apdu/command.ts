/**
 * ISO/IEC 7816-4 command APDU (コマンドAPDU): encoding and strict decoding of all seven cases.
 *
 * | case | layout                                   |
 * |------|------------------------------------------|
 * | 1    | CLA INS P1 P2                            |
 * | 2S   | header Le(1)                 (Le 256 → `00`)        |
 * | 3S   | header Lc(1) data                        |
 * | 4S   | header Lc(1) data Le(1)                  |
 * | 2E   | header `00` Le(2)            (Le 65536 → `00 00`)   |
 * | 3E   | header `00` Lc(2) data                   |
 * | 4E   | header `00` Lc(2) data Le(2)             |
 * @packageDocumentation
 */
import { InvalidArgumentError } from '../errors.js';
import { ApduFormatError } from './errors.js';

/** The seven ISO 7816-4 command cases (S = short, E = extended length). */
export type ApduCase = '1' | '2S' | '3S' | '4S' | '2E' | '3E' | '4E';

/** Largest Lc of a short APDU. */
export const MAX_SHORT_LC = 255;
/** Largest Le of a short APDU (encoded `00`). */
export const MAX_SHORT_LE = 256;
/** Largest Lc of an extended APDU. */
export const MAX_EXTENDED_LC = 65535;
/** Largest Le of an extended APDU (encoded `00 00`). */
export const MAX_EXTENDED_LE = 65536;

/** Fields of a {@link CommandApdu}. */
export interface CommandApduInit {
  /** Class byte; default `0x00`. */
  readonly cla?: number | undefined;
  /** Instruction byte. */
  readonly ins: number;
  /** Parameter 1; default `0x00`. */
  readonly p1?: number | undefined;
  /** Parameter 2; default `0x00`. */
  readonly p2?: number | undefined;
  /** Command data (0–65535 bytes). Not copied: the caller may wipe it once the command is done. */
  readonly data?: Uint8Array | undefined;
  /** Expected response length 1–65536; `undefined` = no Le field. 256 and 65536 encode as zeros. */
  readonly le?: number | undefined;
  /** Force the extended encoding even when the lengths fit a short APDU (not allowed for case 1). */
  readonly extended?: boolean | undefined;
}

const EMPTY = new Uint8Array(0);

/**
 * An immutable command APDU. Short encoding is chosen when Lc ≤ 255 and Le ≤ 256, unless
 * `extended` is set; otherwise extended encoding is used.
 *
 * `data` is held by reference (not copied), so a caller that built a VERIFY body can wipe it.
 */
export class CommandApdu {
  /** Class byte. */
  readonly cla: number;
  /** Instruction byte. */
  readonly ins: number;
  /** Parameter 1. */
  readonly p1: number;
  /** Parameter 2. */
  readonly p2: number;
  /** Command data (empty for cases 1 and 2). */
  readonly data: Uint8Array;
  /** Expected response length 1–65536, or `undefined` when the command has no Le field. */
  readonly le: number | undefined;
  readonly #forceExtended: boolean;

  /** @throws InvalidArgumentError for out-of-range bytes, lengths or an impossible combination */
  constructor(init: CommandApduInit) {
    if (typeof init !== 'object' || init === null) {
      throw new InvalidArgumentError('CommandApdu needs an object with at least `ins`');
    }
    this.cla = byteField('cla', init.cla ?? 0);
    this.ins = byteField('ins', init.ins);
    this.p1 = byteField('p1', init.p1 ?? 0);
    this.p2 = byteField('p2', init.p2 ?? 0);
    const data = init.data ?? EMPTY;
    if (!(data instanceof Uint8Array)) throw new InvalidArgumentError('CommandApdu data must be a Uint8Array');
    if (data.length > MAX_EXTENDED_LC) {
      throw new InvalidArgumentError(`CommandApdu data is ${data.length} bytes; at most ${MAX_EXTENDED_LC} fit`);
    }
    this.data = data;
    const le = init.le;
    if (le !== undefined && (!Number.isInteger(le) || le < 1 || le > MAX_EXTENDED_LE)) {
      throw new InvalidArgumentError(`CommandApdu le must be an integer 1..${MAX_EXTENDED_LE} or undefined`);
    }
    this.le = le;
    const extended = init.extended ?? false;
    if (typeof extended !== 'boolean') throw new InvalidArgumentError('CommandApdu extended must be a boolean');
    if (extended && data.length === 0 && le === undefined) {
      throw new InvalidArgumentError('A case 1 command (no data, no Le) has no extended encoding');
    }
    this.#forceExtended = extended;
  }

  /** True when this command is encoded with extended length fields. */
  get isExtended(): boolean {
    return (
      this.#forceExtended ||
      this.data.length > MAX_SHORT_LC ||
      (this.le !== undefined && this.le > MAX_SHORT_LE)
    );
  }

  /** The ISO 7816-4 case of the encoding. */
  get apduCase(): ApduCase {
    const hasData = this.data.length > 0;
    const hasLe = this.le !== undefined;
    if (!hasData && !hasLe) return '1';
    const n = hasData ? (hasLe ? '4' : '3') : '2';
    return `${n}${this.isExtended ? 'E' : 'S'}` as ApduCase;
  }

  /** Encode to bytes (a new array each call). */
  toBytes(): Uint8Array {
    const { data, le } = this;
    const lc = data.length;
    const ext = this.isExtended;
    const lcSize = lc === 0 ? 0 : ext ? 3 : 1;
    const leSize = le === undefined ? 0 : ext ? (lc === 0 ? 3 : 2) : 1;
    const out = new Uint8Array(4 + lcSize + lc + leSize);
    out[0] = this.cla;
    out[1] = this.ins;
    out[2] = this.p1;
    out[3] = this.p2;
    let i = 4;
    if (lc > 0) {
      if (ext) {
        out[i++] = 0;
        out[i++] = lc >> 8;
      }
      out[i++] = lc & 0xff;
      out.set(data, i);
      i += lc;
    }
    if (le !== undefined) {
      if (ext) {
        if (lc === 0) out[i++] = 0;
        out[i++] = (le >> 8) & 0xff; // 65536 → 00 00
      }
      out[i] = le & 0xff; // 256 → 00
    }
    return out;
  }

  /** A copy with another Le (the encoding stays forced-extended if this one was forced). */
  withLe(le: number | undefined, options?: { extended?: boolean }): CommandApdu {
    return new CommandApdu({
      cla: this.cla,
      ins: this.ins,
      p1: this.p1,
      p2: this.p2,
      data: this.data,
      le,
      extended: options?.extended ?? (this.#forceExtended && (le !== undefined || this.data.length > 0)),
    });
  }

  /**
   * Decode a command APDU strictly (ISO 7816-3 §12.1.3): the length fields must account for
   * every byte. Lc = 0 is invalid. `data` is a view into `bytes`.
   *
   * @throws ApduFormatError when the bytes are not exactly one valid command
   */
  static parse(bytes: Uint8Array): CommandApdu {
    if (!(bytes instanceof Uint8Array)) throw new ApduFormatError('A command APDU must be a Uint8Array');
    const n = bytes.length;
    if (n < 4) throw new ApduFormatError(`A command APDU needs at least 4 bytes, got ${n}`);
    const head = { cla: bytes[0]!, ins: bytes[1]!, p1: bytes[2]!, p2: bytes[3]! };
    if (n === 4) return new CommandApdu(head);
    const b1 = bytes[4]!;
    if (n === 5) return new CommandApdu({ ...head, le: b1 === 0 ? 256 : b1 });
    if (b1 !== 0) {
      // Short Lc = b1.
      const data = bytes.subarray(5, 5 + b1);
      if (n === 5 + b1) return new CommandApdu({ ...head, data });
      if (n === 6 + b1) {
        const le = bytes[n - 1]!;
        return new CommandApdu({ ...head, data, le: le === 0 ? 256 : le });
      }
      throw new ApduFormatError(`Short Lc ${b1} does not match a command of ${n} bytes`);
    }
    if (n < 7) throw new ApduFormatError(`Truncated extended length field in a ${n}-byte command`);
    const l2 = (bytes[5]! << 8) | bytes[6]!;
    if (n === 7) return new CommandApdu({ ...head, le: l2 === 0 ? 65536 : l2, extended: true });
    if (l2 === 0) throw new ApduFormatError('Extended Lc of 0 is not allowed');
    const data = bytes.subarray(7, 7 + l2);
    if (n === 7 + l2) return new CommandApdu({ ...head, data, extended: true });
    if (n === 9 + l2) {
      const le = (bytes[n - 2]! << 8) | bytes[n - 1]!;
      return new CommandApdu({ ...head, data, le: le === 0 ? 65536 : le, extended: true });
    }
    throw new ApduFormatError(`Extended Lc ${l2} does not match a command of ${n} bytes`);
  }
}

/**
 * Whether the encoded `command` is an extended-length APDU: after the 4-byte header, a `00`
 * byte opens a 3-byte Lc or Le (ISO/IEC 7816-4 §5.1); a short command has at most a 1-byte Le
 * there. For transports, which see bytes, not a {@link CommandApdu}.
 */
export function isExtendedCommand(command: Uint8Array): boolean {
  return command.length >= 7 && command[4] === 0x00;
}

function byteField(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 0xff) {
    throw new InvalidArgumentError(`CommandApdu ${name} must be an integer 0..255`);
  }
  return value;
}
