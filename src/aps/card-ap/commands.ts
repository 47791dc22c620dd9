/**
 * The APDUs of card-AP operations: SELECT of the card AP and of its EFs, READ BINARY and
 * UPDATE BINARY over a byte range of the current EF, and the secrets' VERIFY references.
 * @packageDocumentation
 */
import type { ApduPort } from '../../apdu/channel.js';
import { CommandApdu, MAX_EXTENDED_LC } from '../../apdu/command.js';
import { statusWordError } from '../../apdu/status.js';
import { SW } from '../../apdu/sw.js';
import { equalBytes, toHex } from '../../bytes.js';
import { CardDataError, PinFormatError } from '../../errors.js';
import { decodeTlv, findAllTlv, type TlvNode } from '../../tlv/index.js';
import { INS, SELECT_BY_NAME, SELECT_EF, SELECT_NO_FCI, SHORT_CHUNK } from '../constants.js';
import { secretBytes } from '../pin-format.js';
import type { PinReference } from '../pin.js';
import { CARD_AP_INS, MAX_SFI, SHORT_UPDATE_CHUNK } from './constants.js';
import { cardApAid, type CardApDescriptor, type CardApSecretSpec } from './descriptor.js';
import { CardApNotInstalledError, CardApSelectionError } from './errors.js';

/** `6282`: end of file reached before Le bytes (card-facts §4.1). */
const END_OF_FILE_WARNING = 0x6282;
/** Extended Le "all available" (encoded `00 00`). */
const EXTENDED_ALL = 65536;
/** P2 of VERIFY for the current EF. card-facts §4 */
const VERIFY_CURRENT_EF = 0x80;

/** SELECT by DF name, `00 A4 04 0C Lc <AID>`; returns the status word. */
export async function selectAid(port: ApduPort, aid: Uint8Array): Promise<number> {
  const response = await port.transmit(
    new CommandApdu({ ins: INS.select, p1: SELECT_BY_NAME, p2: SELECT_NO_FCI, data: aid.slice() }),
  );
  return response.sw;
}

/** SELECT P2: return the FCI template (ISO/IEC 7816-4 §11.2.2, P2 `00`). */
const SELECT_RETURN_FCI = 0x00;
/** FCI template (`6F`), FCP template (`62`) and the DF name inside them (`84`). ISO/IEC 7816-4 §7.4 */
const TAG_FCI = 0x6f;
const TAG_FCP = 0x62;
const TAG_DF_NAME = 0x84;

/**
 * What the SELECT of a card AP confirmed: `'verified'` when the card returned the AID as DF
 * name, `'unverified'` when it returned no DF name.
 */
export type CardApSelection = 'verified' | 'unverified';

/**
 * SELECT the card AP by DF name with the FCI requested, `00 A4 04 00 Lc <AID> 00`, and check the
 * DF name (tag `84`) the card returns: a different one (a card that selected by partial DF
 * name) is refused before anything else is sent. An absent AP answers `6A82` (card-facts §5
 * [S]; §9 item 1 marks the exact SW [U], so any other refusal stays a plain StatusWordError rather
 * than being guessed to mean "not installed"). The AID is checked against the reserved DF names
 * again (its bytes could have been changed after `defineCardAp`).
 *
 * @returns whether the selection was confirmed by a DF name
 * @throws CardApReservedAidError; CardApNotInstalledError for `6A82`; CardApSelectionError
 *   (`'df-name-mismatch'`, `'malformed-fci'`); StatusWordError for other refusals
 */
export async function selectCardAp(port: ApduPort, descriptor: CardApDescriptor): Promise<CardApSelection> {
  const aid = cardApAid(descriptor.aid);
  const response = await port.transmit(
    new CommandApdu({ ins: INS.select, p1: SELECT_BY_NAME, p2: SELECT_RETURN_FCI, data: aid, le: SHORT_CHUNK }),
  );
  const sw = response.sw;
  if (sw === SW.FILE_NOT_FOUND) throw new CardApNotInstalledError(descriptor.name, descriptor.area);
  if (!response.ok) throw statusWordError(sw, `SELECT card AP "${descriptor.name}"`);
  const expected = toHex(aid).toUpperCase();
  const dfName = dfNameOf(response.data, descriptor.name, expected);
  if (dfName === undefined) return 'unverified';
  if (!equalBytes(dfName, aid)) {
    throw new CardApSelectionError('df-name-mismatch', descriptor.name, expected, toHex(dfName).toUpperCase());
  }
  return 'verified';
}

/** The DF name in a SELECT answer (FCI or FCP template), or `undefined` when there is none. */
function dfNameOf(data: Uint8Array, cardAp: string, expected: string): Uint8Array | undefined {
  if (data.length === 0) return undefined;
  let nodes: TlvNode[];
  try {
    nodes = decodeTlv(data, { mode: 'ber' });
  } catch {
    throw new CardApSelectionError('malformed-fci', cardAp, expected);
  }
  const template = nodes.length === 1 ? nodes[0]! : undefined;
  if (template === undefined || (template.tag !== TAG_FCI && template.tag !== TAG_FCP)) {
    throw new CardApSelectionError('malformed-fci', cardAp, expected);
  }
  const names = findAllTlv(template, TAG_DF_NAME);
  if (names.length > 1) throw new CardApSelectionError('malformed-fci', cardAp, expected);
  return names[0]?.value;
}

/** SELECT an EF of the current card AP: `00 A4 02 0C 02 <FID>`. */
export async function selectCardApEf(port: ApduPort, fid: number, context: string): Promise<void> {
  const response = await port.transmit(
    new CommandApdu({ ins: INS.select, p1: SELECT_EF, p2: SELECT_NO_FCI, data: Uint8Array.of(fid >> 8, fid & 0xff) }),
  );
  if (!response.ok) throw statusWordError(response.sw, context);
}

