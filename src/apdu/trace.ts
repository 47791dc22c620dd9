/**
 * Trace events with secret redaction, and the hex rendering used by traces and error messages.
 *
 * A redacted event never holds the secret bytes: the event is built from the header and length
 * fields only, so nothing downstream (a logger, a thrown callback, an error message) can leak a
 * PIN (暗証番号), a password or a 照合番号.
 * @packageDocumentation
 */
import { CommandApdu } from './command.js';

/**
 * Instructions whose command data is always a secret (PIN, password, 照合番号):
 * VERIFY (20, 21), CHANGE REFERENCE DATA (24, 25), RESET RETRY COUNTER (2C, 2D), and the
 * proprietary CHANGE KEY `80 32` used for common-AP / 住基AP PINs (card-facts §4). Matched
 * regardless of CLA: redacting too much is harmless.
 */
const SECRET_INS: ReadonlySet<number> = new Set([0x20, 0x21, 0x24, 0x25, 0x2c, 0x2d, 0x32]);

/** True when `ins` is an instruction whose command data is always redacted. */
export function isSecretInstruction(ins: number): boolean {
  return SECRET_INS.has(ins);
}

/**
 * True when the encoded command `bytes` carries a secret in its data field: a
 * {@link isSecretInstruction} instruction with data. The one predicate every transport uses to
 * decide which of its copies of a command to wipe.
 */
export function isSecretCommand(bytes: Uint8Array): boolean {
  return bytes.length > 5 && isSecretInstruction(bytes[1]!);
}

/** A command seen on the wire. */
export interface ApduTraceCommandEvent {
  /** Discriminant: a command APDU, host to card (`=>`). */
  readonly direction: 'command';
  /**
   * The command bytes; when `redacted`, the secret data field is cut out
   * (`bytes` = header ‖ Lc ‖ Le and the data belonged at `redactedOffset`).
   */
  readonly bytes: Uint8Array;
  /** True when the data field was removed. */
  readonly redacted: boolean;
  /** How many bytes were removed (0 when not redacted). */
  readonly redactedLength: number;
  /** Where in `bytes` the removed bytes belonged. */
  readonly redactedOffset: number;
}

/** A response seen on the wire. */
export interface ApduTraceResponseEvent {
  /** Discriminant: a response APDU, card to host (`<=`). */
  readonly direction: 'response';
  /** The response bytes; when `redacted`, only SW1 SW2 (the data was removed, at offset 0). */
  readonly bytes: Uint8Array;
  /** The status word. */
  readonly sw: number;
  /** True when the data was removed. */
  readonly redacted: boolean;
  /** How many bytes were removed (0 when not redacted). */
  readonly redactedLength: number;
  /** Where in `bytes` the removed bytes belonged (always 0 for responses). */
  readonly redactedOffset: number;
}

/** What `ApduChannel`'s `onTrace` hook receives for every APDU exchanged with the transport. */
export type ApduTraceEvent = ApduTraceCommandEvent | ApduTraceResponseEvent;

/**
 * Build the trace event of a command. The data field is removed when the instruction carries
 * a secret ({@link isSecretInstruction}) or when `sensitive` is set. `bytes` never aliases
 * `command.data`.
 */
export function commandTraceEvent(command: CommandApdu, sensitive = false): ApduTraceCommandEvent {
  const encoded = command.toBytes();
  const dataLength = command.data.length;
  if (dataLength === 0 || !(sensitive || isSecretInstruction(command.ins))) {
    return { direction: 'command', bytes: encoded, redacted: false, redactedLength: 0, redactedOffset: encoded.length };
  }
  const offset = command.isExtended ? 7 : 5; // header + Lc
  const bytes = new Uint8Array(encoded.length - dataLength);
  bytes.set(encoded.subarray(0, offset));
  bytes.set(encoded.subarray(offset + dataLength), offset);
  encoded.fill(0); // the full encoding held the secret
  return { direction: 'command', bytes, redacted: true, redactedLength: dataLength, redactedOffset: offset };
}

