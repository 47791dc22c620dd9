/**
 * The CCID bulk pipe pair of one slot: sends PC_to_RDR messages with consecutive bSeq, reads
 * RDR_to_PC answers (reassembling messages split over several transfers, skipping stale answers
 * of abandoned commands, waiting through time extensions), and races every wait against a
 * timeout, the exchange's overall deadline, AbortSignals and card removal — WebUSB transfers
 * cannot be cancelled. A reader that keeps answering without ever finishing (endless time
 * extensions or zero-length transfers, a message announcing gigabytes) is cut off: the
 * caps below and the deadline bound every exchange in time and memory.
 * @packageDocumentation
 */
import { AbortedError, MynacardError, ReaderUnavailableError, TimeoutError, TransportError } from '../errors.js';
import type { EndpointDescriptor } from './descriptor.js';
import { CcidError, COMMAND_STATUS, ccidFailure, byteHex } from './errors.js';
import {
  CCID_HEADER_LENGTH,
  CcidSequence,
  EXPECTED_ANSWER,
  RDR_TO_PC,
  abort,
  decodeResponse,
  messageDataLength,
  type CcidResponse,
} from './messages.js';
import type { UsbDeviceLike, UsbInTransferResultLike } from './usb-types.js';

/** CCID class-specific request ABORT. CCID §5.3.1 */
const REQUEST_ABORT = 0x01;
/** Stale answers skipped while waiting for one command's answer before giving up. */
const MAX_STALE_MESSAGES = 64;
/**
 * Time extensions accepted in one exchange (a reader sends one every BWT or so: a slow
 * signature needs a few dozen; only a hostile or broken reader sends thousands).
 */
export const MAX_TIME_EXTENSIONS = 1024;
/** Zero-length bulk-IN transfers accepted in a row (a ZLP only ends a transfer; USB 2.0 §5.8.3). */
export const MAX_EMPTY_TRANSFERS = 16;
/**
 * Largest dwMaxCCIDMessageLength honoured (CCID §5.1: extended APDU level up to 65544); a
 * larger announced value is clamped so a reader cannot make the host allocate for it.
 */
export const MAX_CCID_MESSAGE_LENGTH = 65544;
/** Largest response APDU: 65536 data bytes and SW1 SW2. ISO/IEC 7816-4 §5.1 */
const MAX_RESPONSE_APDU = 65538;

/**
 * The time and retry budget of one exchange (one `transmit`, `reconnect`, …): an overall
 * deadline that holds however often the reader answers "not yet", and a count of time
 * extensions.
 */
export class ExchangeBudget {
  /** `performance.now()` value after which the exchange fails; Infinity for none. */
  readonly deadline: number;
  /** The overall limit in ms (for messages). */
  readonly limitMs: number;
  /** Time extensions seen so far. */
  timeExtensions = 0;

  constructor(limitMs: number) {
    this.limitMs = limitMs;
    this.deadline = Number.isFinite(limitMs) ? performance.now() + limitMs : Infinity;
  }

  /** Milliseconds left (≤ 0 when past the deadline). */
  remaining(): number {
    return this.deadline - performance.now();
  }

  /** The error of a spent budget. */
  expired(): TimeoutError {
    return new TimeoutError(`The exchange with the USB reader did not finish within ${this.limitMs} ms`);
  }
}

/** Options of {@link CcidLink}. */
export interface CcidLinkOptions {
  readonly device: UsbDeviceLike;
  readonly interfaceNumber: number;
  readonly bulkIn: EndpointDescriptor;
  readonly bulkOut: EndpointDescriptor;
  readonly slot: number;
  /** dwMaxCCIDMessageLength. */
  readonly maxMessageLength: number;
  /** Longest wait for one bulk transfer (restarted by each time extension). */
  readonly responseTimeoutMs: number;
  /** Aborts every wait for the life of the link. */
  readonly signal?: AbortSignal | undefined;
  /** Called for each time extension (bError = BWT multiplier). */
  readonly onTimeExtension?: ((multiplier: number) => void) | undefined;
}

/** Upper bound on one message's data (abData) when the caller gives none: a response APDU. */
const DEFAULT_MAX_DATA = MAX_RESPONSE_APDU;

/** Per-exchange options. */
export interface ExchangeOptions {
  /** Also abort on this signal. */
  readonly signal?: AbortSignal | undefined;
  /** Reject as soon as the card is reported removed (commands that reach the card). */
  readonly removable?: boolean | undefined;
  /** Return a "failed" answer instead of throwing its error. */
  readonly allowFailure?: boolean | undefined;
  /**
   * Largest abData accepted in the answer (default 65538, a response APDU): a header that
   * announces more is refused before anything is buffered.
   */
  readonly maxDataLength?: number | undefined;
}

