/**
 * The SDK core plus the virtual card, bundled for the browser by esbuild, running in headless
 * Chromium (Debian `chromium` driven by playwright-core): connect, read the auth certificate,
 * verify its chain, read the 基本4情報.
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
import type { SmokeResult } from './entry.js';

const ENTRY = path.join(path.dirname(fileURLToPath(import.meta.url)), 'entry.ts');


const isCi = (): boolean => process.env['CI'] === 'true';
const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} is not installed (run scripts/install-browser.sh)`;
if (missing !== undefined && isCi()) throw new Error(`CI=true but the browser smoke test cannot run: ${missing}`);
if (missing !== undefined) process.stderr.write(`\nbrowser smoke test SKIPPED: ${missing}\n(on CI, CI=true, this is a failure)\n\n`);

const PAGE = '<!doctype html><meta charset="utf-8"><title>mynacard smoke</title><script src="/smoke.js"></script>';

/** Serve the page and the bundle on 127.0.0.1 (a secure context, so WebCrypto is there). */
async function serve(bundle: string): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    if (request.url === '/') {
      response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(PAGE);
    } else if (request.url === '/favicon.ico') {
      response.writeHead(204).end(); // asked for by every page; not an error
    } else if (request.url === '/smoke.js') {
      response.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(bundle);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/` };
}

/** Lower-case hex, as `toHex` writes it. */
const hexOfBase64 = (b64: string): string => Buffer.from(b64, 'base64').toString('hex');

describe.skipIf(missing !== undefined)(
  `browser smoke test in headless Chromium${missing === undefined ? '' : ` [skipped: ${missing}]`}`,
  () => {
    let server: Server | undefined;
    let context: BrowserContext | undefined;
    let userDataDir: string | undefined;
    let result: SmokeResult;
    const pageErrors: string[] = [];

    beforeAll(async () => {
      const bundled = await build({
        entryPoints: [ENTRY],
        bundle: true,
        format: 'iife',
        platform: 'browser',
        target: 'es2022',
        write: false,
        logLevel: 'silent',
      });
      const served = await serve(bundled.outputFiles[0]!.text);
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
        const smoke = (globalThis as { mynacardSmoke?: () => Promise<SmokeResult> }).mynacardSmoke;
        if (smoke === undefined) throw new Error('the bundle did not load');
        return smoke();
      });
    }, 120_000);

    afterAll(async () => {
      await context?.close();
      if (server !== undefined) await new Promise<void>((resolve) => server!.close(() => resolve()));
      if (userDataDir !== undefined) rmSync(userDataDir, { recursive: true, force: true });
    });

    it('runs in a browser: no Buffer, no process, no page error', () => {
      expect(result.globals).toEqual({ buffer: 'undefined', process: 'undefined' });
      expect(pageErrors).toEqual([]);
    });

    it('connects and reads the 利用者証明用電子証明書 (exact DER)', () => {
      expect(result.profile).toBe('card');
      expect(result.extendedLength).toBe(true);
      expect(result.certificateHex).toBe(hexOfBase64(TEST_PKI_DATA.authLeaf.certificate));
    });

    it('verifies the chain to the card’s test auth root at 2026-11-27', () => {
      expect(result.chain).toEqual({ valid: true, reasons: [], kind: 'auth', rootSerial: TEST_PKI_DATA.authRoot.serial });
    });

    it('reads the 基本4情報 of the default test holder', () => {
      const { holder } = TEST_PKI_DATA;
      expect(result.attributes).toEqual({
        name: holder.name,
        address: holder.address,
        birthDate: holder.birthDate,
        sex: { value: 'female', code: '2' },
      });
      expect(result.attributes).toEqual({
        name: '由利　花子',
        address: '秋田県由利本荘市尾崎１７番地',
        birthDate: '1990-01-02',
        sex: { value: 'female', code: '2' },
      });
    });

    it('sent exactly the expected APDUs', () => {
      expect(result.commands).toEqual([
        '00A4040C0AD392F000260100000001', // SELECT 公的個人認証AP
        '00B0860020', // token label
        '00B08A00000000', // 利用者証明用電子証明書, extended Le
        '00A4040C0AD3921000310001010408', // SELECT 券面事項入力補助AP
        '00200091', // tries query
        '00200091', // VERIFY (data cut by the card log)
        '00B08200000000', // 基本4情報
        '00A4040C0AD3921000310001010408', // security status dropped
      ]);
    });
  },
);
