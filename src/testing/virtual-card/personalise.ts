/**
 * Personalisation: turns {@link VirtualCardOptions} into the card's file system, secrets and
 * public material. Runs once per `VirtualMyNumberCard.create`.
 * @packageDocumentation
 */
import { InvalidArgumentError } from '../../errors.js';
import { buildCommonApRecord } from '../content/common-ap.js';
import { buildFaceApFiles, DEFAULT_MUNICIPALITY_CODE } from '../content/face-ap.js';
import { makeKeyId } from '../content/fields.js';
import { buildTextApFiles } from '../content/text-ap.js';
import { issueTestPkiForHolder, loadTestPki, type TestPki } from '../pki.js';
import type { TestHolder } from '../pki-issuer.js';
import { TEST_PKI_DATA } from '../test-pki-data.js';
import type { TestPkiData } from '../test-pki-types.js';
import { decodeBase64 } from './base64.js';
import { MAX_TRIES } from './constants.js';
import { buildCommonAp, buildFaceAp, buildJukiAp, buildTextAp } from './data-aps.js';
import { FileSystem, efMap, type ApplicationName, type DedicatedFile } from './file-system.js';
import { defaultCardExpiry, deriveVerificationB, eraYymmdd, parseCalendarDate } from './holder-secrets.js';
import { DEFAULT_CERTIFICATE_FILLER, buildJpkiAp } from './jpki-ap.js';
import type { VirtualCardOptions, VirtualCardProfile } from './options.js';
import { PinObject, type PinKind } from './pin.js';
import { rsaKeyFromJwk } from './rsa.js';
import { TOKEN_LABELS } from './token-info.js';

/** Default 利用者証明用電子証明書 暗証番号. */
export const DEFAULT_AUTH_PIN = '1234';
/** Default 署名用電子証明書 パスワード. */
export const DEFAULT_SIGN_PASSWORD = 'ABC123';
/** Default 券面事項入力補助用 暗証番号. */
export const DEFAULT_TEXT_PIN = '5678';
/** Default セキュリティコード (fictional). */
export const DEFAULT_SECURITY_CODE = '2468';
/** Default common-AP serial (fictional). */
export const DEFAULT_COMMON_SERIAL = '900000000000001';

/** 4-digit PINs. card-facts §5 [C] */
const FOUR_DIGITS = /^[0-9]{4}$/;
/** 署名用パスワード: 6–16 of A–Z 0–9, at least one letter and one digit. card-facts §5 [C] */
const SIGN_PASSWORD = /^(?=.*[A-Z])(?=.*[0-9])[A-Z0-9]{6,16}$/;

/** Certificates a card holds (DER). */
export interface CardCertificates {
  /** 利用者証明用電子証明書 (EF 000A). */
  readonly auth: Uint8Array;
  /** 署名用電子証明書 (EF 0001). */
  readonly sign: Uint8Array;
  /** 利用者証明用CA証明書 (EF 000B). */
  readonly authCa: Uint8Array;
  /** 署名用CA証明書 (EF 0002). */
  readonly signCa: Uint8Array;
}

/** Everything `create` produces. */
export interface Personalisation {
  readonly fs: FileSystem;
  readonly pins: ReadonlyMap<PinKind, PinObject>;
  readonly certificates: CardCertificates;
  readonly roots: { readonly auth: Uint8Array; readonly sign: Uint8Array };
  readonly holder: TestHolder;
  readonly profile: VirtualCardProfile;
}

interface ResolvedPki {
  readonly authLeaf: { readonly der: Uint8Array; readonly jwk: JsonWebKey };
  readonly signLeaf: { readonly der: Uint8Array; readonly jwk: JsonWebKey };
  readonly authRoot: Uint8Array;
  readonly signRoot: Uint8Array;
  readonly cardKey: JsonWebKey;
  readonly cvIssuerKey: JsonWebKey;
  readonly issuedAt: Date;
}

function isLoaded(pki: TestPkiData | TestPki): pki is TestPki {
  return pki.authRoot.certificate instanceof Uint8Array;
}

function fromLoaded(pki: TestPki): ResolvedPki {
  return {
    authLeaf: { der: pki.authLeaf.certificate, jwk: pki.authLeaf.jwk },
    signLeaf: { der: pki.signLeaf.certificate, jwk: pki.signLeaf.jwk },
    authRoot: pki.authRoot.certificate,
    signRoot: pki.signRoot.certificate,
    cardKey: pki.cardVerifiable.jwk,
    cvIssuerKey: pki.cvIssuer.jwk,
    issuedAt: pki.signLeaf.notBefore,
  };
}

function fromData(pki: TestPkiData): ResolvedPki {
  return {
    authLeaf: { der: decodeBase64(pki.authLeaf.certificate), jwk: pki.authLeaf.privateKey },
    signLeaf: { der: decodeBase64(pki.signLeaf.certificate), jwk: pki.signLeaf.privateKey },
    authRoot: decodeBase64(pki.authRoot.certificate),
    signRoot: decodeBase64(pki.signRoot.certificate),
    cardKey: pki.cardVerifiable.privateKey,
    cvIssuerKey: pki.cardVerifiable.issuerPrivateKey,
    issuedAt: new Date(pki.signLeaf.notBefore),
  };
}

