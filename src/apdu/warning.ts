/**
 * Warning status words (警告処理): `62xx` and `63xx` except `63Cx`.
 *
 * The command was processed, so {@link checkStatus} and `ApduChannel.send` resolve, but the
 * warning is never swallowed: it is on {@link ResponseApdu.warning} and reported through the
 * channel's `onWarning` hook. `63Cx` is not a warning here: it is a PIN result
 * (`PinIncorrectError` / `PinBlockedError`).
 *
 * Note that `6300` after VERIFY means "authentication failed" (keys with unlimited tries,
 * card-facts §5): code that verifies must check `response.ok`, not just that nothing was thrown.
 * @packageDocumentation
 */
import { swHex } from './sw.js';

/** A warning status word, described. */
export interface StatusWordWarning {
  /** The status word, e.g. `0x6282`. */
  readonly sw: number;
  /** Stable code, e.g. `'end-of-file'`; `'warning'` for warnings without a specific code. */
  readonly code: string;
  /** Human-readable meaning, including the SW in hex. */
  readonly message: string;
}

const KNOWN: Readonly<Record<number, readonly [code: string, meaning: string]>> = {
  0x6281: ['data-corrupted', 'part of the returned data may be corrupted'],
  0x6282: ['end-of-file', 'end of file or record reached before Le bytes were read'],
  0x6283: ['file-deactivated', 'the selected file is deactivated'],
  0x6284: ['fci-format', 'file control information is not formatted per ISO 7816-4'],
  0x6300: ['no-information', 'no information given (after VERIFY: authentication failed)'],
  0x6381: ['file-filled-up', 'file filled up by the last write'],
};

/** True for `62xx` and `63xx` other than `63Cx`. */
export function isWarningStatus(sw: number): boolean {
  const sw1 = sw >> 8;
  if (sw1 === 0x62) return true;
  return sw1 === 0x63 && (sw & 0xf0) !== 0xc0;
}

/** Describe `sw` when it is a warning; `undefined` otherwise. */
export function statusWordWarning(sw: number): StatusWordWarning | undefined {
  if (!isWarningStatus(sw)) return undefined;
  const [code, meaning] = KNOWN[sw] ?? ['warning', 'warning (processing completed with a warning)'];
  return { sw, code, message: `SW ${swHex(sw)}: ${meaning}` };
}
