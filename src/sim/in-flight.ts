// Which calls of the code under test are still waiting on real I/O: lets a test move fake or manual time on
// only once the work the last wake-up started has finished (FakeTime.advance, ManualClock.advance `settle`).

export interface InFlight {
  /** Counts the calls of every method of `target` (a repository, a chat port) from now on. */
  track(target: object): void;
  /**
   * Resolves once no tracked call is in flight and none started during a turn of the event loop after: work is
   * tracked calls joined by promise continuations, so nothing is left to run but what waits on a timer (which
   * counts as settled, as a manual-clock sleeper does).
   */
  settle(): Promise<void>;
  /** True while a tracked call is in flight. */
  isBusy(): boolean;
}

export function createInFlight(): InFlight {
  let count = 0;
  // Every settle waiting at once (a test's and a time driver's) is woken.
  const onIdle: Array<() => void> = [];
  return {
    track(target) {
      const methods = target as Record<string, unknown>;
      for (const [name, method] of Object.entries(methods)) {
        if (typeof method !== 'function') continue;
        methods[name] = (...args: unknown[]) => {
          count++;
          const call = async () => method.apply(target, args);
          return call().finally(() => {
            count--;
            if (count === 0) for (const wake of onIdle.splice(0)) wake();
          });
        };
      }
    },
    isBusy: () => count > 0,
    async settle() {
      for (;;) {
        if (count > 0) await new Promise<void>((resolve) => onIdle.push(resolve));
        await new Promise((resolve) => setImmediate(resolve));
        if (count === 0) return;
      }
    },
  };
}

/** Tracks every repository of a state store (the store's own ping and close are not work). */
export function trackStore(inFlight: InFlight, store: object): void {
  for (const repo of Object.values(store)) if (typeof repo === 'object' && repo !== null) inFlight.track(repo);
}
