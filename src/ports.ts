/**
 * The narrow interfaces between ami-bot's use cases and the outside world.
 *
 * Each port has a real adapter (src/adapters/…) and a simulator (src/sim/…); both pass
 * the same contract tests. Use cases receive ports through factories and never build clients
 * themselves, so tests, the demo and sandbox mode run the very same code as production.
 */

import type { BakeRecord } from './bake/bake-record.js';
import type { ReviewDoc, ReviewEvent, ReviewRecord } from './review/review-record.js';
import type { AmiTestRecord } from './rollout/ami-test-record.js';
import type { AuditEntry } from './rollout/audit-record.js';
import type { ApplyResult, ChangeDecision, ChangeNotes, ChangeRecord } from './rollout/change-record.js';

// ───────────────────────────── EC2 ─────────────────────────────

export type InstanceState = 'pending' | 'running' | 'stopping' | 'stopped' | 'shutting-down' | 'terminated';

export interface InstanceInfo {
  id: string;
  /** Value of the `Name` tag ('' when absent). */
  name: string;
  state: InstanceState;
  imageId: string;
  tags: Record<string, string>;
  /** Device names of the instance's block device mappings, e.g. `/dev/xvda`. */
  blockDeviceNames: string[];
  launchTime?: Date;
}

export type ImageState = 'pending' | 'available' | 'failed' | 'invalid' | 'deregistered' | 'transient' | 'error';

export interface ImageInfo {
  id: string;
  name: string;
  state: ImageState;
  creationDate?: Date;
  tags: Record<string, string>;
  snapshotIds: string[];
  /** AWS's reason for a `failed` state, when it gives one. */
  stateReason?: string;
  /** The AWS account that owns the image (a public or shared AMI belongs to another account). */
  ownerId?: string;
}

export interface CreateImageInput {
  instanceId: string;
  name: string;
  description: string;
  noReboot: boolean;
  /** Every block device of the instance; each is created with DeleteOnTermination=true. */
  deviceNames: string[];
  /** Applied to the image and to its snapshots. */
  tags: Record<string, string>;
}

export interface Ec2Port {
  /** Instances (any state but terminated) whose Name tag matches a glob such as `*executor-template*`. */
  findInstancesByNamePattern(pattern: string): Promise<InstanceInfo[]>;
  /** Instances (any state but terminated) carrying every tag given (value `*` matches any value). */
  findInstancesByTags(tags: Record<string, string>): Promise<InstanceInfo[]>;
  describeInstance(instanceId: string): Promise<InstanceInfo | undefined>;
  startInstance(instanceId: string): Promise<void>;
  stopInstance(instanceId: string): Promise<void>;
  terminateInstances(instanceIds: string[]): Promise<void>;
  /** Returns the new image id. Throws AppError code `ami_name_taken` on InvalidAMIName.Duplicate. */
  createImage(input: CreateImageInput): Promise<string>;
  describeImages(imageIds: string[]): Promise<ImageInfo[]>;
  /**
   * The images among these ids that this account owns: public and shared AMIs, which DescribeImages by id also
   * returns, are left out (the rollout gate: only an AMI this account made may reach a tier).
   */
  describeOwnImages(imageIds: string[]): Promise<ImageInfo[]>;
  /** Images owned by this account with exactly this name (0 or 1 in practice). */
  findImagesByName(name: string): Promise<ImageInfo[]>;
  /** Images owned by this account carrying the tag. */
  findImagesByTag(key: string, value: string): Promise<ImageInfo[]>;
  /** Deregisters the image and deletes its snapshots; an unknown image is not an error. */
  deregisterImage(imageId: string): Promise<void>;
  /** Average completion (0–100) of the snapshots, when AWS reports it. */
  snapshotProgress(snapshotIds: string[]): Promise<number | undefined>;
}

// ───────────────────────────── SSM ─────────────────────────────

export type CommandStatus =
  | 'Pending'
  | 'InProgress'
  | 'Delayed'
  | 'Success'
  | 'Cancelled'
  | 'Cancelling'
  | 'TimedOut'
  | 'Failed'
  | 'Undeliverable'
  | 'Terminated';

