/**
 * Free-area card APs (地域住民向け領域 / 拡張利用領域) on the command line, shared by `info
 * --aid/--card-ap` and `card-ap probe` / `card-ap read`: loading descriptors from JSON files,
 * turning `--aid <hex>` into candidates, probing them by SELECT, the environment variable of a
 * card-AP secret, and the display form of decoded values.
 * @packageDocumentation
 */
import { ApduChannel } from '../apdu/channel.js';
import { cardApDescriptorFromJson, probeCardAps, type CardApDescriptor } from '../aps/card-ap/index.js';
import { fromHex, toHex } from '../bytes.js';
import { listOption } from './args.js';
import type { CommandContext } from './context.js';
import { CliError, EXIT } from './exit-codes.js';

/** A card AP asked about with `--aid` or `--card-ap`, with whether the card holds it. */
export interface CardApStatus {
  /** The descriptor's name, or the AID in hex for `--aid`. */
  readonly name: string;
  /** DF name, upper-case hex. */
  readonly aid: string;
  /** `'regional'` / `'extension'` when a descriptor names it. */
  readonly area?: string;
  /** Whether the card answered its SELECT with 9000. */
  readonly present: boolean;
}

/** A candidate of a probe: a descriptor's name and area, or a bare `--aid`. */
export interface CardApCandidate {
  /** The descriptor's name, or the AID in upper-case hex. */
  readonly name: string;
  /** The DF name. */
  readonly aid: Uint8Array;
  /** The descriptor's area; absent for `--aid`. */
  readonly area?: string;
}

/** A DF name on the command line: 5–16 bytes of hex (the SDK checks the reserved AIDs). */
const AID_HEX = /^(?:[0-9A-Fa-f]{2}){5,16}$/;

/**
 * Read and check a JSON descriptor named on the command line.
 * @throws CliError exit 2 when the file cannot be read; InvalidArgumentError (exit 2) when it is
 *   not a valid descriptor
 */
export async function loadCardApDescriptor(context: CommandContext, file: string): Promise<CardApDescriptor> {
  return cardApDescriptorFromJson(new TextDecoder().decode(await context.readFile(file)));
}

/**
 * The candidates of `--card-ap <descriptor.json>` (first: they have names) and `--aid <hex>`.
 * Everything is checked before the card is opened.
 * @throws CliError exit 2 for a malformed AID or descriptor
 */
export async function cardApCandidates(context: CommandContext): Promise<CardApCandidate[]> {
  const candidates: CardApCandidate[] = [];
  for (const file of listOption(context.args.options, 'card-ap')) {
    const descriptor = await loadCardApDescriptor(context, file);
    candidates.push({ name: descriptor.name, aid: descriptor.aid, area: descriptor.area });
  }
  for (const hexAid of listOption(context.args.options, 'aid')) {
    if (!AID_HEX.test(hexAid)) throw new CliError('usage', EXIT.usage, context.msg.badAid(hexAid));
    candidates.push({ name: hexAid.toUpperCase(), aid: fromHex(hexAid) });
  }
  return candidates;
}

/**
 * SELECT every candidate on a channel of its own (so a `MyNumberCard` session opened later
 * still knows which application is selected) and report which the card holds.
 */
export async function probeCardApCandidates(context: CommandContext, candidates: readonly CardApCandidate[]): Promise<CardApStatus[]> {
  if (candidates.length === 0) return [];
  const opened = await context.transport();
  const installed = await probeCardAps({ channel: new ApduChannel(opened.transport, { onTrace: context.trace, extendedLength: false }) }, candidates);
  return candidates.map((c) => ({
    name: c.name,
    aid: toHex(c.aid).toUpperCase(),
    ...(c.area === undefined ? {} : { area: c.area }),
    present: installed.includes(c),
  }));
}

/** Label of a probed card AP in human output: `name (AID)`, or the AID alone for `--aid`. */
export function cardApStatusLabel(status: Pick<CardApStatus, 'name' | 'aid'>): string {
  return status.name === status.aid ? status.aid : `${status.name} (${status.aid})`;
}

/** Prefix of the environment variables of card-AP secrets. */
export const CARD_AP_SECRET_ENV_PREFIX = 'MYNACARD_CARD_AP_';

/**
 * The environment variable of a card-AP secret: `MYNACARD_CARD_AP_` + the descriptor's secret
 * name in upper snake case (`patientPin` → `MYNACARD_CARD_AP_PATIENT_PIN`; any character other
 * than A–Z and 0–9 becomes `_`).
 */
export function cardApSecretEnv(secretName: string): string {
  const snake = secretName
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
  return `${CARD_AP_SECRET_ENV_PREFIX}${snake}`;
}

/** A decoded card-AP value as plain JSON: bytes → upper-case hex, TLV records → objects, absent members dropped. */
export type CardApDisplayValue = string | number | boolean | null | CardApDisplayValue[] | { [key: string]: CardApDisplayValue };

/** Convert a decoded value for output (strings as is, bytes as hex, records as objects). */
export function cardApDisplayValue(value: unknown): CardApDisplayValue {
  if (value instanceof Uint8Array) return toHex(value).toUpperCase();
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(cardApDisplayValue);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, CardApDisplayValue> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = cardApDisplayValue(v);
    return out;
  }
  return null;
}
