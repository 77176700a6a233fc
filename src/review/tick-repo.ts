/**
 * One lease per scheduled task and tick (`<task>:<tick ISO>`): how a tick fires once across replicas.
 * Generation 0 has `_id` = the key; a take-over after a holder died inserts generation 1, 2, …: every
 * "first one wins" is an insert with a fixed `_id`, the one write FerretDB decides atomically.
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
  /** The newest generation of the tick's lease. */
  get(key: string): Promise<TickLease | undefined>;
}
