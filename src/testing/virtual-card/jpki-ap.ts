/**
 * Layout of the 公的個人認証AP (JPKI AP) built from the test PKI. card-facts §3.1.
 * @packageDocumentation
 */
import { InvalidArgumentError } from '../../errors.js';
import { AID_JPKI, JPKI_EF } from './constants.js';
import { ALWAYS, NEVER, afterPin, efMap, type DedicatedFile } from './file-system.js';
import type { PinObject } from './pin.js';
import type { RsaPrivateKey } from './rsa.js';
import { buildTokenInfo, type TokenInfoLayout } from './token-info.js';

/**
 * Size of a certificate EF when none is configured: 2048 bytes, or the DER length rounded up
 * to a multiple of 256 when the certificate is longer. The real EF size is not published [U].
 */
export const DEFAULT_CERTIFICATE_EF_SIZE = 2048;
/** Filler after the DER object in a certificate EF. Value not confirmed [U]; FF as after the My Number object (card-facts §3.1). */
export const DEFAULT_CERTIFICATE_FILLER = 0xff;
/** EF 0008 on a card carrying both certificates. card-facts §3.1 [S meaning] */
export const CERT_FLAGS_BOTH = Uint8Array.of(0x8f, 0x8f, 0x00);
/** Largest EF the 15-bit READ BINARY offset can address. card-facts §4 */
export const MAX_EF_SIZE = 0x8000;

/** What the JPKI AP is built from. */
export interface JpkiApInput {
  /** DER certificates. */
  readonly certificates: {
    readonly auth: Uint8Array;
    readonly sign: Uint8Array;
    readonly authCa: Uint8Array;
    readonly signCa: Uint8Array;
  };
  /** Private key behind the auth certificate (EF 0017). */
  readonly authKey: RsaPrivateKey;
  /** Private key behind the sign certificate (EF 001A). */
  readonly signKey: RsaPrivateKey;
  /** 利用者証明用暗証番号 (EF 0018). */
  readonly authPin: PinObject;
  /** 署名用パスワード (EF 001B). */
  readonly signPin: PinObject;
  /** Token label (EF 0006). */
  readonly label: string;
  /** EF 0006 layout. */
  readonly tokenInfo: TokenInfoLayout;
  /** Smartphone JPKI: reading the auth certificate needs the auth PIN. card-facts §3.1 [S] */
  readonly authCertificateNeedsPin: boolean;
  /** Filler byte after each DER certificate. */
  readonly filler: number;
  /** Fixed size of every certificate EF, if configured. */
  readonly certificateEfSize?: number | undefined;
}

/**
 * A certificate EF: DER at offset 0, then filler up to the EF size. card-facts §3.1 ("Certificate
 * EF layout"), §9 item 8
 * @throws InvalidArgumentError when the configured size cannot hold the DER or exceeds 32768
 */
export function certificateEfData(der: Uint8Array, filler: number, size?: number): Uint8Array {
  const length = size ?? Math.max(DEFAULT_CERTIFICATE_EF_SIZE, Math.ceil(der.length / 256) * 256);
  if (!Number.isInteger(length) || length < der.length || length > MAX_EF_SIZE) {
    throw new InvalidArgumentError(
      `certificateEfSize must be an integer from the certificate length (${der.length}) to ${MAX_EF_SIZE}`,
    );
  }
  const out = new Uint8Array(length).fill(filler);
  out.set(der, 0);
  return out;
}

/** The JPKI AP DF. card-facts §3.1 */
export function buildJpkiAp(input: JpkiApInput): DedicatedFile {
  const cert = (der: Uint8Array): Uint8Array => certificateEfData(der, input.filler, input.certificateEfSize);
  return {
    name: 'jpki',
    aid: AID_JPKI,
    efs: efMap(
      // Sign certificate: 6982 until the signing password is verified. card-facts §3.1 [C]
      { kind: 'binary', fid: JPKI_EF.signCert, data: cert(input.certificates.sign), read: afterPin(JPKI_EF.signPin) },
      { kind: 'binary', fid: JPKI_EF.signCaCert, data: cert(input.certificates.signCa), read: ALWAYS },
      { kind: 'binary', fid: JPKI_EF.token, data: buildTokenInfo(input.label, input.tokenInfo), read: ALWAYS },
      { kind: 'binary', fid: JPKI_EF.certFlags, data: CERT_FLAGS_BOTH, read: ALWAYS },
      // Unknown, protected (card-facts §3.1 [C existence]); contents not modelled.
      { kind: 'binary', fid: JPKI_EF.protected0009, data: new Uint8Array(16), read: NEVER },
      {
        kind: 'binary',
        fid: JPKI_EF.authCert,
        data: cert(input.certificates.auth),
        read: input.authCertificateNeedsPin ? afterPin(JPKI_EF.authPin) : ALWAYS,
      },
      { kind: 'binary', fid: JPKI_EF.authCaCert, data: cert(input.certificates.authCa), read: ALWAYS },
      { kind: 'key', fid: JPKI_EF.authKey, key: input.authKey, use: afterPin(JPKI_EF.authPin) },
      { kind: 'pin', fid: JPKI_EF.authPin, pin: input.authPin },
      { kind: 'key', fid: JPKI_EF.signKey, key: input.signKey, use: afterPin(JPKI_EF.signPin) },
      { kind: 'pin', fid: JPKI_EF.signPin, pin: input.signPin },
    ),
  };
}
