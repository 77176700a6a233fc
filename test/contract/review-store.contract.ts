import { beforeEach, describe, expect, it } from 'vitest';
import type { StateStore } from '../../src/ports/state-store.js';
import { sampleReviewDoc } from '../support/sample-review.js';

const t0 = new Date('2026-10-01T07:00:00Z');
const later = (ms: number) => new Date(t0.getTime() + ms);
const DAY = 86_400_000;
let counter = 0;
const uniqueKey = () => `ami-review:acme:${new Date(t0.getTime() + ++counter * 60_000).toISOString()}`;
const uniqueId = () => `review-acme-20261001T${String(++counter).padStart(6, '0')}Z`;

/** Tick leases and reviews behave the same on MongoDB (FerretDB) and in memory. */
export function reviewStoreContract(name: string, open: () => Promise<StateStore>): void {
  describe(`tick and review repos: ${name}`, () => {
    let store: StateStore;
    beforeEach(async () => {
      store = await open();
    });

    it('a tick lease goes to one claimer; nobody takes a done tick', async () => {
      const key = uniqueKey();
      expect(await store.ticks.claim(key, 'p1', t0, later(600_000))).toBe(true);
      expect(await store.ticks.claim(key, 'p2', later(1_000), later(601_000))).toBe(false);
      await store.ticks.complete(key, 'p2', later(2_000));
      expect((await store.ticks.get(key))?.doneAt).toBeUndefined();
      await store.ticks.complete(key, 'p1', later(3_000));
      expect((await store.ticks.get(key))?.doneAt?.getTime()).toBe(later(3_000).getTime());
      expect(await store.ticks.claim(key, 'p2', later(3_600_000), later(4_200_000))).toBe(false);
    });

    it('an unfinished lease past its end is taken over by exactly one of several racers', async () => {
      const key = uniqueKey();
      expect(await store.ticks.claim(key, 'dead', t0, later(600_000))).toBe(true);
      expect(await store.ticks.claim(key, 'p2', later(599_000), later(1_199_000))).toBe(false);
      const racers = await Promise.all(
        ['p2', 'p3', 'p4', 'p5', 'p6'].map((owner) => store.ticks.claim(key, owner, later(601_000), later(1_201_000))),
      );
      expect(racers.filter(Boolean)).toHaveLength(1);
      const lease = await store.ticks.get(key);
      expect(lease?.gen).toBe(1);
      // The presumed-dead holder finishing late marks only its own lease; the tick stays with the new holder.
      await store.ticks.release(key, 'dead', later(602_000));
      expect((await store.ticks.get(key))?.owner).toBe(lease?.owner);
    });

    it('a released tick (its run failed) can be claimed again, once', async () => {
      const key = uniqueKey();
      expect(await store.ticks.claim(key, 'p1', t0, later(600_000))).toBe(true);
      await store.ticks.release(key, 'p1', later(1_000));
      const racers = await Promise.all(
        ['p2', 'p3', 'p4'].map((owner) => store.ticks.claim(key, owner, later(2_000), later(602_000))),
      );
      expect(racers.filter(Boolean)).toHaveLength(1);
    });

    it('20 concurrent claims of one tick: exactly one wins', async () => {
      const key = uniqueKey();
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => store.ticks.claim(key, `p${i}`, t0, later(600_000))),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
    });

    it('inserts a review once and reads it back, Dates intact, open with its first reminder planned', async () => {
      const doc = sampleReviewDoc({ _id: uniqueId(), deployment: `d${counter}` });
      expect(await store.reviews.insert(doc)).toBe(true);
      expect(await store.reviews.insert({ ...doc, channel: 'C0OTHER01' })).toBe(false);
      const got = await store.reviews.get(doc._id);
      expect(got?.channel).toBe(doc.channel);
      expect(got?.status).toBe('open');
      expect(got?.nextReminderAt?.getTime()).toBe(later(7 * DAY).getTime());
      expect(got?.report.generatedAt).toBeInstanceOf(Date);
      expect(got?.report.tiers?.[0]?.label).toBe('Small');
      await store.reviews.setMessageTs(doc._id, '1700000000.000900');
      expect((await store.reviews.get(doc._id))?.messageTs).toBe('1700000000.000900');
      expect(await store.reviews.get('review-acme-20990101T000000Z')).toBeUndefined();
    });

    it('concurrent clicks: one close event wins, the review is closed by that admin', async () => {
      const doc = sampleReviewDoc({ _id: uniqueId(), deployment: `d${counter}` });
      await store.reviews.insert(doc);
      const clicks = await Promise.all(
        ['U1', 'U2', 'U3', 'U4'].map((by) =>
          store.reviews.record(doc._id, { kind: 'close', outcome: 'reviewed', by, at: later(1_000) }),
        ),
      );
      expect(clicks.filter(Boolean)).toHaveLength(1);
      const saved = await store.reviews.get(doc._id);
      expect(saved?.status).toBe('reviewed');
      expect(['U1', 'U2', 'U3', 'U4'][clicks.indexOf(true)]).toBe(saved?.reviewed?.by);
      expect(saved?.nextReminderAt).toBeUndefined();
    });

    it('a withdrawn close reopens the review; reminders and snoozes drive the next reminder', async () => {
      const doc = sampleReviewDoc({ _id: uniqueId(), deployment: `d${counter}` });
      await store.reviews.insert(doc);
      expect(await store.reviews.record(doc._id, { kind: 'close', outcome: 'bake', by: 'U1', at: t0 })).toBe(true);
      expect((await store.reviews.get(doc._id))?.status).toBe('starting-bake');
      await store.reviews.withdraw(doc._id, 'close');
      expect((await store.reviews.get(doc._id))?.status).toBe('open');
      const reminders = await Promise.all(
        [1, 2, 3].map(() => store.reviews.record(doc._id, { kind: 'reminder', n: 1, at: later(7 * DAY) })),
      );
      expect(reminders.filter(Boolean)).toHaveLength(1);
      await store.reviews.record(doc._id, {
        kind: 'reminder-posted',
        n: 1,
        ts: '1700000000.000901',
        at: later(7 * DAY),
      });
      let got = await store.reviews.get(doc._id);
      expect(got?.followUps).toBe(1);
      expect(got?.reminders).toEqual([{ n: 1, ts: '1700000000.000901', at: later(7 * DAY) }]);
      expect(got?.nextReminderAt?.getTime()).toBe(later(14 * DAY).getTime());
      await store.reviews.record(doc._id, {
        kind: 'snooze',
        n: 1,
        by: 'U2',
        at: later(8 * DAY),
        until: later(15 * DAY),
      });
      got = await store.reviews.get(doc._id);
      expect(got?.snoozed?.by).toBe('U2');
      expect(got?.nextReminderAt?.getTime()).toBe(later(15 * DAY).getTime());
    });

    it('lists the open ones among the newest three reviews of a deployment, and the ones due', async () => {
      const deployment = `list${++counter}`;
      const a = sampleReviewDoc({ _id: uniqueId(), deployment, createdAt: t0 });
      const b = sampleReviewDoc({ _id: uniqueId(), deployment, createdAt: later(DAY) });
      const c = sampleReviewDoc({ _id: uniqueId(), deployment, createdAt: later(2 * DAY) });
      const d = sampleReviewDoc({ _id: uniqueId(), deployment, createdAt: later(3 * DAY) });
      const other = sampleReviewDoc({ _id: uniqueId(), deployment: `${deployment}x`, createdAt: later(4 * DAY) });
      for (const r of [d, c, b, a, other]) await store.reviews.insert(r);
      await store.reviews.record(c._id, { kind: 'close', outcome: 'reviewed', by: 'U1', at: later(2 * DAY) });
      await store.reviews.record(d._id, { kind: 'close', outcome: 'bake', by: 'U1', at: later(3 * DAY) });
      // `a` is still open but older than the newest three: a newer review would have superseded it.
      expect((await store.reviews.listOpen(deployment)).map((r) => r._id)).toEqual([b._id, d._id]);
      const due = async (at: Date) =>
        (await store.reviews.listDue(at)).filter((r) => r.deployment.startsWith(deployment)).map((r) => r._id);
      expect(await due(later(8 * DAY - 1))).toEqual([]);
      expect(await due(later(8 * DAY))).toEqual([b._id]);
      expect(await due(later(11 * DAY))).toEqual([b._id, other._id]);
    });
  });
}
