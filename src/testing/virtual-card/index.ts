/**
 * The virtual My Number Card (仮想マイナンバーカード).
 * @packageDocumentation
 */
export { VirtualMyNumberCard } from './card.js';
export {
  DEFAULT_CARD_AP_CAPACITY,
  testCardApCryptogram,
  type InstalledCardAp,
  type VirtualCardApKeys,
} from './card-ap.js';
export type {
  CardLogEntry,
  VirtualCardApplication,
  VirtualCardFaceOptions,
  VirtualCardInfo,
  VirtualCardMaxTries,
  VirtualCardOptions,
  VirtualCardPins,
  VirtualCardProfile,
  VirtualCardQuirks,
  VirtualCardTextOptions,
  VirtualCardTries,
} from './options.js';
export type { CardCertificates } from './personalise.js';
export {
  DEFAULT_AUTH_PIN,
  DEFAULT_COMMON_SERIAL,
  DEFAULT_SECURITY_CODE,
  DEFAULT_SIGN_PASSWORD,
  DEFAULT_TEXT_PIN,
} from './personalise.js';
export { PIN_KINDS, type PinKind, type PinState } from './pin.js';
export type { ApplicationName } from './file-system.js';
export { TOKEN_LABELS, TOKEN_INFO_FULL_LENGTH, TOKEN_LABEL_LENGTH, type TokenInfoLayout } from './token-info.js';
export { DEFAULT_CERTIFICATE_EF_SIZE, DEFAULT_CERTIFICATE_FILLER } from './jpki-ap.js';
export { MAX_TRIES as VIRTUAL_CARD_MAX_TRIES, VIRTUAL_CARD_ATR } from './constants.js';
export { eraYymmdd, deriveVerificationB, defaultCardExpiry } from './holder-secrets.js';
