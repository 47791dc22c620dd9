/**
 * A fake `navigator.smartCard` (Web Smart Card API, WICG) whose readers hold virtual cards:
 * for tests of `mynacard/web-smart-card` in Node and for pages in a headless browser. Written
 * from the specification's method steps (one call at a time per context, transactions whose
 * callback decides the disposition, `SmartCardError` response codes) with PC/SC behaviour
 * underneath (a second connection's BeginTransaction waits, its commands are refused meanwhile,
 * a removed card stays removed for a connection).
 *
 * ```ts
 * const card = await VirtualMyNumberCard.create();
 * const smartCard = new FakeSmartCard();
 * smartCard.addReader('Virtual Reader 00 00', card);
 * const transport = await waitForCard({ smartCard });
 * ```
 * @packageDocumentation
 */
import type {
  SmartCardContextLike,
  SmartCardResourceManagerLike,
} from '../../web-smart-card/api-types.js';
import { InvalidArgumentError } from '../../errors.js';
import { FakeContext } from './context.js';
import { domException, nextTask, smartCardError } from './errors.js';
import { FakeReader, type FakeSmartCardCard } from './reader.js';
import { FakeState, type FakeSmartCardTransactionRecord } from './state.js';

export { createSmartCardError, type SmartCardErrorLike } from './errors.js';
export type { FakeSmartCardCard } from './reader.js';
export type { FakeSmartCardTransactionRecord } from './state.js';

/** Options of {@link FakeSmartCard}. */
export interface FakeSmartCardOptions {
  /**
   * `'denied'`: `connect` rejects with `NotAllowedError` (the user or a policy said no);
   * `'prompt'`: `connect` waits until {@link FakeSmartCard.answerPrompt}. Default `'granted'`.
   */
  readonly permission?: 'granted' | 'denied' | 'prompt' | undefined;
  /** `false`: `establishContext` rejects with `SecurityError` (no "smart-card" permissions policy). Default `true`. */
  readonly allowed?: boolean | undefined;
  /** `false`: `establishContext` rejects with `SmartCardError` `'no-service'`. Default `true`. */
  readonly service?: boolean | undefined;
  /**
   * The PnP pseudo-reader: `true` (default) notifies reader arrival and removal; `false`: the
   * platform flags it unknown; `'refused'`: a wait that names it rejects with `unknown-reader`.
   */
  readonly pnp?: boolean | 'refused' | undefined;
}

/** A fake `navigator.smartCard`: readers, cards, permission, and what happened. */
export class FakeSmartCard implements SmartCardResourceManagerLike {
  readonly #state = new FakeState();
  readonly #allowed: boolean;
  readonly #service: boolean;

  constructor(options: FakeSmartCardOptions = {}) {
    this.#state.permission = options.permission ?? 'granted';
    this.#state.pnp = options.pnp === 'refused' ? 'refused' : options.pnp === false ? 'unknown' : 'known';
    this.#allowed = options.allowed !== false;
    this.#service = options.service !== false;
  }

  /** `establishContext()`: a new context. */
  async establishContext(): Promise<SmartCardContextLike> {
    this.#state.count('establishContext');
    if (!this.#allowed) throw domException('SecurityError', 'The "smart-card" feature is not allowed by the permissions policy');
    await nextTask();
    if (!this.#service) throw smartCardError('no-service');
    return new FakeContext(this.#state);
  }

  /** The permission `connect` meets from now on. */
  get permission(): 'granted' | 'denied' | 'prompt' {
    return this.#state.permission;
  }

  /** Grant, deny, or ask for (`'prompt'`) the permission of later `connect` calls. */
  set permission(value: 'granted' | 'denied' | 'prompt') {
    this.#state.permission = value;
  }

  /** The user answers the permission prompts shown so far. */
  answerPrompt(answer: 'granted' | 'denied'): void {
    this.#state.answerPrompt(answer);
  }

  /** Permission prompts waiting for the user. */
  get pendingPrompts(): number {
    return this.#state.prompts;
  }

  /**
   * Plug in a reader, with a card in it or empty. `extendedApdu: false`: the reader carries
   * short APDUs only and fails an extended one with `not-transacted` (as pcsc-lite's CCID
   * driver does for a short-APDU-level reader).
   */
  addReader(name: string, card?: FakeSmartCardCard, options: { readonly extendedApdu?: boolean } = {}): void {
    if (typeof name !== 'string' || name === '' || this.#state.readers.has(name)) {
      throw new InvalidArgumentError('reader name must be a new non-empty string');
    }
    const reader = new FakeReader(name, card);
    reader.extendedApdu = options.extendedApdu !== false;
    this.#state.readers.set(name, reader);
    this.#state.notify();
  }

  /**
   * Another application resets the card (SCardReconnect with a reset): the card drops its
   * state, and every connection made before gets `reset-card` until it is replaced.
   */
  resetCard(name: string): void {
    const reader = this.#reader(name);
    const card = reader.card;
    if (card === undefined) throw new InvalidArgumentError(`no card in "${name}"`);
    card.reset?.();
    reader.resets++;
  }

  /** Unplug a reader: its connections get `reader-unavailable`. */
  removeReader(name: string): void {
    const reader = this.#reader(name);
    reader.attached = false;
    this.#state.readers.delete(name);
    this.#state.notify();
  }

  /** Put a card into a reader (an insertion). */
  insertCard(name: string, card: FakeSmartCardCard): void {
    this.#reader(name).insert(card);
    this.#state.notify();
  }

  /** Take the card out of a reader (a removal): its connections get `removed-card`. */
  removeCard(name: string): void {
    this.#reader(name).remove();
    this.#state.notify();
  }

  /** Transactions ended so far, oldest first, with their disposition. */
  get transactions(): readonly FakeSmartCardTransactionRecord[] {
    return this.#state.transactions;
  }

  /** How often each API method was called (`'transmit'`, `'startTransaction'`, …). */
  calls(method: string): number {
    return this.#state.calls.get(method) ?? 0;
  }

  /** Connections open on a reader. */
  connections(name: string): number {
    return this.#reader(name).clients.size;
  }

  /** Begins waiting for the reader's transaction. */
  waitingTransactions(name: string): number {
    return this.#reader(name).waiting;
  }

  #reader(name: string): FakeReader {
    const reader = this.#state.readers.get(name);
    if (reader === undefined) throw new InvalidArgumentError(`no reader named "${name}"`);
    return reader;
  }
}