/** Options of {@link readRange} and {@link updateRange}. */
export interface RangeOptions {
  /** Operation name for errors. */
  readonly context: string;
  /** Keep the data out of traces. */
  readonly sensitive: boolean;
}

/**
 * Read `length` bytes from offset 0 of the current EF: `00 B0 <offset hi> <offset lo> Le`, one
 * extended read when the channel allows it, else 256-byte chunks; each offset advanced by the
 * bytes actually returned (card-facts §4.1).
 * @throws CardDataError when the file ends early; StatusWordError from the card
 */
export async function readRange(port: ApduPort, length: number, options: RangeOptions): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let loaded = 0;
  while (loaded < length) {
    const left = length - loaded;
    const extended = port.extendedLengthSupported !== false;
    const le = Math.min(left, extended ? EXTENDED_ALL : SHORT_CHUNK);
    const response = await port.transmit(
      new CommandApdu({ ins: INS.readBinary, p1: loaded >> 8, p2: loaded & 0xff, le }),
      { context: options.context, sensitiveResponse: options.sensitive },
    );
    if (!response.ok && response.sw !== END_OF_FILE_WARNING) throw statusWordError(response.sw, options.context);
    const n = Math.min(response.data.length, left);
    out.set(response.data.subarray(0, n), loaded);
    if (options.sensitive) response.data.fill(0);
    loaded += n;
    if (loaded < length && (n === 0 || response.sw === END_OF_FILE_WARNING)) {
      if (options.sensitive) out.fill(0);
      throw new CardDataError(`${options.context}: the file is shorter than the descriptor says (${loaded} of ${length} bytes)`);
    }
  }
  return out;
}

/** Progress of {@link updateRange}: bytes the card has accepted. */
export interface UpdateProgress {
  written: number;
}

/**
 * Write `data` at offset 0 of the current EF: `00 D6 <offset hi> <offset lo> Lc <data>` in
 * chunks of 255 bytes (one extended command when the channel is known to support them).
 * UPDATE BINARY is never resent.
 * @throws StatusWordError from the card (`progress.written` says how far it got)
 */
export async function updateRange(
  port: ApduPort,
  data: Uint8Array,
  progress: UpdateProgress,
  options: RangeOptions,
): Promise<void> {
  const chunk = port.extendedLengthSupported === true ? MAX_EXTENDED_LC : SHORT_UPDATE_CHUNK;
  progress.written = 0;
  while (progress.written < data.length) {
    const offset = progress.written;
    const part = data.subarray(offset, Math.min(data.length, offset + chunk));
    const response = await port.transmit(
      new CommandApdu({ ins: CARD_AP_INS.updateBinary, p1: offset >> 8, p2: offset & 0xff, data: part }),
      { context: options.context, sensitiveCommand: options.sensitive },
    );
    if (!response.ok) throw statusWordError(response.sw, options.context);
    progress.written += part.length;
  }
}

/** Bytes allowed by each charset (checked on the bytes: no string copy of a secret given as bytes). */
const CHARSET_BYTES = {
  digits: (b: number) => b >= 0x30 && b <= 0x39,
  alphanumeric: (b: number) => (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a),
  ascii: (b: number) => b >= 0x20 && b <= 0x7e,
} as const;

const CHARSET_NAMES = {
  digits: 'digits',
  alphanumeric: 'letters A–Z a–z and digits',
  ascii: 'printable ASCII characters',
} as const;

/** The name of a secret for messages (its label, or `secret "name" of card AP "x"`). */
export function secretLabel(descriptor: CardApDescriptor, name: string, spec: CardApSecretSpec): string {
  return spec.label ?? `secret "${name}" of card AP "${descriptor.name}"`;
}

/**
 * Check `value` (a string or ASCII bytes, the latter wiped here) against the secret's format and
 * return its ASCII bytes (the caller wipes them).
 * @throws PinFormatError (nothing is sent; the message names the rule, never the value)
 */
export function encodeCardApSecret(descriptor: CardApDescriptor, name: string, spec: CardApSecretSpec, value: unknown): Uint8Array {
  const min = spec.minLength ?? 4;
  const max = spec.maxLength ?? Math.max(4, min);
  const charset = spec.charset ?? 'digits';
  const rule =
    `The ${secretLabel(descriptor, name, spec)} must be ` +
    `${min === max ? `exactly ${min}` : `${min}–${max}`} ${CHARSET_NAMES[charset]}`;
  const bytes = secretBytes(value);
  if (bytes === undefined) throw new PinFormatError(`${rule} (a string or bytes were expected)`);
  if (bytes.length < min || bytes.length > max || !bytes.every(CHARSET_BYTES[charset])) {
    bytes.fill(0);
    throw new PinFormatError(rule);
  }
  return bytes;
}

/**
 * The VERIFY reference of a secret, selecting its IEF first when it has no SFI (FID above
 * `001E`): then VERIFY addresses the current EF (`P2 = 80`).
 */
export async function secretReference(
  port: ApduPort,
  descriptor: CardApDescriptor,
  name: string,
  spec: CardApSecretSpec,
): Promise<PinReference> {
  const label = secretLabel(descriptor, name, spec);
  // A provider's request names the secret by the descriptor's label (given in one language only).
  const request = { kind: 'card-ap', nameJa: label, nameEn: label, cardApSecret: name } as const;
  if (spec.fid <= MAX_SFI) return { p2: VERIFY_CURRENT_EF | spec.fid, name: label, maxTries: spec.maxTries, ...request };
  await selectCardApEf(port, spec.fid, `SELECT ${label}`);
  return { p2: VERIFY_CURRENT_EF, name: label, maxTries: spec.maxTries, ...request };
}
