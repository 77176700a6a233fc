import { createTask } from 'node-cron';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  type CronSchedule,
  compileCron,
  cronProblem,
  lastFireAtOrBefore,
  nextFireAfter,
} from '../../src/review/cron-next.js';
import { missedTick, type ReviewTaskSpec } from '../../src/review/review-scheduler.js';
import { localParts } from '../../src/review/zoned-time.js';

const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const local = (d: Date, tz: string) => {
  const p = localParts(d, tz);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)}`;
};
/** Fire times in (from, to], oldest first, at most `limit` of them (what the catch-up once listed). */
function fireTimesBetween(schedule: CronSchedule, from: Date, to: Date, limit = 10_000): Date[] {
  const times: Date[] = [];
  for (let next = nextFireAfter(schedule, from); next && next <= to && times.length < limit; ) {
    times.push(next);
    next = nextFireAfter(schedule, next);
  }
  return times;
}
const between = (expr: string, tz: string, from: string, to: string) =>
  fireTimesBetween(compileCron(expr, tz), new Date(from), new Date(to));

describe('nextFireAfter (our Clock-driven twin of node-cron)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('default schedule: 09:00 local on 1 Jan/Apr/Jul/Oct, whatever the UTC offset of the day', () => {
    const berlin = between('0 9 1 1,4,7,10 *', 'Europe/Berlin', '2026-01-01T00:00:00Z', '2027-01-02T00:00:00Z');
    expect(iso(berlin)).toEqual([
      '2026-01-01T08:00:00.000Z', // CET, UTC+1
      '2026-04-01T07:00:00.000Z', // CEST, UTC+2
      '2026-07-01T07:00:00.000Z',
      '2026-10-01T07:00:00.000Z',
      '2027-01-01T08:00:00.000Z',
    ]);
    const newYork = between('0 9 1 1,4,7,10 *', 'America/New_York', '2026-01-01T00:00:00Z', '2026-12-31T00:00:00Z');
    expect(newYork.map((d) => local(d, 'America/New_York'))).toEqual([
      '2026-01-01 09:00',
      '2026-04-01 09:00',
      '2026-07-01 09:00',
      '2026-10-01 09:00',
    ]);
    expect(iso(newYork)).toEqual([
      '2026-01-01T14:00:00.000Z',
      '2026-04-01T13:00:00.000Z',
      '2026-07-01T13:00:00.000Z',
      '2026-10-01T13:00:00.000Z',
    ]);
  });

  it('Europe/Berlin 02:30: no fire on the spring-forward day (02:30 does not exist), one fire on the fall-back day', () => {
    const spring = between('30 2 * * *', 'Europe/Berlin', '2026-03-27T00:00:00Z', '2026-03-31T00:00:00Z');
    expect(spring.map((d) => local(d, 'Europe/Berlin'))).toEqual([
      '2026-03-27 02:30',
      '2026-03-28 02:30',
      // 29 March: clocks jump 02:00 → 03:00; node-cron skips the day, and so do we.
      '2026-03-30 02:30',
    ]);
    const autumn = between('30 2 * * *', 'Europe/Berlin', '2026-10-24T00:00:00Z', '2026-10-27T00:00:00Z');
    // 25 October: 02:30 happens twice (CEST, then CET); it fires once, at the second one (00:30 UTC is skipped).
    expect(iso(autumn)).toEqual(['2026-10-24T00:30:00.000Z', '2026-10-25T01:30:00.000Z', '2026-10-26T01:30:00.000Z']);
  });

  it('America/New_York: 02:30 skipped on 8 Mar 2026; 01:30 on 1 Nov 2026 fires once (the first, EDT)', () => {
    const spring = between('30 2 * * *', 'America/New_York', '2026-03-06T12:00:00Z', '2026-03-10T00:00:00Z');
    expect(spring.map((d) => local(d, 'America/New_York'))).toEqual(['2026-03-07 02:30', '2026-03-09 02:30']);
    const autumn = between('30 1 * * *', 'America/New_York', '2026-10-31T12:00:00Z', '2026-11-03T12:00:00Z');
    expect(iso(autumn)).toEqual(['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z', '2026-11-03T06:30:00.000Z']);
  });

  it('never fires twice in an ambiguous hour, even every 20 minutes', () => {
    const ticks = between('*/20 2 * * *', 'Europe/Berlin', '2026-10-24T22:00:00Z', '2026-10-25T03:00:00Z');
    expect(ticks.map((d) => local(d, 'Europe/Berlin'))).toEqual([
      '2026-10-25 02:00',
      '2026-10-25 02:20',
      '2026-10-25 02:40',
    ]);
    expect(new Set(iso(ticks)).size).toBe(3);
  });

  it.each([
    ['0 9 1 1,4,7,10 *', 'Europe/Berlin', '2026-02-10T10:00:00Z'],
    ['30 2 * * *', 'Europe/Berlin', '2026-03-26T00:00:00Z'],
    ['30 2 * * *', 'Europe/Berlin', '2026-10-22T00:00:00Z'],
    ['30 1 * * *', 'America/New_York', '2026-10-29T00:00:00Z'],
    ['30 2 * * *', 'America/New_York', '2026-03-05T00:00:00Z'],
    ['*/20 1-3 * * 0', 'Europe/Berlin', '2026-10-20T00:00:00Z'],
    ['0 9 L * *', 'UTC', '2026-01-15T00:00:00Z'],
    ['0 9 15W * *', 'UTC', '2026-01-01T00:00:00Z'],
    ['0 9 * * 1#2', 'Asia/Kolkata', '2026-01-01T00:00:00Z'],
    ['0 9 * * 5L', 'Australia/Sydney', '2026-03-01T00:00:00Z'],
    ['15 30 9 * * *', 'UTC', '2026-06-01T09:30:15.400Z'],
    ['0 0 29 2 *', 'UTC', '2026-01-01T00:00:00Z'],
  ])('agrees with node-cron itself: %s in %s from %s', (expression, timeZone, from) => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date(from));
    const task = createTask(expression, () => undefined, { timezone: timeZone });
    const theirs = task.getNextRuns(12);
    void task.destroy();
    const ours: Date[] = [];
    const schedule = compileCron(expression, timeZone);
    for (let at = new Date(from); ours.length < 12; ) {
      const next = nextFireAfter(schedule, at);
      if (!next) break;
      ours.push(next);
      at = next;
    }
    expect(iso(ours)).toEqual(iso(theirs));
  });

  it('cronProblem: fine, invalid and never-firing expressions', () => {
    expect(cronProblem('0 9 1 1,4,7,10 *')).toBeUndefined();
    expect(cronProblem('*/15 * * * *', 'America/New_York')).toBeUndefined();
    expect(cronProblem('61 9 * * *')).toBe('"61 9 * * *" is not a valid cron expression (e.g. 0 9 1 1,4,7,10 *)');
    expect(cronProblem('quarterly')).toContain('is not a valid cron expression');
    // Day 8 and the first Monday of the month (days 1–7): valid to node-cron, which would throw only at start.
    expect(cronProblem('0 9 8 * 1#1')).toBe('"0 9 8 * 1#1" never fires (no date matches it)');
  });
});

describe('lastFireAtOrBefore and missedTick: the newest tick, however long the outage', () => {
  it.each([
    ['0 9 1 1,4,7,10 *', 'Europe/Berlin', '2026-02-10T10:00:00Z'],
    ['30 2 * * *', 'Europe/Berlin', '2026-03-26T00:00:00Z'],
    ['30 2 * * *', 'Europe/Berlin', '2026-10-22T00:00:00Z'],
    ['30 1 * * *', 'America/New_York', '2026-10-29T00:00:00Z'],
    ['*/20 1-3 * * 0', 'Europe/Berlin', '2026-10-20T00:00:00Z'],
    ['*/20 * * * *', 'Europe/Berlin', '2026-10-25T00:00:00Z'],
    ['0 9 L * *', 'UTC', '2026-01-15T00:00:00Z'],
    ['0 9 * * 5L', 'Australia/Sydney', '2026-03-01T00:00:00Z'],
    ['15 30 9 * * *', 'UTC', '2026-06-01T09:30:15.400Z'],
    ['0 0 29 2 *', 'UTC', '2026-01-01T00:00:00Z'],
  ])('mirrors nextFireAfter around every fire time (DST days included): %s in %s', (expression, timeZone, from) => {
    const schedule = compileCron(expression, timeZone);
    const fires: Date[] = [];
    for (let at = new Date(from); fires.length < 12; ) {
      const next = nextFireAfter(schedule, at);
      if (!next) break;
      fires.push(next);
      at = next;
    }
    expect(fires).toHaveLength(12);
    for (let i = 1; i < fires.length; i++) {
      const [previous, fire] = [fires[i - 1]!, fires[i]!];
      expect(lastFireAtOrBefore(schedule, fire)?.toISOString()).toBe(fire.toISOString());
      expect(lastFireAtOrBefore(schedule, new Date(fire.getTime() - 1))?.toISOString()).toBe(previous.toISOString());
      expect(lastFireAtOrBefore(schedule, new Date(previous.getTime() + 500))?.toISOString()).toBe(
        previous.toISOString(),
      );
    }
  });

  const spec = (expression: string, graceHours: number, timeZone = 'UTC'): ReviewTaskSpec => ({
    name: 'ami-review:acme',
    deployment: 'acme',
    expression,
    timeZone,
    graceMs: graceHours * 3_600_000,
  });

  it.each([
    // More ticks in the grace window than a capped list of 10 000 holds: its last would be weeks old.
    ['* * * * *', 'a minutely schedule down for a year', 366 * 24, '2027-10-01T12:34:56Z', '2027-10-01T12:34:00.000Z'],
    [
      '0 * * * *',
      'an hourly schedule down for two years',
      2 * 366 * 24,
      '2028-06-01T07:10:00Z',
      '2028-06-01T07:00:00.000Z',
    ],
    [
      '* * * * * *',
      'a per-second schedule down for 6 hours',
      6,
      '2026-10-01T12:00:00.700Z',
      '2026-10-01T12:00:00.000Z',
    ],
    [
      '*/5 * * * *',
      'every 5 minutes in Berlin for a year',
      366 * 24,
      '2027-03-28T01:03:00Z',
      '2027-03-28T01:00:00.000Z',
    ],
  ])('%s (%s): the latest tick, not the 10 000th', (expression, _what, graceHours, now, latest) => {
    const task = spec(expression, graceHours, expression.startsWith('*/5') ? 'Europe/Berlin' : 'UTC');
    const capped = fireTimesBetween(
      compileCron(task.expression, task.timeZone),
      new Date(new Date(now).getTime() - task.graceMs),
      new Date(now),
    );
    // The old answer, for the record: the last of the oldest 10 000 ticks (the list the catch-up used to take).
    expect(capped).toHaveLength(10_000);
    expect(capped.at(-1)?.toISOString()).not.toBe(latest);
    expect(missedTick(task, new Date(now))?.toISOString()).toBe(latest);
  });

  it('no tick within the grace window: nothing to catch up; a tick exactly at the window start is outside it', () => {
    expect(missedTick(spec('0 9 1 1,4,7,10 *', 6), new Date('2026-04-01T15:00:00Z'))).toBeUndefined();
    expect(missedTick(spec('0 9 1 1,4,7,10 *', 6), new Date('2026-04-01T14:59:59Z'))?.toISOString()).toBe(
      '2026-04-01T09:00:00.000Z',
    );
    expect(missedTick(spec('0 9 1 1,4,7,10 *', 6), new Date('2026-04-01T08:59:59Z'))).toBeUndefined();
    // A schedule that never fires (day 8 is never in the first week) has no tick before now either.
    expect(lastFireAtOrBefore(compileCron('0 9 8 * 1#1', 'UTC'), new Date('2026-01-01T00:00:00Z'))).toBeUndefined();
  });
});
