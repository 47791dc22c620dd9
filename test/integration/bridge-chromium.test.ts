/**
 * `mynacard bridge` end to end through the real PC/SC stack: headless Chromium (Debian
 * `chromium`) loads a page from an allowed origin on 127.0.0.1, pairs with the code the bridge
 * shows, and reads the 利用者証明用電子証明書 and the 基本4情報 through the bridge, whose reader side
 * is the SDK's PC/SC transport on pcscd with the virtual card in vpcd's reader. A page from an
 * origin not allowed and a request with a forged Host are refused; two pages reading at once
 * never interleave a sequence on the card.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from '../browser/chromium.js';
import { toHex } from '../../src/bytes.js';
import { pcscBackend } from '../../src/cli/bridge/backend.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import type { VpcdConnection } from '../../src/testing/vpcd.js';
import { BRIDGE_READ_COMMANDS, serveBridgePage, testBridge, type TestBridge } from '../bridge/helpers.js';
import type { BridgePageRead, BridgePageSteps } from '../browser/bridge-page.js';
import { injectedPcsc, suiteTitle } from './injected.js';
import { insertCard, waitForReader } from './pcsc-fixture.js';

const pcsc = injectedPcsc();
const HERE = path.dirname(fileURLToPath(import.meta.url));
if (!existsSync(CHROMIUM) && pcsc.ok && process.env['CI'] === 'true') throw new Error(`CI=true but ${CHROMIUM} is not installed`);
const runnable = pcsc.ok && existsSync(CHROMIUM);

type Steps = { mynacardBridge?: BridgePageSteps };

/** A WebSocket upgrade request with the given headers: the HTTP status the bridge answers. */
function upgradeStatus(port: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1',
      port,
      path: '/',
      headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers },
    });
    req.once('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.once('upgrade', (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.once('error', reject);
    req.end();
  });
}

const commands = (vc: VirtualMyNumberCard, from = 0): string[] => vc.log.slice(from).map((e) => toHex(e.command).toUpperCase());

describe.skipIf(!runnable)(suiteTitle('mynacard bridge: Chromium → bridge → pcscd + vpcd', pcsc), () => {
  const stack = pcsc.ok ? pcsc.stack : undefined;
  const servers: Server[] = [];
  let context: BrowserContext | undefined;
  let userDataDir: string | undefined;
  let bridge: TestBridge;
  let vc: VirtualMyNumberCard;
  let conn: VpcdConnection;
  let allowed: Page;
  let second: Page;
  let other: Page;
  let read: BridgePageRead;
  let token: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    await waitForReader(stack!.reader, false);
    vc = await VirtualMyNumberCard.create();
    conn = await insertCard(stack!, vc);
    await waitForReader(stack!.reader, true);
    const out = await build({
      entryPoints: [path.join(HERE, '../browser/bridge-page.ts')],
      bundle: true,
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
    });
    const sdk = out.outputFiles[0]!.text;
    const [a, b] = await Promise.all([serveBridgePage(sdk), serveBridgePage(sdk)]);
    servers.push(a.server, b.server);
    bridge = await testBridge(pcscBackend(), { allowOrigins: [a.origin] });
    userDataDir = mkdtempSync(path.join(tmpdir(), 'mynacard-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    [allowed, second, other] = [await context.newPage(), await context.newPage(), await context.newPage()];
    for (const page of [allowed, second, other]) page.on('pageerror', (error) => pageErrors.push(error.message));
    await allowed.goto(`${a.origin}/`);
    await second.goto(`${a.origin}/`);
    await other.goto(`${b.origin}/`);
    const url = bridge.server.url;
    await allowed.evaluate((u) => (globalThis as Steps).mynacardBridge!.requestCode(u), url);
    const code = bridge.codes.at(-1)!;
    token = await allowed.evaluate(([u, c]) => (globalThis as Steps).mynacardBridge!.pair(u, c), [url, code] as const);
    vc.clearLog();
    read = await allowed.evaluate(([u, t]) => (globalThis as Steps).mynacardBridge!.read(u, t), [url, token] as const);
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await bridge?.server.close();
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    if (userDataDir !== undefined) rmSync(userDataDir, { recursive: true, force: true });
    await conn?.close();
    if (stack !== undefined) await waitForReader(stack.reader, false);
  });

  it('pairs, then reads the 利用者証明用電子証明書 (exact DER) and the 基本4情報 through pcscd with exactly the expected APDUs', () => {
    expect(pageErrors).toEqual([]);
    expect(read.reader).toBe(stack!.reader);
    expect(read.certificateHex).toBe(toHex(vc.certificates.auth));
    expect(read.attributes).toEqual({ name: '由利　花子', address: '秋田県由利本荘市尾崎１７番地', birthDate: '1990-01-02', sex: 'female' });
    expect(commands(vc)).toEqual(BRIDGE_READ_COMMANDS);
  });

  it('a page from an origin not allowed is refused, even with a valid token; the card sees nothing', async () => {
    const before = vc.log.length;
    const refused = await other.evaluate(([u, t]) => (globalThis as Steps).mynacardBridge!.refused(u, t), [bridge.server.url, token] as const);
    expect(refused).toEqual({ name: 'BridgeError', code: 'bridge-unavailable' });
    expect(vc.log.length).toBe(before);
  });

  it('a request with a forged Host (DNS rebinding) is refused before any frame', async () => {
    const port = Number(new URL(bridge.server.url).port);
    const origin = await allowed.evaluate(() => location.origin);
    expect(await upgradeStatus(port, { Host: `127.0.0.1:${port}`, Origin: origin })).toBe(101);
    expect(await upgradeStatus(port, { Host: `rebind.example:${port}`, Origin: origin })).toBe(421);
    expect(await upgradeStatus(port, { Host: `127.0.0.1:${port + 1}`, Origin: origin })).toBe(421);
  });

  it('two pages reading at once through pcscd never interleave a sequence on the card', async () => {
    const url = bridge.server.url;
    const before = vc.log.length;
    const reads = await Promise.all(
      [allowed, second].map((page) => page.evaluate(([u, t]) => (globalThis as Steps).mynacardBridge!.read(u, t), [url, token] as const)),
    );
    for (const r of reads) expect(r.certificateHex).toBe(toHex(vc.certificates.auth));
    // Each operation of a page runs in one of the reader's transactions: the card sees every
    // operation's commands contiguous (pages may alternate only between operations).
    const seen = commands(vc, before);
    const ops = [BRIDGE_READ_COMMANDS.slice(0, 2), BRIDGE_READ_COMMANDS.slice(2, 4), BRIDGE_READ_COMMANDS.slice(4)];
    const counts = [0, 0, 0];
    for (let i = 0; i < seen.length; ) {
      const k = ops.findIndex((op) => op.every((c, j) => seen[i + j] === c));
      expect(k, `commands from ${i} are no whole operation: ${seen.slice(i, i + 5).join(' ')}`).toBeGreaterThanOrEqual(0);
      counts[k]!++;
      i += ops[k]!.length;
    }
    expect(counts).toEqual([2, 2, 2]);
  });

  it('the bridge log names connections and APDU counts, never the PIN or APDU data', () => {
    const text = bridge.log.join('\n');
    expect(text).toMatch(/after 9 APDUs/);
    expect(text).not.toContain('5678');
    expect(text).not.toContain('35363738');
    expect(text).not.toMatch(/[0-9a-f]{8,}/i);
  });
});
