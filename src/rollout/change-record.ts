import { randomInt } from 'node:crypto';
import { type ButtonOrigin, isClickOn } from '../shared/button-origin.js';

/**
 * A change is what an approver approves: a rollout of a new AMI to standard tiers, a revert of an applied
 * change, or a drain (terminate stopped executors left on old AMIs). Its plan is written once, before anything
 * outside is touched; the decision, the apply and its result are appended as it moves on.
 */

export type ChangeKind = 'rollout' | 'revert' | 'drain';

/** pending → approved | rejected | expired; approved → applying → applied | failed. */
export type ChangeStatus = 'pending' | 'approved' | 'rejected' | 'expired' | 'applying' | 'applied' | 'failed';

export const OPEN_STATUSES: readonly ChangeStatus[] = ['pending', 'approved', 'applying'];

/** Every tier as it was when the change was planned: the revert record. */
export interface TierSnapshot {
  id: string;
  idType: 'objectId' | 'string';
  label: string;
  executorImage: string;
}

/** One tier the change writes, guarded by `from`. */
export interface TierUpdatePlan extends TierSnapshot {
  from: string;
  to: string;
}

export type SkipReason = 'special' | 'pinned' | 'unknown-image' | 'no-image' | 'changed-since';

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
  status: 'applied' | 'failed';
  at: Date;
  /** Tier ids (or instance ids for a drain) changed by this apply, or found already at their target on a retry. */
  applied: string[];
  conflicts: TierConflict[];
  /** Re-read after the write: planned tiers now on their target. */
  verified: string[];
  /** Applied tiers that the re-read did not confirm. */
  unverified: string[];
  /** Drain: instances not terminated because they were no longer stopped / on the old AMI. */
  skipped?: Array<{ id: string; detail: string }>;
  error?: string;
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
  bakeId?: string;
  targetAmi?: string;
  targetAmiName?: string;
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
}

/** Facts written by the change's own flow only (no race): where its messages are, what was announced. */
export type ChangeNotes = Partial<Pick<ChangeRecord, 'message' | 'threadTs' | 'announcement'>>;

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

/** A button click came from the change's own approval message (Approve, Reject, Terminate). */
export function isFromOwnMessage(change: Pick<ChangeRecord, 'message'>, origin: ButtonOrigin): boolean {
  return (
    change.message !== undefined &&
    isClickOn(origin, { channel: change.message.channel, messages: [change.message.ts] })
  );
}
