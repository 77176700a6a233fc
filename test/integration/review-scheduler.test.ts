import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { StateStore } from '../../src/ports/state-store.js';
import type { TickLease } from '../../src/review/tick-repo.js';
import { useFakeTime } from '../support/fake-time.js';
import { newMongoClient, uniqueDbName } from '../support/mongo.js';
import {
  countClaims,
  HOUR,
  localStamp,
  openMongoStore,
  reminders,
  replicas,
  reports,
} from '../support/review-replicas.js';

const opened: StateStore[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('review scheduler: two replicas on node-cron and one FerretDB database, fake time', () => {
  it('a daily schedule for a quarter: exactly one report per tick, at 09:00 Berlin time across the DST change', async () => {
    const database = uniqueDbName('sched');
    const stores = [await openMongoStore(database, opened), await openMongoStore(database, opened)];
    const counts = stores.map(countClaims);
    const time = useFakeTime(new Date('2026-03-01T00:00:00Z'));
    const { chat, fixtures, settle } = replicas({
      stores,
      clock: time.clock,
      schedule: '0 9 * * *',
      followUps: '0 12 * * *',
    });
    await Promise.all(fixtures.map((f) => f.feature.start()));
    await time.advance(92 * 24 * HOUR, settle);
    await Promise.all(fixtures.map((f) => f.feature.stop()));

    expect(reports(chat)).toHaveLength(92);
    // Each new review superseded the day before's: one open review, no reminders.
    expect(await stores[0]!.reviews.listOpen('acme')).toHaveLength(1);
    expect(reminders(chat)).toHaveLength(0);
    const client = newMongoClient();
    try {
      const db = client.db(database);
      const docs = await db.collection('reviews').find({}).sort({ tick: 1 }).toArray();
      const local = docs.map((d) => localStamp(d.tick as Date, 'Europe/Berlin'));
      expect(new Set(local).size).toBe(92);
      expect(local.every((s) => s.endsWith(' 09:00'))).toBe(true);
      expect([local[0], local.at(-1)]).toEqual(['2026-03-01 09:00', '2026-05-31 09:00']);
      // Berlin moves to summer time on 29 March: 09:00 local moves from 08:00 to 07:00 UTC.
      const utc = new Map(
        docs.map((d) => [localStamp(d.tick as Date, 'Europe/Berlin'), (d.tick as Date).toISOString()]),
      );
      expect(utc.get('2026-03-28 09:00')).toBe('2026-03-28T08:00:00.000Z');
      expect(utc.get('2026-03-29 09:00')).toBe('2026-03-29T07:00:00.000Z');
      const leases = await db.collection<TickLease>('ticks').find({}).toArray();
      expect(leases).toHaveLength(92);
      expect(leases.every((l) => l.gen === 0 && l.doneAt instanceof Date)).toBe(true);
    } finally {
      await client.close();
    }
    // Both replicas tried every tick; the lease let exactly one of them post each.
    expect(counts.map((c) => c.calls)).toEqual([92, 92]);
    expect(counts[0]!.wins + counts[1]!.wins).toBe(92);
  }, 120_000);
});
