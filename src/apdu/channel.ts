/**
 * `ApduChannel`: the APDU policy between the card sessions and a {@link Transport}.
 *
 * - `61xx` → GET RESPONSE rounds, data concatenated; `6Cxx` → one resend with Le = SW2
 *   (reads only).
 * - Extended length is decided here and only here (transports give a fixed hint at most):
 *   used when asked for and possible; on refusal (`6700`, or a transport
 *   error, for an extended command while support is still unknown) the session falls back to
 *   short APDUs. Only reads whose sole extended part is Le are resent (with Le 256); VERIFY,
 *   CHANGE REFERENCE DATA, the signature and every other command are never resent.
 * - One command sequence at a time (`exclusive`), FIFO, abortable while queued: the sequence
 *   lock is the only lock around APDU sequences (who holds what: src/mutex.ts).
 * - `onTrace` sees every APDU on the wire with secrets redacted; `onWarning` sees every
 *   warning status word.
 * @packageDocumentation
 */
import { concatBytes, wipe } from '../bytes.js';
import { AbortedError, CardRemovedError, InvalidArgumentError, TransportError } from '../errors.js';
import type { Transport } from '../transport/transport.js';
import { CommandApdu, MAX_SHORT_LC, MAX_SHORT_LE } from './command.js';
import { ExtendedLengthUnsupportedError, MalformedResponseError, ResponseChainingError } from './errors.js';
import { Mutex } from '../mutex.js';
import { ResponseApdu } from './response.js';
import { checkStatus } from './status.js';
import { SW } from './sw.js';
import { transportFailure } from './transport-error.js';
import { commandName, commandTraceEvent, isSecretCommand, responseTraceEvent, type ApduTraceEvent } from './trace.js';
import type { StatusWordWarning } from './warning.js';

/**
 * Read instructions that are safe to send again (no state change, no secret): READ BINARY
 * (B0/B1), READ RECORD (B2/B3), GET DATA (CA/CB), GET RESPONSE (C0). Only these are resent
 * after `6Cxx` or after an extended-length refusal (card-facts §4.1, §8).
 */
const REREADABLE_INS: ReadonlySet<number> = new Set([0xb0, 0xb1, 0xb2, 0xb3, 0xca, 0xcb, 0xc0]);

/** Default bound on GET RESPONSE rounds: 64 KiB in 256-byte pieces. */
const DEFAULT_MAX_GET_RESPONSE_ROUNDS = 256;

/** Options of {@link ApduChannel}. */
export interface ApduChannelOptions {
  /** Called for every command and response on the wire (secrets redacted). Exceptions are swallowed. */
  readonly onTrace?: ((event: ApduTraceEvent) => void) | undefined;
  /**
   * Called whenever a command completes with a warning status word (`62xx`/`63xx` except
   * `63Cx`), with the operation name. Exceptions are swallowed.
   */
  readonly onWarning?: ((warning: StatusWordWarning, context: string) => void) | undefined;
  /**
   * `'auto'` (default): follow the transport's `extendedLength` hint, or probe and fall back
   * on refusal. `true`: always send extended commands as built, never fall back.
   * `false`: never send extended commands (reads are shortened, others throw).
   */
  readonly extendedLength?: 'auto' | boolean | undefined;
  /**
   * Called once when `'auto'` detection decides (`true`: the card answered an extended
   * command; `false`: it or the reader refused one), e.g. to remember it for the next session
   * (pass it back as `extendedLength`). Exceptions are swallowed.
   */
  readonly onExtendedLength?: ((supported: boolean) => void) | undefined;
  /** Upper bound on GET RESPONSE rounds after `61xx` (default 256). */
  readonly maxGetResponseRounds?: number | undefined;
}

/** Per-command options of {@link ApduPort.transmit} and {@link ApduPort.send}. */
export interface ApduSendOptions {
  /** The operation's name for messages (`'SELECT JPKI AP'`); default derived from INS. */
  readonly context?: string | undefined;
  /**
   * Redact the command data in traces. Always on for VERIFY, CHANGE REFERENCE DATA, RESET
   * RETRY COUNTER and CHANGE KEY.
   */
  readonly sensitiveCommand?: boolean | undefined;
  /** Redact the response data in traces (e.g. a My Number (個人番号) read). SW is kept. */
  readonly sensitiveResponse?: boolean | undefined;
  /** Abort while waiting for the card to be free. A command already sent is not interrupted. */
  readonly signal?: AbortSignal | undefined;
}

/** Options of {@link ApduPort.exclusive}. */
export interface ApduExclusiveOptions {
  /** Abort while waiting in the queue (rejects with `AbortedError`; the queue is unaffected). */
  readonly signal?: AbortSignal | undefined;
}

