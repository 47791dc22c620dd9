/**
 * `mynacard/card-ap` — free-area card APs (地域住民向け領域 / 拡張利用領域): the access layer for card applications
 * that municipalities, government bodies and businesses install in the card's free space.
 * The installer brings the AID, the file layout and the keys (a {@link CardApDescriptor}); the
 * SDK gives typed reads, verified writes, guarded PINs and an issuer-authentication hook.
 * @packageDocumentation
 */
export { CARD_AP_AREAS, type CardApArea } from './constants.js';
export {
  CardApAccessError,
  CardApAuthenticationError,
  CardApCapacityError,
  CardApCodecError,
  CardApNotInstalledError,
  CardApReservedAidError,
  CardApSelectionError,
  CardApValueTooLargeError,
  CardApWriteVerifyError,
  cardApAreaName,
  type CardApAccessReason,
  type CardApSelectionReason,
} from './errors.js';
export {
  bytesCodec,
  digitsCodec,
  textCodec,
  uintCodec,
  type CardApCodec,
  type CardApCodecJson,
  type CardApCodecLayout,
  type CardApCodecValue,
  type CardApSize,
  type CardApTextEncoding,
  type CardApTextOptions,
  type CardApTextPad,
  type CardApTlvMemberJson,
} from './codecs.js';
export {
  tlvRecord,
  type CardApTlvMember,
  type CardApTlvMemberValue,
  type CardApTlvMembers,
  type CardApTlvRecordOptions,
  type CardApTlvRecordValue,
} from './tlv-record.js';
export { shiftJisSupported } from './shift-jis.js';
export {
  cardApAid,
  checkCardApDescriptor,
  defineCardAp,
  type CardApContents,
  type CardApDefinition,
  type CardApDescriptor,
  type CardApFileName,
  type CardApFileSpec,
  type CardApFileValue,
  type CardApFiles,
  type CardApReadAccess,
  type CardApSecretCharset,
  type CardApSecretName,
  type CardApSecretSpec,
  type CardApSecrets,
  type CardApWritableFileName,
  type CardApWriteAccess,
} from './descriptor.js';
export {
  cardApCodecFromJson,
  cardApDescriptorFromJson,
  cardApDescriptorToJson,
  type CardApDescriptorJson,
  type CardApFileJson,
  type CardApSecretJson,
} from './json.js';
export type {
  CardApAuthExchange,
  CardApExternalAuthenticateOptions,
  CardApIssuerAuth,
} from './auth.js';
export { checkCardApHost, type CardApChannel, type CardApHost } from './host.js';
export { openCardAp } from './session.js';
export type {
  CardApCallOptions,
  CardApSession,
  CardApVerifyOptions,
  CardApWriteOptions,
  OpenCardApOptions,
} from './session-types.js';
export { probeCardAps, type CardApProbeCandidate } from './probe.js';