/** Why a wait was abandoned. */
type Interrupt = (error: MynacardError) => void;

/** The DOMException names WebUSB uses when the device is gone. */
function usbError(error: unknown, what: string): MynacardError {
  if (error instanceof MynacardError) return error;
  const name = typeof error === 'object' && error !== null && 'name' in error ? String(error.name) : '';
  if (name === 'NotFoundError') return new ReaderUnavailableError(`The USB reader was disconnected (${what})`, { cause: error });
  return new TransportError(`USB ${what} failed`, { cause: error, code: 'usb-transfer' });
}

/** Bulk I/O of one CCID slot. Not reentrant: the transport serialises exchanges. */
export class CcidLink {
  readonly #options: CcidLinkOptions;
  readonly #sequence = new CcidSequence();
  readonly #readLength: number;
  /** dwMaxCCIDMessageLength, clamped to {@link MAX_CCID_MESSAGE_LENGTH}. */
  readonly #maxMessageLength: number;
  #pendingRead: Promise<Uint8Array> | undefined;
  #broken: MynacardError | undefined;
  #inFlightSeq: number | undefined;
  readonly #removalWaiters = new Set<Interrupt>();
  #budget: ExchangeBudget | undefined;

  constructor(options: CcidLinkOptions) {
    this.#options = options;
    const packet = Math.max(options.bulkIn.packetSize, 8);
    this.#maxMessageLength = Math.min(options.maxMessageLength, MAX_CCID_MESSAGE_LENGTH);
    this.#readLength = Math.ceil(Math.max(this.#maxMessageLength, CCID_HEADER_LENGTH) / packet) * packet;
  }

