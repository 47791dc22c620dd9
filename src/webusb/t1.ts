/**
 * The half-duplex block transmission protocol T=1 (ISO/IEC 7816-3 §11), interface-device side,
 * as a pure state machine: it never touches USB. Feed it the card's blocks ({@link
 * T1Protocol.receive}) or link errors ({@link T1Protocol.receiveError}) and send what it
 * returns, until it returns `done`.
 *
 * The blocks themselves (frame, encoders, decoder) are in `t1-block.ts`.
 *
 * Covered: I-block chaining both ways, R-block acknowledgement and retransmission on a bad
 * block (bounded), S(WTX) echo with the waiting-time multiplier, S(IFS) both ways (IFSD
 * negotiation), S(RESYNCH). Only LRC is implemented (the My Number Card's ATR announces LRC);
 * a card asking for CRC is refused when the protocol is created.
 * @packageDocumentation
 */
import { CcidError } from './errors.js';
import { R_ERROR, S_BLOCK, T1_MAX_INF, decodeBlock, iBlock, rBlock, sBlock, type T1Block } from './t1-block.js';

/** IFSD before negotiation. §11.4.2 */
export const T1_DEFAULT_IFSD = 32;
/** IFSC when the ATR has no TA(i) for T=1. §11.4.2 */
export const T1_DEFAULT_IFSC = 32;
/**
 * Default bound on the card's S(WTX request)s in one exchange. A slow signature asks for a
 * few; a card that asks forever would keep the exchange alive forever.
 */
export const T1_DEFAULT_MAX_WTX = 256;
/** Largest response APDU: 65536 data bytes and SW1 SW2. ISO/IEC 7816-4 §5.1 */
const MAX_RESPONSE_APDU = 65538;

/** Options of {@link T1Protocol}. */
export interface T1ProtocolOptions {
  /** The card's IFSC (from the ATR; default 32). 1–254. */
  readonly ifsc?: number | undefined;
  /** The IFSD to announce in {@link T1Protocol.negotiateIfsd} (default 254). 1–254. */
  readonly ifsd?: number | undefined;
  /** Upper bound on the INF of blocks sent, below IFSC (e.g. the reader's message size). Default 254. */
  readonly maxSendInf?: number | undefined;
  /** NAD of the blocks sent. Default 0. */
  readonly nad?: number | undefined;
  /** How many times a block is re-requested or resent in a row before giving up. Default 3. */
  readonly maxRetries?: number | undefined;
  /** S(WTX request)s accepted in one exchange before giving up. Default {@link T1_DEFAULT_MAX_WTX}. */
  readonly maxWtx?: number | undefined;
}

/** What to do next. */
export type T1Step =
  | {
      /** Send `block` to the card and feed the answer back. */
      readonly type: 'send';
      /** The block to send. */
      readonly block: Uint8Array<ArrayBuffer>;
      /**
       * > 0 when the card asked for a waiting time extension: its answer may take `bwi` × BWT
       * (pass it as the CCID XfrBlock bBWI).
       */
      readonly bwi: number;
    }
  | {
      /** The exchange is over. */
      readonly type: 'done';
      /** The card's complete answer (empty for S(IFS) / S(RESYNCH)). */
      readonly response: Uint8Array;
    };

type Phase = 'idle' | 'ifs' | 'resynch' | 'sending' | 'receiving';

const EMPTY = new Uint8Array(0);

function checkSize(value: number | undefined, fallback: number, what: string): number {
  const size = value ?? fallback;
  if (!Number.isInteger(size) || size < 1 || size > T1_MAX_INF) {
    throw new CcidError('t1-protocol', `${what} must be an integer from 1 to 254`);
  }
  return size;
}

/**
 * T=1 on the interface-device side. One exchange at a time: {@link transmit},
 * {@link negotiateIfsd} or {@link resynch} starts one; {@link receive} and
 * {@link receiveError} drive it. State (N(S), N(R), IFSC, IFSD) persists across exchanges.
 */
