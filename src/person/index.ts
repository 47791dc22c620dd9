/**
 * One person model for the text AP and the certificate SAN, with 和暦 and 性別 formatting.
 * Browser-safe.
 * @packageDocumentation
 */
export { personFromCertificate, personFromTextAttributes, sexFromCode } from './person.js';
export type {
  CertificatePersonLike,
  Person,
  PersonBirthDate,
  PersonSex,
  PersonSexValue,
  TextAttributesLike,
} from './person.js';
export { formatJapaneseDate, formatSex } from './format.js';
export type { FormatJapaneseDateOptions, PersonLocale } from './format.js';
