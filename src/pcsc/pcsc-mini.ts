/**
 * The part of `pcsc-mini` (0.1.x, optional peer dependency) this transport uses, typed
 * structurally so that `mynacard/pcsc` type-checks without it, plus the one place that loads
 * it. Nothing here imports `pcsc-mini` statically.
 * @packageDocumentation
 */
import { PcscServiceError } from '../errors.js';

/** pcsc-mini `ReaderStatus` flags used here (SCARD_STATE_*). */
export const READER_STATUS = {
  /** SCARD_STATE_CHANGED */
  changed: 0x2,
  /** SCARD_STATE_UNKNOWN */
  unknown: 0x4,
  /** SCARD_STATE_UNAVAILABLE */
  unavailable: 0x8,
  /** SCARD_STATE_EMPTY */
  empty: 0x10,
  /** SCARD_STATE_PRESENT */
  present: 0x20,
  /** SCARD_STATE_EXCLUSIVE */
  exclusive: 0x80,
  /** SCARD_STATE_INUSE */
  inUse: 0x100,
  /** SCARD_STATE_MUTE */
  mute: 0x200,
} as const;

/** pcsc-mini `CardMode.SHARED` (SCARD_SHARE_SHARED). */
export const CARD_MODE_SHARED = 2;
/** pcsc-mini `CardDisposition` (SCARD_LEAVE_CARD / SCARD_RESET_CARD). */
export const DISPOSITION = { leave: 0, reset: 1 } as const;
/** pcsc-mini `Protocol` (SCARD_PROTOCOL_T0 / T1). */
export const PROTOCOL = { t0: 1, t1: 2, any: 3 } as const;

/** Reader status flags as pcsc-mini reports them (`ReaderStatusFlags`). */
export interface PcscMiniStatus {
  /** Raw SCARD_STATE_* mask; the upper 16 bits count card insertions/removals. */
  readonly raw: number;
}

/** A pcsc-mini transaction handle (SCardBeginTransaction … SCardEndTransaction). */
export interface PcscMiniTransaction {
  /**
   * End the transaction (SCardEndTransaction); `disposition` is a pcsc-mini `CardDisposition`
   * (SCARD_LEAVE_CARD, SCARD_RESET_CARD).
   */
  end(disposition: number): Promise<void>;
}

/** A pcsc-mini card state (SCardStatus). */
export interface PcscMiniCardState {
  /** The card's ATR (Answer To Reset). */
  readonly atr: Uint8Array;
  /** The active protocol, a pcsc-mini `Protocol` (SCARD_PROTOCOL_T0 or T1). */
  readonly protocol: number;
  /** The PC/SC name of the reader holding the card. */
  readonly readerName: string;
  /** Reader state flags: an object with the raw SCARD_STATE_* mask, or the mask itself. */
  readonly status:
    | {
        /** Raw SCARD_STATE_* mask (pcsc-mini `ReaderStatus` flags). */
        readonly raw: number;
      }
    | number;
}

/** A pcsc-mini card connection (one SCARDHANDLE in its own context). */
export interface PcscMiniCard {
  /** Send one command APDU and resolve with the response (data ‖ SW1 SW2) (SCardTransmit). */
  transmit(input: Uint8Array, outputBuffer?: ArrayBuffer): Promise<Uint8Array>;
  /** Read the card's ATR, protocol, reader name and state (SCardStatus). */
  state(): Promise<PcscMiniCardState>;
  /** The protocol negotiated at connect, a pcsc-mini `Protocol`. */
  protocol(): number;
  /** Take exclusive use of the card until the returned handle is ended (SCardBeginTransaction). */
  transaction(): Promise<PcscMiniTransaction>;
  /**
   * Reconnect the handle (SCardReconnect), e.g. to reset the card or recover after another
   * application reset it; `mode` is a pcsc-mini `CardMode` (e.g. `SHARED`), `disposition` a
   * `CardDisposition`. Resolves with the active protocol.
   */
  reconnect(mode: number, disposition: number): Promise<number>;
  /** Release the card handle (SCardDisconnect); `disposition` is a pcsc-mini `CardDisposition`. */
  disconnect(disposition: number): Promise<void>;
}

