import { type ButtonOrigin, isClickOn } from '../shared/button-origin.js';
import { newShortId } from './change-record.js';

/** A test of an AMI on the deployment's test tier: what ran, where, and the seconds spent in each state. */

export type AmiTestStatus = 'running' | 'passed' | 'failed' | 'cancelled' | 'error';

export interface AmiTestRecord {
  _id: string;
  deployment: string;
  requester: string;
  amiId: string;
  amiName?: string;
  bakeId?: string;
  tierId: string;
  tierLabel: string;
  /** The test tier's AMI before the test pointed it at `amiId`. */
  previousAmi: string;
  channel: string;
  threadTs?: string;
  messageTs?: string;
  jobId?: string;
  status: AmiTestStatus;
  /** Executors of the test tier already up on another AMI: the job may land there and prove nothing. */
  staleExecutors: Array<{ id: string; imageId: string; state: string }>;
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
