import type { Logger } from './logger.js';

export interface BackgroundTasks {
  /** Runs `work` after the caller returns (Slack already has its ack); errors are logged, never lost. */
  run(name: string, work: (signal: AbortSignal) => Promise<void>): void;
  /** Resolves when no task runs (tests, graceful shutdown). */
  idle(): Promise<void>;
  /** Aborts every task's signal and waits for them to end. */
  stop(): Promise<void>;
  /** The signal handed to tasks; aborted by stop(). */
  readonly signal: AbortSignal;
}

/** Work that outlives a Slack request (apply, announce, an AMI test), tracked per bot instance. */
export function createBackgroundTasks(logger: Logger): BackgroundTasks {
  const running = new Set<Promise<void>>();
  const stopper = new AbortController();
  return {
    signal: stopper.signal,
    run(name, work) {
      if (stopper.signal.aborted) {
        logger.warn({ task: name }, 'shutting down: background task not started');
        return;
      }
      const task: Promise<void> = Promise.resolve()
        .then(() => work(stopper.signal))
        .catch((error: unknown) => {
          if (stopper.signal.aborted) logger.info({ task: name }, 'background task stopped by shutdown');
          else logger.error({ err: error, task: name }, 'background task failed');
        })
        .finally(() => running.delete(task));
      running.add(task);
    },
    async idle() {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    async stop() {
      stopper.abort(new Error('shutting down'));
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}
