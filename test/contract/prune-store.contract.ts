import { beforeEach, describe, expect, it } from 'vitest';
import type { PruneRecord } from '../../src/lifecycle/prune-record.js';
import type { StateStore } from '../../src/ports/state-store.js';

const t0 = new Date('2026-12-01T09:00:00Z');
const later = (ms: number) => new Date(t0.getTime() + ms);
let counter = 0;

function samplePrune(deployment = 'acme'): PruneRecord {
  counter += 1;
  return {
    _id: `prn-20261201-${String(counter).padStart(4, '0')}`,
    deployment,
    requester: 'U0PLANNER1',
    createdAt: later(counter * 1000),
    deadline: later(3_600_000),
    plan: {
      deployment,
      at: t0,
      policy: { keepLast: 3, keepDays: 90 },
      kept: [],
      retire: [
        {
          imageId: 'ami-0aaa',
          name: 'domino-acme-executor-20260101-0900',
          createdAt: t0,
          snapshotIds: ['snap-0aaa'],
          sizeGiB: 50,
          reason: { kind: 'superseded', rank: 4, ageDays: 120 },
          protection: { state: 'off' },
        },
      ],
      orphanSnapshots: [{ id: 'snap-0bbb', sizeGiB: 8 }],
      deprecate: [],
    },
    outcomes: {},
  };
}

/** Prune records behave the same on MongoDB (FerretDB) and in memory. */
export function pruneStoreContract(name: string, open: () => Promise<StateStore>): void {
  describe(`prune repo: ${name}`, () => {
    let store: StateStore;
    beforeEach(async () => {
      store = await open();
    });

    it('stores a prune once and reads it back whole, newest first per deployment', async () => {
      const a = samplePrune();
      const b = samplePrune('other');
      expect(await store.prunes.insert(a)).toBe(true);
      expect(await store.prunes.insert(a)).toBe(false);
      expect(await store.prunes.insert(b)).toBe(true);
      expect(await store.prunes.get(a._id)).toEqual(a);
      expect((await store.prunes.listRecent(10, 'acme')).map((p) => p._id)).toContain(a._id);
      expect((await store.prunes.listRecent(10, 'acme')).map((p) => p._id)).not.toContain(b._id);
      expect(await store.prunes.get('prn-20261201-none')).toBeUndefined();
    });

    it('the first decision before the deadline wins; none after it, except an expiry', async () => {
      const p = samplePrune();
      await store.prunes.insert(p);
      expect(await store.prunes.decide(p._id, { outcome: 'approved', by: 'U0APPROVE1', at: later(60_000) })).toBe(true);
      expect(await store.prunes.decide(p._id, { outcome: 'rejected', by: 'U0OTHER01', at: later(61_000) })).toBe(false);
      expect((await store.prunes.get(p._id))?.decision).toMatchObject({ outcome: 'approved', by: 'U0APPROVE1' });
      const q = samplePrune();
      await store.prunes.insert(q);
      expect(await store.prunes.decide(q._id, { outcome: 'approved', by: 'U0APPROVE1', at: later(3_600_000) })).toBe(
        false,
      );
      expect(await store.prunes.decide(q._id, { outcome: 'expired', by: 'ami-bot', at: later(3_600_000) })).toBe(true);
    });

    it('checkpoints each outcome on its own, and the first result wins', async () => {
      const p = samplePrune();
      await store.prunes.insert(p);
      const retired = { kind: 'retired' as const, at: later(1), image: 'deregistered' as const, snapshots: [] };
      const snapshot = { kind: 'snapshot' as const, at: later(2), outcome: 'deleted' as const };
      await Promise.all([
        store.prunes.recordOutcome(p._id, 'retire:ami-0aaa', retired),
        store.prunes.recordOutcome(p._id, 'snapshot:snap-0bbb', snapshot),
      ]);
      expect((await store.prunes.get(p._id))?.outcomes).toEqual({
        'retire:ami-0aaa': retired,
        'snapshot:snap-0bbb': snapshot,
      });
      await store.prunes.noteMessage(p._id, { channel: 'C0OPS00001', ts: '1700000000.000200' });
      expect((await store.prunes.get(p._id))?.message).toEqual({ channel: 'C0OPS00001', ts: '1700000000.000200' });
      const result = { at: later(3), retired: 1, kept: 0, snapshotsDeleted: 1 };
      expect(await store.prunes.finish(p._id, result)).toBe(true);
      expect(await store.prunes.finish(p._id, { ...result, retired: 9 })).toBe(false);
      expect((await store.prunes.get(p._id))?.result).toEqual(result);
    });
  });
}