export class T1Protocol {
  readonly #nad: number;
  readonly #maxRetries: number;
  readonly #maxWtx: number;
  readonly #maxSendInf: number;
  readonly #initialIfsc: number;
  readonly #announcedIfsd: number;
  #ifsc: number;
  #ifsd = T1_DEFAULT_IFSD;
  /** N(S) of the next new I-block sent. */
  #ns = 0;
  /** N(S) expected in the card's next I-block. */
  #nr = 0;
  #phase: Phase = 'idle';
  #needsResynch = false;
  /** Command being sent and how far. */
  #command: Uint8Array = EMPTY;
  #offset = 0;
  /** The last I-block sent (for retransmission), its N(S) and M bit. */
  #lastI: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  #lastINs = 0;
  #lastIMore = false;
  /** Every I-block of the exchange (parts of the command, maybe a PIN): wiped when it ends. */
  #iBlocks: Uint8Array[] = [];
  /** The last block a repeat request re-sends (I, R, S request). */
  #lastSent: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  /** The last block sent of any kind (also S responses). */
  #lastAny: Uint8Array<ArrayBuffer> = new Uint8Array(0);
  #received: Uint8Array[] = [];
  #receivedLength = 0;
  #errors = 0;
  #wtxRequests = 0;
  #maxResponse = MAX_RESPONSE_APDU;
  #requestedIfs = 0;

  constructor(options: T1ProtocolOptions = {}) {
    this.#initialIfsc = checkSize(options.ifsc, T1_DEFAULT_IFSC, 'ifsc');
    this.#ifsc = this.#initialIfsc;
    this.#announcedIfsd = checkSize(options.ifsd, T1_MAX_INF, 'ifsd');
    this.#maxSendInf = checkSize(options.maxSendInf, T1_MAX_INF, 'maxSendInf');
    this.#nad = options.nad ?? 0;
    const retries = options.maxRetries ?? 3;
    if (!Number.isInteger(retries) || retries < 0) throw new CcidError('t1-protocol', 'maxRetries must be an integer ≥ 0');
    this.#maxRetries = retries;
    const maxWtx = options.maxWtx ?? T1_DEFAULT_MAX_WTX;
    if (!Number.isInteger(maxWtx) || maxWtx < 0) throw new CcidError('t1-protocol', 'maxWtx must be an integer ≥ 0');
    this.#maxWtx = maxWtx;
  }

  /** The card's current information field size. */
  get ifsc(): number {
    return this.#ifsc;
  }

  /** The interface device's information field size as the card knows it (32 until negotiated). */
  get ifsd(): number {
    return this.#ifsd;
  }

  /** N(S) of the next I-block this side sends. */
  get sendSequence(): number {
    return this.#ns;
  }

  /** N(S) expected in the card's next I-block. */
  get receiveSequence(): number {
    return this.#nr;
  }

  /** An exchange is in progress. */
  get busy(): boolean {
    return this.#phase !== 'idle';
  }

  /** A previous exchange failed: the sequence numbers may disagree with the card's. */
  get needsResynch(): boolean {
    return this.#needsResynch;
  }

  /** Start the IFSD negotiation: S(IFS request) with `size` (default the `ifsd` option). §11.4.2 */
  negotiateIfsd(size: number = this.#announcedIfsd): T1Step {
    this.#begin('ifs');
    this.#requestedIfs = checkSize(size, T1_MAX_INF, 'IFSD');
    return this.#send(sBlock(S_BLOCK.ifs, false, Uint8Array.of(this.#requestedIfs), this.#nad));
  }

  /** Start a resynchronisation: S(RESYNCH request). §11.6.3.2 */
  resynch(): T1Step {
    this.#begin('resynch');
    return this.#send(sBlock(S_BLOCK.resynch, false, EMPTY, this.#nad));
  }

  /**
   * Start sending one command APDU (chained over several I-blocks when longer than IFSC).
   * `maxResponse` bounds the card's answer (data + SW; default 65538): a longer chain fails.
   */
  transmit(apdu: Uint8Array, maxResponse: number = MAX_RESPONSE_APDU): T1Step {
    this.#begin('sending');
    this.#maxResponse = Math.min(maxResponse, MAX_RESPONSE_APDU);
    this.#command = apdu.slice();
    this.#offset = 0;
    this.#received = [];
    this.#receivedLength = 0;
    return this.#sendNextChunk();
  }

