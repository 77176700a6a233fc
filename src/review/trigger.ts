/**
 * What wakes the scheduler up: node-cron (cron-trigger.ts) in production and in the scheduler tests (under fake
 * timers); our Clock (clock-trigger.ts) in sandbox mode, whose scaled clock node-cron cannot follow.
 */
export interface TriggerTask {
  /** Also node-cron's task name, and so the first half of every tick key. */
  name: string;
  expression: string;
  timeZone: string;
  /** Coordinated across replicas through the tick lease (node-cron `distributed`). */
  distributed: boolean;
  /** A tick noticed this late still runs; later ones count as missed (node-cron missedExecutionTolerance). */
  lateToleranceMs: number;
  run(tick: Date): Promise<void>;
}

export interface Trigger {
  start(tasks: TriggerTask[]): void;
  /** Stops waking up and waits for runs in flight. */
  stop(): Promise<void>;
}
