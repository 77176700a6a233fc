import { type ButtonOrigin, isClickOn } from '../shared/button-origin.js';
import { newShortId } from './change-record.js';
import type { TargetProgress, TargetUpdate } from './rollout-target.js';

/** A test of an AMI on the deployment's test tier: what ran, where, and the seconds spent in each state. */

/** `unproven`: the job reached Running but ami-bot could not show it ran on an executor booted from the AMI. */
export type AmiTestStatus = 'running' | 'passed' | 'failed' | 'unproven' | 'cancelled' | 'error';

/** The executor that ran the test job: of the test tier, booted from the AMI under test after the test began. */
export interface TestExecutor {
  instanceId: string;
  imageId: string;
  launchTime: Date;
}

export interface AmiTestRecord {
  _id: string;
  deployment: string;
  requester: string;
  amiId: string;
  amiName?: string;
  bakeId?: string;
  tierId: string;
  /** How the tier's `_id` is stored (absent on records written before tier keys). */
  tierIdType?: 'objectId' | 'string';
  tierLabel: string;
  /**
   * The Domino hardware tier the job was started on, when it is not `tierId` (a test node group: the hardware tier
   * of its node pool). Absent: the test target is a tier and the job ran on it.
   */
  hardwareTierId?: string;
  /** The move that pointed the test target at the AMI (absent when it already ran it): a takeover finishes it. */
  switch?: TargetUpdate;
  /** When the switch began: a node or executor that ran the job must have been launched after it. */
  switchStartedAt?: Date;
  /** What the switch and the restore saved before they waited (EKS: the version made, the update id). */
  switchProgress?: TargetProgress[];
  restoreProgress?: TargetProgress[];
  /** The test tier's AMI before the test pointed it at `amiId`. */
  previousAmi: string;
  channel: string;
  threadTs?: string;
  messageTs?: string;
  jobId?: string;
  status: AmiTestStatus;
  /** Executors of the test tier already up on another AMI: the job may land there and prove nothing. */
  staleExecutors: Array<{ id: string; imageId: string; state: string }>;
  /** Which instance ran the job (proof), or why that could not be shown (`unproven`). */
  executor?: TestExecutor;
  unproven?: string;
  /** `--keep`: the test tier stays on the AMI after the test instead of going back to `previousAmi`. */
  keep?: boolean;
  /** What happened to the test tier when the test ended. */
  restore?: { at: Date; outcome: 'restored' | 'kept' | 'changed' | 'failed'; detail?: string };
  /** Seconds per Domino execution status, in the order first seen. */
  seconds: Record<string, number>;
  statesSeen: string[];
  lastStatus?: string;
  /** Seconds from the start request until the job was first seen Running. */
  toRunningSeconds?: number;
  pullPassSeconds: number;
  reason?: string;
  cancelRequested?: { by: string; at: Date };
  createdAt: Date;
  endedAt?: Date;
}

export const TEST_ID_PATTERN = /^test-\d{8}-[a-z0-9]{4}$/;

export function isTestId(value: string): boolean {
  return TEST_ID_PATTERN.test(value);
}

export const newTestId = (now: Date) => newShortId('test', now);

export function isTestFinished(test: Pick<AmiTestRecord, 'status'>): boolean {
  return test.status !== 'running';
}

/** A button click came from the test's own message (Cancel test). */
export function isFromOwnMessage(test: Pick<AmiTestRecord, 'channel' | 'messageTs'>, origin: ButtonOrigin): boolean {
  return isClickOn(origin, { channel: test.channel, messages: [test.messageTs] });
}

/** The cancel guard (pure; both stores apply it): only a running test is cancelled, and the first request wins. */
export function isCancelAllowed(test: Pick<AmiTestRecord, 'status' | 'cancelRequested'>): boolean {
  return test.status === 'running' && test.cancelRequested === undefined;
}
