/**
 * mynacard — the My Number Card (マイナンバーカード) SDK. This entry point is browser-safe.
 *
 * What an application needs: `MyNumberCard` and its applications, the errors it catches, trust
 * (chains, signatures, CMS, authentication, PEM, JSON wire forms, pseudonyms), texts for people,
 * the person model and the card-data integrity checks. The low-level parts have entry points of
 * their own: `mynacard/apdu` (command and response APDUs, `ApduChannel`, every status word as a
 * typed error, traces, hex helpers), `mynacard/tlv` (the BER-TLV / DER codec) and
 * `mynacard/card-ap` (free-area card APs).
 * @packageDocumentation
 */
export * from './errors.js';
export { wipe } from './bytes.js';
export * from './transport/index.js';
// The status words an application catches (the same classes as in `mynacard/apdu`, which has them all).
export {
  AuthenticationMethodBlockedError,
  FileNotFoundError,
  PinBlockedError,
  PinIncorrectError,
  SecurityStatusNotSatisfiedError,
  StatusWordError,
} from './apdu/status.js';
export * from './aps/my-number.js';
export * from './aps/index.js';
export * from './crypto/index.js';
export { verifyCardFaceIntegrity, verifyCardTextIntegrity } from './card-trust/integrity.js';
export type { CardIntegrityOptions, FaceIntegrityCard, TextIntegrityCard } from './card-trust/integrity.js';
export * from './crypto/jpki-roots.js';
export * from './crypto/base64.js';
export * from './crypto/pem.js';
export * from './messages/index.js';
export type { JapaneseEra, JapaneseEraCode } from './calendar/japanese-era.js';
export * from './person/index.js';