  /**
   * Run `task` (one or more exchanges) under `budget`: every wait ends by its deadline, and
   * time extensions are counted across all of its messages. Not nested: the transport
   * serialises its operations.
   */
  async withBudget<T>(budget: ExchangeBudget, task: () => Promise<T>): Promise<T> {
    this.#budget = budget;
    try {
      return await task();
    } finally {
      if (this.#budget === budget) this.#budget = undefined;
    }
  }

  /**
   * Set when a wait timed out or was aborted, or the reader broke the protocol mid-message
   * (too long, endless time extensions or empty transfers): the reader's state is unknown.
   */
  get broken(): MynacardError | undefined {
    return this.#broken;
  }

  /** bSeq of the command whose answer was abandoned, if any. */
  get inFlightSeq(): number | undefined {
    return this.#inFlightSeq;
  }

  /** Reject every removable wait in progress with `error` (the interrupt pipe saw a removal). */
  interruptRemovable(error: MynacardError): void {
    for (const waiter of [...this.#removalWaiters]) waiter(error);
  }

  /**
   * Send one PC_to_RDR message built for the next bSeq and return its answer.
   * @throws CardRemovedError / CcidError for a failed answer (unless `allowFailure`),
   *   TimeoutError, AbortedError, ReaderUnavailableError, TransportError
   */
  async exchange(build: (seq: number) => Uint8Array<ArrayBuffer>, options: ExchangeOptions = {}): Promise<CcidResponse> {
    if (this.#broken !== undefined) throw this.#broken;
    const seq = this.#sequence.next();
    const message = build(seq);
    const type = message[0]!;
    if (message.length > this.#maxMessageLength) {
      throw new CcidError(
        'ccid-message-too-long',
        `CCID message of ${message.length} bytes exceeds the reader's dwMaxCCIDMessageLength ${this.#maxMessageLength}`,
        { messageType: type },
      );
    }
    this.#inFlightSeq = seq;
    await this.#write(message, options);
    const expected = EXPECTED_ANSWER.get(type);
    for (let stale = 0; ; ) {
      const answer = decodeResponse(await this.#readMessage(options));
      this.#checkDeadline();
      if (answer.seq !== seq || answer.slot !== this.#options.slot) {
        // An answer to an abandoned command (or another slot's): not ours. CCID §6.1 bSeq
        if (++stale > MAX_STALE_MESSAGES) throw new CcidError('ccid-protocol', 'Too many CCID answers with a foreign bSeq');
        continue;
      }
      if (answer.commandStatus === COMMAND_STATUS.timeExtension) {
        // The card needs more time: keep reading. CCID §6.2.6
        this.#options.onTimeExtension?.(answer.error);
        const budget = this.#budget;
        if (budget !== undefined && ++budget.timeExtensions > MAX_TIME_EXTENSIONS) {
          throw this.#break(
            new CcidError('ccid-protocol', `The reader sent more than ${MAX_TIME_EXTENSIONS} time extensions in one exchange`, {
              messageType: type,
            }),
          );
        }
        continue;
      }
      this.#inFlightSeq = undefined;
      if (answer.commandStatus === COMMAND_STATUS.ok && expected !== undefined && answer.type !== expected) {
        throw new CcidError(
          'ccid-protocol',
          `CCID answer ${byteHex(answer.type)} to message ${byteHex(type)} (expected ${byteHex(expected)})`,
          { messageType: type },
        );
      }
      if (answer.commandStatus !== COMMAND_STATUS.ok && options.allowFailure !== true) {
        throw ccidFailure(answer.status, answer.error, type);
      }
      return answer;
    }
  }

  /**
   * After a timeout or abort: the CCID abort procedure (class request ABORT, then
   * PC_to_RDR_Abort with the same bSeq), and the link is usable again. CCID §5.3.1
   */
  async recover(): Promise<void> {
    const seq = this.#inFlightSeq;
    this.#broken = undefined;
    if (seq === undefined) return;
    const { device, interfaceNumber, slot } = this.#options;
    try {
      await this.#race(
        device.controlTransferOut(
          { requestType: 'class', recipient: 'interface', request: REQUEST_ABORT, value: (seq << 8) | slot, index: interfaceNumber },
        ),
        {},
      );
    } catch (error) {
      if (error instanceof TimeoutError || error instanceof AbortedError) throw this.#break(error);
      // A reader without the class request: the bulk Abort (or the stale-answer filter) still helps.
    }
    this.#inFlightSeq = undefined;
    // PC_to_RDR_Abort with the same bSeq as the aborted command. CCID §6.1.13
    await this.#write(abort(slot, seq), {});
    for (let stale = 0; stale <= MAX_STALE_MESSAGES; stale++) {
      const answer = decodeResponse(await this.#readMessage({}));
      if (answer.seq === seq && answer.type === RDR_TO_PC.slotStatus) return;
    }
    throw new CcidError('ccid-protocol', 'The reader did not answer PC_to_RDR_Abort');
  }

  async #write(message: Uint8Array<ArrayBuffer>, options: ExchangeOptions): Promise<void> {
    const { device, bulkOut } = this.#options;
    let result;
    try {
      result = await this.#race(device.transferOut(bulkOut.number, message), { signal: options.signal });
    } catch (error) {
      throw this.#break(usbError(error, 'bulk-OUT transfer'));
    }
    if (result.status === 'stall') {
      await device.clearHalt('out', bulkOut.number).catch(() => undefined);
      throw new TransportError('The reader stalled the bulk-OUT endpoint', { code: 'usb-stall' });
    }
    if (result.status !== 'ok' || result.bytesWritten !== message.length) {
      throw new TransportError(`USB bulk-OUT transfer wrote ${result.bytesWritten} of ${message.length} bytes`, {
        code: 'usb-transfer',
      });
    }
  }

  /**
   * One whole RDR_to_PC message (several transfers when the reader splits it), into one buffer
   * sized from its header. A header announcing more than `maxDataLength` is refused at once.
   */
  async #readMessage(options: ExchangeOptions): Promise<Uint8Array> {
    const first = await this.#readNonEmpty(options);
    if (first.length < CCID_HEADER_LENGTH) {
      throw this.#break(new CcidError('ccid-protocol', `RDR_to_PC message of ${first.length} bytes (10-byte header expected)`));
    }
    const dataLength = messageDataLength(first);
    const maxData = options.maxDataLength ?? DEFAULT_MAX_DATA;
    if (dataLength > maxData) {
      // The rest of it may still be on its way: the link is out of step until reconnect.
      throw this.#break(
        new CcidError('ccid-protocol', `RDR_to_PC message announces ${dataLength} data bytes (at most ${maxData} expected)`),
      );
    }
    const total = CCID_HEADER_LENGTH + dataLength;
    if (first.length >= total) return first.length === total ? first : first.subarray(0, total);
    const message = new Uint8Array(total);
    message.set(first);
    let filled = first.length;
    while (filled < total) {
      const chunk = await this.#readNonEmpty(options);
      const take = Math.min(chunk.length, total - filled);
      message.set(take === chunk.length ? chunk : chunk.subarray(0, take), filled);
      filled += take;
    }
    return message;
  }

  /** The next non-empty bulk-IN transfer, within the deadline and the zero-length cap. */
  async #readNonEmpty(options: ExchangeOptions): Promise<Uint8Array> {
    for (let empty = 0; ; ) {
      this.#checkDeadline();
      const bytes = await this.#readTransfer(options);
      if (bytes.length > 0) return bytes;
      if (++empty >= MAX_EMPTY_TRANSFERS) {
        throw this.#break(new CcidError('ccid-protocol', `The reader sent ${empty} zero-length bulk-IN transfers in a row`));
      }
    }
  }

