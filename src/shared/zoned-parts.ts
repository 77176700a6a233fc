import { AppError } from '../errors.js';

export interface ZonedParts {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/**
 * The formatter behind every wall-clock reading: all six fields, zero-padded, h23 so midnight is 00, never 24.
 * Built once per zone (construction is the costly part). An unknown zone is an AppError, not a RangeError.
 */
export function wallClockFormat(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (format) return format;
  try {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
  } catch (error) {
    throw new AppError('invalid_time_zone', `${JSON.stringify(timeZone)} is not a time zone this system knows.`, {
      cause: error,
    });
  }
  formats.set(timeZone, format);
  return format;
}

/** Wall-clock fields of `at` in `timeZone`: one place for AMI names, Slack dates and maintenance windows. */
export function zonedParts(at: Date, timeZone: string): ZonedParts {
  const parts = Object.fromEntries(
    wallClockFormat(timeZone)
      .formatToParts(at)
      .map((p) => [p.type, p.value]),
  );
  return {
    year: parts.year ?? '',
    month: parts.month ?? '',
    day: parts.day ?? '',
    hour: parts.hour ?? '',
    minute: parts.minute ?? '',
    second: parts.second ?? '',
  };
}
