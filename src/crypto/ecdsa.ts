/**
 * ECDSA over the NIST curves P-256 and P-384 (楕円曲線DSA, for the next card generation): the
 * curves the SDK accepts, EC public keys in a SubjectPublicKeyInfo (RFC 5480), and the two
 * signature forms — DER `ECDSA-Sig-Value` (X.509, CMS; RFC 5480 §2.2, RFC 5753) and the raw
 * `r ‖ s` a device or WebCrypto produces (IEEE P1363) — converted with the TLV core. Every
 * conversion checks DER minimality and `1 ≤ r, s < n`, and is bounded by the curve size before
 * any decoding. Browser-safe: Uint8Array only.
 * @packageDocumentation
 */
import { fromHex } from '../bytes.js';
import { CryptoError, InvalidArgumentError } from '../errors.js';
import type { HashAlgorithm } from '../hash/digest-info.js';
import { decodeTlv, encodeTlv, TlvError, type TlvNode } from '../tlv/index.js';
import { readOid } from './der.js';
import { OID } from './oid.js';

/** A named curve the SDK accepts (NIST P-256 = secp256r1, P-384 = secp384r1). */
export type EcCurveName = 'P-256' | 'P-384';

/** An EC public key on a supported named curve (RFC 5480). */
export interface EcPublicKeyInfo {
  /** Always `'EC'` (id-ecPublicKey with a supported named curve). */
  readonly algorithm: 'EC';
  /** The named curve. */
  readonly curve: EcCurveName;
  /** The public point, uncompressed (`04 ‖ X ‖ Y`, SEC 1 §2.3.3). */
  readonly point: Uint8Array;
}

/** What the SDK knows of a curve. @internal */
export interface EcCurve {
  /** WebCrypto's `namedCurve`. */
  readonly name: EcCurveName;
  /** The namedCurve OID. */
  readonly oid: string;
  /** Field and order size in bytes (the length of r, s, X and Y). */
  readonly size: number;
  /** The group order n, big-endian, `size` bytes. */
  readonly order: Uint8Array;
  /** The field prime p and the coefficient b of y² = x³ − 3x + b (FIPS 186-4 App. D.1.2). */
  readonly prime: bigint;
  /** See `prime`. */
  readonly b: bigint;
  /**
   * The one hash accepted with this curve (RFC 5480 §4, the strength pairing; CNSA uses
   * P-384 with SHA-384): any other pairing is refused as `hash-curve-mismatch`.
   */
  readonly hash: HashAlgorithm;
}

/** The accepted curves (FIPS 186-4 App. D.1.2.3 / D.1.2.4 for the orders). @internal */
export const EC_CURVES: Readonly<Record<EcCurveName, EcCurve>> = {
  'P-256': {
    name: 'P-256',
    oid: OID.p256,
    size: 32,
    order: fromHex('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'),
    prime: 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn,
    b: 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn,
    hash: 'SHA-256',
  },
  'P-384': {
    name: 'P-384',
    oid: OID.p384,
    size: 48,
    order: fromHex(
      'ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973',
    ),
    prime: 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffeffffffff0000000000000000ffffffffn,
    b: 0xb3312fa7e23ee7e4988e056be3f82d19181d9c6efe8141120314088f5013875ac656398d8a2ed19d2a85c8edd3ec2aefn,
    hash: 'SHA-384',
  },
};

/** The curve named by `oid`, or `undefined` when it is not accepted. @internal */
export function curveByOid(oid: string): EcCurve | undefined {
  return oid === OID.p256 ? EC_CURVES['P-256'] : oid === OID.p384 ? EC_CURVES['P-384'] : undefined;
}

function curveOf(name: EcCurveName): EcCurve {
  if (name !== 'P-256' && name !== 'P-384') throw new InvalidArgumentError("curve must be 'P-256' or 'P-384'");
  return EC_CURVES[name];
}

/**
 * The EC public key of a SubjectPublicKeyInfo whose algorithm is id-ecPublicKey: `undefined`
 * when the parameters are not one of the accepted named curves (explicit parameters,
 * implicitlyCA, absent, or another curve); those keys are reported as unsupported.
 * @throws CryptoError `malformed-certificate` when the curve is accepted but the point is not
 *   an uncompressed point of its size (compressed points are refused: RFC 5480 makes them optional).
 * @internal
 */
export function decodeEcPublicKey(parameters: TlvNode | undefined, keyBits: Uint8Array): EcPublicKeyInfo | undefined {
  if (parameters?.tag !== 0x06) return undefined;
  let curve: EcCurve | undefined;
  try {
    curve = curveByOid(readOid(parameters));
  } catch {
    return undefined;
  }
  if (curve === undefined) return undefined;
  if (keyBits.length !== 1 + 2 * curve.size || keyBits[0] !== 0x04 || !onCurve(keyBits, curve)) {
    throw new CryptoError('Malformed certificate: EC public key is not an uncompressed point of its curve', {
      code: 'malformed-certificate',
    });
  }
  return { algorithm: 'EC', curve: curve.name, point: keyBits };
}

