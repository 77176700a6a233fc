import type { BakeRecord } from '../bake/bake-record.js';
import { validateImageReference } from '../bake/image-reference.js';
import type { Config, DeploymentConfig } from '../config.js';
import { userMessage } from '../errors.js';
import type { Clock } from '../ports/clock.js';
import type { DominoTiersPort, TierUsersPort } from '../ports/domino.js';
import type { Ec2Port, ImageInfo } from '../ports/ec2.js';
import type { StateStore } from '../ports/state-store.js';
import type { SuggestionOutcome } from '../selection/image-suggestion.js';
import type { Logger } from '../shared/logger.js';
import { plainText } from '../shared/text.js';
import {
  type AmiInventorySummary,
  type BakeSummary,
  type EnvironmentLine,
  type LastAmiTest,
  mainStandardAmi,
  type ReviewReport,
  type ReviewTarget,
  type TierAmiLine,
  targetLine,
  tierLine,
} from './review-report.js';

/** Where a review's facts come from. Tiers, tier users and test results are optional: the report says so. */
export interface ReportSources {
  config: Config;
  store: StateStore;
  ec2: Ec2Port;
  clock: Clock;
  logger: Logger;
  tiers?: DominoTiersPort;
  /**
   * An `eks-node-groups` deployment's node groups with the AMI each launches now (the rollout-target port's list):
   * what its review lists by AMI, as Domino's tiers are for a `hardware-tiers` one. Absent: no EKS access.
   */
  targets?: (deployment: DeploymentConfig) => Promise<readonly ReviewTarget[]>;
  tierUsers?: TierUsersPort;
  /** The image selection (src/selection): what `/ami bake --images auto` would bake now. */
  suggestImages?: (deployment: DeploymentConfig) => Promise<SuggestionOutcome>;
  /** The rollout flow's newest test of this deployment (issue 4); absent → "no test recorded". */
  lastAmiTest?: (deployment: string) => Promise<LastAmiTest | undefined>;
  /** The AMI lifecycle's inventory of the deployment (issue 16): the review's "0 orphans" line. */
  amiInventory?: (deployment: DeploymentConfig) => Promise<AmiInventorySummary>;
}

const MAX_ENVIRONMENTS = 60;
const DESCRIBE_CHUNK = 100;

export function summarizeBake(bake: BakeRecord): BakeSummary {
  return {
    id: bake._id,
    status: bake.status,
    requester: bake.requester,
    createdAt: bake.createdAt,
    ...(bake.endedAt ? { endedAt: bake.endedAt } : {}),
    ...(bake.facts.imageId ? { imageId: bake.facts.imageId } : {}),
    ...(bake.facts.imageName ? { imageName: bake.facts.imageName } : {}),
    images: bake.images,
  };
}

const normalized = (ref: string) => {
  const checked = validateImageReference(ref);
  return checked.ok ? checked.ref.normalized : ref;
};

async function describeAll(ec2: Ec2Port, ids: string[]): Promise<Map<string, ImageInfo>> {
  const found = new Map<string, ImageInfo>();
  for (let i = 0; i < ids.length; i += DESCRIBE_CHUNK) {
    for (const image of await ec2.describeImages(ids.slice(i, i + DESCRIBE_CHUNK))) found.set(image.id, image);
  }
  return found;
}

async function tierLines(sources: ReportSources, deployment: DeploymentConfig, now: Date) {
  // On EKS the AMIs are the node groups' (their launch templates'): Domino's tiers there carry no executorImage.
  if (deployment.kind === 'eks-node-groups') return nodegroupLines(sources, deployment, now);
  if (!sources.tiers) return { tiersNote: "Domino's hardware tiers are not configured (MONGODB_URI)." };
  try {
    const tiers = await sources.tiers.listTiers();
    const images = await describeAll(sources.ec2, [...new Set(tiers.map((t) => t.executorImage).filter(Boolean))]);
    const lines = tiers.map((t) =>
      tierLine(t, images.get(t.executorImage), deployment.name, deployment.pinnedTiers, now),
    );
    return { tiers: lines };
  } catch (error) {
    sources.logger.warn({ err: error, deployment: deployment.name }, 'review: could not read the tiers');
    return { tiersNote: `Could not read the hardware tiers: ${userMessage(error)}` };
  }
}

