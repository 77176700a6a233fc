import type { DeploymentConfig } from '../config.js';
import type { ImageInfo } from '../ports/ec2.js';
import { targetUpdateOf } from '../rollout/change-record.js';
import { classifyTargets, isAmiId } from '../rollout/classify-tiers.js';
import type { RolloutDeps } from '../rollout/rollout-deps.js';
import { type TargetDeps, targetsFor } from '../rollout/targets/targets-for.js';

/**
 * The hardware tiers whose runs start on the AMI a bake makes: the tiers a rollout would move (Domino 3.x), or the
 * tiers on the node pools of the node groups it would move (EKS). A run on a custom-AMI, pinned or GPU-pool tier
 * never uses that AMI, so its image must not take the AMI's disk.
 */
export interface ServedTiers {
  tierIds: string[];
  /** Tier names as Domino shows them, for the message. */
  labels: string[];
  /** EKS: the node pools whose tiers these are. */
  pools?: string[];
}

/** A target id no real target has: nothing is "already on" it, so every standard target is a planned move. */
const NO_AMI = 'ami-suggestion';

export type ServedTiersDeps = TargetDeps & Pick<RolloutDeps, 'ec2'>;

/**
 * The targets a rollout would move today, as its plan classifies them (classify-tiers.ts: the AMI this pipeline
 * made for this deployment, not pinned, not special), each with the AMI it is on; nothing is planned or stored.
 */
export async function standardMoves(deps: ServedTiersDeps, deployment: DeploymentConfig) {
  const port = targetsFor(deps, deployment.name);
  const targets = await port.list();
  const ids = [...new Set(targets.map((t) => t.ami))].filter(isAmiId).slice(0, 200);
  const images = new Map<string, ImageInfo>((await deps.ec2.describeImages(ids)).map((image) => [image.id, image]));
  const plan = classifyTargets({
    deployment: deployment.name,
    pinned: deployment.pinnedTiers,
    target: NO_AMI,
    targets,
    images,
  });
  return { port, updates: plan.updates };
}

/**
 * The tiers whose runs start on the AMI a bake of this deployment makes (see ServedTiers), but the test tier:
 * its jobs are the AMI tests'. (On EKS the test node group is never a rollout target, so its pool is not here.)
 */
export async function servedTiers(deps: ServedTiersDeps, deployment: DeploymentConfig): Promise<ServedTiers> {
  const { port, updates } = await standardMoves(deps, deployment);
  const audience = await port.audience(updates.map(targetUpdateOf));
  if (!audience) {
    // The test tier's runs are mostly ami-bot's own test jobs, not what users run.
    const test = deployment.testTier;
    const tiers = updates.filter((u) => test === undefined || (u.id !== test && u.label !== test));
    return { tierIds: tiers.map((u) => u.id), labels: tiers.map((u) => u.label) };
  }
  const tiers = new Map(audience.flatMap((pool) => pool.tiers.map((tier) => [tier.id, tier.label] as const)));
  return { tierIds: [...tiers.keys()], labels: [...tiers.values()], pools: audience.map((pool) => pool.pool) };
}
