/**
 * A fake `SmartCardContext`: `listReaders`, `getStatusChange` (with the PnP pseudo-reader,
 * the insertion count in `eventCount`, a timeout rejecting with a `TimeoutError` DOMException
 * as Chromium does, and an abort signal rejecting with its reason), and `connect` (permission
 * asked here: `NotAllowedError` when denied).
 * @packageDocumentation
 */
import {
  PNP_NOTIFICATION,
  type SmartCardAccessMode,
  type SmartCardConnectOptions,
  type SmartCardConnectResultLike,
  type SmartCardContextLike,
  type SmartCardGetStatusChangeOptions,
  type SmartCardReaderStateFlagsOut,
  type SmartCardReaderStateIn,
  type SmartCardReaderStateOut,
} from '../../web-smart-card/api-types.js';
import { FakeConnection } from './connection.js';
import { ContextCore } from './context-core.js';
import { domException, nextTask, smartCardError } from './errors.js';
import { DEFAULT_ATR } from './reader.js';
import type { FakeState } from './state.js';

const COMPARED = ['unavailable', 'empty', 'present', 'exclusive', 'inuse', 'mute', 'unpowered'] as const;

/** @internal Made by `FakeSmartCard.establishContext`. */
export class FakeContext implements SmartCardContextLike {
  readonly #core: ContextCore;

  constructor(state: FakeState) {
    this.#core = new ContextCore(state);
  }

  async listReaders(): Promise<string[]> {
    this.#core.begin();
    this.#core.state.count('listReaders');
    await nextTask();
    const names = [...this.#core.state.readers.keys()];
    this.#core.clear();
    return names;
  }

  async getStatusChange(
    readerStates: SmartCardReaderStateIn[],
    options: SmartCardGetStatusChangeOptions = {},
  ): Promise<SmartCardReaderStateOut[]> {
    this.#core.assertIdle();
    const { signal, timeout } = options;
    if (signal?.aborted) throw signal.reason;
    this.#core.begin();
    const state = this.#core.state;
    state.count('getStatusChange');
    if (state.pnp === 'refused' && readerStates.some((s) => s.readerName === PNP_NOTIFICATION)) {
      await nextTask();
      this.#core.clear();
      throw smartCardError('unknown-reader');
    }
    const deadline = timeout === undefined ? undefined : Date.now() + timeout;
    try {
      for (;;) {
        const out = readerStates.map((s) => this.#stateOut(s));
        if (out.some((s) => s.eventState.changed === true)) {
          await nextTask();
          return out;
        }
        const change = state.changed();
        let timer: ReturnType<typeof setTimeout> | undefined;
        let onAbort: (() => void) | undefined;
        const outcome = await new Promise<'changed' | 'timeout' | 'aborted'>((resolve) => {
          void change.promise.then(() => resolve('changed'));
          if (deadline !== undefined) timer = setTimeout(() => resolve('timeout'), Math.max(deadline - Date.now(), 0));
          onAbort = () => resolve('aborted');
          signal?.addEventListener('abort', onAbort, { once: true });
        });
        change.cancel();
        if (timer !== undefined) clearTimeout(timer);
        if (onAbort !== undefined) signal?.removeEventListener('abort', onAbort);
        if (outcome === 'aborted') {
          await nextTask();
          throw signal?.reason;
        }
        if (outcome === 'timeout') {
          await nextTask();
          throw domException('TimeoutError', 'getStatusChange timed out');
        }
      }
    } finally {
      this.#core.clear();
    }
  }

  async connect(
    readerName: string,
    accessMode: SmartCardAccessMode,
    options: SmartCardConnectOptions = {},
  ): Promise<SmartCardConnectResultLike> {
    this.#core.assertIdle();
    if (this.#core.activeReaderTransactions.has(readerName)) {
      throw domException('InvalidStateError', 'A transaction is active on this reader in this context');
    }
    if (!['shared', 'exclusive', 'direct'].includes(accessMode)) {
      throw new TypeError(`'${String(accessMode)}' is not a valid SmartCardAccessMode`);
    }
    this.#core.begin();
    const state = this.#core.state;
    state.count('connect');
    await nextTask();
    try {
      const permission = state.permission === 'prompt' ? await state.prompt() : state.permission;
      if (permission === 'denied') throw domException('NotAllowedError', 'Permission to use the reader was denied');
      const reader = state.readers.get(readerName);
      if (reader === undefined) throw smartCardError('unknown-reader');
      if (accessMode === 'direct') throw smartCardError('unsupported-feature');
      reader.noticeRemoval();
      if (reader.card === undefined) throw smartCardError('no-smartcard');
      const exclusive = accessMode === 'exclusive';
      if ([...reader.clients].some((c) => c.exclusive) || (exclusive && reader.clients.size > 0)) {
        throw smartCardError('sharing-violation');
      }
      // The virtual card's ATR offers T=1 only.
      if (!(options.preferredProtocols ?? []).includes('t1')) throw smartCardError('proto-mismatch');
      const connection = new FakeConnection(this.#core, reader, exclusive);
      reader.clients.add(connection);
      this.#core.connections.add(connection);
      state.notify();
      return { connection, activeProtocol: 't1' };
    } finally {
      this.#core.clear();
    }
  }

  #stateOut(stateIn: SmartCardReaderStateIn): SmartCardReaderStateOut {
    const { readerName, currentState, currentCount } = stateIn;
    const state = this.#core.state;
    if (currentState.ignore === true) return { readerName, eventState: { ignore: true }, eventCount: 0 };
    if (readerName === PNP_NOTIFICATION) {
      if (state.pnp !== 'known') return { readerName, eventState: { unknown: true, changed: true, ignore: true }, eventCount: 0 };
      const readers = state.readers.size;
      const changed = currentState.unaware === true || (currentCount ?? 0) !== readers;
      return { readerName, eventState: changed ? { changed } : {}, eventCount: readers };
    }
    const reader = state.readers.get(readerName);
    if (reader === undefined) return { readerName, eventState: { unknown: true, changed: true, ignore: true }, eventCount: 0 };
    reader.noticeRemoval();
    const card = reader.card;
    const clients = [...reader.clients];
    const flags: { -readonly [K in keyof SmartCardReaderStateFlagsOut]: SmartCardReaderStateFlagsOut[K] } =
      card === undefined ? { empty: true } : { present: true };
    if (card !== undefined && clients.some((c) => c.exclusive)) flags.exclusive = true;
    else if (card !== undefined && clients.length > 0) flags.inuse = true;
    const changed =
      currentState.unaware === true ||
      COMPARED.some((flag) => (currentState[flag] === true) !== (flags[flag] === true)) ||
      (currentCount !== undefined && currentCount !== reader.count);
    if (changed) flags.changed = true;
    const out: SmartCardReaderStateOut = { readerName, eventState: flags, eventCount: reader.count };
    if (card === undefined) return out;
    const atr = card.atr ?? DEFAULT_ATR;
    const answerToReset = new ArrayBuffer(atr.length);
    new Uint8Array(answerToReset).set(atr);
    return { ...out, answerToReset };
  }
}
