import type { Clock } from '../ports/clock.js';
import type { Logger } from '../shared/logger.js';
import { compileCron, nextFireAfter } from './cron-next.js';
import { runOnce, type TickCoordinator, tickKey } from './tick-coordinator.js';
import type { Trigger, TriggerTask } from './trigger.js';

/** Re-read the clock at least this often: timers cannot wait a quarter, and clocks jump (suspend, NTP). */
const MAX_NAP_MS = 3_600_000;

/**
 * A trigger driven by our Clock instead of node-cron's timers, for sandbox mode only: its scaled clock runs
 * faster than the Date and setTimeout node-cron reads. (Tests drive the production trigger, node-cron, under
 * fake timers; review-schedule-dst.test.ts runs this one too, on the manual clock.) Same fire times
 * (cron-next mirrors node-cron), same coordinator, same tick keys: a tick runs once across replicas whichever
 * trigger each replica uses.
 */
export function createClockTrigger(deps: {
  clock: Clock;
  coordinator: TickCoordinator;
  logger: Logger;
  leaseMs: number;
}): Trigger {
  const { clock, coordinator, logger, leaseMs } = deps;
  let abort: AbortController | undefined;
  let loop: Promise<void> | undefined;

  async function fire(task: TriggerTask, tick: Date): Promise<void> {
    try {
      if (!task.distributed) await task.run(tick);
      else await runOnce(coordinator, tickKey(task.name, tick), leaseMs, () => task.run(tick));
    } catch (error) {
      logger.error({ err: error, task: task.name, tick: tick.toISOString() }, 'scheduled task failed');
    }
  }

  async function run(tasks: TriggerTask[], signal: AbortSignal): Promise<void> {
    const start = clock.now();
    const plans = tasks.map((task) => {
      const cron = compileCron(task.expression, task.timeZone);
      return { task, cron, next: nextFireAfter(cron, start) };
    });
    while (!signal.aborted) {
      const due = Math.min(...plans.map((p) => p.next?.getTime() ?? Number.POSITIVE_INFINITY));
      if (!Number.isFinite(due)) return;
      try {
        await clock.sleep(Math.min(MAX_NAP_MS, Math.max(0, due - clock.now().getTime())), signal);
      } catch {
        return;
      }
      const now = clock.now().getTime();
      for (const plan of [...plans].sort((a, b) => (a.next?.getTime() ?? 0) - (b.next?.getTime() ?? 0))) {
        while (plan.next && plan.next.getTime() <= now && !signal.aborted) {
          const tick = plan.next;
          plan.next = nextFireAfter(plan.cron, tick);
          // Like node-cron's planBeat: only the latest due tick runs, and only if not too late.
          const superseded = plan.next !== undefined && plan.next.getTime() <= now;
          if (superseded || now - tick.getTime() > plan.task.lateToleranceMs) {
            logger.warn({ task: plan.task.name, tick: tick.toISOString() }, 'tick missed (noticed too late)');
            continue;
          }
          await fire(plan.task, tick);
        }
      }
    }
  }

  return {
    start(tasks) {
      abort = new AbortController();
      loop = run(tasks, abort.signal);
    },
    async stop() {
      abort?.abort();
      await loop;
      loop = undefined;
    },
  };
}
