/**
 * The part of `react-native-nfc-manager` 3.x that the transport uses, typed structurally so that
 * mynacard never imports the library (nor `react-native`) at run time or in its declarations.
 * The library's default export (`NfcManager`) satisfies {@link NfcManagerLike}, and its
 * `NfcError` namespace satisfies {@link NfcErrorClasses}: test/react-native/types.test.ts checks
 * both against the library's own `index.d.ts`.
 */

/** A tag as the library reports it (`TagEvent`): only the identifier is used. */
export interface NfcTagLike {
  /** Tag identifier as hex (Android: the UID or PUPI of the current activation). */
  readonly id?: string | undefined;
}

/** Options of `requestTechnology` (the library's `RegisterTagEventOpts`). */
export interface NfcRequestOptions {
  /** iOS: the text of the system's scan sheet. */
  alertMessage?: string;
  /** Android: use `NfcAdapter.enableReaderMode` (needed for tag-discovery events). */
  isReaderModeEnabled?: boolean;
  /** Android: `NfcAdapter.FLAG_READER_*` flags of reader mode. */
  readerModeFlags?: number;
}

/** The library's `IsoDepHandler`. */
export interface NfcIsoDepHandlerLike {
  /** Send one command APDU (bytes as numbers); resolves to the response data ‖ SW1 ‖ SW2. */
  transceive(bytes: number[]): Promise<number[]>;
}

/** The answer of `sendCommandAPDUIOS`: Core NFC hands the data and the status word over apart. */
export interface NfcApduAnswerIos {
  /** Response data, without the status word. */
  response: number[];
  /** SW1. */
  sw1: number;
  /** SW2. */
  sw2: number;
}

/**
 * What {@link NfcManagerTransport} needs of `react-native-nfc-manager`'s `NfcManager` (its
 * default export). Platform-specific members are optional here; the transport checks for the
 * ones its platform needs.
 */
export interface NfcManagerLike {
  /**
   * Start a session and wait for a tag of the technology; resolves to the technology found or
   * `null`. The library types `tech` as its `NfcTech` enum (whose `IsoDep` member is the string
   * `'IsoDep'`), which a structural type cannot name: hence `never` here and a cast at the call.
   */
  requestTechnology(tech: never, options?: NfcRequestOptions): Promise<string | null>;
  /** End the session (iOS: invalidates the reader session; Android: closes the tag). */
  cancelTechnologyRequest(): Promise<void>;
  /** The IsoDep handler (used on Android). */
  readonly isoDepHandler: NfcIsoDepHandlerLike;
  /** iOS: send one command APDU; the answer comes back split into data, SW1 and SW2. */
  sendCommandAPDUIOS?(bytes: number[]): Promise<NfcApduAnswerIos>;
  /** iOS: change the text of the scan sheet. */
  setAlertMessage?(message: string): Promise<void>;
  /** Android: `IsoDep.getMaxTransceiveLength()` of the connected tag. */
  getMaxTransceiveLength?(): Promise<number>;
  /** Android: `IsoDep.setTimeout(ms)` of the connected tag. */
  setTimeout?(timeoutMs: number): Promise<void>;
  /** The connected tag (Android: its identifier). */
  getTag?(): Promise<NfcTagLike | null>;
  /** Set (or, with `null`, clear) the one listener of an event such as `'NfcManagerDiscoverTag'`. */
  setEventListener?(name: string, callback: ((event: NfcTagLike) => void) | null): void;
}

/** A class of the library's `NfcError` namespace. */
export type NfcErrorClass = abstract new (...args: never[]) => Error;

/**
 * The library's `NfcError` namespace (`import { NfcError } from 'react-native-nfc-manager'`),
 * for exact `instanceof` classification of its errors. Without it the transport goes by the
 * error's class name and message, which a minifier may mangle.
 */
export interface NfcErrorClasses {
  /** The user closed the scan sheet (iOS 200) or the request was cancelled (Android). → `NfcCancelledError` */
  readonly UserCancel: NfcErrorClass;
  /** iOS 100: the tag left the field. → `CardRemovedError` */
  readonly TagConnectionLost: NfcErrorClass;
  /** iOS 104: no tag connected. → `CardRemovedError` */
  readonly TagNotConnected: NfcErrorClass;
  /** iOS 103: the session was invalidated. → `NfcCancelledError` (`reason: 'session'`) */
  readonly SessionInvalidated: NfcErrorClass;
  /** iOS 201: the reader session's 60 s ran out. → `TimeoutError` */
  readonly Timeout: NfcErrorClass;
  /** iOS 203: another NFC session is running. → `ReaderUnavailableError` */
  readonly SystemBusy: NfcErrorClass;
  /** iOS 6: NFC is off. → `ReaderUnavailableError` */
  readonly RadioDisabled: NfcErrorClass;
  /** iOS 1: the device cannot read tags. → `ReaderUnavailableError` */
  readonly UnsupportedFeature: NfcErrorClass;
  /** iOS 2: the app lacks the entitlement or an AID. → `ReaderUnavailableError` */
  readonly SecurityViolation: NfcErrorClass;
}

/** The platforms `react-native-nfc-manager` runs on (React Native's `Platform.OS`). */
export type NfcPlatform = 'ios' | 'android';
