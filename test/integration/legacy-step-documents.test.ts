import { afterAll, describe, expect, it } from 'vitest';
import { LEGACY_BAKE_CANCELS, LEGACY_TEST_CANCELS } from '../../src/adapters/mongo/legacy-cancels.js';
import { LEGACY_CHANGE_STEPS, type LegacyStepDoc, legacyFolds } from '../../src/adapters/mongo/legacy-change-steps.js';
import { LEGACY_REVIEW_EVENTS } from '../../src/adapters/mongo/legacy-review-events.js';
import { createMongoStateStore } from '../../src/adapters/mongo/state-store.js';
import type { BakeRecord } from '../../src/bake/bake-record.js';
import type { StateStore } from '../../src/ports/state-store.js';
import type { ReviewEvent } from '../../src/review/review-record.js';
import type { TickLease } from '../../src/review/tick-repo.js';
import type { AmiTestRecord } from '../../src/rollout/ami-test-record.js';
import type { ApplyResult, ChangeRecord } from '../../src/rollout/change-record.js';
import { sampleBake } from '../contract/state-store.contract.js';
import { mongoTestUri, newMongoClient, uniqueDbName } from '../support/mongo.js';
import { sampleChange, sampleTest, T0 } from '../support/rollout-fixtures.js';
import { sampleReviewDoc } from '../support/sample-review.js';

const later = (ms: number) => new Date(T0.getTime() + ms);
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const result: ApplyResult = {
  status: 'applied',
  at: later(30 * MINUTE),
  applied: ['tier-000'],
  conflicts: [],
  verified: ['tier-000'],
  unverified: [],
};

const opened: StateStore[] = [];
const client = newMongoClient();
afterAll(async () => {
  await Promise.all(opened.map((store) => store.close()));
  await client.close();
});
const open = async (database: string) => {
  const store = await createMongoStateStore({ uri: mongoTestUri(), database });
  opened.push(store);
  return store;
};

/**
 * Changes as the previous release left them: steps in `change_steps`, the change document carrying the mirror it
 * wrote after each step, or not (a process that died between the step and its mirror).
 */
async function writeLegacy(database: string) {
  const db = client.db(database);
  const decided = (id: string) => ({ outcome: 'approved' as const, by: `U0APPROVER${id}`, at: later(MINUTE) });
  // 1. Approved; the process died before mirroring the decision: the document still says pending.
  const unmirrored = sampleChange({ status: 'pending' });
  // 2. Applying, taken over once (attempts 1 and 2), a reminder sent; mirror of attempt 1 only, no reminder mirror.
  const takenOver = sampleChange({
    status: 'applying',
    decision: decided('b'),
    apply: { owner: 'old-a', at: later(2 * MINUTE), attempt: 1 },
  });
  // 3. Applied, mirrored in full, and noted the old way (a note document per field).
  const applied = sampleChange({ status: 'applied', decision: decided('c'), result, threadTs: undefined });
  delete (applied as Partial<ChangeRecord>).threadTs;
  await db.collection<ChangeRecord>('changes').insertMany([unmirrored, takenOver, applied]);
  const steps: LegacyStepDoc[] = [
    { _id: `${unmirrored._id}:decision`, changeId: unmirrored._id, kind: 'decision', decision: decided('a') },
    { _id: `${takenOver._id}:decision`, changeId: takenOver._id, kind: 'decision', decision: decided('b') },
    {
      _id: `${takenOver._id}:apply:1`,
      changeId: takenOver._id,
      kind: 'apply',
      apply: { owner: 'old-a', at: later(2 * MINUTE), attempt: 1 },
    },
    {
      _id: `${takenOver._id}:apply:2`,
      changeId: takenOver._id,
      kind: 'apply',
      apply: { owner: 'old-b', at: later(20 * MINUTE), attempt: 2 },
    },
    { _id: `${takenOver._id}:reminder`, changeId: takenOver._id, kind: 'reminder', at: later(3 * MINUTE) },
    { _id: `${applied._id}:decision`, changeId: applied._id, kind: 'decision', decision: decided('c') },
    { _id: `${applied._id}:result`, changeId: applied._id, kind: 'result', result },
    {
      _id: `${applied._id}:note:threadTs`,
      changeId: applied._id,
      kind: 'note',
      notes: { threadTs: '1700000000.000900' },
    },
  ];
  await db.collection<LegacyStepDoc>(LEGACY_CHANGE_STEPS).insertMany(steps);
  return { unmirrored, takenOver, applied };
}

