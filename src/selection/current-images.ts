import type { DeploymentConfig } from '../config.js';
import type { StateStore } from '../ports/state-store.js';
import { type ServedTiersDeps, standardMoves } from './served-tiers.js';

export type CurrentImagesDeps = ServedTiersDeps & { store: Pick<StateStore, 'bakes'> };

/**
 * The AMI most standard targets (hardware tiers, or EKS node groups) run now, as a rollout would classify them,
 * and the images its bake pulled, for the diff of a suggestion; undefined when no standard target runs one or
 * that AMI was not baked by this bot.
 */
export async function currentAmiImages(
  deps: CurrentImagesDeps,
  deployment: DeploymentConfig,
): Promise<{ imageId: string; images: string[] } | undefined> {
  const { updates } = await standardMoves(deps, deployment);
  const counts = new Map<string, number>();
  for (const update of updates) counts.set(update.from, (counts.get(update.from) ?? 0) + 1);
  // Most targets first; a tie goes to the id that sorts first, so the same world gives the same diff.
  const main = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
  if (!main) return undefined;
  const bakes = await deps.store.bakes.listRecent(25, deployment.name);
  const bake = bakes.find((b) => b.status === 'succeeded' && b.facts.imageId === main);
  return bake ? { imageId: main, images: [...bake.images] } : undefined;
}
