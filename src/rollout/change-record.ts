import { randomInt } from 'node:crypto';
import { tierKey } from '../ports/domino.js';
import { type ButtonOrigin, isClickOn } from '../shared/button-origin.js';
import type { ChangeGate } from './rollout-gate.js';
import type { RolloutTarget, TargetAudience, TargetNotice, TargetProgress, TargetUpdate } from './rollout-target.js';

/**
 * A change is what an approver approves: a rollout of a new AMI to standard tiers, a revert of an applied
 * change, or a drain (terminate stopped executors left on old AMIs). Its plan is written once, before anything
 * outside is touched; the decision, the apply and its result are appended as it moves on.
 */

/** The stable key of a recorded target: its own, or (every tier, in records of any release) its tierKey. */
export function targetKey(entry: Pick<TierSnapshot, 'id' | 'idType' | 'key'>): string {
  return entry.key ?? tierKey({ id: entry.id, idType: entry.idType ?? 'string' });
}

/** A target as the change records it: a tier in the stored shape of every release, another kind with key and guard. */
export function snapshotOf(target: RolloutTarget): TierSnapshot {
  const { key, id, idType, label, ami, guard } = target;
  const isTierShape = idType !== undefined && key === tierKey({ id, idType }) && guard === ami;
  return isTierShape
    ? { id, idType, label, executorImage: ami }
    : { id, ...(idType ? { idType } : {}), key, label, executorImage: ami, guard };
}

/** The planned move of a recorded update, as the rollout-target port takes it. */
export function targetUpdateOf(planned: TierUpdatePlan): TargetUpdate {
  return {
    key: targetKey(planned),
    id: planned.id,
    ...(planned.idType ? { idType: planned.idType } : {}),
    label: planned.label,
    from: planned.from,
    to: planned.to,
    guard: planned.guard ?? planned.from,
  };
}

export type ChangeKind = 'rollout' | 'revert' | 'drain';

/**
 * pending → approved | rejected | expired; approved → applying → applied | failed, or → expired when the apply
 * had not started by the window's end (or within `rollout.maxApprovalAgeMinutes` of an approval without one).
 */
export type ChangeStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'applying' | 'applied' | 'failed';

export const OPEN_STATUSES: readonly ChangeStatus[] = ['pending', 'approved', 'applying'];

/**
 * Every target (rollout-target.ts) as it was when the change was planned: the revert record. A hardware tier's
 * entry is the shape every release has stored (`key` and `guard` absent: its tierKey, its executorImage); another
 * kind's entry carries both.
 */
export interface TierSnapshot {
  id: string;
  /** Hardware tiers: how Domino stores the `_id`. */
  idType?: 'objectId' | 'string';
  /** The target's stable key when it is not the tier's `tierKey` (a node group). */
  key?: string;
  label: string;
  /** The AMI the target launched (named for hardware tiers, the first kind). */
  executorImage: string;
  /** What the apply must still find, when it is not `executorImage` (a node group's launch template version). */
  guard?: string;
}

/** One target the change writes, guarded by `guard` (absent: `from`, a tier's executorImage). */
export interface TierUpdatePlan extends TierSnapshot {
  from: string;
  to: string;
}

export type SkipReason = 'special' | 'pinned' | 'unknown-image' | 'no-image' | 'changed-since' | 'missing-image';

export interface SkippedTier {
  id: string;
  label: string;
  executorImage: string;
  reason: SkipReason;
  /** The sentence shown to people. */
  detail: string;
}

export interface DrainInstance {
  id: string;
  tierId: string;
  imageId: string;
  state: string;
  name: string;
}

export interface DrainPlan {
  /** The AMI each drained tier is on now: instances on any other image are old. */
  targets: Record<string, string>;
  stopped: DrainInstance[];
  running: DrainInstance[];
}

export interface ChangeDecision {
  outcome: 'approved' | 'rejected' | 'expired';
  /** Slack user id, or `ami-bot` for an expiry. */
  by: string;
  at: Date;
}

export interface ApplyClaim {
  owner: string;
  at: Date;
  attempt: number;
}

