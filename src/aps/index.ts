/**
 * Card sessions: `MyNumberCard` and its applications (公的個人認証AP, 券面事項入力補助AP,
 * 券面事項確認AP, 共通カードAP), PIN rules and the record decoders.
 * @packageDocumentation
 */
export { MyNumberCard, type MyNumberCardOptions } from './card.js';
export {
  JpkiAp,
  type JpkiCertificateKind,
  type JpkiKeyKind,
  type ReadCertificateOptions,
  type SignDigestInfoOptions,
  type SignOptions,
} from './jpki.js';
export {
  TextAp,
  type AttributesCredential,
  type MyNumberCredential,
  type ReadAttributesOptions,
  type ReadIntegrityRecordOptions,
  type ReadMyNumberOptions,
  type TextReadOptions,
  type TextPinCredential,
  type TextCredential,
  type TextIntegrityFiles,
  type TextSecretKind,
  type VerificationACredential,
  type VerificationBCredential,
} from './text.js';
export {
  FaceAp,
  type FaceCredential,
  type FaceReadOptions,
  type FaceSecretKind,
  type ReadFaceOptions,
  type ReadMyNumberImageOptions,
} from './face.js';
export { CommonAp } from './common.js';
export type { ChangePinOptions } from './change-pin.js';
export type {
  SecretInput,
  SecretProvider,
  SecretRequest,
  SecretRequestKind,
  TriesBlocked,
  TriesLeft,
  TriesState,
  TriesUnlimited,
  TriesVerified,
} from '../secret.js';
export type { PinCallOptions } from './pin.js';
export type { ReadOptions, ReadProgress } from './read-file.js';
export { encodeSecret, isValidSecret, SECRET_RULES, type SecretKind, type SecretValue } from './pin-format.js';
export {
  DEFAULT_HASH,
  digestInfoHash,
  digestInfoOf,
  digestLength,
  encodeDigestInfo,
  hashData,
  type HashAlgorithm,
} from '../hash/digest-info.js';
export {
  decodeCardIdentifier,
  decodeFaceRecord,
  decodeMyNumberImage,
  decodeMyNumberRecord,
  decodeTextAttributes,
  decodeTokenInfo,
  parseCardDate,
  type CardIdentifier,
  type CardProfile,
  type FaceRecord,
  type IsoDate,
  type MyNumberImage,
  type Sex,
  type SexCode,
  type SexValue,
  type TextAttributes,
  type TokenInfo,
} from './records.js';
export { isValidMyNumber, myNumberCheckDigit, MY_NUMBER_LENGTH } from './my-number.js';
export type { ApplicationId } from './constants.js';
