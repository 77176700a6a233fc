import type { Collection, Db } from 'mongodb';
import type { ReviewDoc, ReviewEvent } from '../../review/review-record.js';

/**
 * What releases before the MongoDB-native review repository wrote: each event of a review as an insert-once
 * document `<review id>|<event key>` in `review_events`. This release keeps a review's events on the review
 * itself (`events.<key>`) and folds those documents in once, at start-up.
 */
export const LEGACY_REVIEW_EVENTS = 'review_events';

type LegacyEventDoc = ReviewEvent & { _id: string; reviewId: string };

/**
 * Puts each legacy event on its review unless the review has that event already (the first one won then as
 * now), then deletes the document. Idempotent, and safe on several replicas at once: the guard is in the filter.
 */
export async function foldLegacyReviewEvents(
  db: Db,
  reviews: Collection<Omit<ReviewDoc, 'report'> & { events?: Record<string, ReviewEvent> }>,
): Promise<number> {
  const events = db.collection<LegacyEventDoc>(LEGACY_REVIEW_EVENTS);
  const all = await events.find({}).toArray();
  for (const { _id, reviewId, ...event } of all) {
    const key = _id.slice(reviewId.length + 1);
    const path = `events.${key}`;
    await reviews.updateOne({ _id: reviewId, [path]: { $exists: false } }, { $set: { [path]: event } });
    await events.deleteOne({ _id });
  }
  return all.length;
}