export interface TierConflict {
  id: string;
  label: string;
  expected: string;
  found: string;
}

export interface ApplyResult {
  /** `expired`: the apply claim came after the window's end (or the approval's maximum age): nothing written. */
  status: 'applied' | 'failed' | 'expired';
  at: Date;
  /**
   * Tiers (their tierKey; plain ids in records older than tierKey) or, for a drain, instance ids changed by this
   * apply, or found already at their target on a retry. `verified` and `unverified` likewise.
   */
  applied: string[];
  conflicts: TierConflict[];
  /** Re-read after the write: planned tiers now on their target. */
  verified: string[];
  /** Applied tiers that the re-read did not confirm. */
  unverified: string[];
  /** Drain: instances not terminated because they were no longer stopped / on the old AMI. */
  skipped?: Array<{ id: string; detail: string }>;
  error?: string;
  /** Expired: why, in a sentence (the window's end or the approval's age). */
  reason?: string;
}

export interface AnnouncementSummary {
  at: Date;
  channelTs?: string;
  tiers: number;
  emails: number;
  dmSent: number;
  alreadyNotified: number;
  unknownEmails: number;
  failed: number;
  /** Why users were not looked up, when the tier-user source failed. */
  sourceError?: string;
}

export interface MessageRef {
  channel: string;
  ts: string;
}

export interface ChangeRecord {
  _id: string;
  kind: ChangeKind;
  deployment: string;
  requester: string;
  createdAt: Date;
  /** No decision is accepted at or after this instant. */
  deadline: Date;
  /** Maintenance window start: the apply waits for it. */
  applyAt?: Date;
  /** Maintenance window end: an apply not started by then expires (older records: applyAt + windowMinutes). */
  applyUntil?: Date;
  bakeId?: string;
  targetAmi?: string;
  targetAmiName?: string;
  /** Rollout: the passed test that let it through the gate, or the admin's override and its reason. */
  gate?: ChangeGate;
  /**
   * Per node pool, the planned targets and the hardware tiers whose users the change reaches (absent: the targets
   * are the tiers). Read when planned; the announcement names them and tells their users.
   */
  audience?: TargetAudience[];
  /** Why the audience could not be read when planned (Domino's error, outside text): nobody is DMed. */
  audienceError?: string;
  /** What the targets' kind says about the planned moves (Terraform drift), shown in the plan. */
  notices?: TargetNotice[];
  /** The admin who planned it knowing the notices (`--accept-terraform-drift`); a plan with notices has one. */
  noticesAcceptedBy?: string;
  /**
   * A revert: the change whose acceptance of the notices carries over (same node groups, same launch templates);
   * `noticesAcceptedBy` is then that change's admin. Absent when the reverting admin accepted them anew.
   */
  noticesCarriedFrom?: string;
  revertOf?: string;
  drainOf?: string;
  snapshot: TierSnapshot[];
  updates: TierUpdatePlan[];
  skipped: SkippedTier[];
  unchanged: Array<{ id: string; label: string }>;
  drain?: DrainPlan;
  /** Where the approval message lives (the bake's thread when there is one). */
  channel: string;
  threadTs?: string;
  message?: MessageRef;
  status: ChangeStatus;
  decision?: ChangeDecision;
  apply?: ApplyClaim;
  result?: ApplyResult;
  announcement?: AnnouncementSummary;
  reminderSentAt?: Date;
  /**
   * What the apply saved per target before it waited (rollout-target.ts): a takeover re-attaches to it. Written
   * only by the apply claim's owner; each entry is reproduced by a retry (client tokens), so a lost write costs
   * nothing but a re-check.
   */
  progress?: TargetProgress[];
  /** The apply's latest heartbeat while it waits (a node group update takes minutes): it is not stale before. */
  applyAliveAt?: Date;
  /**
   * What the apply did about the runs on the machines it replaces (running-work.ts): when it said they will be
   * evicted, when it began waiting for idle pools (a takeover continues that wait), when they were idle.
   */
  runningWork?: { noticeAt?: Date; waitingSince?: Date; idleAt?: Date; runs?: number };
}