/** Build the trace event of a response (`data ‖ SW1 SW2`); the data is removed when `sensitive`. */
export function responseTraceEvent(response: Uint8Array, sw: number, sensitive = false): ApduTraceResponseEvent {
  const dataLength = response.length - 2;
  if (!sensitive || dataLength <= 0) {
    return { direction: 'response', bytes: response.slice(), sw, redacted: false, redactedLength: 0, redactedOffset: response.length };
  }
  const bytes = response.slice(dataLength);
  return { direction: 'response', bytes, sw, redacted: true, redactedLength: dataLength, redactedOffset: 0 };
}

function hex2(byte: number): string {
  return byte.toString(16).toUpperCase().padStart(2, '0');
}

function redactedMarker(length: number): string {
  return `<redacted ${length} byte${length === 1 ? '' : 's'}>`;
}

/** Upper-case hex, bytes separated by spaces (`00 A4 04 0C`). */
export function spacedHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0) out += ' ';
    out += hex2(bytes[i]!);
  }
  return out;
}

/**
 * Render an event as one line, e.g. `=> 00 20 00 98 04 <redacted 4 bytes>` or
 * `<= <redacted 256 bytes> 90 00`.
 */
export function formatTraceEvent(event: ApduTraceEvent): string {
  const arrow = event.direction === 'command' ? '=>' : '<=';
  if (!event.redacted) return `${arrow} ${spacedHex(event.bytes)}`;
  const parts = [
    spacedHex(event.bytes.subarray(0, event.redactedOffset)),
    redactedMarker(event.redactedLength),
    spacedHex(event.bytes.subarray(event.redactedOffset)),
  ].filter((p) => p !== '');
  return `${arrow} ${parts.join(' ')}`;
}

/**
 * Render command bytes for an error message or a log: hex with the data of secret instructions
 * redacted. Works on bytes that are not a valid APDU too (everything after the 4-byte header
 * and a 1-byte length is then hidden when INS is a secret one).
 */
export function formatCommandRedacted(bytes: Uint8Array): string {
  let command: CommandApdu | undefined;
  try {
    command = CommandApdu.parse(bytes);
  } catch {
    command = undefined;
  }
  if (command) return formatTraceEvent(commandTraceEvent(command)).slice(3);
  const ins = bytes[1];
  if (ins === undefined || !isSecretInstruction(ins) || bytes.length <= 5) return spacedHex(bytes);
  return `${spacedHex(bytes.subarray(0, 5))} ${redactedMarker(bytes.length - 5)}`;
}

const INSTRUCTION_NAMES: Readonly<Record<number, string>> = {
  0x20: 'VERIFY',
  0x24: 'CHANGE REFERENCE DATA',
  0x2c: 'RESET RETRY COUNTER',
  0x84: 'GET CHALLENGE',
  0x88: 'INTERNAL AUTHENTICATE',
  0xa4: 'SELECT',
  0xb0: 'READ BINARY',
  0xb1: 'READ BINARY',
  0xb2: 'READ RECORD',
  0xb3: 'READ RECORD',
  0xc0: 'GET RESPONSE',
  0xca: 'GET DATA',
  0xcb: 'GET DATA',
};

/**
 * A short name of the command for messages: `'SELECT'`, `'READ BINARY'`, `'COMPUTE DIGITAL
 * SIGNATURE'` for the JPKI `80 2A` (card-facts §4), otherwise `'CLA 80 INS 32'`.
 */
export function commandName(command: Pick<CommandApdu, 'cla' | 'ins'>): string {
  const proprietary = (command.cla & 0x80) !== 0;
  if (proprietary && command.ins === 0x2a) return 'COMPUTE DIGITAL SIGNATURE';
  const name = proprietary ? undefined : INSTRUCTION_NAMES[command.ins];
  return name ?? `CLA ${hex2(command.cla)} INS ${hex2(command.ins)}`;
}
