import type { Db } from 'mongodb';
import {
  deriveReview,
  eventKey,
  isReminderDue,
  isReviewOpen,
  OPEN_SCAN_PER_DEPLOYMENT,
  type ReviewDoc,
  type ReviewEvent,
  type ReviewRecord,
} from '../../review/review-record.js';
import type { ReviewRepo } from '../../review/review-repo.js';
import type { ReviewReport } from '../../review/review-report.js';
import { foldLegacyReviewEvents } from './legacy-review-events.js';
import { isDuplicateKey } from './lock-repo.js';

/** A review's head: the review without its report, and its events by key (`close`, `reminder-1`, …). */
type ReviewHead = Omit<ReviewDoc, 'report'> & { events?: Record<string, ReviewEvent> };

/** Newest reviews read when looking for open ones (a few per deployment and quarter in practice). */
const HEADS_SCAN = 100;

/** An event key is a name of ours (`reminder-2-posted`): no dots or `$`, which MongoDB would read as a path. */
function eventPath(key: string): `events.${string}` {
  if (!/^[a-z0-9-]+$/.test(key)) throw new Error(`not an event key: ${key}`);
  return `events.${key}`;
}

/**
 * Reviews in the bot's own database:
 * - a review's events live on its head, by key; "first one wins" is one guarded update that sets
 *   `events.<key>` only where it is still absent (MongoDB applies it to the one document atomically);
 * - the large, immutable report lives in `review_reports`, so scanning review heads stays cheap.
 */
export function createMongoReviewRepo(db: Db): ReviewRepo & { ensureIndexes(): Promise<void> } {
  const reviews = db.collection<ReviewHead>('reviews');
  const reports = db.collection<{ _id: string; report: ReviewReport }>('review_reports');

  const eventsOf = (head: ReviewHead): ReviewEvent[] => Object.values(head.events ?? {});

  async function full(head: ReviewHead): Promise<ReviewRecord | undefined> {
    const stored = await reports.findOne({ _id: head._id });
    const { events: _events, ...doc } = head;
    return stored ? deriveReview({ ...doc, report: stored.report }, eventsOf(head)) : undefined;
  }

  async function listOpen(deployment?: string): Promise<ReviewRecord[]> {
    const heads = await reviews
      .find(deployment ? { deployment } : {})
      .sort({ createdAt: -1 })
      .limit(HEADS_SCAN)
      .toArray();
    const perDeployment = new Map<string, number>();
    const candidates = heads.filter((head) => {
      const seen = perDeployment.get(head.deployment) ?? 0;
      perDeployment.set(head.deployment, seen + 1);
      return seen < OPEN_SCAN_PER_DEPLOYMENT;
    });
    // A close event settles most of them without reading their reports.
    const maybeOpen = candidates.filter((head) => {
      const close = head.events?.close;
      return close === undefined || (close.kind === 'close' && close.outcome === 'bake');
    });
    const records = await Promise.all(maybeOpen.map(full));
    return records
      .filter((r): r is ReviewRecord => r !== undefined && isReviewOpen(r))
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  }

  return {
    async ensureIndexes() {
      await reviews.createIndex({ deployment: 1, createdAt: -1 });
      // Before the first request: events the previous release stored beside their reviews.
      await foldLegacyReviewEvents(db, reviews);
    },
    async insert(review) {
      const { report, ...head } = review;
      try {
        // The report first: a review head never exists without it.
        await reports.insertOne({ _id: review._id, report });
        await reviews.insertOne(head);
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },
    async get(id) {
      const head = await reviews.findOne({ _id: id });
      return head ? full(head) : undefined;
    },
    listOpen,
    async listDue(now) {
      return (await listOpen()).filter((review) => isReminderDue(review, now));
    },
    async setMessageTs(id, ts) {
      await reviews.updateOne({ _id: id }, { $set: { messageTs: ts } });
    },
    async record(reviewId, e) {
      const path = eventPath(eventKey(e));
      const after = await reviews.findOneAndUpdate(
        { _id: reviewId, [path]: { $exists: false } },
        { $set: { [path]: e } },
      );
      return after !== null;
    },
    async withdraw(reviewId, key) {
      await reviews.updateOne({ _id: reviewId }, { $unset: { [eventPath(key)]: '' } });
    },
  };
}