/** Fields that go into a certificate: a change means re-issuing the leaves. */
const CERTIFICATE_FIELDS = [
  'name',
  'address',
  'birthDate',
  'sex',
  'nameSubstitutionFlags',
  'addressSubstitutionFlags',
] as const;

function resolveHolder(base: TestHolder, override: Partial<TestHolder> | undefined): TestHolder {
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (typeof v === 'string') merged[k] = v;
  if (override !== undefined) for (const [k, v] of Object.entries(override)) if (typeof v === 'string') merged[k] = v;
  const holder = merged as unknown as TestHolder;
  if (!/^[0-9]{12}$/.test(holder.myNumber)) throw new InvalidArgumentError('holder.myNumber must be 12 digits');
  if (holder.sex !== '1' && holder.sex !== '2' && holder.sex !== '3') {
    throw new InvalidArgumentError('holder.sex must be 1, 2 or 3');
  }
  parseCalendarDate(holder.birthDate, 'holder.birthDate');
  return holder;
}

async function resolvePki(
  source: TestPkiData | TestPki,
  holder: TestHolder,
): Promise<ResolvedPki> {
  const base = source.holder;
  const same = CERTIFICATE_FIELDS.every((f) => holder[f] === base[f]);
  if (same) return isLoaded(source) ? fromLoaded(source) : fromData(source);
  const loaded = isLoaded(source) ? source : await loadTestPki(source);
  return fromLoaded(await issueTestPkiForHolder(holder, loaded));
}

function checkSecret(value: string, pattern: RegExp, what: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) throw new InvalidArgumentError(`${what} has the wrong format`);
  return value;
}

function triesOption(value: number | undefined, max: number, what: string): number {
  if (value === undefined) return max;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new InvalidArgumentError(`tries.${what} must be an integer 0..${max}`);
  }
  return value;
}

function maxTriesOption(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > 15) {
    throw new InvalidArgumentError(`maxTries.${what} must be an integer 1..15`);
  }
  return value;
}

/** Applications per profile (see {@link VirtualCardProfile}). */
const PROFILE_APS: Readonly<Record<VirtualCardProfile, readonly ApplicationName[]>> = {
  card: ['jpki', 'text', 'face', 'common', 'juki'],
  android: ['jpki'],
  iphone: ['jpki'],
  juki: ['jpki', 'juki'],
};

const SAN_TO_CARD_SEX = { '1': '1', '2': '2', '3': '9' } as const;

