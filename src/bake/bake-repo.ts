import type { BakeCheckpoint, BakeRecord } from './bake-record.js';

export interface BakeRepo {
  insert(bake: BakeRecord): Promise<void>;
  get(id: string): Promise<BakeRecord | undefined>;
  listRecent(limit: number, deployment?: string): Promise<BakeRecord[]>;
  /** Ids of active bakes (running or compensating) with no lease or a lease expired at `now`. */
  listClaimable(now: Date): Promise<string[]>;
  /** Takes the lease when it is free, expired, or already ours; returns the record, else undefined. */
  claim(id: string, owner: string, now: Date, until: Date): Promise<BakeRecord | undefined>;
  /** Extends the lease; false when another owner has taken it. */
  renew(id: string, owner: string, until: Date): Promise<boolean>;
  /** Applies the checkpoint (see `applyCheckpoint`) only while `owner` holds the lease; false otherwise. */
  checkpoint(id: string, owner: string, checkpoint: BakeCheckpoint): Promise<boolean>;
  release(id: string, owner: string): Promise<void>;
  /** Marks an active bake for cancellation (first request wins); returns the record after the change. */
  requestCancel(id: string, by: string, at: Date): Promise<BakeRecord | undefined>;
}
