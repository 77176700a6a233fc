import { performance } from 'node:perf_hooks';
import type { Clock } from '../ports/clock.js';

export { createManualClock, type ManualClock } from './manual-clock.js';

/** setTimeout fires at once for delays above 2^31-1 ms, so longer real waits are chained. */
const MAX_TIMER_MS = 2_147_483_647;

export interface ScaledClockOptions {
  /** Virtual milliseconds per real millisecond: 1 is real time, 60 makes a virtual minute last a real second. */
  speed: number;
  /** Virtual time at creation (default: the real time now). */
  start?: Date;
}

/**
 * A clock whose time runs `speed` times faster than wall time, so the demo and sandbox mode can replay a
 * 40-minute bake in under a minute while the bot's code keeps thinking in real AWS durations.
 */
export function createScaledClock(options: ScaledClockOptions): Clock & { speed: number } {
  const { speed } = options;
  if (!Number.isFinite(speed) || speed <= 0) throw new Error(`Clock speed must be a positive number, got ${speed}.`);
  const startVirtual = (options.start ?? new Date()).getTime();
  // performance.now() is monotonic: a wall-clock jump (NTP, suspend) must not move virtual time backwards.
  const startReal = performance.now();

  return {
    speed,
    now: () => new Date(startVirtual + (performance.now() - startReal) * speed),
    sleep: (ms, signal) => realSleep(Math.max(0, ms / speed), signal),
  };
}

function realSleep(realMs: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const deadline = performance.now() + realMs;
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const arm = () => {
      const left = deadline - performance.now();
      if (left <= 0) {
        signal?.removeEventListener('abort', onAbort);
        resolve();
        return;
      }
      timer = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    timer = setTimeout(arm, Math.min(realMs, MAX_TIMER_MS));
  });
}
