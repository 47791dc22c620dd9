/**
 * Status words (ステータスワード) the SDK names. Values are ISO/IEC 7816-4; the card-facts
 * column says where the My Number Card was seen to use them.
 * @packageDocumentation
 */

/** Named status words, `SW1 << 8 | SW2`. */
export const SW = {
  /** Normal completion. card-facts §5 */
  OK: 0x9000,
  /** Wrong length (short Le on a large object; also extended length refused). card-facts §5 */
  WRONG_LENGTH: 0x6700,
  /** Logical channel not supported. card-facts §5 */
  LOGICAL_CHANNEL_NOT_SUPPORTED: 0x6881,
  /** Secure messaging not supported. card-facts §5 */
  SECURE_MESSAGING_NOT_SUPPORTED: 0x6882,
  /** Security status not satisfied (PIN not verified). card-facts §5 */
  SECURITY_STATUS_NOT_SATISFIED: 0x6982,
  /** Authentication method blocked. ISO 7816-4 */
  AUTHENTICATION_METHOD_BLOCKED: 0x6983,
  /** Reference data not usable: on this card, the PIN (暗証番号) is blocked. card-facts §5 */
  REFERENCE_DATA_NOT_USABLE: 0x6984,
  /** Conditions of use not satisfied. card-facts §5 */
  CONDITIONS_NOT_SATISFIED: 0x6985,
  /** Incorrect parameters in the command data field. card-facts §5 */
  WRONG_DATA: 0x6a80,
  /** File or application not found. card-facts §5 */
  FILE_NOT_FOUND: 0x6a82,
  /** Incorrect P1-P2. card-facts §5 */
  INCORRECT_P1P2: 0x6a86,
  /** Referenced data (e.g. a GET DATA object) not found. card-facts §5 */
  REFERENCED_DATA_NOT_FOUND: 0x6a88,
  /** Wrong parameters: offset beyond the end of the EF. card-facts §5 */
  WRONG_OFFSET: 0x6b00,
  /** Instruction not supported. card-facts §5 [U] */
  INS_NOT_SUPPORTED: 0x6d00,
  /** Class not supported. card-facts §5 [U] */
  CLA_NOT_SUPPORTED: 0x6e00,
  /** No precise diagnosis. card-facts §5 */
  NO_PRECISE_DIAGNOSIS: 0x6f00,
  /** Verification failed, no tries left: the PIN is now blocked (63C0). card-facts §5 */
  PIN_BLOCKED_COUNTER: 0x63c0,
} as const;

/** Hex of a status word, upper case, 4 digits (`6A82`). */
export function swHex(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}
