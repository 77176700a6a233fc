import { isPipelineAmiName } from '../bake/ami-name.js';
import { isPipelineImageByTags } from '../bake/image-tags.js';
import type { DeploymentKind } from '../config.js';
import type { TierRecord } from '../ports/domino.js';
import type { ImageInfo } from '../ports/ec2.js';
import type { ImageSuggestion } from '../selection/image-suggestion.js';

/**
 * The facts a review shows, gathered once when it is opened and stored with it, so the message can be
 * re-rendered (reviewed, superseded, …) without asking AWS and Domino again.
 */

export type TierKind = 'standard' | 'special';

/** One rollout target of the report (a hardware tier, or a node group on EKS) and its AMI. */
export interface TierAmiLine {
  /** The tier's id, or the node group's name. */
  tierId: string;
  label: string;
  amiId: string;
  amiName?: string;
  amiCreatedAt?: Date;
  ageDays?: number;
  kind: TierKind;
  /** Why it is standard or special, in a few words. */
  why: string;
}

export interface BakeSummary {
  id: string;
  status: string;
  requester: string;
  createdAt: Date;
  endedAt?: Date;
  imageId?: string;
  imageName?: string;
  images: string[];
}

/** The newest AMI test the rollout flow recorded (optional dependency: absent → "no test recorded"). */
export interface LastAmiTest {
  id: string;
  amiId: string;
  tierLabel?: string;
  at: Date;
  status: string;
  pullingSeconds?: number;
  /** From the start request until Running: includes lazy EBS loading, which "cached" does not remove. */
  startSeconds?: number;
}

export interface EnvironmentLine {
  environment: string;
  image?: string;
  runs: number;
  /** Whether the AMI's baked images include it; undefined when that is not known. */
  cached?: boolean;
}

/** The AMI lifecycle's inventory in numbers (issue 16): what the bakes left, what the policy would retire. */
export interface AmiInventorySummary {
  amis: number;
  snapshotGiB: number;
  /** An estimate: GiB x the configured price per GB-month. */
  monthlyCostUsd: number;
  /** AMIs the retention policy would retire now (`/ami prune`). */
  retirable: number;
  orphanImages: number;
  orphanSnapshots: number;
}

export interface ReviewReport {
  deployment: string;
  /**
   * The deployment's kind when the report was gathered: what `tiers` lists and what its messages call things
   * (hardware tiers and executors, or EKS node groups and nodes). Absent in reviews stored before it: tiers.
   */
  kind?: DeploymentKind;
  timeZone: string;
  generatedAt: Date;
  /**
   * The deployment's rollout targets by AMI: Domino's hardware tiers, or an EKS deployment's node groups. Undefined
   * when their source is not configured (or it failed: see `tiersNote`).
   */
  tiers?: TierAmiLine[];
  tiersNote?: string;
  latestBake?: BakeSummary;
  /** The bake whose images the standard tiers' AMI holds (their AMI's bake, else the latest successful one). */
  cacheBake?: BakeSummary;
  lastTest?: LastAmiTest;
  environments?: EnvironmentLine[];
  environmentsNote?: string;
  /** The deployment's configured bake images (what "Start bake" bakes). */
  bakeImages: string[];
  /** What `/ami bake --images auto` would bake now (src/selection); absent when not configured or it fell back. */
  suggestedImages?: ImageSuggestion;
  suggestedImagesNote?: string;
  /** The AMI lifecycle's inventory (absent in reviews stored before it, or when it could not be read). */
  inventory?: AmiInventorySummary;
  inventoryNote?: string;
}

const DAY_MS = 86_400_000;

export function ageInDays(createdAt: Date | undefined, now: Date): number | undefined {
  return createdAt ? Math.max(0, Math.floor((now.getTime() - createdAt.getTime()) / DAY_MS)) : undefined;
}

/**
 * A rollout target as the review reads it: a hardware tier, or a node group as the rollout-target port lists it
 * (`special` says why a node group is never changed, whatever its AMI: no launch template, an EKS-managed AMI).
 */
export interface ReviewTarget {
  id: string;
  label: string;
  /** The AMI it launches ('' when it names none). */
  ami: string;
  special?: string;
}

/** Standard = made by this pipeline (seed's name or our tags) and not pinned; anything else is special. */
export function classifyTier(
  tier: Pick<ReviewTarget, 'id' | 'label' | 'special'>,
  image: ImageInfo | undefined,
  deployment: string,
  pinned: readonly string[],
): { kind: TierKind; why: string } {
  if (pinned.includes(tier.id) || pinned.includes(tier.label)) return { kind: 'special', why: 'pinned in config' };
  if (tier.special !== undefined) return { kind: 'special', why: tier.special };
  if (!image) return { kind: 'special', why: 'AMI not found in this account/region' };
  if (isPipelineAmiName(deployment, image.name)) return { kind: 'standard', why: 'pipeline AMI name' };
  if (isPipelineImageByTags(image.tags, deployment)) return { kind: 'standard', why: 'ami-bot tags' };
  return { kind: 'special', why: 'custom AMI' };
}

export function tierLine(
  tier: TierRecord,
  image: ImageInfo | undefined,
  deployment: string,
  pinned: readonly string[],
  now: Date,
): TierAmiLine {
  return targetLine({ id: tier.id, label: tier.label, ami: tier.executorImage }, image, deployment, pinned, now);
}

/** A tier's or a node group's line: its AMI, how old, and whether a new bake replaces it. */
export function targetLine(
  target: ReviewTarget,
  image: ImageInfo | undefined,
  deployment: string,
  pinned: readonly string[],
  now: Date,
): TierAmiLine {
  const { kind, why } = classifyTier(target, image, deployment, pinned);
  const age = ageInDays(image?.creationDate, now);
  return {
    tierId: target.id,
    label: target.label,
    amiId: target.ami,
    ...(image?.name ? { amiName: image.name } : {}),
    ...(image?.creationDate ? { amiCreatedAt: image.creationDate } : {}),
    ...(age === undefined ? {} : { ageDays: age }),
    kind,
    why,
  };
}

/** The AMI most standard tiers run: the one whose cache matters for most users. */
export function mainStandardAmi(tiers: readonly TierAmiLine[]): string | undefined {
  const counts = new Map<string, number>();
  for (const tier of tiers) if (tier.kind === 'standard') counts.set(tier.amiId, (counts.get(tier.amiId) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}
