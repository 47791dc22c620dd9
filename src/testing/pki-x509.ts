/**
 * The X.509 builder of the TEST PKI: extensions, SubjectPublicKeyInfo and key identifier, the
 * signed TBSCertificate, and what a leaf needs from its issuer's certificate (RFC 5280).
 * @packageDocumentation
 */
import { ecdsaSignatureFromRaw } from '../crypto/ecdsa.js';
import { OID } from '../crypto/oid.js';
import { CryptoError, InvalidArgumentError } from '../errors.js';
import {
  BOOLEAN_TRUE,
  NULL,
  TAG,
  children,
  contentBytes,
  elementBytes,
  oid,
  positiveIntegerFromHex,
  readElement,
  sequence,
  time,
  tlv,
} from './pki-der.js';
import { directoryName } from './pki-names.js';

// Exact extension values observed in real J-LIS certificates (cert-profile §2).
/** @internal */
export const KEY_USAGE_CA = Uint8Array.of(0x03, 0x02, 0x01, 0x06); // keyCertSign | cRLSign
/** @internal */
export const KEY_USAGE_AUTH = Uint8Array.of(0x03, 0x02, 0x07, 0x80); // digitalSignature
/** @internal */
export const KEY_USAGE_SIGN = Uint8Array.of(0x03, 0x02, 0x06, 0xc0); // digitalSignature | nonRepudiation
/** @internal */
export const BASIC_CONSTRAINTS_CA = Uint8Array.of(0x30, 0x03, 0x01, 0x01, 0xff); // CA:TRUE, no pathLen

/** One Extension; `critical` is encoded only when true (DER DEFAULT FALSE). @internal */
export function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical
    ? sequence(oid(id), BOOLEAN_TRUE, tlv(TAG.octetString, value))
    : sequence(oid(id), tlv(TAG.octetString, value));
}

/** @internal */
export function subtle(): SubtleCrypto {
  const s = globalThis.crypto?.subtle;
  if (s === undefined) throw new CryptoError('WebCrypto (crypto.subtle) is not available');
  return s;
}

/** A copy backed by a plain ArrayBuffer, as WebCrypto wants. @internal */
export function arrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer;
}

/**
 * SubjectPublicKeyInfo DER of an RSA (or, for the hypothetical ECDSA profile, an ECDSA P-256 /
 * P-384) public key, and its SKI = SHA-1 of the key bits (RFC 5280 method 1, as J-LIS does). @internal
 */
export async function publicKeyInfo(publicKey: CryptoKey): Promise<{ spki: Uint8Array; keyId: Uint8Array }> {
  if (publicKey.type !== 'public' || !(publicKey.algorithm.name.startsWith('RS') || publicKey.algorithm.name === 'ECDSA')) {
    throw new InvalidArgumentError('Expected an RSA or ECDSA public key');
  }
  const spki = new Uint8Array(await subtle().exportKey('spki', publicKey));
  const top = readElement(spki, 0);
  const bitString = children(spki, top)[1];
  if (bitString === undefined || bitString.tag !== TAG.bitString) {
    throw new CryptoError('Unexpected SubjectPublicKeyInfo layout');
  }
  const keyBits = contentBytes(spki, bitString).subarray(1); // skip the unused-bits octet
  const keyId = new Uint8Array(await subtle().digest('SHA-1', arrayBuffer(keyBits)));
  return { spki, keyId };
}

/**
 * The key must be an RSASSA-PKCS1-v1_5 / SHA-256 private key, or an ECDSA P-256 / P-384 one
 * (the hypothetical ECDSA profile), that can sign. Returns the ECDSA curve, if any.
 */
