import { afterAll, describe, expect, it } from 'vitest';
import type { StateStore } from '../../src/ports/state-store.js';
import type { TickLease } from '../../src/review/tick-repo.js';
import { createSystemClock } from '../../src/shared/system-clock.js';
import { createManualClock } from '../../src/sim/manual-clock.js';
import { newMongoClient, uniqueDbName } from '../support/mongo.js';
import { countClaims, HOUR, openMongoStore, replicas, reports, runFor } from '../support/review-replicas.js';

const opened: StateStore[] = [];
afterAll(async () => {
  await Promise.all(opened.map((s) => s.close()));
});

describe('review scheduler: catch-up on start and the node-cron trigger, on FerretDB', () => {
  it('a tick missed while the bot was down is posted once on start, by one of two replicas, within the grace', async () => {
    const database = uniqueDbName('sched');
    const stores = [await openMongoStore(database, opened), await openMongoStore(database, opened)];
    // Tick 2026-10-01 09:00 Berlin (07:00 UTC); both replicas come up at 09:00 UTC, 2 h late.
    const clock = createManualClock(new Date('2026-10-01T09:00:00Z'));
    const { chat, fixtures } = replicas({ stores, clock, followUps: '0 12 * * *' });
    const caught = await Promise.all(fixtures.map((f) => f.feature.scheduler.catchUp()));
    expect(caught.sort()).toEqual([0, 1]);
    expect(reports(chat)).toHaveLength(1);
    expect(JSON.stringify(reports(chat)[0]?.blocks)).toContain(
      'scheduled for Thu 1 Oct 2026, 09:00 CEST). Posted late: ami-bot was not running at that time.',
    );
    // A restart later the same morning posts nothing again.
    await clock.advance(HOUR);
    await Promise.all(fixtures.map((f) => f.feature.start()));
    await Promise.all(fixtures.map((f) => f.feature.stop()));
    expect(reports(chat)).toHaveLength(1);

    // Seven hours late is past the 6 h grace: nothing is posted for that tick.
    const late = createManualClock(new Date('2026-10-01T14:00:01Z'));
    const lateDb = uniqueDbName('sched');
    const other = replicas({ stores: [await openMongoStore(lateDb, opened)], clock: late, followUps: '0 12 * * *' });
    expect(await other.fixtures[0]!.feature.scheduler.catchUp()).toBe(0);
    expect(other.chat.posts).toHaveLength(0);
  }, 60_000);

  it('a failed post gives the tick back, so the catch-up on the next start posts it', async () => {
    const database = uniqueDbName('sched');
    const store = await openMongoStore(database, opened);
    const clock = createManualClock(new Date('2026-09-30T23:00:00Z'));
    const { chat, fixtures } = replicas({ stores: [store], clock, followUps: '0 12 * * *' });
    const f = fixtures[0]!;
    await f.feature.start();
    chat.failPosts(1);
    await runFor(clock, 9 * HOUR, 1);
    expect(reports(chat)).toHaveLength(0);
    await f.feature.stop();
    await clock.advance(HOUR);
    await f.feature.start();
    await f.feature.stop();
    expect(reports(chat)).toHaveLength(1);
    expect((await store.ticks.get('ami-review:acme:2026-10-01T07:00:00.000Z'))?.doneAt).toBeInstanceOf(Date);
  }, 60_000);

  it('production trigger: real node-cron in distributed mode, two replicas, one post per tick', async () => {
    const database = uniqueDbName('cron');
    const stores = [await openMongoStore(database, opened), await openMongoStore(database, opened)];
    const counts = stores.map(countClaims);
    const clock = createSystemClock();
    const { chat, fixtures } = replicas({
      stores,
      clock,
      trigger: 'cron',
      schedule: '* * * * * *',
      followUps: '0 0 1 1 *',
    });
    await Promise.all(fixtures.map((f) => f.feature.start()));
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    await Promise.all(fixtures.map((f) => f.feature.stop()));
    // A tick that node-cron started just before stop() may still be finishing its post: let it land.
    await new Promise((resolve) => setTimeout(resolve, 1_000));

    const posted = reports(chat);
    expect(posted.length).toBeGreaterThanOrEqual(2);
    let winsExpected = -1;
    const client = newMongoClient();
    try {
      const leases = await client.db(database).collection<TickLease>('ticks').find({}).toArray();
      const done = leases.filter((l) => l.doneAt);
      // One post per tick. A tick node-cron starts in the very moment of stop() may be marked done without
      // its post (the replica is going away); at most that one.
      expect(posted.length).toBeLessThanOrEqual(done.length);
      expect(done.length - posted.length).toBeLessThanOrEqual(1);
      winsExpected = done.length;
      expect(leases.every((l) => l.gen === 0)).toBe(true);
      expect(new Set(done.map((l) => l.tick)).size).toBe(done.length);
      expect(done.every((l) => /^ami-review:acme:\d{4}-\d\d-\d\dT[\d:]+\.000Z$/.test(l.tick))).toBe(true);
    } finally {
      await client.close();
    }
    // Every done tick was won by exactly one replica (a tick won at the moment of stop() may be unfinished).
    const wins = counts[0]!.wins + counts[1]!.wins;
    expect(wins).toBeGreaterThanOrEqual(winsExpected);
    expect(wins - winsExpected).toBeLessThanOrEqual(1);
    // Both replicas competed for the ticks (node-cron fired on each), only the lease winner posted.
    expect(Math.min(counts[0]!.calls, counts[1]!.calls)).toBeGreaterThanOrEqual(2);
  }, 30_000);
});
