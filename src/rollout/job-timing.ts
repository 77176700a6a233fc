/**
 * Seconds per Domino execution status, measured by polling: Domino's API gives the current status only, so
 * each observed status is charged the time until a different one is seen. The resolution is the poll interval;
 * a status shorter than that may be charged to its neighbour (pure).
 */
export interface JobTiming {
  seconds: Record<string, number>;
  statesSeen: string[];
  lastStatus?: string;
  toRunningSeconds?: number;
}

export interface JobTimer {
  /** Records the status seen at `atMs`. */
  observe(status: string, atMs: number): void;
  snapshot(atMs: number): JobTiming;
}

const RAN = new Set(['Running', 'Finishing', 'Succeeded']);

const round1 = (ms: number) => Math.round(ms / 100) / 10;

export function createJobTimer(startMs: number): JobTimer {
  const totals = new Map<string, number>();
  const seen: string[] = [];
  let current: { status: string; sinceMs: number } | undefined;
  let toRunningMs: number | undefined;

  const charge = (atMs: number) => {
    if (!current) return;
    totals.set(current.status, (totals.get(current.status) ?? 0) + Math.max(0, atMs - current.sinceMs));
    current.sinceMs = atMs;
  };

  return {
    observe(status, atMs) {
      if (current?.status === status) return;
      charge(atMs);
      // Before the first answer the job was waiting in Domino's queue: that time counts as Queued.
      if (!current) totals.set('Queued', (totals.get('Queued') ?? 0) + Math.max(0, atMs - startMs));
      if (!seen.includes(status)) seen.push(status);
      if (!seen.includes('Queued') && current === undefined && status !== 'Queued') seen.unshift('Queued');
      // A job first seen Finishing or Succeeded did run: polls can miss a short Running (an upper bound then).
      if (RAN.has(status) && toRunningMs === undefined) toRunningMs = atMs - startMs;
      current = { status, sinceMs: atMs };
    },
    snapshot(atMs) {
      const seconds: Record<string, number> = {};
      for (const [status, ms] of totals) seconds[status] = round1(ms);
      if (current)
        seconds[current.status] = round1((totals.get(current.status) ?? 0) + Math.max(0, atMs - current.sinceMs));
      return {
        seconds,
        statesSeen: [...seen],
        ...(current ? { lastStatus: current.status } : {}),
        ...(toRunningMs === undefined ? {} : { toRunningSeconds: round1(toRunningMs) }),
      };
    },
  };
}
