import { isPipelineAmiName } from '../bake/ami-name.js';
import { imageDeployment, isPipelineImageByTags } from '../bake/image-tags.js';
import type { TierRecord } from '../ports/domino.js';
import type { ImageInfo } from '../ports/ec2.js';
import { type SkippedTier, snapshotOf, type TierUpdatePlan } from './change-record.js';
import type { RolloutTarget } from './rollout-target.js';
import { tierTarget } from './targets/hardware-tiers.js';

export const AMI_ID = /^ami-[0-9a-f]{8,17}$/;

export function isAmiId(value: string): boolean {
  return AMI_ID.test(value);
}

export interface ClassifyInput {
  deployment: string;
  /** Target ids or labels never to touch (config `pinnedTiers`). */
  pinned: readonly string[];
  target: string;
  targets: readonly RolloutTarget[];
  /** What DescribeImages knows about the targets' current AMIs (absent = not found in this account/region). */
  images: ReadonlyMap<string, ImageInfo>;
}

export interface Classification {
  updates: TierUpdatePlan[];
  skipped: SkippedTier[];
  unchanged: Array<{ id: string; label: string }>;
}

/**
 * Is this AMI one this pipeline made for this deployment (the seed's name, or our tags)? Only such tiers are
 * standard. An AMI whose deployment tag names another deployment is never ours, whatever its name says.
 */
export function isPipelineImage(deployment: string, image: ImageInfo): boolean {
  const tagged = imageDeployment(image.tags);
  if (tagged !== undefined && tagged !== deployment) return false;
  return isPipelineAmiName(deployment, image.name) || isPipelineImageByTags(image.tags, deployment);
}

/**
 * The seed's "make sure you don't have any hardware tiers that use special AMIs": a target moves to the new AMI
 * only when its current AMI provably came from this pipeline. Anything else — a custom GPU image, an AMI we
 * cannot see, a pinned tier, a node group whose AMI EKS chooses — is skipped with the reason (pure).
 */
export function classifyTargets(input: ClassifyInput): Classification {
  const result: Classification = { updates: [], skipped: [], unchanged: [] };
  const pinned = new Set(input.pinned);
  for (const target of input.targets) {
    const skip = (reason: SkippedTier['reason'], detail: string) =>
      result.skipped.push({ id: target.id, label: target.label, executorImage: target.ami, reason, detail });
    if (target.ami === input.target) {
      result.unchanged.push({ id: target.id, label: target.label });
      continue;
    }
    if (target.special !== undefined) {
      skip('special', target.special);
      continue;
    }
    if (pinned.has(target.id) || pinned.has(target.label)) {
      skip('pinned', 'pinned in the ami-bot config (pinnedTiers)');
      continue;
    }
    if (target.ami === '') {
      skip('no-image', 'has no executorImage');
      continue;
    }
    const image = input.images.get(target.ami);
    if (!image) {
      skip(
        'unknown-image',
        isAmiId(target.ami)
          ? `its AMI ${target.ami} is not visible in this account/region, so its origin cannot be checked`
          : `its executorImage \`${target.ami.slice(0, 60)}\` is not an AMI id`,
      );
      continue;
    }
    if (!isPipelineImage(input.deployment, image)) {
      const other = imageDeployment(image.tags);
      const named = `its AMI ${image.id} (\`${image.name || 'no name'}\`)`;
      skip(
        'special',
        other !== undefined && other !== input.deployment
          ? `${named} was baked by ami-bot for deployment \`${other.slice(0, 63)}\`, not ${input.deployment}`
          : `${named} was not made by this pipeline`,
      );
      continue;
    }
    result.updates.push({ ...snapshotOf(target), from: target.ami, to: input.target });
  }
  return result;
}

/** `classifyTargets` for Domino's hardware tiers as the tier port lists them. */
export function classifyTiers(
  input: Omit<ClassifyInput, 'targets'> & { tiers: readonly TierRecord[] },
): Classification {
  const { tiers, ...rest } = input;
  return classifyTargets({ ...rest, targets: tiers.map(tierTarget) });
}
