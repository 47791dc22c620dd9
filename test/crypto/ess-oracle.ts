/**
 * ESS `SigningCertificateV2` (RFC 5035 §3): the signed attribute that binds a CMS signature to
 * one certificate by its hash, so the certificate cannot be swapped (CAdES-BES).
 *
 * A test oracle: an independent `@peculiar/asn1-schema` (devDependency) decoder of what the SDK
 * writes with its TLV encoder and reads with its TLV core (`src/crypto/cms.ts`).
 * @packageDocumentation
 */
import { AsnIntegerArrayBufferConverter, AsnProp, AsnPropTypes, OctetString } from '@peculiar/asn1-schema';
import { AlgorithmIdentifier, GeneralName, PolicyInformation } from '@peculiar/asn1-x509';

/** id-aa-signingCertificateV2 (RFC 5035). */
export const ID_AA_SIGNING_CERTIFICATE_V2 = '1.2.840.113549.1.9.16.2.47';

/** `IssuerSerial ::= SEQUENCE { issuer GeneralNames, serialNumber CertificateSerialNumber }`. @internal */
export class IssuerSerial {
  @AsnProp({ type: GeneralName, repeated: 'sequence' })
  issuer: GeneralName[] = [];

  @AsnProp({ type: AsnPropTypes.Integer, converter: AsnIntegerArrayBufferConverter })
  serialNumber: ArrayBuffer = new ArrayBuffer(0);

  constructor(params: Partial<IssuerSerial> = {}) {
    Object.assign(this, params);
  }
}

/**
 * `ESSCertIDv2 ::= SEQUENCE { hashAlgorithm AlgorithmIdentifier DEFAULT id-sha256, certHash
 * OCTET STRING, issuerSerial IssuerSerial OPTIONAL }`. DER omits the default hash. @internal
 */
export class EssCertIdV2 {
  @AsnProp({ type: AlgorithmIdentifier, optional: true })
  hashAlgorithm?: AlgorithmIdentifier;

  @AsnProp({ type: OctetString })
  certHash: OctetString = new OctetString();

  @AsnProp({ type: IssuerSerial, optional: true })
  issuerSerial?: IssuerSerial;

  constructor(params: Partial<EssCertIdV2> = {}) {
    Object.assign(this, params);
  }
}

/** `SigningCertificateV2 ::= SEQUENCE { certs SEQUENCE OF ESSCertIDv2, policies … OPTIONAL }`. @internal */
export class SigningCertificateV2 {
  @AsnProp({ type: EssCertIdV2, repeated: 'sequence' })
  certs: EssCertIdV2[] = [];

  @AsnProp({ type: PolicyInformation, repeated: 'sequence', optional: true })
  policies?: PolicyInformation[];

  constructor(params: Partial<SigningCertificateV2> = {}) {
    Object.assign(this, params);
  }
}
