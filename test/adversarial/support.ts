/**
 * Shared pieces of the adversarial suite: case counts (`MYNACARD_ADVERSARIAL=long` switches to
 * the long mode), real-shaped inputs read from the virtual card with raw APDUs, and the
 * "only typed errors" check.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { fromHex } from '../../src/bytes.js';
import { MynacardError } from '../../src/errors.js';
import { readTlvHeader } from '../../src/tlv/index.js';
import { VirtualMyNumberCard, type VirtualCardOptions } from '../../src/testing/index.js';

/** `MYNACARD_ADVERSARIAL=long`: the opt-in long mode (≥ 100 000 cases per fuzz target). */
export const LONG = process.env['MYNACARD_ADVERSARIAL'] === 'long';

/** Cases per synchronous fuzz target: seed-pinned small set by default, ≥ 100 000 in long mode. */
export const FUZZ_RUNS = LONG ? 100_000 : 1_500;
/** Cases per asynchronous (WebCrypto) fuzz target. */
export const ASYNC_FUZZ_RUNS = LONG ? 100_000 : 150;
/** Per-test timeout: generous by default, an hour in long mode. */
export const TEST_TIMEOUT = LONG ? 3_600_000 : 60_000;
/** Fixed fast-check seed of the default run (reproducible CI). */
export const SEED = 0x5eed_2026;

/** fast-check parameters of a fuzz target. */
export function fuzzParams(numRuns: number): { numRuns: number; seed?: number; endOnFailure: true } {
  // The long mode draws fresh seeds (reported by fast-check on failure) to widen coverage.
  return LONG ? { numRuns, endOnFailure: true } : { numRuns, seed: SEED, endOnFailure: true };
}

/**
 * Largest time one fuzz case may take (ms): a hang or a quadratic blow-up fails. Long mode runs
 * for minutes next to other work, where a GC or scheduling stall alone can reach 250 ms (seen
 * on inputs that take 0.03 ms when re-timed), so it allows 1 s.
 */
export const CASE_BUDGET_MS = LONG ? 1000 : 250;

/**
 * Run `fn` and require it to return or throw a `MynacardError` (never a TypeError, RangeError,
 * a library's own error class, or a non-Error), within {@link CASE_BUDGET_MS}.
 */
export function expectTyped<T>(fn: () => T): T | MynacardError {
  const t0 = performance.now();
  try {
    return fn();
  } catch (error) {
    if (!(error instanceof MynacardError)) {
      throw new Error(`untyped error: ${String((error as Error)?.name)}: ${String((error as Error)?.message)}`, {
        cause: error,
      });
    }
    expect(typeof error.code).toBe('string');
    return error;
  } finally {
    const dt = performance.now() - t0;
    if (dt > CASE_BUDGET_MS) throw new Error(`case took ${dt.toFixed(1)} ms`);
  }
}

/** The asynchronous form of {@link expectTyped}. */
export async function expectTypedAsync<T>(fn: () => Promise<T>): Promise<T | MynacardError> {
  const t0 = performance.now();
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof MynacardError)) {
      throw new Error(`untyped error: ${String((error as Error)?.name)}: ${String((error as Error)?.message)}`, {
        cause: error,
      });
    }
    return error;
  } finally {
    const dt = performance.now() - t0;
    if (dt > CASE_BUDGET_MS * 4) throw new Error(`case took ${dt.toFixed(1)} ms`);
  }
}

/** A committed vector file as bytes. */
export function vector(path: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(`../vectors/${path}`, import.meta.url)));
}

/** The real J-LIS-issued leaves and the legacy bridge CA in test/vectors/real. */
export const REAL_CERTIFICATES: readonly Uint8Array[] = [
  'real-auth-leaf-2019-issued-by-authca01__my-number-myna.der',
  'real-auth-leaf-2020-issued-by-authca02__mynawallet-myna_cert.der',
  'real-auth-leaf-2020-issued-by-authca02__siketyan-keychain.der',
  'real-auth-leaf-2023-issued-by-authca02__mynawallet-myna_new_cert.der',
  'synthetic-sign-leaf-fake-jlis-issuer__mynawallet-dummy_secret_cert.der',
  'jpki-legacy-prefectural-association-bridgeca-2003-2013.der',
].map((file) => vector(`real/${file}`));