/**
 * What card-session code talks to: an {@link ApduChannel}, or the port an `exclusive` holder
 * receives. Helpers written against `ApduPort` work at either level.
 */
export interface ApduPort {
  /** Send one command; resolve to the response after `61xx`/`6Cxx` handling, whatever its SW. */
  transmit(command: CommandApdu | Uint8Array, options?: ApduSendOptions): Promise<ResponseApdu>;
  /**
   * Like `transmit`, but throw the typed `StatusWordError` unless the SW is `9000` or a warning
   * (see {@link checkStatus}).
   */
  send(command: CommandApdu | Uint8Array, options?: ApduSendOptions): Promise<ResponseApdu>;
  /**
   * Run `fn` while holding the card: no other caller's command runs until it settles. `fn`
   * must send through the `port` it receives; calling the outer channel from inside `fn`
   * waits for `fn` itself (a deadlock). Nested `port.exclusive` calls run immediately.
   */
  exclusive<T>(fn: (port: ApduPort) => Promise<T>, options?: ApduExclusiveOptions): Promise<T>;
  /** `true`/`false` once known (option, transport hint or detection); `undefined` before. */
  readonly extendedLengthSupported: boolean | undefined;
}

/**
 * What detection found out per transport object: a reader and card keep their extended-length
 * support for the life of the connection, so every channel (every `MyNumberCard` session) on
 * the same transport reuses it instead of probing again. Kept here, the one place that decides.
 */
const detectedExtendedLength = new WeakMap<Transport, boolean>();

/** APDU policy over a {@link Transport}; see the module documentation. */
export class ApduChannel implements ApduPort {
  /** The transport commands go through. */
  readonly transport: Transport;
  readonly #onTrace: ((event: ApduTraceEvent) => void) | undefined;
  readonly #onWarning: ((warning: StatusWordWarning, context: string) => void) | undefined;
  readonly #onExtendedLength: ((supported: boolean) => void) | undefined;
  readonly #extendedOption: boolean | undefined;
  readonly #maxRounds: number;
  /** Held by a whole command sequence (`exclusive`); rule 1 of src/mutex.ts. */
  readonly #sequenceLock = new Mutex();
  /** Held by one exchange (command + GET RESPONSE rounds), so even calls within one holder never overlap on the wire; rule 2. */
  readonly #wireLock = new Mutex();

  /** @throws InvalidArgumentError for a transport without `transmit` or invalid options */
  constructor(transport: Transport, options: ApduChannelOptions = {}) {
    if (typeof transport !== 'object' || transport === null || typeof transport.transmit !== 'function') {
      throw new InvalidArgumentError('ApduChannel needs a transport with a transmit(command) method');
    }
    this.transport = transport;
    const ext = options.extendedLength ?? 'auto';
    if (ext !== 'auto' && ext !== true && ext !== false) {
      throw new InvalidArgumentError("extendedLength must be 'auto', true or false");
    }
    this.#extendedOption = ext === 'auto' ? undefined : ext;
    const rounds = options.maxGetResponseRounds ?? DEFAULT_MAX_GET_RESPONSE_ROUNDS;
    if (!Number.isInteger(rounds) || rounds < 1) {
      throw new InvalidArgumentError('maxGetResponseRounds must be a positive integer');
    }
    this.#maxRounds = rounds;
    this.#onTrace = options.onTrace;
    this.#onWarning = options.onWarning;
    if (options.onExtendedLength !== undefined && typeof options.onExtendedLength !== 'function') {
      throw new InvalidArgumentError('onExtendedLength must be a function');
    }
    this.#onExtendedLength = options.onExtendedLength;
  }

