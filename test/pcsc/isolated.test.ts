/**
 * The PC/SC host process (isolation: 'process', the default): pcsc-mini runs in a child
 * process that the SDK ends with SIGKILL instead of calling `Client.stop()`. The host loads a
 * stand-in for pcsc-mini here (fake-host-module.mjs) whose `stop()` never returns.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { PcscServiceError } from '../../src/errors.js';
import { PcscContext } from '../../src/pcsc/context.js';
import { isolatedPcscMini } from '../../src/pcsc/isolated/module.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const FAKE = path.join(HERE, 'fake-host-module.mjs');
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterEach(() => {
  delete process.env['MYNACARD_PCSC_HOST_MODULE'];
  delete process.env['FAKE_HOST_NO_SERVICE'];
});

describe('isolated pcsc-mini (host process)', () => {
  it('readers, connect, transmit and state go through the host; stop() kills it without calling pcsc-mini stop()', async () => {
    process.env['MYNACARD_PCSC_HOST_MODULE'] = FAKE;
    const module = isolatedPcscMini();
    const client = new module.Client() as InstanceType<typeof module.Client> & { ready?: Promise<void>; hostPid?: number };
    const readers: string[] = [];
    const changes: number[] = [];
    const gotReader = new Promise<import('../../src/pcsc/pcsc-mini.js').PcscMiniReader>((resolve) =>
      client.on('reader', (reader) => {
        readers.push(reader.name());
        reader.on('change', (status) => changes.push(status.raw));
        resolve(reader);
      }),
    );
    client.start();
    await client.ready;
    const pid = client.hostPid!;
    expect(alive(pid)).toBe(true);
    const reader = await gotReader;
    const card = await reader.connect(2);
    expect(card.protocol()).toBe(2);
    expect(Array.from(await card.transmit(Uint8Array.of(0x00, 0xa4, 0x04, 0x0c)))).toEqual([0xa4, 0x90, 0x00]);
    expect((await card.state()).status).toEqual({ raw: 0x22 });
    const transaction = await card.transaction();
    await transaction.end(0);
    await card.disconnect(0);
    expect(readers).toEqual(['Fake Reader 00 00']);
    expect(changes).toEqual([0x22]);
    const started = Date.now();
    client.stop(); // the fake's stop() would spin forever: the host is killed instead
    expect(Date.now() - started).toBeLessThan(1000);
    for (let i = 0; i < 100 && alive(pid); i++) await sleep(20);
    expect(alive(pid)).toBe(false);
    await expect(card.state()).rejects.toMatchObject({ code: 'HostExited' });
  });

  it('a PcscContext uses the host by default and lets it go after the settle pause', async () => {
    process.env['MYNACARD_PCSC_HOST_MODULE'] = FAKE;
    const context = new PcscContext();
    const readers = await context.listReaders();
    expect(readers.map((r) => [r.name, r.cardPresent])).toEqual([['Fake Reader 00 00', true]]);
    const transport = await context.connect('Fake Reader 00 00');
    expect(Array.from(await transport.transmit(Uint8Array.of(0x00, 0xb0, 0x00, 0x00, 0x01)))).toEqual([0xb0, 0x90, 0x00]);
    await transport.close();
    expect(context.running).toBe(true);
    for (let i = 0; i < 100 && context.running; i++) await sleep(20);
    expect(context.running).toBe(false);
  });

  it('no PC/SC service in the host → PcscServiceError naming NoService; nothing left running', async () => {
    process.env['MYNACARD_PCSC_HOST_MODULE'] = FAKE;
    process.env['FAKE_HOST_NO_SERVICE'] = '1';
    const context = new PcscContext();
    const error = await context.listReaders().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PcscServiceError);
    expect((error as Error).message).toContain('(NoService)');
    expect(context.running).toBe(false);
  });

  it('pcsc-mini cannot be loaded in the host → PcscServiceError', async () => {
    process.env['MYNACARD_PCSC_HOST_MODULE'] = path.join(HERE, 'no-such-module.mjs');
    const error = await new PcscContext().listReaders().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PcscServiceError);
  });

  it("refuses an unknown isolation mode", () => {
    expect(() => new PcscContext({ isolation: 'thread' as never })).toThrow("isolation must be 'process' or 'in-process'");
  });
});
