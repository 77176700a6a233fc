// A clock whose time moves only when the code under test sleeps: a poll loop talking to a real (fake) HTTP
// server sees exact virtual durations, whatever the machine's real latency. For one sleeper at a time.
import type { Clock } from '../../src/ports/clock.js';

export function createSteppingClock(start: Date): Clock {
  let nowMs = start.getTime();
  return {
    now: () => new Date(nowMs),
    sleep: (ms, signal) =>
      new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(signal.reason);
          return;
        }
        nowMs += Math.max(0, ms);
        setImmediate(resolve);
      }),
  };
}
