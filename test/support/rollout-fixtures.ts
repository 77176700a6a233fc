// Change and test records for builder and store tests: realistic shapes, any size.
import type { Block } from '../../src/ports/chat.js';
import type { AmiTestRecord } from '../../src/rollout/ami-test-record.js';
import type { ChangeRecord, TierUpdatePlan } from '../../src/rollout/change-record.js';
import { blockKitErrors } from '../../src/sim/block-kit-limits.js';

export const T0 = new Date('2026-11-28T10:00:00Z');
export const NEW_AMI = 'ami-0a1b2c3d4e5f60718';
export const OLD_AMI = 'ami-0f1e2d3c4b5a69788';

let seq = 0;

export function tierUpdates(count: number, from = OLD_AMI, to = NEW_AMI): TierUpdatePlan[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `tier-${String(i).padStart(3, '0')}`,
    idType: 'string' as const,
    label: `Hardware tier number ${i} (m5.${(i % 8) + 1}xlarge, 32 GiB)`,
    executorImage: from,
    from,
    to,
  }));
}

export function sampleChange(overrides: Partial<ChangeRecord> = {}): ChangeRecord {
  seq++;
  const updates = overrides.updates ?? tierUpdates(3);
  return {
    _id: `chg-20261128-${String(seq).padStart(4, '0')}`,
    kind: 'rollout',
    deployment: 'acme',
    requester: 'U0ADMIN01',
    createdAt: new Date(T0.getTime() + seq * 1000),
    deadline: new Date(T0.getTime() + 24 * 3_600_000),
    targetAmi: NEW_AMI,
    targetAmiName: 'domino-acme-executor-20261128-0900',
    snapshot: updates.map(({ id, idType, label, executorImage }) => ({ id, idType, label, executorImage })),
    updates,
    skipped: [],
    unchanged: [],
    channel: 'C0OPS00001',
    threadTs: '1700000000.000100',
    status: 'pending',
    ...overrides,
  };
}

export function sampleTest(overrides: Partial<AmiTestRecord> = {}): AmiTestRecord {
  seq++;
  return {
    _id: `test-20261128-${String(seq).padStart(4, '0')}`,
    deployment: 'acme',
    requester: 'U0ADMIN01',
    amiId: NEW_AMI,
    tierId: 'test-tier',
    tierLabel: 'AMI test tier',
    previousAmi: OLD_AMI,
    channel: 'C0OPS00001',
    status: 'running',
    staleExecutors: [],
    seconds: {},
    statesSeen: [],
    pullPassSeconds: 5,
    createdAt: new Date(T0.getTime() + seq * 1000),
    ...overrides,
  };
}

function texts(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) for (const v of value) texts(v, out);
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === 'text' && typeof v === 'string') out.push(v);
      else texts(v, out);
    }
  }
  return out;
}

/** Every limit Slack enforces on a message (and the ~13k total at which it answers msg_blocks_too_long). */
export function blockKitProblems(message: { text: string; blocks?: Block[] }): string[] {
  const problems = message.blocks ? blockKitErrors(message.blocks) : [];
  if (message.text.length > 4_000) problems.push(`message text ${message.text.length} > 4000`);
  if ((message.blocks?.length ?? 0) > 50) problems.push(`${message.blocks?.length} blocks > 50`);
  for (const block of message.blocks ?? []) {
    if (block.type === 'context') {
      for (const element of block.elements as Array<{ text?: string }>) {
        if ((element.text?.length ?? 0) > 2_000) problems.push(`context element ${element.text?.length} > 2000`);
      }
    }
  }
  const total = texts(message.blocks ?? []).join('').length;
  if (total > 12_000) problems.push(`blocks carry ${total} chars of text > 12000`);
  return problems;
}

export function allText(message: { text: string; blocks?: Block[] }): string {
  return [message.text, ...texts(message.blocks ?? [])].join('\n');
}
