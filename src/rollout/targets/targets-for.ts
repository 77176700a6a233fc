import type { RolloutDeps } from '../rollout-deps.js';
import { requireDeployment } from '../rollout-deps.js';
import type { RolloutTargetPort } from '../rollout-target.js';
import { createHardwareTierTargets } from './hardware-tiers.js';

/**
 * The one place that reads a deployment's kind: the use cases ask for the deployment's targets and never branch
 * on what they are.
 */
export function targetsFor(deps: Pick<RolloutDeps, 'config' | 'tiers'>, deploymentName: string): RolloutTargetPort {
  const deployment = requireDeployment(deps.config, deploymentName);
  return createHardwareTierTargets(deps.tiers, deployment, deps.config.mongo.tierCollection);
}