/** Build the card described by `options`. */
export async function personalise(options: VirtualCardOptions): Promise<Personalisation> {
  const profile = options.profile ?? 'card';
  if (!(profile in PROFILE_APS)) throw new InvalidArgumentError('Unknown profile');
  const quirks = options.quirks ?? {};
  const pkiSource = options.pki ?? TEST_PKI_DATA;
  const holder = resolveHolder(pkiSource.holder, options.holder);
  const pki = await resolvePki(pkiSource, holder);

  const authValue = checkSecret(options.pins?.auth ?? DEFAULT_AUTH_PIN, FOUR_DIGITS, 'pins.auth');
  const signValue = checkSecret(options.pins?.sign ?? DEFAULT_SIGN_PASSWORD, SIGN_PASSWORD, 'pins.sign');
  const textValue = checkSecret(options.pins?.text ?? DEFAULT_TEXT_PIN, FOUR_DIGITS, 'pins.text');

  const info = options.cardInfo ?? {};
  const expiryDate = info.expiryDate ?? defaultCardExpiry(holder.birthDate, pki.issuedAt);
  parseCalendarDate(expiryDate, 'cardInfo.expiryDate');
  const securityCode = checkSecret(info.securityCode ?? DEFAULT_SECURITY_CODE, FOUR_DIGITS, 'cardInfo.securityCode');
  const municipalityCode = info.municipalityCode ?? DEFAULT_MUNICIPALITY_CODE;
  const verificationB = checkSecret(
    options.verificationB ?? deriveVerificationB(holder.birthDate, expiryDate, securityCode),
    /^[0-9]{14}$/,
    'verificationB',
  );
  const birthDateKey = checkSecret(options.birthDateKey ?? eraYymmdd(holder.birthDate), /^[0-9]{6}$/, 'birthDateKey');

  const tries = options.tries ?? {};
  const maxA = maxTriesOption(options.maxTries?.verificationA, MAX_TRIES.verificationA, 'verificationA');
  const maxB = maxTriesOption(options.maxTries?.verificationB, MAX_TRIES.verificationB, 'verificationB');
  const maxBirth = maxTriesOption(options.maxTries?.birthDate, MAX_TRIES.birthDate, 'birthDate');
  const pin = (value: string, max: number, remaining: number, format: RegExp, changeable = false): PinObject =>
    new PinObject({ value, maxTries: max, remaining, format, changeable });
  const twelve = /^[0-9]{12}$/;
  const fourteen = /^[0-9]{14}$/;
  const pins = new Map<PinKind, PinObject>([
    ['auth', pin(authValue, MAX_TRIES.auth, triesOption(tries.auth, MAX_TRIES.auth, 'auth'), FOUR_DIGITS, true)],
    ['sign', pin(signValue, MAX_TRIES.sign, triesOption(tries.sign, MAX_TRIES.sign, 'sign'), SIGN_PASSWORD, true)],
    ['text', pin(textValue, MAX_TRIES.text, triesOption(tries.text, MAX_TRIES.text, 'text'), FOUR_DIGITS, true)],
    ['textVerificationA', pin(holder.myNumber, maxA, triesOption(tries.verificationA, maxA, 'verificationA'), twelve)],
    ['textVerificationB', pin(verificationB, maxB, triesOption(tries.verificationB, maxB, 'verificationB'), fourteen)],
    ['faceVerificationA', pin(holder.myNumber, maxA, triesOption(tries.verificationA, maxA, 'verificationA'), twelve)],
    ['faceVerificationB', pin(verificationB, maxB, triesOption(tries.verificationB, maxB, 'verificationB'), fourteen)],
    ['faceBirthDate', pin(birthDateKey, maxBirth, triesOption(tries.birthDate, maxBirth, 'birthDate'), /^[0-9]{6}$/)],
  ]);
  const get = (kind: PinKind): PinObject => pins.get(kind)!;

  const absent = new Set<ApplicationName>(quirks.absentAps ?? []);
  const present = PROFILE_APS[profile].filter((ap) => !absent.has(ap));
  const filler = quirks.certificateFiller ?? DEFAULT_CERTIFICATE_FILLER;
  if (!Number.isInteger(filler) || filler < 0 || filler > 0xff) {
    throw new InvalidArgumentError('quirks.certificateFiller must be a byte');
  }
  const certificates: CardCertificates = {
    auth: pki.authLeaf.der,
    sign: pki.signLeaf.der,
    authCa: pki.authRoot,
    signCa: pki.signRoot,
  };
  const sexCode = info.sexCode ?? SAN_TO_CARD_SEX[holder.sex];
  const keyReference = makeKeyId('9000041');

  const dfs: DedicatedFile[] = [];
  for (const ap of present) {
    switch (ap) {
      case 'jpki':
        dfs.push(
          buildJpkiAp({
            certificates,
            authKey: rsaKeyFromJwk(pki.authLeaf.jwk),
            signKey: rsaKeyFromJwk(pki.signLeaf.jwk),
            authPin: get('auth'),
            signPin: get('sign'),
            label: TOKEN_LABELS[profile],
            tokenInfo: options.tokenInfo ?? 'full',
            authCertificateNeedsPin: profile === 'android' || profile === 'iphone',
            filler,
            certificateEfSize: quirks.certificateEfSize,
          }),
        );
        break;
      case 'text': {
        const files = await buildTextApFiles({
          ...(options.text ?? {}),
          name: holder.name,
          address: holder.address,
          birthDate: holder.birthDate,
          sex: sexCode,
          myNumber: holder.myNumber,
          cardKey: pki.cardKey,
          issuerKey: pki.cvIssuerKey,
        });
        // EF 0012: blocked on every card examined (card-facts §3.2 [S]); no value opens it.
        const blocked = new PinObject({ value: '', maxTries: MAX_TRIES.text, remaining: 0, format: /^$/ });
        dfs.push(
          buildTextAp(files, {
            pin: get('text'),
            verificationA: get('textVerificationA'),
            verificationB: get('textVerificationB'),
            blocked0012: blocked,
          }),
        );
        break;
      }
      case 'face': {
        const files = await buildFaceApFiles({
          ...(options.face ?? {}),
          birthDate: holder.birthDate,
          sex: sexCode,
          expiryDate,
          municipalityCode,
          cardKey: pki.cardKey,
          issuerKey: pki.cvIssuerKey,
        });
        dfs.push(
          buildFaceAp(files, {
            birthDate: get('faceBirthDate'),
            verificationA: get('faceVerificationA'),
            verificationB: get('faceVerificationB'),
          }),
        );
        break;
      }
      case 'common':
        dfs.push(
          buildCommonAp(
            buildCommonApRecord({ serial: info.serial ?? DEFAULT_COMMON_SERIAL, municipalityCode, expiry: expiryDate }),
            keyReference,
          ),
        );
        break;
      case 'juki':
        dfs.push(buildJukiAp(keyReference));
        break;
    }
  }
  // MF level: no readable EF; 001E is an IEF that answers 6981 to reads. card-facts §3.6 [S]
  const fs = new FileSystem(dfs, efMap({ kind: 'internal', fid: 0x001e }));
  fs.powerOn();
  return {
    fs,
    pins,
    certificates,
    roots: { auth: pki.authRoot, sign: pki.signRoot },
    holder,
    profile,
  };
}