  /** `true`/`false` once known (option, transport hint or detection); `undefined` before. */
  get extendedLengthSupported(): boolean | undefined {
    if (this.#extendedOption !== undefined) return this.#extendedOption;
    const hint = this.transport.extendedLength;
    return typeof hint === 'boolean' ? hint : detectedExtendedLength.get(this.transport);
  }

  /** {@inheritDoc ApduPort.transmit} */
  transmit(command: CommandApdu | Uint8Array, options?: ApduSendOptions): Promise<ResponseApdu> {
    return this.exclusive((port) => port.transmit(command, options), signalOnly(options));
  }

  /** {@inheritDoc ApduPort.send} */
  send(command: CommandApdu | Uint8Array, options?: ApduSendOptions): Promise<ResponseApdu> {
    return this.exclusive((port) => port.send(command, options), signalOnly(options));
  }

  /** {@inheritDoc ApduPort.exclusive} */
  async exclusive<T>(fn: (port: ApduPort) => Promise<T>, options?: ApduExclusiveOptions): Promise<T> {
    if (typeof fn !== 'function') throw new InvalidArgumentError('exclusive(fn) needs a function');
    const release = await this.#sequenceLock.acquire(options?.signal);
    const scope = this.#openScope();
    try {
      const run = (): Promise<T> => fn(scope.port);
      // A shared reader (PC/SC): hold the card for the whole sequence, so that no other
      // application's command lands between ours.
      const transport = this.transport;
      return await (transport.withTransaction ? transport.withTransaction(run, { signal: options?.signal }) : run());
    } finally {
      scope.close();
      release();
    }
  }

  /** A port that goes straight to the wire while its holder runs, and queues like the channel after. */
  #openScope(): { port: ApduPort; close(): void } {
    let active = true;
    const channel = this;
    const port: ApduPort = {
      transmit: (command, options) =>
        active ? this.#exchange(toCommand(command), options) : this.transmit(command, options),
      send: async (command, options) => {
        if (!active) return this.send(command, options);
        const cmd = toCommand(command);
        return checkStatus(await this.#exchange(cmd, options), contextOf(cmd, options));
      },
      exclusive: <T>(fn: (port: ApduPort) => Promise<T>, options?: ApduExclusiveOptions): Promise<T> => {
        if (!active) return this.exclusive(fn, options);
        if (options?.signal?.aborted) return Promise.reject(new AbortedError());
        return fn(port);
      },
      get extendedLengthSupported() {
        return channel.extendedLengthSupported;
      },
    };
    return { port, close: () => (active = false) };
  }

  /** One logical exchange: fallback, 6Cxx, 61xx rounds; warning reported. */
  async #exchange(command: CommandApdu, options: ApduSendOptions = {}): Promise<ResponseApdu> {
    const release = await this.#wireLock.acquire(options.signal);
    try {
      let response = await this.#sendWithFallback(command, options);
      if (response.sw1 === 0x61) response = await this.#getResponses(command, response, options);
      const warning = response.warning;
      if (warning && this.#onWarning) {
        const hook = this.#onWarning;
        swallow(() => hook(warning, contextOf(command, options)));
      }
      return response;
    } finally {
      release();
    }
  }

