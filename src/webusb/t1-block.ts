/**
 * T=1 blocks (ISO/IEC 7816-3 §11.3): the frame `NAD PCB LEN INF LRC`, its encoders and the
 * strict decoder. PCB: I-block `0 N(S) M 00000`; R-block `1 0 0 N(R) eeee` (e = 0 ok, 1 EDC/parity
 * error, 2 other error); S-block `1 1 r ttttt` (r = response; t = 0 RESYNCH, 1 IFS, 2 ABORT, 3 WTX).
 * @packageDocumentation
 */
import { CcidError } from './errors.js';

/** Largest information field of a block. §11.4.2 */
export const T1_MAX_INF = 254;

/** S-block functions (PCB bits 5–1). §11.3.2.2 */
export const S_BLOCK = {
  /** RESYNCH. */
  resynch: 0x00,
  /** IFS (information field size). */
  ifs: 0x01,
  /** ABORT (of a chain). */
  abort: 0x02,
  /** WTX (waiting time extension). */
  wtx: 0x03,
} as const;

/** R-block error indications (PCB bits 4–1). §11.3.2.2 */
export const R_ERROR = {
  /** Error-free (acknowledgement). */
  none: 0x0,
  /** EDC or parity error. */
  edc: 0x1,
  /** Other error. */
  other: 0x2,
} as const;

/** One decoded T=1 block. */
export type T1Block =
  | {
      /** Information block. */
      readonly kind: 'I';
      /** NAD. */
      readonly nad: number;
      /** N(S), the send sequence number. */
      readonly ns: number;
      /** M: more data follow in the next I-block (chaining). */
      readonly more: boolean;
      /** INF: part of an APDU. */
      readonly inf: Uint8Array;
    }
  | {
      /** Receive-ready block. */
      readonly kind: 'R';
      /** NAD. */
      readonly nad: number;
      /** N(R): N(S) of the I-block expected next. */
      readonly nr: number;
      /** Error indication ({@link R_ERROR}). */
      readonly error: number;
    }
  | {
      /** Supervisory block. */
      readonly kind: 'S';
      /** NAD. */
      readonly nad: number;
      /** A response (rather than a request). */
      readonly response: boolean;
      /** Function ({@link S_BLOCK}). */
      readonly fn: number;
      /** INF (IFS value, WTX multiplier). */
      readonly inf: Uint8Array;
    };

/** A received frame that is not a valid block. */
export interface T1InvalidBlock {
  /** Marks an invalid block. */
  readonly kind: 'invalid';
  /** `'edc'`: wrong LRC; `'other'`: malformed frame. */
  readonly error: 'edc' | 'other';
}

/** LRC: XOR of every byte. §11.4.4 */
export function lrc(bytes: Uint8Array): number {
  let x = 0;
  for (let i = 0; i < bytes.length; i++) x ^= bytes[i]!;
  return x;
}

/** Frame `NAD PCB LEN INF LRC`. */
export function encodeBlock(nad: number, pcb: number, inf: Uint8Array = new Uint8Array(0)): Uint8Array<ArrayBuffer> {
  if (inf.length > T1_MAX_INF) throw new CcidError('t1-protocol', `T=1 information field of ${inf.length} bytes`);
  const out = new Uint8Array(4 + inf.length);
  out[0] = nad;
  out[1] = pcb;
  out[2] = inf.length;
  out.set(inf, 3);
  out[3 + inf.length] = lrc(out.subarray(0, 3 + inf.length));
  return out;
}

/** I-block `0 N(S) M 00000`. */
export function iBlock(ns: number, more: boolean, inf: Uint8Array, nad = 0): Uint8Array<ArrayBuffer> {
  return encodeBlock(nad, ((ns & 1) << 6) | (more ? 0x20 : 0), inf);
}

/** R-block `1 0 0 N(R) eeee`. */
export function rBlock(nr: number, error: number = R_ERROR.none, nad = 0): Uint8Array<ArrayBuffer> {
  return encodeBlock(nad, 0x80 | ((nr & 1) << 4) | (error & 0x0f));
}

/** S-block `1 1 r ttttt`. */
export function sBlock(fn: number, response: boolean, inf: Uint8Array = new Uint8Array(0), nad = 0): Uint8Array<ArrayBuffer> {
  return encodeBlock(nad, 0xc0 | (response ? 0x20 : 0) | (fn & 0x1f), inf);
}

/**
 * Check and decode a received block: `'edc'` when the LRC is wrong, `'other'` when the frame is
 * malformed (LEN FFh or disagreeing with the byte count, unknown PCB). §11.6.3
 */
export function decodeBlock(bytes: Uint8Array): T1Block | T1InvalidBlock {
  if (bytes.length < 4) return { kind: 'invalid', error: 'other' };
  if (lrc(bytes.subarray(0, bytes.length - 1)) !== bytes[bytes.length - 1]) return { kind: 'invalid', error: 'edc' };
  const nad = bytes[0]!;
  const pcb = bytes[1]!;
  const len = bytes[2]!;
  if (len === 0xff || len + 4 !== bytes.length) return { kind: 'invalid', error: 'other' };
  const inf = bytes.slice(3, 3 + len);
  if ((pcb & 0x80) === 0) {
    if ((pcb & 0x1f) !== 0) return { kind: 'invalid', error: 'other' };
    return { kind: 'I', nad, ns: (pcb >> 6) & 1, more: (pcb & 0x20) !== 0, inf };
  }
  if ((pcb & 0xc0) === 0x80) {
    if ((pcb & 0x20) !== 0 || len !== 0) return { kind: 'invalid', error: 'other' };
    return { kind: 'R', nad, nr: (pcb >> 4) & 1, error: pcb & 0x0f };
  }
  const fn = pcb & 0x1f;
  if (fn > S_BLOCK.wtx && fn !== 0x04) return { kind: 'invalid', error: 'other' };
  return { kind: 'S', nad, response: (pcb & 0x20) !== 0, fn, inf };
}
