import { parse, validateDetailed } from 'node-cron';
import { type LocalParts, type Zone, zone } from './zoned-time.js';

/**
 * Next fire times of a node-cron expression computed from a given instant instead of the system
 * clock, for the catch-up on start and for the Clock-driven trigger of sandbox mode, while node-cron
 * stays the production trigger. Same field parser (node-cron's `parse`), same day rules and same DST
 * choices as node-cron 4: a local time skipped by a DST change does not fire that day, and a local
 * time that occurs twice fires once.
 */

export interface CronSchedule {
  expression: string;
  timeZone: string;
  zone: Zone;
  seconds: number[];
  minutes: number[];
  hours: number[];
  months: number[];
  daysOfMonth: Array<number | string>;
  daysOfWeek: Array<number | string>;
}

/** Eight years covers every date rule, including 29 February. */
const MAX_DAYS = 366 * 8;

export const EXAMPLE_CRON = '0 9 1 1,4,7,10 *';

/** Why the expression is unusable (undefined when it is fine); one short clause for a config error. */
export function cronProblem(expression: string, timeZone = 'UTC'): string | undefined {
  const checked = validateDetailed(expression);
  if (!checked.valid) return `"${expression}" is not a valid cron expression (e.g. ${EXAMPLE_CRON})`;
  const schedule = compileCron(expression, timeZone);
  if (nextFireAfter(schedule, new Date(Date.UTC(2026, 0, 1))) === undefined) {
    return `"${expression}" never fires (no date matches it)`;
  }
  return undefined;
}

export function compileCron(expression: string, timeZone: string): CronSchedule {
  const fields = parse(expression);
  const asc = (values: number[]) => [...values].sort((a, b) => a - b);
  return {
    expression,
    timeZone,
    zone: zone(timeZone),
    seconds: asc(fields.second),
    minutes: asc(fields.minute),
    hours: asc(fields.hour),
    months: fields.month,
    daysOfMonth: fields.dayOfMonth,
    daysOfWeek: fields.dayOfWeek,
  };
}

const lastDayOfMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
const weekdayOf = (year: number, month: number, day: number) => new Date(Date.UTC(year, month - 1, day)).getUTCDay();

function nearestWeekday(year: number, month: number, target: number): number {
  const last = lastDayOfMonth(year, month);
  if (target < 1 || target > last) return -1;
  const weekday = weekdayOf(year, month, target);
  if (weekday === 6) return target === 1 ? target + 2 : target - 1;
  if (weekday === 0) return target === last ? target - 2 : target + 1;
  return target;
}

function matchesDayOfMonth(field: Array<number | string>, year: number, month: number, day: number): boolean {
  const last = lastDayOfMonth(year, month);
  return field.some((value) => {
    if (value === day) return true;
    if (value === 'L') return day === last;
    if (typeof value !== 'string') return false;
    const weekday = /^(\d{1,2}|L)W$/.exec(value);
    if (weekday) return nearestWeekday(year, month, weekday[1] === 'L' ? last : Number(weekday[1])) === day;
    const offset = /^L-(\d{1,2})$/.exec(value);
    return offset !== null && last - Number(offset[1]) >= 1 && last - Number(offset[1]) === day;
  });
}

function matchesDayOfWeek(field: Array<number | string>, year: number, month: number, day: number): boolean {
  const weekday = weekdayOf(year, month, day);
  return field.some((value) => {
    if (value === weekday) return true;
    if (typeof value !== 'string') return false;
    const nth = /^([0-7])#([1-5])$/.exec(value);
    if (nth) return Number(nth[1]) % 7 === weekday && Math.floor((day - 1) / 7) + 1 === Number(nth[2]);
    const lastOf = /^([0-7])L$/i.exec(value);
    return lastOf !== null && Number(lastOf[1]) % 7 === weekday && day + 7 > lastDayOfMonth(year, month);
  });
}

function isDayMatch(schedule: CronSchedule, year: number, month: number, day: number): boolean {
  return (
    schedule.months.includes(month) &&
    matchesDayOfMonth(schedule.daysOfMonth, year, month, day) &&
    matchesDayOfWeek(schedule.daysOfWeek, year, month, day)
  );
}

