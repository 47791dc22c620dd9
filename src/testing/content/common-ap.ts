/**
 * Record 1 of EF 0001 of the 共通カードAP ("unknown AP", card-facts §3.4).
 * @packageDocumentation
 */
import { concatBytes } from '../../bytes.js';
import { cardDate, digits } from './fields.js';

/** Simple-TLV tag of the record (card-facts §3.4: `01 1C`). */
export const COMMON_AP_RECORD_TAG = 0x01;
/** Value length of the record: serial 15 ‖ municipality 5 ‖ expiry 8 (card-facts §3.4). */
export const COMMON_AP_RECORD_VALUE_LENGTH = 28;

/** Input of {@link buildCommonApRecord}. The field split is MC's reading, [D] (card-facts §3.4). */
export interface CommonApRecordInput {
  /** 15 ASCII digits (MC: a serial; MYNA extracts chars [2..15) as a 製造番号). */
  readonly serial: string;
  /** 5 ASCII digits, 全国地方公共団体コード without the check digit. */
  readonly municipalityCode: string;
  /** Expiry, `YYYYMMDD` (or `YYYY-MM-DD`). */
  readonly expiry: string;
}

/**
 * Build record 1 of the common AP's EF 0001 (card-facts §3.4): simple-TLV `01 1C` followed by
 * 28 ASCII digits = serial(15) ‖ municipality code(5) ‖ expiry YYYYMMDD — 30 bytes.
 *
 * @throws InvalidArgumentError on a field of the wrong length or a non-date expiry.
 */
export function buildCommonApRecord(input: CommonApRecordInput): Uint8Array {
  const value = concatBytes(
    digits(input.serial, 15, 'serial'),
    digits(input.municipalityCode, 5, 'municipalityCode'),
    cardDate(input.expiry, 'expiry'),
  );
  return concatBytes(Uint8Array.of(COMMON_AP_RECORD_TAG, value.length), value);
}
