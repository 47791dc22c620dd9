/**
 * Shape of the committed test PKI (`test-pki-data.ts`, written by `scripts/generate-test-pki.ts`).
 * @packageDocumentation
 */
import type { TestHolder } from './pki-issuer.js';

/** One committed certificate with its TEST-ONLY private key. */
export interface TestPkiCertificateData {
  /** Certificate DER, base64 (standard alphabet, padded). */
  readonly certificate: string;
  /** RSA private key as JWK (kty, n, e, d, p, q, dp, dq, qi; alg RS256). TEST ONLY. */
  readonly privateKey: JsonWebKey;
  /** Serial number, big-endian upper-case hex as passed to the issuer. */
  readonly serial: string;
  /** notBefore, ISO 8601 UTC (`2025-04-01T01:23:45.000Z`). */
  readonly notBefore: string;
  /** notAfter, ISO 8601 UTC (always 14:59:59Z). */
  readonly notAfter: string;
}

/** Everything the virtual card and the tests need to reproduce the test PKI. */
export interface TestPkiData {
  /** 利用者証明用 test root (self-signed, `O=JPKI-TEST`). */
  readonly authRoot: TestPkiCertificateData;
  /** 署名用 test root (self-signed, `O=JPKI-TEST`). */
  readonly signRoot: TestPkiCertificateData;
  /** 利用者証明用 leaf issued by `authRoot`; its key is the card's auth key (EF 0017). */
  readonly authLeaf: TestPkiCertificateData;
  /** 署名用 leaf issued by `signRoot`; its key is the card's sign key (EF 001A). */
  readonly signLeaf: TestPkiCertificateData;
  /**
   * Keys for the card-verifiable objects of the virtual card (text-AP integrity record, face
   * signature, CV certificate): `privateKey` signs them, `issuerPrivateKey` is the separate
   * "CV issuer" key that certifies `privateKey`. Both RSA-2048, TEST ONLY.
   */
  readonly cardVerifiable: {
    /** RSA-2048 private JWK that signs the card-verifiable objects. */
    readonly privateKey: JsonWebKey;
    /** RSA-2048 private JWK of the "CV issuer" that certifies `privateKey`. */
    readonly issuerPrivateKey: JsonWebKey;
  };
  /** The fictional holder written into the sign leaf SAN (and the text AP). */
  readonly holder: TestHolder;
  /** Subject CN of the auth leaf (opaque, 23 ASCII characters). */
  readonly authCn: string;
  /** Subject CN of the sign leaf (28 characters: request time JST, sequence, window code). */
  readonly signCn: string;
  /** Prefecture in romaji (sign subject L, CRLDP OU), e.g. `Akita-ken`. */
  readonly prefecture: string;
  /** Municipality in romaji (sign subject L, CRLDP CN), e.g. `Yurihonjo-shi`. */
  readonly municipality: string;
}
