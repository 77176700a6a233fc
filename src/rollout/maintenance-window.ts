import { AppError } from '../errors.js';
import { zonedParts } from '../shared/zoned-parts.js';
import { formatWhen } from '../slack/blocks/block-text.js';

const WINDOW = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2})$/;
const MAX_AHEAD_DAYS = 90;

/** Milliseconds that `timeZone` is ahead of UTC at the instant `utcMs`. */
function offsetMs(utcMs: number, timeZone: string): number {
  const parts = Object.fromEntries(
    Object.entries(zonedParts(new Date(utcMs), timeZone)).map(([k, v]) => [k, Number(v)]),
  );
  const asUtc = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!, parts.second!);
  return asUtc - Math.floor(utcMs / 1000) * 1000;
}

/**
 * `2026-12-01 02:00` as a wall-clock time in `timeZone` → the instant. A time skipped by a DST change is
 * refused (it never happens on the clock the admins read); an ambiguous one takes the earlier instant.
 */
export function parseWindowStart(text: string, timeZone: string): Date {
  const m = WINDOW.exec(text.trim());
  if (!m) {
    throw new AppError(
      'invalid_window',
      `\`--at\` wants "YYYY-MM-DD HH:MM" (e.g. "2026-12-01 02:00"), got \`${text.slice(0, 40)}\`.`,
    );
  }
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const check = new Date(wall);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59) {
    throw new AppError('invalid_window', `\`--at ${text.slice(0, 40)}\` is not a real date and time.`);
  }
  // Try the offsets in force just before and after the wall time; keep the earliest that reads back exactly.
  const candidates = [offsetMs(wall - 86_400_000, timeZone), offsetMs(wall + 86_400_000, timeZone)]
    .map((offset) => wall - offset)
    .filter((utc) => utc + offsetMs(utc, timeZone) === wall)
    .sort((a, b) => a - b);
  const first = candidates[0];
  if (first === undefined) {
    throw new AppError(
      'invalid_window',
      `${text.trim()} does not exist in ${timeZone} (the clocks skip it). Pick another time.`,
    );
  }
  return new Date(first);
}

/**
 * The window must lie ahead, but not absurdly far. The refusal says what time the bot's clock reads: in sandbox
 * mode that is the simulated clock (×AMIBOT_SIM_SPEED), against which `--at` is read.
 */
export function checkWindow(start: Date, now: Date, clock?: { timeZone: string; simulated: boolean }): void {
  if (start.getTime() <= now.getTime()) {
    const reads = clock
      ? ` (it is now ${formatWhen(now, clock.timeZone)}${clock.simulated ? ' on the simulated clock: in sandbox mode `--at` is simulated time' : ''})`
      : '';
    throw new AppError(
      'window_in_past',
      `The maintenance window must start in the future${reads}; nothing was planned.`,
    );
  }
  if (start.getTime() - now.getTime() > MAX_AHEAD_DAYS * 86_400_000) {
    throw new AppError('window_too_far', `The maintenance window must start within ${MAX_AHEAD_DAYS} days.`);
  }
}
