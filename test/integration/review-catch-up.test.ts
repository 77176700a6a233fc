import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { StateStore } from '../../src/ports/state-store.js';
import type { TickLease } from '../../src/review/tick-repo.js';
import { useFakeTime } from '../support/fake-time.js';
import { newMongoClient, uniqueDbName } from '../support/mongo.js';
import { countClaims, HOUR, openMongoStore, replicas, reports } from '../support/review-replicas.js';

const opened: StateStore[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});
afterEach(() => {
  vi.useRealTimers();
});

describe('review scheduler: catch-up on start and the node-cron trigger, on FerretDB', () => {
  it('a tick missed while the bot was down is posted once on start, by one of two replicas, within the grace', async () => {
    const database = uniqueDbName('sched');
    const stores = [await openMongoStore(database, opened), await openMongoStore(database, opened)];
    // Tick 2026-10-01 09:00 Berlin (07:00 UTC); both replicas come up at 09:00 UTC, 2 h late.
    const time = useFakeTime(new Date('2026-10-01T09:00:00Z'));
    const { chat, fixtures, settle } = replicas({ stores, clock: time.clock, followUps: '0 12 * * *' });
    const caught = await Promise.all(fixtures.map((f) => f.feature.scheduler.catchUp()));
    expect(caught.sort()).toEqual([0, 1]);
    expect(reports(chat)).toHaveLength(1);
    expect(JSON.stringify(reports(chat)[0]?.blocks)).toContain(
      'scheduled for Thu 1 Oct 2026, 09:00 CEST). Posted late: ami-bot was not running at that time.',
    );
    // A restart later the same morning posts nothing again.
    await time.advance(HOUR, settle);
    await Promise.all(fixtures.map((f) => f.feature.start()));
    await Promise.all(fixtures.map((f) => f.feature.stop()));
    expect(reports(chat)).toHaveLength(1);

    // Seven hours late is past the 6 h grace: nothing is posted for that tick.
    vi.setSystemTime(new Date('2026-10-01T14:00:01Z'));
    const lateDb = uniqueDbName('sched');
    const lateStore = await openMongoStore(lateDb, opened);
    const other = replicas({ stores: [lateStore], clock: time.clock, followUps: '0 12 * * *' });
    expect(await other.fixtures[0]!.feature.scheduler.catchUp()).toBe(0);
    expect(other.chat.posts).toHaveLength(0);
  }, 60_000);

  it('a failed post gives the tick back, so the catch-up on the next start posts it', async () => {
    const database = uniqueDbName('sched');
    const store = await openMongoStore(database, opened);
    const time = useFakeTime(new Date('2026-09-30T23:00:00Z'));
    const { chat, fixtures, settle } = replicas({ stores: [store], clock: time.clock, followUps: '0 12 * * *' });
    const f = fixtures[0]!;
    await f.feature.start();
    chat.failPosts(1);
    await time.advance(9 * HOUR, settle);
    expect(reports(chat)).toHaveLength(0);
    await f.feature.stop();
    await time.advance(HOUR, settle);
    await f.feature.start();
    await f.feature.stop();
    expect(reports(chat)).toHaveLength(1);
    expect((await store.ticks.get('ami-review:acme:2026-10-01T07:00:00.000Z'))?.doneAt).toBeInstanceOf(Date);
  }, 60_000);

  it('production trigger: node-cron in distributed mode every second, two replicas, one post per tick', async () => {
    const database = uniqueDbName('cron');
    const stores = [await openMongoStore(database, opened), await openMongoStore(database, opened)];
    const counts = stores.map(countClaims);
    const time = useFakeTime(new Date('2026-10-01T12:00:00.000Z'));
    const { chat, fixtures, settle } = replicas({
      stores,
      clock: time.clock,
      schedule: '* * * * * *',
      followUps: '0 0 1 1 *',
    });
    // The catch-up on start posts the newest tick of the 6 h grace window (12:00:00, although the window holds
    // 21 600 of them); node-cron then fires at 12:00:01, :02 and :03.
    await Promise.all(fixtures.map((f) => f.feature.start()));
    await time.advance(3_500, settle);
    await Promise.all(fixtures.map((f) => f.feature.stop()));

    const posted = reports(chat);
    expect(posted).toHaveLength(4);
    const client = newMongoClient();
    try {
      const leases = await client.db(database).collection<TickLease>('ticks').find({}).toArray();
      const done = leases.filter((l) => l.doneAt);
      // One post per tick, each tick done once.
      expect(done).toHaveLength(posted.length);
      expect(leases.every((l) => l.gen === 0)).toBe(true);
      expect(new Set(done.map((l) => l.tick)).size).toBe(done.length);
      expect(done.every((l) => /^ami-review:acme:\d{4}-\d\d-\d\dT[\d:]+\.000Z$/.test(l.tick))).toBe(true);
      expect(
        done
          .map((l) => l.tick)
          .sort()
          .slice(1),
      ).toEqual(['01', '02', '03'].map((s) => `ami-review:acme:2026-10-01T12:00:${s}.000Z`));
      expect(done.map((l) => l.tick).sort()[0]).toBe('ami-review:acme:2026-10-01T12:00:00.000Z');
    } finally {
      await client.close();
    }
    // Every done tick was won by exactly one replica.
    expect(counts[0]!.wins + counts[1]!.wins).toBe(4);
    // Both replicas competed for every tick (node-cron fired on each), only the lease winner posted.
    expect(counts.map((c) => c.calls)).toEqual([4, 4]);
  }, 30_000);
});
