import type { Config, DeploymentConfig } from '../config.js';
import type { ChatPort } from '../ports/chat.js';
import type { Clock } from '../ports/clock.js';
import type { DominoApiPort, DominoTiersPort } from '../ports/domino.js';
import type { Ec2Port } from '../ports/ec2.js';
import type { EksPort } from '../ports/eks.js';
import type { LaunchTemplatePort } from '../ports/launch-templates.js';
import type { StateStore } from '../ports/state-store.js';
import type { Logger } from '../shared/logger.js';
import type { Metrics } from '../shared/metrics.js';
import { namedDeployment } from '../shared/named-deployment.js';

/** What the AMI lifecycle use cases need from the outside, injected by bot.ts. */
export interface LifecycleDeps {
  config: Config;
  store: StateStore;
  ec2: Ec2Port;
  tiers: DominoTiersPort;
  /** An `eks-node-groups` deployment's node groups and launch templates: its rollout targets' AMIs are references. */
  eks?: EksPort;
  launchTemplates?: LaunchTemplatePort;
  /** Domino's REST API, which the EKS targets are built with (absent: unconfigured; listing needs none). */
  domino?: DominoApiPort;
  chat: Pick<ChatPort, 'userGroupMembers'>;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
}

/** The deployment named (or the only one), or a clear error naming the configured ones. */
export function lifecycleDeployment(config: Config, name: string | undefined): DeploymentConfig {
  return namedDeployment(config, name);
}
