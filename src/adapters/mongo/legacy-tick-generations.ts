import type { Collection } from 'mongodb';
import type { TickLease } from '../../review/tick-repo.js';

/**
 * What releases before the MongoDB-native tick repository wrote for a take-over: a new document per generation,
 * `<key>#<gen>`, beside generation 0 (`_id` = the key). This release keeps one lease per tick and folds the
 * generation documents in once, at start-up.
 */
const isGenerationDoc = { _id: { $regex: '#\\d+$' } };

/**
 * Moves each tick's lease to its newest generation document unless the lease is already there or beyond (guarded
 * by `gen`), then deletes the generation documents. Idempotent, and safe on several replicas at once.
 */
export async function foldLegacyTickGenerations(ticks: Collection<TickLease>): Promise<number> {
  const generations = await ticks.find(isGenerationDoc).toArray();
  const newest = new Map<string, TickLease>();
  for (const doc of generations) {
    const seen = newest.get(doc.tick);
    if (!seen || doc.gen > seen.gen) newest.set(doc.tick, doc);
  }
  for (const { _id: _old, tick, gen, owner, claimedAt, until, doneAt, releasedAt } of newest.values()) {
    const set = { gen, owner, claimedAt, until, ...(doneAt ? { doneAt } : {}), ...(releasedAt ? { releasedAt } : {}) };
    await ticks.updateOne(
      { _id: tick, gen: { $lt: gen } },
      { $set: set, ...(releasedAt ? {} : { $unset: { releasedAt: '' } }) },
    );
  }
  if (generations.length > 0) await ticks.deleteMany({ _id: { $in: generations.map((doc) => doc._id) } });
  return newest.size;
}