async function nodegroupLines(sources: ReportSources, deployment: DeploymentConfig, now: Date) {
  if (!sources.targets) return { tiersNote: 'EKS node groups are not configured (no EKS access for ami-bot).' };
  try {
    const targets = await sources.targets(deployment);
    const images = await describeAll(sources.ec2, [...new Set(targets.map((t) => t.ami).filter(Boolean))]);
    const lines = targets.map((t) => targetLine(t, images.get(t.ami), deployment.name, deployment.pinnedTiers, now));
    return { tiers: lines };
  } catch (error) {
    sources.logger.warn({ err: error, deployment: deployment.name }, 'review: could not read the node groups');
    return { tiersNote: `Could not read the EKS node groups: ${userMessage(error)}` };
  }
}

async function environments(sources: ReportSources, cacheBake: BakeSummary | undefined, deployment: string) {
  const inUse = sources.tierUsers?.environmentsInUse;
  if (!sources.tierUsers || !inUse) return { environmentsNote: 'No source of environments in use is configured.' };
  try {
    const cached = cacheBake ? new Set(cacheBake.images.map(normalized)) : undefined;
    const lines: EnvironmentLine[] = (await inUse.call(sources.tierUsers))
      .sort((a, b) => b.runs - a.runs)
      .slice(0, MAX_ENVIRONMENTS)
      .map((use) => ({
        environment: use.environment,
        ...(use.image ? { image: use.image } : {}),
        runs: use.runs,
        ...(cached && use.image ? { cached: cached.has(normalized(use.image)) } : {}),
      }));
    return { environments: lines };
  } catch (error) {
    sources.logger.warn({ err: error, deployment }, 'review: could not read the environments in use');
    return { environmentsNote: `Could not read the environments in use: ${userMessage(error)}` };
  }
}

async function suggested(sources: ReportSources, deployment: DeploymentConfig) {
  if (!sources.suggestImages) return {};
  try {
    const outcome = await sources.suggestImages(deployment);
    return outcome.kind === 'suggested'
      ? { suggestedImages: outcome.suggestion }
      : { suggestedImagesNote: `No image suggestion: ${plainText(outcome.reason)}` };
  } catch (error) {
    sources.logger.warn({ err: error, deployment: deployment.name }, 'review: could not suggest images');
    return { suggestedImagesNote: `No image suggestion: ${userMessage(error)}` };
  }
}

async function lastTest(sources: ReportSources, deployment: string): Promise<LastAmiTest | undefined> {
  try {
    return await sources.lastAmiTest?.(deployment);
  } catch (error) {
    sources.logger.warn({ err: error, deployment }, 'review: could not read the last AMI test');
    return undefined;
  }
}

async function inventory(sources: ReportSources, deployment: DeploymentConfig) {
  if (!sources.amiInventory) return {};
  try {
    return { inventory: await sources.amiInventory(deployment) };
  } catch (error) {
    sources.logger.warn({ err: error, deployment: deployment.name }, 'review: could not read the AMI inventory');
    return { inventoryNote: `Could not read the AMI inventory: ${userMessage(error)}` };
  }
}

/** Every fact of one deployment's review; partial sources give a partial report, never an error. */
export async function gatherReport(sources: ReportSources, deployment: DeploymentConfig): Promise<ReviewReport> {
  const now = sources.clock.now();
  const timeZone = deployment.review.timeZone ?? sources.config.timeZone;
  const tiers: { tiers?: TierAmiLine[]; tiersNote?: string } = await tierLines(sources, deployment, now);
  const bakes = await sources.store.bakes.listRecent(25, deployment.name);
  const succeeded = bakes.filter((bake) => bake.status === 'succeeded' && bake.facts.imageId);
  const mainAmi = tiers.tiers ? mainStandardAmi(tiers.tiers) : undefined;
  const cacheSource = succeeded.find((bake) => bake.facts.imageId === mainAmi) ?? succeeded[0];
  const cacheBake = cacheSource ? summarizeBake(cacheSource) : undefined;
  const test = await lastTest(sources, deployment.name);
  return {
    deployment: deployment.name,
    kind: deployment.kind,
    timeZone,
    generatedAt: now,
    ...tiers,
    ...(bakes[0] ? { latestBake: summarizeBake(bakes[0]) } : {}),
    ...(cacheBake ? { cacheBake } : {}),
    ...(test ? { lastTest: test } : {}),
    ...(await environments(sources, cacheBake, deployment.name)),
    bakeImages: deployment.images,
    ...(await suggested(sources, deployment)),
    ...(await inventory(sources, deployment)),
  };
}