describe('changes written by the previous release (step documents) on FerretDB', () => {
  it('read whole after start-up: decisions, the latest apply attempt, results, reminders and notes', async () => {
    const database = uniqueDbName('legacy');
    const { unmirrored, takenOver, applied } = await writeLegacy(database);
    // Two replicas start at once on the old data, a third later: the migration is idempotent.
    const [a, b] = await Promise.all([open(database), open(database)]);
    const c = await open(database);
    for (const store of [a, b, c]) {
      const first = await store.changes.get(unmirrored._id);
      expect(first?.status).toBe('approved');
      expect(first?.decision?.by).toBe('U0APPROVERa');
      const second = await store.changes.get(takenOver._id);
      expect(second?.status).toBe('applying');
      expect(second?.apply).toEqual({ owner: 'old-b', at: later(20 * MINUTE), attempt: 2 });
      expect(second?.reminderSentAt).toEqual(later(3 * MINUTE));
      const third = await store.changes.get(applied._id);
      expect(third?.status).toBe('applied');
      expect(third?.result).toEqual(result);
      expect(third?.threadTs).toBe('1700000000.000900');
      expect((await store.changes.listOpen()).map((change) => change._id).sort()).toEqual(
        [unmirrored._id, takenOver._id].sort(),
      );
    }
    // The facts live on the change documents now (the status mirror too); the step documents are gone.
    const raw = await client.db(database).collection<ChangeRecord>('changes').findOne({ _id: unmirrored._id });
    expect(raw?.status).toBe('approved');
    expect(raw?.decision?.by).toBe('U0APPROVERa');
    expect(await client.db(database).collection(LEGACY_CHANGE_STEPS).countDocuments()).toBe(0);
  });

  it('the guards hold on migrated changes: decided once, attempt 3 takes over attempt 2, the first result stays', async () => {
    const database = uniqueDbName('legacy-guards');
    const { unmirrored, takenOver, applied } = await writeLegacy(database);
    const store = await open(database);
    const reject = { outcome: 'rejected' as const, by: 'U0OTHER', at: later(MINUTE) };
    expect(await store.changes.decide(unmirrored._id, reject)).toBe(false);
    expect((await store.changes.get(unmirrored._id))?.decision?.outcome).toBe('approved');
    // Attempt 2 (started at +20 min) is not stale before +20 min; it is after.
    expect(await store.changes.claimApply(takenOver._id, 'new', later(40 * MINUTE), later(10 * MINUTE))).toBe(false);
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        store.changes.claimApply(takenOver._id, `new-${i}`, later(40 * MINUTE), later(30 * MINUTE)),
      ),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect((await store.changes.get(takenOver._id))?.apply?.attempt).toBe(3);
    expect(await store.changes.claimReminder(takenOver._id, later(41 * MINUTE))).toBe(false);
    expect(await store.changes.finishApply(applied._id, { ...result, status: 'failed' })).toBe(false);
    expect((await store.changes.get(applied._id))?.result?.status).toBe('applied');
  });
});

describe('legacyFolds (pure): what a legacy change lacks, each behind its own guard', () => {
  it('nothing to fold when the document already has every fact; a newer apply attempt only when it is newer', () => {
    const change = sampleChange({
      status: 'applying',
      decision: { outcome: 'approved', by: 'U1', at: later(MINUTE) },
      apply: { owner: 'x', at: later(2 * MINUTE), attempt: 2 },
    });
    const older: LegacyStepDoc = {
      _id: `${change._id}:apply:1`,
      changeId: change._id,
      kind: 'apply',
      apply: { owner: 'y', at: later(MINUTE), attempt: 1 },
    };
    expect(legacyFolds(change, [older])).toEqual([]);
    const newer: LegacyStepDoc = { ...older, _id: `${change._id}:apply:3`, apply: { ...older.apply, attempt: 3 } };
    const [fold] = legacyFolds(change, [older, newer]);
    expect(fold?.filter).toEqual({
      _id: change._id,
      $or: [{ apply: { $exists: false } }, { 'apply.attempt': { $lt: 3 } }],
    });
    expect(fold?.update).toEqual({ $set: { apply: newer.apply, status: 'applying' } });
  });

  it('the status mirror of each fold is the document as it stands after it: decision, then apply, then result', () => {
    const change = sampleChange({ status: 'pending' });
    const id = change._id;
    const folds = legacyFolds(change, [
      { _id: `${id}:result`, changeId: id, kind: 'result', result },
      { _id: `${id}:apply:1`, changeId: id, kind: 'apply', apply: { owner: 'x', at: later(2 * MINUTE), attempt: 1 } },
      { _id: `${id}:decision`, changeId: id, kind: 'decision', decision: { outcome: 'approved', by: 'U', at: T0 } },
    ]);
    expect(folds.map((fold) => (fold.update.$set as { status: string }).status)).toEqual([
      'approved',
      'applying',
      'applied',
    ]);
  });
});

