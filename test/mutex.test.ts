/** The one lock (src/mutex.ts): FIFO, abortable while queued, released however the holder ends. */
import { describe, expect, it } from 'vitest';
import { AbortedError } from '../src/errors.js';
import { Mutex } from '../src/mutex.js';

describe('Mutex', () => {
  it('grants in call order and releases after a throwing holder', async () => {
    const lock = new Mutex();
    const order: string[] = [];
    const first = lock.run(async () => {
      order.push('a');
      await new Promise((r) => setTimeout(r, 5));
      throw new Error('holder failed');
    });
    const second = lock.run(() => order.push('b'));
    const third = lock.run(async () => order.push('c'));
    await expect(first).rejects.toThrow('holder failed');
    await Promise.all([second, third]);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(lock.locked).toBe(false);
  });

  it('an aborted waiter leaves the queue with AbortedError; the others keep their places', async () => {
    const lock = new Mutex();
    const release = await lock.acquire();
    const controller = new AbortController();
    const order: string[] = [];
    const aborted = lock.run(() => order.push('aborted'), controller.signal);
    const next = lock.run(() => order.push('next'));
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(AbortedError);
    release();
    await next;
    expect(order).toEqual(['next']);
  });
});
