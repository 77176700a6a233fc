import type { Clock } from '../ports/clock.js';
import type { ActiveRun } from '../ports/domino.js';

/**
 * The rollout-target port: what a rollout moves from one AMI to another, whatever the deployment's kind — a
 * Domino hardware tier (its `executorImage`) or an EKS managed node group (its launch template's `ImageId`). The
 * use cases (plan, apply, verify, revert, drain, test) see only this port; `targets/` holds one implementation
 * per kind, each built on the external ports (src/ports/) of its system, and `targets-for.ts` picks one per
 * deployment. It lives beside the change record, not in src/ports/: it is the rollout's own abstraction over
 * several external systems, with no adapter or simulator of its own (those are the ports it is built on).
 */

export interface RolloutTarget {
  /** Stable across plans and releases: a tier's `tierKey`, a node group's `nodegroup:<cluster>/<name>`. */
  key: string;
  /** What people, config (`pinnedTiers`, `testTier`) and EC2 tags know it by: a tier's id text, a node group's name. */
  id: string;
  /** Hardware tiers only: how Domino stores the `_id` (part of the tier's key). */
  idType?: 'objectId' | 'string';
  label: string;
  /** The AMI it launches now ('' when it names none). */
  ami: string;
  /**
   * What the plan saw and the apply must still find, or it is a conflict (never overwritten): a tier's
   * executorImage; a node group's launch template id and version (`lt-…:7`).
   */
  guard: string;
  /** Special by nature, whatever its AMI (listed, never changed), with the sentence why. */
  special?: string;
}

/** One planned move of a target, as the change record holds it (see `targetOfUpdate`). */
export interface TargetUpdate {
  key: string;
  id: string;
  idType?: 'objectId' | 'string';
  label: string;
  from: string;
  to: string;
  guard: string;
}

/**
 * What a long apply saved for one target before it waited, so a takeover after a crash re-attaches instead of
 * starting again (EKS: the launch template version it created, then the update id). Stored on the change.
 */
export interface TargetProgress {
  key: string;
  /** The launch template version this change created for the target. */
  version?: number;
  /** The node group update that rolls the nodes onto that version. */
  updateId?: string;
}

/** The apply's checkpoint book: read what an earlier attempt saved, save before every wait. */
export interface ApplyJournal {
  /** The change (or test) applying: client tokens derive from it, so a retry's requests are the first ones. */
  changeId: string;
  saved(key: string): TargetProgress | undefined;
  save(progress: TargetProgress): Promise<void>;
  /**
   * Says the apply is alive while it waits: a long follow renews the apply claim's age, so no scan takes over an
   * apply that is only slow (best effort: a failed heartbeat is logged, never fails the apply).
   */
  heartbeat(): Promise<void>;
  /**
   * Aborted when the process shuts down: a wait stops and the apply ends unfinished (no result), its claim left for
   * a takeover to resume from the checkpoints.
   */
  signal: AbortSignal;
}

/** A move of a target as it is now (guarded by what it is on now) to another AMI. */
export function moveOf(target: RolloutTarget, to: string): TargetUpdate {
  const { key, id, idType, label, ami, guard } = target;
  return { key, id, ...(idType ? { idType } : {}), label, from: ami, to, guard };
}

/** A journal kept in memory only (an apply with nothing to resume, or a test of the journal's users). */
export function unsavedJournal(changeId: string, signal: AbortSignal = new AbortController().signal): ApplyJournal {
  const saved = new Map<string, TargetProgress>();
  return {
    changeId,
    signal,
    saved: (key) => saved.get(key),
    async save(progress) {
      saved.set(progress.key, progress);
    },
    async heartbeat() {},
  };
}

export type TargetOutcome =
  /** On its new AMI (written now, or found there by a retry). */
  | { key: string; status: 'applied' }
  /** The guard no longer matched: left alone; `found` says what it is on now. */
  | { key: string; status: 'conflict'; found: string }
  /** The write or the rollout of the nodes failed (outside text). */
  | { key: string; status: 'failed'; error: string };