describe('AMI test cancels written by the previous release (ami_test_cancels) on FerretDB', () => {
  it('are on their tests after start-up, the first request still the winner, and the documents are gone', async () => {
    const database = uniqueDbName('legacy-cancels');
    const db = client.db(database);
    const cancelled = sampleTest({ status: 'running' });
    const both = sampleTest({ status: 'running', cancelRequested: { by: 'U0FIRST', at: later(MINUTE) } });
    const untouched = sampleTest({ status: 'running' });
    await db.collection<AmiTestRecord>('ami_tests').insertMany([cancelled, both, untouched]);
    await db.collection<{ _id: string; by: string; at: Date }>(LEGACY_TEST_CANCELS).insertMany([
      { _id: cancelled._id, by: 'U0CANCELLER', at: later(2 * MINUTE) },
      // A request the document already carries an earlier one of: the earlier stays.
      { _id: both._id, by: 'U0SECOND', at: later(3 * MINUTE) },
    ]);
    const [a, b] = await Promise.all([open(database), open(database)]);
    for (const store of [a, b, await open(database)]) {
      expect((await store.amiTests.get(cancelled._id))?.cancelRequested).toEqual({
        by: 'U0CANCELLER',
        at: later(2 * MINUTE),
      });
      expect((await store.amiTests.get(both._id))?.cancelRequested?.by).toBe('U0FIRST');
      expect((await store.amiTests.get(untouched._id))?.cancelRequested).toBeUndefined();
    }
    expect(await db.collection(LEGACY_TEST_CANCELS).countDocuments()).toBe(0);
    // The guard holds on a folded test: a later request changes nothing.
    expect((await a.amiTests.requestCancel(cancelled._id, 'U0LATE', later(HOUR)))?.cancelRequested?.by).toBe(
      'U0CANCELLER',
    );
  });
});

describe('bakes written by the previous release (bake_cancels, bake_claims, leaseEpoch) on FerretDB', () => {
  it('a cancel request is on its bake after start-up; the old claim epoch is neither shown nor needed', async () => {
    const database = uniqueDbName('legacy-bakes');
    const db = client.db(database);
    const [running, other] = [sampleBake(), sampleBake()];
    // As the previous release stored them: a lease epoch on the bake, its claim documents, a cancel beside it.
    await db.collection<BakeRecord & { leaseEpoch: number }>('bakes').insertMany([
      { ...running, lease: { owner: 'old', until: later(MINUTE) }, leaseEpoch: 2 },
      { ...other, leaseEpoch: 1 },
    ]);
    await db.collection<{ _id: string; owner: string; at: Date }>('bake_claims').insertMany([
      { _id: `${running._id}:1`, owner: 'older', at: T0 },
      { _id: `${running._id}:2`, owner: 'old', at: T0 },
    ]);
    await db.collection<{ _id: string; by: string; at: Date }>(LEGACY_BAKE_CANCELS).insertOne({
      _id: running._id,
      by: 'U0CANCELLER',
      at: later(MINUTE),
    });
    const [a, b] = await Promise.all([open(database), open(database)]);
    for (const store of [a, b]) {
      const bake = await store.bakes.get(running._id);
      expect(bake?.cancelRequested).toEqual({ by: 'U0CANCELLER', at: later(MINUTE) });
      expect(bake).not.toHaveProperty('leaseEpoch');
      expect((await store.bakes.get(other._id))?.cancelRequested).toBeUndefined();
    }
    expect(await db.collection(LEGACY_BAKE_CANCELS).countDocuments()).toBe(0);
    // The old lease runs out; of 10 new runners exactly one takes it over, and a later cancel changes nothing.
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) => a.bakes.claim(running._id, `new-${i}`, later(2 * MINUTE), later(HOUR))),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect((await a.bakes.requestCancel(running._id, 'U0LATE', later(3 * MINUTE)))?.cancelRequested?.by).toBe(
      'U0CANCELLER',
    );
  });
});

