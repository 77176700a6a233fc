/**
 * One lease per scheduled task and tick (`<task>:<tick ISO>`, also its `_id`): how a tick fires once across
 * replicas. The first claim inserts it (generation 0); a take-over after a holder died or gave the tick back
 * moves the same lease to the next generation, guarded by the generation it judged (isTickClaimable).
 */
export interface TickLease {
  _id: string;
  tick: string;
  gen: number;
  owner: string;
  claimedAt: Date;
  until: Date;
  doneAt?: Date;
  releasedAt?: Date;
}

/** Take-overs of one tick; past this, something is badly wrong and the tick is left alone. */
export const MAX_TICK_GENERATIONS = 8;

/**
 * The take-over guard (pure; both stores apply it): a lease not done, whose holder gave it back or let it run
 * out at `now`, and not taken over too often already.
 */
export function isTickClaimable(lease: Pick<TickLease, 'gen' | 'until' | 'doneAt' | 'releasedAt'>, now: Date): boolean {
  if (lease.doneAt) return false;
  if (lease.gen + 1 >= MAX_TICK_GENERATIONS) return false;
  return lease.releasedAt !== undefined || lease.until.getTime() < now.getTime();
}

export interface TickRepo {
  /**
   * True for exactly one caller per key. The only exception is a holder that died mid-run or gave the tick
   * back: once its lease is past `until` (or released) and the tick is not done, one later caller takes over.
   */
  claim(key: string, owner: string, now: Date, until: Date): Promise<boolean>;
  /** Marks the tick done (never to be taken over); only its owner writes its lease. */
  complete(key: string, owner: string, at: Date): Promise<void>;
  /** Gives an unfinished tick back (its run failed), so a catch-up on start may run it again. */
  release(key: string, owner: string, at: Date): Promise<void>;
  /** The tick's lease (its generation counts the take-overs). */
  get(key: string): Promise<TickLease | undefined>;
}
