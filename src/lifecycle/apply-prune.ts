import { randomUUID } from 'node:crypto';
import { AppError, isAppError } from '../errors.js';
import { DEREGISTRATION_COOLDOWN_MS } from '../ports/ec2.js';
import { text } from '../shared/text.js';
import type { Inventory } from './ami-inventory.js';
import { isTargetReference } from './ami-references.js';
import { gatherInventory } from './gather-inventory.js';
import { type LifecycleDeps, lifecycleDeployment } from './lifecycle-deps.js';
import type { PlannedRetirement, PrunePlan } from './prune-plan.js';
import {
  isFinalOutcome,
  isPruneId,
  itemKey,
  type PruneOutcome,
  type PruneRecord,
  plannedItems,
  pruneStatus,
} from './prune-record.js';

export interface PruneReport {
  record: PruneRecord;
  /** Every planned item with its outcome so far, in apply order. */
  items: Array<{ key: string; outcome?: PruneOutcome }>;
  /** True once every item has a final outcome (then `record.result` is set). */
  done: boolean;
}

/**
 * Applies an approved prune, crash-safe and resumable: each planned item is re-checked against an inventory read
 * now (a reference that appeared since the plan keeps the AMI), acted on, and its outcome checkpointed before the
 * next one; items with a final outcome are never redone, so a second run after a crash touches only what is left.
 * Nothing outside the plan is ever touched: the plan's ids are the only ids this passes to EC2.
 */
export async function applyPrune(deps: LifecycleDeps, pruneId: string): Promise<PruneReport> {
  if (!isPruneId(pruneId)) throw new AppError('bad_prune_id', text`${pruneId} is not a prune id.`);
  const record = await deps.store.prunes.get(pruneId);
  if (!record) throw new AppError('unknown_prune', text`No prune ${pruneId} is recorded.`);
  const status = pruneStatus(record);
  if (status === 'pending' || status === 'rejected' || status === 'expired')
    throw new AppError('prune_not_approved', text`Prune ${pruneId} is ${status}, not approved: nothing was changed.`);
  if (record.result) return report(record);
  // Read again under the lock: another apply may have moved on since.
  const current = await withApplyLock(deps, pruneId, async () => {
    const fresh = (await deps.store.prunes.get(pruneId)) ?? record;
    if (!fresh.result) await applyItems(deps, fresh);
    return fresh;
  });
  return report(current);
}

/** A lock older than this is a crashed apply's: the next apply takes it over (every step is idempotent). */
const STALE_APPLY_MS = 10 * 60_000;

/**
 * One apply of a prune at a time (a resume while the approval's apply still runs): both would be safe, since
 * every step is idempotent, but the per-item report would then say "absent" for what the other one retired.
 */
async function withApplyLock<T>(deps: LifecycleDeps, pruneId: string, work: () => Promise<T>): Promise<T> {
  const key = `prune-apply:${pruneId}`;
  const holder = `apply-${randomUUID()}`;
  const now = deps.clock.now();
  if ((await deps.store.locks.acquire(key, holder, now)) !== undefined) {
    const lock = await deps.store.locks.describe(key);
    if (lock && now.getTime() - lock.at.getTime() < STALE_APPLY_MS)
      throw new AppError('prune_in_progress', text`Prune ${pruneId} is being applied right now; its report follows.`);
    if (lock) await deps.store.locks.release(key, lock.holder);
    if ((await deps.store.locks.acquire(key, holder, now)) !== undefined)
      throw new AppError('prune_in_progress', text`Prune ${pruneId} is being applied right now; its report follows.`);
  }
  try {
    return await work();
  } finally {
    await deps.store.locks.release(key, holder);
  }
}

async function applyItems(deps: LifecycleDeps, record: PruneRecord): Promise<void> {
  const deployment = lifecycleDeployment(deps.config, record.deployment);
  const now = await gatherInventory(deps, deployment);
  const act = async (key: string, run: () => Promise<PruneOutcome>) => {
    if (isFinalOutcome(record.outcomes[key])) return;
    const outcome = await run().catch((error: unknown) => failed(deps, error));
    await deps.store.prunes.recordOutcome(record._id, key, outcome);
    record.outcomes[key] = outcome;
    deps.logger.info({ pruneId: record._id, item: key, outcome: outcome.kind }, 'prune item');
  };
  for (const planned of record.plan.retire)
    await act(itemKey.retire(planned.imageId), () => retire(deps, now, planned));
  for (const snapshot of record.plan.orphanSnapshots)
    await act(itemKey.snapshot(snapshot.id), () => deleteOrphanSnapshot(deps, now, snapshot.id));
  for (const planned of record.plan.deprecate)
    await act(itemKey.deprecate(planned.imageId), () => deprecate(deps, now, planned));
  await finishIfDone(deps, record);
}

