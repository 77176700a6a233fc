import { describe, expect, it } from 'vitest';
import { createAsyncQueue, eachLimited } from '../../src/shared/async-queue.js';

describe('the async queue', () => {
  it('hands items to waiting consumers in order and ends them when closed', async () => {
    const queue = createAsyncQueue<number>();
    const seen: number[] = [];
    const consumer = (async () => {
      for await (const item of queue) seen.push(item);
      return 'done';
    })();
    queue.push(1);
    await Promise.resolve();
    queue.push(2);
    queue.push(3);
    queue.close();
    expect(await consumer).toBe('done');
    expect(seen).toEqual([1, 2, 3]);
    expect(() => queue.push(4)).toThrow('push after close');
    expect(await queue.next()).toEqual({ value: undefined, done: true });
  });

  it('lets several lanes consume while a producer is still pushing, each item once', async () => {
    const queue = createAsyncQueue<number>();
    const seen: number[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const consumers = eachLimited(queue, 3, async (item) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, item % 3));
      seen.push(item);
      inFlight--;
    });
    for (let i = 0; i < 30; i++) {
      queue.push(i);
      if (i % 5 === 0) await new Promise((resolve) => setTimeout(resolve, 1));
    }
    queue.close();
    await consumers;
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(maxInFlight).toBeLessThanOrEqual(3);
    expect(maxInFlight).toBeGreaterThan(1);
  });

  it('eachLimited over an array keeps at most `limit` in flight and finishes on an empty list', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    await eachLimited([1, 2, 3, 4, 5, 6, 7], 2, async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 2));
      inFlight--;
    });
    expect(maxInFlight).toBe(2);
    await expect(eachLimited([], 4, async () => undefined)).resolves.toBeUndefined();
  });
});