function checkSigningKey(privateKey: CryptoKey): 'P-256' | 'P-384' | undefined {
  const algorithm = privateKey.algorithm as RsaHashedKeyAlgorithm & EcKeyAlgorithm;
  const ok = privateKey.type === 'private' && privateKey.usages.includes('sign');
  if (ok && algorithm.name === 'ECDSA' && (algorithm.namedCurve === 'P-256' || algorithm.namedCurve === 'P-384')) {
    return algorithm.namedCurve;
  }
  if (!ok || algorithm.name !== 'RSASSA-PKCS1-v1_5' || algorithm.hash?.name !== 'SHA-256') {
    throw new InvalidArgumentError('The signing key must be an RSASSA-PKCS1-v1_5 / SHA-256 or ECDSA P-256 / P-384 private key');
  }
  return undefined;
}

/** Certificates end at 23:59:59 JST = 14:59:59Z (cert-profile §2). @internal */
export function checkValidity(notBefore: Date, notAfter: Date): void {
  if (!(notBefore.getTime() < notAfter.getTime())) {
    throw new InvalidArgumentError('notBefore must precede notAfter');
  }
  if (notAfter.getUTCHours() !== 14 || notAfter.getUTCMinutes() !== 59 || notAfter.getUTCSeconds() !== 59) {
    throw new InvalidArgumentError('notAfter must be 14:59:59Z (23:59:59 JST) as on real JPKI certificates');
  }
}

/** @internal */
export function checkAscii(value: string, what: string): void {
  if (!/^[\x20-\x7e]+$/.test(value)) throw new InvalidArgumentError(`${what} must be non-empty printable ASCII`);
}

/** @internal */
export const SHA256_WITH_RSA = sequence(oid(OID.sha256WithRSAEncryption), NULL);

/** ecdsa-with-SHA256 / ecdsa-with-SHA384, no parameters (RFC 5758 §3.2). @internal */
export const ECDSA_WITH_SHA256 = sequence(oid(OID.ecdsaWithSha256));
/** @internal */
export const ECDSA_WITH_SHA384 = sequence(oid(OID.ecdsaWithSha384));

/**
 * The AlgorithmIdentifier and signature of `key` over `tbs`: SHA-256/RSA, or ECDSA with the
 * curve's hash (P-256 with SHA-256, P-384 with SHA-384) as a DER ECDSA-Sig-Value. `ecdsaHash`
 * overrides the ECDSA hash (to build a signature whose hash does not fit the curve). Shared by
 * certificates, CRLs and OCSP responses. @internal
 */
export interface TbsSigner {
  /** The AlgorithmIdentifier DER that goes in (and, for X.509 and CRLs, also inside) the TBS. */
  readonly algorithm: Uint8Array;
  /** Sign `tbs`. */
  sign(tbs: Uint8Array): Promise<Uint8Array>;
}

/** A {@link TbsSigner} for `key` (checked: RSASSA-PKCS1-v1_5/SHA-256 or ECDSA P-256/P-384). @internal */
export function tbsSigner(key: CryptoKey, ecdsaHash?: 'SHA-256' | 'SHA-384'): TbsSigner {
  const curve = checkSigningKey(key);
  if (curve === undefined) {
    return {
      algorithm: SHA256_WITH_RSA,
      sign: async (tbs) => new Uint8Array(await subtle().sign({ name: 'RSASSA-PKCS1-v1_5' }, key, arrayBuffer(tbs))),
    };
  }
  const hash = ecdsaHash ?? (curve === 'P-384' ? 'SHA-384' : 'SHA-256');
  return {
    algorithm: hash === 'SHA-384' ? ECDSA_WITH_SHA384 : ECDSA_WITH_SHA256,
    sign: async (tbs) => {
      const raw = new Uint8Array(await subtle().sign({ name: 'ECDSA', hash }, key, arrayBuffer(tbs)));
      return ecdsaSignatureFromRaw(raw, curve);
    },
  };
}

/**
 * Assemble the TBSCertificate, sign it with SHA-256/RSA (or ECDSA with the curve's hash: P-256
 * with SHA-256, P-384 with SHA-384, the signature as DER ECDSA-Sig-Value) and wrap it. @internal
 */
