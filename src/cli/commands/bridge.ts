/**
 * `mynacard bridge`: the local WebSocket bridge for web pages (docs/bridge.md). Prints
 * `listening on ws://127.0.0.1:<port>` on stdout when ready; pairing codes and the connection
 * log go to stderr. Runs until Ctrl-C. `--print-systemd-unit` prints a systemd user unit.
 * @packageDocumentation
 */
import { realpathSync } from 'node:fs';
import { BRIDGE_DEFAULT_PORT } from '../../bridge/protocol.js';
import { flag, listOption, stringOption } from '../args.js';
import { pcscBackend, simulatorBackend } from '../bridge/backend.js';
import { checkOrigins, startBridge } from '../bridge/server.js';
import type { Command } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { escapeControls } from '../terminal.js';

/** Resolves when `signal` aborts (never when it is absent). */
function aborted(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal === undefined) return;
    if (signal.aborted) resolve();
    else signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

/** The systemd user unit that starts this bridge at login. */
export function systemdUnit(argv: readonly string[]): string {
  const node = process.execPath;
  let script = process.argv[1] ?? 'mynacard';
  try {
    script = realpathSync(script);
  } catch {
    // keep the path as given
  }
  return [
    '[Unit]',
    'Description=mynacard bridge: the card reader for web pages (ws://127.0.0.1)',
    '',
    '[Service]',
    `ExecStart=${[node, script, 'bridge', ...argv].join(' ')}`,
    'Restart=on-failure',
    'NoNewPrivileges=yes',
    'PrivateTmp=yes',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

/** `mynacard bridge --allow-origin <origin> [--allow-origin …] [--port <n>] [--token-file <path>]`. */
export const bridgeCommand: Command = async (context) => {
  const { msg, args, io } = context;
  const origins = listOption(args.options, 'allow-origin');
  if (origins.length === 0) throw new CliError('usage', EXIT.usage, msg.bridgeNeedsOrigin);
  checkOrigins(origins);
  const portText = stringOption(args.options, 'port');
  const port = portText === undefined ? BRIDGE_DEFAULT_PORT : Number(portText);
  if (portText !== undefined && (!/^\d{1,5}$/.test(portText) || port > 65_535)) throw new CliError('usage', EXIT.usage, msg.bridgeBadPort);
  const tokenFile = stringOption(args.options, 'token-file');
  if (flag(args.options, 'print-systemd-unit')) {
    const argv = [...origins.flatMap((o) => ['--allow-origin', o]), '--port', String(port), ...(tokenFile === undefined ? [] : ['--token-file', tokenFile])];
    return { result: { unit: systemdUnit(argv) }, human: systemdUnit(argv) };
  }
  const backend = context.simulator
    ? simulatorBackend(io.simulator !== undefined ? await io.simulator() : await (await import('../../testing/index.js')).VirtualMyNumberCard.create())
    : pcscBackend();
  const server = await startBridge({
    allowOrigins: origins,
    port,
    backend,
    tokenFile,
    log: (line) => context.note(`mynacard bridge: ${line}`),
    showCode: (code, validMs) => context.note(msg.bridgePairingCode(code, Math.round(validMs / 60_000))),
  });
  io.stdout.write(`listening on ${escapeControls(server.url)}\n`);
  await aborted(io.signal);
  await server.close();
  return { result: { url: server.url, origins }, human: '' };
};
