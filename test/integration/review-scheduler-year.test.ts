import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { StateStore } from '../../src/ports/state-store.js';
import { useFakeTime } from '../support/fake-time.js';
import { newMongoClient, uniqueDbName } from '../support/mongo.js';
import { HOUR, localStamp, openMongoStore, reminders, replicas, reports } from '../support/review-replicas.js';

const opened: StateStore[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('review scheduler: two replicas on node-cron and one FerretDB database, a year of fake time', () => {
  it('the default quarterly schedule for a year with follow-ups: one report and three reminders per quarter', async () => {
    const database = uniqueDbName('sched');
    const stores = [await openMongoStore(database, opened), await openMongoStore(database, opened)];
    const time = useFakeTime(new Date('2026-01-01T00:00:00Z'));
    const { chat, fixtures, settle } = replicas({ stores, clock: time.clock, followUps: '0 9 * * *' });
    await Promise.all(fixtures.map((f) => f.feature.start()));
    await time.advance(365 * 24 * HOUR, settle);
    await Promise.all(fixtures.map((f) => f.feature.stop()));

    expect(reports(chat)).toHaveLength(4);
    const client = newMongoClient();
    const docs = await client.db(database).collection('reviews').find({}).sort({ tick: 1 }).toArray();
    await client.close();
    expect(docs.map((d) => d.messageTs)).toEqual(reports(chat).map((p) => p.ts));
    expect(docs.map((d) => localStamp(d.tick as Date, 'Europe/Berlin'))).toEqual([
      '2026-01-01 09:00',
      '2026-04-01 09:00',
      '2026-07-01 09:00',
      '2026-10-01 09:00',
    ]);
    // Due n × 7 days after the report; the daily 09:00 UTC check sends it that day, once.
    expect(
      reminders(chat).map((p) => `${localStamp(p.at, 'Europe/Berlin').slice(0, 10)} ${p.text.slice(7, 17)}`),
    ).toEqual([
      '2026-01-08 Reminder 1',
      '2026-01-15 Reminder 2',
      '2026-01-22 Reminder 3',
      '2026-04-08 Reminder 1',
      '2026-04-15 Reminder 2',
      '2026-04-22 Reminder 3',
      '2026-07-08 Reminder 1',
      '2026-07-15 Reminder 2',
      '2026-07-22 Reminder 3',
      '2026-10-08 Reminder 1',
      '2026-10-15 Reminder 2',
      '2026-10-22 Reminder 3',
    ]);
    // The last review is still open, its reminder budget spent.
    const [open] = await stores[1]!.reviews.listOpen('acme');
    expect(open?.followUps).toBe(3);
    expect(open?.nextReminderAt).toBeUndefined();
  }, 120_000);
});