export async function signCertificate(fields: {
  serial: string;
  issuer: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  subject: Uint8Array;
  spki: Uint8Array;
  extensions: readonly Uint8Array[];
  signingKey: CryptoKey;
}): Promise<Uint8Array> {
  const signer = tbsSigner(fields.signingKey);
  const tbs = sequence(
    tlv(0xa0, Uint8Array.of(TAG.integer, 0x01, 0x02)), // v3
    positiveIntegerFromHex(fields.serial),
    signer.algorithm,
    fields.issuer,
    sequence(time(fields.notBefore), time(fields.notAfter)),
    fields.subject,
    fields.spki,
    tlv(0xa3, sequence(...fields.extensions)),
  );
  return sequence(tbs, signer.algorithm, tlv(TAG.bitString, Uint8Array.of(0), await signer.sign(tbs)));
}

/** What a leaf needs from its issuer's certificate: raw subject, issuer, serial and SKI. @internal */
export interface IssuerInfo {
  readonly subject: Uint8Array;
  readonly issuer: Uint8Array;
  readonly serial: Uint8Array; // whole INTEGER TLV
  readonly keyId: Uint8Array;
}

/** @internal */
export function readIssuerInfo(certificate: Uint8Array): IssuerInfo {
  try {
    const cert = readElement(certificate, 0);
    const tbsElement = children(certificate, cert)[0];
    if (tbsElement === undefined) throw new CryptoError('Missing TBSCertificate');
    const tbs = children(certificate, tbsElement);
    const hasVersion = tbs[0]?.tag === 0xa0;
    const at = (i: number) => {
      const e = tbs[hasVersion ? i : i - 1];
      if (e === undefined) throw new CryptoError('Truncated TBSCertificate');
      return e;
    };
    const serial = at(1);
    const issuer = at(3);
    const subject = at(5);
    const extensionsWrapper = tbs.find((e) => e.tag === 0xa3);
    let keyId: Uint8Array | undefined;
    if (extensionsWrapper !== undefined) {
      const list = children(certificate, extensionsWrapper)[0];
      for (const ext of list === undefined ? [] : children(certificate, list)) {
        const parts = children(certificate, ext);
        const id = parts[0];
        const value = parts[parts.length - 1];
        if (id === undefined || value === undefined) continue;
        if (bytesEqualOid(contentBytes(certificate, id), OID.subjectKeyIdentifier)) {
          const inner = readElement(contentBytes(certificate, value), 0);
          keyId = contentBytes(contentBytes(certificate, value), inner);
        }
      }
    }
    if (keyId === undefined) throw new CryptoError('The issuer certificate has no subjectKeyIdentifier');
    return {
      subject: elementBytes(certificate, subject),
      issuer: elementBytes(certificate, issuer),
      serial: elementBytes(certificate, serial),
      keyId,
    };
  } catch (error) {
    if (error instanceof CryptoError) throw error;
    throw new CryptoError('The issuer certificate could not be parsed', { cause: error });
  }
}

/** @internal */
export function bytesEqualOid(content: Uint8Array, dotted: string): boolean {
  const encoded = oid(dotted);
  const expected = encoded.subarray(2);
  return content.length === expected.length && content.every((b, i) => b === expected[i]);
}

/** AKI: keyIdentifier [0], authorityCertIssuer [1] (a DirName), authorityCertSerialNumber [2]. @internal */
export function authorityKeyIdentifier(info: IssuerInfo): Uint8Array {
  const serialContent = info.serial.subarray(readElement(info.serial, 0).contentStart);
  return sequence(tlv(0x80, info.keyId), tlv(0xa1, directoryName(info.issuer)), tlv(0x82, serialContent));
}

/** The WebCrypto algorithm of every test key (RSASSA-PKCS1-v1_5 with SHA-256). */
export const TEST_KEY_ALGORITHM: Readonly<RsaHashedImportParams> = Object.freeze({
  name: 'RSASSA-PKCS1-v1_5',
  hash: 'SHA-256',
});