describe('review events written by the previous release (review_events) on FerretDB', () => {
  it('are on their reviews after start-up: closed stays closed, reminders count, and the first event still wins', async () => {
    const database = uniqueDbName('legacy-reviews');
    const seed = await open(database);
    const closed = sampleReviewDoc({ _id: 'review-acme-20261001T070000Z' });
    const reminded = sampleReviewDoc({ _id: 'review-beta-20261001T070000Z', deployment: 'beta' });
    expect(await seed.reviews.insert(closed)).toBe(true);
    expect(await seed.reviews.insert(reminded)).toBe(true);
    // The previous release's events, beside the reviews.
    await client
      .db(database)
      .collection<ReviewEvent & { _id: string; reviewId: string }>(LEGACY_REVIEW_EVENTS)
      .insertMany([
        {
          _id: `${closed._id}|close`,
          reviewId: closed._id,
          kind: 'close',
          outcome: 'reviewed',
          by: 'U0OPS',
          at: later(MINUTE),
        },
        { _id: `${reminded._id}|reminder-1`, reviewId: reminded._id, kind: 'reminder', n: 1, at: later(HOUR) },
        {
          _id: `${reminded._id}|reminder-1-posted`,
          reviewId: reminded._id,
          kind: 'reminder-posted',
          n: 1,
          ts: '1700000000.000200',
          at: later(HOUR),
        },
      ]);
    // This release reads no event documents: before the next start folds them in, the reminder is not seen.
    expect((await seed.reviews.get(reminded._id))?.followUps).toBe(0);
    const [a, b] = await Promise.all([open(database), open(database)]);
    for (const store of [a, b]) {
      expect((await store.reviews.get(closed._id))?.status).toBe('reviewed');
      const after = await store.reviews.get(reminded._id);
      expect(after?.status).toBe('open');
      expect(after?.followUps).toBe(1);
      expect(after?.reminders).toEqual([{ n: 1, ts: '1700000000.000200', at: later(HOUR) }]);
      expect((await store.reviews.listOpen()).map((review) => review._id)).toEqual([reminded._id]);
    }
    expect(await client.db(database).collection(LEGACY_REVIEW_EVENTS).countDocuments()).toBe(0);
    expect(await a.reviews.record(reminded._id, { kind: 'reminder', n: 1, at: later(2 * HOUR) })).toBe(false);
    expect(await a.reviews.record(reminded._id, { kind: 'reminder', n: 2, at: later(2 * HOUR) })).toBe(true);
  });
});

describe('tick take-overs written by the previous release (a document per generation) on FerretDB', () => {
  it('the lease is its newest generation after start-up, and one more take-over goes to exactly one racer', async () => {
    const database = uniqueDbName('legacy-ticks');
    const key = 'ami-review:acme:2026-10-01T07:00:00.000Z';
    const done = 'ami-review:beta:2026-10-01T07:00:00.000Z';
    const lease = (tick: string, gen: number, extra: Partial<TickLease> = {}): TickLease => ({
      _id: gen === 0 ? tick : `${tick}#${gen}`,
      tick,
      gen,
      owner: `old-${gen}`,
      claimedAt: later(gen * MINUTE),
      until: later((gen + 1) * MINUTE),
      ...extra,
    });
    await client
      .db(database)
      .collection<TickLease>('ticks')
      .insertMany([
        lease(key, 0),
        lease(key, 1, { releasedAt: later(90_000) }),
        lease(key, 2),
        lease(done, 0),
        lease(done, 1, { doneAt: later(MINUTE) }),
      ]);
    const [a, b] = await Promise.all([open(database), open(database)]);
    for (const store of [a, b]) {
      expect(await store.ticks.get(key)).toEqual({ ...lease(key, 2), _id: key });
      expect((await store.ticks.get(done))?.doneAt).toEqual(later(MINUTE));
    }
    expect(await client.db(database).collection('ticks').countDocuments()).toBe(2);
    const claims = await Promise.all(
      Array.from({ length: 10 }, (_, i) => a.ticks.claim(key, `new-${i}`, later(HOUR), later(2 * HOUR))),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect((await a.ticks.get(key))?.gen).toBe(3);
    expect(await a.ticks.claim(done, 'new', later(HOUR), later(2 * HOUR))).toBe(false);
  });
});