function bigIntOf(bytes: Uint8Array): bigint {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

/**
 * Whether `04 ‖ X ‖ Y` is an affine point of the curve (SEC 1 §3.2.2.1 partial validation: the
 * coordinates are field elements and satisfy the equation), so that a key WebCrypto would
 * refuse later is reported as a malformed certificate by the parser already. The point at
 * infinity has no uncompressed encoding and fails the equation.
 */
function onCurve(point: Uint8Array, curve: EcCurve): boolean {
  const p = curve.prime;
  const x = bigIntOf(point.subarray(1, 1 + curve.size));
  const y = bigIntOf(point.subarray(1 + curve.size));
  if (x >= p || y >= p) return false;
  const right = (((x * x) % p) * x - 3n * x + curve.b) % p;
  return (y * y - right) % p === 0n;
}

function malformed(message: string, cause?: unknown): CryptoError {
  return new CryptoError(`Malformed ECDSA signature: ${message}`, {
    code: 'malformed-signature',
    ...(cause === undefined ? {} : { cause }),
  });
}

/** Whether the unsigned big-endian `value` (no leading zero) is in [1, n − 1]. */
function inRange(value: Uint8Array, curve: EcCurve): boolean {
  let i = 0;
  while (i < value.length && value[i] === 0) i++;
  const digits = value.length - i;
  if (digits === 0) return false;
  if (digits !== curve.size) return digits < curve.size;
  for (let j = 0; j < digits; j++) {
    const a = value[i + j]!;
    const b = curve.order[j]!;
    if (a !== b) return a < b;
  }
  return false; // equal to n
}

/** The magnitude of a minimal, positive DER INTEGER, or a `malformed-signature` error. */
function positiveInteger(node: TlvNode | undefined, what: string, curve: EcCurve): Uint8Array {
  if (node?.tag !== 0x02 || node.length === 0) throw malformed(`${what} is not an INTEGER`);
  const v = node.value;
  if ((v[0]! & 0x80) !== 0) throw malformed(`${what} is negative`);
  if (v.length > 1 && v[0] === 0 && v[1]! < 0x80) throw malformed(`${what} is not minimally encoded`);
  const magnitude = v[0] === 0 && v.length > 1 ? v.subarray(1) : v;
  if (!inRange(magnitude, curve)) throw malformed(`${what} is outside [1, n-1]`);
  return magnitude;
}

/** Longest DER ECDSA-Sig-Value for a curve: SEQUENCE header + two INTEGERs of size + 1 bytes. */
function maxDerLength(curve: EcCurve): number {
  return 2 + 2 * (2 + curve.size + 1);
}

/**
 * Convert a DER `ECDSA-Sig-Value ::= SEQUENCE { r INTEGER, s INTEGER }` (RFC 5480 §2.2) to the
 * raw `r ‖ s` form WebCrypto verifies (each left-padded to the curve size). Strict: exactly one
 * DER SEQUENCE of two minimal positive INTEGERs, nothing after it, `1 ≤ r, s < n`. A high `s`
 * (above n/2) is valid ECDSA and is accepted. Inputs longer than the curve allows are refused
 * before decoding.
 *
 * @throws CryptoError `malformed-signature`; InvalidArgumentError for a bad argument.
 */
export function ecdsaSignatureToRaw(der: Uint8Array, curveName: EcCurveName): Uint8Array {
  if (!(der instanceof Uint8Array)) throw new InvalidArgumentError('signature must be a Uint8Array');
  const curve = curveOf(curveName);
  if (der.length > maxDerLength(curve)) throw malformed('longer than the curve allows');
  let nodes: TlvNode[];
  try {
    nodes = decodeTlv(der, { mode: 'der', maxDepth: 2 });
  } catch (error) {
    if (error instanceof TlvError) throw malformed(`not DER (${error.code})`, error);
    throw error;
  }
  const top = nodes.length === 1 ? nodes[0]! : undefined;
  const parts = top?.tag === 0x30 ? top.children : undefined;
  if (parts?.length !== 2) throw malformed('not a SEQUENCE of two INTEGERs');
  const r = positiveInteger(parts[0], 'r', curve);
  const s = positiveInteger(parts[1], 's', curve);
  const raw = new Uint8Array(2 * curve.size);
  raw.set(r, curve.size - r.length);
  raw.set(s, 2 * curve.size - s.length);
  return raw;
}

/** A minimal DER INTEGER of an unsigned big-endian magnitude. */
function derInteger(magnitude: Uint8Array): Uint8Array {
  let i = 0;
  while (i < magnitude.length - 1 && magnitude[i] === 0) i++;
  const digits = magnitude.subarray(i);
  if ((digits[0]! & 0x80) === 0) return encodeTlv(0x02, digits);
  const padded = new Uint8Array(digits.length + 1);
  padded.set(digits, 1);
  return encodeTlv(0x02, padded);
}

/**
 * Convert a raw `r ‖ s` signature (as a device or WebCrypto returns it: exactly twice the
 * curve size) to the DER `ECDSA-Sig-Value` that X.509 and CMS carry, with minimal INTEGERs.
 *
 * @throws CryptoError `malformed-signature` for a wrong length or `r`, `s` outside [1, n − 1];
 *   InvalidArgumentError for a bad argument.
 */
export function ecdsaSignatureFromRaw(raw: Uint8Array, curveName: EcCurveName): Uint8Array {
  if (!(raw instanceof Uint8Array)) throw new InvalidArgumentError('signature must be a Uint8Array');
  const curve = curveOf(curveName);
  if (raw.length !== 2 * curve.size) throw malformed(`raw signature must be ${2 * curve.size} bytes`);
  const r = raw.subarray(0, curve.size);
  const s = raw.subarray(curve.size);
  if (!inRange(r, curve)) throw malformed('r is outside [1, n-1]');
  if (!inRange(s, curve)) throw malformed('s is outside [1, n-1]');
  return encodeTlv(0x30, [derInteger(r), derInteger(s)]);
}
