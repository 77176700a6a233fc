import type { Clock } from '../ports/clock.js';

export interface ManualClock extends Clock {
  /**
   * Moves virtual time forward by `ms`, waking due sleepers one at a time in due order (ties in sleep order)
   * and letting the woken code run before the next, so polling loops behave as they would in real time.
   * `settle` is how long that is: by default one turn of the event loop (enough for in-process code); a test
   * whose code under test does real I/O (a database, HTTP) passes one that waits for that I/O.
   */
  advance(ms: number, settle?: () => Promise<void>): Promise<void>;
  /** Number of sleepers still waiting (handy to assert that a workflow is idle). */
  pendingSleepers(): number;
  /**
   * When the earliest sleeper is due, rounded up to the millisecond (a Date holds no less), or undefined when
   * none sleeps: how far a test moves time for the next wake-up.
   */
  nextWake(): Date | undefined;
}

interface Sleeper {
  dueMs: number;
  seq: number;
  wake(): void;
}

/** A clock that only moves when a test says so: deterministic unit tests of time-based code. */
export function createManualClock(start: Date = new Date('2026-09-01T09:00:00Z')): ManualClock {
  let nowMs = start.getTime();
  let seq = 0;
  const sleepers: Sleeper[] = [];

  const sleep = (ms: number, signal?: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const sleeper: Sleeper = {
        dueMs: nowMs + Math.max(0, ms),
        seq: seq++,
        wake: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        const index = sleepers.indexOf(sleeper);
        if (index >= 0) sleepers.splice(index, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      sleepers.push(sleeper);
    });

  const advance = async (ms: number, settle: () => Promise<void> = flush) => {
    const targetMs = nowMs + Math.max(0, ms);
    // Let code that was just started reach its first sleep before time moves.
    await settle();
    for (;;) {
      const next = earliest(sleepers);
      if (next === undefined || next.dueMs > targetMs) break;
      sleepers.splice(sleepers.indexOf(next), 1);
      nowMs = Math.max(nowMs, next.dueMs);
      next.wake();
      await settle();
    }
    nowMs = targetMs;
    await settle();
  };

  return {
    now: () => new Date(nowMs),
    sleep,
    advance,
    pendingSleepers: () => sleepers.length,
    nextWake: () => {
      const next = earliest(sleepers);
      return next === undefined ? undefined : new Date(Math.ceil(next.dueMs));
    },
  };
}

function earliest(sleepers: Sleeper[]): Sleeper | undefined {
  let best: Sleeper | undefined;
  for (const s of sleepers) {
    if (best === undefined || s.dueMs < best.dueMs || (s.dueMs === best.dueMs && s.seq < best.seq)) best = s;
  }
  return best;
}

/** A macrotask boundary: every promise continuation queued so far has run. */
function flush(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
