// Virtual time for a whole bot (the tests, the in-process demo): its clock is a manual one, and time moves only
// while a test or the demo waits for something (driveUntil, the fake Slack's waitFor). A step wakes the sleepers due in the next STEP_MS (or the
// earliest one, if later), each once the work the previous wake-up started has settled (the bot's store and chat
// calls, real I/O included), so the bot sees exact virtual durations whatever the machine's load, and no real
// sleep stands in for time.

import { createInFlight, type InFlight } from './in-flight.js';
import type { ManualClock } from './manual-clock.js';

/** How often a waiting test looks again while nothing sleeps (the bot is on real I/O, not on time). */
const IO_POLL_MS = 2;
/**
 * The virtual time one step covers at least: every sleeper due within it still wakes in order, its work settled
 * before the next, but the waiting test looks only once after (a look is often a database query). Deterministic,
 * and short beside what the tests wait for (bake steps of minutes, deadlines of hours).
 */
const STEP_MS = 10_000;

interface Driver {
  clock: ManualClock;
  inFlight: InFlight;
  users: number;
  /** The step in progress: one test's waits take turns moving one clock. */
  busy: Promise<boolean>;
}

const drivers = new Map<ManualClock, Driver>();

export function isManualClock(clock: object): clock is ManualClock {
  return 'advance' in clock && 'nextWake' in clock;
}

/**
 * Lets waiting tests move `clock`: returns the in-flight tracker the caller registers the bot's calls with
 * (several bots on one clock share it) and `release`, to call when that bot stops.
 */
export function driveClock(clock: ManualClock): { inFlight: InFlight; release(): void } {
  let driver = drivers.get(clock);
  if (!driver) {
    driver = { clock, inFlight: createInFlight(), users: 0, busy: Promise.resolve(false) };
    drivers.set(clock, driver);
  }
  driver.users++;
  const held = driver;
  let released = false;
  return {
    inFlight: held.inFlight,
    release() {
      if (released) return;
      released = true;
      held.users--;
      if (held.users === 0 && drivers.get(clock) === held) drivers.delete(clock);
    },
  };
}

async function stepOne(driver: Driver): Promise<boolean> {
  // Work still answering holds time back; the waiting test looks again meanwhile (its answer may not need time,
  // and a test may hold a call until it has seen it).
  if (driver.inFlight.isBusy()) return false;
  await driver.inFlight.settle();
  const next = driver.clock.nextWake();
  if (next === undefined) return false;
  await driver.clock.advance(Math.max(STEP_MS, next.getTime() - driver.clock.now().getTime()), driver.inFlight.settle);
  return true;
}

/** One wake-up on every driven clock; false when no clock had a sleeper (the bot waits on I/O or on the test). */
export async function stepTime(): Promise<boolean> {
  let moved = false;
  for (const driver of [...drivers.values()]) {
    const step = driver.busy.then(() => stepOne(driver));
    driver.busy = step.catch(() => false);
    if (await step) moved = true;
  }
  return moved;
}

/**
 * Looks at `probe` after every wake-up until it returns a value. `realLimitMs` bounds the test's wall time
 * (a bot that never gets there fails the test instead of hanging it); `virtualLimitMs` the time the bot may
 * spend, measured on the first driven clock.
 */
export async function driveUntil<T>(
  what: string,
  probe: () => T | undefined | Promise<T | undefined>,
  options: { realLimitMs?: number; virtualLimitMs?: number } = {},
): Promise<T> {
  const realDeadline = Date.now() + (options.realLimitMs ?? 30_000);
  const [first] = drivers.keys();
  const virtualStart = first?.now().getTime();
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > realDeadline) throw new Error(`timed out waiting for ${what}${spent(first, virtualStart)}`);
    if (
      first &&
      virtualStart !== undefined &&
      options.virtualLimitMs !== undefined &&
      first.now().getTime() - virtualStart > options.virtualLimitMs
    ) {
      throw new Error(`waited ${options.virtualLimitMs / 1000} s of virtual time for ${what}, in vain`);
    }
    if (!(await stepTime())) await new Promise((resolve) => setTimeout(resolve, IO_POLL_MS));
  }
}

function spent(clock: ManualClock | undefined, startMs: number | undefined): string {
  if (!clock || startMs === undefined) return '';
  return ` (${Math.round((clock.now().getTime() - startMs) / 1000)} s of virtual time passed)`;
}

/**
 * Wraps a bot's `idle()` (its runner, its rollout tasks): waiting for the bot to be idle waits for its timers too,
 * so time moves on until the work is done.
 */
export function drivenIdle(idle: () => Promise<void>, realLimitMs = 60_000): () => Promise<void> {
  return async () => {
    let done = false;
    const idled = idle().finally(() => {
      done = true;
    });
    await driveUntil('the bot to be idle', () => (done ? true : undefined), { realLimitMs });
    await idled;
  };
}
