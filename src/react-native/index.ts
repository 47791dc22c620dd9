/**
 * `mynacard/react-native`: the card over a phone's NFC in React Native apps, through the
 * optional peer dependency [`react-native-nfc-manager`](https://www.npmjs.com/package/react-native-nfc-manager)
 * 3.x (`npm install react-native-nfc-manager`). mynacard never imports it: the app passes its
 * `NfcManager` in.
 *
 * ```ts
 * import NfcManager, { NfcError } from 'react-native-nfc-manager';
 * import { Platform } from 'react-native';
 * import { withNfcCard } from 'mynacard/react-native';
 *
 * const label = await withNfcCard((card) => card.jpki.tokenInfo(), {
 *   nfcManager: NfcManager,
 *   nfcErrors: NfcError,
 *   platform: Platform.OS === 'ios' ? 'ios' : 'android',
 * });
 * ```
 *
 * iOS needs the NFC entitlement and the AIDs in `Info.plist`; Android the NFC permission: see
 * docs/nfc.md.
 * @packageDocumentation
 */
export {
  DEFAULT_ALERT_MESSAGE,
  DEFAULT_READER_MODE_FLAGS,
  DEFAULT_SIGNATURE_TIMEOUT_MS,
  DEFAULT_TIMEOUT_MS,
  NFC_EVENT_DISCOVER_TAG,
  NFC_TECH_ISO_DEP,
  NfcManagerTransport,
  SHORT_APDU_MAX_TRANSCEIVE,
  defaultProgressMessage,
  type NfcManagerTransportOptions,
} from './transport.js';
export { withNfcCard, type WithNfcCardOptions } from './session.js';
export { nfcFailureKind, toNfcError, type NfcFailureKind } from './errors.js';
export type {
  NfcApduAnswerIos,
  NfcErrorClass,
  NfcErrorClasses,
  NfcIsoDepHandlerLike,
  NfcManagerLike,
  NfcPlatform,
  NfcRequestOptions,
  NfcTagLike,
} from './types.js';
export { CardRemovedError, NfcCancelledError, SecondTagError, TimeoutError } from '../errors.js';
