import { randomUUID } from 'node:crypto';
import { AppError } from '../errors.js';
import type { RolloutDeps } from './rollout-deps.js';

export const changeLockKey = (deployment: string) => `change:${deployment}`;

/** How long a duplicate waits for the planning in progress (wall time: planning takes about a second). */
const WAIT_MS = 30_000;
/** A lock older than this belongs to a process that died while planning (wall time, like WAIT_MS). */
const STALE_MS = 2 * 60_000;
const POLL_MS = 25;

/**
 * Planning a change (rollout, revert, drain) is "check that none is open, then insert one": two deliveries of the
 * same command (a Slack retry, a double click, two replicas) running that at once would both find none and both
 * insert. This serialises it per deployment with a lock (an insert with a fixed `_id`, the one write FerretDB
 * and MongoDB decide atomically): a duplicate waits for the first, then its own check finds the change the first
 * one made and answers that it is still pending, as if it had arrived later.
 * The lock is about process liveness, not the change's timeline, so it is stamped and aged in wall time.
 */
export async function withChangeLock<T>(
  deps: Pick<RolloutDeps, 'store' | 'logger' | 'wallClock'>,
  deployment: string,
  work: () => Promise<T>,
  options: { waitMs?: number; staleMs?: number } = {},
): Promise<T> {
  const key = changeLockKey(deployment);
  const holder = `plan-${randomUUID()}`;
  const now = () => deps.wallClock.now().getTime();
  const deadline = now() + (options.waitMs ?? WAIT_MS);
  const staleMs = options.staleMs ?? STALE_MS;
  for (;;) {
    if ((await deps.store.locks.acquire(key, holder, deps.wallClock.now())) === undefined) break;
    const lock = await deps.store.locks.describe(key);
    if (lock && now() - lock.at.getTime() > staleMs) {
      deps.logger.warn({ key, holder: lock.holder, since: lock.at }, 'taking over a stale change-planning lock');
      await deps.store.locks.release(key, lock.holder);
      continue;
    }
    if (now() > deadline) {
      throw new AppError(
        'change_planning_busy',
        `Another change of ${deployment} is being planned right now; nothing was done. Try again in a minute.`,
      );
    }
    await deps.wallClock.sleep(POLL_MS);
  }
  try {
    return await work();
  } finally {
    await deps.store.locks.release(key, holder).catch((error: unknown) => {
      deps.logger.warn({ err: error, key }, 'could not release the change-planning lock (it goes stale in 2 min)');
    });
  }
}
