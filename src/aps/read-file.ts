/**
 * Read one whole TLV object from an EF by SFI with the fewest APDUs:
 * - extended length allowed: one `00 B0 <80|SFI> 00 00 00 00` (Le = 65536) returns the whole EF;
 * - short only: `00 B0 <80|SFI> 00 00` returns the first 256 bytes, the TLV header there gives
 *   the object's length, then `00 B0 <offset> Le` chunks follow (the EF is current after the SFI
 *   read), each offset advanced by the bytes the card actually returned (card-facts §4.1).
 * Filler bytes after the object are never returned.
 * @packageDocumentation
 */
import { CommandApdu } from '../apdu/command.js';
import { statusWordError } from '../apdu/status.js';
import { SW } from '../apdu/sw.js';
import { AbortedError, CardDataError } from '../errors.js';
import { readTlvHeader } from '../tlv/index.js';
import { TlvError } from '../tlv/errors.js';
import { INS, MAX_READ_OFFSET, SHORT_CHUNK, sfiReference } from './constants.js';
import type { ApduPort } from '../apdu/channel.js';

/** Progress of a long read. */
export interface ReadProgress {
  /** Bytes of the object read so far. */
  readonly loaded: number;
  /** Length of the whole object (header included). */
  readonly total: number;
}

/** Options of long reads (the face record, a certificate over a slow reader). */
export interface ReadOptions {
  /** Called after every READ BINARY once the object's length is known. */
  readonly onProgress?: ((progress: ReadProgress) => void) | undefined;
  /** Cancels the read between two APDUs (`AbortedError`). */
  readonly signal?: AbortSignal | undefined;
}

/** Internal options of {@link readTlvObject}. */
export interface ReadObjectOptions extends ReadOptions {
  /** Keep the response data out of traces (personal data). */
  readonly sensitive?: boolean;
  /** Operation name for errors, e.g. `'READ 利用者証明用電子証明書'`. */
  readonly context: string;
}

/** `6282`: end of file reached before Le bytes (card-facts §4.1). */
const END_OF_FILE_WARNING = 0x6282;
/** Extended Le meaning "all available" (encoded `00 00`). */
const EXTENDED_ALL = 65536;

function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    throw reason instanceof AbortedError ? reason : new AbortedError('The read was aborted', { cause: reason });
  }
}

/** Length of the TLV object starting at 0 of `bytes`, or `undefined` when the header is incomplete. */
function objectLength(bytes: Uint8Array, context: string): number | undefined {
  let total: number | null;
  try {
    total = readTlvHeader(bytes, 0).totalLength;
  } catch (error) {
    if (error instanceof TlvError && error.code === 'truncated') return undefined;
    throw new CardDataError(`${context}: the file does not start with a TLV object`, { cause: error });
  }
  if (total === null) throw new CardDataError(`${context}: the object has an indefinite length`);
  return total;
}

/**
 * Read the TLV object stored at offset 0 of the EF `fid` (0001–001E) of the current
 * application, addressed by its short identifier.
 *
 * @returns exactly the object's bytes (header and value), without filler
 * @throws CardDataError when the file holds no well-formed object or ends inside it;
 *   AbortedError; StatusWordError from the card; the transport's error
 */
export async function readTlvObject(channel: ApduPort, fid: number, options: ReadObjectOptions): Promise<Uint8Array> {
  const sensitive = options.sensitive === true;
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  let total: number | undefined;
  let first = true;
  try {
    for (;;) {
      checkAbort(options.signal);
      const extended = channel.extendedLengthSupported !== false;
      const remaining = total === undefined ? undefined : total - loaded;
      let command: CommandApdu;
      if (first) {
        command = new CommandApdu({ ins: INS.readBinary, p1: sfiReference(fid), p2: 0, le: extended ? EXTENDED_ALL : SHORT_CHUNK });
      } else {
        if (loaded > MAX_READ_OFFSET) {
          throw new CardDataError(`${options.context}: the object is longer than READ BINARY can address`);
        }
        const want = remaining ?? SHORT_CHUNK;
        const le = extended ? Math.min(want, EXTENDED_ALL) : Math.min(want, SHORT_CHUNK);
        command = new CommandApdu({ ins: INS.readBinary, p1: loaded >> 8, p2: loaded & 0xff, le });
      }
      const response = await channel.transmit(command, { sensitiveResponse: sensitive });
      const endOfFile = response.sw === END_OF_FILE_WARNING;
      if (!response.ok && !endOfFile) {
        if (!first && response.sw === SW.WRONG_OFFSET) {
          throw new CardDataError(`${options.context}: the file ends inside the object`);
        }
        throw statusWordError(response.sw, options.context);
      }
      first = false;
      // Copy: the response buffer belongs to the channel/transport.
      chunks.push(response.data.slice());
      loaded += response.data.length;
      if (sensitive) response.data.fill(0);
      if (total === undefined) {
        const head = chunks.length === 1 ? chunks[0]! : join(chunks, loaded);
        total = objectLength(head, options.context);
        if (head !== chunks[0] && sensitive) head.fill(0);
      }
      if (total !== undefined) {
        options.onProgress?.({ loaded: Math.min(loaded, total), total });
        if (loaded >= total) break;
      }
      if (endOfFile || response.data.length === 0) {
        throw new CardDataError(`${options.context}: the file ends inside the object`);
      }
    }
    return join(chunks, total);
  } finally {
    if (sensitive) for (const c of chunks) c.fill(0);
  }
}

/** A new array with the first `length` bytes of the concatenated chunks. */
function join(chunks: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    if (offset >= length) break;
    const part = c.length <= length - offset ? c : c.subarray(0, length - offset);
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
