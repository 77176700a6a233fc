import { afterEach, describe, expect, it, vi } from 'vitest';
import { createMemoryStateStore } from '../../src/adapters/memory/memory-state-store.js';
import { createManualClock } from '../../src/sim/manual-clock.js';
import { useFakeTime } from '../support/fake-time.js';
import { HOUR, localStamp, replicas, reports } from '../support/review-replicas.js';

afterEach(() => {
  vi.useRealTimers();
});

type Trigger = 'cron' | 'clock';

/** One replica on `trigger`: when do reports actually get posted? */
async function postedBetween(
  trigger: Trigger,
  schedule: string,
  timeZone: string,
  from: string,
  days: number,
): Promise<string[]> {
  // node-cron under fake timers (production); the Clock-driven trigger on the manual clock (sandbox mode).
  const time = trigger === 'cron' ? useFakeTime(new Date(from)) : createManualClock(new Date(from));
  const clock = 'clock' in time ? time.clock : time;
  const stores = [createMemoryStateStore()];
  const { chat, fixtures, settle } = replicas({ stores, clock, schedule, timeZone, trigger, followUps: '0 0 1 1 *' });
  const f = fixtures[0]!;
  await f.feature.start();
  await time.advance(days * 24 * HOUR, settle);
  await f.feature.stop();
  vi.useRealTimers();
  return reports(chat).map((p) => `${localStamp(p.at, timeZone)} (${p.at.toISOString().slice(11, 16)}Z)`);
}

// Both triggers post the same ticks at the same times: cron-next.ts mirrors node-cron's DST rules.
describe.each<Trigger>(['cron', 'clock'])(
  'the review schedule across DST changes (scheduler, %s trigger)',
  (trigger) => {
    it('Europe/Berlin, 02:30 daily: skipped on 29 Mar 2026 (02:00 → 03:00), once on 25 Oct (02:30 CET)', async () => {
      expect(await postedBetween(trigger, '30 2 * * *', 'Europe/Berlin', '2026-03-27T00:00:00Z', 4)).toEqual([
        '2026-03-27 02:30 (01:30Z)',
        '2026-03-28 02:30 (01:30Z)',
        '2026-03-30 02:30 (00:30Z)',
      ]);
      expect(await postedBetween(trigger, '30 2 * * *', 'Europe/Berlin', '2026-10-24T00:00:00Z', 3)).toEqual([
        '2026-10-24 02:30 (00:30Z)',
        '2026-10-25 02:30 (01:30Z)',
        '2026-10-26 02:30 (01:30Z)',
      ]);
    });

    it('America/New_York: 02:30 skipped on 8 Mar 2026; 01:30 on 1 Nov 2026 once (01:30 EDT)', async () => {
      expect(await postedBetween(trigger, '30 2 * * *', 'America/New_York', '2026-03-06T15:00:00Z', 3)).toEqual([
        '2026-03-07 02:30 (07:30Z)',
        '2026-03-09 02:30 (06:30Z)',
      ]);
      expect(await postedBetween(trigger, '30 1 * * *', 'America/New_York', '2026-10-31T12:00:00Z', 2)).toEqual([
        '2026-11-01 01:30 (05:30Z)',
        '2026-11-02 01:30 (06:30Z)',
      ]);
    });

    it('the default schedule posts at 09:00 local on the first day of each quarter, summer or winter', async () => {
      const posted = await postedBetween(trigger, '0 9 1 1,4,7,10 *', 'America/New_York', '2026-12-31T00:00:00Z', 95);
      expect(posted).toEqual(['2027-01-01 09:00 (14:00Z)', '2027-04-01 09:00 (13:00Z)']);
    });
  },
);
