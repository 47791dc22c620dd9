/**
 * Pure, browser-safe builders of the virtual My Number Card's file contents: the text AP
 * (券面事項入力補助AP), the face AP (券面事項確認AP), the common AP (共通カードAP) and the
 * bundled fictional face images.
 * @packageDocumentation
 */
export {
  buildCommonApRecord,
  COMMON_AP_RECORD_TAG,
  COMMON_AP_RECORD_VALUE_LENGTH,
  type CommonApRecordInput,
} from './common-ap.js';
export {
  buildCvCertificate,
  CV_CERTIFICATE_BODY_LENGTH,
  CV_CERTIFICATE_LENGTH,
  type CvCertificateInput,
  type CvSignatureCoverage,
} from './cv-certificate.js';
export {
  buildFaceAgeRecord,
  buildFaceApBasicInfo,
  buildFaceApFiles,
  buildFaceCardFile,
  buildFaceMyNumberImageRecord,
  DEFAULT_FACE_AP_IDENTIFICATION,
  DEFAULT_MUNICIPALITY_CODE,
  FACE_AGE_RECORD_VALUE_LENGTH,
  FACE_AP_OPAQUE_LENGTH,
  faceSignatureDigestInfo,
  type FaceApFiles,
  type FaceApInput,
  type FaceApKeyIds,
  type FaceCardFileInput,
  type FaceImages,
} from './face-ap.js';
export { KEY_ID_LENGTH, makeKeyId, SEX_CODES } from './fields.js';
export {
  defaultFaceImages,
  FACE_IMAGE_FIXTURE_INFO,
  type FaceImageFixtureInfo,
  type FaceImageFixtures,
} from './fixtures/face-images.js';
export {
  encodeCardPublicKey,
  RSA2048_MODULUS_LENGTH,
  rsaPublicKeyBytes,
  type RsaPrivateKeyInput,
  type RsaPublicKeyBytes,
  type RsaPublicKeyInput,
} from './keys.js';
export {
  buildTextApBasicInfo,
  buildTextApFiles,
  buildTextAttributesFile,
  buildTextIntegrityRecord,
  buildTextMyNumberFile,
  DEFAULT_TEXT_AP_IDENTIFICATION,
  DEFAULT_TEXT_ATTRIBUTES_FILLER_LENGTH,
  TEXT_AP_TRAILING_LENGTH,
  TEXT_INTEGRITY_RECORD_LENGTH,
  TEXT_MY_NUMBER_FILE_LENGTH,
  textAttributesDigestSource,
  type BasicFourAttributes,
  type FillerOptions,
  type TextApFiles,
  type TextApInput,
  type TextApKeyIds,
} from './text-ap.js';