export interface SendShellCommandInput {
  instanceId: string;
  /** Lines of the AWS-RunShellScript `commands` parameter. Built only from validated values. */
  commands: string[];
  /** Up to 100 chars; ami-bot puts the bake id and step here so a restart can find the command again. */
  comment: string;
  /** AWS-RunShellScript `executionTimeout` in seconds. */
  executionTimeoutSeconds: number;
}

export interface CommandInvocation {
  commandId: string;
  status: CommandStatus;
  /** True once the status can no longer change. */
  isFinished: boolean;
  exitCode?: number;
  stdout: string;
  stderr: string;
  /** SSM returns only the first 24,000 chars of stdout and 8,000 of stderr. */
  stdoutTruncated: boolean;
  stderrTruncated: boolean;
  startedAt?: Date;
  endedAt?: Date;
}

export interface SsmPort {
  isAgentOnline(instanceId: string): Promise<boolean>;
  /** Returns the command id. */
  sendShellCommand(input: SendShellCommandInput): Promise<string>;
  /** `InvocationDoesNotExist` right after SendCommand is reported as status Pending. */
  getInvocation(commandId: string, instanceId: string): Promise<CommandInvocation>;
  /** The newest command sent to the instance with exactly this comment (re-attach after a crash). */
  findCommandByComment(instanceId: string, comment: string): Promise<string | undefined>;
  cancelCommand(commandId: string, instanceId: string): Promise<void>;
}

// ───────────────────────── Domino tiers (MongoDB) ─────────────────────────

export interface TierRecord {
  /** `_id` as text; `idType` says how to turn it back into the stored `_id`. */
  id: string;
  idType: 'objectId' | 'string';
  /** Human label (configurable field, falls back to the id). */
  label: string;
  executorImage: string;
}

/**
 * The one way to match tiers: `_id` text alone is not unique (an ObjectId and a string `_id` can share the same
 * hex), so every map, set or comparison of tiers goes through this key.
 */
export function tierKey(tier: Pick<TierRecord, 'id' | 'idType'>): string {
  return `${tier.idType}:${tier.id}`;
}

export interface TierImageUpdate {
  id: string;
  idType: 'objectId' | 'string';
  from: string;
  to: string;
}

export interface ApplyTierUpdatesResult {
  /** tierKey of each tier updated (its executorImage was still `from`). */
  applied: string[];
  /** tierKey of each tier whose executorImage was no longer `from`: left alone. */
  conflicts: string[];
}

export interface DominoTiersPort {
  listTiers(): Promise<TierRecord[]>;
  /** Every update guarded by its `from` value, all in one bulk write. */
  applyImageUpdates(updates: TierImageUpdate[]): Promise<ApplyTierUpdatesResult>;
}

/** Who uses which hardware tier (for notifications and the review report). */
export interface TierUsersPort {
  /** Map tier id → user emails seen on that tier within the look-back window. */
  usersByTier(tierIds: string[]): Promise<Map<string, string[]>>;
  /** Map environment id/name → runs seen within the look-back window (review report). */
  environmentsInUse?(): Promise<Array<{ environment: string; image?: string; runs: number }>>;
}

// ───────────────────────── Domino REST API ─────────────────────────

export interface StartJobInput {
  projectId: string;
  command: string;
  hardwareTierId: string;
  environmentId?: string;
  title: string;
}

export interface JobStatus {
  /** Domino's executionStatus: Queued, Pending, Preparing, Pulling, Running, Succeeded, Failed, … */
  executionStatus: string;
  isCompleted: boolean;
}

export interface DominoApiPort {
  startJob(input: StartJobInput): Promise<string>;
  getJobStatus(jobId: string): Promise<JobStatus>;
  stopJob(jobId: string): Promise<void>;
}

// ───────────────────────────── Chat (Slack) ─────────────────────────────

/** Block Kit blocks; kept loose here so builders stay pure and adapters stay thin. */
export type Block = Record<string, unknown>;

export interface ChatMessage {
  channel: string;
  text: string;
  blocks?: Block[];
  threadTs?: string;
}

export interface PostedMessage {
  channel: string;
  ts: string;
}

