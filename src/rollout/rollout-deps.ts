import type { Config, DeploymentConfig } from '../config.js';
import { findDeployment } from '../config.js';
import { AppError } from '../errors.js';
import type { ChatPort } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import type { DominoApiPort, DominoTiersPort, TierUsersPort } from '../ports/domino.js';
import type { Ec2Port } from '../ports/ec2.js';
import type { EksPort } from '../ports/eks.js';
import type { LaunchTemplatePort } from '../ports/launch-templates.js';
import type { StateStore } from '../ports/state-store.js';
import type { BackgroundTasks } from '../shared/background-tasks.js';
import type { Logger } from '../shared/logger.js';
import type { Metrics } from '../shared/metrics.js';
import { code, text } from '../shared/text.js';
import type { AuditEntry } from './audit-record.js';
import { newAuditId } from './audit-record.js';
import type { ChangeAppliedListener } from './change-applied.js';
import { isChangeId } from './change-record.js';
import type { RolloutPresenter } from './rollout-presenter.js';

/** Everything the rollout use cases need from the outside, injected once by bot.ts. */
export interface RolloutDeps {
  config: Config;
  store: StateStore;
  chat: ChatPort;
  /** How the rollout's messages look (implemented by slack/). */
  presenter: RolloutPresenter;
  clock: Clock;
  /** Wall time: the change-planning lock is about process liveness, not the change's timeline. */
  wallClock: Clock;
  logger: Logger;
  ec2: Ec2Port;
  tiers: DominoTiersPort;
  /** An `eks-node-groups` deployment's node groups and their launch templates (absent: no such deployment). */
  eks?: EksPort;
  launchTemplates?: LaunchTemplatePort;
  tierUsers: TierUsersPort;
  domino: DominoApiPort;
  tasks: BackgroundTasks;
  /** Unique per process: owner of apply claims. */
  owner: string;
  metrics?: Metrics;
  /** Told after a change moved targets, in order (change-applied.ts): the lifecycle's protection of AMIs in use. */
  onApplied?: readonly ChangeAppliedListener[];
}

export function requireDeployment(config: Config, name: string): DeploymentConfig {
  const deployment = findDeployment(config, name);
  if (!deployment) {
    throw new AppError('unknown_deployment', `Deployment ${name} is no longer configured; nothing was changed.`);
  }
  return deployment;
}

/** Refuses what is not a change id (a typed argument, a forged button value) before the store is read. */
export function requireChangeId(changeId: string): void {
  if (!isChangeId(changeId)) {
    throw new AppError(
      'invalid_change_id',
      text`${code(changeId.slice(0, 40))} is not a change id (like chg-20261128-k3m9).`,
    );
  }
}

/** Writes an audit entry; an audit failure is logged loudly but never undoes what already happened. */
export async function audit(
  deps: Pick<RolloutDeps, 'store' | 'clock' | 'logger'>,
  entry: Omit<AuditEntry, '_id' | 'at'>,
) {
  const at = deps.clock.now();
  try {
    await deps.store.audit.record({ _id: newAuditId(at), at, ...entry });
  } catch (error) {
    deps.logger.error(
      { err: error, action: entry.action, changeId: entry.changeId },
      'could not write the audit entry',
    );
  }
}

export { executorTagsFor } from '../shared/deployment-scope.js';
