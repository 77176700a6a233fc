import type { ContainerRuntime, ContainerRuntimeChoice, DeploymentKind, Provision } from '../config.js';
import { type ButtonOrigin, isClickOn } from '../shared/button-origin.js';
import { type TargetNoun, targetNoun } from '../shared/target-noun.js';
import type { BAKE_STEP_MODULES } from './bake-steps.js';
/**
 * A bake is an explicit status plus persisted facts. Everything a restarted process needs to
 * resume — the instance, the state it was found in, every SSM command id, the image name and
 * id — is saved here *before* the step waits on it.
 */

/** A step's key in the record: the names of the step modules listed in bake-steps.ts. */
export type BakeStepName = (typeof BAKE_STEP_MODULES)[number]['name'];

export type StepState = 'pending' | 'running' | 'done' | 'failed' | 'skipped';

/** running → (compensating →) succeeded | failed | cancelled. */
export type BakeStatus = 'running' | 'compensating' | 'succeeded' | 'failed' | 'cancelled';

export interface StepProgress {
  state: StepState;
  startedAt?: Date;
  endedAt?: Date;
  summary?: string;
}

export interface PullResult {
  image: string;
  status: 'cached' | 'pulled' | 'failed';
  seconds?: number;
  attempts: number;
  error?: string;
}

export interface HighstateSummary {
  succeeded: number;
  changed: number;
  failed: number;
  total?: number;
  /** IDs of failed states, with the state's name in parentheses when it differs from the ID. */
  failedStates: string[];
}

export interface BakeFacts {
  /** The thread reply with the Test / Plan rollout buttons. */
  nextStepsTs?: string;
  instanceId?: string;
  instanceName?: string;
  /** The state the template was found in; the bake returns it there. */
  originalState?: 'running' | 'stopped';
  deviceNames?: string[];
  /** The runtime found on the template when the bake's choice is `auto` (detected once, at the inventory). */
  containerRuntime?: ContainerRuntime;
  /** SSM command ids by key (inventory, pull-<i>-a<n>, highstate): re-attached after a crash. */
  commands?: Record<string, string>;
  cachedImages?: string[];
  pulls?: PullResult[];
  highstate?: HighstateSummary;
  imageName?: string;
  imageId?: string;
  imageDeadline?: Date;
  imageState?: string;
  imageDeregistered?: boolean;
  templateRestored?: boolean;
}

export interface BakeError {
  code: string;
  message: string;
  step?: BakeStepName;
}

export interface BakeRecord {
  _id: string;
  deployment: string;
  requester: string;
  channel: string;
  rootTs?: string;
  images: string[];
  noReboot: boolean;
  note?: string;
  /** The deployment's runtime when the bake started; absent (older records): docker (bake/template-runtime.ts). */
  runtimeChoice?: ContainerRuntimeChoice;
  /** The deployment's provisioning when the bake started; absent (older records): salt-highstate. */
  provision?: Provision;
  /**
   * The deployment's kind when the bake started, for the words its steps use ("node template" for EKS); absent
   * (older records): hardware-tiers, whose words are the seed's.
   */
  kind?: DeploymentKind;
  status: BakeStatus;
  /** Why compensation runs: a failure or a cancel request. */
  outcome?: 'failed' | 'cancelled';
  /**
   * A step missing here (the record was written by a release without it) is pending: read it with
   * `stepProgress`, never `steps[name]` directly.
   */
  steps: Partial<Record<BakeStepName, StepProgress>>;
  facts: BakeFacts;
  error?: BakeError;
  cancelRequested?: { by: string; at: Date };
  lease?: { owner: string; until: Date };
  sandbox?: boolean;
  createdAt: Date;
  updatedAt: Date;
  endedAt?: Date;
}

/** What this bake calls its template and its AMI, by the kind of deployment it bakes for (pure). */
export function bakeNoun(bake: Pick<BakeRecord, 'kind'>): TargetNoun {
  return targetNoun(bake.kind);
}

export function isBakeActive(bake: Pick<BakeRecord, 'status'>): boolean {
  return bake.status === 'running' || bake.status === 'compensating';
}

/** No lease, or one run out at `now` (its runner died or stalled). */
export function isLeaseFree(bake: Pick<BakeRecord, 'lease'>, now: Date): boolean {
  return !bake.lease || bake.lease.until.getTime() < now.getTime();
}

