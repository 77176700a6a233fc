import type { RunCoordinator } from 'node-cron';
import type { Clock } from '../ports/clock.js';
import type { TickRepo } from './tick-repo.js';

/** node-cron's coordination key for a tick (Runner.runCoordinated): `<task name>:<tick ISO>`. */
export const tickKey = (taskName: string, tick: Date) => `${taskName}:${tick.toISOString()}`;

/**
 * node-cron's RunCoordinator on the bot's MongoDB: the first replica to insert the tick's lease runs it,
 * every other replica is told "not elected". Our Clock-driven trigger and the catch-up on start use the
 * same coordinator and the same keys, so a tick runs once whichever of them sees it first.
 */
export function createTickCoordinator(deps: { ticks: TickRepo; clock: Clock; owner: string }): RunCoordinator & {
  release(key: string): Promise<void>;
} {
  const { ticks, clock, owner } = deps;
  return {
    shouldRun(key, ttlMs) {
      const now = clock.now();
      return ticks.claim(key, owner, now, new Date(now.getTime() + ttlMs));
    },
    async onComplete(key) {
      await ticks.complete(key, owner, clock.now());
    },
    release: (key) => ticks.release(key, owner, clock.now()),
  };
}

export type TickCoordinator = ReturnType<typeof createTickCoordinator>;

/** Runs `run` if this process wins the tick; a failed run gives the tick back so a catch-up can retry it. */
export async function runOnce(
  coordinator: TickCoordinator,
  key: string,
  ttlMs: number,
  run: () => Promise<void>,
): Promise<'ran' | 'not-elected'> {
  if (!(await coordinator.shouldRun(key, ttlMs))) return 'not-elected';
  try {
    await run();
  } catch (error) {
    await coordinator.release(key);
    throw error;
  }
  await coordinator.onComplete?.(key);
  return 'ran';
}
