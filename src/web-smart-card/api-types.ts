/**
 * The shapes of the Web Smart Card API (WICG, `navigator.smartCard`) that the transport uses,
 * declared structurally so that neither the SDK nor its users need DOM typings for it (they are
 * not in TypeScript's `lib.dom`). Chromium's objects, and the fake of `mynacard/testing`, fit.
 *
 * Names follow the specification's WebIDL with a `Like` suffix on interfaces.
 * @packageDocumentation
 */

/** `SmartCardResponseCode`: the PC/SC result behind a `SmartCardError`. */
export type SmartCardResponseCode =
  | 'no-service'
  | 'no-smartcard'
  | 'not-ready'
  | 'not-transacted'
  | 'proto-mismatch'
  | 'reader-unavailable'
  | 'removed-card'
  | 'reset-card'
  | 'server-too-busy'
  | 'sharing-violation'
  | 'system-cancelled'
  | 'unknown-reader'
  | 'unpowered-card'
  | 'unresponsive-card'
  | 'unsupported-card'
  | 'unsupported-feature';

/** `SmartCardProtocol`. */
export type SmartCardProtocol = 'raw' | 't0' | 't1';

/** `SmartCardAccessMode`. */
export type SmartCardAccessMode = 'shared' | 'exclusive' | 'direct';

/** `SmartCardDisposition`: what happens to the card when a transaction or connection ends. */
export type SmartCardDisposition = 'leave' | 'reset' | 'unpower' | 'eject';

/** `SmartCardConnectionState`. */
export type SmartCardConnectionState = 'absent' | 'present' | 'swallowed' | 'powered' | 'negotiable' | 't0' | 't1' | 'raw';

/** `SmartCardReaderStateFlagsIn`: what the caller believes about a reader. */
export interface SmartCardReaderStateFlagsIn {
  /** The caller does not know the state and wants it. */
  unaware?: boolean;
  /** Leave this reader out of the wait. */
  ignore?: boolean;
  /** The reader is believed unavailable. */
  unavailable?: boolean;
  /** No card is believed to be in the reader. */
  empty?: boolean;
  /** A card is believed to be in the reader. */
  present?: boolean;
  /** The card is believed held exclusively by another application. */
  exclusive?: boolean;
  /** The card is believed in use by other applications (shared). */
  inuse?: boolean;
  /** The card is believed unresponsive. */
  mute?: boolean;
  /** The card is believed unpowered. */
  unpowered?: boolean;
}

/** `SmartCardReaderStateIn`. */
export interface SmartCardReaderStateIn {
  /** The reader's name, or the PnP pseudo-reader {@link PNP_NOTIFICATION}. */
  readerName: string;
  /** The state the caller knows. */
  currentState: SmartCardReaderStateFlagsIn;
  /** The card insertion + removal count the caller knows (the PnP pseudo-reader: the reader count). */
  currentCount?: number;
}

/** `SmartCardReaderStateFlagsOut`: a reader's actual state. */
export interface SmartCardReaderStateFlagsOut {
  /** The caller asked to ignore this reader. */
  readonly ignore?: boolean;
  /** The state differs from the caller's `currentState`. */
  readonly changed?: boolean;
  /** The reader cannot be used. */
  readonly unavailable?: boolean;
  /** No reader of this name is known. */
  readonly unknown?: boolean;
  /** No card is in the reader. */
  readonly empty?: boolean;
  /** A card is in the reader. */
  readonly present?: boolean;
  /** Another application holds the card exclusively. */
  readonly exclusive?: boolean;
  /** Other applications use the card (shared). */
  readonly inuse?: boolean;
  /** The card did not answer its reset. */
  readonly mute?: boolean;
  /** The card is not powered. */
  readonly unpowered?: boolean;
}

