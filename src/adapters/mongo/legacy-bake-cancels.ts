import type { Collection, Db } from 'mongodb';
import type { BakeRecord } from '../../bake/bake-record.js';

/**
 * What releases before the MongoDB-native bake repository wrote beside a bake: a cancel request as an insert-once
 * document `{ _id: <bake id>, by, at }` in `bake_cancels` (merged into the bake on every read), and each lease
 * take-over as a `<bake id>:<epoch>` document in `bake_claims`. This release writes both on the bake itself: it
 * folds the cancels in once, at start-up, and reads no claim (the lease was always on the bake; the claim
 * documents only decided races, and can be dropped once no replica of the previous release runs).
 */
export const LEGACY_BAKE_CANCELS = 'bake_cancels';

interface LegacyCancelDoc {
  _id: string;
  by: string;
  at: Date;
}

/** Puts each legacy cancel on its bake unless the bake has one (the first request won then as now), then deletes it. */
export async function foldLegacyBakeCancels(db: Db, bakes: Collection<BakeRecord>): Promise<number> {
  const cancels = db.collection<LegacyCancelDoc>(LEGACY_BAKE_CANCELS);
  const all = await cancels.find({}).toArray();
  for (const { _id, by, at } of all) {
    await bakes.updateOne({ _id, cancelRequested: { $exists: false } }, { $set: { cancelRequested: { by, at } } });
    await cancels.deleteOne({ _id });
  }
  return all.length;
}
