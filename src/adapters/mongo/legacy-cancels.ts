import type { Collection, Db, Filter, UpdateFilter } from 'mongodb';
import type { BakeRecord } from '../../bake/bake-record.js';
import type { AmiTestRecord } from '../../rollout/ami-test-record.js';

/**
 * What releases before the MongoDB-native bake repository wrote beside a bake: a cancel request as an insert-once
 * document `{ _id: <bake id>, by, at }` in `bake_cancels` (merged into the bake on every read), and each lease
 * take-over as a `<bake id>:<epoch>` document in `bake_claims`. This release writes both on the bake itself: it
 * folds the cancels in once, at start-up, and reads no claim (the lease was always on the bake; the claim
 * documents only decided races, and can be dropped once no replica of the previous release runs).
 */
export const LEGACY_BAKE_CANCELS = 'bake_cancels';

/**
 * What releases before the MongoDB-native AMI test repository wrote for a cancel request: an insert-once document
 * `{ _id: <test id>, by, at }` in `ami_test_cancels`, merged into the test on every read. This release writes the
 * request on the test itself and folds those documents in once, at start-up.
 */
export const LEGACY_TEST_CANCELS = 'ami_test_cancels';

interface LegacyCancelDoc {
  _id: string;
  by: string;
  at: Date;
}

interface Cancellable {
  _id: string;
  cancelRequested?: { by: string; at: Date };
}

/**
 * Puts each legacy cancel request on its record unless the record already has one (the first request won then as
 * now), then deletes the document. Idempotent, and safe on several replicas at once: the guard is in the filter.
 */
async function foldLegacyCancels<T extends Cancellable>(
  db: Db,
  legacy: string,
  records: Collection<T>,
): Promise<number> {
  const cancels = db.collection<LegacyCancelDoc>(legacy);
  const all = await cancels.find({}).toArray();
  for (const { _id, by, at } of all) {
    // The driver's filter types cannot see through the generic `T extends Cancellable`: hence the casts.
    await records.updateOne(
      { _id, cancelRequested: { $exists: false } } as Filter<T>,
      {
        $set: { cancelRequested: { by, at } },
      } as UpdateFilter<T>,
    );
    await cancels.deleteOne({ _id });
  }
  return all.length;
}

export const foldLegacyBakeCancels = (db: Db, bakes: Collection<BakeRecord>) =>
  foldLegacyCancels(db, LEGACY_BAKE_CANCELS, bakes);

export const foldLegacyTestCancels = (db: Db, tests: Collection<AmiTestRecord>) =>
  foldLegacyCancels(db, LEGACY_TEST_CANCELS, tests);
