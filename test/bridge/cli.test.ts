/**
 * `mynacard bridge` on the command line: prints `listening on ws://127.0.0.1:<port>`, shows the
 * pairing code on stderr, serves a page (here the embedded virtual card, `--simulator`), stops
 * on Ctrl-C; usage errors; `--print-systemd-unit`.
 */
import { describe, expect, test } from 'vitest';
import { MyNumberCard } from '../../src/aps/card.js';
import { BridgeTransport, pair, requestPairingCode } from '../../src/bridge/index.js';
import { toHex } from '../../src/bytes.js';
import { runCli } from '../../src/cli/run.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import { makeIo, runWith } from '../cli/helpers.js';
import { clientFor, ORIGIN } from './helpers.js';

const Page = clientFor(ORIGIN);

async function until<T>(probe: () => T | undefined): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const value = probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('timed out');
}

describe('mynacard bridge', () => {
  test('listens on 127.0.0.1, pairs through the code on stderr, serves the card, stops on Ctrl-C', async () => {
    const card = await VirtualMyNumberCard.create();
    const controller = new AbortController();
    const { io, stdout, stderr } = makeIo({ card, signal: controller.signal });
    const run = runCli(['bridge', '--simulator', '--allow-origin', ORIGIN, '--port', '0'], io);
    const url = await until(() => /^listening on (ws:\/\/127\.0\.0\.1:\d+)\n$/.exec(stdout.text)?.[1]);
    await requestPairingCode({ url, WebSocket: Page });
    const code = await until(() => /Pairing code: (\d{3} \d{3}) \(valid 5 minutes, one use\)/.exec(stderr.text)?.[1]);
    const token = await pair({ url, WebSocket: Page, code });
    const session = await MyNumberCard.connect(await BridgeTransport.connect({ url, token, WebSocket: Page }), { closeTransport: true });
    const der = await session.jpki.readCertificate('auth');
    const attributes = await session.text.readAttributes({ pin: '5678' });
    await session.close();
    expect(toHex(der)).toBe(toHex(card.certificates.auth));
    expect(attributes.name).toBe(card.holder.name);
    controller.abort();
    expect(await run).toBe(0);
    expect(stdout.text).toBe(`listening on ${url}\n`);
    expect(stderr.text).toMatch(/mynacard bridge: #\d+ closed \(1000\) after \d+ APDUs/);
    expect(stderr.text).not.toContain('5678');
    expect(stderr.text).not.toContain(token);
    expect(stderr.text).not.toMatch(/[0-9a-f]{8,}/i);
  });

  test('usage: at least one exact origin, a port number', async () => {
    const none = await runWith(['bridge']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('needs at least one --allow-origin');
    const path = await runWith(['bridge', '--allow-origin', 'https://counter.example.lg.jp/']);
    expect(path.code).toBe(2);
    expect(path.stderr).toContain('not an origin');
    const port = await runWith(['bridge', '--allow-origin', ORIGIN, '--port', '70000']);
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('--port must be a number');
  });

  test('--print-systemd-unit prints a user unit that runs this bridge', async () => {
    const r = await runWith(['bridge', '--allow-origin', 'https://counter.example.lg.jp', '--port', '47111', '--print-systemd-unit']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('[Unit]\n');
    expect(r.stdout).toMatch(/\nExecStart=\S+ \S+ bridge --allow-origin https:\/\/counter\.example\.lg\.jp --port 47111\n/);
    expect(r.stdout).toContain('\n[Install]\nWantedBy=default.target\n');
  });

  test('help lists the command in both languages', async () => {
    expect((await runWith(['--help'])).stdout).toContain('bridge --allow-origin <origin>');
    expect((await runWith(['--help', '--lang', 'ja'])).stdout).toContain('bridge --allow-origin <オリジン>');
  });
});
