import type { Reply } from '../shared/reply.js';
import { gatherInventory } from './gather-inventory.js';
import { inventoryView } from './inventory-text.js';
import { type LifecycleDeps, lifecycleDeployment } from './lifecycle-deps.js';
import type { LifecyclePresenter } from './lifecycle-presenter.js';
import { planPrune } from './prune-plan.js';

/** `/ami images [deployment]`: every AMI of the deployment's bakes, what it costs, what uses it, the orphans. */
export function createShowImages(deps: LifecycleDeps & { presenter: LifecyclePresenter }) {
  return async function showImages(input: { deployment?: string }): Promise<Reply> {
    const deployment = lifecycleDeployment(deps.config, input.deployment);
    const inventory = await gatherInventory(deps, deployment);
    const plan = planPrune(inventory, deployment.retention);
    deps.metrics?.amis.set({ deployment: deployment.name }, inventory.amis.length);
    deps.metrics?.snapshotGib.set(
      { deployment: deployment.name },
      inventory.amis.reduce((s, a) => s + a.sizeGiB, 0) + inventory.orphanSnapshots.reduce((s, o) => s + o.sizeGiB, 0),
    );
    deps.metrics?.orphans.set(
      { deployment: deployment.name },
      inventory.amis.filter((a) => a.orphan).length + inventory.orphanSnapshots.length,
    );
    return deps.presenter.inventory(inventoryView(inventory, plan));
  };
}
