import type { Bot } from '../bot.js';
import type { Clock } from '../ports/clock.js';
import type { StateStore } from '../ports/state-store.js';
import { trackStore } from '../sim/in-flight.js';
import type { ManualClock } from '../sim/manual-clock.js';
import { createScaledClock } from '../sim/scaled-clock.js';
import { driveClock, drivenIdle, driveUntil } from '../sim/time-driver.js';

/**
 * The demo's time: the clock the simulator and the bot run on, and how the scripted admins wait for the bot.
 * `npm run demo` shows the lifecycle at a scaled speed a person can follow; the in-process test runs it on a
 * manual clock that moves only while the demo waits, each wake-up once the bot's work has settled.
 */
export interface DemoTime {
  clock: Clock;
  /** Wall time for the bot's process concerns (rate-limit pacing); undefined: the system clock. */
  wallClock?: Clock;
  /** The speed the sandbox notes print (×N), or undefined on virtual time, where no speed is true. */
  speed?: number;
  /** Waits until `check` yields a value; `timeoutMs` is real time, so a bot that never gets there fails. */
  waitUntil<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs?: number): Promise<T>;
  /** Lets time wait for this bot process's work (its store and chat calls, its runs when waited for idle). */
  adopt(bot: Bot, store: StateStore): void;
  close(): void;
}

/** The scaled clock: the bot runs in real time `speed` times faster, so the watcher's wait is real time too. */
export function scaledDemoTime(speed: number): DemoTime {
  return {
    clock: createScaledClock({ speed }),
    speed,
    async waitUntil(check, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await check();
        if (value !== undefined) return value;
        if (Date.now() > deadline) throw new Error('the demo waited too long for the bot');
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    adopt() {},
    close() {},
  };
}

/** A manual clock driven by the demo's own waits: no real sleep stands in for time. */
export function virtualDemoTime(clock: ManualClock): DemoTime {
  const driven = driveClock(clock);
  const waitUntil = <T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000) =>
    driveUntil('the bot', check, { realLimitMs: timeoutMs });
  return {
    clock,
    // The bake card's pacing sleeps on this clock too, so it costs virtual time only.
    wallClock: clock,
    waitUntil,
    adopt(bot, store) {
      trackStore(driven.inFlight, store);
      driven.inFlight.track(bot.chat);
      for (const target of [bot.runner, bot.rollout, bot.rollout.tasks])
        target.idle = drivenIdle(target.idle.bind(target));
    },
    close: () => driven.release(),
  };
}
