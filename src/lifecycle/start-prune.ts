import { gatherInventory } from './gather-inventory.js';
import { type LifecycleDeps, lifecycleDeployment } from './lifecycle-deps.js';
import { planPrune } from './prune-plan.js';
import { newPruneId, type PruneRecord } from './prune-record.js';

const HOUR_MS = 60 * 60 * 1000;

/**
 * `/ami prune [deployment]`: reads the inventory now, plans by the deployment's retention policy, and stores the
 * plan as a prune record awaiting approval (the first write; nothing in EC2 is touched until it is approved).
 */
export async function startPrune(
  deps: LifecycleDeps,
  input: { deployment?: string; requester: string },
): Promise<PruneRecord> {
  const deployment = lifecycleDeployment(deps.config, input.deployment);
  const inventory = await gatherInventory(deps, deployment);
  const plan = planPrune(inventory, deployment.retention);
  const now = deps.clock.now();
  const record: PruneRecord = {
    _id: newPruneId(now),
    deployment: deployment.name,
    requester: input.requester,
    createdAt: now,
    deadline: new Date(now.getTime() + deps.config.approvalTtlHours * HOUR_MS),
    plan,
    outcomes: {},
  };
  // A fresh random id collides only by chance: one retry with another.
  if (!(await deps.store.prunes.insert(record))) {
    record._id = newPruneId(now);
    await deps.store.prunes.insert(record);
  }
  deps.logger.info(
    {
      pruneId: record._id,
      deployment: deployment.name,
      retire: plan.retire.length,
      orphans: plan.orphanSnapshots.length,
    },
    'prune planned',
  );
  return record;
}
