import type { Collection, Db } from 'mongodb';
import type { AmiTestRecord } from '../../rollout/ami-test-record.js';

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

/**
 * Puts each legacy cancel request on its test unless the test already has one (the first request won then as
 * now), then deletes the document. Idempotent, and safe on several replicas at once: the guard is in the filter.
 */
export async function foldLegacyTestCancels(db: Db, tests: Collection<AmiTestRecord>): Promise<number> {
  const cancels = db.collection<LegacyCancelDoc>(LEGACY_TEST_CANCELS);
  const all = await cancels.find({}).toArray();
  for (const { _id, by, at } of all) {
    await tests.updateOne({ _id, cancelRequested: { $exists: false } }, { $set: { cancelRequested: { by, at } } });
    await cancels.deleteOne({ _id });
  }
  return all.length;
}
