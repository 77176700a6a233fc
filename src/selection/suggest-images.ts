import { validateImageReference } from '../bake/image-reference.js';
import { MAX_IMAGES } from '../bake/start-bake.js';
import type { DeploymentConfig } from '../config.js';
import { errorCode, userText } from '../errors.js';
import type { ImageUsage, TierUsersPort } from '../ports/domino.js';
import type { ImageLayers, RegistryPort } from '../ports/registry.js';
import type { Logger } from '../shared/logger.js';
import { code, type Text, text } from '../shared/text.js';
import { chooseImages } from './choose-images.js';
import { type RootVolumeReader, resolveDiskBudget } from './disk-budget.js';
import type { ImageSuggestion, LeftOutSuggestion, SuggestionOutcome, UsageScope } from './image-suggestion.js';
import type { ServedTiers } from './served-tiers.js';

export interface SuggestImagesDeps {
  registry: RegistryPort;
  usage: TierUsersPort;
  /** The template's root volume, whose share is the disk budget unless one is configured. */
  ec2: RootVolumeReader;
  /** The tiers whose runs start on the AMI (served-tiers.ts); without it, every tier but the pinned ones counts. */
  servedTiers?: (deployment: DeploymentConfig) => Promise<ServedTiers>;
  logger: Logger;
}

const LOOKUP_CONCURRENCY = 4;
/** A registry that cannot answer: the suggestion would be built on missing facts, so the bake falls back. */
const OUTAGE_CODES = new Set(['registry_unreachable', 'registry_timeout']);

/** Usage on the tiers the standard AMI serves: runs on other tiers are not counted. */
function standardUsage(usage: ImageUsage[], isServed: (tier: string) => boolean): ImageUsage[] {
  return usage
    .map((u) => {
      const tiers = u.tiers.filter((t) => isServed(t.tier));
      const dropped = u.tiers.length - tiers.length;
      if (dropped === 0) return u;
      // Users per tier may overlap, so an image's users are capped by its total, never summed past it.
      const users = Math.min(
        u.users,
        tiers.reduce((sum, t) => sum + t.users, 0),
      );
      return { ...u, tiers, runs: tiers.reduce((sum, t) => sum + t.runs, 0), users };
    })
    .filter((u) => u.runs > 0);
}

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/**
 * The images to bake for one deployment: its base images, then the most used images of the window chosen under the
 * disk budget by seconds of pulling saved per week (choose-images.ts). Every reference is read from its registry;
 * an image that cannot be read is left out with the registry's reason, and a registry that cannot be reached at
 * all gives a fallback to the configured list, saying why.
 */
