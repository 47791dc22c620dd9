/**
 * `mynacard card-ap probe` and `mynacard card-ap read`: the free-area card APs
 * (地域住民向け領域 / 拡張利用領域) the user names with a JSON descriptor or an AID.
 *
 * Both run on a channel of their own over the opened transport, without connecting to the JPKI
 * AP: a card AP is reached by selecting its AID, whatever else the card holds.
 *
 * Data minimisation: card-AP contents are personal data. `card-ap read` prints the values of the
 * files it reads — running it is the request to see them, and `--file` narrows it to what is
 * needed — but it never puts them into the `--trace` output: the data of every response is
 * redacted from the trace, whatever the descriptor's `sensitive` flag says. Secrets come from the
 * hidden prompt, `MYNACARD_CARD_AP_<SECRET>` or `--pin-stdin` (never argv), with the tries shown
 * first and the usual guard (blocked: exit 6; last try without `--allow-last-try`: exit 7).
 * @packageDocumentation
 */
import { ApduChannel } from '../../apdu/channel.js';
import { responseTraceEvent, type ApduTraceEvent } from '../../apdu/trace.js';
import { openCardAp, type CardApDescriptor, type CardApSession } from '../../aps/card-ap/index.js';
import { toHex } from '../../bytes.js';
import { listOption, stringOption } from '../args.js';
import {
  cardApCandidates,
  cardApDisplayValue,
  cardApSecretEnv,
  cardApStatusLabel,
  loadCardApDescriptor,
  probeCardApCandidates,
  type CardApDisplayValue,
  type CardApStatus,
} from '../card-aps.js';
import type { Command, CommandContext } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';
import type { Messages } from '../i18n.js';
import { displayWidth, fieldLines } from '../output.js';
import { escapeControls } from '../terminal.js';

/** The `card-ap probe` result (JSON `result`). */
export interface CardApProbeResult {
  readonly reader: string;
  readonly simulated: boolean;
  /** The card APs asked about, in order: descriptors first, then bare AIDs. */
  readonly cardAps: readonly CardApStatus[];
}

/** One file read by `card-ap read`. */
export interface CardApFileResult {
  /** File identifier, 4 upper-case hex digits. */
  readonly fid: string;
  /** The codec's name (`bytes`, `digits`, `text`, `uint`, `tlv-record`). */
  readonly codec: string;
  /** The secret its read needs (the descriptor's name for it); absent for a free file. */
  readonly secret?: string;
  /** The descriptor's `sensitive` flag (default true). */
  readonly sensitive: boolean;
  /** The decoded value: strings as is, numbers, bytes as upper-case hex, TLV records as objects. */
  readonly value: CardApDisplayValue;
}

/** The `card-ap read` result (JSON `result`). */
export interface CardApReadResult {
  readonly reader: string;
  readonly simulated: boolean;
  readonly cardAp: { readonly name: string; readonly aid: string; readonly area: string };
  /** The files read, by name, in the descriptor's order (or `--file`'s). */
  readonly files: Readonly<Record<string, CardApFileResult>>;
}

/** `mynacard card-ap probe --aid <hex>… --card-ap <descriptor.json>…`. */
export const cardApProbeCommand: Command = async (context) => {
  const candidates = await cardApCandidates(context);
  if (candidates.length === 0) throw new CliError('usage', EXIT.usage, context.msg.cardApNoCandidates);
  const cardAps = await probeCardApCandidates(context, candidates);
  const opened = await context.transport();
  const result: CardApProbeResult = { reader: opened.reader, simulated: opened.simulated, cardAps };
  const lines = [
    ...(opened.simulated ? [context.msg.simulatorNote] : []),
    `${context.msg.infoCardAps}:`,
    ...fieldLines(
      cardAps.map((c) => [cardApStatusLabel(c), c.present ? context.msg.infoPresent : context.msg.infoAbsent] as const),
      '  ',
    ),
  ];
  return { result, human: lines.join('\n') };
};

/** A file name from the command line as it may be shown (a mistyped secret is never echoed). */
function safeFileName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/.test(name) ? name : '(not shown)';
}

/** The trace hook without response data: card-AP values never reach `--trace`. */
function withoutValues(trace: ((event: ApduTraceEvent) => void) | undefined): ((event: ApduTraceEvent) => void) | undefined {
  if (trace === undefined) return undefined;
  return (event) => {
    trace(event.direction === 'response' && !event.redacted && event.bytes.length > 2 ? responseTraceEvent(event.bytes, event.sw, true) : event);
  };
}

