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
import { isTickClaimable, type TickLease, type TickRepo } from '../../review/tick-repo.js';
import { copy, insertOnce, readOne, recentOf } from './memory-records.js';

/** Tick leases in memory, one per tick, with the same take-over rule as the MongoDB repo. */
export function createMemoryTickRepo(): TickRepo {
  const leases = new Map<string, TickLease>();
  return {
    async claim(key, owner, now, until) {
      const held = leases.get(key);
      if (held && !isTickClaimable(held, now)) return false;
      leases.set(key, { _id: key, tick: key, gen: held ? held.gen + 1 : 0, owner, claimedAt: now, until });
      return true;
    },
    async complete(key, owner, at) {
      const lease = leases.get(key);
      if (lease && lease.owner === owner && !lease.releasedAt) lease.doneAt = at;
    },
    async release(key, owner, at) {
      const lease = leases.get(key);
      if (lease && lease.owner === owner && !lease.doneAt) lease.releasedAt = at;
    },
    async get(key) {
      return readOne(leases, key, copy);
    },
  };
}

/** Reviews in memory: the document plus insert-once events, state derived exactly as in MongoDB. */
export function createMemoryReviewRepo(): ReviewRepo {
  const docs = new Map<string, ReviewDoc>();
  const events = new Map<string, Map<string, ReviewEvent>>();
  const view = (doc: ReviewDoc): ReviewRecord => copy(deriveReview(doc, [...(events.get(doc._id)?.values() ?? [])]));
  // Same rule as the MongoDB repo: only the newest few reviews of each deployment can be open.
  const listOpen = async (deployment?: string) => {
    const seen = new Map<string, number>();
    return recentOf(docs, deployment)
      .filter((doc) => {
        const count = seen.get(doc.deployment) ?? 0;
        seen.set(doc.deployment, count + 1);
        return count < OPEN_SCAN_PER_DEPLOYMENT;
      })
      .map(view)
      .filter(isReviewOpen)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
  };
  return {
    async insert(review) {
      return insertOnce(docs, review);
    },
    async get(id) {
      return readOne(docs, id, view);
    },
    listOpen,
    async listDue(now) {
      return (await listOpen()).filter((review) => isReminderDue(review, now));
    },
    async setMessageTs(id, ts) {
      const doc = docs.get(id);
      if (doc) doc.messageTs = ts;
    },
    async record(reviewId, event) {
      const list = events.get(reviewId) ?? new Map<string, ReviewEvent>();
      const key = eventKey(event);
      if (list.has(key)) return false;
      list.set(key, copy(event));
      events.set(reviewId, list);
      return true;
    },
    async withdraw(reviewId, key) {
      events.get(reviewId)?.delete(key);
    },
  };
}
