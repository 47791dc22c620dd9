/**
 * Errors raised by the TLV (タグ・長さ・値) codec.
 * @packageDocumentation
 */
import { MynacardError, type TlvErrorCode } from '../errors.js';

export type { TlvErrorCode } from '../errors.js';

const DESCRIPTIONS: Readonly<Record<TlvErrorCode, string>> = {
  truncated: 'data ends inside a TLV object',
  'length-overflow': 'length field is too large',
  'indefinite-in-der': 'indefinite length is not allowed in DER',
  'non-minimal-length': 'length is not minimally encoded',
  'depth-exceeded': 'nesting is deeper than allowed',
  'trailing-bytes': 'bytes follow the last TLV object',
  'bad-tag': 'tag is malformed or of an unexpected type',
  'bad-value': 'content is not a valid encoding of its type',
};

/**
 * Malformed BER/DER or Simple-TLV data, or a node of the wrong type handed to a reader.
 *
 * `offset` is the byte position in the decoded buffer where the problem was found. The message
 * names the problem and the offset only, never data bytes (they may be personal data).
 */
export class TlvError extends MynacardError {
  /** Why the data was rejected. */
  declare readonly code: TlvErrorCode;
  /** Byte offset in the input where the problem was detected. */
  readonly offset: number;

  constructor(code: TlvErrorCode, offset: number, detail?: string) {
    super(code, `TLV ${code} at offset ${offset}: ${detail ?? DESCRIPTIONS[code]}`);
    this.name = 'TlvError';
    this.offset = offset;
  }
}
