import type { DeploymentConfig } from '../config.js';
import type { DominoTiersPort } from '../ports/domino.js';
import type { Ec2Port } from '../ports/ec2.js';
import type { StateStore } from '../ports/state-store.js';
import { mainStandardAmi, tierLine } from '../review/review-report.js';

export interface CurrentImagesDeps {
  tiers?: DominoTiersPort;
  ec2: Ec2Port;
  store: StateStore;
}

/**
 * The AMI most standard tiers run now (as the review finds it) and the images its bake pulled, for the diff of a
 * suggestion; undefined when the tiers cannot be read or that AMI was not baked by this bot.
 */
export async function currentAmiImages(
  deps: CurrentImagesDeps,
  deployment: DeploymentConfig,
  now: Date,
): Promise<{ imageId: string; images: string[] } | undefined> {
  if (!deps.tiers) return undefined;
  const tiers = await deps.tiers.listTiers();
  const ids = [...new Set(tiers.map((t) => t.executorImage).filter(Boolean))].slice(0, 100);
  const images = new Map((await deps.ec2.describeImages(ids)).map((image) => [image.id, image]));
  const main = mainStandardAmi(
    tiers.map((t) => tierLine(t, images.get(t.executorImage), deployment.name, deployment.pinnedTiers, now)),
  );
  if (!main) return undefined;
  const bakes = await deps.store.bakes.listRecent(25, deployment.name);
  const bake = bakes.find((b) => b.status === 'succeeded' && b.facts.imageId === main);
  return bake ? { imageId: main, images: [...bake.images] } : undefined;
}
