/**
 * mynacard — the My Number Card (マイナンバーカード) SDK. This entry point is browser-safe.
 * @packageDocumentation
 */
export * from './errors.js';
export * from './bytes.js';
export * from './transport/index.js';
export * from './tlv/index.js';
export * from './apdu/index.js';
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
