/**
 * What every context and connection of one fake `navigator.smartCard` shares: the readers,
 * the permission, change notifications, and a record of transactions (no APDU data).
 * @packageDocumentation
 */
import type { SmartCardDisposition } from '../../web-smart-card/api-types.js';
import type { FakeReader } from './reader.js';

/** A transaction as the fake saw it end. */
export interface FakeSmartCardTransactionRecord {
  /** The reader. */
  readonly reader: string;
  /** How the card was left: the callback's result (`'reset'` when it returned nothing or rejected). */
  readonly disposition: SmartCardDisposition;
}

/** The shared state of one fake. @internal */
export class FakeState {
  readonly readers = new Map<string, FakeReader>();
  /** `'prompt'`: each `connect` waits until the prompt is answered ({@link answerPrompt}). */
  permission: 'granted' | 'denied' | 'prompt' = 'granted';
  readonly #prompts: ((answer: 'granted' | 'denied') => void)[] = [];

  /** The answer of the user to a prompt `connect` shows. */
  prompt(): Promise<'granted' | 'denied'> {
    return new Promise((resolve) => this.#prompts.push(resolve));
  }

  /** Answer every prompt shown so far. */
  answerPrompt(answer: 'granted' | 'denied'): void {
    for (const resolve of this.#prompts.splice(0)) resolve(answer);
  }

  /** Prompts waiting for an answer. */
  get prompts(): number {
    return this.#prompts.length;
  }
  /** PnP pseudo-reader: known; unknown (flagged so); or refused (the call rejects with `unknown-reader`). */
  pnp: 'known' | 'unknown' | 'refused' = 'known';
  readonly transactions: FakeSmartCardTransactionRecord[] = [];
  /** Calls by kind (`'transmit'`, `'getStatusChange'`, …), for tests. */
  readonly calls = new Map<string, number>();
  readonly #listeners = new Set<() => void>();

  count(call: string): void {
    this.calls.set(call, (this.calls.get(call) ?? 0) + 1);
  }

  /** Wake every `getStatusChange` to look again. */
  notify(): void {
    const listeners = [...this.#listeners];
    this.#listeners.clear();
    for (const listener of listeners) listener();
  }

  /** Resolves at the next {@link notify}. */
  changed(): { readonly promise: Promise<void>; cancel(): void } {
    let listener!: () => void;
    const promise = new Promise<void>((resolve) => (listener = resolve));
    this.#listeners.add(listener);
    return { promise, cancel: () => this.#listeners.delete(listener) };
  }
}