const secondsOfDay = (p: Pick<LocalParts, 'hour' | 'minute' | 'second'>) => p.hour * 3600 + p.minute * 60 + p.second;

function firstTimeOnDay(
  schedule: CronSchedule,
  date: Pick<LocalParts, 'year' | 'month' | 'day'>,
  bound: LocalParts | undefined,
  afterMs: number,
): number | undefined {
  for (const hour of schedule.hours) {
    if (bound && hour < bound.hour) continue;
    for (const minute of schedule.minutes) {
      for (const second of schedule.seconds) {
        if (bound && secondsOfDay({ hour, minute, second }) <= secondsOfDay(bound)) continue;
        const instant = schedule.zone.toInstant({ ...date, hour, minute, second });
        if (instant !== undefined && instant > afterMs) return instant;
      }
    }
  }
  return undefined;
}

/** The first fire time strictly after `after` (whole seconds, like node-cron), or undefined if none in 8 years. */
export function nextFireAfter(schedule: CronSchedule, after: Date): Date | undefined {
  const afterMs = Math.floor(after.getTime() / 1000) * 1000;
  const base = schedule.zone.parts(afterMs);
  let cursor = Date.UTC(base.year, base.month - 1, base.day);
  for (let i = 0; i < MAX_DAYS; i++, cursor += 86_400_000) {
    const d = new Date(cursor);
    const date = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
    if (!isDayMatch(schedule, date.year, date.month, date.day)) continue;
    const found = firstTimeOnDay(schedule, date, i === 0 ? base : undefined, afterMs);
    if (found !== undefined) return new Date(found);
  }
  return undefined;
}

/** The largest change of a UTC offset at once (double summer time); a fall-back repeats at most this much. */
const MAX_SHIFT_SECONDS = 2 * 3600;

/**
 * The latest time of `date` (a local day) that the schedule fires at and that is at or before `atMs`. On the
 * day of `atMs` (`bound`: its local reading) later readings are skipped unconverted; near an offset change they
 * are converted and judged by their instant, since a fall-back hour reads later than an instant it precedes.
 */
function lastTimeOnDay(
  schedule: CronSchedule,
  date: Pick<LocalParts, 'year' | 'month' | 'day'>,
  atMs: number,
  bound: LocalParts | undefined,
): number | undefined {
  let latestReading = Number.POSITIVE_INFINITY;
  if (bound) {
    const offset = schedule.zone.offsetMinutes(atMs);
    const steady = [-1, 1].every(
      (side) => schedule.zone.offsetMinutes(atMs + side * MAX_SHIFT_SECONDS * 1000) === offset,
    );
    latestReading = secondsOfDay(bound) + (steady ? 0 : MAX_SHIFT_SECONDS);
  }
  for (let h = schedule.hours.length - 1; h >= 0; h--) {
    for (let m = schedule.minutes.length - 1; m >= 0; m--) {
      for (let s = schedule.seconds.length - 1; s >= 0; s--) {
        const parts = { ...date, hour: schedule.hours[h]!, minute: schedule.minutes[m]!, second: schedule.seconds[s]! };
        if (secondsOfDay(parts) > latestReading) continue;
        const instant = schedule.zone.toInstant(parts);
        if (instant !== undefined && instant <= atMs) return instant;
      }
    }
  }
  return undefined;
}

/**
 * The latest fire time at or before `at`, or undefined if none in the 8 years before: the mirror of
 * nextFireAfter, walking days backwards. Bounded by the number of days, not by the number of fire times, so
 * a per-second schedule down for a year is answered as quickly (and as exactly) as a quarterly one.
 */
export function lastFireAtOrBefore(schedule: CronSchedule, at: Date): Date | undefined {
  const atMs = at.getTime();
  const base = schedule.zone.parts(atMs);
  let cursor = Date.UTC(base.year, base.month - 1, base.day);
  for (let i = 0; i < MAX_DAYS; i++, cursor -= 86_400_000) {
    const d = new Date(cursor);
    const date = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
    if (!isDayMatch(schedule, date.year, date.month, date.day)) continue;
    const found = lastTimeOnDay(schedule, date, atMs, i === 0 ? base : undefined);
    if (found !== undefined) return new Date(found);
  }
  return undefined;
}