  /** Feed the card's answer block. */
  receive(bytes: Uint8Array): T1Step {
    if (this.#phase === 'idle') throw new CcidError('t1-protocol', 'T=1 block received with no exchange in progress');
    const block = decodeBlock(bytes);
    if (block.kind === 'invalid') return this.#invalid(block.error === 'edc' ? R_ERROR.edc : R_ERROR.other);
    if (block.kind === 'S' && !block.response) return this.#cardRequest(block);
    switch (this.#phase) {
      case 'ifs':
        if (block.kind === 'S' && block.fn === S_BLOCK.ifs && block.inf.length === 1 && block.inf[0] === this.#requestedIfs) {
          this.#ifsd = this.#requestedIfs;
          return this.#finish(EMPTY);
        }
        return this.#resendLast();
      case 'resynch':
        if (block.kind === 'S' && block.fn === S_BLOCK.resynch) {
          this.#ns = 0;
          this.#nr = 0;
          this.#ifsc = this.#initialIfsc;
          this.#ifsd = T1_DEFAULT_IFSD;
          this.#needsResynch = false;
          return this.#finish(EMPTY);
        }
        return this.#resendLast();
      case 'sending':
        return this.#whileSending(block);
      case 'receiving':
        return this.#whileReceiving(block);
    }
  }

  /**
   * The link reported a bad block instead of one (the reader's parity error → `'edc'`, the
   * card mute within BWT → `'other'`): handled like an invalid block. §11.6.3.2 rule 7.1
   */
  receiveError(kind: 'edc' | 'other'): T1Step {
    if (this.#phase === 'idle') throw new CcidError('t1-protocol', 'T=1 error reported with no exchange in progress');
    return this.#invalid(kind === 'edc' ? R_ERROR.edc : R_ERROR.other);
  }

  /** Abandon the exchange in progress (e.g. the card was removed); a resynch is then due. */
  abandon(): void {
    if (this.#phase !== 'idle') this.#needsResynch = true;
    this.#phase = 'idle';
    this.#wipeSent();
  }

  /** Forget everything: the card was powered on again (N(S) = N(R) = 0, IFSC from the ATR). */
  reset(ifsc: number = this.#initialIfsc): void {
    this.#phase = 'idle';
    this.#ns = 0;
    this.#nr = 0;
    this.#ifsc = checkSize(ifsc, T1_DEFAULT_IFSC, 'ifsc');
    this.#ifsd = T1_DEFAULT_IFSD;
    this.#needsResynch = false;
  }

  #begin(phase: Phase): void {
    if (this.#phase !== 'idle') throw new CcidError('t1-protocol', 'A T=1 exchange is already in progress');
    this.#phase = phase;
    this.#errors = 0;
    this.#wtxRequests = 0;
  }

  /** `remember`: the block is what a repeat request re-sends (not so for S responses). */
  #send(block: Uint8Array<ArrayBuffer>, bwi = 0, remember = true): T1Step {
    if (remember) this.#lastSent = block;
    this.#lastAny = block;
    return { type: 'send', block, bwi };
  }

  #finish(response: Uint8Array): T1Step {
    this.#phase = 'idle';
    this.#wipeSent();
    return { type: 'done', response };
  }

  /**
   * Zero this side's copies of the command (it may carry a PIN): the command and the blocks
   * kept for retransmission. Called when an exchange ends, however it ends.
   */
  #wipeSent(): void {
    this.#command.fill(0);
    this.#command = EMPTY;
    for (const block of this.#iBlocks) block.fill(0);
    this.#iBlocks = [];
    this.#lastI.fill(0);
    this.#lastSent.fill(0);
    this.#lastAny.fill(0);
  }

  #fail(message: string): never {
    this.#phase = 'idle';
    this.#received = [];
    this.#receivedLength = 0;
    this.#wipeSent();
    this.#needsResynch = true;
    throw new CcidError('t1-protocol', message);
  }

  #countError(): void {
    this.#errors++;
    if (this.#errors > this.#maxRetries) this.#fail(`T=1: no valid block after ${this.#maxRetries} retries`);
  }

  #sendNextChunk(): T1Step {
    const size = Math.min(this.#ifsc, this.#maxSendInf);
    const chunk = this.#command.subarray(this.#offset, this.#offset + size);
    this.#offset += chunk.length;
    const more = this.#offset < this.#command.length;
    const block = iBlock(this.#ns, more, chunk, this.#nad);
    this.#iBlocks.push(block);
    this.#lastI = block;
    this.#lastINs = this.#ns;
    this.#lastIMore = more;
    this.#ns ^= 1;
    return this.#send(block);
  }

  /** A bad block: ask for it again with an R-block carrying the expected N(S). Rule 7.1 */
  #invalid(error: number): T1Step {
    this.#countError();
    if (this.#phase === 'ifs' || this.#phase === 'resynch') return this.#send(this.#lastSent);
    return this.#send(rBlock(this.#nr, error, this.#nad));
  }

  #resendLast(): T1Step {
    this.#countError();
    return this.#send(this.#lastSent);
  }

