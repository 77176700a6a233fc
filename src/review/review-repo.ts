import type { ReviewDoc, ReviewEvent, ReviewRecord } from './review-record.js';

/**
 * Quarterly reviews: an immutable document plus insert-once events (close, reminder n, snooze n, …) from
 * which the state is derived, so double clicks, replicas and reminders racing a click each act once even
 * on FerretDB, which does not serialise concurrent updates of one document.
 */
export interface ReviewRepo {
  /** False when a review with this id exists already (a replica or an earlier attempt opened it). */
  insert(review: ReviewDoc): Promise<boolean>;
  /** The review with its state derived from its events. */
  get(id: string): Promise<ReviewRecord | undefined>;
  /** Reviews still open (or starting a bake), optionally of one deployment, oldest first. */
  listOpen(deployment?: string): Promise<ReviewRecord[]>;
  /** Open reviews whose next reminder is due at `now`. */
  listDue(now: Date): Promise<ReviewRecord[]>;
  /** Only the process that posted the review writes its message ts. */
  setMessageTs(id: string, ts: string): Promise<void>;
  /** Records an event; false when the same event (review and key) exists: the first caller wins. */
  record(reviewId: string, event: ReviewEvent): Promise<boolean>;
  /** Withdraws an event (a bake that did not start after all), so the step can be taken again. */
  withdraw(reviewId: string, key: string): Promise<void>;
}