/**
 * The claim guard (pure; both stores apply it, the Mongo one also as its filter): an active bake whose lease is
 * free or already `owner`'s.
 */
export function isClaimableBy(bake: Pick<BakeRecord, 'status' | 'lease'>, owner: string, now: Date): boolean {
  return isBakeActive(bake) && (isLeaseFree(bake, now) || bake.lease?.owner === owner);
}

/** The cancel guard (pure): only an active bake is cancelled, and the first request wins. */
export function isBakeCancelAllowed(bake: Pick<BakeRecord, 'status' | 'cancelRequested'>): boolean {
  return isBakeActive(bake) && bake.cancelRequested === undefined;
}

const PENDING: StepProgress = Object.freeze({ state: 'pending' });

/** A step's progress; one the record does not know yet (added by a newer release) has not started. */
export function stepProgress(bake: Pick<BakeRecord, 'steps'>, step: BakeStepName): StepProgress {
  return bake.steps[step] ?? PENDING;
}

/** Bake ids are short, readable and safe everywhere they go (SSM comments, file names, button values). */
export function newBakeId(now: Date, random: () => number = Math.random): string {
  const stamp = now.toISOString().slice(0, 10).replaceAll('-', '');
  const suffix = Array.from({ length: 4 }, () => 'abcdefghjkmnpqrstuvwxyz23456789'[Math.floor(random() * 31)]).join('');
  return `bake-${stamp}-${suffix}`;
}

export const BAKE_ID_PATTERN = /^bake-\d{8}-[a-z0-9]{4}$/;

export function isBakeId(value: string): boolean {
  return BAKE_ID_PATTERN.test(value);
}

/**
 * A button click came from the bake's own messages: its root (Cancel), the reply with the next steps (Test, Plan
 * rollout), or any reply in its thread (Slack says `thread_ts` for those).
 */
export function isFromOwnMessage(
  bake: Pick<BakeRecord, 'channel' | 'rootTs' | 'facts'>,
  origin: ButtonOrigin,
): boolean {
  if (bake.rootTs === undefined) return false;
  const messages = [bake.rootTs, bake.facts.nextStepsTs];
  return isClickOn(origin, { channel: bake.channel, messages, thread: bake.rootTs });
}

/**
 * One checkpoint of a bake, in the record's own terms: each field given replaces that field, a step's fields are
 * merged into that step, and a command id is added under its key — never a whole map the writer does not own, so
 * two writers of different facts never undo each other. The repository turns it into its store's update.
 */
export interface BakeCheckpoint {
  status?: BakeStatus;
  outcome?: 'failed' | 'cancelled';
  error?: BakeError;
  endedAt?: Date;
  updatedAt?: Date;
  facts?: Omit<BakeFacts, 'commands'>;
  /** An SSM command id under its key (`facts.commands[key]`). */
  command?: { key: string; id: string };
  steps?: Partial<Record<BakeStepName, Partial<StepProgress>>>;
}

/** A command key is a name of ours (`inventory`, `pull-0-a1`): no dots or `$`, which stores read as paths. */
export const isCommandKey = (key: string): boolean => /^[a-z][a-z0-9-]{0,63}$/.test(key);

/** The checkpoint for one step's progress. */
export function stepCheckpoint(step: BakeStepName, progress: Partial<StepProgress>): BakeCheckpoint {
  return { steps: { [step]: progress } as BakeCheckpoint['steps'] };
}

/** Applies a checkpoint to a record in place, as the store applies it (the runner keeps its copy equal). */
export function applyCheckpoint(bake: BakeRecord, checkpoint: BakeCheckpoint): BakeRecord {
  const { facts, command, steps, ...top } = checkpoint;
  Object.assign(bake, top);
  if (facts) Object.assign(bake.facts, facts);
  if (command) bake.facts.commands = { ...bake.facts.commands, [command.key]: command.id };
  for (const [step, progress] of Object.entries(steps ?? {}) as Array<[BakeStepName, Partial<StepProgress>]>) {
    bake.steps[step] = { ...(bake.steps[step] ?? { state: 'pending' }), ...progress };
  }
  return bake;
}
