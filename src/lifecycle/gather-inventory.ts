import type { BakeRecord } from '../bake/bake-record.js';
import { BAKE_ID_TAG, CREATED_BY_TAG, CREATED_BY_VALUE, DEPLOYMENT_TAG } from '../bake/image-tags.js';
import type { DeploymentConfig } from '../config.js';
import { type ChangeRecord, OPEN_STATUSES } from '../rollout/change-record.js';
import type { RolloutTargetPort } from '../rollout/rollout-target.js';
import { targetsFor } from '../rollout/targets/targets-for.js';
import { unconfiguredDominoApi } from '../rollout/unconfigured-ports.js';
import { templatePatternFor } from '../shared/deployment-scope.js';
import { buildInventory, type Inventory } from './ami-inventory.js';
import { collectReferences, recordedGuards } from './ami-references.js';
import type { LifecycleDeps } from './lifecycle-deps.js';

/** The tags every image and snapshot of this deployment's bakes carries: the inventory's scope. */
export function deploymentImageTags(deployment: Pick<DeploymentConfig, 'name'>): Record<string, string> {
  return { [CREATED_BY_TAG]: CREATED_BY_VALUE, [DEPLOYMENT_TAG]: deployment.name };
}

/**
 * Reads, now, everything the inventory and the prune plan judge by: this deployment's tagged images and
 * snapshots, and every reference (the rollout targets' current AMIs — tiers or EKS node groups, through the
 * rollout-target port —, their executors or nodes and the template, open and recent changes with the AMIs of the
 * launch template versions they recorded, running tests). The apply calls it again before it acts, so a reference
 * that appeared after the plan still keeps its AMI.
 */
export async function gatherInventory(deps: LifecycleDeps, deployment: DeploymentConfig): Promise<Inventory> {
  const tags = deploymentImageTags(deployment);
  // Listing targets reads no running work: Domino's API is needed only when the bot was given it.
  const port = targetsFor({ ...deps, domino: deps.domino ?? unconfiguredDominoApi() }, deployment.name);
  const [images, snapshots, targets, executors, templates, open, recent, tests] = await Promise.all([
    deps.ec2.listImagesByTags(tags),
    deps.ec2.listSnapshotsByTags(tags),
    port.list(),
    deps.ec2.findInstancesByTags(port.instanceScope().allTags),
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
    targets,
    executors: [...executors, ...templates],
    changes,
    tests: tests.filter((t) => t.status === 'running'),
    guardAmis: await guardAmis(port, changes),
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

/** The AMI of every launch template version (or other guard) the changes recorded, each read once. */
async function guardAmis(port: RolloutTargetPort, changes: readonly ChangeRecord[]): Promise<Map<string, string>> {
  const guards = [...new Set(changes.flatMap(recordedGuards))];
  const amis = await Promise.all(guards.map((guard) => port.amiOfGuard(guard)));
  return new Map(guards.flatMap((guard, i) => (amis[i] ? [[guard, amis[i]] as const] : [])));
}

async function bakesOf(deps: LifecycleDeps, ids: Array<string | undefined>): Promise<Map<string, BakeRecord>> {
  const unique = [...new Set(ids.filter((id): id is string => Boolean(id)))];
  const found = await Promise.all(unique.map((id) => deps.store.bakes.get(id)));
  return new Map(found.flatMap((bake) => (bake ? [[bake._id, bake] as const] : [])));
}
