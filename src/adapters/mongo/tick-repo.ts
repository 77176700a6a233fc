import type { Db } from 'mongodb';
import { isTickClaimable, type TickLease, type TickRepo } from '../../review/tick-repo.js';
import { foldLegacyTickGenerations } from './legacy-tick-generations.js';
import { insertOnce } from './lock-repo.js';

/**
 * Tick leases, one document per tick (`_id` = the key). The first claim inserts it, so exactly one replica
 * wins generation 0; a take-over is one guarded update of the same document (isTickClaimable judges the lease as
 * read, the filter repeats its generation, so of several racers one moves it on).
 */
export function createMongoTickRepo(db: Db): TickRepo & { ensureIndexes(): Promise<void> } {
  const ticks = db.collection<TickLease>('ticks');

  return {
    async ensureIndexes() {
      // Before the first tick: generations the previous release inserted as documents of their own.
      await foldLegacyTickGenerations(ticks);
    },
    async claim(key, owner, now, until) {
      if (await insertOnce(ticks, { _id: key, tick: key, gen: 0, owner, claimedAt: now, until })) return true;
      const held = await ticks.findOne({ _id: key });
      if (!held || !isTickClaimable(held, now)) return false;
      const after = await ticks.findOneAndUpdate(
        { _id: key, gen: held.gen, doneAt: { $exists: false } },
        { $set: { gen: held.gen + 1, owner, claimedAt: now, until }, $unset: { releasedAt: '' } },
      );
      return after !== null;
    },
    async complete(key, owner, at) {
      await ticks.updateOne({ _id: key, owner, releasedAt: { $exists: false } }, { $set: { doneAt: at } });
    },
    async release(key, owner, at) {
      await ticks.updateOne({ _id: key, owner, doneAt: { $exists: false } }, { $set: { releasedAt: at } });
    },
    async get(key) {
      return (await ticks.findOne({ _id: key })) ?? undefined;
    },
  };
}