/** `SmartCardReaderStateOut`. */
export interface SmartCardReaderStateOut {
  /** The reader's name. */
  readonly readerName: string;
  /** Its actual state. */
  readonly eventState: SmartCardReaderStateFlagsOut;
  /** Card insertions + removals so far (0 where the platform does not count). */
  readonly eventCount?: number | undefined;
  /** The ATR of the card in the reader, when there is one. */
  readonly answerToReset?: ArrayBuffer | null | undefined;
}

/** `SmartCardGetStatusChangeOptions`. */
export interface SmartCardGetStatusChangeOptions {
  /** Milliseconds; absent: wait for ever. */
  timeout?: number;
  /** Cancels the wait (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** `SmartCardConnectOptions`. */
export interface SmartCardConnectOptions {
  /** Protocols the card may use. */
  preferredProtocols?: SmartCardProtocol[];
}

/** `SmartCardConnectResult`. */
export interface SmartCardConnectResultLike {
  /** The new connection. */
  readonly connection: SmartCardConnectionLike;
  /** The protocol in use, when it is T=0, T=1 or raw. */
  readonly activeProtocol?: SmartCardProtocol | undefined;
}

/** `SmartCardConnectionStatus`. */
export interface SmartCardConnectionStatusLike {
  /** The reader's name. */
  readonly readerName: string;
  /** The card's state. */
  readonly state: SmartCardConnectionState;
  /** The card's ATR. */
  readonly answerToReset?: ArrayBuffer | null | undefined;
}

/** `SmartCardTransmitOptions`. */
export interface SmartCardTransmitOptions {
  /** Protocol of this exchange; default: the active protocol. */
  protocol?: SmartCardProtocol;
}

/** `SmartCardTransactionOptions`. */
export interface SmartCardTransactionOptions {
  /** Cancels the wait to begin the transaction (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

/**
 * `SmartCardTransactionCallback`: runs while the transaction is held; its result is how the
 * card is left when it ends (`undefined`, or a rejection, means `'reset'`).
 */
export type SmartCardTransactionCallback = () => Promise<SmartCardDisposition | null | undefined>;

/** `SmartCardConnection`: a connection to the card in one reader. */
export interface SmartCardConnectionLike {
  /** End the connection (default disposition `'leave'`). */
  disconnect(disposition?: SmartCardDisposition): Promise<void>;
  /** Send a command APDU; resolve to the response APDU. */
  transmit(sendBuffer: Uint8Array, options?: SmartCardTransmitOptions): Promise<ArrayBuffer>;
  /** Hold the card while `transaction` runs. */
  startTransaction(transaction: SmartCardTransactionCallback, options?: SmartCardTransactionOptions): Promise<void>;
  /** Reader name, state and ATR. */
  status(): Promise<SmartCardConnectionStatusLike>;
  /** A reader control command (SCardControl). */
  control(controlCode: number, data: Uint8Array): Promise<ArrayBuffer>;
  /** A reader attribute (SCardGetAttrib). */
  getAttribute(tag: number): Promise<ArrayBuffer>;
}

/** `SmartCardContext`: a PC/SC context; one call at a time. */
export interface SmartCardContextLike {
  /** The readers' names. */
  listReaders(): Promise<string[]>;
  /** Wait until a reader's state differs from `readerStates`. */
  getStatusChange(
    readerStates: SmartCardReaderStateIn[],
    options?: SmartCardGetStatusChangeOptions,
  ): Promise<SmartCardReaderStateOut[]>;
  /** Connect to the card in (or, `'direct'`, to) a reader. */
  connect(readerName: string, accessMode: SmartCardAccessMode, options?: SmartCardConnectOptions): Promise<SmartCardConnectResultLike>;
}

/** `SmartCardResourceManager`: `navigator.smartCard`. */
export interface SmartCardResourceManagerLike {
  /** A new PC/SC context. */
  establishContext(): Promise<SmartCardContextLike>;
}

/** The PnP pseudo-reader: a wait on it ends when a reader is added or removed. */
export const PNP_NOTIFICATION = '\\\\?PnP?\\Notification';