/** The files of one virtual card, as the card returns them (exactly one TLV object each). */
export interface CardFiles {
  readonly myNumber: Uint8Array; // text EF 0001, FF10
  readonly attributes: Uint8Array; // text EF 0002, FF20
  readonly textCv: Uint8Array; // text EF 0004, 7F21
  readonly face: Uint8Array; // face EF 0002, FF20
  readonly myNumberImage: Uint8Array; // face EF 0005, FF40
  readonly common: Uint8Array; // common AP EF 0001
  readonly token: Uint8Array; // JPKI EF 0006 label
  readonly authCert: Uint8Array;
  readonly signCert: Uint8Array;
  readonly signSan: Uint8Array; // the subjectAltName extnValue of the sign leaf
}

async function apdu(vc: VirtualMyNumberCard, hex: string): Promise<Uint8Array> {
  const r = await vc.transmit(fromHex(hex));
  const sw = (r[r.length - 2]! << 8) | r[r.length - 1]!;
  if (sw !== 0x9000) throw new Error(`${hex} → ${sw.toString(16)}`);
  return r.subarray(0, r.length - 2);
}

function oneTlv(bytes: Uint8Array): Uint8Array {
  const h = readTlvHeader(bytes, 0, { mode: 'ber' });
  return bytes.slice(0, h.totalLength ?? bytes.length);
}

/** The SAN extnValue (contents of the OCTET STRING after OID 2.5.29.17) of a certificate. */
export function sanOf(der: Uint8Array): Uint8Array {
  for (let i = 0; i + 5 < der.length; i++) {
    if (der[i] === 0x06 && der[i + 1] === 0x03 && der[i + 2] === 0x55 && der[i + 3] === 0x1d && der[i + 4] === 0x11) {
      let p = i + 5;
      if (der[p] === 0x01) p += 3; // critical BOOLEAN
      const h = readTlvHeader(der, p);
      return der.slice(p + h.headerLength, p + h.headerLength + h.length!);
    }
  }
  throw new Error('no SAN');
}

/** Read every record of a fresh virtual card with raw APDUs (no SDK code involved). */
export async function readCardFiles(options: VirtualCardOptions = {}): Promise<CardFiles> {
  const vc = await VirtualMyNumberCard.create(options);
  const read = async (ef: string): Promise<Uint8Array> => {
    await apdu(vc, `00A4020C02${ef}`);
    return apdu(vc, '00B00000000000');
  };
  await apdu(vc, '00A4040C0AD3921000310001010408'); // text AP
  await apdu(vc, '002000910435363738'); // text PIN 5678
  const myNumber = oneTlv(await read('0001'));
  const attributes = oneTlv(await read('0002'));
  const textCv = oneTlv(await read('0004'));
  await apdu(vc, '00A4040C0AD3921000310001010402'); // face AP
  const a = Array.from(vc.holder.myNumber, (c) => c.charCodeAt(0).toString(16).padStart(2, '0')).join('');
  await apdu(vc, `002000930C${a}`); // 照合番号A = the 個人番号
  const face = oneTlv(await read('0002'));
  const myNumberImage = oneTlv(await read('0005'));
  await apdu(vc, '00A4040C0AD3921000310001010100'); // common AP
  const common = await apdu(vc, '00B2010C00');
  await apdu(vc, '00A4040C0AD392F000260100000001'); // JPKI AP
  const token = (await read('0006')).slice(0, 32);
  const authCert = oneTlv(await read('000A'));
  const signCert = vc.certificates.sign.slice();
  return { myNumber, attributes, textCv, face, myNumberImage, common, token, authCert, signCert, signSan: sanOf(signCert) };
}