  async #sendWithFallback(command: CommandApdu, options: ApduSendOptions): Promise<ResponseApdu> {
    const cmd = this.#prepare(command);
    if (!cmd.isExtended || this.extendedLengthSupported !== undefined) {
      return this.#resendOn6C(cmd, await this.#wire(cmd, options), options);
    }
    // Extended support unknown: this command is the probe.
    let response: ResponseApdu;
    try {
      response = await this.#wire(cmd, options);
    } catch (error) {
      if (!(error instanceof TransportError) || error instanceof CardRemovedError) throw error;
      return this.#afterRefusal(cmd, options, error);
    }
    if (response.sw === SW.WRONG_LENGTH) return this.#afterRefusal(cmd, options, undefined);
    this.#detected(true);
    return this.#resendOn6C(cmd, response, options);
  }

  async #afterRefusal(cmd: CommandApdu, options: ApduSendOptions, cause: unknown): Promise<ResponseApdu> {
    this.#detected(false);
    const short = shortened(cmd);
    if (!short) {
      throw new ExtendedLengthUnsupportedError(
        `${contextOf(cmd, options)}: extended-length APDUs were refused (${cause ? 'transport error' : 'SW 6700'}) and this command cannot be sent as a short APDU`,
        { cause },
      );
    }
    return this.#resendOn6C(short, await this.#wire(short, options), options);
  }

  #detected(supported: boolean): void {
    detectedExtendedLength.set(this.transport, supported);
    const hook = this.#onExtendedLength;
    if (hook) swallow(() => hook(supported));
  }

  /** Apply the transport's size hint and a known lack of extended support before sending. */
  #prepare(command: CommandApdu): CommandApdu {
    let cmd = command;
    if (cmd.le !== undefined && isRereadable(cmd)) {
      const le = this.#capLe(cmd.le);
      if (le !== cmd.le) cmd = cmd.withLe(le); // the caller copes with fewer bytes, as at end of file
    }
    if (cmd.isExtended && this.extendedLengthSupported === false) {
      const short = shortened(cmd);
      if (!short) {
        throw new ExtendedLengthUnsupportedError(
          `${commandName(cmd)}: needs an extended-length APDU, which this reader, transport or card does not support`,
        );
      }
      cmd = short;
    }
    return cmd;
  }

  /** Limit a read's Le to what the transport says it can carry (`maxResponseLength` hint). */
  #capLe(le: number): number {
    const max = this.transport.maxResponseLength;
    return typeof max === 'number' && Number.isInteger(max) && max >= 3 ? Math.min(le, max - 2) : le;
  }

  /** `6Cxx` on a read: resend once with the Le the card asked for. Nothing else is resent. */
  async #resendOn6C(cmd: CommandApdu, response: ResponseApdu, options: ApduSendOptions): Promise<ResponseApdu> {
    if (response.sw1 !== 0x6c || !isRereadable(cmd)) return response;
    return this.#wire(cmd.withLe(response.sw2 === 0 ? 256 : response.sw2), options);
  }

  /** `61xx`: GET RESPONSE until the card stops announcing more data. */
  async #getResponses(command: CommandApdu, first: ResponseApdu, options: ApduSendOptions): Promise<ResponseApdu> {
    const parts = [first.data];
    let last = first;
    for (let round = 0; last.sw1 === 0x61; round++) {
      if (round >= this.#maxRounds) {
        throw new ResponseChainingError(
          `${contextOf(command, options)}: the card still announced more data (SW 61xx) after ${this.#maxRounds} GET RESPONSE rounds`,
        );
      }
      const getResponse = new CommandApdu({
        cla: getResponseCla(command.cla),
        ins: 0xc0,
        le: this.#capLe(last.sw2 === 0 ? 256 : last.sw2),
      });
      last = await this.#resendOn6C(getResponse, await this.#wire(getResponse, options), options);
      parts.push(last.data);
    }
    return new ResponseApdu(concatBytes(...parts), last.sw);
  }

  /** One APDU to the transport and back, traced. */
  async #wire(cmd: CommandApdu, options: ApduSendOptions): Promise<ResponseApdu> {
    const trace = this.#onTrace;
    if (trace) {
      const event = commandTraceEvent(cmd, options.sensitiveCommand === true);
      swallow(() => trace(event));
    }
    let raw: Uint8Array;
    const wire = cmd.toBytes();
    const secret = isSecretCommand(wire) || options.sensitiveCommand === true;
    try {
      raw = await this.transport.transmit(wire);
    } catch (error) {
      throw transportFailure(error, cmd, secret);
    } finally {
      // The encoded copy of a PIN-bearing command must not outlive the exchange.
      if (secret) wipe(wire);
    }
    const response = ResponseApdu.parse(raw);
    if (trace) {
      const event = responseTraceEvent(raw, response.sw, options.sensitiveResponse === true);
      swallow(() => trace(event));
    }
    // More data than Le asked for is not an answer to this command (ISO 7816-4 §5.1: at most Ne bytes).
    if (cmd.le !== undefined && response.data.length > cmd.le) {
      throw new MalformedResponseError(
        `${commandName(cmd)}: the card returned ${response.data.length} data bytes, more than Le (${cmd.le})`,
      );
    }
    return response;
  }
}

function toCommand(command: CommandApdu | Uint8Array): CommandApdu {
  if (command instanceof CommandApdu) return command;
  if (command instanceof Uint8Array) return CommandApdu.parse(command);
  throw new InvalidArgumentError('Expected a CommandApdu or the bytes of a command APDU');
}

function contextOf(command: CommandApdu, options: ApduSendOptions | undefined): string {
  return options?.context ?? commandName(command);
}

function signalOnly(options: ApduSendOptions | undefined): ApduExclusiveOptions | undefined {
  return options?.signal ? { signal: options.signal } : undefined;
}

function isRereadable(cmd: CommandApdu): boolean {
  return (cmd.cla & 0x80) === 0 && REREADABLE_INS.has(cmd.ins);
}

/** The short form of a read whose only extended part is Le (Le capped at 256); else undefined. */
function shortened(cmd: CommandApdu): CommandApdu | undefined {
  if (!isRereadable(cmd) || cmd.data.length > MAX_SHORT_LC) return undefined;
  return cmd.withLe(cmd.le === undefined ? undefined : Math.min(cmd.le, MAX_SHORT_LE), { extended: false });
}

/**
 * CLA of GET RESPONSE: interindustry, same logical channel as the command, no secure
 * messaging, no chaining (ISO 7816-4 §5.4.1).
 */
function getResponseCla(cla: number): number {
  if (cla === 0xff) return 0x00;
  return (cla & 0x40) !== 0 ? 0x40 | (cla & 0x0f) : cla & 0x03;
}

/** Run a user hook; its exceptions and rejections never reach the command. */
function swallow(call: () => unknown): void {
  try {
    const result = call();
    if (result instanceof Promise) result.catch(() => undefined);
  } catch {
    // A broken hook must not break the command.
  }
}
