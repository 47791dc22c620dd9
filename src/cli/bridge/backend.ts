/**
 * The bridge's reader side: where its card connections come from. The default is the SDK's
 * PC/SC transport (`mynacard/pcsc`); tests inject a backend over the virtual card.
 * @packageDocumentation
 */
import { ReaderUnavailableError } from '../../errors.js';
import type { ReaderInfo } from '../../transport/readers.js';
import type { Transport } from '../../transport/transport.js';

/** A card connection of the bridge: a transport with transactions, the reader's name and the ATR. */
export interface BackendCard extends Transport {
  readonly reader: string;
  readonly atr: Uint8Array;
  withTransaction<T>(fn: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Where the bridge's readers and card connections come from. */
export interface BridgeBackend {
  /** The readers and whether a card is in each. */
  listReaders(): Promise<readonly ReaderInfo[]>;
  /** Connect (shared) to the card in `reader`, or in the first reader with a card. */
  connect(reader: string | undefined): Promise<BackendCard>;
}

/** The part of a `PcscContext` (or of `mynacard/pcsc` itself) the PC/SC backend uses. */
export interface PcscReaderSource {
  listReaders(): Promise<readonly ReaderInfo[]>;
  connect(reader: string): Promise<BackendCard>;
}

/**
 * The default backend: PC/SC through `mynacard/pcsc` (pcsc-mini loaded on first use), or
 * through `source` (a `PcscContext`).
 */
export function pcscBackend(source?: PcscReaderSource): BridgeBackend {
  const load = async (): Promise<PcscReaderSource> => source ?? (await import('../../pcsc/index.js'));
  return {
    async listReaders() {
      return (await load()).listReaders();
    },
    async connect(reader) {
      const pcsc = await load();
      if (reader !== undefined) return pcsc.connect(reader);
      const withCard = (await pcsc.listReaders()).find((r) => r.cardPresent);
      if (withCard === undefined) throw new ReaderUnavailableError('No card in any reader');
      return pcsc.connect(withCard.name);
    },
  };
}

/** A backend whose one reader holds `card` (`mynacard bridge --simulator`: develop a page without a card). */
export function simulatorBackend(card: Transport & { readonly atr?: Uint8Array }, reader = 'mynacard virtual card'): BridgeBackend {
  return {
    listReaders: () => Promise.resolve([{ name: reader, cardPresent: true, mute: false, inUse: false, exclusive: false }]),
    connect(name) {
      if (name !== undefined && name !== reader) return Promise.reject(new ReaderUnavailableError(`No reader named ${JSON.stringify(name)}`));
      return Promise.resolve({
        reader,
        atr: card.atr ?? new Uint8Array(0),
        transmit: (command: Uint8Array) => card.transmit(command),
        // One card, one bridge: the bridge's reader hold is the transaction.
        withTransaction: <T>(fn: () => Promise<T>) => fn(),
        close: () => Promise.resolve(),
      });
    },
  };
}
