import { describe, expect, it } from 'vitest';
import { createMemoryStateStore } from '../../src/adapters/memory/memory-state-store.js';
import { changeLockKey, withChangeLock } from '../../src/rollout/change-lock.js';
import { createSilentLogger } from '../../src/shared/logger.js';
import { createSystemClock } from '../../src/shared/system-clock.js';

const deps = () => ({ store: createMemoryStateStore(), logger: createSilentLogger(), wallClock: createSystemClock() });

describe('the change-planning lock', () => {
  it('runs concurrent plannings of one deployment one at a time, each of them', async () => {
    const d = deps();
    let inside = 0;
    let maxInside = 0;
    const order: number[] = [];
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        withChangeLock(d, 'acme', async () => {
          inside++;
          maxInside = Math.max(maxInside, inside);
          await new Promise((resolve) => setTimeout(resolve, 5));
          order.push(i);
          inside--;
          return i;
        }),
      ),
    );
    expect(maxInside).toBe(1);
    expect(results).toEqual([0, 1, 2, 3, 4, 5]);
    expect(order).toHaveLength(6);
    // Released at the end, also after a failure.
    await expect(
      withChangeLock(d, 'acme', async () => {
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await d.store.locks.holderOf(changeLockKey('acme'))).toBeUndefined();
  });

  it('does not make other deployments wait', async () => {
    const d = deps();
    let release: () => void = () => undefined;
    const blocker = withChangeLock(
      d,
      'acme',
      () =>
        new Promise<void>((resolve) => {
          release = resolve;
        }),
    );
    await new Promise((resolve) => setTimeout(resolve, 5));
    await expect(withChangeLock(d, 'globex', async () => 'ran')).resolves.toBe('ran');
    release();
    await blocker;
  });

  it('answers a clear busy error after its wait, changing nothing', async () => {
    const d = deps();
    await d.store.locks.acquire(changeLockKey('acme'), 'plan-elsewhere', new Date());
    let ran = false;
    await expect(
      withChangeLock(
        d,
        'acme',
        async () => {
          ran = true;
        },
        { waitMs: 60 },
      ),
    ).rejects.toMatchObject({ code: 'change_planning_busy', message: expect.stringContaining('Try again') });
    expect(ran).toBe(false);
    expect(await d.store.locks.holderOf(changeLockKey('acme'))).toBe('plan-elsewhere');
  });

  it('takes over the lock of a process that died while planning', async () => {
    const d = deps();
    await d.store.locks.acquire(changeLockKey('acme'), 'plan-dead', new Date(Date.now() - 10 * 60_000));
    await expect(withChangeLock(d, 'acme', async () => 'planned')).resolves.toBe('planned');
    expect(await d.store.locks.holderOf(changeLockKey('acme'))).toBeUndefined();
  });
});
