import type { Config } from '../config.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../shared/logger.js';
import { createClockTrigger } from './clock-trigger.js';
import { compileCron, lastFireAtOrBefore } from './cron-next.js';
import { createCronTrigger } from './cron-trigger.js';
import type { OpenReviewInput } from './open-review.js';
import { createTickCoordinator, runOnce, tickKey } from './tick-coordinator.js';
import type { TickRepo } from './tick-repo.js';
import type { Trigger, TriggerTask } from './trigger.js';

const HOUR_MS = 3_600_000;
/** How often open reviews are checked for a due reminder. */
export const FOLLOW_UP_SCHEDULE = '*/15 * * * *';
/** A replica that wins a tick and dies mid-run is replaced after this long. */
export const TICK_LEASE_MS = 10 * 60_000;

export interface ReviewTaskSpec {
  name: string;
  deployment: string;
  expression: string;
  timeZone: string;
  graceMs: number;
}

export const reviewTaskName = (deployment: string) => `ami-review:${deployment}`;

/** One review task per deployment, in its review time zone (else the global one). */
export function reviewTasks(config: Pick<Config, 'deployments' | 'timeZone'>): ReviewTaskSpec[] {
  return config.deployments.map((d) => ({
    name: reviewTaskName(d.name),
    deployment: d.name,
    expression: d.review.schedule,
    timeZone: d.review.timeZone ?? config.timeZone,
    graceMs: d.review.catchUpGraceHours * HOUR_MS,
  }));
}

/**
 * The newest tick in (now − grace, now]: the one a bot that was down at the time should still post. Found by
 * looking back from now, so however many ticks the outage missed (a minutely schedule down for a year) the
 * answer is the latest, never a capped list's last.
 */
export function missedTick(spec: ReviewTaskSpec, now: Date): Date | undefined {
  const latest = lastFireAtOrBefore(compileCron(spec.expression, spec.timeZone), now);
  return latest && latest.getTime() > now.getTime() - spec.graceMs ? latest : undefined;
}

export interface ReviewSchedulerDeps {
  config: Config;
  clock: Clock;
  logger: Logger;
  ticks: TickRepo;
  /** Lease owner; unique per process. */
  owner: string;
  openReview(input: OpenReviewInput): Promise<unknown>;
  sendFollowUps(): Promise<number>;
  /** node-cron (production; tests under fake timers) or the injected Clock (sandbox's scaled clock). */
  trigger: 'cron' | 'clock';
  followUpSchedule?: string;
  leaseMs?: number;
}

export interface ReviewScheduler {
  /** Posts a tick missed while the bot was down (once across replicas), then starts the trigger. */
  start(): Promise<void>;
  stop(): Promise<void>;
  catchUp(): Promise<number>;
}

export function createReviewScheduler(deps: ReviewSchedulerDeps): ReviewScheduler {
  const { clock, logger } = deps;
  const leaseMs = deps.leaseMs ?? TICK_LEASE_MS;
  const coordinator = createTickCoordinator({ ticks: deps.ticks, clock, owner: deps.owner });
  const specs = reviewTasks(deps.config);
  let trigger: Trigger | undefined;

  const tasks: TriggerTask[] = [
    ...specs.map((spec) => ({
      name: spec.name,
      expression: spec.expression,
      timeZone: spec.timeZone,
      distributed: true,
      lateToleranceMs: spec.graceMs,
      run: async (tick: Date) => {
        await deps.openReview({ deployment: spec.deployment, trigger: 'schedule', tick });
      },
    })),
    {
      name: 'ami-review-follow-ups',
      expression: deps.followUpSchedule ?? FOLLOW_UP_SCHEDULE,
      timeZone: 'UTC',
      // Each reminder is a guarded transition on the review: replicas may all look, only one sends.
      distributed: false,
      // A poll: looking late is harmless, skipping a look only delays reminders.
      lateToleranceMs: 24 * HOUR_MS,
      run: async () => {
        await deps.sendFollowUps();
      },
    },
  ];

  async function catchUp(): Promise<number> {
    let posted = 0;
    for (const spec of specs) {
      const tick = missedTick(spec, clock.now());
      if (!tick) continue;
      const log = logger.child({ deployment: spec.deployment, tick: tick.toISOString() });
      try {
        const outcome = await runOnce(coordinator, tickKey(spec.name, tick), leaseMs, async () => {
          await deps.openReview({ deployment: spec.deployment, trigger: 'catch-up', tick });
        });
        if (outcome === 'ran') {
          posted++;
          log.info('review: posted a tick missed while the bot was down');
        }
      } catch (error) {
        log.error({ err: error }, 'review: catch-up failed');
      }
    }
    return posted;
  }

  return {
    catchUp,
    async start() {
      await catchUp();
      trigger =
        deps.trigger === 'cron'
          ? createCronTrigger({ coordinator, logger, leaseMs })
          : createClockTrigger({ clock, coordinator, logger, leaseMs });
      trigger.start(tasks);
    },
    async stop() {
      await trigger?.stop();
      trigger = undefined;
    },
  };
}
