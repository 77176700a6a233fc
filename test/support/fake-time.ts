// Fake time for the production review trigger. node-cron (src/review/cron-trigger.ts) arms its heartbeat with
// the global setTimeout and reads the global Date, so vitest's fake timers drive the very code production
// runs, one timer at a time, while the bot's Clock is the production system clock on the same fake time.
import timers from 'node:timers';
import timersPromises from 'node:timers/promises';
import { vi } from 'vitest';
import type { Clock } from '../../src/ports/clock.js';
import { createSystemClock } from '../../src/shared/system-clock.js';

/** Faked: what node-cron and the system clock use. setImmediate, nextTick and performance stay real. */
const FAKED = ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] as const;
/** setTimeout fires at once for longer delays (as Node's does). */
const MAX_TIMER_MS = 2_147_483_647;
const REAL_TIMERS = {
  setTimeout: timers.setTimeout,
  clearTimeout: timers.clearTimeout,
  setInterval: timers.setInterval,
  clearInterval: timers.clearInterval,
};
const REAL_TIMER_PROMISES = { setTimeout: timersPromises.setTimeout };

export interface FakeTime {
  /** The production clock (src/shared/system-clock.ts), on the faked Date and setTimeout. */
  clock: Clock;
  /**
   * Moves time forward by `ms` like the manual clock's advance: due timers fire in due order (those due at
   * the same moment together), and the work each firing started settles (`settle`, real I/O included)
   * before time moves on, so every run sees the time its timer was due.
   */
  advance(ms: number, settle?: () => Promise<void>): Promise<void>;
}

/** Installs fake timers at `start`; undo with vi.useRealTimers() (e.g. in afterEach). */
export function useFakeTime(start: Date): FakeTime {
  vi.useFakeTimers({ now: start, toFake: [...FAKED] });
  // Vitest fakes node:timers' (and node:timers/promises') exports too, and the MongoDB driver calls those: its
  // heartbeats, server selection and retry back-off measure a real server's I/O, so they keep real time.
  // (useRealTimers puts back the same real functions.)
  Object.assign(timers, REAL_TIMERS);
  Object.assign(timersPromises, REAL_TIMER_PROMISES);
  const settleNow = () => new Promise<void>((resolve) => setImmediate(resolve));
  return {
    clock: createSystemClock(),
    async advance(ms, settle = settleNow) {
      const target = Date.now() + Math.max(0, ms);
      // The horizon is a timer too: timers due at the same moment fire with it, as manual-clock sleepers do.
      // Timers cannot wait longer than 2^31-1 ms (they fire at once), so a long horizon is chained.
      let horizon = false;
      const armHorizon = () => {
        horizon = false;
        setTimeout(
          () => {
            horizon = true;
          },
          Math.min(target - Date.now(), MAX_TIMER_MS),
        );
      };
      armHorizon();
      await settle();
      for (;;) {
        await vi.advanceTimersToNextTimerAsync();
        await settle();
        if (!horizon) continue;
        if (Date.now() >= target) return;
        armHorizon();
      }
    },
  };
}