async function retire(deps: LifecycleDeps, now: Inventory, planned: PlannedRetirement): Promise<PruneOutcome> {
  const at = deps.clock.now();
  const current = now.amis.find((a) => a.id === planned.imageId);
  if (current && current.references.length > 0)
    return { kind: 'kept', at, why: `still referenced: ${current.references.map(describeReference).join(', ')}` };
  if (current && (current.state === 'pending' || current.state === 'transient'))
    return { kind: 'kept', at, why: `it is ${current.state} again` };
  if (current?.protection.state === 'on') {
    // Not referenced any more (checked just above): lift the protection ami-bot put on it while it was in use.
    await deps.ec2.disableDeregistrationProtection(planned.imageId);
    if (current.protection.cooldown)
      return {
        kind: 'waiting',
        at,
        until: new Date(at.getTime() + DEREGISTRATION_COOLDOWN_MS),
        why: 'deregistration protection cooling down',
      };
  }
  if (current?.protection.state === 'cooling-down')
    return {
      kind: 'waiting',
      at,
      ...(current.protection.until ? { until: current.protection.until } : {}),
      why: 'deregistration protection cooling down',
    };
  if (!current && (await deps.ec2.describeImages([planned.imageId])).some((i) => i.state !== 'deregistered'))
    return { kind: 'kept', at, why: "it no longer carries this deployment's tags" };
  // Absent from the inventory: already deregistered (a crash after EC2 acted); deregisterImage still removes the
  // snapshots CreateImage made for it.
  const result = await deps.ec2.deregisterImage(planned.imageId);
  return { kind: 'retired', at, image: result.image, snapshots: result.snapshots };
}

async function deleteOrphanSnapshot(deps: LifecycleDeps, now: Inventory, snapshotId: string): Promise<PruneOutcome> {
  const at = deps.clock.now();
  if (now.amis.some((a) => a.snapshotIds.includes(snapshotId)))
    return { kind: 'kept', at, why: 'an image of this deployment uses it' };
  // No longer among this deployment's tagged snapshots: deleted already (a crash after EC2 acted), or not ours to
  // delete any more. Either way nothing is sent to EC2.
  if (!now.orphanSnapshots.some((s) => s.id === snapshotId)) return { kind: 'snapshot', at, outcome: 'absent' };
  return { kind: 'snapshot', at, outcome: await deps.ec2.deleteSnapshot(snapshotId) };
}

async function deprecate(
  deps: LifecycleDeps,
  now: Inventory,
  planned: PrunePlan['deprecate'][number],
): Promise<PruneOutcome> {
  const at = deps.clock.now();
  const current = now.amis.find((a) => a.id === planned.imageId);
  if (!current) return { kind: 'kept', at, why: 'the image is gone' };
  if (current.references.some(isTargetReference))
    return { kind: 'kept', at, why: 'a tier or node group uses it again' };
  if (current.deprecationTime) return { kind: 'deprecated', at, deprecateAt: current.deprecationTime };
  await deps.ec2.enableImageDeprecation(planned.imageId, planned.at);
  return { kind: 'deprecated', at, deprecateAt: planned.at };
}

function failed(deps: LifecycleDeps, error: unknown): PruneOutcome {
  const message = isAppError(error) ? error.message : String(error);
  deps.logger.warn({ err: error }, 'prune item failed');
  return { kind: 'failed', at: deps.clock.now(), error: message };
}

async function finishIfDone(deps: LifecycleDeps, record: PruneRecord): Promise<void> {
  const outcomes = plannedItems(record.plan).map((key) => record.outcomes[key]);
  if (!outcomes.every(isFinalOutcome)) return;
  const result = {
    at: deps.clock.now(),
    retired: outcomes.filter((o) => o?.kind === 'retired').length,
    kept: outcomes.filter((o) => o?.kind === 'kept').length,
    snapshotsDeleted: outcomes.reduce(
      (n, o) =>
        n +
        (o?.kind === 'retired' ? o.snapshots.filter((s) => s.outcome === 'deleted').length : 0) +
        (o?.kind === 'snapshot' && o.outcome === 'deleted' ? 1 : 0),
      0,
    ),
  };
  if (await deps.store.prunes.finish(record._id, result)) record.result = result;
  else record.result = (await deps.store.prunes.get(record._id))?.result ?? result;
}

function report(record: PruneRecord): PruneReport {
  const items = plannedItems(record.plan).map((key) => ({
    key,
    ...(record.outcomes[key] ? { outcome: record.outcomes[key] } : {}),
  }));
  return { record, items, done: record.result !== undefined };
}

function describeReference(reference: Inventory['amis'][number]['references'][number]): string {
  switch (reference.kind) {
    case 'tier':
      return `tier ${reference.label}`;
    case 'node-group':
      return `node group ${reference.label}`;
    case 'executor':
      return `${reference.state} instance ${reference.instanceId}`;
    case 'change':
      return `${reference.role} of change ${reference.changeId}`;
    case 'test':
      return `test ${reference.testId}`;
  }
}