/** A pcsc-mini reader (`change` / `disconnect` events). */
export interface PcscMiniReader {
  /** The reader's PC/SC name. */
  name(): string;
  /**
   * Connect to the card in the reader (SCardConnect); `mode` is a pcsc-mini `CardMode` (e.g.
   * `SHARED`), `protocol` the pcsc-mini `Protocol` flags to accept (pcsc-mini's default when absent).
   */
  connect(mode: number, protocol?: number): Promise<PcscMiniCard>;
  /** Listen for reader state changes (card inserted, removed, mute …) with the new status and ATR. */
  on(event: 'change', listener: (status: PcscMiniStatus, atr: Uint8Array) => void): unknown;
  /** Listen for the reader being unplugged or otherwise gone. */
  on(event: 'disconnect', listener: () => void): unknown;
}

/** A pcsc-mini client (reader monitor thread). */
export interface PcscMiniClient {
  /** Listen for each reader the monitor finds. */
  on(event: 'reader', listener: (reader: PcscMiniReader) => void): unknown;
  /** Listen for errors of the monitor thread (e.g. the PC/SC service stopped); `code` is pcsc-mini's error code. */
  on(event: 'error', listener: (error: Error & { code?: string }) => void): unknown;
  /** Start the reader monitor thread. */
  start(): unknown;
  /** Stop the reader monitor thread. */
  stop(): void;
}

/** What mynacard needs from the `pcsc-mini` module. Inject your own for tests or bundling. */
export interface PcscMiniModule {
  /**
   * The pcsc-mini `Client` class: each instance monitors the readers.
   * @returns a new client; call `start()` to begin monitoring
   */
  readonly Client: new () => PcscMiniClient;
}

/**
 * Load `pcsc-mini` with a dynamic import, so that `mynacard/pcsc` can be imported without it.
 *
 * @throws PcscServiceError when the package is not installed or its native addon (which links
 *   the system's PC/SC library) cannot be loaded
 */
export async function loadPcscMini(): Promise<PcscMiniModule> {
  let ns: unknown;
  try {
    ns = await import(/* webpackIgnore: true */ /* @vite-ignore */ 'pcsc-mini');
  } catch (cause) {
    throw loadFailure(cause);
  }
  return pickModule(ns);
}

/** The CommonJS exports may sit on the namespace itself or on `default`. */
export function pickModule(ns: unknown): PcscMiniModule {
  const candidates = [ns, (ns as { default?: unknown } | undefined)?.default];
  for (const c of candidates) {
    if (typeof c === 'object' && c !== null && typeof (c as { Client?: unknown }).Client === 'function') {
      return c as PcscMiniModule;
    }
  }
  throw new PcscServiceError('The module loaded as pcsc-mini has no Client class: install pcsc-mini ^0.1.3');
}

/** Turn an import failure into a message that tells the user what to install. */
export function loadFailure(cause: unknown): PcscServiceError {
  const code = (cause as { code?: unknown } | undefined)?.code;
  const message = cause instanceof Error ? cause.message : String(cause);
  if ((code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes('pcsc-mini')) {
    return new PcscServiceError(
      'The PC/SC transport needs the optional package pcsc-mini: install it with `npm install pcsc-mini`',
      { cause },
    );
  }
  if (/libpcsclite|addon|shared object|dlopen|Unsupported platform/i.test(message)) {
    return new PcscServiceError(
      `pcsc-mini could not load its native addon or the system PC/SC library (${firstLine(message)}). ` +
        pcscInstallHint(),
      { cause },
    );
  }
  return new PcscServiceError(`pcsc-mini could not be loaded (${firstLine(message)})`, { cause });
}

/** Where to get the PC/SC service on this platform. */
export function pcscInstallHint(): string {
  const platform = globalThis.process?.platform;
  if (platform === 'win32') return 'Start the Windows "Smart Card" service (SCardSvr).';
  if (platform === 'darwin') return 'macOS ships its PC/SC service; check that a reader is connected.';
  return 'Install and start pcscd (Debian/Ubuntu: `sudo apt install pcscd`, then `sudo systemctl start pcscd.socket`).';
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0]!.slice(0, 200);
}

/** Whether a raw reader state says a card is in the reader. */
export function isCardPresent(raw: number | undefined): boolean {
  return raw !== undefined && (raw & READER_STATUS.present) !== 0;
}

/** Whether a raw reader state says a card is in the reader and answered its reset (not mute). */
export function isCardUsable(raw: number | undefined): boolean {
  return isCardPresent(raw) && (raw! & READER_STATUS.mute) === 0;
}

/** The insertion/removal counter pcsc-lite keeps in the upper 16 bits of the reader state. */
export function eventCounter(raw: number | undefined): number {
  return raw === undefined ? 0 : raw >>> 16;
}
