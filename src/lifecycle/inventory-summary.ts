import type { DeploymentConfig } from '../config.js';
import type { AmiInventorySummary } from '../review/review-report.js';
import { monthlyCostEstimate, totalGiB } from './ami-inventory.js';
import { gatherInventory } from './gather-inventory.js';
import type { LifecycleDeps } from './lifecycle-deps.js';
import { planPrune } from './prune-plan.js';

/** The inventory in numbers, for the quarterly review (and its "0 orphans" line): read now, changes nothing. */
export async function inventorySummary(
  deps: LifecycleDeps,
  deployment: DeploymentConfig,
): Promise<AmiInventorySummary> {
  const inventory = await gatherInventory(deps, deployment);
  const plan = planPrune(inventory, deployment.retention);
  const gib = totalGiB(inventory);
  return {
    amis: inventory.amis.length,
    snapshotGiB: gib,
    monthlyCostUsd: monthlyCostEstimate(gib, inventory.pricePerGbMonth),
    retirable: plan.retire.length,
    orphanImages: inventory.amis.filter((a) => a.orphan).length,
    orphanSnapshots: inventory.orphanSnapshots.length,
  };
}
