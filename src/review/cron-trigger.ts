import { type Logger as CronLogger, type ScheduledTask, schedule } from 'node-cron';
import type { Logger } from '../shared/logger.js';
import { type TickCoordinator, tickKey } from './tick-coordinator.js';
import type { Trigger, TriggerTask } from './trigger.js';

/** node-cron talks to console by default; its lines go to our structured log instead. */
function cronLogger(logger: Logger): CronLogger {
  const log = logger.child({ component: 'node-cron' });
  return {
    info: (message) => log.info(message),
    warn: (message) => log.warn(message),
    error: (message, err) => log.error({ err: err ?? message }, String(message)),
    debug: (message, err) => log.debug({ err }, String(message)),
  };
}

/**
 * The production trigger: one node-cron task per TriggerTask. Distributed tasks use node-cron's
 * distributed mode with our MongoDB RunCoordinator, so each tick runs on exactly one replica.
 */
export function createCronTrigger(deps: { coordinator: TickCoordinator; logger: Logger; leaseMs: number }): Trigger {
  const { coordinator, logger, leaseMs } = deps;
  const tasks: ScheduledTask[] = [];
  const inFlight = new Set<Promise<void>>();

  async function handle(spec: TriggerTask, tick: Date): Promise<void> {
    try {
      await spec.run(tick);
    } catch (error) {
      // node-cron calls onComplete (which marks the tick done) after us: give the tick back first.
      if (spec.distributed) await coordinator.release(tickKey(spec.name, tick)).catch(() => undefined);
      logger.error({ err: error, task: spec.name, tick: tick.toISOString() }, 'scheduled task failed');
    }
  }

  return {
    start(specs) {
      for (const spec of specs) {
        const task = schedule(
          spec.expression,
          (context) => {
            const running = handle(spec, context.date);
            inFlight.add(running);
            return running.finally(() => inFlight.delete(running));
          },
          {
            name: spec.name,
            timezone: spec.timeZone,
            noOverlap: true,
            missedExecutionTolerance: spec.lateToleranceMs,
            logger: cronLogger(logger),
            ...(spec.distributed ? { distributed: true, runCoordinator: coordinator, distributedLease: leaseMs } : {}),
          },
        );
        tasks.push(task);
      }
    },
    async stop() {
      for (const task of tasks.splice(0)) await task.destroy();
      await Promise.allSettled([...inFlight]);
    },
  };
}
