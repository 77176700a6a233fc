import { AppError } from '../errors.js';

export interface ZonedParts {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
}

/**
 * Wall-clock fields of `at` in `timeZone`, zero-padded; h23 so midnight is 00, never 24. One place for
 * AMI names, Slack dates and maintenance windows. An unknown zone is an AppError, not a RangeError.
 */
export function zonedParts(at: Date, timeZone: string): ZonedParts {
  let format: Intl.DateTimeFormat;
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
  const parts = Object.fromEntries(format.formatToParts(at).map((p) => [p.type, p.value]));
  return {
    year: parts.year ?? '',
    month: parts.month ?? '',
    day: parts.day ?? '',
    hour: parts.hour ?? '',
    minute: parts.minute ?? '',
    second: parts.second ?? '',
  };
}
