import type { SnapshotOutcome } from '../ports/ec2.js';
import { type ChangeDecision, isDecisionAllowed, newShortId } from '../rollout/change-record.js';
import { type ButtonOrigin, isClickOn } from '../shared/button-origin.js';
import type { PrunePlan } from './prune-plan.js';

/**
 * A prune is what an approver approves: the plan (written once, before anything in EC2 is touched), the
 * decision (the rollout's rule: first decision wins, before the deadline), then one outcome per planned item,
 * checkpointed as the apply goes so a crashed apply resumes where it stopped.
 */

export type PruneStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'applying' | 'applied';

/** What the apply did with one planned item (an AMI, an orphaned snapshot or a deprecation). */
export type PruneOutcome =
  | {
      kind: 'retired';
      at: Date;
      image: 'deregistered' | 'absent';
      snapshots: Array<{ id: string; outcome: SnapshotOutcome }>;
    }
  /** The re-check at apply time found it needed after all (a new reference, no longer an orphan). */
  | { kind: 'kept'; at: Date; why: string }
  | { kind: 'snapshot'; at: Date; outcome: SnapshotOutcome }
  | { kind: 'deprecated'; at: Date; deprecateAt: Date }
  /** Deregistration protection is cooling down (24 h after it was lifted): a later apply retires it. */
  | { kind: 'waiting'; at: Date; until?: Date; why: string }
  | { kind: 'failed'; at: Date; error: string };

export interface PruneResult {
  at: Date;
  retired: number;
  kept: number;
  snapshotsDeleted: number;
}

export interface PruneRecord {
  _id: string;
  deployment: string;
  requester: string;
  createdAt: Date;
  /** No decision is accepted at or after this instant. */
  deadline: Date;
  plan: PrunePlan;
  decision?: ChangeDecision;
  /** By item key (`itemKey`): written one at a time by the apply. */
  outcomes: Record<string, PruneOutcome>;
  /** Set once every item has a final outcome. */
  result?: PruneResult;
  /** The approval message (its buttons are the only ones that decide this prune). */
  message?: { channel: string; ts: string };
}

/** True when a button click came from this prune's own approval message. */
export function isFromOwnPruneMessage(record: Pick<PruneRecord, 'message'>, origin: ButtonOrigin): boolean {
  return (
    record.message !== undefined &&
    isClickOn(origin, { channel: record.message.channel, messages: [record.message.ts] })
  );
}

export const PRUNE_ID_PATTERN = /^prn-\d{8}-[a-z0-9]{4}$/;
export const isPruneId = (value: string): boolean => PRUNE_ID_PATTERN.test(value);
export const newPruneId = (now: Date) => newShortId('prn', now);

/** The key of a planned item in `outcomes` (EC2 ids hold no `.` or `$`, so they are safe field names). */
export const itemKey = {
  retire: (imageId: string) => `retire:${imageId}`,
  snapshot: (snapshotId: string) => `snapshot:${snapshotId}`,
  deprecate: (imageId: string) => `deprecate:${imageId}`,
};

/** Final outcomes are never redone; `waiting` and `failed` are retried by the next apply. */
export function isFinalOutcome(outcome: PruneOutcome | undefined): boolean {
  return outcome !== undefined && outcome.kind !== 'waiting' && outcome.kind !== 'failed';
}

export function pruneStatus(record: Pick<PruneRecord, 'decision' | 'outcomes' | 'result'>): PruneStatus {
  if (record.result) return 'applied';
  if (!record.decision) return 'pending';
  if (record.decision.outcome !== 'approved') return record.decision.outcome;
  return Object.keys(record.outcomes).length > 0 ? 'applying' : 'approved';
}

/** Every item key the plan holds, in apply order: AMIs, then orphaned snapshots, then deprecations. */
export function plannedItems(plan: PrunePlan): string[] {
  return [
    ...plan.retire.map((r) => itemKey.retire(r.imageId)),
    ...plan.orphanSnapshots.map((s) => itemKey.snapshot(s.id)),
    ...plan.deprecate.map((d) => itemKey.deprecate(d.imageId)),
  ];
}

/** The decision guard is the rollout's (first decision wins, approve or reject before the deadline). */
export { isDecisionAllowed };