/** The files to read: `--file` (each checked against the descriptor), else all of them. */
function filesToRead(context: CommandContext, descriptor: CardApDescriptor): string[] {
  const all = Object.keys(descriptor.files);
  const wanted = listOption(context.args.options, 'file');
  for (const name of wanted) {
    if (!Object.hasOwn(descriptor.files, name)) {
      throw new CliError('card-ap-unknown-file', EXIT.usage, context.msg.cardApUnknownFile(safeFileName(name), descriptor.name, all));
    }
  }
  return wanted.length > 0 ? [...new Set(wanted)] : all;
}

/**
 * Read one file, asking for its secret (once per secret and run: the context's provider keeps
 * it) after the SDK has read the tries.
 */
async function readFile(
  context: CommandContext,
  session: CardApSession<CardApDescriptor>,
  name: string,
): Promise<CardApFileResult> {
  const { descriptor } = session;
  const spec = descriptor.files[name]!;
  const common = { fid: toHex(Uint8Array.of(spec.fid >> 8, spec.fid & 0xff)).toUpperCase(), codec: spec.codec.type };
  const sensitive = spec.sensitive !== false;
  if (spec.read === 'free') {
    return { ...common, sensitive, value: cardApDisplayValue(await session.read(name)) };
  }
  const secretName = spec.read.secret;
  const secretSpec = descriptor.secrets[secretName]!;
  const label = context.msg.cardApSecretLabel(secretSpec.label, secretName, descriptor.name);
  const pin = context.namedSecretProvider(label, cardApSecretEnv(secretName));
  const value = await context.withSecret({ label }, () => session.read(name, { pin, allowLastTry: context.allowLastTry }));
  return { ...common, secret: secretName, sensitive, value: cardApDisplayValue(value) };
}

/** `label  value` lines of a value; a record opens an indented block. */
function valueLines(entries: readonly (readonly [string, CardApDisplayValue])[], msg: Messages, indent: string): string[] {
  const scalars = entries.filter(([, v]) => typeof v !== 'object' || v === null);
  const width = Math.max(0, ...scalars.map(([k]) => displayWidth(escapeControls(k))));
  const lines: string[] = [];
  for (const [key, value] of entries) {
    // Keys come from the descriptor and values from the card: both are escaped.
    const shownKey = escapeControls(key);
    const pad = ' '.repeat(Math.max(0, width - displayWidth(shownKey)));
    if (typeof value === 'object' && value !== null) {
      const members = Object.entries(value);
      if (members.length === 0) lines.push(`${indent}${shownKey}${pad}  ${msg.cardApEmpty}`);
      else lines.push(`${indent}${shownKey}:`, ...valueLines(members, msg, `${indent}  `));
    } else {
      lines.push(`${indent}${shownKey}${pad}  ${value === null ? '-' : escapeControls(String(value))}`);
    }
  }
  return lines;
}

/** Human lines of a {@link CardApReadResult}. */
export function cardApReadLines(result: CardApReadResult, msg: Messages): string[] {
  return [
    ...fieldLines([
      [msg.cardApField, cardApStatusLabel(result.cardAp)],
      [msg.cardApAreaField, msg.cardApArea[result.cardAp.area] ?? result.cardAp.area],
    ]),
    `${msg.cardApFiles}:`,
    ...valueLines(
      Object.entries(result.files).map(([name, file]) => [name, file.value] as const),
      msg,
      '  ',
    ),
  ];
}

/** `mynacard card-ap read --descriptor <file.json> [--file <name>]…`. */
export const cardApReadCommand: Command = async (context) => {
  const file = stringOption(context.args.options, 'descriptor');
  if (file === undefined) throw new CliError('usage', EXIT.usage, context.msg.missingOption('--descriptor'));
  const descriptor = await loadCardApDescriptor(context, file);
  const names = filesToRead(context, descriptor);
  const opened = await context.transport();
  const channel = new ApduChannel(opened.transport, { onTrace: withoutValues(context.trace), extendedLength: false });
  const session = openCardAp({ channel }, descriptor);
  const files: Record<string, CardApFileResult> = {};
  for (const name of names) files[name] = await readFile(context, session, name);
  const result: CardApReadResult = {
    reader: opened.reader,
    simulated: opened.simulated,
    cardAp: { name: descriptor.name, aid: toHex(descriptor.aid).toUpperCase(), area: descriptor.area },
    files,
  };
  const lines = cardApReadLines(result, context.msg);
  if (opened.simulated) lines.unshift(context.msg.simulatorNote);
  return { result, human: lines.join('\n') };
};
