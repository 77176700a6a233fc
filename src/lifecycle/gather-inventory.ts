import type { BakeRecord } from '../bake/bake-record.js';
import { BAKE_ID_TAG, CREATED_BY_TAG, CREATED_BY_VALUE, DEPLOYMENT_TAG } from '../bake/image-tags.js';
import type { DeploymentConfig } from '../config.js';
import { OPEN_STATUSES } from '../rollout/change-record.js';
import { deploymentExecutorTags, templatePatternFor } from '../shared/deployment-scope.js';
import { buildInventory, type Inventory } from './ami-inventory.js';
import { collectReferences } from './ami-references.js';
import type { LifecycleDeps } from './lifecycle-deps.js';

/** The tags every image and snapshot of this deployment's bakes carries: the inventory's scope. */
export function deploymentImageTags(deployment: Pick<DeploymentConfig, 'name'>): Record<string, string> {
  return { [CREATED_BY_TAG]: CREATED_BY_VALUE, [DEPLOYMENT_TAG]: deployment.name };
}

/**
 * Reads, now, everything the inventory and the prune plan judge by: this deployment's tagged images and
 * snapshots, and every reference (tiers, executors and the template, open and recent changes, running tests).
 * The apply calls it again before it acts, so a reference that appeared after the plan still keeps its AMI.
 */
export async function gatherInventory(deps: LifecycleDeps, deployment: DeploymentConfig): Promise<Inventory> {
  const tags = deploymentImageTags(deployment);
  const [images, snapshots, tiers, executors, templates, open, recent, tests] = await Promise.all([
    deps.ec2.listImagesByTags(tags),
    deps.ec2.listSnapshotsByTags(tags),
    deps.tiers.listTiers(),
    deps.ec2.findInstancesByTags(deploymentExecutorTags(deployment)),
    deps.ec2.findInstancesByNamePattern(templatePatternFor(deployment)),
    deps.store.changes.listOpen(),
    deps.store.changes.listRecent(deployment.retention.recentChanges, deployment.name),
    deps.store.amiTests.listRecent(50, deployment.name),
  ]);
  const changes = [
    ...recent,
    ...open.filter((c) => c.deployment === deployment.name && OPEN_STATUSES.includes(c.status)),
  ];
  const references = collectReferences({
    tiers,
    executors: [...executors, ...templates],
    changes,
    tests: tests.filter((t) => t.status === 'running'),
  });
  const live = images.filter((i) => i.state !== 'deregistered');
  const bakes = await bakesOf(
    deps,
    live.map((i) => i.tags[BAKE_ID_TAG]),
  );
  // A snapshot whose image is not among the tagged ones is an orphan only if EC2 confirms the image is gone.
  const listed = new Set(live.map((i) => i.id));
  const elsewhere = [...new Set(snapshots.flatMap((s) => s.createdForImageId ?? []))].filter((id) => !listed.has(id));
  const liveImageIds = new Set(
    (await deps.ec2.describeImages(elsewhere)).filter((i) => i.state !== 'deregistered').map((i) => i.id),
  );
  return buildInventory({
    deployment: deployment.name,
    at: deps.clock.now(),
    pricePerGbMonth: deployment.retention.pricePerGbMonth,
    images: live,
    snapshots,
    references,
    bakes,
    liveImageIds,
  });
}

async function bakesOf(deps: LifecycleDeps, ids: Array<string | undefined>): Promise<Map<string, BakeRecord>> {
  const unique = [...new Set(ids.filter((id): id is string => Boolean(id)))];
  const found = await Promise.all(unique.map((id) => deps.store.bakes.get(id)));
  return new Map(found.flatMap((bake) => (bake ? [[bake._id, bake] as const] : [])));
}
