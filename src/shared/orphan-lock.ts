import type { LockRepo } from './lock-repo.js';

/** A start saves its record a moment after taking its lock; a lock with no record older than this is an orphan. */
export const ORPHAN_LOCK_MS = 5 * 60_000;

/**
 * True when `holder` still holds `key` (nobody took it over since) and took it more than ORPHAN_LOCK_MS ago:
 * the start that took it died before saving its record (a bake, an AMI test), so the lock may be released.
 */
export async function isOrphanLock(locks: LockRepo, key: string, holder: string, now: Date): Promise<boolean> {
  const lock = await locks.describe(key);
  if (!lock || lock.holder !== holder) return false;
  return now.getTime() - lock.at.getTime() > ORPHAN_LOCK_MS;
}