/**
 * The instances that run a kind's work: the EC2 tags of all of the deployment's executors or nodes (one query),
 * and those that mark the ones of one target.
 */
export interface InstanceScope {
  allTags: Record<string, string>;
  tagsOf(targetId: string): Record<string, string>;
}

/** What the AMI test switches to the AMI under test, and where its Domino job runs. */
export interface TestTarget {
  target: RolloutTarget;
  /** The Domino hardware tier the test job starts on: the tier itself, or the hardware tier of the node group's pool. */
  hardwareTierId: string;
  /**
   * A switch to another AMI replaces every instance of the target (an EKS update launches new nodes and drains the
   * old ones), so instances up before it cannot take the job; a tier's switch leaves its executors where they are.
   */
  isReplacedBySwitch: boolean;
}

/** How the deployment names its test target in the config: whether it is set, and the setting (for messages). */
export interface TestSetting {
  configured: boolean;
  /** What it is called: `test tier`, `test node group`. */
  noun: string;
  setting: string;
}

/**
 * What the plan must say about a planned move besides the move itself, found by the kind (hardware tiers have
 * none). Terraform drift: the target's launch template carries a tag showing that Terraform manages it, so a new
 * version made by ami-bot drifts from Terraform's state (the next `terraform apply` would put the old AMI back)
 * until the module's `ami` input says the same; the admin must accept that explicitly.
 */
export interface TerraformDriftNotice {
  kind: 'terraform-drift';
  /** The target (node group) planned to move. */
  key: string;
  label: string;
  templateId: string;
  templateName?: string;
  /** The configured Terraform tag keys the template carries, with their values (outside text). */
  tags: Record<string, string>;
  /**
   * The module input that makes Terraform agree, when the template's name says which node group of Domino's
   * terraform-aws-eks module made it (`default_node_groups.compute.ami`); absent when it does not.
   */
  variable?: string;
  /** The AMI the input must name after the change. */
  ami: string;
}

export type TargetNotice = TerraformDriftNotice;

/**
 * The work on the targets' machines when the apply replaces them (an EKS update drains every node of its node
 * group): Domino's hardware tiers scheduled there and their runs not yet completed, and what to do with them.
 */
export interface TargetWorkload {
  /** `evict`: say in the thread that the runs will be evicted; `wait-idle`: wait until none is left. */
  policy: 'evict' | 'wait-idle';
  /** The node pools the planned targets belong to. */
  pools: string[];
  tiers: Array<{ id: string; name: string; pool: string }>;
  runs: ActiveRun[];
  /** Domino could not be asked (outside text): the runs are unknown. */
  error?: string;
}

/**
 * Who a change reaches when the targets are not themselves hardware tiers: per node pool, the planned targets in
 * it and Domino's hardware tiers whose runs go there (their users are the ones to tell).
 */
export interface TargetAudience {
  pool: string;
  /** Labels of the planned targets in the pool. */
  targets: string[];
  tiers: Array<{ id: string; label: string }>;
}

