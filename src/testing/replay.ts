/**
 * `ReplayTransport`: plays a recorded transcript of command/response pairs, failing loudly on
 * an unexpected command, an exhausted transcript or leftover lines (as Ledger's record/replay
 * mocker does). Browser-safe.
 *
 * Error messages show commands with the data of VERIFY / CHANGE REFERENCE DATA (and the other
 * secret-bearing instructions) redacted, so a failing test never prints a PIN.
 * @packageDocumentation
 */
import { formatCommandRedacted } from '../apdu/trace.js';
import { equalBytes, fromHex } from '../bytes.js';
import { CardRemovedError, InvalidArgumentError, MynacardError, TransportError } from '../errors.js';
import type { Transport } from '../transport/transport.js';

/** One recorded exchange. */
export interface ReplayExchange {
  /** The command the code under test must send. */
  readonly command: Uint8Array;
  /** The response to give back (`data ‖ SW1 SW2`); absent when {@link ReplayExchange.error} is set. */
  readonly response?: Uint8Array | undefined;
  /**
   * Instead of a response, the transport fails: `'card-removed'` rejects with
   * `CardRemovedError` (the card was pulled while this command was in flight).
   */
  readonly error?: 'card-removed' | undefined;
  /** Free text from the transcript (never a secret in clear). */
  readonly note?: string | undefined;
}

/** Capability hints a replay can pretend to have (see {@link Transport}). */
export interface ReplayTransportOptions {
  /** Description of the transcript, used in messages. */
  readonly description?: string | undefined;
  /** Reported as {@link Transport.extendedLength}. */
  readonly extendedLength?: boolean | undefined;
  /** Reported as {@link Transport.maxResponseLength}. */
  readonly maxResponseLength?: number | undefined;
}

/** Stable codes of {@link ReplayError}. */
export type ReplayErrorCode = 'replay-mismatch' | 'replay-exhausted' | 'replay-leftover';

/**
 * The code under test did not follow the transcript. Deliberately not a `TransportError`, so
 * that `ApduChannel` never mistakes it for a reader refusing extended length.
 */
export class ReplayError extends MynacardError {
  declare readonly code: ReplayErrorCode;
  /** Index (0-based) of the transcript exchange concerned. */
  readonly index: number;

  constructor(code: ReplayErrorCode, index: number, message: string) {
    super(code, message);
    this.name = 'ReplayError';
    this.index = index;
  }
}

/** A {@link Transport} that replays a transcript. */
export class ReplayTransport implements Transport {
  /** Description of the transcript. */
  readonly description: string;
  /** Capability hint passed through from the options. */
  readonly extendedLength?: boolean;
  /** Capability hint passed through from the options. */
  readonly maxResponseLength?: number;
  readonly #exchanges: readonly ReplayExchange[];
  #next = 0;
  #failure: ReplayError | undefined;
  #closed = false;