  /** S(… request) from the card: WTX, IFS, ABORT, RESYNCH (the last two end the exchange). */
  #cardRequest(block: { readonly fn: number; readonly inf: Uint8Array }): T1Step {
    switch (block.fn) {
      case S_BLOCK.wtx: {
        const multiplier = block.inf.length === 1 ? block.inf[0]! : 0;
        if (multiplier === 0) return this.#invalid(R_ERROR.other);
        if (++this.#wtxRequests > this.#maxWtx) this.#fail(`T=1: more than ${this.#maxWtx} S(WTX) requests in one exchange`);
        return this.#send(sBlock(S_BLOCK.wtx, true, Uint8Array.of(multiplier), this.#nad), multiplier, false);
      }
      case S_BLOCK.ifs: {
        const size = block.inf.length === 1 ? block.inf[0]! : 0;
        if (size < 1 || size > T1_MAX_INF) return this.#invalid(R_ERROR.other);
        this.#ifsc = size;
        return this.#send(sBlock(S_BLOCK.ifs, true, Uint8Array.of(size), this.#nad), 0, false);
      }
      case S_BLOCK.abort:
        return this.#fail('T=1: the card aborted the chain (S(ABORT request))');
      default:
        return this.#fail('T=1: unexpected S-block request from the card');
    }
  }

  #whileSending(block: T1Block): T1Step {
    if (block.kind === 'R') {
      if (block.nr !== this.#lastINs) {
        if (this.#lastIMore) {
          // Acknowledgement of a chained block: send the next part. Rule 2.2
          this.#errors = 0;
          return this.#sendNextChunk();
        }
        // The card has our last I-block but missed what followed (an S response): repeat that.
        this.#countError();
        return this.#send(this.#lastAny, 0, false);
      }
      // N(R) = N(S) of our last I-block: the card asks for it again. Rule 6.2 / 7.2
      this.#countError();
      return this.#send(this.#lastI);
    }
    if (block.kind === 'I') {
      if (this.#lastIMore || block.ns !== this.#nr) return this.#invalid(R_ERROR.other);
      this.#phase = 'receiving';
      return this.#accept(block);
    }
    return this.#invalid(R_ERROR.other);
  }

  #whileReceiving(block: T1Block): T1Step {
    if (block.kind === 'I') {
      if (block.ns !== this.#nr) {
        // The card repeated a block we already have (our R-block got lost): ask again for the next.
        this.#countError();
        return this.#send(rBlock(this.#nr, R_ERROR.none, this.#nad));
      }
      return this.#accept(block);
    }
    if (block.kind === 'R') {
      // The card did not get our last block (an acknowledgement, a repeat request): repeat it. Rule 7.2
      this.#countError();
      return this.#send(this.#lastAny, 0, false);
    }
    return this.#invalid(R_ERROR.other);
  }

  #accept(block: { readonly more: boolean; readonly inf: Uint8Array }): T1Step {
    // A chained block with no data moves the answer no closer to its end: a card sending them
    // forever would never finish. Refused, so every accepted chain block adds ≥ 1 byte.
    if (block.more && block.inf.length === 0) this.#fail('T=1: empty chained I-block (M=1, LEN=0)');
    if (this.#receivedLength + block.inf.length > this.#maxResponse) {
      this.#fail(`T=1: response longer than ${this.#maxResponse} bytes`);
    }
    this.#errors = 0;
    this.#nr ^= 1;
    this.#received.push(block.inf);
    this.#receivedLength += block.inf.length;
    if (block.more) return this.#send(rBlock(this.#nr, R_ERROR.none, this.#nad));
    const response = new Uint8Array(this.#receivedLength);
    let offset = 0;
    for (const part of this.#received) {
      response.set(part, offset);
      offset += part.length;
    }
    this.#received = [];
    this.#receivedLength = 0;
    return this.#finish(response);
  }
}
