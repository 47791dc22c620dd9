/**
 * `mynacard info` and `mynacard pin status`: which applications answer, and the tries left of
 * every PIN, read with empty VERIFYs that spend none. No secret is needed.
 * @packageDocumentation
 */
import type { TriesState } from '../../secret.js';
import { ApduChannel } from '../../apdu/channel.js';
import { CommandApdu } from '../../apdu/command.js';
import { FileNotFoundError } from '../../apdu/status.js';
import { SW, swHex } from '../../apdu/sw.js';
import type { ApduTraceEvent } from '../../apdu/trace.js';
import { AID_JUKI, AIDS, INS, MAX_TRIES, SELECT_BY_NAME, SELECT_NO_FCI } from '../../aps/constants.js';
import type { MyNumberCard } from '../../aps/card.js';
import { cardApCandidates, cardApStatusLabel, probeCardApCandidates, type CardApStatus } from '../card-aps.js';
import type { Transport } from '../../transport/transport.js';
import type { Command, CommandContext } from '../context.js';
import type { ApName, Messages } from '../i18n.js';
import { fieldLines } from '../output.js';

/** The applications `info` probes, in display order. card-facts §2 */
const PROBED: readonly (readonly [ApName, Uint8Array])[] = [
  ['jpki', AIDS.jpki],
  ['text', AIDS.text],
  ['face', AIDS.face],
  ['common', AIDS.common],
  ['juki', AID_JUKI],
];

/** Whether an application answered its SELECT: `'present'`, `'absent'` (6A82) or another SW. */
export type ApStatus = 'present' | 'absent' | { readonly sw: string };

/**
 * SELECT every known application by DF name (`00 A4 04 0C 0A <AID>`) and report which answer.
 * Run on its own channel **before** `MyNumberCard.connect`, so the session's idea of the
 * selected application is never stale.
 */
export async function probeApplications(
  transport: Transport,
  onTrace: ((event: ApduTraceEvent) => void) | undefined,
): Promise<Record<ApName, ApStatus>> {
  const channel = new ApduChannel(transport, { onTrace, extendedLength: false });
  const result = {} as Record<ApName, ApStatus>;
  for (const [name, aid] of PROBED) {
    const response = await channel.transmit(new CommandApdu({ ins: INS.select, p1: SELECT_BY_NAME, p2: SELECT_NO_FCI, data: aid }));
    result[name] = response.ok ? 'present' : response.sw === SW.FILE_NOT_FOUND ? 'absent' : { sw: swHex(response.sw) };
  }
  return result;
}

/** Tries left of one PIN. `null` members mean "not on this device". */
export interface PinTries {
  /** The counter's state as the card reported it (see `TriesState`). */
  readonly state: TriesState['state'];
  /** Tries left (0 = blocked; the maximum when verified); `null` when unlimited. */
  readonly remaining: number | null;
  /** The published maximum. */
  readonly max: number;
  /** Whether it is blocked. */
  readonly blocked: boolean;
}

/** Tries of the three PINs; `null` for a PIN whose application the device lacks. */
export interface PinStatus {
  readonly auth: PinTries | null;
  readonly sign: PinTries | null;
  readonly text: PinTries | null;
}

function tries(state: TriesState, max: number): PinTries {
  const remaining =
    state.state === 'tries' ? state.remaining : state.state === 'blocked' ? 0 : state.state === 'verified' ? (state.max ?? max) : null;
  return { state: state.state, remaining, max, blocked: state.state === 'blocked' };
}

/** `null` instead of FileNotFoundError (the device lacks the application). */
async function unlessAbsent(read: () => Promise<PinTries>): Promise<PinTries | null> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof FileNotFoundError) return null;
    throw error;
  }
}

/** Read the tries of every PIN with empty VERIFYs (no try spent). */
export async function readPinStatus(card: MyNumberCard): Promise<PinStatus> {
  return {
    auth: tries(await card.jpki.remainingTries('auth'), MAX_TRIES.authPin),
    sign: tries(await card.jpki.remainingTries('sign'), MAX_TRIES.signPassword),
    text: await unlessAbsent(async () => tries(await card.text.remainingTries('pin'), MAX_TRIES.textPin)),
  };
}

/** Human lines of a {@link PinStatus}. */
export function pinStatusLines(status: PinStatus, msg: Messages, indent = '  '): string[] {
  const value = (t: PinTries | null): string =>
    t === null ? msg.triesNotAvailable : t.remaining === null ? '∞' : msg.triesValue(t.remaining, t.max);
  return fieldLines(
    [
      [msg.secretShort.auth, value(status.auth)],
      [msg.secretShort.sign, value(status.sign)],
      [msg.secretShort.text, value(status.text)],
    ],
    indent,
  );
}

export type { CardApStatus } from '../card-aps.js';

/** The `info` result (JSON `result`). */
export interface InfoResult {
  readonly reader: string;
  readonly simulated: boolean;
  readonly profile: string;
  readonly tokenLabel: string | null;
  readonly applications: Record<ApName, ApStatus>;
  /** The card APs asked about (empty unless `--aid` / `--card-ap`). */
  readonly cardAps: readonly CardApStatus[];
  readonly pins: PinStatus;
}

/** Gather the `info` result (also used by `demo`). */
export async function gatherInfo(context: CommandContext): Promise<InfoResult> {
  const candidates = await cardApCandidates(context);
  const opened = await context.transport();
  const applications = await probeApplications(opened.transport, context.trace);
  // Also before connect, on a channel of its own (the session's selected AP stays known).
  const cardAps = await probeCardApCandidates(context, candidates);
  const card = await context.card();
  let tokenLabel: string | null = null;
  try {
    tokenLabel = (await card.jpki.tokenInfo()).label;
  } catch {
    tokenLabel = null; // A device without a readable token EF: the profile stays 'unknown'.
  }
  const pins = await readPinStatus(card);
  return { reader: opened.reader, simulated: opened.simulated, profile: card.profile, tokenLabel, applications, cardAps, pins };
}

/** Human lines of an {@link InfoResult}. */
export function infoLines(info: InfoResult, msg: Messages): string[] {
  const status = (s: ApStatus): string =>
    s === 'present' ? msg.infoPresent : s === 'absent' ? msg.infoAbsent : msg.infoUnknown(s.sw);
  return [
    ...fieldLines([
      [msg.infoDevice, msg.profileLabel[info.profile] ?? info.profile],
      [msg.infoLabel, info.tokenLabel ?? '-'],
    ]),
    `${msg.infoApplications}:`,
    ...fieldLines(
      PROBED.map(([name]) => [msg.apLabel[name], status(info.applications[name])] as const),
      '  ',
    ),
    ...(info.cardAps.length === 0
      ? []
      : [
          `${msg.infoCardAps}:`,
          ...fieldLines(
            info.cardAps.map((c) => [cardApStatusLabel(c), c.present ? msg.infoPresent : msg.infoAbsent] as const),
            '  ',
          ),
        ]),
    `${msg.infoTries}:`,
    ...pinStatusLines(info.pins, msg),
  ];
}

/** `mynacard info`. */
export const infoCommand: Command = async (context) => {
  const info = await gatherInfo(context);
  const lines = infoLines(info, context.msg);
  if (info.simulated) lines.unshift(context.msg.simulatorNote);
  return { result: info, human: lines.join('\n') };
};

/** `mynacard pin status`. */
export const pinStatusCommand: Command = async (context) => {
  const pins = await readPinStatus(await context.card());
  return { result: { pins }, human: pinStatusLines(pins, context.msg, '').join('\n') };
};
