/** Every wait and every "now" goes through the Clock, so tests run on a manual one. */

/**
 * How simulated time runs, for the note beside the sandbox notice: a scaled clock's speed (virtual ms per real
 * ms), or `virtual` for a clock that moves only while the bot waits (the in-process demo's manual clock).
 */
export type SimTime = number | 'virtual';

export interface Clock {
  now(): Date;
  /** Resolves after `ms`, or rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}
