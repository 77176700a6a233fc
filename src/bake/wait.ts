import { AppError } from '../errors.js';
import type { Clock } from '../ports/clock.js';

export interface WaitOptions<T> {
  clock: Clock;
  signal: AbortSignal;
  /** Absolute deadline. */
  deadline: Date;
  /** First delay; grows by `factor` up to `maxMs` (polite polling, see REFERENCE.md on throttling). */
  minMs: number;
  maxMs: number;
  factor?: number;
  /** Returns a value when done, undefined to keep waiting. */
  check: () => Promise<T | undefined>;
  /** The error thrown at the deadline. */
  onTimeout: () => AppError;
}

/** Polls `check` with backoff until it yields, the deadline passes, or the signal aborts. */
export async function pollUntil<T>(options: WaitOptions<T>): Promise<T> {
  const factor = options.factor ?? 1.5;
  let delay = options.minMs;
  for (;;) {
    options.signal.throwIfAborted();
    const value = await options.check();
    if (value !== undefined) return value;
    const remaining = options.deadline.getTime() - options.clock.now().getTime();
    if (remaining <= 0) throw options.onTimeout();
    await options.clock.sleep(Math.min(delay, remaining), options.signal);
    delay = Math.min(options.maxMs, delay * factor);
  }
}

export function minutesFrom(clock: Clock, minutes: number): Date {
  return new Date(clock.now().getTime() + minutes * 60_000);
}

export function timeoutError(code: string, message: string): () => AppError {
  return () => new AppError(code, message);
}
