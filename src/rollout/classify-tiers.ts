import { isPipelineAmiName } from '../bake/ami-name.js';
import { imageDeployment, isPipelineImageByTags } from '../bake/image-tags.js';
import type { TierRecord } from '../ports/domino.js';
import type { ImageInfo } from '../ports/ec2.js';
import type { SkippedTier, TierUpdatePlan } from './change-record.js';

export const AMI_ID = /^ami-[0-9a-f]{8,17}$/;

export function isAmiId(value: string): boolean {
  return AMI_ID.test(value);
}

export interface ClassifyInput {
  deployment: string;
  /** Tier ids or labels never to touch (config `pinnedTiers`). */
  pinned: readonly string[];
  target: string;
  tiers: readonly TierRecord[];
  /** What DescribeImages knows about the tiers' current AMIs (absent = not found in this account/region). */
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
 * The seed's "make sure you don't have any hardware tiers that use special AMIs": a tier moves to the new AMI
 * only when its current AMI provably came from this pipeline. Anything else — a custom GPU image, an AMI we
 * cannot see, a pinned tier — is skipped with the reason (pure).
 */
export function classifyTiers(input: ClassifyInput): Classification {
  const result: Classification = { updates: [], skipped: [], unchanged: [] };
  const pinned = new Set(input.pinned);
  for (const tier of input.tiers) {
    const skip = (reason: SkippedTier['reason'], detail: string) =>
      result.skipped.push({ id: tier.id, label: tier.label, executorImage: tier.executorImage, reason, detail });
    if (tier.executorImage === input.target) {
      result.unchanged.push({ id: tier.id, label: tier.label });
      continue;
    }
    if (pinned.has(tier.id) || pinned.has(tier.label)) {
      skip('pinned', 'pinned in the ami-bot config (pinnedTiers)');
      continue;
    }
    if (tier.executorImage === '') {
      skip('no-image', 'has no executorImage');
      continue;
    }
    const image = input.images.get(tier.executorImage);
    if (!image) {
      skip(
        'unknown-image',
        isAmiId(tier.executorImage)
          ? `its AMI ${tier.executorImage} is not visible in this account/region, so its origin cannot be checked`
          : `its executorImage \`${tier.executorImage.slice(0, 60)}\` is not an AMI id`,
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
    result.updates.push({ ...tier, from: tier.executorImage, to: input.target });
  }
  return result;
}
