/**
 * Paces the calls of one Slack method once Slack has shown its limit. Slack publishes few of its limits, so the
 * rate is learned: when several calls are refused (429) at nearly the same time — the window is full, not a
 * one-off — the calls that succeeded within the Retry-After before are what Slack lets through, and later calls
 * start no faster than that. An isolated 429 only parks the call that got it. Each success nudges the rate up,
 * so a raised limit is found again.
 * Why: unpaced, every DM lane ran into a full window and waited out Retry-After, and the report after the last DM
 * met the same full window (2,000 DMs at 100/s took 1.07-1.11x the floor; docs/PERFORMANCE.md).
 */
export interface RatePacer {
  /** Resolves when the next call may start. */
  slot(): Promise<void>;
  succeeded(): void;
  rateLimited(retryAfterSeconds: number): void;
  /** Calls per second now allowed; undefined while Slack has not shown a limit. */
  readonly rate: number | undefined;
}

export interface RatePacerOptions {
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** This many 429s within `burstWindowMs` show a limit (fewer are one-offs). */
  burst?: number;
  burstWindowMs?: number;
  /** Successes needed in the Retry-After window to say anything about a rate. */
  minEvidence?: number;
  /** Factor applied to the rate per success (1.0002: about +2 % a second at 100 calls a second). */
  increasePerSuccess?: number;
}

const SUCCESS_MEMORY_MS = 60_000;

export function createRatePacer(options: RatePacerOptions = {}): RatePacer {
  const now = options.now ?? Date.now;
  // Wall time, not the Clock: Slack's limits are real seconds, in sandbox mode too (as slack-chat.ts's Retry-After).
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const burst = options.burst ?? 3;
  const burstWindowMs = options.burstWindowMs ?? 250;
  const minEvidence = options.minEvidence ?? 10;
  const increase = options.increasePerSuccess ?? 1.0002;
  let rate: number | undefined;
  let nextStart = 0;
  // Success times, oldest first (from index `oldest`): only the last minute matters.
  const successes: number[] = [];
  let oldest = 0;
  let refusals: number[] = [];

  const forget = (at: number) => {
    while (oldest < successes.length && (successes[oldest] as number) <= at - SUCCESS_MEMORY_MS) oldest++;
    if (oldest > 1_024 && oldest * 2 > successes.length) {
      successes.splice(0, oldest);
      oldest = 0;
    }
  };

  return {
    get rate() {
      return rate;
    },
    async slot() {
      if (rate === undefined) return;
      const at = now();
      const start = Math.max(at, nextStart);
      nextStart = start + 1000 / rate;
      if (start > at) await sleep(start - at);
    },
    succeeded() {
      const at = now();
      successes.push(at);
      forget(at);
      if (rate !== undefined) rate *= increase;
    },
    rateLimited(retryAfterSeconds) {
      const at = now();
      refusals = refusals.filter((t) => t > at - burstWindowMs);
      refusals.push(at);
      if (refusals.length < burst) return;
      forget(at);
      const windowMs = Math.max(1, retryAfterSeconds) * 1000;
      let first = successes.length;
      while (first > oldest && (successes[first - 1] as number) > at - windowMs) first--;
      const accepted = successes.length - first;
      if (accepted < minEvidence) return;
      const learned = accepted / (windowMs / 1000);
      rate = rate === undefined ? learned : Math.min(rate, learned);
      // The window is full: the next call can only go through once its oldest success has left it.
      nextStart = Math.max(nextStart, (successes[first] as number) + windowMs);
    },
  };
}
