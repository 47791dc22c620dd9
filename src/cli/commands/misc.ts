/**
 * `mynacard readers`, `mynacard sim` (the virtual card in vpcd's PC/SC reader) and
 * `mynacard demo` (info + the auth certificate and its chain + the 基本4情報).
 * @packageDocumentation
 */
import { verifyJpkiChain } from '../../crypto/chain.js';
import { stringOption } from '../args.js';
import { chainJson, chainReport, parseAt, summarize, testRoots, tryParse, type TrustChoice } from '../certificates.js';
import type { Command } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { escapeControls } from '../terminal.js';
import { loadPcsc } from '../transport.js';
import { readCardCertificate } from './cert.js';
import { attributeLines, attributesJson, requireAp, textPin } from './personal.js';
import { gatherInfo, infoLines } from './status.js';

/** `mynacard readers`. */
export const readersCommand: Command = async (context) => {
  const { msg } = context;
  const readers = context.simulator
    ? [{ name: msg.simulatorReader, cardPresent: true }]
    : (await (await loadPcsc()).listReaders()).map((r) => ({ name: r.name, cardPresent: r.cardPresent }));
  const human =
    readers.length === 0
      ? msg.readersNone
      : readers.map((r) => `${escapeControls(r.name)}\t(${r.cardPresent ? msg.readerCard : msg.readerEmpty})`).join('\n');
  return { result: { readers }, human, exitCode: readers.length === 0 ? EXIT.noReader : EXIT.ok };
};

/** `host:port` (or `[v6]:port`) → parts; exit 2 when malformed. */
export function parseHostPort(value: string, badMessage: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(value);
  const port = match === null ? Number.NaN : Number(match[3]);
  if (match === null || !(port >= 1 && port <= 65535)) throw new CliError('usage', EXIT.usage, badMessage);
  return { host: match[1] ?? match[2]!, port };
}

/** Resolves when `signal` aborts (never when it is absent). */
function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal === undefined) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** `mynacard sim [--vpcd host:port] [--profile …]`: runs until Ctrl-C or until vpcd goes away. */
export const simCommand: Command = async (context) => {
  const { msg, args, io } = context;
  const address = stringOption(args.options, 'vpcd');
  const target = address === undefined ? {} : parseHostPort(address, msg.badHostPort);
  const profile = stringOption(args.options, 'profile') as 'card' | 'android' | 'iphone' | 'juki' | undefined;
  const testing = await import('../../testing/index.js');
  const { connectToVpcd } = await import('../../testing/vpcd.js');
  const card =
    io.simulator !== undefined
      ? await io.simulator()
      : await testing.VirtualMyNumberCard.create(profile === undefined ? {} : { profile });
  const trace = context.trace;
  const connection = await connectToVpcd(card, {
    ...target,
    ...(trace === undefined ? {} : { onLog: (line: string) => context.note(line) }),
  });
  const shown = address ?? `${io.env['VPCD_HOST'] ?? '127.0.0.1'}:${io.env['VPCD_PORT'] ?? '35963'}`;
  context.note(msg.simStarted(shown));
  await Promise.race([connection.closed, aborted(io.signal)]);
  await connection.close();
  return { result: { vpcd: shown, profile: profile ?? 'card', apdus: connection.apduCount }, human: msg.simStopped(connection.apduCount) };
};

/** `mynacard demo`: the README's first command. Uses the virtual card unless `--reader` is given. */
export const demoCommand: Command = async (context) => {
  const { msg } = context;
  const opened = await context.transport();
  const lines: string[] = [opened.simulated ? msg.demoTitle : msg.demoReaderTitle, ''];

  const info = await gatherInfo(context);
  lines.push(msg.demoStep(1, msg.demoCard), ...infoLines(info, msg).map((l) => `  ${l}`), '');

  const card = await context.card();
  const der = await readCardCertificate(context, card, 'auth');
  const at = parseAt(stringOption(context.args.options, 'at'), context.now(), msg);
  const trust: TrustChoice = opened.simulated
    ? { roots: await testRoots(opened.transport), source: 'test' }
    : { roots: undefined, source: 'jlis' };
  const chain = await verifyJpkiChain(der, { at, ...(trust.roots === undefined ? {} : { roots: trust.roots }) });
  const parsed = tryParse(der);
  lines.push(
    msg.demoStep(2, msg.demoCert),
    ...chainReport(parsed, chain, trust, at, msg, '  '),
    ...(trust.source === 'test' ? [`  ${msg.demoTrustNote}`] : []),
    '',
  );

  const testing = opened.simulated ? await import('../../testing/index.js') : undefined;
  const pin = textPin(
    context,
    testing === undefined ? undefined : { value: testing.DEFAULT_TEXT_PIN, note: msg.secretFromSimulator },
  );
  const attributes = attributesJson(
    await context.withSecret('text', () =>
      requireAp(context, 'text', () => card.text.readAttributes({ pin, allowLastTry: context.allowLastTry })),
    ),
  );
  lines.push(msg.demoStep(3, msg.demoText), ...attributeLines(attributes, context, '  '), '', msg.demoDone);

  return {
    result: {
      simulated: opened.simulated,
      info,
      authCertificate: { certificate: parsed === undefined ? undefined : summarize(parsed), chain: chainJson(chain, trust, at) },
      attributes,
    },
    human: lines.join('\n'),
    exitCode: chain.valid ? EXIT.ok : EXIT.verificationFailed,
  };
};