export async function suggestImages(
  deps: SuggestImagesDeps,
  deployment: DeploymentConfig,
  currentImages?: { imageId?: string; images: readonly string[] },
): Promise<SuggestionOutcome> {
  const selection = deployment.imageSelection;
  const fallback = (reason: ReturnType<typeof text>, errorCodeValue: string): SuggestionOutcome => ({
    kind: 'fallback',
    reason,
    code: errorCodeValue,
    images: deployment.images,
  });
  if (!deps.usage.imageUsage) {
    return fallback(
      text`No source of image usage is configured (domino.tierUsers.imageField names the runs' image field).`,
      'usage_unavailable',
    );
  }
  const scope = await usageScope(deps, deployment);
  let usage: ImageUsage[];
  try {
    usage = standardUsage(await deps.usage.imageUsage(selection.windowDays), scope.isServed);
  } catch (error) {
    deps.logger.warn({ err: error, deployment: deployment.name }, 'image selection: could not read the usage');
    return fallback(text`Could not read Domino's runs: ${userText(error)}`, errorCode(error));
  }
  // Before any manifest is read: without a budget there is nothing to choose under.
  const budget = await resolveDiskBudget(deps.ec2, deployment);
  if (!budget.ok) {
    deps.logger.warn({ deployment: deployment.name, code: budget.code }, 'image selection: no disk budget');
    return fallback(budget.reason, budget.code);
  }
  const totalRuns = usage.reduce((sum, u) => sum + u.runs, 0);
  const byRef = new Map(usage.map((u) => [u.image, u]));
  const baseSet = new Set(selection.baseImages);
  // A bake takes at most MAX_IMAGES references: never suggest more than it would accept.
  const optionalSlots = Math.max(0, Math.min(selection.maxCandidates, MAX_IMAGES - baseSet.size));
  const candidates = [
    ...baseSet,
    ...[...usage]
      .filter((u) => !baseSet.has(u.image))
      .sort((a, b) => b.runs - a.runs || a.image.localeCompare(b.image))
      .slice(0, optionalSlots)
      .map((u) => u.image),
  ];
  const read = await mapLimited(candidates, LOOKUP_CONCURRENCY, async (ref) => {
    try {
      return { ref, layers: await deps.registry.imageLayers(ref) };
    } catch (error) {
      return { ref, error };
    }
  });
  const outage = read.find((r) => 'error' in r && OUTAGE_CODES.has(errorCode(r.error)));
  if (outage && 'error' in outage) {
    deps.logger.warn({ err: outage.error, deployment: deployment.name }, 'image selection: registry unreachable');
    return fallback(
      text`${userText(outage.error)} The suggestion needs every image's layers.`,
      errorCode(outage.error),
    );
  }
  const unreadable: LeftOutSuggestion[] = read.flatMap((r) =>
    'error' in r
      ? [{ ref: r.ref, reason: 'not_readable' as const, runs: byRef.get(r.ref)?.runs ?? 0, detail: userText(r.error) }]
      : [],
  );
  const unreadableBase = unreadable.find((u) => baseSet.has(u.ref));
  if (unreadableBase) {
    return fallback(
      text`The base image ${code(unreadableBase.ref)} cannot be read from its registry: ${unreadableBase.detail ?? ''}`,
      'base_image_unreadable',
    );
  }
  const readable = read.filter((r): r is { ref: string; layers: ImageLayers } => 'layers' in r);
  const bandwidth = selection.bandwidthMBps * 1_000_000;
  const choice = chooseImages({
    images: readable.map((r) => ({
      ref: r.ref,
      layers: r.layers.layers,
      runsPerWeek: ((byRef.get(r.ref)?.runs ?? 0) * 7) / selection.windowDays,
      required: baseSet.has(r.ref),
    })),
    budgetBytes: budget.bytes,
    bandwidthBytesPerSecond: bandwidth,
  });
  const runsOf = (ref: string) => byRef.get(ref)?.runs ?? 0;
  const chosenRefs = choice.chosen.map((c) => c.ref);
  const suggestion: ImageSuggestion = {
    deployment: deployment.name,
    kind: deployment.kind,
    windowDays: selection.windowDays,
    budgetBytes: budget.bytes,
    budgetSource: budget.source,
    bandwidthBytesPerSecond: bandwidth,
    method: choice.method,
    chosen: choice.chosen.map((c) => ({
      ref: c.ref,
      base: c.required,
      runs: runsOf(c.ref),
      users: byRef.get(c.ref)?.users ?? 0,
      tiers: (byRef.get(c.ref)?.tiers ?? []).map((t) => {
        const label = scope.labels.get(t.tier);
        return { ...t, ...(label ? { label } : {}) };
      }),
      runShare: totalRuns === 0 ? 0 : runsOf(c.ref) / totalRuns,
      marginalBytes: c.marginalBytes,
      diskShare: budget.bytes === 0 ? 0 : c.marginalBytes / budget.bytes,
      marginalSecondsPerWeek: c.marginalSecondsPerWeek,
    })),
    leftOut: [
      ...choice.leftOut.map((l) => ({
        ref: l.ref,
        reason: l.reason,
        runs: runsOf(l.ref),
        marginalBytes: l.marginalBytes,
        marginalSecondsPerWeek: l.marginalSecondsPerWeek,
      })),
      ...unreadable,
    ],
    totalBytes: choice.totalBytes,
    secondsSavedPerWeek: choice.secondsSavedPerWeek,
    totalRuns,
    usageScope: scope.shown,
    ...(currentImages ? { diff: diffImages(currentImages, chosenRefs) } : {}),
  };
  deps.logger.info(
    { deployment: deployment.name, chosen: chosenRefs, totalBytes: choice.totalBytes, method: choice.method },
    'image selection: suggested',
  );
  return { kind: 'suggested', suggestion };
}

/**
 * Which tiers' runs count: those the AMI serves, as the rollout would classify them now; when that cannot be
 * read (Domino or EKS down), every tier but the pinned ones, and the suggestion says so.
 */
async function usageScope(
  deps: SuggestImagesDeps,
  deployment: DeploymentConfig,
): Promise<{ isServed: (tier: string) => boolean; shown: UsageScope; labels: ReadonlyMap<string, string> }> {
  const pinned = new Set(deployment.pinnedTiers);
  const allButPinned = (reason?: Text) => ({
    isServed: (tier: string) => !pinned.has(tier),
    shown: { kind: 'all-but-pinned' as const, ...(reason ? { reason } : {}) },
    labels: new Map<string, string>(),
  });
  if (!deps.servedTiers) return allButPinned();
  try {
    const served = await deps.servedTiers(deployment);
    const ids = new Set(served.tierIds);
    return {
      isServed: (tier) => ids.has(tier),
      labels: new Map(served.tierIds.map((id, i) => [id, served.labels[i] ?? id])),
      shown: { kind: 'served', tiers: served.labels, ...(served.pools ? { pools: served.pools } : {}) },
    };
  } catch (error) {
    deps.logger.warn({ err: error, deployment: deployment.name }, 'image selection: served tiers unknown');
    return allButPinned(userText(error));
  }
}

/** Compared in Docker's canonical form (`ubuntu` is `docker.io/library/ubuntu:latest`); shown as written. */
function diffImages(current: { imageId?: string; images: readonly string[] }, chosen: readonly string[]) {
  const key = (ref: string) => {
    const checked = validateImageReference(ref);
    return checked.ok ? checked.ref.normalized : ref;
  };
  const now = new Set(current.images.map(key));
  const next = new Set(chosen.map(key));
  return {
    ...(current.imageId ? { currentImageId: current.imageId } : {}),
    added: chosen.filter((ref) => !now.has(key(ref))),
    removed: current.images.filter((ref) => !next.has(key(ref))),
    kept: chosen.filter((ref) => now.has(key(ref))),
  };
}
