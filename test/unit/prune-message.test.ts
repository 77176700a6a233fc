import { describe, expect, it } from 'vitest';
import type { PruneRecord } from '../../src/lifecycle/prune-record.js';
import { pruneView } from '../../src/lifecycle/prune-text.js';
import { pruneMessage } from '../../src/slack/blocks/prune-message.js';
import { blockKitProblems } from '../support/rollout-fixtures.js';

const T0 = new Date('2026-12-01T09:00:00Z');
const HOSTILE = '<!channel> <https://evil.example|approve> *bold*';

function record(over: Partial<PruneRecord> = {}, retire = 1): PruneRecord {
  return {
    _id: 'prn-20261201-ab12',
    deployment: 'acme',
    requester: 'U0PLANNER1',
    createdAt: T0,
    deadline: new Date(T0.getTime() + 86_400_000),
    plan: {
      deployment: 'acme',
      at: T0,
      policy: { keepLast: 3, keepDays: 90 },
      kept: [{ imageId: 'ami-0keep', name: HOSTILE, reason: { kind: 'newest', rank: 1, keepLast: 3 } }],
      retire: Array.from({ length: retire }, (_, i) => ({
        imageId: `ami-0old${i}`,
        name: `${HOSTILE} ${i}`,
        snapshotIds: ['snap-0old'],
        sizeGiB: 50,
        reason: { kind: 'superseded' as const, rank: 4 + i, ageDays: 120 },
        protection: { state: 'off' as const },
      })),
      orphanSnapshots: [{ id: 'snap-0orphan', sizeGiB: 8, imageId: 'ami-0gone' }],
      deprecate: [],
    },
    outcomes: {},
    ...over,
  };
}

const json = (m: ReturnType<typeof pruneMessage>) => JSON.stringify(m.blocks);

describe('the prune approval message', () => {
  it('lists what is retired and kept, escapes outside text, and offers Approve / Reject while pending', () => {
    const message = pruneMessage(pruneView(record()));
    expect(message.text).toContain('retire 1 AMI with its snapshots and 1 orphaned snapshot, 58 GiB');
    expect(json(message)).toContain('would be retired: superseded (number 4 by age, 120 d old), 50 GiB');
    expect(json(message)).toContain('snapshot `snap-0orphan`: its image is gone, 8 GiB');
    expect(json(message)).toContain('kept: newest 1 of the last 3');
    expect(json(message)).not.toContain('<!channel>');
    expect(json(message)).toContain('ami_prune_approve');
    expect(json(message)).toContain('Awaiting an approver (not <@U0PLANNER1>)');
    expect(blockKitProblems(message)).toEqual([]);
  });

  it('shows the decision and drops the buttons once decided; a plan with nothing to retire has none', () => {
    const decided = pruneMessage(pruneView(record({ decision: { outcome: 'rejected', by: 'U0APPROVE1', at: T0 } })));
    expect(json(decided)).toContain('Rejected by <@U0APPROVE1>');
    expect(json(decided)).not.toContain('ami_prune_approve');
    const empty = record({}, 0);
    empty.plan.orphanSnapshots = [];
    expect(json(pruneMessage(pruneView(empty)))).not.toContain('ami_prune_approve');
    expect(json(pruneMessage(pruneView(empty)))).toContain('Nothing to retire');
  });

  it('stays within Block Kit limits for 500 AMIs', () => {
    expect(blockKitProblems(pruneMessage(pruneView(record({}, 500))))).toEqual([]);
  });
});
