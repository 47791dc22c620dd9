/**
 * pcscd going away and coming back, again and again, under an SDK user in its own process
 * (pcsc-restart-child.ts, with forced GC): the process must keep running, recover each time
 * pcscd is back, and end by itself with exit code 0. pcsc-mini 0.1.3 throws from the finalizer
 * of a client whose PC/SC context died ("Error in async finalizer callback for *Client"), an
 * uncaught exception in the host process; the SDK must never let that finalizer run.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualMyNumberCard } from '../../src/testing/index.js';
import type { VpcdConnection } from '../../src/testing/vpcd.js';
import { injectedPcsc, suiteTitle } from './injected.js';
import { startPcscStack, stopPcscStack } from './pcsc-stack.js';
import { insertCard, LineChild } from './pcsc-fixture.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const pcsc = injectedPcsc();
const CYCLES = 20;

describe.skipIf(!pcsc.ok)(suiteTitle('pcscd stop/start cycles under a running SDK user', pcsc), () => {
  const stack = pcsc.ok ? pcsc.stack : undefined;
  let child: LineChild | undefined;
  let connection: VpcdConnection | undefined;

  afterEach(async () => {
    child?.kill();
    await connection?.close();
  });

  it.each(['process', 'in-process'])(`isolation %s: survives ${CYCLES} pcscd stop/start cycles with gc() after each, recovers each time and exits 0 by itself`, async (isolation) => {
    const vc = await VirtualMyNumberCard.create();
    const expected = createHash('sha256').update(vc.certificates.auth).digest('hex');
    connection = await insertCard(stack!, vc);
    child = new LineChild(['--expose-gc', '--import', 'tsx', path.join(HERE, 'pcsc-restart-child.ts'), stack!.reader, String(CYCLES), isolation]);
    try {
      for (let i = 0; i < CYCLES; i++) {
        expect(await child.waitForLine(`UP ${i} `, 30_000)).toBe(`UP ${i} ${expected}`);
        await stopPcscStack({ labDir: stack!.labDir, ownsLabDir: false });
        await connection.close();
        child.send('down');
        // The open session and listReaders() both report the missing service as a typed error.
        expect(await child.waitForLine(`DOWN ${i}`, 30_000)).toBe(`DOWN ${i} PcscServiceError/pcsc-service PcscServiceError/pcsc-service`);
        await startPcscStack({ labDir: stack!.labDir });
        connection = await insertCard(stack!, vc);
        child.send('up');
      }
      await child.waitForLine('DONE', 30_000);
      expect(await child.exitCode(15_000)).toBe(0);
      expect(child.stderr.join('\n')).not.toMatch(/finalizer|Uncaught|InvalidHandle|NoService/);
    } finally {
      // Leave a running pcscd for the files after this one whatever happened.
      await startPcscStack({ labDir: stack!.labDir }).catch(() => undefined);
    }
  }, 240_000);
});
