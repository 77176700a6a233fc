import type { StateStore } from '../ports/state-store.js';
import type { ReviewNotifier } from './review-notifier.js';
import type { ReviewRecord } from './review-record.js';

/** Strictly older (ties broken by id), so two reviews opened at once never close each other. */
const isOlder = (a: ReviewRecord, b: ReviewRecord) =>
  a.createdAt.getTime() < b.createdAt.getTime() || (a.createdAt.getTime() === b.createdAt.getTime() && a._id < b._id);

/** Closes every other open review of the deployment: one open review at a time, so one set of reminders. */
export async function supersedeOlderReviews(
  deps: { notifier: ReviewNotifier; store: StateStore },
  review: ReviewRecord,
  now: Date,
): Promise<void> {
  for (const older of await deps.store.reviews.listOpen(review.deployment)) {
    if (older.status !== 'open' || !isOlder(older, review)) continue;
    const event = { kind: 'close', outcome: 'superseded', by: 'ami-bot', at: now, supersededBy: review._id } as const;
    if (!(await deps.store.reviews.record(older._id, event))) continue;
    const closed = await deps.store.reviews.get(older._id);
    if (closed) await deps.notifier.reviewChanged(closed);
  }
}
