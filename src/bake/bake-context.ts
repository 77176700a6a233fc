import type { Config, DeploymentConfig } from '../config.js';
import type { ChatContent, ChatPort } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import type { DominoTiersPort } from '../ports/domino.js';
import type { Ec2Port } from '../ports/ec2.js';
import type { SsmPort } from '../ports/ssm.js';
import type { StateStore } from '../ports/state-store.js';
import type { Logger } from '../shared/logger.js';
import type { Metrics } from '../shared/metrics.js';
import type { Text } from '../shared/text.js';
import type { BakePresenter } from './bake-presenter.js';
import type { BakeCheckpoint, BakeRecord, BakeStepName } from './bake-record.js';

/** Everything a bake needs from the outside, injected once in main.ts (or a test, or the demo). */
export interface BakeDeps {
  ec2: Ec2Port;
  ssm: SsmPort;
  chat: ChatPort;
  /** How the bake's messages look (implemented by slack/). */
  presenter: BakePresenter;
  store: StateStore;
  clock: Clock;
  /** Wall time: paces the bake card's updates to Slack's rate limit (not the bake's simulated timeline). */
  wallClock: Clock;
  logger: Logger;
  config: Config;
  metrics?: Metrics;
  /** Domino's tiers: the cleanup keeps an image a tier points at. Absent when the bot has no Domino access. */
  tiers?: DominoTiersPort;
}

/** What the bake reports while it runs; a Slack outage never fails a bake. */
export interface BakeProgress {
  /** Re-renders the root message (coalesced, rate-limited). */
  refresh(): void;
  /** A reply in the bake's thread; its ts, unless Slack could not be reached. */
  thread(content: Text | ChatContent): Promise<string | undefined>;
  /** Waits for pending root updates (used before the runner lets go of a bake). */
  flush(): Promise<void>;
  /** Drops pending updates and ignores later ones (a dead process says nothing more). */
  dispose(): void;
}

export interface StepContext {
  /** The runner's live copy; `save` keeps it equal to the database. */
  bake: BakeRecord;
  deployment: DeploymentConfig;
  deps: BakeDeps;
  settings: Config['bake'];
  signal: AbortSignal;
  progress: BakeProgress;
  log: Logger;
  /** Persists a checkpoint (facts, a command id, a step's progress, the status). Throws when the lease was lost. */
  save(checkpoint: BakeCheckpoint): Promise<void>;
}

/** A step that had nothing to do for this bake (no provisioning configured, nothing to prune), and why. */
export interface StepSkipped {
  readonly skipped: string;
}

export const skipped = (why: string): StepSkipped => ({ skipped: why });

export function isStepSkipped(result: StepResult): result is StepSkipped {
  return typeof result === 'object';
}

/** A one-line summary for the progress message, or that the step was skipped. */
export type StepResult = string | StepSkipped;

/** A step returns its result for the progress message. Re-running a step must be safe. */
export type StepFn = (ctx: StepContext) => Promise<StepResult>;

/**
 * One bake step, whole: its name (the key in the bake record), the title users read, what it does, and how to
 * undo what it did. The ordered list in bake-steps.ts is the only place the step set is written.
 */
export interface BakeStep<Name extends string = BakeStepName> {
  name: Name;
  /** The title in the step list when no bake is at hand (and for every bake, unless `titleOf` says otherwise). */
  title: string;
  /** The title for one bake, when it depends on the bake (its runtime, its provisioning). */
  titleOf?: (bake: BakeRecord) => string;
  run: StepFn;
  /**
   * Compensation for a step that started (done or failed): safe to repeat after a crash. Returns the lines to
   * tell the user; a part that cannot be undone says what to do by hand.
   */
  undo?: (ctx: StepContext) => Promise<string[]>;
}

/** Why a run stopped without finishing: not failures, so no compensation and no failed status. */
export type StopReason = 'shutdown' | 'lease-lost' | 'crash' | 'store-unavailable';

export class RunStopped extends Error {
  constructor(readonly reason: StopReason) {
    super(`bake run stopped: ${reason}`);
    this.name = 'RunStopped';
  }
}

export class CancelRequested extends Error {
  constructor(readonly by: string) {
    super(`cancelled by ${by}`);
    this.name = 'CancelRequested';
  }
}