  /** Fail (and break the link) once the exchange's deadline has passed, however busy the reader. */
  #checkDeadline(): void {
    const budget = this.#budget;
    if (budget !== undefined && budget.remaining() <= 0) throw this.#break(budget.expired());
  }

  /** One bulk-IN transfer; an abandoned one is picked up by the next read, so no answer is lost. */
  async #readTransfer(options: ExchangeOptions): Promise<Uint8Array> {
    let read = this.#pendingRead;
    if (read === undefined) {
      read = this.#startRead();
      this.#pendingRead = read;
    }
    try {
      const bytes = await this.#race(read, options);
      if (this.#pendingRead === read) this.#pendingRead = undefined;
      return bytes;
    } catch (error) {
      if (error instanceof TimeoutError || error instanceof AbortedError) throw this.#break(error);
      if (error instanceof TransportError || error instanceof ReaderUnavailableError) {
        // The transfer itself failed: forget it.
        if (this.#pendingRead === read) this.#pendingRead = undefined;
        throw this.#break(error);
      }
      // Card removal: the transfer stays pending for the next read.
      throw error;
    }
  }

  /** Start a bulk-IN transfer; its failures become TransportError / ReaderUnavailableError. */
  #startRead(): Promise<Uint8Array> {
    const { device, bulkIn } = this.#options;
    const read = (async (): Promise<Uint8Array> => {
      let result: UsbInTransferResultLike;
      try {
        result = await device.transferIn(bulkIn.number, this.#readLength);
      } catch (error) {
        throw usbError(error, 'bulk-IN transfer');
      }
      if (result.status === 'stall') {
        await device.clearHalt('in', bulkIn.number).catch(() => undefined);
        throw new TransportError('The reader stalled the bulk-IN endpoint', { code: 'usb-stall' });
      }
      if (result.status === 'babble') throw new TransportError('USB babble on the bulk-IN endpoint', { code: 'usb-transfer' });
      const view = result.data;
      if (view === undefined || view === null) return new Uint8Array(0);
      return new Uint8Array(view.buffer, view.byteOffset, view.byteLength).slice();
    })();
    read.catch(() => undefined); // may be abandoned; its failure reaches whoever awaits it
    return read;
  }

  #break(error: MynacardError): MynacardError {
    this.#broken ??= error;
    return error;
  }

  /** Settle with `promise`, or reject on timeout, abort, or (for removable waits) removal. */
  #race<T>(promise: Promise<T>, options: ExchangeOptions): Promise<T> {
    const signals = [this.#options.signal, options.signal].filter((s): s is AbortSignal => s !== undefined);
    const responseTimeoutMs = this.#options.responseTimeoutMs;
    const budget = this.#budget;
    const left = budget === undefined ? Infinity : Math.max(0, budget.remaining());
    const byDeadline = left < responseTimeoutMs;
    const timeoutMs = byDeadline ? left : responseTimeoutMs;
    return new Promise<T>((resolve, reject) => {
      let done = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const cleanup = (): void => {
        done = true;
        if (timer !== undefined) clearTimeout(timer);
        for (const s of signals) s.removeEventListener('abort', onAbort);
        this.#removalWaiters.delete(onRemoval);
      };
      const fail = (error: unknown): void => {
        if (done) return;
        cleanup();
        reject(error);
      };
      const onAbort = (): void => fail(new AbortedError('The CCID exchange was aborted'));
      const onRemoval: Interrupt = (error) => fail(error);
      if (signals.some((s) => s.aborted)) {
        onAbort();
        return;
      }
      for (const s of signals) s.addEventListener('abort', onAbort, { once: true });
      if (options.removable === true) this.#removalWaiters.add(onRemoval);
      if (Number.isFinite(timeoutMs)) {
        timer = setTimeout(
          () =>
            fail(
              byDeadline && budget !== undefined
                ? budget.expired()
                : new TimeoutError(`The USB reader did not answer within ${responseTimeoutMs} ms`),
            ),
          timeoutMs,
        );
      }
      promise.then(
        (value) => {
          if (done) return;
          cleanup();
          resolve(value);
        },
        fail,
      );
    });
  }
}
