import { afterEach, describe, expect, it, vi } from 'vitest';
import { InvalidArgumentError, PcscServiceError, TimeoutError } from '../../src/errors.js';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { ClientManager, DEFAULT_STOP_SETTLE_MS, retiredClientCount } from '../../src/pcsc/client.js';
import { PcscContext } from '../../src/pcsc/context.js';
import { EMPTY, FakeWorld, PcscError, PRESENT, sleep, state } from './fake-pcsc-mini.js';

const READER = 'Fake Reader 00 00';

afterEach(() => {
  vi.useRealTimers();
});

describe('ClientManager', () => {
  it('starts one client for all users and stops it only after the last one left and no event came for the settle pause', async () => {
    vi.useFakeTimers();
    const world = new FakeWorld({ [READER]: state(EMPTY) });
    const manager = new ClientManager({ pcscMini: world.module, stopSettleMs: 300 });
    const acquiring = Promise.all([manager.acquire(), manager.acquire()]);
    await vi.advanceTimersByTimeAsync(100);
    const [a, b] = await acquiring;
    expect(world.clients).toHaveLength(1);
    expect(manager.readers().get(READER)?.raw).toBe(state(EMPTY));
    a.release();
    a.release(); // idempotent
    await vi.advanceTimersByTimeAsync(1000);
    expect(world.calls).not.toContain('client.stop');
    b.release();
    await vi.advanceTimersByTimeAsync(200);
    world.set(READER, state(PRESENT, 1)); // a reader event while settling pushes the stop back
    await vi.advanceTimersByTimeAsync(250);
    expect(world.calls).not.toContain('client.stop');
    const eventAt = Date.now() - 250;
    await vi.advanceTimersByTimeAsync(100);
    expect(world.calls.filter((c) => c === 'client.stop')).toHaveLength(1);
    expect(world.stopTimes[0]! - eventAt).toBeGreaterThanOrEqual(300);
    expect(manager.running).toBe(false);
    expect(manager.readers().size).toBe(0);
  });

  it('a new user during the settle pause keeps the running client', async () => {
    vi.useFakeTimers();
    const world = new FakeWorld({ [READER]: state(EMPTY) });
    const manager = new ClientManager({ pcscMini: world.module });
    const first = manager.acquire();
    await vi.advanceTimersByTimeAsync(100);
    (await first).release();
    await vi.advanceTimersByTimeAsync(DEFAULT_STOP_SETTLE_MS - 50);
    const second = manager.acquire();
    await vi.advanceTimersByTimeAsync(10);
    const lease = await second;
    await vi.advanceTimersByTimeAsync(5000);
    expect(world.clients).toHaveLength(1);
    expect(world.calls).not.toContain('client.stop');
    lease.release();
    await vi.advanceTimersByTimeAsync(DEFAULT_STOP_SETTLE_MS + 10);
    expect(world.calls.filter((c) => c === 'client.stop')).toHaveLength(1);
  });

  it('no PC/SC service: PcscServiceError naming NoService, nothing left running, a later call tries again', async () => {
    const world = new FakeWorld();
    world.startError = new PcscError('NoService');
    const manager = new ClientManager({ pcscMini: world.module });
    const error = await manager.acquire().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PcscServiceError);
    expect((error as Error).message).toContain('(NoService)');
    expect(manager.references).toBe(0);
    expect(manager.running).toBe(false);
    world.startError = undefined;
    const lease = await manager.acquire();
    expect(manager.running).toBe(true);
    lease.release();
  });

  it('pcsc-mini missing: PcscServiceError; the loader is asked again next time', async () => {
    let calls = 0;
    const manager = new ClientManager({
      pcscMini: async () => {
        calls++;
        throw Object.assign(new Error("Cannot find package 'pcsc-mini'"), { code: 'ERR_MODULE_NOT_FOUND' });
      },
    });
    await expect(manager.acquire()).rejects.toThrow('install it with `npm install pcsc-mini`');
    await expect(manager.acquire()).rejects.toBeInstanceOf(PcscServiceError);
    expect(calls).toBe(2);
  });

  it('the monitor failing (pcscd stopped): readers vanish, waiters get PcscServiceError, the next user gets a new client', async () => {
    const world = new FakeWorld({ [READER]: state(EMPTY) });
    const manager = new ClientManager({ pcscMini: world.module });
    const lease = await manager.acquire();
    const changes: string[] = [];
    manager.subscribe((c) => changes.push(c.type === 'error' ? `error:${c.error.code}` : `${c.type}:${c.name}`));
    const waiting = manager.waitUntil(() => undefined, { what: 'card' });
    world.client!.fail('Shutdown');
    await expect(waiting).rejects.toBeInstanceOf(PcscServiceError);
    expect(changes).toEqual([`reader-removed:${READER}`, 'error:pcsc-service']);
    expect(manager.running).toBe(false);
    lease.release();
    await sleep(5);
    // The dead client is dropped, never stopped (see ClientManager#onError).
    expect(world.calls).not.toContain('client.stop');
    const again = await manager.acquire();
    expect(world.clients).toHaveLength(2);
    expect(manager.readers().has(READER)).toBe(true);
    again.release();
  });

  it('a client whose context died is never garbage-collected (pcsc-mini 0.1.3 throws from its finalizer)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const world = new FakeWorld({ [READER]: state(EMPTY) });
    let manager: ClientManager | undefined = new ClientManager({ pcscMini: world.module });
    const lease = await manager.acquire();
    const before = retiredClientCount();
    const dead = new WeakRef(world.client!);
    world.client!.fail('Shutdown');
    lease.release();
    // Also a client whose stop() fails because the service went away meanwhile.
    const second = await manager.acquire();
    const stopFailing = new WeakRef(world.client!);
    world.client!.stop = () => {
      throw new PcscError('NoService');
    };
    second.release();
    await sleep(DEFAULT_STOP_SETTLE_MS + 50);
    expect(retiredClientCount()).toBe(before + 2);
    // Nothing of the test holds them any more; only the SDK can keep them alive.
    world.clients.length = 0;
    manager = undefined;
    for (let i = 0; i < 3; i++) {
      gc();
      await sleep(5);
    }
    expect(dead.deref()).toBeDefined();
    expect(stopFailing.deref()).toBeDefined();
  });

  it('waitUntil resolves on a matching change and times out otherwise', async () => {
    const world = new FakeWorld({ [READER]: state(EMPTY) });
    const manager = new ClientManager({ pcscMini: world.module });
    const lease = await manager.acquire();
    const present = manager.waitUntil(
      () => ((manager.readers().get(READER)?.raw ?? 0) & PRESENT ? 'yes' : undefined),
      { what: 'card', timeoutMs: 5000 },
    );
    world.set(READER, state(PRESENT, 1));
    expect(await present).toBe('yes');
    const never = manager.waitUntil(() => undefined, { what: 'miracle', timeoutMs: 20 });
    await expect(never).rejects.toThrow(new TimeoutError('No miracle within 20 ms'));
    lease.release();
  });

  it('refuses a settle pause below 250 ms', () => {
    expect(() => new ClientManager({ stopSettleMs: 100 })).toThrow(InvalidArgumentError);
    expect(() => new PcscContext({ stopSettleMs: Number.NaN })).toThrow(InvalidArgumentError);
  });
});
