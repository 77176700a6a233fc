import type { RetentionConfig } from '../config-schema.js';
import type { DeregistrationProtection } from '../ports/ec2.js';
import type { Inventory, InventoryAmi, OrphanSnapshot } from './ami-inventory.js';
import { type AmiReference, isTargetReference } from './ami-references.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export type KeepReason =
  | { kind: 'referenced'; references: AmiReference[] }
  /** Not available yet (a bake may still be making it; its own cleanup removes it if it fails). */
  | { kind: 'in-progress'; state: string }
  | { kind: 'newest'; rank: number; keepLast: number }
  | { kind: 'young'; ageDays: number; keepDays: number };

export type RetireReason =
  | { kind: 'superseded'; rank: number; ageDays: number }
  | { kind: 'failed'; state: string }
  | { kind: 'orphan'; detail: string };

export interface KeptAmi {
  imageId: string;
  name: string;
  reason: KeepReason;
}

export interface PlannedRetirement {
  imageId: string;
  name: string;
  createdAt?: Date;
  snapshotIds: string[];
  sizeGiB: number;
  reason: RetireReason;
  /** As listed at plan time; the apply re-reads it (protection is lifted only if still unreferenced). */
  protection: DeregistrationProtection;
}

export interface PrunePlan {
  deployment: string;
  at: Date;
  policy: Pick<RetentionConfig, 'keepLast' | 'keepDays'>;
  kept: KeptAmi[];
  retire: PlannedRetirement[];
  orphanSnapshots: OrphanSnapshot[];
  /** Superseded AMIs kept for now that get an EC2 deprecation time (only with `deprecateAfterDays`). */
  deprecate: Array<{ imageId: string; at: Date }>;
}

const isInProgress = (ami: InventoryAmi) => ami.state === 'pending' || ami.state === 'transient';
const isBroken = (ami: InventoryAmi) => ami.state === 'failed' || ami.state === 'error' || ami.state === 'invalid';

/**
 * The prune plan (pure). In this order: anything referenced is kept (nothing overrides it); an image still being
 * made is kept; a failed or orphaned image is retired; of the rest (available, explained by a bake record), the
 * newest `keepLast` and any younger than `keepDays` are kept and the others retired as superseded.
 */
export function planPrune(inventory: Inventory, policy: RetentionConfig): PrunePlan {
  const now = inventory.at.getTime();
  const kept: KeptAmi[] = [];
  const retire: PlannedRetirement[] = [];
  const ranked = inventory.amis
    .filter((a) => a.state === 'available' && !a.orphan)
    .sort((a, b) => (b.createdAt?.getTime() ?? 0) - (a.createdAt?.getTime() ?? 0));
  const rankOf = new Map(ranked.map((a, i) => [a.id, i + 1]));
  const retireAs = (ami: InventoryAmi, reason: RetireReason) =>
    retire.push({
      imageId: ami.id,
      name: ami.name,
      ...(ami.createdAt ? { createdAt: ami.createdAt } : {}),
      snapshotIds: ami.snapshotIds.slice(),
      sizeGiB: ami.sizeGiB,
      reason,
      protection: ami.protection,
    });
  const keep = (ami: InventoryAmi, reason: KeepReason) => kept.push({ imageId: ami.id, name: ami.name, reason });

  for (const ami of inventory.amis) {
    const ageDays = ami.createdAt ? Math.floor((now - ami.createdAt.getTime()) / DAY_MS) : 0;
    const rank = rankOf.get(ami.id);
    if (ami.references.length > 0) keep(ami, { kind: 'referenced', references: ami.references });
    else if (isInProgress(ami)) keep(ami, { kind: 'in-progress', state: ami.state });
    else if (isBroken(ami)) retireAs(ami, { kind: 'failed', state: ami.state });
    else if (ami.orphan) retireAs(ami, { kind: 'orphan', detail: ami.orphan });
    else if (rank !== undefined && rank <= policy.keepLast)
      keep(ami, { kind: 'newest', rank, keepLast: policy.keepLast });
    else if (!ami.createdAt || now - ami.createdAt.getTime() < policy.keepDays * DAY_MS)
      keep(ami, { kind: 'young', ageDays, keepDays: policy.keepDays });
    else retireAs(ami, { kind: 'superseded', rank: rank ?? 0, ageDays });
  }
  return {
    deployment: inventory.deployment,
    at: inventory.at,
    policy: { keepLast: policy.keepLast, keepDays: policy.keepDays },
    kept,
    retire,
    orphanSnapshots: inventory.orphanSnapshots.slice(),
    deprecate: deprecations(inventory, kept, policy),
  };
}

/** Kept AMIs no tier uses any more get a deprecation time, once (only when the policy turns it on). */
function deprecations(inventory: Inventory, kept: KeptAmi[], policy: RetentionConfig) {
  if (policy.deprecateAfterDays === undefined) return [];
  const at = new Date(inventory.at.getTime() + policy.deprecateAfterDays * DAY_MS);
  const byId = new Map(inventory.amis.map((a) => [a.id, a]));
  return kept.flatMap((k) => {
    const ami = byId.get(k.imageId);
    const inTier = ami?.references.some(isTargetReference);
    if (!ami || inTier || ami.deprecationTime || ami.state !== 'available') return [];
    return [{ imageId: ami.id, at }];
  });
}

/** GiB the plan frees: retired images' volumes and orphaned snapshots. */
export function reclaimedGiB(plan: Pick<PrunePlan, 'retire' | 'orphanSnapshots'>): number {
  return plan.retire.reduce((s, r) => s + r.sizeGiB, 0) + plan.orphanSnapshots.reduce((s, o) => s + o.sizeGiB, 0);
}
