import { AppError } from '../errors.js';
import { code, text, when, words } from '../shared/text.js';
import { zonedParts } from '../shared/zoned-parts.js';

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
export function parseWindowStart(input: string, timeZone: string): Date {
  const m = WINDOW.exec(input.trim());
  if (!m) {
    throw new AppError(
      'invalid_window',
      text`\`--at\` wants "YYYY-MM-DD HH:MM" (e.g. "2026-12-01 02:00"), got ${code(input.slice(0, 40))}.`,
    );
  }
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const check = new Date(wall);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59) {
    throw new AppError('invalid_window', text`\`--at\` ${code(input.slice(0, 40))} is not a real date and time.`);
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
      text`${input.trim()} does not exist in ${timeZone} (the clocks skip it). Pick another time.`,
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
    const simulated = clock?.simulated ? ' on the simulated clock: in sandbox mode `--at` is simulated time' : '';
    const reads = clock ? text` (it is now ${when(now, clock.timeZone)}${words(simulated)})` : words('');
    throw new AppError(
      'window_in_past',
      text`The maintenance window must start in the future${reads}; nothing was planned.`,
    );
  }
  if (start.getTime() - now.getTime() > MAX_AHEAD_DAYS * 86_400_000) {
    throw new AppError('window_too_far', `The maintenance window must start within ${MAX_AHEAD_DAYS} days.`);
  }
}

const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?$/;
const MAX_WINDOW_HOURS = 72;

/** `2h`, `90m`, `1h30m` → milliseconds; anything else is refused with the grammar. */
export function parseWindowDuration(input: string): number {
  const m = DURATION.exec(input.trim());
  const ms = m && (m[1] || m[2]) ? (Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0)) * 60_000 : 0;
  if (ms <= 0) {
    throw new AppError(
      'invalid_window',
      text`\`--for\` wants a duration such as \`2h\`, \`90m\` or \`1h30m\`, got ${code(input.slice(0, 40))}.`,
    );
  }
  return ms;
}

export interface WindowText {
  /** Start, "YYYY-MM-DD HH:MM" in `timeZone`. */
  at?: string;
  /** Length (`2h`, `90m`). */
  for?: string;
  /** End, "YYYY-MM-DD HH:MM" in `timeZone`. */
  until?: string;
}

/**
 * A maintenance window has a start and an end: `--at` with `--for` or `--until`, else `defaultMinutes` long. An end
 * without a start, both ends, an end not after the start or a window over 72 h is refused (nothing planned).
 */
export function parseWindow(
  input: WindowText,
  timeZone: string,
  now: Date,
  defaultMinutes: number,
  /** Sandbox mode: `--at` is read on the simulated clock, and a refusal says so. */
  simulated = false,
): { applyAt?: Date; applyUntil?: Date } {
  if (input.at === undefined) {
    if (input.for !== undefined || input.until !== undefined) {
      throw new AppError(
        'invalid_window',
        '`--for` / `--until` end a maintenance window: give its start with `--at "YYYY-MM-DD HH:MM"` too.',
      );
    }
    return {};
  }
  if (input.for !== undefined && input.until !== undefined) {
    throw new AppError(
      'invalid_window',
      'Give the window either a length (`--for 2h`) or an end (`--until …`), not both.',
    );
  }
  const applyAt = parseWindowStart(input.at, timeZone);
  checkWindow(applyAt, now, { timeZone, simulated });
  const end =
    input.until !== undefined
      ? parseWindowStart(input.until, timeZone).getTime()
      : applyAt.getTime() + (input.for !== undefined ? parseWindowDuration(input.for) : defaultMinutes * 60_000);
  if (end <= applyAt.getTime()) {
    throw new AppError('invalid_window', 'The maintenance window must end after it starts; nothing was planned.');
  }
  if (end - applyAt.getTime() > MAX_WINDOW_HOURS * 3_600_000) {
    throw new AppError(
      'invalid_window',
      `A maintenance window lasts at most ${MAX_WINDOW_HOURS} h; nothing was planned.`,
    );
  }
  return { applyAt, applyUntil: new Date(end) };
}