export interface ChatPort {
  post(message: ChatMessage): Promise<PostedMessage>;
  update(message: ChatMessage & { ts: string }): Promise<void>;
  postEphemeral(message: ChatMessage & { user: string }): Promise<void>;
  /** Opens (or reuses) the DM with the user and posts there. */
  dm(userId: string, text: string, blocks?: Block[]): Promise<PostedMessage>;
  lookupUserIdByEmail(email: string): Promise<string | undefined>;
  userGroupMembers(groupId: string): Promise<string[]>;
  permalink(channel: string, ts: string): Promise<string | undefined>;
}

// ───────────────────────────── Clock ─────────────────────────────

export interface Clock {
  now(): Date;
  /** Resolves after `ms`, or rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

// ───────────────────────── Bot state (the bot's own MongoDB) ─────────────────────────

export interface BakeRepo {
  insert(bake: BakeRecord): Promise<void>;
  get(id: string): Promise<BakeRecord | undefined>;
  listRecent(limit: number, deployment?: string): Promise<BakeRecord[]>;
  /** Ids of active bakes (running or compensating) with no lease or a lease expired at `now`. */
  listClaimable(now: Date): Promise<string[]>;
  /** Takes the lease when it is free, expired, or already ours; returns the record, else undefined. */
  claim(id: string, owner: string, now: Date, until: Date): Promise<BakeRecord | undefined>;
  /** Extends the lease; false when another owner has taken it. */
  renew(id: string, owner: string, until: Date): Promise<boolean>;
  /** `$set` of dotted paths, applied only while `owner` holds the lease; false otherwise. */
  save(id: string, owner: string, patch: Record<string, unknown>): Promise<boolean>;
  release(id: string, owner: string): Promise<void>;
  /** Marks an active bake for cancellation (first request wins); returns the record after the change. */
  requestCancel(id: string, by: string, at: Date): Promise<BakeRecord | undefined>;
}

export interface LockRepo {
  /** Takes `key` for `holder`; returns undefined on success, else the current holder. Re-entrant. */
  acquire(key: string, holder: string, at: Date): Promise<string | undefined>;
  release(key: string, holder: string): Promise<void>;
  holderOf(key: string): Promise<string | undefined>;
  /** Who holds `key` and since when. */
  describe(key: string): Promise<{ holder: string; at: Date } | undefined>;
}

/** Rollout changes. Every "first one wins" step is an insert of a document with a fixed `_id`: the only write
 * FerretDB (and MongoDB) decide atomically between concurrent callers. */
export interface ChangeRepo {
  insert(change: ChangeRecord): Promise<void>;
  /** The change with its decision, apply claim and result merged in (status derived from them). */
  get(id: string): Promise<ChangeRecord | undefined>;
  listRecent(limit: number, deployment?: string): Promise<ChangeRecord[]>;
  /** Changes still pending, approved or applying. */
  listOpen(): Promise<ChangeRecord[]>;
  /** Facts only the change's own flow writes (message refs, announcement summary). */
  note(id: string, notes: ChangeNotes): Promise<void>;
  /**
   * The first decision wins: true for the winner. An approval or rejection at or after the deadline, or on a
   * change already decided, changes nothing and returns false; an expiry is accepted only once the deadline passed.
   */
  decide(id: string, decision: ChangeDecision): Promise<boolean>;
  /**
   * Starts applying an approved change (true for exactly one caller), or takes over an apply whose latest
   * attempt started before `staleBefore` (a crashed process). False when applied, not approved, or in progress.
   */
  claimApply(id: string, owner: string, at: Date, staleBefore: Date): Promise<boolean>;
  /** Records the outcome of the apply; the first result wins. */
  finishApply(id: string, result: ApplyResult): Promise<boolean>;
  /** True for the one caller that sends the maintenance-window reminder. */
  claimReminder(id: string, at: Date): Promise<boolean>;
}

export interface AmiTestRepo {
  insert(test: AmiTestRecord): Promise<void>;
  get(id: string): Promise<AmiTestRecord | undefined>;
  /** `$set` of top-level fields; only the process running the test writes them. */
  save(id: string, patch: Partial<Omit<AmiTestRecord, '_id'>>): Promise<void>;
  /** Marks a running test for cancellation (first request wins); returns the record after the change. */
  requestCancel(id: string, by: string, at: Date): Promise<AmiTestRecord | undefined>;
  /** The newest test that measured something (passed, failed or unproven), optionally of one AMI. */
  latestFinished(deployment: string, amiId?: string): Promise<AmiTestRecord | undefined>;
  listRecent(limit: number, deployment?: string): Promise<AmiTestRecord[]>;
}