/** Facts written by the change's own flow only (no race): where its messages are, what was announced, apply progress. */
export type ChangeNotes = Partial<
  Pick<ChangeRecord, 'message' | 'threadTs' | 'announcement' | 'progress' | 'applyAliveAt' | 'runningWork'>
>;

export const CHANGE_ID_PATTERN = /^chg-\d{8}-[a-z0-9]{4}$/;

export function isChangeId(value: string): boolean {
  return CHANGE_ID_PATTERN.test(value);
}

const ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** Short readable ids (`chg-20261128-k3m9`); a collision fails the insert and the caller draws again. */
export function newShortId(prefix: string, now: Date, random: (max: number) => number = randomInt): string {
  const stamp = now.toISOString().slice(0, 10).replaceAll('-', '');
  const suffix = Array.from({ length: 4 }, () => ALPHABET[random(ALPHABET.length)]).join('');
  return `${prefix}-${stamp}-${suffix}`;
}

export const newChangeId = (now: Date) => newShortId('chg', now);

/** The result of an apply that wrote nothing: refused, expired, or failed before its first write. */
export function nothingWritten(
  status: ApplyResult['status'],
  at: Date,
  why: Pick<ApplyResult, 'error' | 'reason'>,
): ApplyResult {
  return { status, at, applied: [], conflicts: [], verified: [], unverified: [], ...why };
}

/** Was this target written by the apply? Matches its key, or the plain id of a record from before tierKey. */
export function isTierApplied(result: Pick<ApplyResult, 'applied'> | undefined, tier: TierSnapshot): boolean {
  if (!result) return false;
  return result.applied.includes(targetKey(tier)) || result.applied.includes(tier.id);
}

export function isChangeOpen(change: Pick<ChangeRecord, 'status'>): boolean {
  return OPEN_STATUSES.includes(change.status);
}

/** Status as the appended facts say (the stored `status` mirror may lag after a crash, never lead). */
export function deriveStatus(change: Pick<ChangeRecord, 'decision' | 'apply' | 'result'>): ChangeStatus {
  if (change.result) return change.result.status;
  if (change.apply) return 'applying';
  if (change.decision) return change.decision.outcome;
  return 'pending';
}

/**
 * The decision guard (pure; every store applies it before it lets a decision in): the first decision wins; an
 * approval or rejection must come before the deadline, an expiry only once it has passed.
 */
export function isDecisionAllowed(
  change: Pick<ChangeRecord, 'decision' | 'deadline'>,
  decision: Pick<ChangeDecision, 'outcome' | 'at'>,
): boolean {
  if (change.decision) return false;
  const late = decision.at.getTime() >= change.deadline.getTime();
  return decision.outcome === 'expired' ? late : !late;
}

/**
 * The apply guard (pure): the attempt a claim would start — 1 for an approved change, the next one for an apply
 * whose latest attempt started before `staleBefore` (its process died) — or undefined when nothing may start
 * (applied, not approved, or an apply in progress).
 */
export function nextApplyAttempt(
  change: Pick<ChangeRecord, 'decision' | 'apply' | 'result' | 'applyAliveAt'>,
  staleBefore: Date,
): number | undefined {
  if (change.result) return undefined;
  const status = deriveStatus(change);
  if (status === 'approved') return 1;
  if (status === 'applying' && change.apply && applyLastAliveMs(change) < staleBefore.getTime()) {
    return change.apply.attempt + 1;
  }
  return undefined;
}

/** When the apply in progress last showed it was alive: its claim, or a later heartbeat while it waited. */
export function applyLastAliveMs(change: Pick<ChangeRecord, 'apply' | 'applyAliveAt'>): number {
  return Math.max(change.apply?.at.getTime() ?? 0, change.applyAliveAt?.getTime() ?? 0);
}

/** A button click came from the change's own approval message (Approve, Reject, Terminate). */
export function isFromOwnMessage(change: Pick<ChangeRecord, 'message'>, origin: ButtonOrigin): boolean {
  return (
    change.message !== undefined &&
    isClickOn(origin, { channel: change.message.channel, messages: [change.message.ts] })
  );
}