export interface RolloutTargetPort {
  /** Every target of the deployment with the AMI it launches now. */
  list(): Promise<RolloutTarget[]>;
  /**
   * Moves each target from its guard to its planned AMI and reports each; a retry of the same updates (a takeover
   * after a crash) finds what the first attempt did through the journal and client tokens, and never writes twice.
   */
  apply(updates: readonly TargetUpdate[], journal: ApplyJournal): Promise<TargetOutcome[]>;
  /** Where the test looks for the instance its job ran on. */
  instanceScope(): InstanceScope;
  /** The configured test target (no I/O). */
  testSetting(): TestSetting;
  /**
   * The test target as it is now; an AppError that says what to configure or fix (nothing changed) when none is
   * configured, it does not exist, or the test job could land on an instance that is not its own.
   */
  testTarget(): Promise<TestTarget>;
  /**
   * The instances a drain may terminate; undefined when the kind replaces its own (an EKS update drains and
   * replaces the nodes itself), so a drain touches nothing.
   */
  drainScope(): InstanceScope | undefined;
  /**
   * The running work an apply of these moves would disturb; undefined when it disturbs none (a tier's new AMI
   * reaches only executors started later, so runs on today's executors go on).
   */
  runningWork(updates: readonly TargetUpdate[]): Promise<TargetWorkload | undefined>;
  /**
   * The hardware tiers the moves reach, per node pool; undefined when the targets are the tiers themselves.
   * Throws when Domino cannot say (the caller keeps the change and reports it).
   */
  audience(updates: readonly TargetUpdate[]): Promise<TargetAudience[] | undefined>;
  /** What the plan must say about these moves (none for hardware tiers), each to be accepted by the admin. */
  notices(updates: readonly TargetUpdate[]): Promise<TargetNotice[]>;
  /** Says why there is nothing to list (`no tiers in Domino's collection…`), for a plan that found no target. */
  emptyReason(): string;
  /**
   * The AMI a guard a change recorded names (its revert record): a tier's guard is its AMI; a node group's is a
   * launch template version, whose AMI EC2 still holds. Undefined when it names none (the version is gone).
   */
  amiOfGuard(guard: string): Promise<string | undefined>;
  /**
   * What the target is on now when that is not what a change's applied move left it on (a revert leaves such a
   * target alone, never overwriting someone else's change): a tier must still be on the AMI the move set; a node
   * group on the launch template version the change created, not a later one (a person's, even with the same AMI).
   * Undefined when the target is still as the change left it.
   */
  changedSince(changeId: string, applied: TargetUpdate, now: RolloutTarget): Promise<string | undefined>;
}

/**
 * One target's apply in three steps, each safe to run again: `prepare` makes what the update needs (idempotent,
 * its result checkpointed before the next step), `start` starts it (idempotent through a client token, its id
 * checkpointed), `follow` waits on the clock until it is done. A kind whose write is instant (a tier) needs none
 * of this; EKS's minutes-long node group update does.
 */
export interface TargetApplySteps {
  prepare(update: TargetUpdate, saved: TargetProgress | undefined): Promise<TargetProgress | TargetOutcome>;
  start(update: TargetUpdate, prepared: TargetProgress): Promise<TargetProgress>;
  follow(
    update: TargetUpdate,
    started: TargetProgress,
    wait: { clock: Clock; alive(): Promise<void>; signal: AbortSignal },
  ): Promise<TargetOutcome>;
}

function isOutcome(value: TargetProgress | TargetOutcome): value is TargetOutcome {
  return 'status' in value;
}

/**
 * Runs the steps for each target in turn, checkpointing after `prepare` and after `start`. A target whose steps
 * throw is reported failed and the next one still runs: one node group's trouble does not hold back the others.
 */
export async function applyBySteps(
  steps: TargetApplySteps,
  updates: readonly TargetUpdate[],
  journal: ApplyJournal,
  clock: Clock,
  describeError: (error: unknown) => string,
): Promise<TargetOutcome[]> {
  const outcomes: TargetOutcome[] = [];
  for (const update of updates) {
    try {
      const prepared = await steps.prepare(update, journal.saved(update.key));
      if (isOutcome(prepared)) {
        outcomes.push(prepared);
        continue;
      }
      await journal.save(prepared);
      const started = await steps.start(update, prepared);
      await journal.save(started);
      outcomes.push(
        await steps.follow(update, started, { clock, alive: () => journal.heartbeat(), signal: journal.signal }),
      );
    } catch (error) {
      // A shutdown is not this target's failure: the apply stops here, unfinished, for a takeover.
      if (journal.signal.aborted) throw error;
      outcomes.push({ key: update.key, status: 'failed', error: describeError(error) });
    }
  }
  return outcomes;
}
