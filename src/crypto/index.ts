/**
 * JPKI certificates, trust and signatures (公的個人認証サービス): certificate parsing, chain
 * validation against the bundled J-LIS roots, signature verification, authentication, CMS
 * signatures and the integrity of the card's own data records. Browser-safe (WebCrypto).
 * @packageDocumentation
 */
export { JPKI_ROOTS, jpkiRootCertificate, jpkiRootCertificates } from './jpki-roots.js';
export type { JpkiRootInfo, JpkiRootName } from './jpki-roots.js';
export { jpkiTrustAnchors } from './anchors.js';
export type { JpkiTrustAnchor } from './anchors.js';
export type { DistinguishedName, NameAttribute, RsaPublicKeyInfo, OtherPublicKeyInfo } from './x509.js';
export { ecdsaSignatureFromRaw, ecdsaSignatureToRaw } from './ecdsa.js';
export type { EcCurveName, EcPublicKeyInfo } from './ecdsa.js';
export { parseJpkiCertificate, JPKI_AUTH_POLICY, JPKI_SIGN_POLICY } from './parse.js';
export type {
  AuthorityKeyId,
  JpkiCertificate,
  CertificateKind,
  JpkiMunicipality,
  KeyUsageName,
} from './parse.js';
export { decodeJpkiBirthDate, decodeJpkiPerson, JPKI_PERSON_OID } from './san.js';
export type { JpkiBirthDate, JpkiEra, JpkiPerson } from './san.js';
export { verifyJpkiChain, MIN_RSA_BITS } from './chain.js';
export type { ChainReason, JpkiChainResult, JpkiChainRoot, VerifyJpkiChainOptions } from './chain.js';
export { verifyRawSignature } from './signature.js';
export type { RawSignatureReason, RawSignatureResult, SignatureAlgorithmName, VerifySignatureOptions } from './signature.js';
export type { JpkiCard, JpkiKeyAlgorithm } from './card.js';
export {
  authenticate,
  createChallenge,
  verifyAuthentication,
  DEFAULT_CHALLENGE_LENGTH,
  DEFAULT_TIMESTAMP_WINDOW_MS,
} from './authenticate.js';
export {
  AUTHENTICATION_CONTEXT,
  decodeAuthenticationMessage,
  encodeAuthenticationMessage,
  MAX_CHALLENGE_LENGTH,
  MAX_ORIGIN_LENGTH,
  MIN_CHALLENGE_LENGTH,
} from './auth-message.js';
export type { AuthenticationMessage, AuthenticationMessageFields } from './auth-message.js';
export type {
  AuthenticateOptions,
  AuthenticationReason,
  AuthenticationResult,
  JpkiAuthentication,
  VerifyAuthenticationOptions,
} from './authenticate.js';
export { holderPseudonym, MAX_RELYING_PARTY_LENGTH, MIN_PSEUDONYM_KEY_LENGTH } from './pseudonym.js';
export type { HolderPseudonymOptions } from './pseudonym.js';
export {
  authenticationFromJSON,
  authenticationToJSON,
  MAX_WIRE_CERTIFICATE_LENGTH,
  MAX_WIRE_JSON_LENGTH,
  WIRE_VERSION,
} from './wire.js';
export type { JpkiAuthenticationJson } from './wire.js';
export {
  authenticationResultFromJSON,
  authenticationResultToJSON,
  chainResultFromJSON,
  chainResultToJSON,
  cmsResultFromJSON,
  cmsResultToJSON,
  MAX_WIRE_CONTENT_LENGTH,
} from './wire-verdicts.js';
export type {
  AuthenticationMessageJson,
  AuthenticationResultJson,
  CmsVerificationResultJson,
  JpkiChainFieldsJson,
  JpkiChainResultJson,
  JpkiChainRootJson,
} from './wire-verdicts.js';
export * from './revocation/index.js';
export type { CertificateRevocationJson } from './revocation/wire.js';
export { signCms, verifyCms } from './cms.js';
export type { CmsReason, CmsVerificationResult, SignCmsOptions, VerifyCmsOptions } from './cms.js';
export { parseCardVerifiableCertificate, verifyFaceApIntegrity, verifyTextApIntegrity } from './integrity.js';
export type {
  CardVerifiableCertificate,
  FaceApIntegrityInput,
  FaceApIntegrityResult,
  IntegrityOptions,
  IntegrityReason,
  IntegrityStatus,
  RsaPublicKeyParts,
  TextApIntegrityInput,
  TextApIntegrityResult,
} from './integrity.js';
