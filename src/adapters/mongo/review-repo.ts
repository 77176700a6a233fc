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
import { isDuplicateKey } from './lock-repo.js';

type EventDoc = ReviewEvent & { _id: string; reviewId: string };
type ReviewHead = Omit<ReviewDoc, 'report'>;

/** Newest reviews read when looking for open ones (a few per deployment and quarter in practice). */
const HEADS_SCAN = 100;

/**
 * Reviews in the bot's own database. Written so that FerretDB's limits cannot break them:
 * - every "first one wins" is an insert into `review_events` with `_id` `<review id>|<event key>`;
 * - no document is updated by two processes (only the poster writes `messageTs`);
 * - events are read by `_id` only (FerretDB scans the whole collection for any other filter, `$in` too);
 * - the large, immutable report lives in `review_reports`, so scanning review heads stays cheap.
 */
export function createMongoReviewRepo(db: Db): ReviewRepo & { ensureIndexes(): Promise<void> } {
  const reviews = db.collection<ReviewHead>('reviews');
  const reports = db.collection<{ _id: string; report: ReviewReport }>('review_reports');
  const events = db.collection<EventDoc>('review_events');

  const event = async (reviewId: string, key: string): Promise<ReviewEvent | undefined> => {
    const doc = await events.findOne({ _id: `${reviewId}|${key}` });
    if (!doc) return undefined;
    const { _id, reviewId: _review, ...rest } = doc;
    return rest as ReviewEvent;
  };

  /** Events numbered 1, 2, … are recorded in order, so reading stops at the first gap. */
  async function numbered(reviewId: string, prefix: 'reminder' | 'snooze'): Promise<ReviewEvent[]> {
    const found: ReviewEvent[] = [];
    for (let n = 1; ; n++) {
      const next = await event(reviewId, `${prefix}-${n}`);
      if (!next) return found;
      found.push(next);
    }
  }

  async function eventsOf(reviewId: string): Promise<ReviewEvent[]> {
    const [close, started, reminders, snoozes] = await Promise.all([
      event(reviewId, 'close'),
      event(reviewId, 'bake-started'),
      numbered(reviewId, 'reminder'),
      numbered(reviewId, 'snooze'),
    ]);
    const posted = await Promise.all(reminders.map((_, i) => event(reviewId, `reminder-${i + 1}-posted`)));
    return [close, started, ...reminders, ...snoozes, ...posted].filter((e): e is ReviewEvent => e !== undefined);
  }

  async function full(head: ReviewHead): Promise<ReviewRecord | undefined> {
    const [stored, list] = await Promise.all([reports.findOne({ _id: head._id }), eventsOf(head._id)]);
    return stored ? deriveReview({ ...head, report: stored.report }, list) : undefined;
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
    // A close event settles most of them with one lookup; only the others are read in full.
    const closes = await Promise.all(candidates.map((head) => event(head._id, 'close')));
    const maybeOpen = candidates.filter((_, i) => {
      const close = closes[i];
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
      try {
        await events.insertOne({ ...e, _id: `${reviewId}|${eventKey(e)}`, reviewId });
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },
    async withdraw(reviewId, key) {
      await events.deleteOne({ _id: `${reviewId}|${key}` });
    },
  };
}
