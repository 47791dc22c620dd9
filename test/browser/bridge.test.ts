/**
 * `mynacard bridge` end to end in headless Chromium (Debian `chromium` driven by
 * playwright-core): a page served from an allowed origin on 127.0.0.1 loads the SDK's browser
 * bundle, pairs with the code the bridge shows, and reads the 利用者証明用電子証明書 and the
 * 基本4情報 through the bridge, which is backed by the virtual card, with the exact APDUs; a page
 * from an origin not allowed is refused. (The same through pcscd + vpcd belongs to the
 * integration project.)
 *
 * Locally, without /usr/bin/chromium the suite is skipped and says why; on CI (`CI=true`) that
 * is a failure (CI installs it with scripts/install-browser.sh).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.js';
import { toHex } from '../../src/bytes.js';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import { BRIDGE_READ_COMMANDS, checkNoInterleaving, recordingBackend, serveBridgePage, testBridge, type TestBridge } from '../bridge/helpers.js';
import type { BridgePageRead, BridgePageSteps } from './bridge-page.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));


const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (run scripts/install-browser.sh)`;
if (missing !== undefined && process.env['CI'] === 'true') {
  throw new Error(`CI=true but the bridge browser test cannot run: ${missing}`);
}
if (missing !== undefined) process.stderr.write(`\nBridge browser test SKIPPED: ${missing}\n\n`);

type Steps = { mynacardBridge?: BridgePageSteps };

describe.skipIf(missing !== undefined)(`mynacard bridge in headless Chromium${missing === undefined ? '' : ` [skipped: ${missing}]`}`, () => {
  const servers: Server[] = [];
  let context: BrowserContext | undefined;
  let userDataDir: string | undefined;
  let bridge: TestBridge;
  let vc: VirtualMyNumberCard;
  let allowed: Page;
  let second: Page;
  let other: Page;
  let events: string[];
  let read: BridgePageRead;
  let token: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const out = await build({
      entryPoints: [path.join(HERE, 'bridge-page.ts')],
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
    vc = await VirtualMyNumberCard.create();
    const recording = recordingBackend(vc);
    events = recording.events;
    bridge = await testBridge(recording.backend, { allowOrigins: [a.origin] });
    userDataDir = mkdtempSync(path.join(tmpdir(), 'mynacard-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    allowed = await context.newPage();
    second = await context.newPage();
    other = await context.newPage();
    for (const page of [allowed, second, other]) page.on('pageerror', (error) => pageErrors.push(error.message));
    await allowed.goto(`${a.origin}/`);
    await second.goto(`${a.origin}/`);
    await other.goto(`${b.origin}/`);
    const url = bridge.server.url;
    await allowed.evaluate((u) => (globalThis as Steps).mynacardBridge!.requestCode(u), url);
    const code = bridge.codes.at(-1)!;
    token = await allowed.evaluate(([u, c]) => (globalThis as Steps).mynacardBridge!.pair(u, c), [url, code] as const);
    read = await allowed.evaluate(([u, t]) => (globalThis as Steps).mynacardBridge!.read(u, t), [url, token] as const);
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await bridge?.server.close();
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
    if (userDataDir !== undefined) rmSync(userDataDir, { recursive: true, force: true });
  });

  it('pairs from the allowed page and reads through the bridge in a real browser (no Buffer, no process)', () => {
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(read.globals).toEqual({ buffer: 'undefined', process: 'undefined' });
    expect(read.reader).toBe('Virtual Reader 00 00');
    expect(pageErrors).toEqual([]);
  });

  it('reads the 利用者証明用電子証明書 (exact DER) and the 基本4情報, with exactly the expected APDUs', () => {
    expect(read.certificateHex).toBe(toHex(vc.certificates.auth));
    expect(read.attributes).toEqual({ name: '由利　花子', address: '秋田県由利本荘市尾崎１７番地', birthDate: '1990-01-02', sex: 'female' });
    expect(vc.log.map((e) => toHex(e.command).toUpperCase())).toEqual(BRIDGE_READ_COMMANDS);
  });

  it('a page from an origin not allowed is refused at the upgrade, even with a valid token', async () => {
    const before = vc.log.length;
    const refused = await other.evaluate(([u, t]) => (globalThis as Steps).mynacardBridge!.refused(u, t), [bridge.server.url, token] as const);
    expect(refused).toEqual({ name: 'BridgeError', code: 'bridge-unavailable' });
    expect(vc.log.length).toBe(before);
    expect(bridge.log.some((l) => l.startsWith('refused: Origin') && l.endsWith('(403)'))).toBe(true);
  });

  it('two pages of the allowed origin reading at once never interleave a sequence on the card', async () => {
    const url = bridge.server.url;
    const before = events.length;
    const reads = await Promise.all(
      [allowed, second].map((page) => page.evaluate(([u, t]) => (globalThis as Steps).mynacardBridge!.read(u, t), [url, token] as const)),
    );
    for (const r of reads) expect(r.certificateHex).toBe(toHex(vc.certificates.auth));
    const solo = checkNoInterleaving(events.slice(0, before));
    expect(solo.holders.size).toBe(1);
    const { holders, transactions } = checkNoInterleaving(events.slice(before));
    expect(holders.size).toBe(2);
    // Each page ran the same operations as the first read alone, each in its own transaction.
    expect(transactions).toBe(2 * solo.transactions);
    expect(events.slice(before).filter((e) => !/ (begin|end)$/.test(e))).toHaveLength(18);
  });

  it('the bridge log names connections and APDU counts, never the PIN or APDU data', async () => {
    // The close line follows the socket's close handshake.
    for (let i = 0; i < 200 && !bridge.log.some((l) => l.includes('after 9 APDUs')); i++) await new Promise((r) => setTimeout(r, 10));
    const text = bridge.log.join('\n');
    expect(text).toMatch(/#\d+ closed \(1000\) after 9 APDUs/);
    expect(text).not.toContain('5678');
    expect(text).not.toContain('35363738');
    expect(text).not.toMatch(/[0-9a-f]{8,}/i);
  });
});
