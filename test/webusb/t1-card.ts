/**
 * The CARD side of T=1 (ISO/IEC 7816-3 §11), for the simulated TPDU reader and the property
 * tests of `T1Protocol`. Written independently of src/webusb/t1.ts's state machine; it shares
 * only the block framing helpers (whose bytes are pinned by the vectors).
 */
import { concatBytes } from '../../src/bytes.js';
import { R_ERROR, S_BLOCK, decodeBlock, iBlock, rBlock, sBlock } from '../../src/webusb/t1-block.js';

/** Options of {@link T1Card}. */
export interface T1CardOptions {
  /** Answers one complete command APDU. */
  readonly process: (apdu: Uint8Array) => Promise<Uint8Array>;
  /** The card's IFSC (what it accepts per block; announced in the ATR). Default 254. */
  readonly ifsc?: number;
  /** S(WTX request)s to send in total, one before each answer, until used up. Default 0. */
  readonly wtxRequests?: number;
  /** WTX multiplier. Default 2. */
  readonly wtxMultiplier?: number;
  /** Send an S(IFS request) with this IFSC once, before the first answer (card changes IFSC). */
  readonly ifsRequest?: number;
}

type State = 'idle' | 'receiving' | 'sending' | 'wtx' | 'ifs';

/** A T=1 card in front of an APDU processor. One block in, one block out. */
export class T1Card {
  /** The interface device's IFSD as the card knows it (32 until S(IFS request)). */
  ifsd = 32;
  /** Blocks received with a bad LRC (diagnostics). */
  badBlocks = 0;
  /** S(WTX request)s sent. */
  wtxSent = 0;
  /** S(IFS request)s received and their value. */
  readonly ifsRequests: number[] = [];
  /** S(RESYNCH request)s received. */
  resynchs = 0;
  readonly #options: T1CardOptions;
  #ns = 0;
  #nr = 0;
  #state: State = 'idle';
  #command: Uint8Array[] = [];
  #response: Uint8Array = new Uint8Array(0);
  #offset = 0;
  #lastI: Uint8Array = new Uint8Array(0);
  #lastIMore = false;
  #last: Uint8Array = new Uint8Array(0);
  #lastAny: Uint8Array = new Uint8Array(0);
  #wtxLeft: number;
  #ifsRequestPending: number | undefined;

  constructor(options: T1CardOptions) {
    this.#options = options;
    this.#wtxLeft = options.wtxRequests ?? 0;
    this.#ifsRequestPending = options.ifsRequest;
  }

  /** The IFSC the card accepts. */
  get ifsc(): number {
    return this.#options.ifsc ?? 254;
  }

  /** N(S) of the card's next new I-block. */
  get sendSequence(): number {
    return this.#ns;
  }

  /** Power-on: sequence numbers 0, IFSD 32. */
  reset(): void {
    this.#ns = 0;
    this.#nr = 0;
    this.#state = 'idle';
    this.ifsd = 32;
    this.#command = [];
    this.#lastI = new Uint8Array(0);
    this.#lastAny = new Uint8Array(0);
    this.#last = new Uint8Array(0);
  }

  /** Answer one block from the interface device. */
  async handle(bytes: Uint8Array): Promise<Uint8Array> {
    const block = decodeBlock(bytes);
    if (block.kind === 'invalid') {
      this.badBlocks++;
      // Waiting for the answer to our S request: ask again. ISO/IEC 7816-3 §11.6.3.2
      if (this.#state === 'wtx' || this.#state === 'ifs') return this.#last;
      return this.#send(rBlock(this.#nr, block.error === 'edc' ? R_ERROR.edc : R_ERROR.other), false);
    }
    if (block.kind === 'S') {
      if (!block.response && block.fn === S_BLOCK.ifs) {
        this.ifsd = block.inf[0]!;
        this.ifsRequests.push(this.ifsd);
        return this.#send(sBlock(S_BLOCK.ifs, true, block.inf), false);
      }
      if (!block.response && block.fn === S_BLOCK.resynch) {
        this.resynchs++;
        this.reset();
        return this.#send(sBlock(S_BLOCK.resynch, true), false);
      }
      if (block.response && block.fn === S_BLOCK.wtx && this.#state === 'wtx') return this.#startAnswer();
      if (block.response && block.fn === S_BLOCK.ifs && this.#state === 'ifs') return this.#startAnswer();
      return this.#send(rBlock(this.#nr, R_ERROR.other), false);
    }
    if (block.kind === 'R') {
      if (block.nr === this.#ns) {
        // The interface device has our last I-block: the next part of our chain, or it missed
        // the block we sent after it (an R-block, an S request): send that again. Rules 2.2, 7.2, 7.3
        if (this.#state === 'sending' && this.#lastIMore) return this.#nextChunk();
        return this.#lastAny;
      }
      // N(R) = N(S) of our last I-block: it was lost; send it again. Rule 6.2
      return this.#lastI.length > 0 ? this.#lastI : this.#lastAny;
    }
    // I-block
    if (block.ns !== this.#nr) return this.#send(rBlock(this.#nr), false); // duplicate: acknowledge again
    this.#nr ^= 1;
    if (this.#state !== 'receiving') this.#command = [];
    this.#state = 'receiving';
    this.#command.push(block.inf);
    if (block.more) return this.#send(rBlock(this.#nr), true);
    const apdu = concatBytes(...this.#command);
    this.#command = [];
    this.#response = await this.#options.process(apdu);
    this.#offset = 0;
    if (this.#ifsRequestPending !== undefined) {
      const size = this.#ifsRequestPending;
      this.#ifsRequestPending = undefined;
      this.#state = 'ifs';
      return this.#send(sBlock(S_BLOCK.ifs, false, Uint8Array.of(size)), true);
    }
    if (this.#wtxLeft > 0) {
      this.#wtxLeft--;
      this.wtxSent++;
      this.#state = 'wtx';
      return this.#send(sBlock(S_BLOCK.wtx, false, Uint8Array.of(this.#options.wtxMultiplier ?? 2)), true);
    }
    return this.#startAnswer();
  }

  #startAnswer(): Uint8Array {
    this.#state = 'sending';
    return this.#nextChunk();
  }

  #nextChunk(): Uint8Array {
    const chunk = this.#response.subarray(this.#offset, this.#offset + this.ifsd);
    this.#offset += chunk.length;
    const more = this.#offset < this.#response.length;
    const block = iBlock(this.#ns, more, chunk);
    this.#lastI = block;
    this.#lastIMore = more;
    this.#ns ^= 1;
    if (!more) this.#state = 'idle';
    return this.#send(block, true);
  }

  /** `remember`: the block is what an invalid answer to an S request gets again (rule 7.3). */
  #send(block: Uint8Array, remember: boolean): Uint8Array {
    if (remember) this.#last = block;
    this.#lastAny = block;
    return block;
  }
}
