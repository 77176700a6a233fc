import type { Db } from 'mongodb';
import type { TickLease, TickRepo } from '../../review/tick-repo.js';
import { isDuplicateKey } from './lock-repo.js';

/** Take-overs of one tick; past this, something is badly wrong and the tick is left alone. */
const MAX_GENERATIONS = 8;

/**
 * Tick leases. Generation 0's `_id` is the key itself, so exactly one replica inserts it (FerretDB and
 * MongoDB both answer 11000 to the others). A take-over inserts the next generation instead of updating
 * the dead holder's lease: FerretDB does not serialise concurrent updates of one document, but it does
 * reject a second insert of the same `_id`.
 */
export function createMongoTickRepo(db: Db): TickRepo & { ensureIndexes(): Promise<void> } {
  const ticks = db.collection<TickLease>('ticks');
  const idOf = (key: string, gen: number) => (gen === 0 ? key : `${key}#${gen}`);

  return {
    async ensureIndexes() {
      await ticks.createIndex({ tick: 1, gen: -1 });
    },
    async claim(key, owner, now, until) {
      for (let gen = 0; gen < MAX_GENERATIONS; gen++) {
        try {
          await ticks.insertOne({ _id: idOf(key, gen), tick: key, gen, owner, claimedAt: now, until });
          return true;
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
        const held = await ticks.findOne({ _id: idOf(key, gen) });
        if (!held || held.doneAt) return false;
        const over = held.releasedAt !== undefined || held.until.getTime() < now.getTime();
        if (!over) return false;
      }
      return false;
    },
    async complete(key, owner, at) {
      await ticks.updateOne({ tick: key, owner, releasedAt: { $exists: false } }, { $set: { doneAt: at } });
    },
    async release(key, owner, at) {
      await ticks.updateOne({ tick: key, owner, doneAt: { $exists: false } }, { $set: { releasedAt: at } });
    },
    async get(key) {
      const [latest] = await ticks.find({ tick: key }).sort({ gen: -1 }).limit(1).toArray();
      return latest;
    },
  };
}