  /** @throws InvalidArgumentError for an exchange without a command or with a response shorter than 2 bytes */
  constructor(exchanges: readonly ReplayExchange[], options: ReplayTransportOptions = {}) {
    if (!Array.isArray(exchanges)) throw new InvalidArgumentError('ReplayTransport needs an array of exchanges');
    exchanges.forEach((e, i) => {
      if (!(e?.command instanceof Uint8Array) || e.command.length === 0) {
        throw new InvalidArgumentError(`Replay exchange #${i}: the command must be non-empty bytes`);
      }
      if (e.error !== undefined) {
        if (e.error !== 'card-removed' || e.response !== undefined) {
          throw new InvalidArgumentError(`Replay exchange #${i}: "error" must be "card-removed" and comes without a response`);
        }
      } else if (!(e.response instanceof Uint8Array) || e.response.length < 2) {
        throw new InvalidArgumentError(`Replay exchange #${i}: the response needs at least SW1 SW2`);
      }
    });
    this.#exchanges = exchanges.map((e) => ({
      command: e.command.slice(),
      response: e.response?.slice(),
      error: e.error,
      note: e.note,
    }));
    this.description = options.description ?? '';
    if (options.extendedLength !== undefined) this.extendedLength = options.extendedLength;
    if (options.maxResponseLength !== undefined) this.maxResponseLength = options.maxResponseLength;
  }

  /**
   * Load the JSON transcript format
   * `{ "description": string, "exchanges": [ { "c": hex, "r": hex, "note"?: string } ] }`
   * (hex in either case, spaces allowed), where an exchange may carry `"error": "card-removed"`
   * instead of `"r"` (see `test/vectors/README.md`). Other top-level keys (`name`, `card`) are
   * ignored. Accepts the parsed object or the JSON text.
   *
   * @throws InvalidArgumentError when the transcript does not have this shape
   */
  static fromJson(transcript: unknown, options: Omit<ReplayTransportOptions, 'description'> = {}): ReplayTransport {
    const obj: unknown = typeof transcript === 'string' ? parseJson(transcript) : transcript;
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      throw new InvalidArgumentError('A replay transcript must be a JSON object');
    }
    const { description, exchanges } = obj as { description?: unknown; exchanges?: unknown };
    if (description !== undefined && typeof description !== 'string') {
      throw new InvalidArgumentError('Replay transcript "description" must be a string');
    }
    if (!Array.isArray(exchanges)) throw new InvalidArgumentError('Replay transcript "exchanges" must be an array');
    const parsed = exchanges.map((e: unknown, i): ReplayExchange => {
      if (typeof e !== 'object' || e === null) throw new InvalidArgumentError(`Replay exchange #${i} must be an object`);
      const { c, r, error, note, ...rest } = e as Record<string, unknown>;
      const extra = Object.keys(rest);
      if (extra.length > 0) throw new InvalidArgumentError(`Replay exchange #${i}: unknown key "${extra[0]}"`);
      if (note !== undefined && typeof note !== 'string') {
        throw new InvalidArgumentError(`Replay exchange #${i}: "note" must be a string`);
      }
      if (error !== undefined) {
        if (error !== 'card-removed' || r !== undefined) {
          throw new InvalidArgumentError(`Replay exchange #${i}: "error" must be "card-removed" and comes without "r"`);
        }
        return { command: hexField(c, i, 'c'), error, note };
      }
      return { command: hexField(c, i, 'c'), response: hexField(r, i, 'r'), note };
    });
    return new ReplayTransport(parsed, { ...options, description: description ?? '' });
  }

  /**
   * Load the plain-text form: `=> hex` command lines, each followed by one `<= hex` response
   * line. Blank lines and lines starting with `#` or `//` are ignored.
   *
   * @throws InvalidArgumentError for any other line or a missing/extra response
   */
  static fromText(text: string, options: ReplayTransportOptions = {}): ReplayTransport {
    if (typeof text !== 'string') throw new InvalidArgumentError('ReplayTransport.fromText needs a string');
    const exchanges: ReplayExchange[] = [];
    let pending: Uint8Array | undefined;
    text.split(/\r?\n/).forEach((raw, lineIndex) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#') || line.startsWith('//')) return;
      const where = `line ${lineIndex + 1}`;
      const match = /^(=>|<=)\s*(.*)$/.exec(line);
      if (!match) throw new InvalidArgumentError(`Replay text ${where}: expected "=> hex" or "<= hex"`);
      const bytes = hexOrThrow(match[2]!, where);
      if (match[1] === '=>') {
        if (pending) throw new InvalidArgumentError(`Replay text ${where}: a command follows a command without a response`);
        pending = bytes;
      } else {
        if (!pending) throw new InvalidArgumentError(`Replay text ${where}: a response without a command`);
        exchanges.push({ command: pending, response: bytes });
        pending = undefined;
      }
    });
    if (pending) throw new InvalidArgumentError('Replay text: the last command has no response');
    return new ReplayTransport(exchanges, options);
  }

  /** Exchanges not yet played. */
  get remaining(): number {
    return this.#exchanges.length - this.#next;
  }

  /**
   * Check `command` against the next exchange and resolve to its recorded response (a copy).
   * After a mismatch every later call rejects with that same error.
   */
  async transmit(command: Uint8Array): Promise<Uint8Array> {
    if (this.#closed) throw new TransportError('ReplayTransport is closed', { code: 'transport-closed' });
    if (this.#failure) throw this.#failure;
    const index = this.#next;
    const expected = this.#exchanges[index];
    if (!expected) {
      this.#failure = new ReplayError(
        'replay-exhausted',
        index,
        `${this.#label()}transcript exhausted after ${index} exchange(s); unexpected command ${formatCommandRedacted(command)}`,
      );
      throw this.#failure;
    }
    if (!(command instanceof Uint8Array) || !equalBytes(command, expected.command)) {
      const actual = command instanceof Uint8Array ? formatCommandRedacted(command) : typeof command;
      this.#failure = new ReplayError(
        'replay-mismatch',
        index,
        `${this.#label()}unexpected command at exchange #${index}${expected.note ? ` (${expected.note})` : ''}: ` +
          `expected ${formatCommandRedacted(expected.command)}, got ${actual}`,
      );
      throw this.#failure;
    }
    this.#next++;
    if (expected.error === 'card-removed') throw new CardRemovedError();
    return expected.response!.slice();
  }

  /**
   * Throw unless every exchange was played and no mismatch happened.
   * @throws ReplayError with code `'replay-leftover'`, or the earlier mismatch/exhaustion error
   */
  assertDone(): void {
    if (this.#failure) throw this.#failure;
    const left = this.remaining;
    if (left > 0) {
      const next = this.#exchanges[this.#next]!;
      throw new ReplayError(
        'replay-leftover',
        this.#next,
        `${this.#label()}${left} exchange(s) not played; next expected #${this.#next}: ${formatCommandRedacted(next.command)}`,
      );
    }
  }

  /** Mark the transport closed; later transmits reject with a `TransportError`. */
  async close(): Promise<void> {
    this.#closed = true;
  }

  #label(): string {
    return this.description ? `Replay "${this.description}": ` : 'Replay: ';
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new InvalidArgumentError('A replay transcript is not valid JSON');
  }
}

function hexField(value: unknown, index: number, key: string): Uint8Array {
  if (typeof value !== 'string') throw new InvalidArgumentError(`Replay exchange #${index}: "${key}" must be a hex string`);
  return hexOrThrow(value, `exchange #${index} "${key}"`);
}

function hexOrThrow(hex: string, where: string): Uint8Array {
  if (!/^[0-9a-fA-F\s]*$/.test(hex)) throw new InvalidArgumentError(`Replay ${where}: not hex`);
  try {
    return fromHex(hex);
  } catch {
    throw new InvalidArgumentError(`Replay ${where}: odd number of hex digits`);
  }
}
