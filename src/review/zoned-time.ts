/**
 * Wall-clock arithmetic in an IANA time zone with nothing but Intl, mirroring node-cron 4's own
 * conversion so that the times we compute are the times node-cron fires at (same DST choices).
 */
import { wallClockFormat } from '../shared/zoned-parts.js';

export interface LocalParts {
  year: number;
  /** 1–12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** One time zone with its formatters built once (they are costly; a schedule keeps its Zone). */
export interface Zone {
  timeZone: string;
  parts(at: Date | number): LocalParts;
  /** Minutes east of UTC at that instant (CEST: 120, EST: -300). */
  offsetMinutes(at: number): number;
  /**
   * The instant of a local wall-clock time, or undefined when that time does not exist (the hour skipped
   * when clocks go forward). A time that occurs twice (clocks go back) gets one instant, chosen exactly as
   * node-cron chooses it, so both of our triggers agree on every tick.
   */
  toInstant(parts: LocalParts): number | undefined;
}

const sameParts = (a: LocalParts, b: LocalParts) =>
  a.year === b.year &&
  a.month === b.month &&
  a.day === b.day &&
  a.hour === b.hour &&
  a.minute === b.minute &&
  a.second === b.second;

export function zone(timeZone: string): Zone {
  const partsFormat = wallClockFormat(timeZone);
  const offsetFormat = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'shortOffset' });

  const parts = (at: Date | number): LocalParts => {
    const values: Record<string, number> = {};
    for (const part of partsFormat.formatToParts(at)) {
      if (part.type !== 'literal') values[part.type] = Number(part.value);
    }
    return {
      year: values.year ?? 0,
      month: values.month ?? 0,
      day: values.day ?? 0,
      hour: (values.hour ?? 0) % 24,
      minute: values.minute ?? 0,
      second: values.second ?? 0,
    };
  };

  const offsetMinutes = (at: number): number => {
    const name = offsetFormat.formatToParts(at).find((part) => part.type === 'timeZoneName')?.value;
    const match = /^GMT([+-])(\d{1,2})(?::(\d{2}))?$/.exec(name ?? '');
    if (!match) return 0;
    const minutes = Number(match[2]) * 60 + Number(match[3] ?? 0);
    return match[1] === '-' ? -minutes : minutes;
  };

  const toInstant = (local: LocalParts): number | undefined => {
    const guess = Date.UTC(local.year, local.month - 1, local.day, local.hour, local.minute, local.second);
    const first = offsetMinutes(guess);
    const candidate1 = guess - first * 60_000;
    const second = offsetMinutes(candidate1);
    let instant = candidate1;
    if (second !== first) {
      const candidate2 = guess - second * 60_000;
      if (sameParts(parts(candidate1), local)) instant = candidate1;
      else if (sameParts(parts(candidate2), local)) instant = candidate2;
      else instant = Math.max(candidate1, candidate2);
    }
    return sameParts(parts(instant), local) ? instant : undefined;
  };

  return { timeZone, parts, offsetMinutes, toInstant };
}

export const localParts = (at: Date | number, timeZone: string): LocalParts => zone(timeZone).parts(at);

/** "Thu 1 Oct 2026, 09:00 CEST": how the bot states a time, in the deployment's zone. Assembled from
 * parts, so the punctuation does not depend on the ICU version. */
export function formatLocal(at: Date, timeZone: string): string {
  const format = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'short',
  });
  const p: Record<string, string> = {};
  for (const part of format.formatToParts(at)) p[part.type] = part.value;
  return `${p.weekday} ${p.day} ${p.month} ${p.year}, ${p.hour}:${p.minute} ${p.timeZoneName}`;
}

/** "1 Oct 2026" in the zone. */
export function formatLocalDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, day: 'numeric', month: 'short', year: 'numeric' }).format(at);
}