export interface AuditRepo {
  record(entry: AuditEntry): Promise<void>;
  listRecent(limit: number, deployment?: string): Promise<AuditEntry[]>;
}

/** Who was told about a change, so nobody is DMed twice for it. */
export interface NotificationRepo {
  /** True for the first caller per (change, user): that caller sends the DM. */
  claim(changeId: string, userId: string, at: Date): Promise<boolean>;
  /** Gives a claim back after the DM failed, so a retry may send it. */
  release(changeId: string, userId: string): Promise<void>;
  listNotified(changeId: string): Promise<string[]>;
}

/**
 * One lease per scheduled task and tick (`<task>:<tick ISO>`): how a tick fires once across replicas.
 * Generation 0 has `_id` = the key; a take-over after a holder died inserts generation 1, 2, …: every
 * "first one wins" is an insert with a fixed `_id`, the one write FerretDB decides atomically.
 */
export interface TickLease {
  _id: string;
  tick: string;
  gen: number;
  owner: string;
  claimedAt: Date;
  until: Date;
  doneAt?: Date;
  releasedAt?: Date;
}

export interface TickRepo {
  /**
   * True for exactly one caller per key. The only exception is a holder that died mid-run or gave the tick
   * back: once its lease is past `until` (or released) and the tick is not done, one later caller takes over.
   */
  claim(key: string, owner: string, now: Date, until: Date): Promise<boolean>;
  /** Marks the tick done (never to be taken over); only its owner writes its lease. */
  complete(key: string, owner: string, at: Date): Promise<void>;
  /** Gives an unfinished tick back (its run failed), so a catch-up on start may run it again. */
  release(key: string, owner: string, at: Date): Promise<void>;
  /** The newest generation of the tick's lease. */
  get(key: string): Promise<TickLease | undefined>;
}

/**
 * Quarterly reviews: an immutable document plus insert-once events (close, reminder n, snooze n, …) from
 * which the state is derived, so double clicks, replicas and reminders racing a click each act once even
 * on FerretDB, which does not serialise concurrent updates of one document.
 */
export interface ReviewRepo {
  /** False when a review with this id exists already (a replica or an earlier attempt opened it). */
  insert(review: ReviewDoc): Promise<boolean>;
  /** The review with its state derived from its events. */
  get(id: string): Promise<ReviewRecord | undefined>;
  /** Reviews still open (or starting a bake), optionally of one deployment, oldest first. */
  listOpen(deployment?: string): Promise<ReviewRecord[]>;
  /** Open reviews whose next reminder is due at `now`. */
  listDue(now: Date): Promise<ReviewRecord[]>;
  /** Only the process that posted the review writes its message ts. */
  setMessageTs(id: string, ts: string): Promise<void>;
  /** Records an event; false when the same event (review and key) exists: the first caller wins. */
  record(reviewId: string, event: ReviewEvent): Promise<boolean>;
  /** Withdraws an event (a bake that did not start after all), so the step can be taken again. */
  withdraw(reviewId: string, key: string): Promise<void>;
}

/**
 * Slack deliveries already taken (insert-once by key): a replayed, retried or twice-delivered request runs
 * once across all replicas. Keys are Slack's ids (trigger_id, event_id) or `v0:<timestamp>:<signature>`.
 */
export interface DeliveryRepo {
  /** True for exactly one caller per key; false for every later one (a duplicate). */
  claim(key: string, at: Date): Promise<boolean>;
  /** Forgets deliveries taken before `before` (no TTL index on FerretDB); returns how many went. */
  sweep(before: Date): Promise<number>;
}

export interface StateStore {
  bakes: BakeRepo;
  locks: LockRepo;
  changes: ChangeRepo;
  amiTests: AmiTestRepo;
  audit: AuditRepo;
  notifications: NotificationRepo;
  ticks: TickRepo;
  reviews: ReviewRepo;
  deliveries: DeliveryRepo;
  /** True when the store's database answers (readiness probe). */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
