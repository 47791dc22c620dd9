/**
 * JPKI naming of the TEST hierarchy (`O=JPKI-TEST`): the distinguished names, the Japanese
 * DirNames of SAN/IAN, the directory-name CRL distribution points and the policies, exactly as
 * the real J-LIS certificates write them (docs/cert-profile.md §1–2).
 * @packageDocumentation
 */
import { OID } from '../crypto/oid.js';
import { JPKI_AUTH_POLICY, JPKI_SIGN_POLICY } from '../crypto/parse.js';
import { JPKI_PERSON_OID } from '../crypto/san.js';
import {
  TAG,
  ia5String,
  oid,
  printableString,
  sequence,
  tlv,
  utf8String,
} from './pki-der.js';

/** Which of the two JPKI hierarchies: 利用者証明用 (`auth`) or 署名用 (`sign`). */
export type TestPurpose = 'auth' | 'sign';

/** `O=` of the test hierarchy (card-facts §6.1: test cards chain to `O=JPKI-TEST`). */
export const TEST_PKI_ORGANIZATION = 'JPKI-TEST';

/**
 * Japanese `O=` of the test roots' SAN and the leaves' IAN. The real value is
 * `公的個人認証サービス` (cert-profile §2); the `（テスト）` suffix marks these as test-only.
 */
export const TEST_PKI_ORGANIZATION_JA = '公的個人認証サービス（テスト）';

/**
 * OCSP responder in test auth leaves. Real leaves carry `http://ocspauthnorm.jpki.go.jp`
 * (cert-profile §2); test leaves use the reserved `.test` TLD (RFC 6761) so that no test can
 * ever query J-LIS with a fake certificate.
 */
export const TEST_OCSP_URL = 'http://ocspauthnorm.jpki.test';

/** CPS qualifier of both leaf policies (cert-profile §2, observed). */
export const JPKI_CPS_URL = 'http://www.jpki.go.jp/cps.html';

/**
 * Policy of 署名用 leaves (cert-profile §2). Test cards are claimed to use `…8.5.1.0.20`; the test
 * PKI uses the production OID so that the SDK's policy check is exercised. The verifier's
 * constant, under the name the test PKI has always exported.
 */
export const SIGN_POLICY_OID = JPKI_SIGN_POLICY;

/** Policy of 利用者証明用 leaves (cert-profile §2, production OID; see {@link SIGN_POLICY_OID}). */
export const AUTH_POLICY_OID = JPKI_AUTH_POLICY;

/** JPKI SAN otherName type-ids (cert-profile §3; card-facts §6.2): the verifier's table. */
export const JPKI_SAN_OID = JPKI_PERSON_OID;

/** English OU naming each hierarchy (cert-profile §1). */
const PURPOSE_OU: Readonly<Record<TestPurpose, string>> = {
  auth: 'JPKI for user authentication',
  sign: 'JPKI for digital signature',
};
/** Japanese OU naming each hierarchy in SAN/IAN (cert-profile §2). */
const PURPOSE_OU_JA: Readonly<Record<TestPurpose, string>> = {
  auth: '公的個人認証サービス利用者証明用',
  sign: '公的個人認証サービス署名用',
};
const JLIS_OU = 'Japan Agency for Local Authority Information Systems';
const JLIS_OU_JA = '地方公共団体情報システム機構';

type NameAttribute = readonly [type: string, value: Uint8Array];

/** Name: one attribute per RDN, in order. C is PrintableString, the rest UTF8String (cert-profile §2). @internal */
export function encodeName(attributes: readonly NameAttribute[]): Uint8Array {
  return sequence(...attributes.map(([type, value]) => tlv(TAG.set, sequence(oid(type), value))));
}

/** `C=JP, O=JPKI-TEST, OU=JPKI for …, OU=Japan Agency for Local Authority Information Systems`. @internal */
export function rootName(purpose: TestPurpose): Uint8Array {
  return encodeName([
    [OID.countryName, printableString('JP')],
    [OID.organizationName, utf8String(TEST_PKI_ORGANIZATION)],
    [OID.organizationalUnitName, utf8String(PURPOSE_OU[purpose])],
    [OID.organizationalUnitName, utf8String(JLIS_OU)],
  ]);
}

/** The Japanese DirName of the root SAN and leaf IAN. @internal */
export function japaneseName(purpose: TestPurpose): Uint8Array {
  return encodeName([
    [OID.countryName, printableString('JP')],
    [OID.organizationName, utf8String(TEST_PKI_ORGANIZATION_JA)],
    [OID.organizationalUnitName, utf8String(PURPOSE_OU_JA[purpose])],
    [OID.organizationalUnitName, utf8String(JLIS_OU_JA)],
  ]);
}

/** GeneralName.directoryName: `[4] EXPLICIT Name`. @internal */
export function directoryName(name: Uint8Array): Uint8Array {
  return tlv(0xa4, name);
}

/** CRLDistributionPoints with one DistributionPoint whose fullName is one DirName (never a URI). @internal */
export function crlDistributionPoints(name: Uint8Array): Uint8Array {
  return sequence(sequence(tlv(0xa0, tlv(0xa0, directoryName(name)))));
}

/** A leaf CRLDP DirName: `C=JP,O=JPKI-TEST,OU=JPKI for …,OU=CRL Distribution Points,OU=<pref>,CN=<muni> CRLDP`. @internal */
export function leafCrlName(purpose: TestPurpose, prefecture: string, municipality: string): Uint8Array {
  return encodeName([
    [OID.countryName, printableString('JP')],
    [OID.organizationName, utf8String(TEST_PKI_ORGANIZATION)],
    [OID.organizationalUnitName, utf8String(PURPOSE_OU[purpose])],
    [OID.organizationalUnitName, utf8String('CRL Distribution Points')],
    [OID.organizationalUnitName, utf8String(prefecture)],
    [OID.commonName, utf8String(`${municipality} CRLDP`)],
  ]);
}

/** certificatePolicies: one policy with one CPS qualifier (IA5String). @internal */
export function certificatePolicies(policy: string): Uint8Array {
  return sequence(sequence(oid(policy), sequence(sequence(oid(OID.cpsQualifier), ia5String(JPKI_CPS_URL)))));
}
