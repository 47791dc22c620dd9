/**
 * The one interface every way of reaching a card implements.
 *
 * `transmit` takes a complete command APDU and resolves to the complete response APDU: the
 * response data followed by SW1 SW2. Any object of this shape works: PC/SC, WebUSB CCID, the
 * virtual card, a replayed trace, or a user's own bridge.
 */
export interface Transport {
  /** Send one command APDU; resolve to `data ‖ SW1 ‖ SW2`. Reject with a `MynacardError`. */
  transmit(command: Uint8Array): Promise<Uint8Array>;
  /** Release the reader / connection. Optional. */
  close?(): Promise<void>;
  /**
   * Fixed capability hint (from the transport's options or the reader's exchange level; a
   * transport never learns it): `false` when the transport or reader is known to refuse
   * extended-length APDUs; `true` when they are known to work. Undefined when unknown: the
   * `ApduChannel`, the one place that decides, then tries extended length once and falls back
   * on refusal.
   */
  readonly extendedLength?: boolean | undefined;
  /** Capability hint: the largest response (data + SW) the transport can carry. */
  readonly maxResponseLength?: number;
  /**
   * Optional capability of shared readers (PC/SC): run `fn` while holding the card so that no
   * other application's command reaches it in between (SCardBeginTransaction …
   * SCardEndTransaction). Must end the hold on every path and reject with a `MynacardError`
   * (e.g. `CardBusyError`) when the card cannot be had. `ApduChannel.exclusive` wraps each
   * command sequence in it. A transport that has it is treated as shared: another application
   * may select another AP between two of our operations.
   */
  withTransaction?<T>(fn: () => Promise<T>, options?: { readonly signal?: AbortSignal | undefined }): Promise<T>;
}
