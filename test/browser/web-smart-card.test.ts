/**
 * `mynacard/web-smart-card` in headless Chromium (Debian `chromium` driven by playwright-core):
 * a page loads the SDK's browser bundle and, in a separate script, the fake Web Smart Card API
 * of `mynacard/testing` injected as `navigator.smartCard`. The page waits for a card (the
 * reader and the card arrive later), reads the 利用者証明用電子証明書 and the 基本4情報 with the
 * test PIN, and sees the permission refusal as a typed error.
 *
 * Locally, without /usr/bin/chromium the suite is skipped and says why; on CI (`CI=true`) that
 * is a failure (CI installs it with scripts/install-browser.sh).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium.js';
import { TEST_PKI_DATA } from '../../src/testing/test-pki-data.js';
import type { WebSmartCardPageResult } from './web-smart-card-page.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const READER = 'Virtual Reader 00 00';


const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (run scripts/install-browser.sh)`;
if (missing !== undefined && process.env['CI'] === 'true') {
  throw new Error(`CI=true but the Web Smart Card browser test cannot run: ${missing}`);
}
if (missing !== undefined) process.stderr.write(`\nWeb Smart Card browser test SKIPPED: ${missing}\n\n`);

/** The fake first (it only defines hooks), then the SDK's bundle. */
const PAGE =
  '<!doctype html><meta charset="utf-8"><title>mynacard web smart card</title>' +
  '<script src="/fake.js"></script><script src="/sdk.js"></script>';

async function bundle(entry: string): Promise<string> {
  const out = await build({
    entryPoints: [path.join(HERE, entry)],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

/** Serve the page and the two scripts on 127.0.0.1 (a secure context). */
async function serve(files: Record<string, string>): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const body = request.url === undefined ? undefined : files[request.url];
    if (request.url === '/') response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    else if (body !== undefined) response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(body);
    else response.writeHead(request.url === '/favicon.ico' ? 204 : 404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/` };
}

describe.skipIf(missing !== undefined)(
  `mynacard/web-smart-card in headless Chromium${missing === undefined ? '' : ` [skipped: ${missing}]`}`,
  () => {
    let server: Server | undefined;
    let context: BrowserContext | undefined;
    let userDataDir: string | undefined;
    let sdkBundle = '';
    let result: WebSmartCardPageResult;
    const pageErrors: string[] = [];

    beforeAll(async () => {
      const [fake, sdk] = await Promise.all([bundle('web-smart-card-fake.ts'), bundle('web-smart-card-page.ts')]);
      sdkBundle = sdk;
      const served = await serve({ '/fake.js': fake, '/sdk.js': sdk });
      server = served.server;
      userDataDir = mkdtempSync(path.join(tmpdir(), 'mynacard-chromium-'));
      context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
      });
      const page = await context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(message.text());
      });
      await page.goto(served.url);
      result = await page.evaluate(async () => {
        const run = (globalThis as { mynacardWebSmartCard?: () => Promise<WebSmartCardPageResult> }).mynacardWebSmartCard;
        if (run === undefined) throw new Error('the bundle did not load');
        return run();
      });
    }, 120_000);

    afterAll(async () => {
      await context?.close();
      if (server !== undefined) await new Promise<void>((resolve) => server!.close(() => resolve()));
      if (userDataDir !== undefined) rmSync(userDataDir, { recursive: true, force: true });
    });

    it('runs in a browser: no Buffer, no process, no page error; the SDK bundle carries no test double', () => {
      expect(result.globals).toEqual({ buffer: 'undefined', process: 'undefined' });
      expect(pageErrors).toEqual([]);
      expect(sdkBundle).not.toContain('FakeSmartCard');
      expect(sdkBundle).not.toContain('VirtualMyNumberCard');
    });

    it('an ordinary page has no navigator.smartCard: the SDK says so with a typed error', () => {
      expect(result.nativeSmartCard).toBe('undefined');
      expect(result.unavailable).toEqual({ name: 'TransportError', code: 'web-smart-card-unavailable' });
    });

    it('waits for the reader and the card, and sees them arrive', () => {
      expect(result.events).toEqual([
        { type: 'reader-added', reader: READER },
        { type: 'card-inserted', reader: READER, atr: '3be000ff8131fe4514' },
      ]);
      expect({ reader: result.reader, protocol: result.protocol, atr: result.atr }).toEqual({
        reader: READER,
        protocol: 'T=1',
        atr: '3be000ff8131fe4514',
      });
    });

    it('reads the 利用者証明用電子証明書 (exact DER) and the 基本4情報 with the test PIN', () => {
      expect(result.certificateHex).toBe(Buffer.from(TEST_PKI_DATA.authLeaf.certificate, 'base64').toString('hex'));
      expect(result.attributes).toEqual({
        name: '由利　花子',
        address: '秋田県由利本荘市尾崎１７番地',
        birthDate: '1990-01-02',
        sex: { value: 'female', code: '2' },
      });
    });

    it('sent exactly the expected APDUs, each operation in a transaction that left the card', () => {
      expect(result.commands).toEqual(EXPECTED_COMMANDS);
      expect(result.dispositions.length).toBeGreaterThan(0);
      expect(new Set(result.dispositions)).toEqual(new Set(['leave']));
      expect(result.connectionsAfterClose).toBe(0);
    });

    it('a refused permission is a PermissionDeniedError', () => {
      expect(result.denied).toEqual({ name: 'PermissionDeniedError', code: 'permission-denied' });
    });
  },
);

/**
 * The smoke test's sequence (test/browser/browser-smoke.test.ts) plus one SELECT: over a shared
 * reader the session selects its AP again at the start of each operation (another application
 * may have selected another one in between).
 */
const EXPECTED_COMMANDS: readonly string[] = [
  '00A4040C0AD392F000260100000001', // SELECT 公的個人認証AP (connect)
  '00B0860020', // token label
  '00A4040C0AD392F000260100000001', // SELECT again: a new operation on a shared reader
  '00B08A00000000', // 利用者証明用電子証明書, extended Le
  '00A4040C0AD3921000310001010408', // SELECT 券面事項入力補助AP
  '00200091', // tries query
  '00200091', // VERIFY (data cut by the card log)
  '00B08200000000', // 基本4情報
  '00A4040C0AD3921000310001010408', // security status dropped
];
