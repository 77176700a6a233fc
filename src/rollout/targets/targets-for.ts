import { AppError } from '../../errors.js';
import type { RolloutDeps } from '../rollout-deps.js';
import { requireDeployment } from '../rollout-deps.js';
import type { RolloutTargetPort } from '../rollout-target.js';
import { createEksNodeGroupTargets } from './eks-node-groups.js';
import { createHardwareTierTargets } from './hardware-tiers.js';

export type TargetDeps = Pick<RolloutDeps, 'config' | 'tiers' | 'eks' | 'launchTemplates' | 'clock' | 'domino'>;

/**
 * The one place that reads a deployment's kind: the use cases ask for the deployment's targets and never branch
 * on what they are.
 */
export function targetsFor(deps: TargetDeps, deploymentName: string): RolloutTargetPort {
  const deployment = requireDeployment(deps.config, deploymentName);
  if (deployment.kind === 'eks-node-groups') {
    const { eks, launchTemplates } = deps;
    if (!deployment.eks || !eks || !launchTemplates) {
      throw new AppError(
        'eks_not_configured',
        `Deployment ${deployment.name} rolls out to EKS node groups, but ami-bot has no EKS access configured; nothing was changed.`,
      );
    }
    return createEksNodeGroupTargets({ eks, launchTemplates, clock: deps.clock, domino: deps.domino }, deployment.eks);
  }
  return createHardwareTierTargets(deps.tiers, deployment, deps.config.mongo.tierCollection);
}
