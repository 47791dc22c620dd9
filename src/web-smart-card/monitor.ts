/**
 * Reader states over one context: the reader list, and waits for a change through
 * `getStatusChange` (reader arrival and departure through the PnP pseudo-reader). Shared by
 * `waitForCard` and `watchReaders`.
 * @packageDocumentation
 */
import { AbortedError, MynacardError, ReaderUnavailableError } from '../errors.js';
import {
  PNP_NOTIFICATION,
  type SmartCardContextLike,
  type SmartCardReaderStateFlagsIn,
  type SmartCardReaderStateFlagsOut,
  type SmartCardReaderStateIn,
  type SmartCardReaderStateOut,
} from './api-types.js';
import { mapWebSmartCardError } from './errors.js';

/** What the monitor knows of one reader. */
export interface ReaderState {
  readonly flags: SmartCardReaderStateFlagsOut;
  /** Insertions + removals (0 where the platform does not count). */
  readonly count: number;
  readonly atr: Uint8Array | undefined;
}

/** One reader's change in a {@link ReaderMonitor.update}. */
export interface ReaderChange {
  readonly name: string;
  /** Undefined: the reader was added. */
  readonly before: ReaderState | undefined;
  /** Undefined: the reader was removed. */
  readonly after: ReaderState | undefined;
}

/** Without PnP notifications (or when a wait returns with nothing new): look again after this long. */
export const POLL_INTERVAL_MS = 1000;
/** A wait that returned with nothing new is not repeated sooner than this (no busy loop). */
const MIN_IDLE_MS = 100;

/** Whether a card is in the reader (and the reader usable). */
export function isPresent(state: ReaderState | undefined): boolean {
  return state !== undefined && state.flags.present === true && state.flags.unavailable !== true;
}

/** A card that can be connected to now: present, answering, not held exclusively. */
export function isUsable(state: ReaderState | undefined): boolean {
  return isPresent(state) && state!.flags.mute !== true && state!.flags.exclusive !== true;
}

/** The reader list and states of one context; every call is bounded by the signal given. */
export class ReaderMonitor {
  readonly #context: SmartCardContextLike;
  readonly #states = new Map<string, ReaderState>();
  /** False once the platform showed it does not know the PnP pseudo-reader. */
  #pnp = true;

  constructor(context: SmartCardContextLike) {
    this.#context = context;
  }

  /** The readers known and their states. */
  get readers(): ReadonlyMap<string, ReaderState> {
    return this.#states;
  }

  /** Read the reader list and the state of every reader; returns what changed. */
  async update(signal: AbortSignal): Promise<ReaderChange[]> {
    const names = await this.#call(() => this.#context.listReaders(), signal, 'listing the readers');
    const changes: ReaderChange[] = [];
    const current = new Set(names);
    for (const [name, before] of this.#states) {
      if (!current.has(name)) {
        this.#states.delete(name);
        changes.push({ name, before, after: undefined });
      }
    }
    if (names.length === 0) return changes;
    const out = await this.#call(
      () =>
        this.#context.getStatusChange(
          names.map((readerName) => ({ readerName, currentState: { unaware: true } })),
          { signal },
        ),
      signal,
      'reading the reader states',
    );
    for (const state of out) {
      if (!current.has(state.readerName) || state.eventState.unknown === true) continue;
      const before = this.#states.get(state.readerName);
      const after = stateOf(state);
      this.#states.set(state.readerName, after);
      if (before === undefined || differs(before, after)) changes.push({ name: state.readerName, before, after });
    }
    return changes;
  }

  /**
   * Wait until a reader's state differs from what the monitor knows, a reader comes or goes,
   * or (without PnP) the poll interval passes; then {@link update}. Returns what changed
   * (possibly nothing).
   */
  async wait(signal: AbortSignal): Promise<ReaderChange[]> {
    const started = Date.now();
    // The API's own wait ends on `poll` (the caller's abort, or the poll interval); the caller's
    // signal alone also ends our wait at once, should the platform be slow to cancel.
    const poll = new AbortController();
    const onAbort = (): void => poll.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const timer = this.#pnp ? undefined : setTimeout(() => poll.abort(POLL), POLL_INTERVAL_MS);
    const states: SmartCardReaderStateIn[] = [...this.#states].map(([readerName, state]) => ({
      readerName,
      currentState: flagsIn(state.flags),
      currentCount: state.count,
    }));
    if (this.#pnp) states.push({ readerName: PNP_NOTIFICATION, currentState: {}, currentCount: this.#states.size });
    try {
      if (states.length === 0) {
        // No reader and no notifications: wait out the poll interval.
        await delay(POLL_INTERVAL_MS, signal);
      } else {
        const out = await this.#call(
          () => this.#context.getStatusChange(states, { signal: poll.signal }),
          signal,
          'waiting for a reader change',
        );
        const pnp = out.find((s) => s.readerName === PNP_NOTIFICATION);
        if (pnp !== undefined && (pnp.eventState.unknown === true || pnp.eventState.ignore === true)) this.#pnp = false;
      }
    } catch (error) {
      // A platform that refuses the PnP pseudo-reader by name: look again by polling instead.
      const refusedPnp = this.#pnp && error instanceof ReaderUnavailableError;
      if (refusedPnp) this.#pnp = false;
      else if (signal.aborted || poll.signal.reason !== POLL) throw error;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
    const changes = await this.update(signal);
    if (changes.length === 0) await delay(Math.max(MIN_IDLE_MS - (Date.now() - started), 0), signal);
    return changes;
  }

  /** An API call on the context; the signal's abort rejects at once (the call may go on). */
  async #call<T>(call: () => Promise<T>, signal: AbortSignal, operation: string): Promise<T> {
    if (signal.aborted) throw reasonError(signal);
    try {
      return await raceAbort(call(), signal);
    } catch (error) {
      if (signal.aborted) throw reasonError(signal);
      if (error instanceof PollElapsed) throw error;
      throw mapWebSmartCardError(error, operation);
    }
  }
}

/** The poll timer's abort reason. */
class PollElapsed extends Error {}
const POLL = new PollElapsed('poll');

/** The error of an aborted wait: a `MynacardError` reason as it is (a timeout), else `AbortedError`. */
export function reasonError(signal: AbortSignal): MynacardError {
  const reason: unknown = signal.reason;
  if (reason instanceof MynacardError) return reason;
  return new AbortedError('Aborted while waiting for a reader or card', { cause: reason });
}

/** `promise`, or a rejection as soon as `signal` aborts. */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function delay(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return signal.aborted ? Promise.reject(signal.reason) : Promise.resolve();
  return raceAbort(new Promise<void>((resolve) => setTimeout(resolve, ms)), signal);
}

function stateOf(out: SmartCardReaderStateOut): ReaderState {
  const atr = out.answerToReset ? new Uint8Array(out.answerToReset).slice() : undefined;
  return { flags: { ...out.eventState }, count: out.eventCount ?? 0, atr: atr !== undefined && atr.length > 0 ? atr : undefined };
}

const FLAGS = ['unavailable', 'empty', 'present', 'exclusive', 'inuse', 'mute', 'unpowered'] as const;

function flagsIn(flags: SmartCardReaderStateFlagsOut): SmartCardReaderStateFlagsIn {
  const out: SmartCardReaderStateFlagsIn = {};
  for (const flag of FLAGS) if (flags[flag] === true) out[flag] = true;
  return out;
}

function differs(a: ReaderState, b: ReaderState): boolean {
  return a.count !== b.count || FLAGS.some((flag) => (a.flags[flag] === true) !== (b.flags[flag] === true));
}
